import type { RunStatus } from "@/api/types";
import { Badge } from "@/components/ui/badge";

const runVariant = { running: "warning", waiting: "secondary", succeeded: "success", failed: "destructive", stopped: "outline", cancelled: "secondary" } as const;
export const runLabel: Record<RunStatus, string> = {
  running: "Running",
  waiting: "Waiting",
  succeeded: "Succeeded",
  failed: "Failed",
  stopped: "Stopped",
  cancelled: "Cancelled",
};

export function RunStatusPill({ status }: { status: RunStatus }) {
  return <Badge variant={runVariant[status]}>{runLabel[status]}</Badge>;
}

export function EnabledPill({ enabled }: { enabled: boolean }) {
  return <Badge variant={enabled ? "success" : "secondary"}>{enabled ? "Enabled" : "Disabled"}</Badge>;
}

const stepStatusVariant: Record<string, "success" | "destructive" | "outline"> = { succeeded: "success", failed: "destructive", stopped: "outline" };

/** A run step's outcome: succeeded | failed | stopped. */
export function StepStatusPill({ status }: { status: string }) {
  return <Badge variant={stepStatusVariant[status] ?? "secondary"}>{status}</Badge>;
}

/** Small inline error under a builder field. */
export function FieldError({ id, message }: { id?: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="text-xs font-medium text-destructive">
      {message}
    </p>
  );
}
