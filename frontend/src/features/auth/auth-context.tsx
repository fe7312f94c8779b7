import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { adminAuth, api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { Session } from "@/api/types";

type Status = "loading" | "authenticated" | "anonymous";
type AuthValue = {
  status: Status;
  session: Session | null;
  login: (body: { email: string; password: string }) => Promise<Session>;
  setup: (body: { email: string; password: string; name: string; app_name: string; site_url?: string | null }) => Promise<Session>;
  logout: () => Promise<void>;
  /** Opens a session in another app this admin belongs to. */
  switchApp: (appId: string) => Promise<Session>;
};

export const AuthContext = createContext<AuthValue | null>(null);

/** Admin session: restored on load through the refresh cookie, kept in memory only. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<Session | null>(() => adminAuth.getSession() as Session | null);
  const [status, setStatus] = useState<Status>(() => (adminAuth.getSession() ? "authenticated" : "loading"));

  useEffect(() => {
    const unsubscribe = adminAuth.subscribe((s) => {
      setSession(s as Session | null);
      setStatus(s ? "authenticated" : "anonymous");
    });
    if (!adminAuth.getSession()) {
      void adminAuth.restore().then((s) => {
        setSession(s as Session | null);
        setStatus(s ? "authenticated" : "anonymous");
      });
    }
    return unsubscribe;
  }, []);

  const login = useCallback(async (body: { email: string; password: string }) => {
    const s = await unwrap(api.POST("/api/v1/auth/login", { body }));
    adminAuth.setSession(s);
    return s;
  }, []);

  const setup = useCallback(async (body: { email: string; password: string; name: string; app_name: string; site_url?: string | null }) => {
    const s = await unwrap(api.POST("/api/v1/setup", { body }));
    adminAuth.setSession(s);
    return s;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.POST("/api/v1/auth/logout");
    } finally {
      adminAuth.setSession(null);
      queryClient.clear();
    }
  }, [queryClient]);

  const switchApp = useCallback(
    async (appId: string) => {
      const s = await unwrap(api.POST("/api/v1/auth/switch", { body: { app_id: appId } }));
      queryClient.clear();
      adminAuth.setSession(s);
      return s;
    },
    [queryClient],
  );

  const value = useMemo(() => ({ status, session, login, setup, logout, switchApp }), [status, session, login, setup, logout, switchApp]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}

export function useSession(): Session {
  const { session } = useAuth();
  if (!session) throw new Error("useSession without a session");
  return session;
}
