import { useContext, type ReactNode } from "react";
import { Eye } from "lucide-react";
import { adminAuth } from "@/api/client";
import type { Role, Session } from "@/api/types";
import { AuthContext } from "./auth-context";

/** The admin session, from the auth context when there is one (else the realm's current one). */
export function useCurrentSession(): Session | null {
  const ctx = useContext(AuthContext);
  return ctx ? ctx.session : (adminAuth.getSession() as Session | null);
}

/** The signed-in admin's role in the current app (undefined outside a session). */
export function useRole(): Role | undefined {
  return useCurrentSession()?.role;
}

/**
 * Whether the admin may change things. Viewers read only; the server enforces
 * it (403), the UI just does not offer what would fail.
 */
export function useCanWrite(): boolean {
  return useRole() !== "viewer";
}

/** Renders its children only for admins who may write. */
export function WriteOnly({ children, fallback = null }: { children: ReactNode; fallback?: ReactNode }) {
  return <>{useCanWrite() ? children : fallback}</>;
}

/** Wraps a form's controls: disabled (read-only) for viewers. */
export function WriteFieldset({ children, className }: { children: ReactNode; className?: string }) {
  const canWrite = useCanWrite();
  return (
    <fieldset disabled={!canWrite} className={className ?? "m-0 grid min-w-0 gap-4 border-0 p-0"}>
      {children}
    </fieldset>
  );
}

/** A small badge telling viewers why there are no edit buttons. */
export function ReadOnlyBadge() {
  if (useCanWrite()) return null;
  return (
    <span
      className="inline-flex items-center gap-1 rounded-full border border-amber-300 bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-900"
      title="You are a viewer: you can look at everything but change nothing."
    >
      <Eye className="size-3" aria-hidden /> Read-only access
    </span>
  );
}
