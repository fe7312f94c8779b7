import { useMemo } from "react";
import { MailCheck } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { MemberProfile, User } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { isEmail, useForm } from "@/components/form/use-form";
import { EmptyState, ErrorState, ListStates, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { SubscriptionStatus } from "@/features/members/member-billing";
import { formatDate, formatDateTime, formatMoney } from "@/lib/utils";
import { useCancelPendingEmail, useLibrary, useMe, useMemberPurchases, useMemberSubscriptions, useUpdateProfile } from "./api";
import { MemberPageTitle } from "./member-layout";

type ProfileValues = { name: string; email: string; current_password: string; new_password: string };

export function validateProfile(v: ProfileValues, user: Pick<User, "email" | "has_password">) {
  const changingSecret = v.email.trim() !== user.email || !!v.new_password;
  return {
    email: !v.email.trim() ? "Enter your email." : !isEmail(v.email) ? "Enter a valid email address." : undefined,
    new_password: v.new_password && v.new_password.length < 10 ? "Use at least 10 characters." : undefined,
    current_password: user.has_password && changingSecret && !v.current_password ? "Enter your current password to change your email or password." : undefined,
  };
}

export function MemberProfilePage() {
  const me = useMe();
  if (me.isPending) return <LoadingRows rows={4} />;
  if (me.isError) return <ErrorState title="Could not load your profile" error={me.error} onRetry={() => void me.refetch()} />;
  // A new key resets the form after a save, a requested email change or a cancelled one.
  return <ProfileForm key={`${me.data.updated_at}|${me.data.pending_email ?? ""}`} user={me.data} />;
}

/** The email change waiting for the new address, with a way to take it back. */
export function PendingEmailNotice({ user }: { user: MemberProfile }) {
  const cancel = useCancelPendingEmail();
  const toast = useToast();
  if (!user.pending_email) return null;
  return (
    <div role="status" aria-label="Pending email change" className="flex flex-col gap-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-3 text-sm text-amber-900 sm:flex-row sm:items-start">
      <MailCheck className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="grid flex-1 gap-1">
        <p className="font-medium">We sent a confirmation link to {user.pending_email}.</p>
        <p>
          Open it to start signing in with that address. Until then you keep using {user.email}. The link expires on {formatDateTime(user.pending_email_expires_at)}.
        </p>
        {cancel.isError ? <p className="font-medium text-destructive">{errorMessage(cancel.error)}</p> : null}
      </div>
      <Button
        type="button"
        variant="outline"
        size="sm"
        loading={cancel.isPending}
        onClick={() => cancel.mutate(undefined, { onSuccess: () => toast("Email change cancelled.") })}
      >
        Cancel email change
      </Button>
    </div>
  );
}

function ProfileForm({ user }: { user: MemberProfile }) {
  const update = useUpdateProfile();
  const toast = useToast();
  const form = useForm<ProfileValues>({ name: user.name, email: user.email, current_password: "", new_password: "" }, (v) => validateProfile(v, user));
  const v = form.values;
  const changingSecret = v.email.trim() !== user.email || !!v.new_password;
  const onSubmit = form.handleSubmit(async (values) => {
    const email = values.email.trim() !== user.email ? values.email.trim() : undefined;
    const saved = await update.mutateAsync({
      name: values.name.trim() !== user.name ? values.name.trim() : undefined,
      email,
      new_password: values.new_password || undefined,
      current_password: values.current_password || undefined,
    });
    toast(email && saved.pending_email ? `Check ${saved.pending_email} for a confirmation link.` : "Profile saved.");
  });
  return (
    <>
      <MemberPageTitle title="Profile" description="Your name, sign-in email and password." />
      <Card className="max-w-xl">
        <CardContent className="p-5">
          <form onSubmit={onSubmit} noValidate className="grid gap-4">
            <PendingEmailNotice user={user} />
            <FormError message={form.formError} />
            <Field label="Name" error={form.errors.name}>
              {(p) => <Input {...p} autoComplete="name" value={v.name} onChange={(e) => form.setValue("name", e.target.value)} />}
            </Field>
            <Field label="Email" error={form.errors.email} hint="A new address is used once you open the confirmation link we send to it.">
              {(p) => <Input {...p} type="email" autoComplete="email" value={v.email} onChange={(e) => form.setValue("email", e.target.value)} />}
            </Field>
            <Field label={user.has_password ? "New password (optional)" : "Set a password (optional)"} error={form.errors.new_password} hint="You can always sign in with an emailed link instead.">
              {(p) => <Input {...p} type="password" autoComplete="new-password" value={v.new_password} onChange={(e) => form.setValue("new_password", e.target.value)} />}
            </Field>
            {user.has_password && changingSecret ? (
              <Field label="Current password" error={form.errors.current_password}>
                {(p) => <Input {...p} type="password" autoComplete="current-password" value={v.current_password} onChange={(e) => form.setValue("current_password", e.target.value)} />}
              </Field>
            ) : null}
            <div className="flex justify-end">
              <Button type="submit" loading={form.submitting}>
                Save profile
              </Button>
            </div>
          </form>
        </CardContent>
      </Card>
    </>
  );
}

function useProductNames() {
  const library = useLibrary();
  return useMemo(() => new Map((library.data ?? []).map((i) => [i.product_id, i.name])), [library.data]);
}

export function MemberPurchasesPage() {
  const purchases = useMemberPurchases();
  const names = useProductNames();
  return (
    <>
      <MemberPageTitle title="Purchases" description="Everything you bought on this site." />
      <Card>
        <ListStates query={purchases} rows={2} empty={<EmptyState title="No purchases yet" />}>
          {(items) => (
            <Table>
              <THead>
                <TR>
                  <TH>Product</TH>
                  <TH>Amount</TH>
                  <TH>Date</TH>
                </TR>
              </THead>
              <TBody>
                {items.map((p) => (
                  <TR key={p.id}>
                    <TD className="font-medium">{names.get(p.product_id) ?? "Product"}</TD>
                    <TD className="tabular-nums">
                      {formatMoney(p.amount, p.currency)} {p.refunded ? <Badge variant="destructive">Refunded</Badge> : null}
                    </TD>
                    <TD className="text-muted-foreground">{formatDate(p.purchased_at)}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </ListStates>
      </Card>
    </>
  );
}

export function MemberSubscriptionsPage() {
  const subs = useMemberSubscriptions();
  return (
    <>
      <MemberPageTitle title="Subscriptions" description='Manage cards and cancel from "Billing" in the account menu.' />
      <Card>
        <ListStates query={subs} rows={2} empty={<EmptyState title="No subscriptions" />}>
          {(items) => (
            <Table>
              <THead>
                <TR>
                  <TH>Plan</TH>
                  <TH>Status</TH>
                  <TH>Renewal</TH>
                </TR>
              </THead>
              <TBody>
                {items.map((s) => (
                  <TR key={s.id}>
                    <TD className="tabular-nums">{formatMoney(s.mrr, s.currency)} / month</TD>
                    <TD>
                      <SubscriptionStatus s={s} />
                    </TD>
                    <TD className="text-muted-foreground">
                      {s.status === "canceled" ? "Ended" : s.cancel_at_period_end ? `Ends on ${formatDate(s.current_period_end)}` : `Renews on ${formatDate(s.current_period_end)}`}
                    </TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </ListStates>
      </Card>
    </>
  );
}
