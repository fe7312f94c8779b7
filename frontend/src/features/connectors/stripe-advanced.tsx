import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronDown } from "lucide-react";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { Portal } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { isUrl, useForm } from "@/components/form/use-form";
import { ErrorState, LoadingRows } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { cn } from "@/lib/utils";
import { WriteFieldset } from "@/features/auth/permissions";

const portalKey = ["connectors", "stripe", "portal"] as const;

export type PortalValues = { enabled: boolean; privacy_policy_url: string; terms_of_service_url: string; allow_cancel: boolean };

/** Stripe requires both URLs before the Customer Portal can be turned on. */
export function validatePortal(v: PortalValues) {
  const url = (value: string, missing: string) => (!value.trim() ? (v.enabled ? missing : undefined) : !isUrl(value) ? "Enter a full URL (https://…)." : undefined);
  return {
    privacy_policy_url: url(v.privacy_policy_url, "Stripe requires a privacy policy URL to enable the portal."),
    terms_of_service_url: url(v.terms_of_service_url, "Stripe requires a terms of service URL to enable the portal."),
  };
}

/** "Advanced options" of the connected Stripe card: the Customer Portal. */
export function AdvancedOptions() {
  const [open, setOpen] = useState(false);
  const portal = useQuery({ queryKey: portalKey, queryFn: () => unwrap(api.GET("/api/v1/connectors/stripe/portal")), enabled: open });
  return (
    <div className="mt-2 rounded-md border bg-background">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        className="flex w-full items-center justify-between gap-2 px-3 py-2 text-left text-sm font-medium cursor-pointer"
      >
        Advanced options
        <ChevronDown className={cn("size-4 transition-transform", open && "rotate-180")} />
      </button>
      {open ? (
        <div className="border-t p-3">
          {portal.isPending ? (
            <LoadingRows rows={2} />
          ) : portal.isError ? (
            <ErrorState title="Could not load the portal settings" error={portal.error} onRetry={() => void portal.refetch()} />
          ) : (
            <PortalForm key={portal.dataUpdatedAt} portal={portal.data} />
          )}
        </div>
      ) : null}
    </div>
  );
}

export function PortalForm({ portal }: { portal: Portal }) {
  const qc = useQueryClient();
  const toast = useToast();
  const form = useForm<PortalValues>(
    {
      enabled: portal.enabled,
      privacy_policy_url: portal.privacy_policy_url ?? "",
      terms_of_service_url: portal.terms_of_service_url ?? "",
      allow_cancel: portal.allow_cancel,
    },
    validatePortal,
  );
  const v = form.values;
  const onSubmit = form.handleSubmit(async (values) => {
    const saved = await unwrap(
      api.PUT("/api/v1/connectors/stripe/portal", {
        body: {
          enabled: values.enabled,
          privacy_policy_url: values.privacy_policy_url.trim() || null,
          terms_of_service_url: values.terms_of_service_url.trim() || null,
          allow_cancel: values.allow_cancel,
        },
      }),
    );
    qc.setQueryData(portalKey, saved);
    toast(saved.enabled ? "Customer Portal enabled." : "Customer Portal settings saved.");
  });
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-3">
      <WriteFieldset className="contents">
      <FormError message={form.formError} />
      <div className="flex items-start justify-between gap-4">
        <div>
          <label htmlFor="portal-enabled" className="text-sm font-medium">
            Enable Stripe Customer Portal
          </label>
          <p id="portal-enabled-hint" className="text-xs text-muted-foreground">
            Members update cards, see invoices and manage subscriptions from &quot;Billing&quot; in their profile menu.
          </p>
        </div>
        <Switch id="portal-enabled" aria-describedby="portal-enabled-hint" checked={v.enabled} onCheckedChange={(c) => form.setValue("enabled", c)} />
      </div>
      <Field label="Privacy Policy URL" error={form.errors.privacy_policy_url}>
        {(p) => <Input {...p} type="url" placeholder="https://…" value={v.privacy_policy_url} onChange={(e) => form.setValue("privacy_policy_url", e.target.value)} />}
      </Field>
      <Field label="Terms of Service URL" error={form.errors.terms_of_service_url}>
        {(p) => <Input {...p} type="url" placeholder="https://…" value={v.terms_of_service_url} onChange={(e) => form.setValue("terms_of_service_url", e.target.value)} />}
      </Field>
      <div className="flex items-start justify-between gap-4">
        <div>
          <label htmlFor="portal-cancel" className="text-sm font-medium">
            Allow users to cancel subscriptions
          </label>
          <p id="portal-cancel-hint" className="text-xs text-muted-foreground">
            Canceled in the portal, access ends with the billing period.
          </p>
        </div>
        <Switch id="portal-cancel" aria-describedby="portal-cancel-hint" checked={v.allow_cancel} onCheckedChange={(c) => form.setValue("allow_cancel", c)} />
      </div>
      <div className="flex justify-end">
        <Button type="submit" size="sm" loading={form.submitting}>
          Save portal settings
        </Button>
      </div>
      </WriteFieldset>
    </form>
  );
}
