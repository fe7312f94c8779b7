import { useMemo } from "react";
import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { ArrowRight, Package, Repeat, TrendingUp, Users } from "lucide-react";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { Metrics } from "@/api/types";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ListStates } from "@/components/states";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { formatMinorUnits, formatMoney } from "@/lib/utils";
import { useSession } from "@/features/auth/auth-context";
import { ActivityList } from "@/features/activities/activity-list";
import { useActivities } from "@/features/activities/api";
import { useMemberOptions } from "@/features/members/api";
import { useProductOptions } from "@/features/products/api";
import { StageTotalsCard } from "@/features/stages/stage-totals-card";
import { GettingStarted } from "./getting-started";
import { MrrChart } from "./mrr-chart";

/** MRR in the currency most subscriptions use; before the first one there is no currency, so no symbol. */
export const formatMrr = (m: Metrics) => (m.currency ? formatMoney(m.mrr, m.currency) : formatMinorUnits(m.mrr));

/** Lists have no total; count up to 100 and show "100+" past that. */
function useCount(key: string, fetchPage: () => Promise<{ data: unknown[]; has_more: boolean }>) {
  return useQuery({
    queryKey: ["count", key],
    queryFn: async () => {
      const page = await fetchPage();
      return `${page.data.length}${page.has_more ? "+" : ""}`;
    },
  });
}

function Stat({ label, value, icon: Icon, to, pending }: { label: string; value?: string; icon: typeof Users; to: string; pending: boolean }) {
  return (
    <Link to={to} className="group h-full">
      <Card className="h-full transition-colors group-hover:bg-muted/50">
        <CardContent className="flex h-full items-center justify-between gap-2 p-4 sm:p-5">
          <div className="min-w-0">
            <p className="text-sm text-muted-foreground">{label}</p>
            {pending ? <Skeleton className="mt-1 h-8 w-12" /> : <p className="mt-1 truncate text-2xl font-semibold tabular-nums sm:text-3xl">{value ?? "—"}</p>}
          </div>
          <span className="hidden size-10 items-center justify-center rounded-full bg-muted sm:flex">
            <Icon className="size-5 text-muted-foreground" aria-hidden />
          </span>
        </CardContent>
      </Card>
    </Link>
  );
}

export function DashboardPage() {
  const session = useSession();
  const members = useCount("users", () => unwrap(api.GET("/api/v1/users", { params: { query: { limit: 100 } } })));
  const products = useCount("products", () => unwrap(api.GET("/api/v1/products", { params: { query: { limit: 100, include_archived: false } } })));
  const metrics = useQuery({ queryKey: ["app", "metrics"], queryFn: () => unwrap(api.GET("/api/v1/app/metrics")) });
  const activities = useActivities({}, { limit: 10 });
  const productOptions = useProductOptions();
  const memberOptions = useMemberOptions();
  const productMap = useMemo(() => new Map((productOptions.data ?? []).map((p) => [p.id, p])), [productOptions.data]);
  const memberMap = useMemo(() => new Map((memberOptions.data ?? []).map((u) => [u.id, u])), [memberOptions.data]);

  return (
    <>
      <PageHeader title={`Welcome, ${session.admin.name.split(" ")[0] || session.admin.name}`} description={session.app.name} />
      <GettingStarted appId={session.app.id} products={products.data} members={members.data} />
      <div className="grid auto-rows-fr grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4">
        <Stat label="Members" value={members.data} pending={members.isPending} icon={Users} to="/members" />
        <Stat label="Active products" value={products.data} pending={products.isPending} icon={Package} to="/products" />
        <Stat label="MRR" value={metrics.data ? formatMrr(metrics.data) : undefined} pending={metrics.isPending} icon={TrendingUp} to="/activities" />
        <Stat label="Paying subscriptions" value={metrics.data ? String(metrics.data.paying_subscriptions) : undefined} pending={metrics.isPending} icon={Repeat} to="/members" />
      </div>
      <MrrChart />
      <StageTotalsCard />
      <Card className="mt-4">
        <CardHeader className="flex-row items-center justify-between border-b pb-4">
          <CardTitle>Recent activity</CardTitle>
          <Link to="/activities" className="flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
            View all <ArrowRight className="size-4" />
          </Link>
        </CardHeader>
        <ListStates query={activities} rows={4} empty={<EmptyState title="No activity yet" description="Member logins, access changes and purchases appear here." />}>
          {(items) => <ActivityList items={items.slice(0, 10)} products={productMap} users={memberMap} />}
        </ListStates>
      </Card>
    </>
  );
}
