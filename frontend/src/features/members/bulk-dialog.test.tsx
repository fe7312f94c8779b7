import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { BulkDialog } from "./bulk-dialog";
import { SegmentControls } from "./segment-controls";

const products = { data: [{ id: "prod_1", name: "Course", archived_at: null }], has_more: false, next_cursor: null };

describe("BulkDialog", () => {
  it("runs the action for the filter and follows the job to the end", async () => {
    let polls = 0;
    const api = stubApi({
      "GET /api/v1/products": () => json(products),
      "POST /api/v1/users/bulk": () => json({ job_id: "job_1", total: 2 }, 202),
      "GET /api/v1/jobs/job_1": () =>
        json({ id: "job_1", kind: "members_bulk", status: ++polls > 1 ? "succeeded" : "running", attempts: 1, max_attempts: 3, progress_done: polls > 1 ? 2 : 1, progress_total: 2, run_at: "2026-12-01T00:00:00Z", created_at: "2026-12-01T00:00:00Z", updated_at: "2026-12-01T00:00:00Z" }),
    });
    renderRoute(<BulkDialog filter={{ lacks_product: "prod_1" }} matching={2} onClose={() => {}} />);
    expect(screen.getByText("For the 2 members matching the current filters.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(await screen.findByText("Choose a product.")).toBeInTheDocument();
    await screen.findByRole("option", { name: "Course" });
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Product" }), "Course");
    await userEvent.click(screen.getByRole("button", { name: "Run" }));
    await waitFor(() => expect(screen.getByTestId("bulk-status").textContent).toBe("Done: 2 members."), { timeout: 4000 });
    const post = api.calls.find((c) => c.method === "POST")!;
    expect(await post.json()).toEqual({ action: { type: "grant_access", product_id: "prod_1" }, filter: { lacks_product: "prod_1" } });
  });

  it("shows the API's refusal", async () => {
    stubApi({
      "GET /api/v1/products": () => json(products),
      "POST /api/v1/users/bulk": () => problem(409, "crm_not_connected", "connect a CRM (Keap or ActiveCampaign) first"),
    });
    renderRoute(<BulkDialog filter={{}} matching={5} onClose={() => {}} />);
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Action" }), "Add a CRM tag");
    await userEvent.type(screen.getByRole("textbox", { name: "Tag" }), "VIP");
    await userEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/CRM/);
  });
});

describe("SegmentControls", () => {
  it("applies a saved segment and saves the current filters", async () => {
    const api = stubApi({
      "GET /api/v1/segments": () => json({ data: [{ id: "seg_1", name: "Paying VIPs", filter: { q: "vip", mrr_min: 1 }, created_at: "2026-12-01T00:00:00Z", updated_at: "2026-12-01T00:00:00Z" }] }),
      "POST /api/v1/segments": () => json({ id: "seg_2", name: "Inactive", filter: { status: "inactive" }, created_at: "2026-12-01T00:00:00Z", updated_at: "2026-12-01T00:00:00Z" }, 201),
    });
    const applied: unknown[] = [];
    renderRoute(<SegmentControls filter={{ status: "inactive" }} search="" apply={(f, q) => applied.push([f, q])} canSave />);
    await screen.findByRole("option", { name: "Paying VIPs" });
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Segment" }), "Paying VIPs");
    expect(applied).toEqual([[{ mrr_min: "1" }, "vip"]]);
    await userEvent.click(screen.getByRole("button", { name: "Save as segment" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Name" }), "Inactive");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(api.calls.some((c) => c.method === "POST")).toBe(true));
    const post = api.calls.find((c) => c.method === "POST")!;
    expect(await post.json()).toEqual({ name: "Inactive", filter: { status: "inactive" } });
  });
});
