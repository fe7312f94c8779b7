import { useMemo } from "react";
import { useSearchParams } from "react-router";
import { RefreshCw } from "lucide-react";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ListStates } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { MultiSelect } from "@/components/ui/multi-select";
import { useMemberOptions } from "@/features/members/api";
import { useProductOptions } from "@/features/products/api";
import { ExportCsvButton } from "@/components/export-button";
import { ActivityList } from "./activity-list";
import { activityKinds, useActivities, type ActivityFilters } from "./api";

const ranges = [
  { value: "", label: "All time" },
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "custom", label: "Custom range" },
] as const;
const rangeMs: Record<string, number> = { "24h": 864e5, "7d": 7 * 864e5, "30d": 30 * 864e5 };

/** URL search params → API filters. `since`/`until` in the URL are local datetime-local values. */
export function filtersFromParams(params: URLSearchParams, now = Date.now()): ActivityFilters {
  const kinds = (params.get("kind") ?? "").split(",").filter(Boolean);
  const range = params.get("range") ?? "";
  const toIso = (v: string | null) => {
    if (!v) return undefined;
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  };
  let since: string | undefined;
  let until: string | undefined;
  if (range in rangeMs) {
    // Rounded to the minute so the query key (and the poll) stays stable.
    since = new Date(Math.floor((now - rangeMs[range]!) / 60000) * 60000).toISOString();
  } else if (range === "custom") {
    since = toIso(params.get("since"));
    until = toIso(params.get("until"));
  }
  return { kinds, userId: params.get("user_id") ?? undefined, productId: params.get("product_id") ?? undefined, since, until };
}

export function ActivitiesPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const range = params.get("range") ?? "";
  const activities = useActivities(filters);
  const members = useMemberOptions();
  const products = useProductOptions();
  const productMap = useMemo(() => new Map((products.data ?? []).map((p) => [p.id, p])), [products.data]);
  const memberMap = useMemo(() => new Map((members.data ?? []).map((u) => [u.id, u])), [members.data]);

  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key === "range" && value !== "custom") {
      next.delete("since");
      next.delete("until");
    }
    setParams(next, { replace: true });
  };
  const hasFilters = [...params.keys()].length > 0;

  return (
    <>
      <PageHeader
        title="Activities"
        description="Everything members do, newest first. New entries appear automatically."
        actions={
          <>
            <ExportCsvButton
              path="/api/v1/activities/export.csv"
              params={{ kind: filters.kinds?.length ? filters.kinds.join(",") : undefined, user_id: filters.userId, product_id: filters.productId, since: filters.since, until: filters.until }}
              fallbackName="activities.csv"
            />
            <Button variant="outline" onClick={() => void activities.refetch()} loading={activities.isFetching && !activities.isPending}>
              {activities.isFetching ? null : <RefreshCw />} Refresh
            </Button>
          </>
        }
      />
      <div className="mb-3 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <div className="grid gap-1.5">
          <Label>Kind</Label>
          <MultiSelect label="Kind" options={activityKinds} value={filters.kinds ?? []} onChange={(v) => set("kind", v.join(","))} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="filter-member">Member</Label>
          <Select id="filter-member" value={filters.userId ?? ""} onChange={(e) => set("user_id", e.target.value)}>
            <option value="">All members</option>
            {filters.userId && !memberMap.has(filters.userId) ? <option value={filters.userId}>Selected member</option> : null}
            {(members.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name ? `${u.name} (${u.email})` : u.email}
              </option>
            ))}
          </Select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="filter-product">Product</Label>
          <Select id="filter-product" value={filters.productId ?? ""} onChange={(e) => set("product_id", e.target.value)}>
            <option value="">All products</option>
            {(products.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="filter-range">Time</Label>
          <Select id="filter-range" value={range} onChange={(e) => set("range", e.target.value)}>
            {ranges.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </Select>
        </div>
        {range === "custom" ? (
          <>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-since">From</Label>
              <Input id="filter-since" type="datetime-local" value={params.get("since") ?? ""} onChange={(e) => set("since", e.target.value)} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="filter-until">To</Label>
              <Input id="filter-until" type="datetime-local" value={params.get("until") ?? ""} onChange={(e) => set("until", e.target.value)} />
            </div>
          </>
        ) : null}
      </div>
      {hasFilters ? (
        <div className="mb-3">
          <Button variant="link" size="sm" onClick={() => setParams({}, { replace: true })}>
            Clear filters
          </Button>
        </div>
      ) : null}
      <Card>
        <ListStates
          query={activities}
          empty={<EmptyState title={hasFilters ? "No activities match these filters" : "No activity yet"} description="Logins, access changes and purchases show up here." />}
        >
          {(items) => (
            <>
              <ActivityList items={items} products={productMap} users={memberMap} />
              {activities.hasNextPage ? (
                <div className="border-t p-3 text-center">
                  <Button variant="ghost" size="sm" loading={activities.isFetchingNextPage} onClick={() => void activities.fetchNextPage()}>
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
