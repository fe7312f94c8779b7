/**
 * Access tokens live in memory only. The refresh token is an httpOnly cookie
 * that the server sets; `refresh()` trades it for a new access token.
 *
 * `createAuthFetch` is the one global 401 handler: it adds the bearer token,
 * and when a request comes back 401 it refreshes once (concurrent 401s share
 * one refresh) and retries; if the refresh fails the session is cleared and
 * `onUnauthenticated` runs (the app sends the user to its login page).
 */

export type TokenSession<S> = { access_token?: string | null } & S;

export type AuthRealm<S> = {
  readonly name: string;
  getToken(): string | null;
  getSession(): TokenSession<S> | null;
  setSession(session: TokenSession<S> | null): void;
  /** Trades the refresh cookie for a session; resolves null when there is none. Concurrent calls share one request. */
  refresh(): Promise<TokenSession<S> | null>;
  /**
   * On page load: refreshes only when this browser signed in before (a flag in localStorage, never a token),
   * so a logged-out page sends no refresh that can only fail (and show up in the console as a 401).
   */
  restore(): Promise<TokenSession<S> | null>;
  subscribe(listener: (session: TokenSession<S> | null) => void): () => void;
  /** Called when a request is still unauthorized after a refresh attempt. */
  onUnauthenticated: (() => void) | null;
};

export type RealmOptions = {
  name: string;
  refreshUrl: string;
  fetch?: typeof fetch;
};

export function createRealm<S>(options: RealmOptions): AuthRealm<S> {
  let session: TokenSession<S> | null = null;
  let inFlight: Promise<TokenSession<S> | null> | null = null;
  const listeners = new Set<(s: TokenSession<S> | null) => void>();
  const doFetch = (...args: Parameters<typeof fetch>) => (options.fetch ?? globalThis.fetch)(...args);
  const hintKey = `tollgate:${options.name}:signed-in`;

  const realm: AuthRealm<S> = {
    name: options.name,
    onUnauthenticated: null,
    getToken: () => session?.access_token ?? null,
    getSession: () => session,
    setSession(next) {
      session = next;
      try {
        if (next) localStorage.setItem(hintKey, "1");
        else localStorage.removeItem(hintKey);
      } catch {
        // Storage may be off (private mode): then every load tries the refresh.
      }
      for (const l of listeners) l(next);
    },
    refresh() {
      if (!inFlight) {
        inFlight = (async () => {
          try {
            const res = await doFetch(options.refreshUrl, {
              method: "POST",
              credentials: "include",
              headers: { Accept: "application/json" },
            });
            if (!res.ok) {
              realm.setSession(null);
              return null;
            }
            const next = (await res.json()) as TokenSession<S>;
            realm.setSession(next);
            return next;
          } catch {
            realm.setSession(null);
            return null;
          } finally {
            inFlight = null;
          }
        })();
      }
      return inFlight;
    },
    restore() {
      let hint: string | null = "1";
      try {
        hint = localStorage.getItem(hintKey);
      } catch {
        // No storage: try.
      }
      return hint ? realm.refresh() : Promise.resolve(null);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return realm;
}

/** Paths that must never trigger the refresh-and-retry dance (they *are* the auth flow). */
const AUTH_PATH = /\/auth\/(login|refresh|logout|magic-link)|\/setup$/;

export function createAuthFetch<S>(realm: AuthRealm<S>, baseFetch?: typeof fetch): (input: Request) => Promise<Response> {
  const send = (req: Request) => (baseFetch ?? globalThis.fetch)(req);
  const withToken = (req: Request, token: string | null) => {
    const headers = new Headers(req.headers);
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return new Request(req, { headers, credentials: "include" });
  };

  return async (input: Request) => {
    const retryCopy = input.clone();
    const res = await send(withToken(input, realm.getToken()));
    if (res.status !== 401 || AUTH_PATH.test(new URL(input.url).pathname)) return res;

    const refreshed = await realm.refresh();
    if (!refreshed?.access_token) {
      realm.onUnauthenticated?.();
      return res;
    }
    const retried = await send(withToken(retryCopy, refreshed.access_token));
    if (retried.status === 401) {
      realm.setSession(null);
      realm.onUnauthenticated?.();
    }
    return retried;
  };
}
