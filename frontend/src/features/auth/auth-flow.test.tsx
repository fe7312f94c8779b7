import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryRouter, Outlet, RouterProvider } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import { adminAuth } from "@/api/client";
import { RequireAdmin } from "@/components/layout/admin-layout";
import { json, problem, stubApi } from "@/test/utils";
import { AuthProvider, useSession } from "./auth-context";
import { LoginPage } from "./login-page";
import { SetupPage } from "./setup-page";

const app = { id: "app_1", name: "Acme", site_url: null, support_email: null, inactivity_threshold_days: 30, past_due_grace_days: 7, refund_revokes_access: true, created_at: "", updated_at: "" };
const session = (token: string) => ({
  access_token: token,
  token_type: "Bearer",
  expires_in: 900,
  admin: { id: "adm_1", email: "o@example.com", name: "Olive" },
  app,
  role: "owner",
  apps: [{ app_id: "app_1", app_name: "Acme", role: "owner" }],
});

function Home() {
  const s = useSession();
  return <h1>Home of {s.admin.name}</h1>;
}

function renderApp(url: string) {
  const router = createMemoryRouter(
    [
      {
        element: (
          <AuthProvider>
            <Outlet />
          </AuthProvider>
        ),
        children: [
          { path: "/login", element: <LoginPage /> },
          { path: "/setup", element: <SetupPage /> },
          { path: "/", element: <RequireAdmin><Home /></RequireAdmin> },
          { path: "/members", element: <RequireAdmin><Home /></RequireAdmin> },
        ],
      },
    ],
    { initialEntries: [url] },
  );
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

afterEach(() => adminAuth.setSession(null));

describe("admin session", () => {
  it("restores the session from the refresh cookie on load, keeping the token in memory only", async () => {
    // This browser signed in before: only a flag is stored, never a token.
    window.localStorage.setItem("tollgate:admin:signed-in", "1");
    const api = stubApi({ "POST /api/v1/auth/refresh": () => json(session("tok-restored")) });
    renderApp("/");
    expect(await screen.findByRole("heading", { name: "Home of Olive" })).toBeInTheDocument();
    expect(adminAuth.getToken()).toBe("tok-restored");
    expect(api.calls[0]!.credentials).toBe("include");
    expect(Object.entries(window.localStorage)).toEqual([["tollgate:admin:signed-in", "1"]]);
    expect(window.sessionStorage.length).toBe(0);
  });

  it("sends no refresh that can only fail when this browser never signed in", async () => {
    window.localStorage.clear();
    const api = stubApi({ "GET /api/v1/setup": () => json({ needs_setup: false }) });
    renderApp("/members");
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(api.calls.map((c) => new URL(c.url).pathname)).not.toContain("/api/v1/auth/refresh");
  });

  it("sends an anonymous visitor to the login page, remembering where they were going", async () => {
    stubApi({
      "POST /api/v1/auth/refresh": () => problem(401, "invalid_refresh_token", "no session"),
      "GET /api/v1/setup": () => json({ needs_setup: false }),
    });
    const router = renderApp("/members");
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toBe("?next=%2Fmembers");
  });

  it("goes to first-run setup when no admin exists yet", async () => {
    stubApi({
      "POST /api/v1/auth/refresh": () => problem(401, "invalid_refresh_token", "no session"),
      "GET /api/v1/setup": () => json({ needs_setup: true }),
    });
    const router = renderApp("/");
    expect(await screen.findByRole("heading", { name: "Set up Tollgate" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/setup");
  });

  it("logs in, shows the API's error first, then lands where the user was going", async () => {
    let attempts = 0;
    stubApi({
      "POST /api/v1/auth/refresh": () => problem(401, "invalid_refresh_token", "no session"),
      "GET /api/v1/setup": () => json({ needs_setup: false }),
      "POST /api/v1/auth/login": () => (++attempts === 1 ? problem(401, "invalid_credentials", "email or password is wrong") : json(session("tok-login"))),
    });
    const router = renderApp("/login?next=%2Fmembers");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Sign in" }));
    expect(screen.getByText("Enter your email.")).toBeInTheDocument();
    expect(attempts).toBe(0);
    await user.type(screen.getByLabelText("Email"), "o@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    // The raw API string becomes words with a next step.
    expect(await screen.findByRole("alert")).toHaveTextContent("That email and password do not match. Check them, or use “Forgot password?”.");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Home of Olive" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/members");
    expect(adminAuth.getToken()).toBe("tok-login");
  });
});
