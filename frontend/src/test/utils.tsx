import type { ReactNode } from "react";
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryRouter, RouterProvider } from "react-router";
import { vi } from "vitest";
import type { Session } from "@/api/types";
import { ToastProvider } from "@/components/ui/toast";

export function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function problem(status: number, code: string, detail: string, errors?: { field: string; code: string; message: string }[]) {
  return new Response(JSON.stringify({ type: "about:blank", title: detail, status, detail, code, errors, request_id: "req_test" }), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });
}

type Handler = (req: Request) => Response | Promise<Response>;

/** Stubs global fetch with "METHOD /path" handlers; unmatched calls fail the test loudly. */
export function stubApi(handlers: Record<string, Handler>) {
  const calls: Request[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost:3000"), init);
    calls.push(req.clone());
    const key = `${req.method} ${new URL(req.url).pathname}`;
    const handler = handlers[key];
    if (!handler) throw new Error(`unexpected request ${key}`);
    return handler(req);
  });
  vi.stubGlobal("fetch", fn);
  return { fn, calls };
}

export function renderRoute(element: ReactNode, { path = "/", url = path }: { path?: string; url?: string } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path, element },
      { path: "*", element: <p>elsewhere</p> },
    ],
    { initialEntries: [url] },
  );
  const utils = render(
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </QueryClientProvider>,
  );
  return { ...utils, router, queryClient };
}

/** An admin session with `role`, for role-dependent screens. */
export function sessionAs(role: "owner" | "admin" | "viewer", id = "adm_me"): Session {
  return {
    access_token: "tok",
    token_type: "Bearer",
    expires_in: 900,
    admin: { id, email: `${role}@example.com`, name: role === "owner" ? "Olivia" : "Vera" },
    app: { id: "app_1", name: "Academy" },
    role,
    apps: [],
  } as unknown as Session;
}

