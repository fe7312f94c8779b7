import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { createAuthFetch, createRealm } from "./auth-fetch";
import type { MemberSession, Session } from "./types";

/** Admin realm: access token in memory, refresh cookie set by the server. */
export const adminAuth = createRealm<Session>({
  name: "admin",
  refreshUrl: "/api/v1/auth/refresh",
});

/** Member realm (the member area), same scheme on /member/auth/*. */
export const memberAuth = createRealm<MemberSession>({
  name: "member",
  refreshUrl: "/api/v1/member/auth/refresh",
});

export const baseUrl = typeof window === "undefined" ? "http://localhost" : window.location.origin;

/** fetch with the admin's bearer token and the refresh-on-401 retry, for requests outside the typed client (file downloads). */
export const adminFetch = createAuthFetch(adminAuth);

export const api = createClient<paths>({
  baseUrl,
  credentials: "include",
  fetch: adminFetch,
});

export const memberApi = createClient<paths>({
  baseUrl,
  credentials: "include",
  fetch: createAuthFetch(memberAuth),
});
