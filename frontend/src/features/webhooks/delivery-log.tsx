import { Fragment, useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { ChevronDown, ChevronRight, RotateCcw } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEventType } from "@/api/types";
import { EmptyState, ErrorState, ListStates } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader } from "@/components/ui/card";
import { Label, Select } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { WriteOnly } from "@/features/auth/permissions";
import { formatDateTime } from "@/lib/utils";
import { eventLabel, useDeliveries, useDeliveryDetail, useRedeliver, webhookKeys, type DeliveryFilters } from "./api";
import { DeliveryStatusPill } from "./parts";

const statuses: { value: DeliveryStatus | ""; label: string }[] = [
  { value: "", label: "All statuses" },
  { value: "pending", label: "Pending" },
  { value: "delivered", label: "Delivered" },
  { value: "failed", label: "Failed" },
];

/** `?status=&event_type=` → API filters (unknown statuses are ignored). */
export function deliveryFiltersFromParams(params: URLSearchParams): DeliveryFilters {
  const s = params.get("status");
  const status = statuses.find((x) => x.value && x.value === s)?.value || undefined;
  return { status, eventType: params.get("event_type") || undefined };
}

const BODY_SHOWN = 1024;

/** What one try got: the HTTP status, or the error when there was no answer. */
function answerOf(a: Pick<WebhookAttempt, "status_code" | "error">): string {
  if (a.status_code !== null && a.status_code !== undefined) return `HTTP ${a.status_code}`;
  return a.error ? "No answer" : "—";
}

export function DeliveryLog({ endpointId, enabled, eventTypes }: { endpointId: string; enabled: boolean; eventTypes: readonly WebhookEventType[] | undefined }) {
  const [params, setParams] = useSearchParams();
  const filters = deliveryFiltersFromParams(params);
  const deliveries = useDeliveries(endpointId, filters);
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const filtered = !!(filters.status || filters.eventType);

  // A new try can change the endpoint too (failing since…, disabled after a 410): reload it when the log moves.
  const qc = useQueryClient();
  const progress = deliveries.data?.map((d) => `${d.id}:${d.status}:${d.tries.length}`).join(",");
  const seen = useRef(progress);
  useEffect(() => {
    if (seen.current === undefined || progress === undefined) {
      seen.current = progress;
      return;
    }
    if (progress === seen.current) return;
    seen.current = progress;
    void qc.invalidateQueries({ queryKey: webhookKeys.endpoint(endpointId) });
  }, [progress, qc, endpointId]);

  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Card>
      <CardHeader>
        <h2 className="font-semibold leading-tight">Delivery log</h2>
        <CardDescription>Every event sent to this endpoint, newest first, with each try and what the receiver answered.</CardDescription>
      </CardHeader>
      <div className="grid grid-cols-1 gap-3 px-5 pb-3 sm:grid-cols-2 lg:max-w-2xl">
        <div className="grid gap-1.5">
          <Label htmlFor="delivery-status">Status</Label>
          <Select id="delivery-status" value={filters.status ?? ""} onChange={(e) => set("status", e.target.value)}>
            {statuses.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </Select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="delivery-event-type">Event type</Label>
          <Select id="delivery-event-type" value={filters.eventType ?? ""} onChange={(e) => set("event_type", e.target.value)}>
            <option value="">All event types</option>
            {filters.eventType && !eventTypes?.some((t) => t.type === filters.eventType) ? <option value={filters.eventType}>{filters.eventType}</option> : null}
            {(eventTypes ?? []).map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </Select>
        </div>
      </div>
      <div className="border-t">
        <ListStates
          query={deliveries}
          empty={
            <EmptyState
              title={filtered ? "No deliveries match these filters" : "No deliveries yet"}
              description={filtered ? undefined : "Events this endpoint listens to show up here. Send a test event to see one."}
            />
          }
        >
          {(items) => (
            <>
              <Table aria-label="Deliveries">
                <THead>
                  <TR>
                    <TH>Event</TH>
                    <TH>Status</TH>
                    <TH className="hidden sm:table-cell">Tries</TH>
                    <TH className="hidden sm:table-cell">Last answer</TH>
                    <TH className="hidden md:table-cell">Created</TH>
                    <TH>
                      <span className="sr-only">Details</span>
                    </TH>
                  </TR>
                </THead>
                <TBody>
                  {items.map((d) => {
                    const expanded = open.has(d.id);
                    const panelId = `delivery-${d.id}`;
                    return (
                      <Fragment key={d.id}>
                        <TR data-delivery={d.id}>
                          <TD>
                            <p className="font-medium">{eventLabel(eventTypes, d.event_type)}</p>
                            <p className="font-mono text-xs text-muted-foreground break-words">{d.event_type}</p>
                          </TD>
                          <TD>
                            <DeliveryStatusPill status={d.status} />
                          </TD>
                          <TD className="hidden tabular-nums sm:table-cell">{d.tries.length}</TD>
                          <TD className="hidden sm:table-cell">{d.last_status_code != null ? `HTTP ${d.last_status_code}` : d.last_error ? "No answer" : "—"}</TD>
                          <TD className="hidden whitespace-nowrap text-muted-foreground md:table-cell">{formatDateTime(d.created_at)}</TD>
                          <TD className="text-right">
                            <Button variant="ghost" size="sm" aria-expanded={expanded} aria-controls={expanded ? panelId : undefined} onClick={() => toggle(d.id)}>
                              {expanded ? <ChevronDown /> : <ChevronRight />} Details
                            </Button>
                          </TD>
                        </TR>
                        {expanded ? (
                          <tr className="border-b bg-muted/40">
                            <td colSpan={6} className="px-3 py-3">
                              <DeliveryDetails id={panelId} delivery={d} endpointId={endpointId} endpointEnabled={enabled} />
                            </td>
                          </tr>
                        ) : null}
                      </Fragment>
                    );
                  })}
                </TBody>
              </Table>
              {deliveries.hasNextPage ? (
                <div className="border-t p-3 text-center">
                  <Button variant="ghost" size="sm" loading={deliveries.isFetchingNextPage} onClick={() => void deliveries.fetchNextPage()}>
                    Load more
                  </Button>
                </div>
              ) : null}
            </>
          )}
        </ListStates>
      </div>
    </Card>
  );
}

function DeliveryDetails({ id, delivery: d, endpointId, endpointEnabled }: { id: string; delivery: WebhookDelivery; endpointId: string; endpointEnabled: boolean }) {
  const redeliver = useRedeliver(endpointId);
  const toast = useToast();
  const [showPayload, setShowPayload] = useState(false);
  const detail = useDeliveryDetail(d.id, showPayload);

  return (
    <div id={id} role="region" aria-label="Delivery details" className="grid min-w-0 gap-3 text-sm">
      <dl className="grid gap-x-4 gap-y-1 sm:grid-cols-[auto_1fr]">
        <dt className="text-muted-foreground">webhook-id</dt>
        <dd className="min-w-0 font-mono text-xs break-all" data-testid="webhook-id">
          {d.message_id}
        </dd>
        <dt className="text-muted-foreground">Created</dt>
        <dd>{formatDateTime(d.created_at)}</dd>
        {d.status === "pending" ? (
          <>
            <dt className="text-muted-foreground">Next try</dt>
            <dd>{d.next_attempt_at ? formatDateTime(d.next_attempt_at) : "Now"}</dd>
          </>
        ) : null}
        {d.delivered_at ? (
          <>
            <dt className="text-muted-foreground">Delivered</dt>
            <dd>{formatDateTime(d.delivered_at)}</dd>
          </>
        ) : null}
        {d.last_error && d.status !== "delivered" ? (
          <>
            <dt className="text-muted-foreground">Last error</dt>
            <dd className="min-w-0 break-words">{d.last_error}</dd>
          </>
        ) : null}
      </dl>

      <div className="grid gap-2">
        <h3 className="font-medium">Tries</h3>
        {d.tries.length === 0 ? (
          <p className="text-muted-foreground">Not tried yet.</p>
        ) : (
          <ol aria-label="Tries" className="grid gap-2">
            {d.tries.map((a) => (
              <li key={a.n} className="grid min-w-0 gap-1.5 rounded-md border bg-background p-3">
                <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                  <span className="font-medium">Try {a.n}</span>
                  <span className="text-muted-foreground">{formatDateTime(a.attempted_at)}</span>
                  <Badge variant={a.status_code != null && a.status_code >= 200 && a.status_code < 300 ? "success" : "destructive"}>{answerOf(a)}</Badge>
                  <span className="tabular-nums text-muted-foreground">{a.latency_ms} ms</span>
                </div>
                {a.error ? <p className="min-w-0 break-words text-red-800">{a.error}</p> : null}
                {a.response_body ? (
                  <pre aria-label={`Response body of try ${a.n}`} className="max-h-48 min-w-0 overflow-auto rounded bg-muted p-2 font-mono text-xs whitespace-pre-wrap break-all">
                    {a.response_body.slice(0, BODY_SHOWN)}
                  </pre>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </div>

      <div className="flex flex-wrap items-center gap-2">
        <WriteOnly>
          <Button
            size="sm"
            variant="outline"
            disabled={!endpointEnabled}
            loading={redeliver.isPending}
            onClick={() =>
              redeliver.mutate(d.id, {
                onSuccess: () => toast("Queued again: Tollgate sends it now."),
                onError: (e) => toast(errorMessage(e), "error"),
              })
            }
          >
            <RotateCcw /> Redeliver
          </Button>
          {!endpointEnabled ? <span className="text-xs text-muted-foreground">Enable the endpoint to redeliver.</span> : null}
        </WriteOnly>
        <Button size="sm" variant="ghost" aria-expanded={showPayload} onClick={() => setShowPayload((s) => !s)}>
          {showPayload ? "Hide payload" : "Show payload"}
        </Button>
      </div>
      {showPayload ? (
        detail.isPending ? (
          <p className="text-muted-foreground" role="status">
            Loading the payload…
          </p>
        ) : detail.isError ? (
          <ErrorState error={detail.error} title="Could not load the payload" onRetry={() => void detail.refetch()} />
        ) : (
          <pre aria-label="Payload" className="max-h-80 min-w-0 overflow-auto rounded-md border bg-background p-3 font-mono text-xs whitespace-pre-wrap break-all">
            {JSON.stringify(detail.data.payload, null, 2)}
          </pre>
        )
      ) : null}
    </div>
  );
}
