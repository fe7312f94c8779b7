import { cn } from "@/lib/utils";

/** A horizontal progress bar; `value` out of `max`. Unknown max (0/null) shows an indeterminate bar. */
export function Progress({ value, max, label, className }: { value: number; max: number | null | undefined; label: string; className?: string }) {
  const known = !!max && max > 0;
  const pct = known ? Math.min(100, Math.max(0, Math.round((value / max) * 100))) : 0;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={known ? max : undefined}
      aria-valuenow={known ? value : undefined}
      aria-valuetext={known ? `${value} of ${max}` : "In progress"}
      className={cn("h-2 w-full overflow-hidden rounded-full bg-muted", className)}
    >
      <div className={cn("h-full rounded-full bg-primary transition-[width]", known ? "" : "w-1/3 animate-pulse")} style={known ? { width: `${pct}%` } : undefined} />
    </div>
  );
}
