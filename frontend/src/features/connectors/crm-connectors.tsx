import { useEffect, useId, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Check, Contact, RefreshCw, Unplug } from "lucide-react";
import { api } from "@/api/client";
import { ApiError, errorMessage, unwrap } from "@/api/errors";
import type { CrmConnector, CrmKind, CrmTagMapping } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { problemMessage } from "@/lib/problem-messages";
import { cn, formatDateTime } from "@/lib/utils";
import { WriteFieldset, WriteOnly } from "@/features/auth/permissions";
import { leave } from "./leave";

export const crmKey = ["connectors", "crm"] as const;
const tagsKey = (kind: CrmKind) => [...crmKey, kind, "tags"] as const;
const POLL_MS = 2000;
/** How long after connecting the card keeps polling for the first sync at most. */
const FIRST_SYNC_WINDOW_MS = 5 * 60_000;

/** Connected, and the sync queued by connecting has neither finished nor failed yet. */
export function awaitingFirstSync(c: CrmConnector, now = Date.now()): boolean {
  if (!c.connected || !c.connected_at) return false;
  const connected = Date.parse(c.connected_at);
  if (now - connected > FIRST_SYNC_WINDOW_MS) return false;
  const after = (t: string | null | undefined) => !!t && Date.parse(t) >= connected;
  return !after(c.last_sync_at) && !after(c.last_error_at);
}

/** The CRM connector cards (ActiveCampaign, Keap) of the Connectors page. */
export function CrmConnectors() {
  // A "Sync now" job per CRM, watched until it finishes.
  const [jobs, setJobs] = useState<Partial<Record<CrmKind, string>>>({});
  const watching = Object.values(jobs).some(Boolean);
  const crms = useQuery({
    queryKey: crmKey,
    queryFn: () => unwrap(api.GET("/api/v1/connectors/crm")),
    refetchInterval: (q) => (watching || (q.state.data?.data ?? []).some((c) => awaitingFirstSync(c)) ? POLL_MS : false),
  });
  if (crms.isPending) return <LoadingRows rows={2} label="Loading CRM connectors" />;
  if (crms.isError) return <ErrorState title="Could not load the CRM connectors" error={crms.error} onRetry={() => void crms.refetch()} />;
  return (
    <>
      {crms.data.data.map((c) => (
        <CrmCard
          key={c.kind}
          card={c}
          polling={watching || awaitingFirstSync(c)}
          jobId={jobs[c.kind]}
          onJob={(id) => setJobs((j) => ({ ...j, [c.kind]: id }))}
        />
      ))}
    </>
  );
}

function StatusPill({ card }: { card: CrmConnector }) {
  if (!card.connected) return <Badge variant="outline">Not connected</Badge>;
  return (
    <>
      <Badge variant="success">Connected</Badge>
      {card.last_error ? <Badge variant="destructive">Error</Badge> : null}
    </>
  );
}

export function CrmCard({ card, polling = false, jobId, onJob }: { card: CrmConnector; polling?: boolean; jobId?: string; onJob?: (id: string | undefined) => void }) {
  const titleId = useId();
  const qc = useQueryClient();
  const toast = useToast();
  const [disconnecting, setDisconnecting] = useState(false);
  const c = card;

  // "Sync now": the queued job is watched until it finishes, then the card and the mapping reload.
  const job = useQuery({
    queryKey: ["jobs", jobId],
    queryFn: () => unwrap(api.GET("/api/v1/jobs/{id}", { params: { path: { id: jobId! } } })),
    enabled: !!jobId,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "succeeded" || q.state.data.status === "dead") ? false : POLL_MS),
  });
  const jobStatus = job.data?.status;
  useEffect(() => {
    if (!jobId || !jobStatus || (jobStatus !== "succeeded" && jobStatus !== "dead")) return;
    onJob?.(undefined);
    void qc.invalidateQueries({ queryKey: crmKey });
    if (jobStatus === "dead") toast(`The ${c.label} sync failed. See its last error on the card.`, "error");
  }, [jobId, jobStatus, onJob, qc, toast, c.label]);
  const sync = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/connectors/crm/{kind}/sync", { params: { path: { kind: c.kind } } })),
    onSuccess: (r) => {
      toast(`${c.label} sync started.`);
      if (r.job_id) onJob?.(r.job_id);
      else void qc.invalidateQueries({ queryKey: crmKey });
    },
    onError: (e) => toast(errorMessage(e), "error"),
  });
  const disconnect = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/connectors/crm/{kind}", { params: { path: { kind: c.kind } } })),
    onSuccess: () => {
      setDisconnecting(false);
      toast(`${c.label} disconnected.`);
      void qc.invalidateQueries({ queryKey: crmKey });
    },
    onError: (e) => toast(errorMessage(e), "error"),
  });
  const syncing = sync.isPending || !!jobId;
  // A sync that finished (or a count that moved) between two polls of the mapping: reload the mapping once more,
  // else the card could stop polling with tags still shown as pending.
  const synced = `${c.last_sync_at}|${c.last_error_at}|${c.mapped_tags}`;
  const seen = useRef(synced);
  useEffect(() => {
    if (seen.current === synced) return;
    seen.current = synced;
    void qc.invalidateQueries({ queryKey: tagsKey(c.kind) });
  }, [synced, qc, c.kind]);

  return (
    <Card role="region" aria-labelledby={titleId} className={cn("flex min-w-0 flex-col", c.connected && !c.last_error && "border-emerald-300 bg-emerald-50/40")}>
      <CardHeader className="flex-row items-start gap-3">
        <span className={cn("flex size-10 shrink-0 items-center justify-center rounded-lg text-white", c.connected ? "bg-emerald-600" : "bg-slate-600")}>
          <Contact className="size-5" />
        </span>
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <CardTitle id={titleId}>{c.label}</CardTitle>
            <StatusPill card={c} />
          </div>
          <CardDescription>
            {c.connected ? (
              <>
                Connected to <span className="font-medium text-foreground">{c.account_name || c.label}</span>
              </>
            ) : c.account_name ? (
              <>
                Last connected to <span className="font-medium text-foreground">{c.account_name}</span>; connecting that account again resumes its tags.
              </>
            ) : (
              "Give access when a contact gets a product's tag in the CRM, and tag contacts when they get access here."
            )}
          </CardDescription>
        </div>
      </CardHeader>
      <CardContent className="grid flex-1 gap-4 text-sm">
        <Status card={c} syncing={syncing || polling} />
        {c.connected ? (
          <>
            <OptionsForm card={c} />
            <TagMapping kind={c.kind} label={c.label} polling={polling} />
          </>
        ) : (
          <WriteOnly fallback={<p className="text-muted-foreground">{c.label} is not connected.</p>}>
            {c.kind === "activecampaign" ? <ConnectForm card={c} withUrl /> : <ConnectForm card={c} />}
          </WriteOnly>
        )}
      </CardContent>
      {c.connected ? (
        <WriteOnly>
          <CardFooter className="flex-wrap">
            <Button variant="outline" loading={syncing} onClick={() => sync.mutate()}>
              <RefreshCw /> Sync now
            </Button>
            <Button variant="ghost" className="text-destructive" onClick={() => setDisconnecting(true)}>
              <Unplug /> Disconnect
            </Button>
          </CardFooter>
        </WriteOnly>
      ) : null}
      <Dialog
        open={disconnecting}
        onClose={() => setDisconnecting(false)}
        title={`Disconnect ${c.label}?`}
        description="Tollgate deletes its webhooks in the CRM and forgets the key. The product tags and the access already given stay; connecting the same account again resumes."
        footer={
          <>
            <Button variant="outline" onClick={() => setDisconnecting(false)}>
              Cancel
            </Button>
            <Button variant="destructive" loading={disconnect.isPending} onClick={() => disconnect.mutate()}>
              Disconnect
            </Button>
          </>
        }
      />
    </Card>
  );
}

function Status({ card: c, syncing }: { card: CrmConnector; syncing: boolean }) {
  const never = c.connected ? (syncing ? "Syncing…" : "Not yet") : "Never";
  return (
    <dl className="grid gap-2 sm:grid-cols-2">
      {c.connected ? (
        <div className="min-w-0">
          <dt className="text-muted-foreground">Account</dt>
          <dd className="break-all">
            {c.account_name || c.label} {c.account_id ? <span className="text-muted-foreground">({c.account_id})</span> : null}
            {c.auth === "oauth" ? <span className="text-muted-foreground"> · via OAuth</span> : null}
          </dd>
        </div>
      ) : null}
      <div>
        <dt className="text-muted-foreground">Last sync</dt>
        <dd>{c.last_sync_at ? formatDateTime(c.last_sync_at) : never}</dd>
      </div>
      {c.last_error ? (
        <div className="sm:col-span-2">
          <dt className="text-muted-foreground">Last error{c.last_error_at ? ` (${formatDateTime(c.last_error_at)})` : ""}</dt>
          <dd className="break-words font-medium text-red-700">{c.last_error}</dd>
        </div>
      ) : null}
      <div className="sm:col-span-2">
        <dt className="sr-only">Counts</dt>
        <dd className="flex flex-wrap gap-2">
          <Badge>{count(c.mapped_tags, "tag")}</Badge>
          <Badge>{count(c.linked_contacts, "contact")}</Badge>
          <Badge>{count(c.open_grants, "grant")}</Badge>
        </dd>
      </div>
      {c.connected ? (
        <div className="sm:col-span-2">
          <dt className="sr-only">Webhooks</dt>
          <dd className={c.webhooks_registered ? "text-muted-foreground" : "text-amber-800"}>
            {c.webhooks_registered ? "Webhooks registered: changes in the CRM arrive at once." : "Webhooks not registered — syncing every 15 minutes."}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** 409 crm_account_changed speaks API ("Send confirm_new_account: true…"); the button below says that. */
const accountChangedMessage = (e: ApiError) => problemMessage(undefined, e.message.replace(/[.;]?\s*send confirm_new_account.*$/i, ""));

type ConnectValues = { api_url: string; api_key: string };

function ConnectForm({ card: c, withUrl = false }: { card: CrmConnector; withUrl?: boolean }) {
  const qc = useQueryClient();
  const toast = useToast();
  const keyLabel = withUrl ? "API key" : "Personal access token";
  const form = useForm<ConnectValues>({ api_url: c.api_url ?? "", api_key: "" }, (v) => ({
    api_url: withUrl && !v.api_url.trim() ? "Paste the API URL from Settings → Developer." : undefined,
    api_key: !v.api_key.trim() ? (withUrl ? "Paste the API key." : "Paste a personal access token or service account key.") : undefined,
  }));
  const [changed, setChanged] = useState<string | null>(null);
  const connect = async (v: ConnectValues, confirm: boolean) => {
    try {
      const card = await unwrap(
        api.POST("/api/v1/connectors/crm/{kind}", {
          params: { path: { kind: c.kind } },
          body: { api_key: v.api_key.trim(), ...(withUrl ? { api_url: v.api_url.trim() } : {}), ...(confirm ? { confirm_new_account: true } : {}) },
        }),
      );
      setChanged(null);
      qc.setQueryData(crmKey, (old: { data: CrmConnector[] } | undefined) => (old ? { data: old.data.map((x) => (x.kind === card.kind ? card : x)) } : old));
      void qc.invalidateQueries({ queryKey: crmKey });
      toast(`Connected to ${card.account_name || c.label}. The first sync is running.`);
    } catch (e) {
      if (e instanceof ApiError && e.code === "crm_account_changed") {
        setChanged(accountChangedMessage(e));
        return;
      }
      throw e;
    }
  };
  const onSubmit = form.handleSubmit((v) => connect(v, false));
  const [confirming, setConfirming] = useState(false);
  const connectAnyway = async () => {
    setConfirming(true);
    try {
      await connect(form.values, true);
    } catch (e) {
      setChanged(null);
      form.applyError(e);
    } finally {
      setConfirming(false);
    }
  };
  const oauth = useMutation({
    mutationFn: () => unwrap(api.GET("/api/v1/connectors/crm/keap/oauth/start")),
    onSuccess: ({ url }) => leave.go(url),
    onError: (e) => toast(errorMessage(e), "error"),
  });
  const formId = useId();

  return (
    <div className="grid gap-3">
      {c.oauth_available ? (
        <div className="flex flex-wrap items-center gap-2">
          <Button loading={oauth.isPending || oauth.isSuccess} onClick={() => oauth.mutate()}>
            Connect with {c.label}
          </Button>
          <span className="text-muted-foreground">or use a key:</span>
        </div>
      ) : null}
      <form id={formId} onSubmit={onSubmit} noValidate className="grid gap-3" aria-label={`Connect ${c.label}`}>
        <FormError message={form.formError} />
        {changed ? (
          <div role="alert" className="grid gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
            <p>{changed}</p>
            <div className="flex gap-2">
              <Button size="sm" variant="destructive" loading={confirming} onClick={() => void connectAnyway()}>
                Connect anyway
              </Button>
              <Button size="sm" variant="outline" onClick={() => setChanged(null)}>
                Cancel
              </Button>
            </div>
          </div>
        ) : null}
        {withUrl ? (
          <Field label="API URL" error={form.errors.api_url} hint="In ActiveCampaign: Settings → Developer, e.g. https://youraccount.api-us1.com">
            {(p) => <Input {...p} type="url" autoComplete="off" placeholder="https://youraccount.api-us1.com" value={form.values.api_url} onChange={(e) => form.setValue("api_url", e.target.value)} />}
          </Field>
        ) : null}
        <Field label={keyLabel} error={form.errors.api_key} hint="Stored encrypted.">
          {(p) => <Input {...p} type="password" autoComplete="off" value={form.values.api_key} onChange={(e) => form.setValue("api_key", e.target.value)} />}
        </Field>
        <div>
          <Button type="submit" variant={c.oauth_available ? "outline" : "default"} loading={form.submitting}>
            Connect {c.label}
          </Button>
        </div>
      </form>
    </div>
  );
}

type OptionsValues = { tag_pattern: string; create_members: boolean; removal_revokes_all: boolean };

function OptionsForm({ card: c }: { card: CrmConnector }) {
  const qc = useQueryClient();
  const toast = useToast();
  const initial = { tag_pattern: c.options.tag_pattern, create_members: c.options.create_members, removal_revokes_all: c.options.removal_revokes_all };
  const form = useForm<OptionsValues>(initial, (v) => ({
    tag_pattern: !v.tag_pattern.includes("{product}") ? "The pattern needs {product}, where the product's name goes." : v.tag_pattern.length > 100 ? "Use at most 100 characters." : undefined,
  }));
  const dirty =
    form.values.tag_pattern !== c.options.tag_pattern || form.values.create_members !== c.options.create_members || form.values.removal_revokes_all !== c.options.removal_revokes_all;
  const onSubmit = form.handleSubmit(async (v) => {
    const card = await unwrap(api.PATCH("/api/v1/connectors/crm/{kind}", { params: { path: { kind: c.kind } }, body: v }));
    qc.setQueryData(crmKey, (old: { data: CrmConnector[] } | undefined) => (old ? { data: old.data.map((x) => (x.kind === card.kind ? card : x)) } : old));
    form.reset({ tag_pattern: card.options.tag_pattern, create_members: card.options.create_members, removal_revokes_all: card.options.removal_revokes_all });
    void qc.invalidateQueries({ queryKey: tagsKey(c.kind) });
    toast(`${c.label} options saved.`);
  });
  const box = "mt-0.5 size-4 shrink-0 accent-primary";
  return (
    <form onSubmit={onSubmit} noValidate aria-label={`${c.label} options`} className="rounded-md border bg-background p-3">
      <WriteFieldset className="m-0 grid min-w-0 gap-3 border-0 p-0">
        <FormError message={form.formError} />
        <Field label="Tag pattern" error={form.errors.tag_pattern} hint="The tag each product gets in the CRM; {product} stands for the product's name.">
          {(p) => <Input {...p} value={form.values.tag_pattern} onChange={(e) => form.setValue("tag_pattern", e.target.value)} />}
        </Field>
        <label className="flex items-start gap-2">
          <input type="checkbox" className={box} checked={form.values.create_members} onChange={(e) => form.setValue("create_members", e.target.checked)} />
          <span>Create a member when a contact who is not one gets a product&apos;s tag</span>
        </label>
        <label className="flex items-start gap-2">
          <input type="checkbox" className={box} checked={form.values.removal_revokes_all} onChange={(e) => form.setValue("removal_revokes_all", e.target.checked)} />
          <span>Removing a tag removes all access to the product (also from Stripe or manual grants)</span>
        </label>
        <div>
          <Button type="submit" size="sm" variant="outline" disabled={!dirty} loading={form.submitting}>
            Save options
          </Button>
        </div>
      </WriteFieldset>
    </form>
  );
}

function TagMapping({ kind, label, polling }: { kind: CrmKind; label: string; polling: boolean }) {
  const tags = useQuery({
    queryKey: tagsKey(kind),
    queryFn: () => unwrap(api.GET("/api/v1/connectors/crm/{kind}/tags", { params: { path: { kind } } })),
    refetchInterval: polling ? POLL_MS : false,
  });
  const [picking, setPicking] = useState<string | null>(null);
  return (
    <section aria-label={`${label} tags`} className="grid gap-2">
      <h4 className="font-medium">Product tags</h4>
      {tags.isPending ? (
        <LoadingRows rows={2} label="Loading tags" />
      ) : tags.isError ? (
        <ErrorState title="Could not load the tags" error={tags.error} onRetry={() => void tags.refetch()} />
      ) : tags.data.data.length === 0 ? (
        <p className="text-muted-foreground">No products yet. Each product gets a tag once it exists.</p>
      ) : (
        <Table aria-label={`${label} product tags`}>
          <THead>
            <TR>
              <TH>Product</TH>
              <TH>Tag</TH>
              <TH>
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {tags.data.data.map((t) => (
              <TagRow key={t.product_id} kind={kind} tag={t} picking={picking === t.product_id} onPick={(on) => setPicking(on ? t.product_id : null)} />
            ))}
          </TBody>
        </Table>
      )}
    </section>
  );
}

function TagRow({ kind, tag: t, picking, onPick }: { kind: CrmKind; tag: CrmTagMapping; picking: boolean; onPick: (on: boolean) => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const form = useForm<{ tag_name: string }>({ tag_name: t.tag_name ?? "" }, (v) => ({ tag_name: !v.tag_name.trim() ? "Enter a tag name." : undefined }));
  const onSubmit = form.handleSubmit(async (v) => {
    const saved = await unwrap(
      api.PUT("/api/v1/connectors/crm/{kind}/tags/{product_id}", { params: { path: { kind, product_id: t.product_id } }, body: { tag_name: v.tag_name.trim() } }),
    );
    qc.setQueryData(tagsKey(kind), (old: { data: CrmTagMapping[] } | undefined) => (old ? { data: old.data.map((x) => (x.product_id === saved.product_id ? saved : x)) } : old));
    void qc.invalidateQueries({ queryKey: crmKey });
    toast(`${t.product_name} now follows the tag “${saved.tag_name ?? v.tag_name.trim()}”.`);
    onPick(false);
  });
  return (
    <TR>
      <TD className="align-top font-medium">
        {t.product_name} {t.archived ? <Badge variant="outline">Archived</Badge> : null}
      </TD>
      <TD className="align-top">
        {picking ? (
          <form onSubmit={onSubmit} noValidate className="grid gap-2" aria-label={`Pick the tag of ${t.product_name}`}>
            <FormError message={form.formError} />
            <Field label={`Tag name for ${t.product_name}`} error={form.errors.tag_name} hint="An existing tag with this name is used; else it is created.">
              {(p) => <Input {...p} autoFocus value={form.values.tag_name} onChange={(e) => form.setValue("tag_name", e.target.value)} />}
            </Field>
            <div className="flex gap-2">
              <Button type="submit" size="sm" loading={form.submitting}>
                Use tag
              </Button>
              <Button size="sm" variant="outline" onClick={() => onPick(false)}>
                Cancel
              </Button>
            </div>
          </form>
        ) : (
          <div className="flex flex-wrap items-center gap-2">
            <span className="break-words">{t.tag_name ?? <span className="text-muted-foreground">Made at the next sync</span>}</span>
            {t.tag_id ? <span className="text-xs text-muted-foreground">#{t.tag_id}</span> : <Badge variant="warning">Pending</Badge>}
            {t.picked ? (
              <Badge variant="success" title="An admin picked this tag; it does not follow the pattern.">
                <Check className="size-3" aria-hidden /> Picked
              </Badge>
            ) : null}
          </div>
        )}
      </TD>
      <TD className="text-right align-top">
        {picking ? null : (
          <WriteOnly>
            <Button size="sm" variant="ghost" aria-label={`Pick tag for ${t.product_name}`} onClick={() => onPick(true)}>
              Pick tag
            </Button>
          </WriteOnly>
        )}
      </TD>
    </TR>
  );
}
