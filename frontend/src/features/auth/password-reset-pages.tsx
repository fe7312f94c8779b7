import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { MailCheck } from "lucide-react";
import { api } from "@/api/client";
import { ApiError, unwrap } from "@/api/errors";
import { Field, FormError } from "@/components/form/field";
import { isEmail, useForm } from "@/components/form/use-form";
import { Button, ButtonLink } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { AuthShell } from "./auth-shell";

const backToLogin = (
  <Link to="/login" className="underline underline-offset-4">
    Back to sign in
  </Link>
);

/** /forgot-password: asks for an emailed reset link. The answer never says whether the email has an account. */
export function ForgotPasswordPage() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm<{ email: string }>({ email: "" }, (v) => ({
    email: !v.email.trim() ? "Enter your email." : !isEmail(v.email) ? "Enter a valid email address." : undefined,
  }));
  const onSubmit = form.handleSubmit(async (v) => {
    await unwrap(api.POST("/api/v1/auth/password-reset", { body: { email: v.email.trim() } }));
    setSentTo(v.email.trim());
  });
  if (sentTo) {
    return (
      <AuthShell title="Check your email" description={`If ${sentTo} has an account, we sent it a link to choose a new password. It works once, for one hour.`} footer={backToLogin}>
        <div className="flex justify-center">
          <MailCheck className="size-10 text-muted-foreground" aria-hidden />
        </div>
      </AuthShell>
    );
  }
  return (
    <AuthShell title="Forgot your password?" description="Enter your email and we send you a link to choose a new one." footer={backToLogin}>
      <form onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Email" error={form.errors.email}>
          {(p) => <Input {...p} type="email" autoComplete="username" value={form.values.email} onChange={(e) => form.setValue("email", e.target.value)} />}
        </Field>
        <Button type="submit" loading={form.submitting} className="w-full">
          Send reset link
        </Button>
      </form>
    </AuthShell>
  );
}

/** What went wrong with a reset link, and what to do next. */
function linkProblem(e: unknown): string | null {
  if (!(e instanceof ApiError)) return null;
  const code = e.problem.errors?.find((x) => x.field === "token")?.code;
  if (code === "token_expired") return "This link has expired. Ask for a new one.";
  if (code === "invalid_token") return "This link was already used or is not valid. Ask for a new one.";
  return null;
}

/** /reset-password?token=…: sets a new password; every device is signed out. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [done, setDone] = useState(false);
  const [deadLink, setDeadLink] = useState<string | null>(null);
  const form = useForm<{ password: string; confirm: string }>({ password: "", confirm: "" }, (v) => ({
    password: v.password.length < 10 ? "Use at least 10 characters." : undefined,
    confirm: v.confirm !== v.password ? "The two passwords differ." : undefined,
  }));
  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await unwrap(api.POST("/api/v1/auth/password-reset/confirm", { body: { token, password: v.password } }));
      setDone(true);
    } catch (e) {
      const dead = linkProblem(e);
      if (!dead) throw e;
      setDeadLink(dead);
    }
  });
  const askAgain = (
    <ButtonLink to="/forgot-password" className="w-full">
      Send a new link
    </ButtonLink>
  );
  if (!token) return <AuthShell title="Invalid reset link" description="This link has no token. Use the link from the email, or ask for a new one." footer={backToLogin}>{askAgain}</AuthShell>;
  if (deadLink) return <AuthShell title="This link did not work" description={deadLink} footer={backToLogin}>{askAgain}</AuthShell>;
  if (done) {
    return (
      <AuthShell title="Password changed" description="Every device was signed out. Sign in with your new password.">
        <ButtonLink to="/login" className="w-full">
          Sign in
        </ButtonLink>
      </AuthShell>
    );
  }
  return (
    <AuthShell title="Choose a new password" description="At least 10 characters; a few unrelated words work well." footer={backToLogin}>
      <form onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="New password" error={form.errors.password}>
          {(p) => <Input {...p} type="password" autoComplete="new-password" value={form.values.password} onChange={(e) => form.setValue("password", e.target.value)} />}
        </Field>
        <Field label="Repeat it" error={form.errors.confirm}>
          {(p) => <Input {...p} type="password" autoComplete="new-password" value={form.values.confirm} onChange={(e) => form.setValue("confirm", e.target.value)} />}
        </Field>
        <Button type="submit" loading={form.submitting} className="w-full">
          Set new password
        </Button>
      </form>
    </AuthShell>
  );
}
