import { useSearchParams } from "react-router";
import { Select } from "@/components/ui/input";
import { useProductOptions } from "@/features/products/api";
import { useStages } from "@/features/stages/api";

/** The members list's filters kept in the URL (the API's query parameter names). */
export const FILTER_KEYS = [
  "stage",
  "renews_within_days",
  "has_product",
  "lacks_product",
  "source",
  "mrr_min",
  "status",
  "last_login_after",
  "last_login_before",
  "created_after",
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type MemberFilterValues = Partial<Record<FilterKey, string>>;

export const SOURCE_LABELS: Record<string, string> = {
  manual: "Manual",
  stripe_subscription: "Stripe subscription",
  stripe_purchase: "Stripe purchase",
  import: "Import",
  api: "API",
  automation: "Automation",
  activecampaign: "ActiveCampaign",
  keap: "Keap",
};

/** `YYYY-MM-DD` of the UTC day `days` days before `now`. */
export function daysAgo(days: number, now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days)).toISOString().slice(0, 10);
}

/** The filters as API query parameters (numbers where the API wants numbers). */
export function filterQuery(f: MemberFilterValues) {
  const num = (v?: string) => (v && Number.isFinite(Number(v)) ? Number(v) : undefined);
  return {
    stage: f.stage || undefined,
    renews_within_days: num(f.renews_within_days),
    has_product: f.has_product || undefined,
    lacks_product: f.lacks_product || undefined,
    source: f.source || undefined,
    mrr_min: num(f.mrr_min),
    status: f.status || undefined,
    last_login_after: f.last_login_after || undefined,
    last_login_before: f.last_login_before || undefined,
    created_after: f.created_after || undefined,
  };
}

export function useMemberFilters() {
  const [params, setParams] = useSearchParams();
  const values: MemberFilterValues = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) values[k] = v;
  }
  const set = (changes: MemberFilterValues) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        return next;
      },
      { replace: true },
    );
  const clear = () => set(Object.fromEntries(FILTER_KEYS.map((k) => [k, ""])) as MemberFilterValues);
  return { values, set, clear, active: Object.keys(values).length > 0 };
}

/** Which of the relative-date choices a stored date matches ("" = none). */
const LOGIN_CHOICES = [
  { value: "recent7", label: "Logged in within 7 days", apply: () => ({ last_login_after: daysAgo(7), last_login_before: "" }) },
  { value: "recent30", label: "Logged in within 30 days", apply: () => ({ last_login_after: daysAgo(30), last_login_before: "" }) },
  { value: "stale30", label: "No login for 30 days", apply: () => ({ last_login_after: "", last_login_before: daysAgo(30) }) },
  { value: "stale90", label: "No login for 90 days", apply: () => ({ last_login_after: "", last_login_before: daysAgo(90) }) },
];

export function MemberFilters({ values, set }: { values: MemberFilterValues; set: (c: MemberFilterValues) => void }) {
  const stages = useStages();
  const products = useProductOptions();
  const access = values.has_product ? `has:${values.has_product}` : values.lacks_product ? `lacks:${values.lacks_product}` : "";
  const login = LOGIN_CHOICES.find((c) => {
    const a = c.apply();
    return (a.last_login_after || "") === (values.last_login_after || "") && (a.last_login_before || "") === (values.last_login_before || "");
  })?.value;
  return (
    <>
      <Select aria-label="Lifecycle stage" className="w-auto" value={values.stage ?? ""} onChange={(e) => set({ stage: e.target.value })}>
        <option value="">Any stage</option>
        {(stages.data?.stages ?? []).map((s) => (
          <option key={s.name} value={s.name}>
            {s.name}
          </option>
        ))}
      </Select>
      <Select aria-label="Product access" className="w-auto" value={access} onChange={(e) => {
        const [kind, id] = e.target.value.split(":");
        set({ has_product: kind === "has" ? id : "", lacks_product: kind === "lacks" ? id : "" });
      }}>
        <option value="">Any access</option>
        {(products.data ?? []).map((p) => (
          <optgroup key={p.id} label={p.name}>
            <option value={`has:${p.id}`}>Has {p.name}</option>
            <option value={`lacks:${p.id}`}>Lacks {p.name}</option>
          </optgroup>
        ))}
      </Select>
      <Select aria-label="Grant source" className="w-auto" value={values.source ?? ""} onChange={(e) => set({ source: e.target.value })}>
        <option value="">Any source</option>
        {Object.entries(SOURCE_LABELS).map(([v, l]) => (
          <option key={v} value={v}>
            Access from {l}
          </option>
        ))}
      </Select>
      <Select aria-label="Renewal" className="w-auto" value={values.renews_within_days ?? ""} onChange={(e) => set({ renews_within_days: e.target.value })}>
        <option value="">Any renewal date</option>
        <option value="7">Renews within 7 days</option>
        <option value="30">Renews within 30 days</option>
      </Select>
      <Select aria-label="Paying" className="w-auto" value={values.mrr_min ?? ""} onChange={(e) => set({ mrr_min: e.target.value })}>
        <option value="">Paying or not</option>
        <option value="1">Paying (MRR above 0)</option>
      </Select>
      <Select aria-label="Activity" className="w-auto" value={values.status ?? ""} onChange={(e) => set({ status: e.target.value })}>
        <option value="">Active or inactive</option>
        <option value="active">Active</option>
        <option value="inactive">Inactive</option>
      </Select>
      <Select
        aria-label="Last login"
        className="w-auto"
        value={login ?? (values.last_login_after || values.last_login_before ? "custom" : "")}
        onChange={(e) => {
          const c = LOGIN_CHOICES.find((x) => x.value === e.target.value);
          set(c ? c.apply() : { last_login_after: "", last_login_before: "" });
        }}
      >
        <option value="">Any last login</option>
        {LOGIN_CHOICES.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
        {!login && (values.last_login_after || values.last_login_before) ? <option value="custom">Custom dates</option> : null}
      </Select>
      <Select aria-label="Joined" className="w-auto" value={values.created_after ? (values.created_after === daysAgo(7) ? "7" : values.created_after === daysAgo(30) ? "30" : "custom") : ""} onChange={(e) => set({ created_after: e.target.value && e.target.value !== "custom" ? daysAgo(Number(e.target.value)) : "" })}>
        <option value="">Joined any time</option>
        <option value="7">Joined in the last 7 days</option>
        <option value="30">Joined in the last 30 days</option>
        {values.created_after && values.created_after !== daysAgo(7) && values.created_after !== daysAgo(30) ? <option value="custom">Joined since {values.created_after}</option> : null}
      </Select>
    </>
  );
}
