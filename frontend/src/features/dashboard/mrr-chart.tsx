import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { MrrHistory } from "@/api/types";
import { EmptyState, ErrorState } from "@/components/states";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs } from "@/components/ui/tabs";
import { formatMinorUnits, formatMoney } from "@/lib/utils";
import { MrrMovements } from "./mrr-movements";

export const RANGES = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "12 months" },
] as const;
type Range = (typeof RANGES)[number]["value"];

type Point = MrrHistory["data"][number];

/** `YYYY-MM-DD` of the UTC day `days - 1` days before `now`: the first day of a `days`-long window ending today. */
export function rangeStart(days: number, now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  return d.toISOString().slice(0, 10);
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above `v` (the chart's top line); 100 when everything is zero. */
export function niceMax(v: number): number {
  if (v <= 0) return 100;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** SVG paths of the line and the area under it, in a `w` × `h` box with 0 at the bottom and `top` at the top. */
export function chartPaths(values: number[], w: number, h: number, top: number): { line: string; area: string } {
  if (values.length === 0) return { line: "", area: "" };
  const x = (i: number) => (values.length === 1 ? w : (i / (values.length - 1)) * w);
  const y = (v: number) => h - (Math.max(0, v) / top) * h;
  const pts = values.map((v, i) => `${x(i).toFixed(2)},${y(v).toFixed(2)}`);
  // A single day is drawn as a flat line across the box.
  const line = values.length === 1 ? `M0,${y(values[0]!).toFixed(2)}L${pts[0]}` : `M${pts.join("L")}`;
  return { line, area: `${line}L${w},${h}L${values.length === 1 ? 0 : x(0)},${h}Z` };
}

const dayLabel = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

export function useMrrHistory(days: number) {
  return useQuery({
    queryKey: ["app", "metrics", "mrr", days],
    queryFn: () => unwrap(api.GET("/api/v1/app/metrics/mrr", { params: { query: { from: rangeStart(days) } } })),
  });
}

const W = 600;
const H = 160;

/** The dashboard's MRR history: one point per day, with the figure under the pointer. */
export function MrrChart() {
  const [range, setRange] = useState<Range>("30");
  const history = useMrrHistory(Number(range));
  const [hover, setHover] = useState<number | null>(null);
  const money = (minor: number) => (history.data?.currency ? formatMoney(minor, history.data.currency) : formatMinorUnits(minor));

  let body;
  if (history.isPending) {
    body = (
      <div role="status" aria-label="Loading MRR history" className="p-4">
        <Skeleton className="h-40" />
      </div>
    );
  } else if (history.isError) {
    body = <ErrorState title="Could not load the MRR history" error={history.error} onRetry={() => void history.refetch()} />;
  } else if (history.data.data.length === 0 || history.data.data.every((p) => p.mrr === 0)) {
    body = (
      <EmptyState
        title="No recurring revenue in this period"
        description="Tollgate records MRR every day from your Stripe subscriptions. Link a product to Stripe and the chart fills in as subscriptions start."
      />
    );
  } else {
    const points = history.data.data;
    body = <Plot points={points} money={money} hover={hover} setHover={setHover} />;
  }

  return (
    <Card className="mt-4">
      <CardHeader className="flex-row flex-wrap items-center justify-between gap-2 border-b pb-4">
        <CardTitle>MRR over time</CardTitle>
        <Tabs
          label="MRR range"
          value={range}
          onChange={(r) => {
            setRange(r);
            setHover(null);
          }}
          tabs={RANGES.map((r) => ({ value: r.value, label: r.label }))}
        />
      </CardHeader>
      {body}
      <MrrMovements days={Number(range)} />
    </Card>
  );
}

function Plot({ points, money, hover, setHover }: { points: Point[]; money: (n: number) => string; hover: number | null; setHover: (i: number | null) => void }) {
  const values = points.map((p) => p.mrr);
  const top = niceMax(Math.max(...values));
  const { line, area } = chartPaths(values, W, H, top);
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const change = last.mrr - first.mrr;
  const shown = hover === null ? last : points[hover]!;
  const pct = first.mrr > 0 ? Math.round((change / first.mrr) * 100) : null;
  const summary = `MRR ${money(last.mrr)} on ${dayLabel(last.day)}, ${change >= 0 ? "up" : "down"} ${money(Math.abs(change))} since ${dayLabel(first.day)}.`;

  const onMove = (e: React.PointerEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    if (box.width <= 0) return;
    const i = Math.round(((e.clientX - box.left) / box.width) * (points.length - 1));
    setHover(Math.min(points.length - 1, Math.max(0, i)));
  };
  const hoverX = hover === null ? null : points.length === 1 ? W : (hover / (points.length - 1)) * W;

  return (
    <div className="p-4">
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <p>
          <span className="text-2xl font-semibold tabular-nums" data-testid="mrr-chart-value">
            {money(shown.mrr)}
          </span>{" "}
          <span className="text-sm text-muted-foreground">
            {dayLabel(shown.day)} · {shown.paying_subscriptions} paying
          </span>
        </p>
        <p className={change > 0 ? "text-sm text-emerald-700" : change < 0 ? "text-sm text-red-700" : "text-sm text-muted-foreground"}>
          {change > 0 ? "+" : change < 0 ? "−" : "±"}
          {money(Math.abs(change))}
          {pct !== null ? ` (${change >= 0 ? "+" : "−"}${Math.abs(pct)}%)` : ""} since {dayLabel(first.day)}
        </p>
      </div>
      <div className="relative">
        <span className="absolute top-0 left-0 text-xs text-muted-foreground tabular-nums">{money(top)}</span>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          className="h-40 w-full touch-none"
          role="img"
          aria-label={summary}
          onPointerMove={onMove}
          onPointerDown={onMove}
          onPointerLeave={() => setHover(null)}
        >
          <line x1="0" x2={W} y1="0" y2="0" className="stroke-border" vectorEffect="non-scaling-stroke" strokeDasharray="4 4" />
          <line x1="0" x2={W} y1={H / 2} y2={H / 2} className="stroke-border" vectorEffect="non-scaling-stroke" strokeDasharray="4 4" />
          <line x1="0" x2={W} y1={H} y2={H} className="stroke-border" vectorEffect="non-scaling-stroke" />
          <path d={area} className="fill-primary/10" />
          <path d={line} className="fill-none stroke-primary" strokeWidth="2" vectorEffect="non-scaling-stroke" strokeLinejoin="round" />
          {hoverX !== null ? <line x1={hoverX} x2={hoverX} y1="0" y2={H} className="stroke-muted-foreground" vectorEffect="non-scaling-stroke" /> : null}
        </svg>
      </div>
      <div className="mt-1 flex justify-between text-xs text-muted-foreground">
        <span>{dayLabel(first.day)}</span>
        <span>{dayLabel(last.day)}</span>
      </div>
      {/* A table's box grows to its content whatever its width: the wrapper is what hides it. */}
      <div className="sr-only">
      <table>
        <caption>MRR per day</caption>
        <thead>
          <tr>
            <th>Day</th>
            <th>MRR</th>
            <th>Paying subscriptions</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.day}>
              <td>{p.day}</td>
              <td>{money(p.mrr)}</td>
              <td>{p.paying_subscriptions}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </div>
  );
}
