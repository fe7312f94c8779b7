import type { AccountSettings, ContactType } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { ErrorState, LoadingRows } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { WriteFieldset } from "@/features/auth/permissions";
import { useAccountSettings, useSaveAccountSettings } from "./api";

/** "Stripe customers are": people, or companies (accounts) whose owner seats teammates. On the Stripe connector card. */
export function ContactTypeSection() {
  const settings = useAccountSettings();
  if (settings.isPending) return <LoadingRows rows={1} label="Loading customer settings" />;
  if (settings.isError) return <ErrorState title="Could not load the customer settings" error={settings.error} onRetry={() => void settings.refetch()} />;
  return <ContactTypeForm key={`${settings.data.contact_type}|${settings.data.account_metadata_key ?? ""}`} settings={settings.data} />;
}

type Values = { contact_type: ContactType; key: string };

export function ContactTypeForm({ settings }: { settings: AccountSettings }) {
  const save = useSaveAccountSettings();
  const toast = useToast();
  const form = useForm<Values>({ contact_type: settings.contact_type, key: settings.account_metadata_key ?? "" }, (v) => ({
    key: v.key.trim().length > 40 ? "Use at most 40 characters." : undefined,
  }));
  const v = form.values;
  const onSubmit = form.handleSubmit(async (values) => {
    const saved = await save.mutateAsync({
      contact_type: values.contact_type,
      account_metadata_key: values.contact_type === "accounts" ? values.key.trim() || null : (settings.account_metadata_key ?? null),
    });
    toast(saved.contact_type === "accounts" ? "Stripe customers are now companies (accounts)." : "Stripe customers are now people.");
  });
  const choice = (value: ContactType, label: string) => (
    <label className="flex cursor-pointer items-center gap-2 text-sm">
      <input type="radio" name="contact-type" value={value} checked={v.contact_type === value} onChange={() => form.setValue("contact_type", value)} className="size-4 accent-primary" />
      {label}
    </label>
  );
  return (
    <form onSubmit={onSubmit} noValidate className="mt-2 grid gap-3 rounded-md border bg-background p-3" aria-label="Stripe customers">
      <WriteFieldset className="contents">
        <FormError message={form.formError} />
        <fieldset className="grid gap-2" aria-describedby="contact-type-hint">
          <legend className="text-sm font-medium">Stripe customers are</legend>
          <div className="flex flex-wrap gap-x-5 gap-y-2">
            {choice("users", "People")}
            {choice("accounts", "Companies (accounts)")}
          </div>
          <p id="contact-type-hint" className="text-xs text-muted-foreground">
            As companies, each customer is an account whose owner seats teammates: the subscription&apos;s quantity is the number of seats, and teammates share its access.
          </p>
        </fieldset>
        {v.contact_type === "accounts" ? (
          <Field label="Account name metadata key (optional)" error={form.errors.key} hint="A Stripe customer metadata key that holds the company's name; else the customer's name is used.">
            {(p) => <Input {...p} placeholder="company_name" value={v.key} onChange={(e) => form.setValue("key", e.target.value)} />}
          </Field>
        ) : null}
        <div className="flex justify-end">
          <Button type="submit" size="sm" loading={form.submitting}>
            Save customer settings
          </Button>
        </div>
      </WriteFieldset>
    </form>
  );
}
