import { ImageUploadButton } from "@/components/image-upload";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, adminAuth } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { App } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { isEmail, isUrl, useForm } from "@/components/form/use-form";
import { PageHeader } from "@/components/layout/admin-layout";
import { ErrorState, LoadingRows } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { CopyButton } from "@/components/copy-button";
import { WriteFieldset } from "@/features/auth/permissions";

export type AppValues = {
  name: string;
  site_url: string;
  support_email: string;
  inactivity_threshold_days: string;
  past_due_grace_days: string;
  refund_revokes_access: boolean;
  logo_url: string;
  accent_color: string;
  favicon_url: string;
};

const wholeDays = (v: string, min: number, max: number) => {
  if (!/^\d+$/.test(v.trim())) return "Enter a whole number of days.";
  const n = Number(v);
  return n < min || n > max ? `Enter between ${min} and ${max} days.` : undefined;
};

export function validateApp(v: AppValues) {
  return {
    name: !v.name.trim() ? "Name your site." : undefined,
    site_url: v.site_url.trim() && !isUrl(v.site_url) ? "Enter a full URL, like https://example.com." : undefined,
    support_email: v.support_email.trim() && !isEmail(v.support_email) ? "Enter a valid email address." : undefined,
    inactivity_threshold_days: wholeDays(v.inactivity_threshold_days, 1, 3650),
    past_due_grace_days: wholeDays(v.past_due_grace_days, 0, 365),
    logo_url: v.logo_url.trim() && !isUrl(v.logo_url) ? "Enter the image's full URL, like https://example.com/logo.png." : undefined,
    favicon_url: v.favicon_url.trim() && !isUrl(v.favicon_url) ? "Enter the icon's full URL, like https://example.com/favicon.ico." : undefined,
    accent_color: v.accent_color.trim() && !/^#[0-9a-f]{6}$/i.test(v.accent_color.trim()) ? "Enter a colour as #rrggbb, like #1d4ed8." : undefined,
  };
}

const toValues = (a: App): AppValues => ({
  name: a.name,
  site_url: a.site_url ?? "",
  support_email: a.support_email ?? "",
  inactivity_threshold_days: String(a.inactivity_threshold_days),
  past_due_grace_days: String(a.past_due_grace_days),
  refund_revokes_access: a.refund_revokes_access,
  logo_url: a.logo_url ?? "",
  accent_color: a.accent_color ?? "",
  favicon_url: a.favicon_url ?? "",
});

export function SettingsPage() {
  const app = useQuery({ queryKey: ["app"], queryFn: () => unwrap(api.GET("/api/v1/app")) });
  return (
    <>
      <PageHeader title="Settings" description="Your site and how access behaves." />
      {app.isPending ? (
        <LoadingRows rows={5} />
      ) : app.isError ? (
        <ErrorState title="Could not load settings" error={app.error} onRetry={() => void app.refetch()} />
      ) : (
        <SettingsForm key={app.data.updated_at} app={app.data} />
      )}
    </>
  );
}

function SettingsForm({ app }: { app: App }) {
  const qc = useQueryClient();
  const toast = useToast();
  const form = useForm<AppValues>(toValues(app), validateApp);
  const save = useMutation({
    mutationFn: (v: AppValues) =>
      unwrap(
        api.PATCH("/api/v1/app", {
          body: {
            name: v.name.trim(),
            site_url: v.site_url.trim() || null,
            support_email: v.support_email.trim() || null,
            inactivity_threshold_days: Number(v.inactivity_threshold_days),
            past_due_grace_days: Number(v.past_due_grace_days),
            refund_revokes_access: v.refund_revokes_access,
            logo_url: v.logo_url.trim() || null,
            accent_color: v.accent_color.trim() || null,
            favicon_url: v.favicon_url.trim() || null,
          },
        }),
      ),
    onSuccess: (a) => {
      qc.setQueryData(["app"], a);
      const s = adminAuth.getSession();
      if (s) adminAuth.setSession({ ...s, app: a });
    },
  });
  const onSubmit = form.handleSubmit(async (v) => {
    await save.mutateAsync(v);
    toast("Settings saved.");
  });
  const memberLink = `${window.location.origin}/member/login?app=${app.id}`;
  const v = form.values;

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <WriteFieldset className="contents">
      <FormError message={form.formError} />
      <Card>
        <CardHeader>
          <CardTitle>Site</CardTitle>
          <CardDescription>Shown to members and used in emails.</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-[minmax(0,1fr)] gap-4 md:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
          <Field label="Site name" error={form.errors.name}>
            {(p) => <Input {...p} value={v.name} onChange={(e) => form.setValue("name", e.target.value)} />}
          </Field>
          <Field label="Site URL" error={form.errors.site_url}>
            {(p) => <Input {...p} type="url" placeholder="https://example.com" value={v.site_url} onChange={(e) => form.setValue("site_url", e.target.value)} />}
          </Field>
          <Field label="Support email" error={form.errors.support_email}>
            {(p) => <Input {...p} type="email" value={v.support_email} onChange={(e) => form.setValue("support_email", e.target.value)} />}
          </Field>
          <div className="grid min-w-0 grid-cols-[minmax(0,1fr)] gap-1.5">
            <span className="text-sm font-medium">Member login link</span>
            <div className="flex items-center gap-2">
              <code className="min-w-0 flex-1 truncate rounded-md border bg-muted px-3 py-2 text-xs" title={memberLink}>
                {memberLink}
              </code>
              <CopyButton value={memberLink} label="Copy member login link" />
            </div>
          </div>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Branding</CardTitle>
          <CardDescription>Member sign-in, the library, sales pages and emails show your logo and colour instead of Tollgate&apos;s.</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-[minmax(0,1fr)] gap-4 md:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
          <Field label="Logo URL" error={form.errors.logo_url} hint="A square image works best.">
            {(p) => (
              <div className="flex items-center gap-2">
                <Input {...p} type="url" placeholder="https://example.com/logo.png" value={v.logo_url} onChange={(e) => form.setValue("logo_url", e.target.value)} />
                <ImageUploadButton label="Upload a logo" onUploaded={(url) => form.setValue("logo_url", url)} />
              </div>
            )}
          </Field>
          <Field label="Favicon URL" error={form.errors.favicon_url}>
            {(p) => (
              <div className="flex items-center gap-2">
                <Input {...p} type="url" placeholder="https://example.com/favicon.ico" value={v.favicon_url} onChange={(e) => form.setValue("favicon_url", e.target.value)} />
                <ImageUploadButton label="Upload a favicon" onUploaded={(url) => form.setValue("favicon_url", url)} />
              </div>
            )}
          </Field>
          <Field label="Accent colour" error={form.errors.accent_color} hint="Buttons and links on member pages; empty for the default.">
            {(p) => (
              <div className="flex items-center gap-2">
                <Input {...p} placeholder="#1d4ed8" value={v.accent_color} onChange={(e) => form.setValue("accent_color", e.target.value)} />
                <input
                  type="color"
                  aria-label="Pick the accent colour"
                  className="h-9 w-12 shrink-0 cursor-pointer rounded-md border bg-background p-1"
                  value={/^#[0-9a-f]{6}$/i.test(v.accent_color.trim()) ? v.accent_color.trim().toLowerCase() : "#333344"}
                  onChange={(e) => form.setValue("accent_color", e.target.value)}
                />
              </div>
            )}
          </Field>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Access rules</CardTitle>
          <CardDescription>How activity and payments affect members.</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-[minmax(0,1fr)] gap-4 md:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
          <Field label="Inactivity threshold (days)" error={form.errors.inactivity_threshold_days} hint="A member who has not logged in for this long counts as inactive.">
            {(p) => <Input {...p} inputMode="numeric" value={v.inactivity_threshold_days} onChange={(e) => form.setValue("inactivity_threshold_days", e.target.value)} />}
          </Field>
          <Field label="Past-due grace period (days)" error={form.errors.past_due_grace_days} hint="How long a past-due subscription keeps access.">
            {(p) => <Input {...p} inputMode="numeric" value={v.past_due_grace_days} onChange={(e) => form.setValue("past_due_grace_days", e.target.value)} />}
          </Field>
          <div className="flex items-start justify-between gap-4 rounded-md border p-3 md:col-span-2">
            <div>
              <label htmlFor="refund-revokes" className="text-sm font-medium">
                Refunds revoke access
              </label>
              <p className="text-xs text-muted-foreground">When a purchase is fully refunded, remove the access it granted.</p>
            </div>
            <Switch id="refund-revokes" checked={v.refund_revokes_access} onCheckedChange={(c) => form.setValue("refund_revokes_access", c)} />
          </div>
        </CardContent>
        <CardFooter className="justify-end">
          <Button type="submit" loading={form.submitting}>
            Save settings
          </Button>
        </CardFooter>
      </Card>
      </WriteFieldset>
    </form>
  );
}
