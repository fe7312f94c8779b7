import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { memberAuth } from "@/api/client";
import { json, renderRoute, stubApi } from "@/test/utils";
import { memberAppId } from "./api";
import { MemberAuthProvider } from "./member-auth";
import { MemberLayout } from "./member-layout";

const user = { id: "usr_1", email: "grace@example.com", name: "Grace", has_password: true, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" };
const b64url = (v: unknown) => btoa(JSON.stringify(v)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const token = (claims: unknown) => `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(claims)}.sig`;
const publicApp = (billing: boolean) => json({ id: "app_1", name: "Acme", site_url: null, billing_portal_enabled: billing });

function renderLayout(accessToken: string) {
  memberAuth.setSession({ app_id: "app_1", access_token: accessToken, token_type: "Bearer", expires_in: 900, user });
  return renderRoute(
    <MemberAuthProvider restore={false}>
      <MemberLayout />
    </MemberAuthProvider>,
    { path: "/member", url: "/member" },
  );
}

afterEach(() => memberAuth.setSession(null));

describe("memberAppId", () => {
  it("reads the app claim of the access token", () => {
    expect(memberAppId(token({ sub: "usr_1", app: "app_1", typ: "member" }))).toBe("app_1");
    expect(memberAppId(token({ sub: "usr_1" }))).toBeNull();
    expect(memberAppId("not-a-token")).toBeNull();
    expect(memberAppId(null)).toBeNull();
  });
});

describe("MemberLayout account menu", () => {
  it("shows Billing when the site's billing portal is on", async () => {
    const api = stubApi({
      "GET /api/v1/member/me": () => json(user),
      "GET /api/v1/member/account": () => json({ account: null, role: null }),
      "GET /api/v1/public/apps/app_1": () => publicApp(true),
    });
    renderLayout(token({ sub: "usr_1", app: "app_1", typ: "member" }));
    await waitFor(() => expect(api.calls.some((c) => c.url.endsWith("/api/v1/public/apps/app_1"))).toBe(true));
    await userEvent.click(screen.getByRole("button", { name: /^Account menu/ }));
    expect(await screen.findByRole("menuitem", { name: "Billing" })).toBeInTheDocument();
  });

  it("hides Billing when the portal is off", async () => {
    const api = stubApi({
      "GET /api/v1/member/me": () => json(user),
      "GET /api/v1/member/account": () => json({ account: null, role: null }),
      "GET /api/v1/public/apps/app_1": () => publicApp(false),
    });
    renderLayout(token({ sub: "usr_1", app: "app_1", typ: "member" }));
    await waitFor(() => expect(api.calls.some((c) => c.url.endsWith("/api/v1/public/apps/app_1"))).toBe(true));
    await userEvent.click(screen.getByRole("button", { name: /^Account menu/ }));
    expect(await screen.findByRole("menuitem", { name: "Profile" })).toBeInTheDocument();
    expect(screen.queryByRole("menuitem", { name: "Billing" })).not.toBeInTheDocument();
  });

  it("falls back to the default site when the token names none", async () => {
    const api = stubApi({
      "GET /api/v1/member/me": () => json(user),
      "GET /api/v1/member/account": () => json({ account: null, role: null }),
      "GET /api/v1/public/default-app": () => publicApp(true),
    });
    renderLayout("opaque-token");
    await waitFor(() => expect(api.calls.some((c) => c.url.endsWith("/api/v1/public/default-app"))).toBe(true));
    await userEvent.click(screen.getByRole("button", { name: /^Account menu/ }));
    expect(await screen.findByRole("menuitem", { name: "Billing" })).toBeInTheDocument();
  });

  it("shows Team only to members who sit in an account", async () => {
    stubApi({
      "GET /api/v1/member/me": () => json(user),
      "GET /api/v1/member/account": () => json({ account: { id: "acc_1", name: "Acme Inc", seats: 3, seats_used: 1, people: [] }, role: "member" }),
      "GET /api/v1/public/apps/app_1": () => publicApp(false),
    });
    renderLayout(token({ sub: "usr_1", app: "app_1", typ: "member" }));
    await userEvent.click(screen.getByRole("button", { name: /^Account menu/ }));
    expect(await screen.findByRole("menuitem", { name: "Team" })).toBeInTheDocument();
  });
});
