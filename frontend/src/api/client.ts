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

const baseUrl = typeof window === "undefined" ? "http://localhost" : window.location.origin;

export const api = createClient<paths>({
  baseUrl,
  credentials: "include",
  fetch: createAuthFetch(adminAuth),
});

export const memberApi = createClient<paths>({
  baseUrl,
  credentials: "include",
  fetch: createAuthFetch(memberAuth),
});
