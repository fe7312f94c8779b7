import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CreditCard, MoreVertical, Unplug } from "lucide-react";
import { api } from "@/api/client";
import { errorMessage, unwrap } from "@/api/errors";
import { CopyButton } from "@/components/copy-button";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { PageHeader } from "@/components/layout/admin-layout";
import { ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Menu } from "@/components/ui/menu";
import { useToast } from "@/components/ui/toast";
import { cn, formatDateTime } from "@/lib/utils";
import { CrmConnectors, crmKey } from "./crm-connectors";
import { leave } from "./leave";
import { ContactTypeSection } from "@/features/accounts/contact-type-form";
import { AdvancedOptions } from "./stripe-advanced";
import { WebhookInbox } from "./stripe-inbox";
import { WriteOnly } from "@/features/auth/permissions";

const stripeKey = ["connectors", "stripe"] as const;

export { leave };

/** Where the OAuth callbacks send the browser back: /settings/connectors?keap=… or ?stripe=connected|denied|error. */
const outcomes: Record<"keap" | "stripe", Record<string, [string, "default" | "error"]>> = {
  keap: {
    connected: ["Keap connected. The first sync is running.", "default"],
    denied: ["Keap was not connected: access was not allowed in Keap.", "error"],
    error: ["Keap could not be connected. Try again, or use a personal access token.", "error"],
  },
  stripe: {
    connected: ["Stripe connected.", "default"],
    denied: ["Stripe was not connected: access was not allowed in Stripe.", "error"],
    error: ["Stripe could not be connected. Try again, or connect with a secret key.", "error"],
  },
};

export function ConnectorsPage() {
  const stripe = useQuery({ queryKey: stripeKey, queryFn: () => unwrap(api.GET("/api/v1/connectors/stripe")) });
  const [connecting, setConnecting] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const qc = useQueryClient();
  const toast = useToast();
  const [params, setParams] = useSearchParams();
  const keap = params.get("keap");
  const stripeOutcome = params.get("stripe");
  const told = useRef(false);
  useEffect(() => {
    const which = keap ? "keap" : stripeOutcome ? "stripe" : null;
    if (!which || told.current) return;
    told.current = true;
    const value = (which === "keap" ? keap : stripeOutcome) ?? "error";
    const [message, tone] = outcomes[which][value] ?? outcomes[which].error!;
    toast(message, tone);
    if (value === "connected") void qc.invalidateQueries({ queryKey: which === "keap" ? crmKey : stripeKey });
    setParams(
      (p) => {
        p.delete(which);
        return p;
      },
      { replace: true },
    );
  }, [keap, stripeOutcome, toast, qc, setParams]);
  const disconnect = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/connectors/stripe")),
    onSuccess: () => {
      setDisconnecting(false);
      toast("Stripe disconnected.");
      void qc.invalidateQueries({ queryKey: stripeKey });
    },
    onError: (e) => toast(errorMessage(e), "error"),
  });
  const s = stripe.data;
  // "Connect with Stripe" (Connect OAuth) only when the server has a client id; the authorize URL is fetched on click.
  const oauth = useMutation({
    mutationFn: () => unwrap(api.GET("/api/v1/connectors/stripe/oauth/start")),
    onSuccess: ({ url }) => leave.go(url),
    onError: (e) => toast(errorMessage(e), "error"),
  });

  return (
    <>
      <PageHeader title="Connectors" description="Automate access and take payments with the services you already use." />
      <div className="grid gap-4 md:grid-cols-2">
        <Card className={cn("flex min-w-0 flex-col", s?.connected && "border-emerald-300 bg-emerald-50/40")}>
          <CardHeader className="flex-row items-start gap-3">
            <span className={cn("flex size-10 shrink-0 items-center justify-center rounded-lg text-white", s?.connected ? "bg-emerald-600" : "bg-indigo-600")}>
              <CreditCard className="size-5" />
            </span>
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-center gap-2">
                <CardTitle>Stripe</CardTitle>
                {s ? s.connected ? <Badge variant="success">Connected</Badge> : <Badge variant="outline">Not connected</Badge> : null}
                {s?.connected && s.mode ? <Badge variant={s.mode === "live" ? "default" : "warning"}>{s.mode} mode</Badge> : null}
              </div>
              <CardDescription>
                {s?.connected ? (
                  <>
                    Connected to <span className="font-medium text-foreground">{s.display_name || s.account_id || "Stripe"}</span>
                  </>
                ) : (
                  "Sync products, sell through Stripe Checkout, and grant or remove access as subscriptions change."
                )}
              </CardDescription>
            </div>
            {s?.connected ? (
              <WriteOnly>
              <Menu
                label="Stripe options"
                trigger={<MoreVertical className="size-4" />}
                items={[{ label: "Disconnect", destructive: true, icon: <Unplug />, onSelect: () => setDisconnecting(true) }]}
              />
              </WriteOnly>
            ) : null}
          </CardHeader>
          <CardContent className="flex-1 text-sm">
            {stripe.isPending ? (
              <LoadingRows rows={1} />
            ) : stripe.isError ? (
              <ErrorState title="Could not load the Stripe connection" error={stripe.error} onRetry={() => void stripe.refetch()} />
            ) : s?.connected ? (
              <div className="grid gap-2">
              <dl className="grid gap-2">
                <div>
                  <dt className="text-muted-foreground">Account</dt>
                  <dd className="break-all">
                    {s.display_name || "Stripe account"} {s.account_id ? <span className="text-muted-foreground">({s.account_id})</span> : null}
                  </dd>
                </div>
                {s.connected_at ? (
                  <div>
                    <dt className="text-muted-foreground">Connected</dt>
                    <dd>{formatDateTime(s.connected_at)}</dd>
                  </div>
                ) : null}
                <div className="min-w-0">
                  <dt className="text-muted-foreground">Webhook URL {s.webhook_mode === "manual" ? "(added in Stripe by you)" : "(registered by Tollgate)"}</dt>
                  <dd className="mt-1 flex items-center gap-2">
                    <code className="min-w-0 flex-1 truncate rounded-md border bg-muted px-2 py-1.5 text-xs" title={s.webhook_url}>
                      {s.webhook_url}
                    </code>
                    <CopyButton value={s.webhook_url} label="Copy webhook URL" />
                  </dd>
                </div>
              </dl>
                <p className="text-muted-foreground">Link products to Stripe products from each product&apos;s Info tab.</p>
                <ContactTypeSection />
                <AdvancedOptions />
              </div>
            ) : (
              <p className="text-muted-foreground">
                Stripe is not connected. Once connected, purchases of linked Stripe products grant access automatically, and purchases, subscriptions started and
                cancelled show in the Activities feed.
              </p>
            )}
          </CardContent>
          {s && !s.connected ? (
            <CardFooter className="flex-wrap">
              <WriteOnly>
              {s.oauth_available ? (
                <Button loading={oauth.isPending || oauth.isSuccess} onClick={() => oauth.mutate()}>
                  Connect with Stripe
                </Button>
              ) : null}
              <Button variant={s.oauth_available ? "outline" : "default"} onClick={() => setConnecting(true)}>
                {s.oauth_available ? "Use a secret key" : "Connect Stripe"}
              </Button>
              </WriteOnly>
            </CardFooter>
          ) : null}
        </Card>
      </div>
      {s?.connected ? <WebhookInbox /> : null}
      <section aria-labelledby="crm-heading" className="mt-8 grid gap-3">
        <div>
          <h2 id="crm-heading" className="text-lg font-semibold">
            CRM
          </h2>
          <p className="text-sm text-muted-foreground">Each product gets a tag in your CRM: a contact with the tag has access, and members who get access here get the tag there.</p>
        </div>
        <div className="grid items-start gap-4 lg:grid-cols-2">
          <CrmConnectors />
        </div>
      </section>
      {connecting ? <ConnectStripeDialog onClose={() => setConnecting(false)} /> : null}
      <Dialog
        open={disconnecting}
        onClose={() => setDisconnecting(false)}
        title="Disconnect Stripe?"
        description="Tollgate stops receiving Stripe events and removes the webhook endpoint it registered. Product links and existing access stay."
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
    </>
  );
}

type ConnectValues = { secret_key: string; webhook_secret: string };
export const validateConnect = (v: ConnectValues) => ({
  secret_key: !v.secret_key.trim() ? "Paste a secret key." : !/^(sk|rk)_/.test(v.secret_key.trim()) ? "Stripe secret keys start with sk_ or rk_." : undefined,
  webhook_secret: v.webhook_secret.trim() && !v.webhook_secret.trim().startsWith("whsec_") ? "Signing secrets start with whsec_." : undefined,
});

function ConnectStripeDialog({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const form = useForm<ConnectValues>({ secret_key: "", webhook_secret: "" }, validateConnect);
  const onSubmit = form.handleSubmit(async (v) => {
    const s = await unwrap(
      api.POST("/api/v1/connectors/stripe/connect", { body: { secret_key: v.secret_key.trim(), webhook_secret: v.webhook_secret.trim() || null } }),
    );
    qc.setQueryData(stripeKey, s);
    toast(`Connected to ${s.display_name || "Stripe"}.`);
    onClose();
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title="Connect Stripe"
      description="Use a secret or restricted key from the Stripe dashboard (Developers → API keys). It is stored encrypted."
      footer={
        <>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="connect-stripe" loading={form.submitting}>
            Connect
          </Button>
        </>
      }
    >
      <form id="connect-stripe" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Secret key" error={form.errors.secret_key}>
          {(p) => <Input {...p} type="password" autoComplete="off" placeholder="sk_live_…" value={form.values.secret_key} onChange={(e) => form.setValue("secret_key", e.target.value)} />}
        </Field>
        <Field
          label="Webhook signing secret (optional)"
          error={form.errors.webhook_secret}
          hint="Leave empty and Tollgate registers its webhook endpoint in Stripe for you."
        >
          {(p) => <Input {...p} type="password" autoComplete="off" placeholder="whsec_…" value={form.values.webhook_secret} onChange={(e) => form.setValue("webhook_secret", e.target.value)} />}
        </Field>
      </form>
    </Dialog>
  );
}
