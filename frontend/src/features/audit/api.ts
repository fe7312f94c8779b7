import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { components } from "@/api/schema";
import { useCursorList } from "@/hooks/use-cursor-list";

export type AuditEntry = components["schemas"]["AuditEntryResponse"];
export type AuditAction = components["schemas"]["AuditAction"];
export type AuditTargetType = components["schemas"]["AuditTargetType"];

export type AuditFilters = {
  actor?: string;
  action?: AuditAction;
  targetType?: AuditTargetType;
  targetId?: string;
  since?: string;
  until?: string;
};

/** The audit log, newest first, a page of 50 at a time ("Load more"). */
export function useAuditLog(filters: AuditFilters, enabled = true) {
  const query = {
    actor: filters.actor || undefined,
    action: filters.action || undefined,
    target_type: filters.targetType || undefined,
    target_id: filters.targetType && filters.targetId ? filters.targetId : undefined,
    since: filters.since || undefined,
    until: filters.until || undefined,
  };
  return useCursorList(["audit-log", query], (cursor) => unwrap(api.GET("/api/v1/audit-log", { params: { query: { ...query, cursor, limit: 50 } } })), { enabled });
}
