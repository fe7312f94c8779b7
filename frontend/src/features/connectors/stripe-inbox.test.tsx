import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { WebhookInbox, inboxQuery } from "./stripe-inbox";

const ev = (id: string, type: string, status: string, error: string | null = null) => ({
  id,
  type,
  status,
  received_at: "2026-11-23T10:05:00Z",
  processed_at: status === "pending" ? null : "2026-11-23T10:05:01Z",
  error,
});

const failed = ev("evt_fail", "checkout.session.completed", "failed", "Stripe answered GET /v1/checkout/sessions/cs_1 with HTTP 404: Not Found");
const detail = {
  ...failed,
  created: 1_795_000_000,
  payload: { id: "evt_fail", type: "checkout.session.completed", data: { object: { id: "cs_1" } } },
  attempts: [{ attempt: 1, started_at: "2026-11-23T10:05:00Z", finished_at: "2026-11-23T10:05:01Z", outcome: "failed", error: failed.error }],
};

describe("inboxQuery", () => {
  it("leaves out empty filters and turns days into UTC bounds (the until day included)", () => {
    expect(inboxQuery({ status: "", type: " ", since: "", until: "" })).toEqual({ status: undefined, type: undefined, since: undefined, until: undefined });
    expect(inboxQuery({ status: "failed", type: "invoice.paid", since: "2026-11-01", until: "2026-11-02" })).toEqual({
      status: "failed",
      type: "invoice.paid",
      since: "2026-11-01T00:00:00.000Z",
      until: "2026-11-03T00:00:00.000Z",
    });
  });
});

describe("WebhookInbox", () => {
  it("pages, filters, opens an event with its payload and tries, and processes it again", async () => {
    let processed = false;
    const api = stubApi({
      "GET /api/v1/connectors/stripe/events": (req) => {
        const q = new URL(req.url).searchParams;
        if (q.get("status") === "failed") return json({ data: [failed], has_more: false, next_cursor: null });
        if (q.get("cursor") === "c2") return json({ data: [failed], has_more: false, next_cursor: null });
        return json({ data: [ev("evt_new", "invoice.paid", "processed")], has_more: true, next_cursor: "c2" });
      },
      "GET /api/v1/connectors/stripe/events/evt_fail": () => json(processed ? { ...detail, status: "pending" } : detail),
      "POST /api/v1/connectors/stripe/events/evt_fail/process": () => {
        processed = true;
        return json({ ...detail, status: "pending", error: null });
      },
    });
    renderRoute(<WebhookInbox />);
    const user = userEvent.setup();
    expect(await screen.findByText("invoice.paid")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("checkout.session.completed")).toBeInTheDocument();
    expect(api.calls.some((c) => new URL(c.url).searchParams.get("cursor") === "c2")).toBe(true);

    await user.selectOptions(screen.getByLabelText("Event status"), "failed");
    await waitFor(() => expect(api.calls.some((c) => new URL(c.url).searchParams.get("status") === "failed")).toBe(true));
    await waitFor(() => expect(screen.queryByText("invoice.paid")).not.toBeInTheDocument());

    await user.click(screen.getByRole("button", { name: "Inspect checkout.session.completed evt_fail" }));
    const dialog = await screen.findByRole("dialog", { name: "checkout.session.completed" });
    expect(await within(dialog).findByText(/"cs_1"/)).toBeInTheDocument();
    const tries = within(dialog).getByRole("region", { name: "Processing attempts" });
    expect(within(tries).getAllByText(/HTTP 404: Not Found/)).toHaveLength(1);
    await user.click(within(dialog).getByRole("button", { name: "Process again" }));
    expect(await screen.findByText("Event queued to be processed again.")).toBeInTheDocument();
    expect(api.calls.some((c) => c.method === "POST" && c.url.endsWith("/events/evt_fail/process"))).toBe(true);
    expect(within(dialog).queryByRole("button", { name: "Process again" })).not.toBeInTheDocument();
  });

  it("says why an event cannot be processed again", async () => {
    stubApi({
      "GET /api/v1/connectors/stripe/events": () => json({ data: [failed], has_more: false, next_cursor: null }),
      "GET /api/v1/connectors/stripe/events/evt_fail": () => json(detail),
      "POST /api/v1/connectors/stripe/events/evt_fail/process": () => problem(409, "event_not_reprocessable", "only a failed or ignored event can be processed again; this one is pending"),
    });
    renderRoute(<WebhookInbox />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Inspect checkout.session.completed evt_fail" }));
    await user.click(await screen.findByRole("button", { name: "Process again" }));
    expect(await screen.findByText(/this one is pending/)).toBeInTheDocument();
  });
});
