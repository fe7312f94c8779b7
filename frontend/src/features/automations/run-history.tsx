import { Link } from "react-router";
import { RefreshCw, RotateCcw } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { AutomationRun } from "@/api/types";
import { EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useToast } from "@/components/ui/toast";
import { WriteOnly } from "@/features/auth/permissions";
import { useMemberOptions } from "@/features/members/api";
import { formatDateTime } from "@/lib/utils";
import { useRetryRun, useRuns } from "./api";
import { RunStatusPill, StepStatusPill } from "./parts";

/** An automation's runs: status, member, when, each step's outcome, and Retry on failed runs. */
export function RunHistory({ automationId }: { automationId: string }) {
  const runs = useRuns(automationId);
  const members = useMemberOptions();
  const nameOf = (id: string) => {
    const m = members.data?.find((u) => u.id === id);
    return m ? m.name || m.email : id;
  };
  return (
    <Card>
      <CardHeader className="flex-row items-start justify-between gap-3">
        <div className="grid gap-1">
          <CardTitle>Run history</CardTitle>
          <CardDescription>Newest first. Open runs refresh by themselves.</CardDescription>
        </div>
        <Button variant="ghost" size="sm" onClick={() => void runs.refetch()} loading={runs.isFetching && !runs.isPending} aria-label="Refresh runs">
          <RefreshCw />
        </Button>
      </CardHeader>
      {runs.isPending ? (
        <LoadingRows rows={3} label="Loading runs" />
      ) : runs.isError ? (
        <ErrorState title="Could not load the runs" error={runs.error} onRetry={() => void runs.refetch()} />
      ) : !runs.data?.length ? (
        <EmptyState title="No runs yet" description="Runs appear here when the trigger fires for a member." />
      ) : (
        <>
          <ul className="m-0 grid list-none divide-y border-t p-0" aria-label="Runs">
            {runs.data.map((r) => (
              <RunItem key={r.id} run={r} automationId={automationId} memberName={r.user_id ? nameOf(r.user_id) : null} />
            ))}
          </ul>
          {runs.hasNextPage ? (
            <div className="border-t p-3 text-center">
              <Button variant="outline" size="sm" loading={runs.isFetchingNextPage} onClick={() => void runs.fetchNextPage()}>
                Load more
              </Button>
            </div>
          ) : null}
        </>
      )}
    </Card>
  );
}

function RunItem({ run: r, automationId, memberName }: { run: AutomationRun; automationId: string; memberName: string | null }) {
  const retry = useRetryRun(automationId);
  const toast = useToast();
  return (
    <li className="grid gap-2 px-5 py-3 text-sm" data-run={r.id} data-status={r.status}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <RunStatusPill status={r.status} />
        {r.user_id ? (
          <Link to={`/members/${r.user_id}`} className="min-w-0 font-medium break-all hover:underline">
            {memberName}
          </Link>
        ) : (
          <span className="text-muted-foreground">No member</span>
        )}
        <span className="text-muted-foreground">Started {formatDateTime(r.created_at)}</span>
        <span className="text-xs text-muted-foreground">v{r.version}</span>
        {r.status === "failed" ? (
          <WriteOnly>
            <Button
              variant="outline"
              size="sm"
              className="ml-auto"
              loading={retry.isPending}
              onClick={() =>
                retry.mutate(r.id, {
                  onSuccess: () => toast("Run retried from the step that failed."),
                  onError: (err) => toast(errorMessage(err), "error"),
                })
              }
            >
              <RotateCcw /> Retry
            </Button>
          </WriteOnly>
        ) : null}
      </div>
      {r.error ? <p className="text-xs font-medium text-destructive break-words">{r.error}</p> : null}
      {r.steps.length ? (
        <ol className="m-0 grid list-none gap-1 p-0" aria-label="Step outcomes">
          {r.steps.map((s) => (
            <li key={`${s.index}-${s.started_at}`} className="flex flex-wrap items-baseline gap-2" data-step={s.type} data-step-status={s.status}>
              <span className="text-xs text-muted-foreground">{s.index + 1}.</span>
              <code className="text-xs">{s.type}</code>
              <StepStatusPill status={s.status} />
              {s.error ? <span className="text-xs text-destructive break-words">{s.error}</span> : s.detail ? <span className="text-xs text-muted-foreground break-words">{s.detail}</span> : null}
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-xs text-muted-foreground">No step has finished yet.</p>
      )}
    </li>
  );
}
