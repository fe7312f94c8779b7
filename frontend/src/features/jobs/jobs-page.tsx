import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { RotateCcw } from "lucide-react";
import { api } from "@/api/client";
import { errorMessage, unwrap } from "@/api/errors";
import type { JobStatus } from "@/api/types";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ListStates } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Tabs } from "@/components/ui/tabs";
import { useToast } from "@/components/ui/toast";
import { useCursorList } from "@/hooks/use-cursor-list";
import { formatDateTime } from "@/lib/utils";
import { WriteOnly } from "@/features/auth/permissions";

const statuses: { value: JobStatus; label: string }[] = [
  { value: "dead", label: "Dead" },
  { value: "queued", label: "Queued" },
  { value: "running", label: "Running" },
  { value: "succeeded", label: "Succeeded" },
];
const statusVariant = { dead: "destructive", queued: "secondary", running: "warning", succeeded: "success" } as const;

export function JobsPage() {
  const [params, setParams] = useSearchParams();
  const status = (statuses.find((s) => s.value === params.get("status"))?.value ?? "dead") as JobStatus;
  const jobs = useCursorList(["jobs", status], (cursor) => unwrap(api.GET("/api/v1/jobs", { params: { query: { status, cursor, limit: 50 } } })), {
    refetchInterval: 10_000,
  });
  const qc = useQueryClient();
  const toast = useToast();
  const retry = useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/api/v1/jobs/{id}/retry", { params: { path: { id } } })),
    onSuccess: () => {
      toast("Job queued again.");
      void qc.invalidateQueries({ queryKey: ["jobs"] });
    },
    onError: (e) => toast(errorMessage(e), "error"),
  });

  return (
    <>
      <PageHeader title="Jobs" description="Background work: emails, Stripe imports, access expiry. Dead jobs ran out of retries." />
      <div className="mb-3 overflow-x-auto">
        <Tabs<JobStatus> label="Job status" value={status} onChange={(s) => setParams(s === "dead" ? {} : { status: s }, { replace: true })} tabs={statuses} />
      </div>
      <Card>
        <ListStates query={jobs} empty={<EmptyState title={status === "dead" ? "No dead jobs" : `No ${status} jobs`} description={status === "dead" ? "Everything that failed has been retried or recovered." : undefined} />}>
          {(items) => (
            <Table>
              <THead>
                <TR>
                  <TH>Job</TH>
                  <TH className="hidden sm:table-cell">Attempts</TH>
                  <TH className="hidden md:table-cell">Run at / finished</TH>
                  <TH>
                    <span className="sr-only">Actions</span>
                  </TH>
                </TR>
              </THead>
              <TBody>
                {items.map((j) => (
                  <TR key={j.id}>
                    <TD className="max-w-md">
                      <div className="flex flex-wrap items-center gap-2">
                        <span className="font-mono text-xs font-medium">{j.kind}</span>
                        <Badge variant={statusVariant[j.status]}>{j.status}</Badge>
                      </div>
                      {j.last_error ? <p className="mt-1 line-clamp-2 break-all text-xs text-destructive">{j.last_error}</p> : null}
                    </TD>
                    <TD className="hidden tabular-nums sm:table-cell">
                      {j.attempts} / {j.max_attempts}
                      {j.progress_total ? <span className="block text-xs text-muted-foreground">{j.progress_done ?? 0} of {j.progress_total} done</span> : null}
                    </TD>
                    <TD className="hidden text-muted-foreground md:table-cell">{formatDateTime(j.finished_at ?? j.run_at)}</TD>
                    <TD className="text-right">
                      {j.status === "dead" ? (
                        <WriteOnly>
                        <Button variant="outline" size="sm" onClick={() => retry.mutate(j.id)} loading={retry.isPending && retry.variables === j.id} aria-label={`Retry ${j.kind}`}>
                          <RotateCcw /> Retry
                        </Button>
                        </WriteOnly>
                      ) : null}
                    </TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </ListStates>
      </Card>
    </>
  );
}
