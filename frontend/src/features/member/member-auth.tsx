import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { memberApi, memberAuth } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { MemberSession } from "@/api/types";
import { LoadingRows } from "@/components/states";

type Status = "loading" | "authenticated" | "anonymous";
type MemberAuthValue = {
  status: Status;
  session: MemberSession | null;
  loginWithPassword: (body: { app_id: string; email: string; password: string }) => Promise<void>;
  requestMagicLink: (body: { app_id: string; email: string }) => Promise<void>;
  verifyMagicLink: (token: string) => Promise<void>;
  logout: () => Promise<void>;
};

const Ctx = createContext<MemberAuthValue | null>(null);

/** Member session, same scheme as the admin one: memory token + refresh cookie. */
export function MemberAuthProvider({ children, restore = true }: { children: ReactNode; restore?: boolean }) {
  const [session, setSession] = useState<MemberSession | null>(() => memberAuth.getSession() as MemberSession | null);
  const [status, setStatus] = useState<Status>(() => (memberAuth.getSession() ? "authenticated" : restore ? "loading" : "anonymous"));

  useEffect(() => {
    const off = memberAuth.subscribe((s) => {
      setSession(s as MemberSession | null);
      setStatus(s ? "authenticated" : "anonymous");
    });
    if (restore && !memberAuth.getSession()) {
      void memberAuth.restore().then((s) => {
        setSession(s as MemberSession | null);
        setStatus(s ? "authenticated" : "anonymous");
      });
    }
    return off;
  }, [restore]);

  const loginWithPassword = useCallback(async (body: { app_id: string; email: string; password: string }) => {
    memberAuth.setSession(await unwrap(memberApi.POST("/api/v1/member/auth/login", { body })));
  }, []);
  const requestMagicLink = useCallback(async (body: { app_id: string; email: string }) => {
    await unwrap(memberApi.POST("/api/v1/member/auth/magic-link", { body }));
  }, []);
  const verifyMagicLink = useCallback(async (token: string) => {
    memberAuth.setSession(await unwrap(memberApi.POST("/api/v1/member/auth/magic-link/verify", { body: { token } })));
  }, []);
  const logout = useCallback(async () => {
    try {
      await memberApi.POST("/api/v1/member/auth/logout");
    } finally {
      memberAuth.setSession(null);
    }
  }, []);

  const value = useMemo(
    () => ({ status, session, loginWithPassword, requestMagicLink, verifyMagicLink, logout }),
    [status, session, loginWithPassword, requestMagicLink, verifyMagicLink, logout],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useMemberAuth() {
  const v = useContext(Ctx);
  if (!v) throw new Error("useMemberAuth outside MemberAuthProvider");
  return v;
}

export function RequireMember({ children }: { children: ReactNode }) {
  const { status } = useMemberAuth();
  const location = useLocation();
  if (status === "loading") return <LoadingRows rows={3} label="Restoring session" />;
  if (status === "anonymous") return <Navigate to={`/member/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  return <>{children}</>;
}
