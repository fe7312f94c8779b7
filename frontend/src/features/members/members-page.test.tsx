import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { adminAuth } from "@/api/client";
import { json, problem, renderRoute, sessionAs, stubApi } from "@/test/utils";
import { MembersPage } from "./members-page";

const ada = { id: "u1", email: "ada@example.com", name: "Ada Lovelace", has_password: true, last_login_at: null, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" };

describe("MembersPage list states", () => {
  it("shows the empty state", async () => {
    stubApi({ "GET /api/v1/users": () => json({ data: [], has_more: false, next_cursor: null }) });
    renderRoute(<MembersPage />, { path: "/members" });
    expect(await screen.findByText("No members yet")).toBeInTheDocument();
  });

  it("shows the error state and retries", async () => {
    let calls = 0;
    stubApi({
      "GET /api/v1/users": () => (++calls === 1 ? problem(500, "internal", "The server had a problem.") : json({ data: [ada], has_more: false, next_cursor: null })),
    });
    renderRoute(<MembersPage />, { path: "/members" });
    expect(await screen.findByText("Could not load this list")).toBeInTheDocument();
    expect(screen.getByText("The server had a problem.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("link", { name: "Ada Lovelace" })).toHaveAttribute("href", "/members/u1");
  });

  it("takes the search from the URL and says when nothing matches", async () => {
    const api = stubApi({ "GET /api/v1/users": () => json({ data: [], has_more: false, next_cursor: null }) });
    renderRoute(<MembersPage />, { path: "/members", url: "/members?q=zed" });
    expect(await screen.findByText("No members match “zed”")).toBeInTheDocument();
    expect(screen.getByRole("searchbox", { name: "Search members" })).toHaveValue("zed");
    const users = api.calls.find((c) => new URL(c.url).pathname === "/api/v1/users")!;
    expect(new URL(users.url).searchParams.get("q")).toBe("zed");
  });

  it("filters by lifecycle stage and renewal from the URL", async () => {
    const stages = { stages: [{ name: "Trial", statuses: ["trialing"] }, { name: "Customer", statuses: ["active"] }], customized: false, recompute: { total: 0, done: 0, running: false } };
    const api = stubApi({
      "GET /api/v1/app/stages": () => json(stages),
      "GET /api/v1/users": () => json({ data: [], has_more: false, next_cursor: null }),
    });
    const { router } = renderRoute(<MembersPage />, { path: "/members", url: "/members?stage=Trial&renews_within_days=7" });
    expect(await screen.findByText("No members match these filters")).toBeInTheDocument();
    const users = api.calls.find((c) => new URL(c.url).pathname === "/api/v1/users")!;
    expect(Object.fromEntries(new URL(users.url).searchParams)).toMatchObject({ stage: "Trial", renews_within_days: "7" });
    await screen.findByRole("option", { name: "Customer" });
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Lifecycle stage" }), "Customer");
    await waitFor(() => expect(router.state.location.search).toBe("?stage=Customer&renews_within_days=7"));
  });

  it("filters by product access, source and activity, counts every match, and clears", async () => {
    const api = stubApi({
      "GET /api/v1/app/stages": () => json({ stages: [], customized: false, recompute: { total: 0, done: 0, running: false } }),
      "GET /api/v1/products": () => json({ data: [{ id: "prod_1", name: "Course", archived_at: null }], has_more: false, next_cursor: null }),
      "GET /api/v1/users": () => json({ data: [ada], has_more: true, next_cursor: "u1", total: 1234 }),
    });
    const { router } = renderRoute(<MembersPage />, { path: "/members" });
    expect((await screen.findByTestId("members-total")).textContent).toMatch(/^1,?234 members$/);
    await screen.findByRole("option", { name: "Has Course" });
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Product access" }), "Lacks Course");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Grant source" }), "Access from Keap");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Activity" }), "Inactive");
    await waitFor(() => expect(router.state.location.search).toBe("?lacks_product=prod_1&source=keap&status=inactive"));
    await waitFor(() =>
      expect(api.calls.some((c) => {
        const p = Object.fromEntries(new URL(c.url).searchParams);
        return p.lacks_product === "prod_1" && p.source === "keap" && p.status === "inactive" && p.include_total === "true";
      })).toBe(true),
    );
    expect(screen.getByTestId("members-total").textContent).toContain("match");
    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(router.state.location.search).toBe(""));
  });

  it("writes typed search into the URL", async () => {
    const api = stubApi({ "GET /api/v1/users": () => json({ data: [ada], has_more: false, next_cursor: null }) });
    const { router } = renderRoute(<MembersPage />, { path: "/members" });
    await screen.findByText("Ada Lovelace");
    await userEvent.type(screen.getByRole("searchbox", { name: "Search members" }), "ada");
    await screen.findByText("Ada Lovelace");
    await waitFor(() => expect(router.state.location.search).toBe("?q=ada"));
    await waitFor(() => expect(api.calls.some((c) => new URL(c.url).searchParams.get("q") === "ada")).toBe(true));
  });
});

describe("MembersPage CSV export", () => {
  afterEach(() => adminAuth.setSession(null));

  it("downloads the CSV of the current filters with the bearer token", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    const api = stubApi({
      "GET /api/v1/app/stages": () => json({ stages: [{ name: "Trial", statuses: ["trialing"] }], customized: false, recompute: { total: 0, done: 0, running: false } }),
      "GET /api/v1/users": () => json({ data: [], has_more: false, next_cursor: null }),
      "GET /api/v1/users/export.csv": () =>
        new Response("\ufeffid,email\n", { headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="members-2026-12-01.csv"' } }),
    });
    const createObjectURL = vi.fn((_: Blob) => "blob:members");
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const saved: { name: string; href: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, href: this.href });
    });
    renderRoute(<MembersPage />, { path: "/members", url: "/members?q=ada&stage=Trial&renews_within_days=7" });
    await screen.findByText("No members match “ada”");
    await userEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(saved).toEqual([{ name: "members-2026-12-01.csv", href: "blob:members" }]));
    const req = api.calls.find((c) => new URL(c.url).pathname === "/api/v1/users/export.csv")!;
    expect(Object.fromEntries(new URL(req.url).searchParams)).toEqual({ q: "ada", stage: "Trial", renews_within_days: "7", bom: "true" });
    expect(req.headers.get("Authorization")).toBe("Bearer tok");
    expect(createObjectURL.mock.calls[0]![0].size).toBe(12); // the body as sent, BOM included
  });

  it("leaves out empty filters and says when the export fails", async () => {
    const api = stubApi({
      "GET /api/v1/users": () => json({ data: [ada], has_more: false, next_cursor: null }),
      "GET /api/v1/users/export.csv": () => problem(403, "forbidden", "This credential may not read members."),
    });
    renderRoute(<MembersPage />, { path: "/members" });
    await screen.findByText("Ada Lovelace");
    await userEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(await screen.findByText("This credential may not read members.")).toBeInTheDocument();
    const req = api.calls.find((c) => new URL(c.url).pathname === "/api/v1/users/export.csv")!;
    expect(Object.fromEntries(new URL(req.url).searchParams)).toEqual({ bom: "true" });
  });
});

describe("MembersPage columns", () => {
  it("lets the admin choose the columns and remembers them", async () => {
    localStorage.removeItem("tollgate.members.columns");
    stubApi({ "GET /api/v1/users": () => json({ data: [{ ...ada, renews_at: "2026-12-08T00:00:00Z", mrr: 0 }], has_more: false, next_cursor: null }) });
    const first = renderRoute(<MembersPage />, { path: "/members" });
    await screen.findByText("Ada Lovelace");
    expect(screen.queryByRole("columnheader", { name: "Renews" })).toBeNull();
    expect(screen.getByRole("columnheader", { name: "Joined" })).toBeInTheDocument();
    await userEvent.click(screen.getByText("Columns"));
    await userEvent.click(screen.getByRole("checkbox", { name: "Renews" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Joined" }));
    expect(screen.getByRole("columnheader", { name: "Renews" })).toBeInTheDocument();
    expect(screen.queryByRole("columnheader", { name: "Joined" })).toBeNull();
    first.unmount();
    renderRoute(<MembersPage />, { path: "/members" });
    await screen.findByText("Ada Lovelace");
    expect(screen.getByRole("columnheader", { name: "Renews" })).toBeInTheDocument();
    expect(screen.queryByRole("columnheader", { name: "Joined" })).toBeNull();
    localStorage.removeItem("tollgate.members.columns");
  });
});
