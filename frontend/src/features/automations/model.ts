// The builder's editable state (drafts) and how it maps to and from the API's
// tagged JSON (trigger, conditions, steps). Pure functions: tested on their own.
import type { Automation, AutomationCondition, AutomationStep, AutomationTrigger, CreateAutomationBody, GrantSource, WaitUnit, WebhookEventType } from "@/api/types";
import { humanizeKind } from "@/lib/utils";

/** Activity kinds that are about a product: their trigger may be narrowed to one (EventType::has_product). */
export const PRODUCT_KINDS: ReadonlySet<string> = new Set([
  "user.video_watched",
  "user.audio_listened",
  "user.file_downloaded",
  "user.page_completed",
  "user.product_completed",
  "product.access_granted",
  "product.access_removed",
  "product.purchased",
  "subscription.started",
  "subscription.cancelled",
]);

/** Events of the catalogue that are not activities (no automation can start on them). */
const NOT_ACTIVITIES: ReadonlySet<string> = new Set(["member.updated"]);

export const activityKinds = (types: readonly WebhookEventType[] | undefined) => (types ?? []).filter((t) => !NOT_ACTIVITIES.has(t.type));

export const TIME_TRIGGERS = [
  { choice: "renewal_upcoming", label: "Renewal coming up" },
  { choice: "trial_ending", label: "Trial ending" },
  { choice: "payment_failed", label: "Payment failed" },
] as const;

export const GRANT_SOURCES = [
  "manual",
  "stripe_subscription",
  "stripe_purchase",
  "import",
  "crm_tag",
  "api",
  "automation",
  "activecampaign",
  "keap",
] as const satisfies readonly GrantSource[];

export const STEP_TYPES = [
  { type: "grant_access", label: "Grant access" },
  { type: "remove_access", label: "Remove access" },
  { type: "send_email", label: "Send email" },
  { type: "send_webhook", label: "Send to webhook endpoint" },
  { type: "wait", label: "Wait" },
  { type: "stop_unless", label: "Stop unless" },
] as const;
export type StepType = AutomationStep["type"];

export const CONDITION_TYPES = [
  { type: "has_access", label: "Has access to" },
  { type: "lacks_access", label: "Lacks access to" },
  { type: "member_field", label: "Member field equals" },
  { type: "grant_source", label: "Grant source is" },
  { type: "in_segment", label: "Member is in the segment" },
] as const;
export type ConditionType = AutomationCondition["type"];

/** `choice` is "activity:<kind>", "renewal_upcoming", "trial_ending" or "payment_failed". */
export type TriggerDraft = { choice: string; product_id: string; days: string };
export type ConditionDraft = { type: ConditionType; product_id: string; field: "email" | "name" | "stage"; equals: string; source: string; segment_id: string };
export type StepDraft = {
  key: string;
  type: StepType;
  product_id: string;
  days: string;
  template_id: string;
  endpoint_id: string;
  tag: string;
  amount: string;
  unit: WaitUnit;
  condition: ConditionDraft;
};
export type AutomationDraft = { name: string; enabled: boolean; trigger: TriggerDraft; conditions: (ConditionDraft & { key: string })[]; steps: StepDraft[] };

let seq = 0;
export const newKey = () => `k${++seq}`;

export const emptyCondition = (type: ConditionType = "has_access"): ConditionDraft => ({ type, product_id: "", field: "email", equals: "", source: "manual", segment_id: "" });

export const emptyStep = (type: StepType): StepDraft => ({
  key: newKey(),
  type,
  product_id: "",
  days: "",
  template_id: "",
  endpoint_id: "",
  tag: "",
  amount: "1",
  unit: "days",
  condition: emptyCondition(),
});

export const emptyDraft = (): AutomationDraft => ({
  name: "",
  enabled: true,
  trigger: { choice: "activity:product.access_granted", product_id: "", days: "3" },
  conditions: [],
  steps: [],
});

const conditionDraft = (c: AutomationCondition): ConditionDraft => {
  const d = emptyCondition(c.type);
  if (c.type === "has_access" || c.type === "lacks_access") d.product_id = c.product_id;
  if (c.type === "member_field") Object.assign(d, { field: c.field, equals: c.equals });
  if (c.type === "grant_source") d.source = c.source;
  if (c.type === "in_segment") d.segment_id = c.segment_id;
  return d;
};

const stepDraft = (s: AutomationStep): StepDraft => {
  const d = emptyStep(s.type);
  switch (s.type) {
    case "grant_access":
      return { ...d, product_id: s.product_id, days: s.days == null ? "" : String(s.days) };
    case "remove_access":
      return { ...d, product_id: s.product_id };
    case "send_email":
      return { ...d, template_id: s.template_id };
    case "send_webhook":
      return { ...d, endpoint_id: s.endpoint_id };
    case "add_crm_tag":
    case "remove_crm_tag":
      return { ...d, tag: s.tag };
    case "wait":
      return { ...d, amount: String(s.amount), unit: s.unit };
    case "stop_unless":
      return { ...d, condition: conditionDraft(s.condition) };
  }
};

export function triggerChoice(t: AutomationTrigger): string {
  return t.type === "activity" ? `activity:${t.kind}` : t.type;
}

export function draftOf(a: Automation): AutomationDraft {
  const t = a.trigger;
  return {
    name: a.name,
    enabled: a.enabled,
    trigger: { choice: triggerChoice(t), product_id: t.product_id ?? "", days: "days" in t ? String(t.days) : "3" },
    conditions: a.conditions.map((c) => ({ key: newKey(), ...conditionDraft(c) })),
    steps: a.steps.map(stepDraft),
  };
}

/** Whether the trigger choice takes a product ("Any product" or one). */
export function triggerTakesProduct(choice: string): boolean {
  return choice.startsWith("activity:") ? PRODUCT_KINDS.has(choice.slice("activity:".length)) : true;
}
export const triggerTakesDays = (choice: string) => choice === "renewal_upcoming" || choice === "trial_ending";

/** A whole number from an input, or NaN. */
const int = (s: string) => (/^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN);

export function triggerBody(t: TriggerDraft): AutomationTrigger {
  const product_id = triggerTakesProduct(t.choice) && t.product_id ? t.product_id : undefined;
  if (t.choice.startsWith("activity:")) return { type: "activity", kind: t.choice.slice("activity:".length), ...(product_id ? { product_id } : {}) };
  if (t.choice === "payment_failed") return { type: "payment_failed", ...(product_id ? { product_id } : {}) };
  return { type: t.choice as "renewal_upcoming" | "trial_ending", days: int(t.days), ...(product_id ? { product_id } : {}) };
}

export function conditionBody(c: ConditionDraft): AutomationCondition {
  switch (c.type) {
    case "has_access":
    case "lacks_access":
      return { type: c.type, product_id: c.product_id };
    case "member_field":
      return { type: "member_field", field: c.field, equals: c.equals };
    case "grant_source":
      return { type: "grant_source", source: c.source };
    case "in_segment":
      return { type: "in_segment", segment_id: c.segment_id };
  }
}

export function stepBody(s: StepDraft): AutomationStep {
  switch (s.type) {
    case "grant_access":
      return { type: "grant_access", product_id: s.product_id, ...(s.days.trim() ? { days: int(s.days) } : {}) };
    case "remove_access":
      return { type: "remove_access", product_id: s.product_id };
    case "send_email":
      return { type: "send_email", template_id: s.template_id };
    case "send_webhook":
      return { type: "send_webhook", endpoint_id: s.endpoint_id };
    case "add_crm_tag":
    case "remove_crm_tag":
      return { type: s.type, tag: s.tag };
    case "wait":
      return { type: "wait", amount: int(s.amount), unit: s.unit };
    case "stop_unless":
      return { type: "stop_unless", condition: conditionBody(s.condition) };
  }
}

/** The request body of POST /automations (PATCH takes the same fields). */
export function automationBody(d: AutomationDraft): CreateAutomationBody {
  return {
    name: d.name.trim(),
    enabled: d.enabled,
    trigger: triggerBody(d.trigger),
    conditions: d.conditions.map(conditionBody),
    steps: d.steps.map(stepBody),
  };
}

/** Checks before sending, keyed by the same field paths as the API's 422. */
export function validateDraft(d: AutomationDraft): Record<string, string> {
  const e: Record<string, string> = {};
  if (!d.name.trim()) e.name = "Give the automation a name.";
  else if (d.name.trim().length > 100) e.name = "Keep the name under 100 characters.";
  if (!d.trigger.choice) e["trigger.kind"] = "Choose what starts the automation.";
  if (triggerTakesDays(d.trigger.choice)) {
    const n = int(d.trigger.days);
    if (!(n >= 1 && n <= 90)) e["trigger.days"] = "Enter a number of days from 1 to 90.";
  }
  const checkCondition = (c: ConditionDraft, path: string) => {
    if ((c.type === "has_access" || c.type === "lacks_access") && !c.product_id) e[`${path}.product_id`] = "Choose a product.";
    if (c.type === "member_field" && !c.equals.trim()) e[`${path}.equals`] = "Enter the value to compare with.";
    if (c.type === "in_segment" && !c.segment_id) e[`${path}.segment_id`] = "Choose a segment.";
  };
  d.conditions.forEach((c, i) => checkCondition(c, `conditions[${i}]`));
  if (d.steps.length === 0) e.steps = "Add at least one step.";
  d.steps.forEach((s, i) => {
    const p = `steps[${i}]`;
    if ((s.type === "grant_access" || s.type === "remove_access") && !s.product_id) e[`${p}.product_id`] = "Choose a product.";
    if (s.type === "grant_access" && s.days.trim()) {
      const n = int(s.days);
      if (!(n >= 1 && n <= 3650)) e[`${p}.days`] = "Enter 1 to 3650 days, or leave empty for open-ended access.";
    }
    if (s.type === "send_email" && !s.template_id) e[`${p}.template_id`] = "Choose a template.";
    if (s.type === "send_webhook" && !s.endpoint_id) e[`${p}.endpoint_id`] = "Choose an endpoint.";
    if (s.type === "wait" && !(int(s.amount) >= 1)) e[`${p}.amount`] = "Enter a whole number of at least 1.";
    if (s.type === "stop_unless") checkCondition(s.condition, `${p}.condition`);
  });
  return e;
}

/** Moves an item one place up (-1) or down (+1). */
export function move<T>(list: readonly T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  if (to < 0 || to >= list.length) return [...list];
  const next = [...list];
  [next[index], next[to]] = [next[to]!, next[index]!];
  return next;
}

type Named = { id: string; name: string };
const nameOf = (list: readonly Named[] | undefined, id: string | null | undefined) => (id ? (list?.find((x) => x.id === id)?.name ?? "a deleted product") : "Any product");

/** "Product Access Granted · Any product", "Renewal in 3 days · Mastermind", "User Created". */
export function describeTrigger(t: AutomationTrigger, types: readonly WebhookEventType[] | undefined, products: readonly Named[] | undefined): string {
  switch (t.type) {
    case "activity": {
      const label = types?.find((x) => x.type === t.kind)?.label ?? humanizeKind(t.kind);
      return PRODUCT_KINDS.has(t.kind) ? `${label} · ${nameOf(products, t.product_id)}` : label;
    }
    case "renewal_upcoming":
      return `Renewal in ${t.days} ${t.days === 1 ? "day" : "days"} · ${nameOf(products, t.product_id)}`;
    case "trial_ending":
      return `Trial ends in ${t.days} ${t.days === 1 ? "day" : "days"} · ${nameOf(products, t.product_id)}`;
    case "payment_failed":
      return `Payment failed · ${nameOf(products, t.product_id)}`;
  }
}

/** "steps[2].amount" → errors that belong under row `steps[2]` but are not one of its own fields. */
export function rowErrors(errors: Record<string, string>, prefix: string, own: readonly string[]): string[] {
  return Object.entries(errors)
    .filter(([k]) => (k === prefix || k.startsWith(`${prefix}.`)) && !own.includes(k))
    .map(([, v]) => v);
}
