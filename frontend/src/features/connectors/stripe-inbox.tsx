import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { RefreshCw, RotateCcw } from "lucide-react";
import { api } from "@/api/client";
import type { InboxStatus } from "@/api/types";
import { errorMessage, unwrap } from "@/api/errors";
import { EmptyState, ErrorState, ListStates, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Input, Select } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { useCursorList } from "@/hooks/use-cursor-list";
import { formatDateTime } from "@/lib/utils";
import { WriteOnly } from "@/features/auth/permissions";

const statusVariant = { processed: "success", ignored: "outline", failed: "destructive", pending: "warning" } as const satisfies Record<InboxStatus, string>;
const eventsKey = ["connectors", "stripe", "events"] as const;

export type InboxFilters = { status: string; type: string; since: string; until: string };

/** The filter form's values as the list's query (empty fields left out; dates as RFC 3339, UTC day bounds). */
export function inboxQuery(f: InboxFilters) {
  const day = (d: string, end: boolean) => (d ? new Date(`${d}T00:00:00Z`).getTime() + (end ? 86_400_000 : 0) : undefined);
  const since = day(f.since, false);
  const until = day(f.until, true);
  return {
    status: f.status ? (f.status as InboxStatus) : undefined,
    type: f.type.trim() || undefined,
    since: since === undefined ? undefined : new Date(since).toISOString(),
    until: until === undefined ? undefined : new Date(until).toISOString(),
  };
}

function StatusBadge({ status }: { status: string }) {
  return <Badge variant={statusVariant[status as keyof typeof statusVariant] ?? "secondary"}>{status}</Badge>;
}

/** The webhook inbox inspector: every Stripe event received, filtered, a page at a time, with "Sync missed events". */
export function WebhookInbox() {
  const [filters, setFilters] = useState<InboxFilters>({ status: "", type: "", since: "", until: "" });
  const [open, setOpen] = useState<string | null>(null);
  const qc = useQueryClient();
  const toast = useToast();
  const query = inboxQuery(filters);
  const events = useCursorList([...eventsKey, query], (cursor) => unwrap(api.GET("/api/v1/connectors/stripe/events", { params: { query: { ...query, cursor, limit: 25 } } })));
  const sync = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/connectors/stripe/sync-events")),
    onSuccess: (r) => {
      toast(r.recovered === 0 ? "No missed events: Tollgate has everything Stripe sent." : `Recovered ${r.recovered} missed event${r.recovered === 1 ? "" : "s"}.`);
      void qc.invalidateQueries({ queryKey: eventsKey });
    },
    onError: (e) => toast(errorMessage(e), "error"),
  });
  const set = (k: keyof InboxFilters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [k]: e.target.value }));
  return (
    <Card className="mt-4">
      <CardHeader className="flex-col gap-3 border-b pb-4">
        <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
          <div>
            <CardTitle>Webhook events</CardTitle>
            <CardDescription>Events Stripe sent to Tollgate, newest first. Open one to see its payload and each try to process it.</CardDescription>
          </div>
          <WriteOnly>
            <Button variant="outline" size="sm" loading={sync.isPending} onClick={() => sync.mutate()}>
              <RefreshCw /> Sync missed events
            </Button>
          </WriteOnly>
        </div>
        <div className="grid gap-2 sm:grid-cols-4">
          <Select aria-label="Event status" value={filters.status} onChange={set("status")}>
            <option value="">All statuses</option>
            <option value="pending">Pending</option>
            <option value="processed">Processed</option>
            <option value="ignored">Ignored</option>
            <option value="failed">Failed</option>
          </Select>
          <Input aria-label="Event type" placeholder="Type, e.g. invoice.paid" value={filters.type} onChange={set("type")} />
          <Input aria-label="Received from" type="date" value={filters.since} onChange={set("since")} />
          <Input aria-label="Received until" type="date" value={filters.until} onChange={set("until")} />
        </div>
      </CardHeader>
      <ListStates query={events} rows={3} empty={<EmptyState title="No events" description="Purchases and subscription changes in Stripe arrive here." />}>
        {(items) => (
          <>
            <Table>
              <THead>
                <TR>
                  <TH>Event</TH>
                  <TH>Status</TH>
                  <TH className="hidden sm:table-cell">Received</TH>
                </TR>
              </THead>
              <TBody>
                {items.map((e) => (
                  <TR key={e.id}>
                    <TD>
                      <button type="button" className="cursor-pointer text-left hover:underline" onClick={() => setOpen(e.id)} aria-label={`Inspect ${e.type} ${e.id}`}>
                        <p className="font-mono text-xs">{e.type}</p>
                        <p className="truncate text-xs text-muted-foreground">{e.id}</p>
                      </button>
                      {e.error ? <p className="line-clamp-2 break-all text-xs text-destructive">{e.error}</p> : null}
                    </TD>
                    <TD>
                      <StatusBadge status={e.status} />
                    </TD>
                    <TD className="hidden text-muted-foreground sm:table-cell">{formatDateTime(e.received_at)}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
            {events.hasNextPage ? (
              <div className="border-t p-3 text-center">
                <Button variant="ghost" size="sm" loading={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
                  Load more
                </Button>
              </div>
            ) : null}
          </>
        )}
      </ListStates>
      {open ? <EventDetail id={open} onClose={() => setOpen(null)} /> : null}
    </Card>
  );
}

/** One event: payload, tries, and "Process again" for a failed or ignored one. */
export function EventDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const detailKey = [...eventsKey, "detail", id];
  const event = useQuery({ queryKey: detailKey, queryFn: () => unwrap(api.GET("/api/v1/connectors/stripe/events/{id}", { params: { path: { id } } })) });
  const again = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/connectors/stripe/events/{id}/process", { params: { path: { id } } })),
    onSuccess: (d) => {
      qc.setQueryData(detailKey, d);
      void qc.invalidateQueries({ queryKey: eventsKey });
      toast("Event queued to be processed again.");
    },
    onError: (e) => toast(errorMessage(e), "error"),
  });
  const e = event.data;
  return (
    <Dialog open onClose={onClose} title={e ? e.type : "Event"} description={<span className="font-mono text-xs">{id}</span>} className="sm:max-w-2xl">
      {event.isPending ? (
        <LoadingRows rows={3} />
      ) : event.isError || !e ? (
        <ErrorState title="Could not load the event" error={event.error} onRetry={() => void event.refetch()} />
      ) : (
        <div className="grid gap-4 text-sm">
          <div className="flex flex-wrap items-center gap-3">
            <StatusBadge status={e.status} />
            <span className="text-muted-foreground">Received {formatDateTime(e.received_at)}</span>
            {e.processed_at ? <span className="text-muted-foreground">· last processed {formatDateTime(e.processed_at)}</span> : null}
            {e.status === "failed" || e.status === "ignored" ? (
              <WriteOnly>
                <Button size="sm" variant="outline" className="ml-auto" loading={again.isPending} onClick={() => again.mutate()}>
                  <RotateCcw /> Process again
                </Button>
              </WriteOnly>
            ) : null}
          </div>
          {e.error ? <p className="break-all text-destructive">{e.error}</p> : null}
          <section aria-label="Processing attempts">
            <h3 className="mb-1 font-medium">Processing attempts</h3>
            {e.attempts.length === 0 ? (
              <p className="text-muted-foreground">{e.status === "ignored" ? "Not processed: Tollgate does not act on this type." : "Not tried yet."}</p>
            ) : (
              <Table>
                <THead>
                  <TR>
                    <TH>#</TH>
                    <TH>Outcome</TH>
                    <TH>When</TH>
                  </TR>
                </THead>
                <TBody>
                  {e.attempts.map((a) => (
                    <TR key={a.attempt}>
                      <TD className="tabular-nums">{a.attempt}</TD>
                      <TD>
                        <StatusBadge status={a.outcome} />
                        {a.error ? <p className="mt-1 break-all text-xs text-destructive">{a.error}</p> : null}
                      </TD>
                      <TD className="text-muted-foreground">{formatDateTime(a.finished_at)}</TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
            )}
          </section>
          <section aria-label="Payload">
            <h3 className="mb-1 font-medium">Payload</h3>
            <pre className="max-h-80 overflow-auto rounded-md border bg-muted p-3 font-mono text-xs">{JSON.stringify(e.payload, null, 2)}</pre>
          </section>
        </div>
      )}
    </Dialog>
  );
}
