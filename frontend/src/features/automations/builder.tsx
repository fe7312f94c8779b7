import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";
import type { WebhookEventType } from "@/api/types";
import { Field } from "@/components/form/field";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Select } from "@/components/ui/input";
import { useCanWrite } from "@/features/auth/permissions";
import { useProductOptions } from "@/features/products/api";
import { useSegments } from "@/features/segments/api";
import { useStandardEndpoints, useTemplateReference, useTemplates } from "./api";
import {
  CONDITION_TYPES,
  GRANT_SOURCES,
  STEP_TYPES,
  TIME_TRIGGERS,
  activityKinds,
  emptyCondition,
  emptyStep,
  move,
  newKey,
  rowErrors,
  triggerTakesDays,
  triggerTakesProduct,
  type AutomationDraft,
  type ConditionDraft,
  type ConditionType,
  type StepDraft,
  type StepType,
  type TriggerDraft,
} from "./model";
import { FieldError } from "./parts";

type Errors = Record<string, string>;
type SetDraft = (update: (d: AutomationDraft) => AutomationDraft, opts?: { clear?: string | "rows" }) => void;

function SegmentSelect({ value, onChange, ...p }: { value: string; onChange: (v: string) => void; id: string; "aria-invalid": boolean | undefined; "aria-describedby": string | undefined }) {
  const segments = useSegments();
  return (
    <Select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose a segment…</option>
      {(segments.data ?? []).map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </Select>
  );
}

function ProductSelect({ value, onChange, anyLabel, ...p }: { value: string; onChange: (v: string) => void; anyLabel?: string; id: string; "aria-invalid": boolean | undefined; "aria-describedby": string | undefined }) {
  const products = useProductOptions();
  return (
    <Select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
      {anyLabel ? <option value="">{anyLabel}</option> : <option value="">Choose a product…</option>}
      {(products.data ?? []).map((x) => (
        <option key={x.id} value={x.id}>
          {x.name}
          {x.archived_at ? " (archived)" : ""}
        </option>
      ))}
    </Select>
  );
}

export function TriggerCard({ trigger, set, errors, eventTypes }: { trigger: TriggerDraft; set: SetDraft; errors: Errors; eventTypes: readonly WebhookEventType[] | undefined }) {
  const update = (patch: Partial<TriggerDraft>, field: string) => set((d) => ({ ...d, trigger: { ...d.trigger, ...patch } }), { clear: field });
  const kinds = activityKinds(eventTypes);
  const current = trigger.choice.startsWith("activity:") ? trigger.choice.slice("activity:".length) : null;
  const other = rowErrors(errors, "trigger", ["trigger.kind", "trigger.product_id", "trigger.days"]);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Trigger</CardTitle>
        <CardDescription>What starts a run for a member.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4 sm:grid-cols-2">
        <Field label="When" error={errors["trigger.kind"] ?? errors["trigger.type"]}>
          {(p) => (
            <Select {...p} value={trigger.choice} onChange={(e) => update({ choice: e.target.value }, "trigger.kind")}>
              <optgroup label="Activity">
                {current && !kinds.some((k) => k.type === current) ? <option value={trigger.choice}>{current}</option> : null}
                {kinds.map((k) => (
                  <option key={k.type} value={`activity:${k.type}`}>
                    {k.label}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Subscription (checked every minute)">
                {TIME_TRIGGERS.map((t) => (
                  <option key={t.choice} value={t.choice}>
                    {t.label}
                  </option>
                ))}
              </optgroup>
            </Select>
          )}
        </Field>
        {triggerTakesProduct(trigger.choice) ? (
          <Field label="Product" error={errors["trigger.product_id"]}>
            {(p) => <ProductSelect {...p} anyLabel="Any product" value={trigger.product_id} onChange={(v) => update({ product_id: v }, "trigger.product_id")} />}
          </Field>
        ) : null}
        {triggerTakesDays(trigger.choice) ? (
          <Field label="Days before" error={errors["trigger.days"]} hint={trigger.choice === "renewal_upcoming" ? "Fires once per billing period." : "Fires once per trial."}>
            {(p) => <Input {...p} type="number" min={1} max={90} inputMode="numeric" value={trigger.days} onChange={(e) => update({ days: e.target.value }, "trigger.days")} />}
          </Field>
        ) : null}
        {other.length ? (
          <div className="sm:col-span-2">
            {other.map((m) => (
              <FieldError key={m} message={m} />
            ))}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** The fields of one condition (in the conditions list or a "stop unless" step). */
function ConditionFields({ c, path, errors, onChange }: { c: ConditionDraft; path: string; errors: Errors; onChange: (c: ConditionDraft, field: string) => void }) {
  return (
    <>
      <Field label="Check" error={errors[`${path}.type`]}>
        {(p) => (
          <Select {...p} value={c.type} onChange={(e) => onChange({ ...c, type: e.target.value as ConditionType }, `${path}.type`)}>
            {CONDITION_TYPES.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {c.type === "has_access" || c.type === "lacks_access" ? (
        <Field label="Product" error={errors[`${path}.product_id`]}>
          {(p) => <ProductSelect {...p} value={c.product_id} onChange={(v) => onChange({ ...c, product_id: v }, `${path}.product_id`)} />}
        </Field>
      ) : null}
      {c.type === "member_field" ? (
        <>
          <Field label="Field" error={errors[`${path}.field`]}>
            {(p) => (
              <Select {...p} value={c.field} onChange={(e) => onChange({ ...c, field: e.target.value as ConditionDraft["field"] }, `${path}.field`)}>
                <option value="email">Email</option>
                <option value="name">Name</option>
                <option value="stage">Lifecycle stage</option>
              </Select>
            )}
          </Field>
          <Field label="Equals" error={errors[`${path}.equals`]}>
            {(p) => <Input {...p} value={c.equals} onChange={(e) => onChange({ ...c, equals: e.target.value }, `${path}.equals`)} />}
          </Field>
        </>
      ) : null}
      {c.type === "in_segment" ? (
        <Field label="Segment" error={errors[`${path}.segment_id`]}>
          {(p) => <SegmentSelect {...p} value={c.segment_id} onChange={(v) => onChange({ ...c, segment_id: v }, `${path}.segment_id`)} />}
        </Field>
      ) : null}
      {c.type === "grant_source" ? (
        <Field label="Source" error={errors[`${path}.source`]}>
          {(p) => (
            <Select {...p} value={c.source} onChange={(e) => onChange({ ...c, source: e.target.value }, `${path}.source`)}>
              {GRANT_SOURCES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          )}
        </Field>
      ) : null}
    </>
  );
}

const conditionOwn = (path: string) => ["type", "product_id", "field", "equals", "source", "segment_id"].map((f) => `${path}.${f}`);

export function ConditionsCard({ conditions, set, errors }: { conditions: AutomationDraft["conditions"]; set: SetDraft; errors: Errors }) {
  const canWrite = useCanWrite();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Conditions</CardTitle>
        <CardDescription>All must hold when a run starts, or the member is skipped. Optional.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {conditions.length === 0 ? <p className="text-sm text-muted-foreground">No conditions: every trigger starts a run.</p> : null}
        <FieldError message={errors.conditions} />
        {conditions.map((c, i) => {
          const path = `conditions[${i}]`;
          return (
            <fieldset key={c.key} className="m-0 grid min-w-0 gap-3 rounded-md border p-3 sm:grid-cols-[repeat(3,minmax(0,1fr))_auto]">
              <legend className="px-1 text-xs font-medium text-muted-foreground">Condition {i + 1}</legend>
              <ConditionFields
                c={c}
                path={path}
                errors={errors}
                onChange={(next, field) => set((d) => ({ ...d, conditions: d.conditions.map((x, j) => (j === i ? { ...next, key: x.key } : x)) }), { clear: field })}
              />
              {canWrite ? (
                <div className="flex items-end">
                  <Button
                    type="button"
                    variant="ghost"
                    size="sm"
                    aria-label={`Remove condition ${i + 1}`}
                    onClick={() => set((d) => ({ ...d, conditions: d.conditions.filter((_, j) => j !== i) }), { clear: "rows" })}
                  >
                    <Trash2 />
                  </Button>
                </div>
              ) : null}
              {rowErrors(errors, path, conditionOwn(path)).map((m) => (
                <FieldError key={m} message={m} />
              ))}
            </fieldset>
          );
        })}
        {canWrite ? (
          <Button
            type="button"
            variant="outline"
            size="sm"
            className="w-fit"
            disabled={conditions.length >= 10}
            onClick={() => set((d) => ({ ...d, conditions: [...d.conditions, { key: newKey(), ...emptyCondition() }] }), { clear: "conditions" })}
          >
            <Plus /> Add condition
          </Button>
        ) : null}
      </CardContent>
    </Card>
  );
}

const stepLabel = (t: StepType) => STEP_TYPES.find((s) => s.type === t)?.label ?? t;

function TemplateSelect({ value, onChange, ...p }: { value: string; onChange: (v: string) => void; id: string; "aria-invalid": boolean | undefined; "aria-describedby": string | undefined }) {
  const reference = useTemplateReference();
  const own = useTemplates();
  return (
    <Select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose a template…</option>
      <optgroup label="Built-in">
        {(reference.data?.built_in ?? []).map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </optgroup>
      {own.data?.length ? (
        <optgroup label="Your templates">
          {own.data.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </optgroup>
      ) : null}
    </Select>
  );
}

function EndpointSelect({ value, onChange, ...p }: { value: string; onChange: (v: string) => void; id: string; "aria-invalid": boolean | undefined; "aria-describedby": string | undefined }) {
  const endpoints = useStandardEndpoints();
  return (
    <Select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose an endpoint…</option>
      {(endpoints.data ?? []).map((e) => (
        <option key={e.id} value={e.id}>
          {e.description ? `${e.description} (${e.url})` : e.url}
        </option>
      ))}
    </Select>
  );
}

const stepOwn = (p: string) => [...["product_id", "days", "template_id", "endpoint_id", "amount", "unit", "tag"].map((f) => `${p}.${f}`), ...conditionOwn(`${p}.condition`)];

function StepFields({ s, path, errors, onChange }: { s: StepDraft; path: string; errors: Errors; onChange: (patch: Partial<StepDraft>, field: string) => void }) {
  switch (s.type) {
    case "grant_access":
      return (
        <>
          <Field label="Product" error={errors[`${path}.product_id`]}>
            {(p) => <ProductSelect {...p} value={s.product_id} onChange={(v) => onChange({ product_id: v }, `${path}.product_id`)} />}
          </Field>
          <Field label="For days (optional)" error={errors[`${path}.days`]} hint="Empty: open-ended access.">
            {(p) => <Input {...p} type="number" min={1} max={3650} inputMode="numeric" value={s.days} onChange={(e) => onChange({ days: e.target.value }, `${path}.days`)} />}
          </Field>
        </>
      );
    case "remove_access":
      return (
        <Field label="Product" error={errors[`${path}.product_id`]}>
          {(p) => <ProductSelect {...p} value={s.product_id} onChange={(v) => onChange({ product_id: v }, `${path}.product_id`)} />}
        </Field>
      );
    case "send_email":
      return (
        <Field label="Template" error={errors[`${path}.template_id`]}>
          {(p) => <TemplateSelect {...p} value={s.template_id} onChange={(v) => onChange({ template_id: v }, `${path}.template_id`)} />}
        </Field>
      );
    case "send_webhook":
      return (
        <Field label="Endpoint" error={errors[`${path}.endpoint_id`]} hint="Receives the triggering event, whatever its event filter.">
          {(p) => <EndpointSelect {...p} value={s.endpoint_id} onChange={(v) => onChange({ endpoint_id: v }, `${path}.endpoint_id`)} />}
        </Field>
      );
    case "wait":
      return (
        <>
          <Field label="Amount" error={errors[`${path}.amount`]}>
            {(p) => <Input {...p} type="number" min={1} inputMode="numeric" value={s.amount} onChange={(e) => onChange({ amount: e.target.value }, `${path}.amount`)} />}
          </Field>
          <Field label="Unit" error={errors[`${path}.unit`]}>
            {(p) => (
              <Select {...p} value={s.unit} onChange={(e) => onChange({ unit: e.target.value as StepDraft["unit"] }, `${path}.unit`)}>
                <option value="minutes">minutes</option>
                <option value="hours">hours</option>
                <option value="days">days</option>
              </Select>
            )}
          </Field>
        </>
      );
    case "stop_unless":
      return <ConditionFields c={s.condition} path={`${path}.condition`} errors={errors} onChange={(c, field) => onChange({ condition: c }, field)} />;
    case "add_crm_tag":
    case "remove_crm_tag":
      return (
        <Field label="Tag" error={errors[`${path}.tag`]}>
          {(p) => <Input {...p} value={s.tag} onChange={(e) => onChange({ tag: e.target.value }, `${path}.tag`)} />}
        </Field>
      );
  }
}

export function StepsCard({ steps, set, errors }: { steps: StepDraft[]; set: SetDraft; errors: Errors }) {
  const canWrite = useCanWrite();
  const n = steps.length;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Steps</CardTitle>
        <CardDescription>Run in order. A step that keeps failing fails the run; retry it from the run history.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        <FieldError message={errors.steps} />
        <ol className="m-0 grid list-none gap-3 p-0" aria-label="Steps">
          {steps.map((s, i) => {
            const path = `steps[${i}]`;
            const name = `Step ${i + 1}: ${stepLabel(s.type)}`;
            return (
              <li key={s.key}>
                <fieldset className="m-0 grid min-w-0 gap-3 rounded-md border p-3" aria-label={name} data-step-type={s.type}>
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <span className="text-sm font-medium">{name}</span>
                    {canWrite ? (
                      <div className="flex gap-1">
                        <Button type="button" variant="ghost" size="sm" aria-label={`Move step ${i + 1} up`} disabled={i === 0} onClick={() => set((d) => ({ ...d, steps: move(d.steps, i, -1) }), { clear: "rows" })}>
                          <ArrowUp />
                        </Button>
                        <Button type="button" variant="ghost" size="sm" aria-label={`Move step ${i + 1} down`} disabled={i === n - 1} onClick={() => set((d) => ({ ...d, steps: move(d.steps, i, 1) }), { clear: "rows" })}>
                          <ArrowDown />
                        </Button>
                        <Button type="button" variant="ghost" size="sm" aria-label={`Remove step ${i + 1}`} onClick={() => set((d) => ({ ...d, steps: d.steps.filter((_, j) => j !== i) }), { clear: "rows" })}>
                          <Trash2 />
                        </Button>
                      </div>
                    ) : null}
                  </div>
                  <div className="grid gap-3 sm:grid-cols-2">
                    <StepFields s={s} path={path} errors={errors} onChange={(patch, field) => set((d) => ({ ...d, steps: d.steps.map((x, j) => (j === i ? { ...x, ...patch } : x)) }), { clear: field })} />
                  </div>
                  {rowErrors(errors, path, stepOwn(path)).map((m) => (
                    <FieldError key={m} message={m} />
                  ))}
                </fieldset>
              </li>
            );
          })}
        </ol>
        {n === 0 ? <p className="text-sm text-muted-foreground">No steps yet: add what the automation should do.</p> : null}
        {canWrite ? (
          <div role="group" aria-label="Add a step" className="flex flex-wrap gap-2">
            {STEP_TYPES.map((t) => (
              <Button key={t.type} type="button" variant="outline" size="sm" disabled={n >= 20} aria-label={`Add step: ${t.label}`} onClick={() => set((d) => ({ ...d, steps: [...d.steps, emptyStep(t.type)] }), { clear: "steps" })}>
                <Plus /> {t.label}
              </Button>
            ))}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
