import { useId } from "react";
import { KeyRound } from "lucide-react";
import type { DeliveryStatus, WebhookEndpoint, WebhookEventType } from "@/api/types";
import { CopyButton } from "@/components/copy-button";
import { isUrl } from "@/components/form/use-form";
import { Field } from "@/components/form/field";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input, Textarea } from "@/components/ui/input";
import { cn } from "@/lib/utils";
import { endpointStatus, eventLabel } from "./api";

export function EndpointStatusPill({ endpoint, className }: { endpoint: Pick<WebhookEndpoint, "enabled" | "disabled_reason" | "failing_since">; className?: string }) {
  const s = endpointStatus(endpoint);
  return (
    <div className={cn("grid justify-items-start gap-0.5", className)}>
      <Badge variant={s.variant}>{s.label}</Badge>
      {s.reason ? <span className="text-xs text-muted-foreground">{s.reason}</span> : null}
    </div>
  );
}

const deliveryVariant = { pending: "warning", delivered: "success", failed: "destructive" } as const;
const deliveryLabel: Record<DeliveryStatus, string> = { pending: "Pending", delivered: "Delivered", failed: "Failed" };

/** Pending (amber), delivered (green), failed (red): the Badge colours keep text at 5:1 or more on their backgrounds. */
export function DeliveryStatusPill({ status }: { status: DeliveryStatus }) {
  return <Badge variant={deliveryVariant[status]}>{deliveryLabel[status]}</Badge>;
}

/** "All events", or the labels of the chosen ones. */
export function EventList({ types, eventTypes }: { types: readonly string[]; eventTypes: readonly WebhookEventType[] | undefined }) {
  if (types.length === 0) return <span className="text-muted-foreground">All events</span>;
  return (
    <div className="flex max-w-md flex-wrap gap-1">
      {types.map((t) => (
        <Badge key={t} variant="outline" title={t}>
          {eventLabel(eventTypes, t)}
        </Badge>
      ))}
    </div>
  );
}

export type EndpointValues = { url: string; description: string; mode: "all" | "selected"; event_types: string[] };

export const emptyEndpoint: EndpointValues = { url: "", description: "", mode: "all", event_types: [] };

export const endpointValues = (e: WebhookEndpoint): EndpointValues => ({
  url: e.url,
  description: e.description,
  mode: e.event_types.length ? "selected" : "all",
  event_types: e.event_types,
});

/** The request body: an empty event list means every event. */
export const endpointBody = (v: EndpointValues) => ({
  url: v.url.trim(),
  description: v.description.trim(),
  event_types: v.mode === "all" ? [] : v.event_types,
});

export function validateEndpoint(v: EndpointValues) {
  return {
    url: !v.url.trim() ? "Enter the URL Tollgate should send events to." : !isUrl(v.url) ? "Enter a full URL, like https://example.com/webhooks/tollgate." : undefined,
    description: v.description.trim().length > 500 ? "Keep the description under 500 characters." : undefined,
    event_types: v.mode === "selected" && v.event_types.length === 0 ? "Choose at least one event, or send all events." : undefined,
  };
}

type FormLike = {
  values: EndpointValues;
  errors: Partial<Record<string, string>>;
  setValue: <K extends keyof EndpointValues>(name: K, value: EndpointValues[K]) => void;
};

/** URL, description and the event filter ("All events" or a choice from the catalogue). */
export function EndpointFields({ form, eventTypes }: { form: FormLike; eventTypes: readonly WebhookEventType[] | undefined }) {
  const id = useId();
  const errorId = `${id}-events-error`;
  const { values, errors, setValue } = form;
  const toggle = (type: string, on: boolean) => {
    const rest = values.event_types.filter((t) => t !== type);
    setValue("event_types", on ? [...rest, type] : rest);
  };
  return (
    <>
      <Field label="URL" error={errors.url} hint="Tollgate POSTs each event here as signed JSON (Standard Webhooks). Public https:// addresses only.">
        {(p) => <Input {...p} type="url" inputMode="url" autoComplete="off" value={values.url} onChange={(e) => setValue("url", e.target.value)} placeholder="https://example.com/webhooks/tollgate" />}
      </Field>
      <Field label="Description (optional)" error={errors.description}>
        {(p) => <Textarea {...p} rows={2} value={values.description} onChange={(e) => setValue("description", e.target.value)} placeholder="What receives these events" />}
      </Field>
      <fieldset className="m-0 grid min-w-0 gap-2 border-0 p-0" aria-describedby={errors.event_types ? errorId : undefined}>
        <legend className="mb-1 text-sm font-medium">Events</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name={`${id}-mode`} className="size-4 accent-primary" checked={values.mode === "all"} onChange={() => setValue("mode", "all")} />
          All events <span className="text-xs text-muted-foreground">(including ones added later)</span>
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name={`${id}-mode`} className="size-4 accent-primary" checked={values.mode === "selected"} onChange={() => setValue("mode", "selected")} />
          Only selected events
        </label>
        {values.mode === "selected" ? (
          eventTypes ? (
            <div role="group" aria-label="Event types" className="grid max-h-64 gap-x-4 gap-y-1.5 overflow-y-auto rounded-md border p-3 sm:grid-cols-2">
              {eventTypes.map((t) => (
                <label key={t.type} className="flex items-start gap-2 text-sm" title={t.description}>
                  <input type="checkbox" className="mt-0.5 size-4 shrink-0 accent-primary" checked={values.event_types.includes(t.type)} onChange={(e) => toggle(t.type, e.target.checked)} />
                  <span className="min-w-0">
                    {t.label}
                    <span className="block font-mono text-xs text-muted-foreground break-all">{t.type}</span>
                  </span>
                </label>
              ))}
            </div>
          ) : (
            <p className="text-sm text-muted-foreground" role="status">
              Loading the event list…
            </p>
          )
        ) : null}
        {errors.event_types ? (
          <p id={errorId} className="text-xs font-medium text-destructive">
            {errors.event_types}
          </p>
        ) : null}
      </fieldset>
    </>
  );
}

/** A signing secret, shown once, with a copy button and an explicit "I have copied it". */
export function SecretDialog({ secret, url, note, onDone }: { secret: string | null; url?: string; note?: string; onDone: () => void }) {
  return (
    <Dialog
      open={!!secret}
      onClose={onDone}
      title="Copy the signing secret"
      description="This is the only time the secret is shown. Your receiver verifies the webhook-signature header of every event with it."
      footer={<Button onClick={onDone}>I have copied it</Button>}
    >
      {secret ? (
        <div className="grid gap-3">
          {url ? (
            <div className="flex min-w-0 items-center gap-2">
              <KeyRound className="size-4 shrink-0 text-muted-foreground" aria-hidden />
              <span className="min-w-0 font-medium break-all">{url}</span>
            </div>
          ) : null}
          <div className="flex items-center gap-2">
            <code data-testid="webhook-secret" className="min-w-0 flex-1 break-all rounded-md border bg-muted px-3 py-2 font-mono text-xs">
              {secret}
            </code>
            <CopyButton value={secret} label="Copy secret" />
          </div>
          {note ? <p className="text-sm text-muted-foreground">{note}</p> : null}
        </div>
      ) : null}
    </Dialog>
  );
}
