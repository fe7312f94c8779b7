import { describe, expect, it, vi } from "vitest";
import { createAuthFetch, createRealm } from "./auth-fetch";

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function setup(handler: (req: Request) => Response | Promise<Response>) {
  const seen: { url: string; auth: string | null }[] = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(String(input), init);
    seen.push({ url: new URL(req.url).pathname, auth: req.headers.get("Authorization") });
    return handler(req);
  }) as unknown as typeof fetch;
  const realm = createRealm<{ who: string }>({ name: "test", refreshUrl: "http://api.test/api/v1/auth/refresh", fetch: fetchFn });
  const onUnauthenticated = vi.fn();
  realm.onUnauthenticated = onUnauthenticated;
  const authFetch = createAuthFetch(realm, fetchFn);
  return { realm, authFetch, seen, onUnauthenticated };
}

describe("createAuthFetch (the global 401 handler)", () => {
  it("sends the in-memory bearer token", async () => {
    const { realm, authFetch, seen } = setup(() => json({ ok: true }));
    realm.setSession({ access_token: "tok-1", who: "a" });
    const res = await authFetch(new Request("http://api.test/api/v1/products"));
    expect(res.status).toBe(200);
    expect(seen[0]).toEqual({ url: "/api/v1/products", auth: "Bearer tok-1" });
  });

  it("refreshes once on 401 and retries the request with the new token", async () => {
    const { realm, authFetch, seen, onUnauthenticated } = setup(async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/v1/auth/refresh") return json({ access_token: "tok-2", who: "a" });
      if (req.headers.get("Authorization") === "Bearer tok-2") return json({ echoed: await req.text() }, 201);
      return json({ status: 401 }, 401);
    });
    realm.setSession({ access_token: "expired", who: "a" });
    const res = await authFetch(new Request("http://api.test/api/v1/products", { method: "POST", body: '{"name":"x"}' }));
    expect(res.status).toBe(201);
    // The retried request carries its original body.
    expect(await res.json()).toEqual({ echoed: '{"name":"x"}' });
    expect(seen.map((s) => s.url)).toEqual(["/api/v1/products", "/api/v1/auth/refresh", "/api/v1/products"]);
    expect(realm.getToken()).toBe("tok-2");
    expect(onUnauthenticated).not.toHaveBeenCalled();
  });

  it("sends the user to login when the refresh fails", async () => {
    const { realm, authFetch, seen, onUnauthenticated } = setup((req) =>
      new URL(req.url).pathname === "/api/v1/auth/refresh" ? json({ status: 401 }, 401) : json({ status: 401 }, 401),
    );
    realm.setSession({ access_token: "expired", who: "a" });
    const res = await authFetch(new Request("http://api.test/api/v1/users"));
    expect(res.status).toBe(401);
    expect(seen.map((s) => s.url)).toEqual(["/api/v1/users", "/api/v1/auth/refresh"]);
    expect(realm.getSession()).toBeNull();
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
  });

  it("shares one refresh between concurrent 401s", async () => {
    let refreshes = 0;
    const { authFetch } = setup(async (req) => {
      if (new URL(req.url).pathname === "/api/v1/auth/refresh") {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10));
        return json({ access_token: "fresh", who: "a" });
      }
      return req.headers.get("Authorization") === "Bearer fresh" ? json({ ok: true }) : json({}, 401);
    });
    const results = await Promise.all([1, 2, 3].map((i) => authFetch(new Request(`http://api.test/api/v1/users/${i}`))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
  });

  it("does not try to refresh when the login itself answers 401", async () => {
    const { authFetch, seen, onUnauthenticated } = setup(() => json({ code: "invalid_credentials" }, 401));
    const res = await authFetch(new Request("http://api.test/api/v1/auth/login", { method: "POST", body: "{}" }));
    expect(res.status).toBe(401);
    expect(seen).toHaveLength(1);
    expect(onUnauthenticated).not.toHaveBeenCalled();
  });

  it("clears the session when even the retried request is unauthorized", async () => {
    const { realm, authFetch, onUnauthenticated } = setup((req) =>
      new URL(req.url).pathname === "/api/v1/auth/refresh" ? json({ access_token: "fresh", who: "a" }) : json({}, 401),
    );
    const res = await authFetch(new Request("http://api.test/api/v1/app"));
    expect(res.status).toBe(401);
    expect(realm.getSession()).toBeNull();
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
  });
});
