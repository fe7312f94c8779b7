import { useId, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { ChevronLeft, History, KeyRound, Send, Trash2 } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { WebhookEndpoint, WebhookEventType } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { PageHeader } from "@/components/layout/admin-layout";
import { ErrorState, LoadingRows } from "@/components/states";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Input, Label, Select } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { useCanWrite, WriteFieldset, WriteOnly } from "@/features/auth/permissions";
import { cn, formatDateTime } from "@/lib/utils";
import {
  eventLabel,
  explainEndpointError,
  toLocalInput,
  useDeleteEndpoint,
  useEndpoint,
  useEventTypes,
  useReplay,
  useRotateSecret,
  useSendTest,
  useUpdateEndpoint,
} from "./api";
import { DeliveryLog } from "./delivery-log";
import { EndpointFields, EndpointStatusPill, SecretDialog, endpointBody, endpointValues, validateEndpoint, type EndpointValues } from "./parts";

export function EndpointDetailPage() {
  const { id = "" } = useParams();
  const endpoint = useEndpoint(id);
  const eventTypes = useEventTypes();
  // Viewers get no action cards: the settings take the whole width.
  const canWrite = useCanWrite();

  const back = (
    <ButtonLink to="/settings/webhooks" variant="link" size="sm" className="h-auto w-fit px-0 text-muted-foreground">
      <ChevronLeft /> Webhooks
    </ButtonLink>
  );
  if (endpoint.isPending) return <LoadingRows rows={6} label="Loading endpoint" />;
  if (endpoint.isError)
    return (
      <>
        {back}
        <ErrorState title="Could not load this endpoint" error={endpoint.error} onRetry={() => void endpoint.refetch()} />
      </>
    );
  const e = endpoint.data;
  const zapier = e.kind === "zapier";

  return (
    <>
      <PageHeader
        back={back}
        title={<span className="break-all">{e.url}</span>}
        description={zapier ? "Zapier hook (unsigned), managed by Zapier." : e.description || "Webhook endpoint"}
        actions={<EndpointStatusPill endpoint={e} />}
      />
      <div className={cn("grid gap-4", canWrite && "lg:grid-cols-[minmax(0,1fr)_20rem]")}>
        <div className="grid min-w-0 content-start gap-4">
          {zapier ? <ZapierCard endpoint={e} eventTypes={eventTypes.data} /> : <SettingsCard key={e.id} endpoint={e} eventTypes={eventTypes.data} />}
          {zapier ? null : <SecretCard endpoint={e} />}
        </div>
        <div className="grid min-w-0 content-start gap-4">
          <WriteOnly>
            {zapier ? null : <StatusCard endpoint={e} />}
            <TestCard endpoint={e} eventTypes={eventTypes.data} />
            <ReplayCard endpoint={e} />
            <DeleteCard endpoint={e} />
          </WriteOnly>
        </div>
      </div>
      <div className="mt-4">
        <DeliveryLog endpointId={e.id} enabled={e.enabled} eventTypes={eventTypes.data} />
      </div>
    </>
  );
}

function SettingsCard({ endpoint, eventTypes }: { endpoint: WebhookEndpoint; eventTypes: readonly WebhookEventType[] | undefined }) {
  const update = useUpdateEndpoint(endpoint.id);
  const toast = useToast();
  const form = useForm<EndpointValues>(endpointValues(endpoint), validateEndpoint);
  const onSubmit = form.handleSubmit(async (v) => {
    let saved: WebhookEndpoint;
    try {
      saved = await update.mutateAsync(endpointBody(v));
    } catch (err) {
      throw explainEndpointError(err);
    }
    form.reset(endpointValues(saved));
    toast("Endpoint saved.");
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Endpoint</CardTitle>
        <CardDescription>Where Tollgate sends events, and which ones.</CardDescription>
      </CardHeader>
      <form onSubmit={onSubmit} noValidate>
        <CardContent>
          <WriteFieldset>
            <FormError message={form.formError} />
            <EndpointFields form={form} eventTypes={eventTypes} />
          </WriteFieldset>
        </CardContent>
        <WriteOnly>
          <CardFooter>
            <Button type="submit" loading={form.submitting}>
              Save changes
            </Button>
          </CardFooter>
        </WriteOnly>
      </form>
    </Card>
  );
}

function ZapierCard({ endpoint, eventTypes }: { endpoint: WebhookEndpoint; eventTypes: readonly WebhookEventType[] | undefined }) {
  const t = endpoint.event_types[0];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Zapier hook</CardTitle>
        <CardDescription>Zapier subscribed this URL when a Zap was turned on, and removes it when the Zap is turned off. It is not signed.</CardDescription>
      </CardHeader>
      <CardContent>
        <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-muted-foreground">Event</dt>
          <dd>{t ? eventLabel(eventTypes, t) : "All events"}</dd>
          <dt className="text-muted-foreground">Target</dt>
          <dd className="min-w-0 font-mono text-xs break-all">{endpoint.url}</dd>
          <dt className="text-muted-foreground">Added</dt>
          <dd>{formatDateTime(endpoint.created_at)}</dd>
        </dl>
      </CardContent>
    </Card>
  );
}

function StatusCard({ endpoint: e }: { endpoint: WebhookEndpoint }) {
  const update = useUpdateEndpoint(e.id);
  const toast = useToast();
  const id = useId();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Status</CardTitle>
        <CardDescription>
          {e.enabled
            ? "Turning it off stops sending; deliveries waiting for it fail (replay them later)."
            : "Turning it on again clears the failure streak. Replay what failed meanwhile below."}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <div className="flex items-center justify-between gap-3">
          <Label htmlFor={id}>Enabled</Label>
          <Switch
            id={id}
            aria-label="Enabled"
            checked={e.enabled}
            disabled={update.isPending}
            onCheckedChange={(on) =>
              update.mutate(
                { enabled: on },
                {
                  onSuccess: () => toast(on ? "Endpoint enabled." : "Endpoint disabled."),
                  onError: (err) => toast(errorMessage(err), "error"),
                },
              )
            }
          />
        </div>
      </CardContent>
    </Card>
  );
}

function SecretCard({ endpoint: e }: { endpoint: WebhookEndpoint }) {
  const rotate = useRotateSecret(e.id);
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [secret, setSecret] = useState<{ secret: string; until: string | null | undefined } | null>(null);
  const overlap = e.previous_secret_expires_at && Date.parse(e.previous_secret_expires_at) > Date.now() ? e.previous_secret_expires_at : null;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Signing secret</CardTitle>
        <CardDescription>Receivers check each event's webhook-signature header with this endpoint's secret (whsec_…). It is shown only when it is made.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3 text-sm">
        {overlap ? <p>The previous secret also signs until {formatDateTime(overlap)}.</p> : null}
        <WriteOnly>
          <Button variant="outline" className="w-fit" onClick={() => setConfirming(true)}>
            <KeyRound /> Rotate secret
          </Button>
        </WriteOnly>
      </CardContent>
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title="Rotate the signing secret?"
        description="Tollgate makes a new secret and shows it once. The old one keeps signing beside it for 24 hours, so your receiver can switch over without missing events."
        footer={
          <>
            <Button variant="outline" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button
              loading={rotate.isPending}
              onClick={() =>
                rotate.mutate(undefined, {
                  onSuccess: (r) => {
                    setConfirming(false);
                    setSecret({ secret: r.secret, until: r.previous_secret_expires_at });
                  },
                  onError: (err) => toast(errorMessage(err), "error"),
                })
              }
            >
              Rotate secret
            </Button>
          </>
        }
      />
      <SecretDialog
        secret={secret?.secret ?? null}
        url={e.url}
        note={`The old secret keeps signing beside this one for 24 hours${secret?.until ? ` (until ${formatDateTime(secret.until)})` : ""}: update your receiver before then.`}
        onDone={() => setSecret(null)}
      />
    </Card>
  );
}

function TestCard({ endpoint: e, eventTypes }: { endpoint: WebhookEndpoint; eventTypes: readonly WebhookEventType[] | undefined }) {
  const [type, setType] = useState("user.created");
  const send = useSendTest(e.id);
  const toast = useToast();
  const id = useId();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Send test event</CardTitle>
        <CardDescription>A made-up event with data.test = true, sent to this endpoint whatever its event filter. It shows up in the delivery log.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        <div className="grid gap-1.5">
          <Label htmlFor={id}>Event to send</Label>
          <Select id={id} value={type} onChange={(ev) => setType(ev.target.value)}>
            {(eventTypes ?? [{ type: "user.created", label: "User Created", description: "" }]).map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </Select>
        </div>
        <Button
          variant="outline"
          className="w-fit"
          disabled={!e.enabled}
          loading={send.isPending}
          onClick={() =>
            send.mutate(type, {
              onSuccess: () => toast("Test event queued."),
              onError: (err) => toast(errorMessage(err), "error"),
            })
          }
        >
          <Send /> Send test event
        </Button>
        {!e.enabled ? <p className="text-xs text-muted-foreground">Enable the endpoint to send it events.</p> : null}
      </CardContent>
    </Card>
  );
}

function ReplayCard({ endpoint: e }: { endpoint: WebhookEndpoint }) {
  const replay = useReplay(e.id);
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 864e5)));
  const [error, setError] = useState<string | undefined>();
  const [result, setResult] = useState<string | null>(null);
  const toast = useToast();
  const onReplay = () => {
    const d = new Date(since);
    if (!since || Number.isNaN(d.getTime())) {
      setError("Choose a date and time.");
      return;
    }
    setError(undefined);
    setResult(null);
    replay.mutate(d.toISOString(), {
      onSuccess: ({ queued }) =>
        setResult(queued === 0 ? "No failed deliveries since then." : `Queued ${queued} failed ${queued === 1 ? "delivery" : "deliveries"} again.`),
      onError: (err) => toast(errorMessage(err), "error"),
    });
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Replay failed deliveries</CardTitle>
        <CardDescription>Sends again every failed delivery created since a time, with the same webhook-id (receivers can deduplicate).</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        <Field label="Failed since" error={error}>
          {(p) => <Input {...p} type="datetime-local" value={since} onChange={(ev) => setSince(ev.target.value)} />}
        </Field>
        <Button variant="outline" className="w-fit" disabled={!e.enabled} loading={replay.isPending} onClick={onReplay}>
          <History /> Replay failed since…
        </Button>
        {!e.enabled ? <p className="text-xs text-muted-foreground">Enable the endpoint to replay to it.</p> : null}
        {result ? (
          <p role="status" className="text-sm">
            {result}
          </p>
        ) : null}
      </CardContent>
    </Card>
  );
}

function DeleteCard({ endpoint: e }: { endpoint: WebhookEndpoint }) {
  const [open, setOpen] = useState(false);
  const remove = useDeleteEndpoint();
  const navigate = useNavigate();
  const toast = useToast();
  const zapier = e.kind === "zapier";
  const what = zapier ? "hook" : "endpoint";
  return (
    <Card className="border-red-200">
      <CardHeader>
        <CardTitle>Danger zone</CardTitle>
        <CardDescription>Tollgate stops sending to it at once; deliveries waiting for it fail.</CardDescription>
      </CardHeader>
      <CardFooter>
        <Button variant="destructive" onClick={() => setOpen(true)}>
          <Trash2 /> {zapier ? "Remove hook" : "Delete endpoint"}
        </Button>
      </CardFooter>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={zapier ? "Remove this Zapier hook?" : "Delete this endpoint?"}
        description={<span className="break-all">Tollgate stops sending to {e.url}. This cannot be undone.</span>}
        footer={
          <>
            <Button variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button
              variant="destructive"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(e, {
                  onSuccess: () => {
                    toast(zapier ? "Zapier hook removed." : "Endpoint deleted.");
                    navigate("/settings/webhooks", { replace: true });
                  },
                  onError: (err) => toast(errorMessage(err), "error"),
                })
              }
            >
              {zapier ? "Remove" : "Delete"} {what}
            </Button>
          </>
        }
      />
    </Card>
  );
}
