import { Fragment, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { ChevronDown, ChevronRight } from "lucide-react";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ListStates } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { formatDateTime } from "@/lib/utils";
import { useRole } from "@/features/auth/permissions";
import { teamQuery } from "@/features/team/team-page";
import { useAuditLog, type AuditAction, type AuditEntry, type AuditFilters, type AuditTargetType } from "./api";

/** Every action and target type the server records (the OpenAPI enums; the type checker keeps them complete). */
export const auditActions = [
  "access.granted",
  "access.revoked",
  "account.seat_added",
  "account.seat_removed",
  "account_settings.updated",
  "admin.password_reset",
  "admin.removed",
  "admin.role_changed",
  "admin.signed_in",
  "admin.switched_app",
  "api_key.created",
  "api_key.revoked",
  "app.updated",
  "automation.created",
  "automation.deleted",
  "automation.updated",
  "automation_run.retried",
  "connector.settings_updated",
  "crm.connected",
  "crm.disconnected",
  "crm.settings_updated",
  "crm.sync_started",
  "crm.tag_set",
  "email_template.created",
  "email_template.deleted",
  "email_template.updated",
  "invitation.created",
  "invitation.revoked",
  "job.retried",
  "image.uploaded",
  "media.deleted",
  "media.updated",
  "media.uploaded",
  "member.created",
  "member.updated",
  "member_import.started",
  "member_import.uploaded",
  "members.bulk_action",
  "page.created",
  "page.deleted",
  "page.updated",
  "product.archived",
  "product.checkout_updated",
  "product.created",
  "product.deleted",
  "product.stripe_linked",
  "product.stripe_unlinked",
  "product.unarchived",
  "product.updated",
  "sales_page.created",
  "sales_page.updated",
  "segment.created",
  "segment.deleted",
  "segment.updated",
  "stages.updated",
  "stripe.connected",
  "stripe.disconnected",
  "stripe.events_synced",
  "stripe.portal_updated",
  "stripe.webhook_secret_added",
  "stripe_event.reprocessed",
  "subscription.canceled",
  "webhook_delivery.redelivered",
  "webhook_endpoint.created",
  "webhook_endpoint.deleted",
  "webhook_endpoint.replayed",
  "webhook_endpoint.secret_rotated",
  "webhook_endpoint.tested",
  "webhook_endpoint.updated",
  "zapier_hook.created",
  "zapier_hook.deleted",
] as const satisfies readonly AuditAction[];

export const auditTargetTypes = [
  "account",
  "admin",
  "api_key",
  "app",
  "automation",
  "automation_run",
  "connector",
  "email_template",
  "image",
  "invitation",
  "job",
  "media",
  "member",
  "member_import",
  "members",
  "page",
  "product",
  "segment",
  "stripe_event",
  "webhook_delivery",
  "webhook_endpoint",
  "zapier_hook",
] as const satisfies readonly AuditTargetType[];

/** Compiles only while every action the server documents is listed above. */
export const auditActionsComplete: [Exclude<AuditAction, (typeof auditActions)[number]>] extends [never] ? true : never = true;
export const auditTargetTypesComplete: [Exclude<AuditTargetType, (typeof auditTargetTypes)[number]>] extends [never] ? true : never = true;

const isAction = (v: string | null): v is AuditAction => !!v && (auditActions as readonly string[]).includes(v);
const isTargetType = (v: string | null): v is AuditTargetType => !!v && (auditTargetTypes as readonly string[]).includes(v);

/** URL search params → API filters. `since`/`until` in the URL are local datetime-local values. */
export function auditFiltersFromParams(params: URLSearchParams): AuditFilters {
  const toIso = (v: string | null) => {
    if (!v) return undefined;
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  };
  const action = params.get("action");
  const targetType = params.get("target_type");
  return {
    actor: params.get("actor") || undefined,
    action: isAction(action) ? action : undefined,
    targetType: isTargetType(targetType) ? targetType : undefined,
    targetId: params.get("target_id") || undefined,
    since: toIso(params.get("since")),
    until: toIso(params.get("until")),
  };
}

/** "product.updated" → "Product updated". */
export function actionLabel(action: string): string {
  const s = action.replace(/[._]/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function Summary({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="text-muted-foreground">—</span>;
  return <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-muted p-2 text-xs">{JSON.stringify(value, null, 2)}</pre>;
}

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => auditFiltersFromParams(params), [params]);
  const canRead = useRole() !== "viewer";
  const log = useAuditLog(filters, canRead);
  const team = useQuery({ ...teamQuery, enabled: canRead });
  const names = useMemo(() => new Map((team.data?.admins ?? []).map((a) => [a.id, a.name || a.email])), [team.data]);
  const [open, setOpen] = useState<string | null>(null);

  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key === "target_type" && !value) next.delete("target_id");
    setParams(next, { replace: true });
  };
  const hasFilters = [...params.keys()].length > 0;
  const actorName = (e: AuditEntry) => (e.actor.credential === "api_key" ? `API key ${e.actor.id}` : (names.get(e.actor.id) ?? e.actor.id));

  if (!canRead) {
    return (
      <>
        <PageHeader title="Audit log" />
        <EmptyState title="Only owners and admins can read the audit log" description="It lists the team's IP addresses; ask an owner if you need an entry." />
      </>
    );
  }

  return (
    <>
      <PageHeader title="Audit log" description="Every change made by the team or with an API key: who, what, from where. Secrets are never recorded." />
      <div className="mb-3 grid grid-cols-2 gap-3 lg:grid-cols-3">
        <div className="grid gap-1.5">
          <Label htmlFor="audit-actor">Actor</Label>
          <Select id="audit-actor" value={filters.actor ?? ""} onChange={(e) => set("actor", e.target.value)}>
            <option value="">Everyone</option>
            {filters.actor && !names.has(filters.actor) ? <option value={filters.actor}>{filters.actor}</option> : null}
            {(team.data?.admins ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name ? `${a.name} (${a.email})` : a.email}
              </option>
            ))}
          </Select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="audit-action">Action</Label>
          <Select id="audit-action" value={filters.action ?? ""} onChange={(e) => set("action", e.target.value)}>
            <option value="">All actions</option>
            {auditActions.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a)}
              </option>
            ))}
          </Select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="audit-target-type">Target</Label>
          <Select id="audit-target-type" value={filters.targetType ?? ""} onChange={(e) => set("target_type", e.target.value)}>
            <option value="">Anything</option>
            {auditTargetTypes.map((t) => (
              <option key={t} value={t}>
                {actionLabel(t)}
              </option>
            ))}
          </Select>
        </div>
        {filters.targetType ? (
          <div className="grid gap-1.5">
            <Label htmlFor="audit-target-id">Target id</Label>
            <Input id="audit-target-id" placeholder="e.g. prod_…" value={params.get("target_id") ?? ""} onChange={(e) => set("target_id", e.target.value.trim())} />
          </div>
        ) : null}
        <div className="grid gap-1.5">
          <Label htmlFor="audit-since">From</Label>
          <Input id="audit-since" type="datetime-local" value={params.get("since") ?? ""} onChange={(e) => set("since", e.target.value)} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="audit-until">To</Label>
          <Input id="audit-until" type="datetime-local" value={params.get("until") ?? ""} onChange={(e) => set("until", e.target.value)} />
        </div>
      </div>
      {hasFilters ? (
        <div className="mb-3">
          <Button variant="link" size="sm" onClick={() => setParams({}, { replace: true })}>
            Clear filters
          </Button>
        </div>
      ) : null}
      <Card>
        <ListStates query={log} empty={<EmptyState title={hasFilters ? "No entries match these filters" : "No changes recorded yet"} description="Changes to products, members, settings and the team show up here." />}>
          {(items) => (
            <>
              <Table>
                <THead>
                  <TR>
                    <TH className="w-8">
                      <span className="sr-only">Details</span>
                    </TH>
                    <TH>Time</TH>
                    <TH>Actor</TH>
                    <TH>Action</TH>
                    <TH>Target</TH>
                    <TH className="hidden md:table-cell">IP</TH>
                  </TR>
                </THead>
                <TBody>
                  {items.map((e) => (
                    <Fragment key={e.id}>
                      <TR>
                        <TD>
                          <Button
                            variant="ghost"
                            size="sm"
                            aria-expanded={open === e.id}
                            aria-label={`${open === e.id ? "Hide" : "Show"} details of ${actionLabel(e.action)}`}
                            onClick={() => setOpen(open === e.id ? null : e.id)}
                          >
                            {open === e.id ? <ChevronDown /> : <ChevronRight />}
                          </Button>
                        </TD>
                        <TD className="whitespace-nowrap text-muted-foreground">{formatDateTime(e.occurred_at)}</TD>
                        <TD>
                          <div>{actorName(e)}</div>
                          <div className="text-xs text-muted-foreground">{e.actor.credential === "api_key" ? "API key" : (e.actor.role ?? "")}</div>
                        </TD>
                        <TD>
                          <Badge variant="secondary">{e.action}</Badge>
                        </TD>
                        <TD className="text-sm">
                          {e.target_type}
                          {e.target_id ? <span className="block font-mono text-xs text-muted-foreground">{e.target_id}</span> : null}
                        </TD>
                        <TD className="hidden font-mono text-xs md:table-cell">{e.ip ?? "—"}</TD>
                      </TR>
                      {open === e.id ? (
                        <TR>
                          <TD colSpan={6}>
                            <div className="grid gap-3 md:grid-cols-2">
                              <div>
                                <p className="mb-1 text-xs font-medium uppercase text-muted-foreground">Before</p>
                                <Summary value={e.before} />
                              </div>
                              <div>
                                <p className="mb-1 text-xs font-medium uppercase text-muted-foreground">After</p>
                                <Summary value={e.after} />
                              </div>
                            </div>
                            {e.request_id ? <p className="mt-2 text-xs text-muted-foreground">Request {e.request_id}</p> : null}
                          </TD>
                        </TR>
                      ) : null}
                    </Fragment>
                  ))}
                </TBody>
              </Table>
              {log.hasNextPage ? (
                <div className="border-t p-3 text-center">
                  <Button variant="ghost" size="sm" loading={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
                    Load more
                  </Button>
                </div>
              ) : null}
            </>
          )}
        </ListStates>
      </Card>
    </>
  );
}
