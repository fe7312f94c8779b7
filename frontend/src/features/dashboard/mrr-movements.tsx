import { useQuery } from "@tanstack/react-query";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { components } from "@/api/schema";
import { formatMinorUnits, formatMoney } from "@/lib/utils";
import { rangeStart } from "./mrr-chart";

type Totals = components["schemas"]["MovementTotalsResponse"];

export function useMrrMovements(days: number) {
  return useQuery({
    queryKey: ["app", "metrics", "mrr-movements", days],
    queryFn: () => unwrap(api.GET("/api/v1/app/metrics/mrr-movements", { params: { query: { from: rangeStart(days) } } })),
  });
}

/** A signed amount: "+$25.00", "−$25.00", "$0.00". */
export function signed(minor: number, money: (n: number) => string): string {
  if (minor > 0) return `+${money(minor)}`;
  if (minor < 0) return `−${money(-minor)}`;
  return money(0);
}

/** New, expansion, contraction, churned and net MRR over the chart's range (the main currency). */
export function MrrMovements({ days }: { days: number }) {
  const q = useMrrMovements(days);
  if (q.isPending || q.isError) return null;
  const t: Totals | undefined = q.data.data[0];
  const money = (minor: number) => (t?.currency ? formatMoney(minor, t.currency) : formatMinorUnits(minor));
  const rows: { label: string; value: number; hint?: string; tone: string }[] = [
    { label: "New", value: t?.new ?? 0, hint: t ? `${t.new_subscriptions} new` : undefined, tone: "text-emerald-700" },
    { label: "Expansion", value: t?.expansion ?? 0, tone: "text-emerald-700" },
    { label: "Reactivation", value: t?.reactivation ?? 0, tone: "text-emerald-700" },
    { label: "Contraction", value: t?.contraction ?? 0, tone: "text-red-700" },
    { label: "Churned", value: t?.churned ?? 0, hint: t ? `${t.churned_subscriptions} canceled` : undefined, tone: "text-red-700" },
    { label: "Net", value: t?.net ?? 0, tone: (t?.net ?? 0) < 0 ? "text-red-700" : "text-foreground" },
  ];
  return (
    <dl aria-label="MRR movements in this period" className="grid grid-cols-3 gap-3 border-t p-4 text-sm sm:grid-cols-6">
      {rows.map((r) => (
        <div key={r.label}>
          <dt className="text-muted-foreground">{r.label}</dt>
          <dd className={`font-medium tabular-nums ${r.value === 0 ? "text-muted-foreground" : r.tone}`}>
            {signed(r.value, money)}
            {r.hint ? <span className="block text-xs font-normal text-muted-foreground">{r.hint}</span> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}
