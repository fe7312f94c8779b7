import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { adminAuth } from "@/api/client";
import { json, renderRoute, sessionAs, stubApi } from "@/test/utils";
import { AuditPage, actionLabel, auditFiltersFromParams } from "./audit-page";

const team = { admins: [{ id: "adm_1", email: "olivia@example.com", name: "Olivia", role: "owner", joined_at: "2026-01-01T00:00:00Z" }], invitations: [] };

const entry = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
  id,
  occurred_at: "2026-11-30T10:00:00Z",
  actor: { id: "adm_1", credential: "session", role: "owner" },
  action,
  target_type: "product",
  target_id: "prod_1",
  before: { name: "Course" },
  after: { name: "Course II" },
  request_id: `req_${id}`,
  ip: "203.0.113.7",
  ...extra,
});

afterEach(() => adminAuth.setSession(null));

describe("audit log filters", () => {
  it("reads known filters from the URL and drops unknown actions", () => {
    const f = auditFiltersFromParams(new URLSearchParams("actor=adm_1&action=product.updated&target_type=product&target_id=prod_1&since=2026-01-01T00:00"));
    expect(f).toEqual({ actor: "adm_1", action: "product.updated", targetType: "product", targetId: "prod_1", since: new Date("2026-01-01T00:00").toISOString(), until: undefined });
    expect(auditFiltersFromParams(new URLSearchParams("action=product.exploded")).action).toBeUndefined();
  });

  it("labels actions for people", () => {
    expect(actionLabel("api_key.created")).toBe("Api key created");
  });
});

describe("AuditPage", () => {
  it("sends URL filters to the API and keeps a chosen action in the URL", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const api = stubApi({
      "GET /api/v1/audit-log": () => json({ data: [entry("aud_1", "product.updated")], has_more: false, next_cursor: null }),
      "GET /api/v1/admins": () => json(team),
    });
    const { router } = renderRoute(<AuditPage />, { path: "/settings/audit-log", url: "/settings/audit-log?actor=adm_1" });
    expect(await screen.findByText("product.updated")).toBeInTheDocument();
    const first = api.calls.find((c) => c.url.includes("/api/v1/audit-log"))!;
    expect(new URL(first.url).searchParams.get("actor")).toBe("adm_1");
    // The actor column shows the admin's name, the IP its own column.
    expect(screen.getAllByText("Olivia").length).toBeGreaterThan(0);
    expect(screen.getByText("203.0.113.7")).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Action"), "product.created");
    await waitFor(() => expect(router.state.location.search).toBe("?actor=adm_1&action=product.created"));
    await waitFor(() => expect(api.calls.some((c) => new URL(c.url).searchParams.get("action") === "product.created")).toBe(true));
  });

  it("expands an entry's before and after", async () => {
    adminAuth.setSession(sessionAs("admin"));
    stubApi({
      "GET /api/v1/audit-log": () => json({ data: [entry("aud_1", "product.updated")], has_more: false, next_cursor: null }),
      "GET /api/v1/admins": () => json(team),
    });
    renderRoute(<AuditPage />, { path: "/settings/audit-log" });
    await userEvent.click(await screen.findByRole("button", { name: "Show details of Product updated" }));
    expect(screen.getByText(/"Course II"/)).toBeInTheDocument();
    expect(screen.getByText(/"name": "Course"\s*\}/)).toBeInTheDocument();
    expect(screen.getByText("Request req_aud_1")).toBeInTheDocument();
  });

  it("loads the next page with the cursor", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const api = stubApi({
      "GET /api/v1/audit-log": (req) =>
        new URL(req.url).searchParams.get("cursor") === "c1"
          ? json({ data: [entry("aud_2", "member.created", { target_type: "member", target_id: "usr_1" })], has_more: false, next_cursor: null })
          : json({ data: [entry("aud_1", "product.updated")], has_more: true, next_cursor: "c1" }),
      "GET /api/v1/admins": () => json(team),
    });
    renderRoute(<AuditPage />, { path: "/settings/audit-log" });
    await userEvent.click(await screen.findByRole("button", { name: "Load more" }));
    expect(await screen.findByText("member.created")).toBeInTheDocument();
    expect(screen.getByText("product.updated")).toBeInTheDocument();
    expect(api.calls.filter((c) => c.url.includes("/api/v1/audit-log")).length).toBe(2);
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("tells a viewer it is for owners and admins, without asking the server", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    const api = stubApi({});
    renderRoute(<AuditPage />, { path: "/settings/audit-log" });
    expect(await screen.findByText("Only owners and admins can read the audit log")).toBeInTheDocument();
    expect(api.calls).toHaveLength(0);
  });
});
