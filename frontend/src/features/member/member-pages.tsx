import { useEffect, useRef, useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { MailCheck } from "lucide-react";
import { ApiError, errorMessage } from "@/api/errors";
import { Field, FormError } from "@/components/form/field";
import { isEmail, useForm } from "@/components/form/use-form";
import { LoadingRows } from "@/components/states";
import { Button, ButtonLink } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Tabs } from "@/components/ui/tabs";
import { AuthShell } from "@/features/auth/auth-shell";
import { useConfirmEmail, useDefaultApp, usePublicApp } from "./api";
import { useSiteHead } from "./brand";
import { useMemberAuth } from "./member-auth";

/** Emailed tokens are `<app id>.<secret>`: the site is known even when the link no longer works. */
const siteOf = (token: string | null) => (token?.includes(".") ? token.split(".")[0] || null : null);

/** A member-facing sign-in frame: the site's name, logo and accent colour, never Tollgate's. */
function MemberShell({ appId, ...props }: Omit<Parameters<typeof AuthShell>[0], "brand"> & { appId: string | null | undefined }) {
  const byId = usePublicApp(appId ?? "", !!appId);
  const byDefault = useDefaultApp(!appId);
  const site = (appId ? byId : byDefault).data;
  useSiteHead(site);
  return <AuthShell {...props} brand={site ?? null} />;
}

type Mode = "magic" | "password";

/** Only member-area paths are allowed as a post-login destination. */
const safeNext = (next: string | null) => (next && /^\/member(\/|$)/.test(next) && !next.startsWith("//") ? next : "/member");
type Values = { email: string; password: string };

export function MemberLoginPage() {
  const [params] = useSearchParams();
  const explicitApp = params.get("app");
  // Without ?app= (a single-site install), sign in to the default site.
  const defaultApp = useDefaultApp(!explicitApp);
  const appId = explicitApp ?? defaultApp.data?.id ?? "";
  const { status, loginWithPassword, requestMagicLink } = useMemberAuth();
  const navigate = useNavigate();
  const [mode, setMode] = useState<Mode>("magic");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm<Values>({ email: "", password: "" }, (v) => ({
    email: !v.email.trim() ? "Enter your email." : !isEmail(v.email) ? "Enter a valid email address." : undefined,
    password: mode === "password" && !v.password ? "Enter your password." : undefined,
  }));

  if (status === "authenticated") return <Navigate to={safeNext(params.get("next"))} replace />;
  if (!explicitApp && defaultApp.isPending) {
    return (
      <MemberShell appId={explicitApp} title="Member sign-in">
        <LoadingRows rows={2} label="Loading the site" />
      </MemberShell>
    );
  }
  if (!appId) {
    return (
      <MemberShell appId={explicitApp} title="Member sign-in" description="This sign-in link is missing its site. Use the link from your invitation email or the site you came from." />
    );
  }

  const onSubmit = form.handleSubmit(async (v) => {
    if (mode === "password") {
      await loginWithPassword({ app_id: appId, email: v.email.trim(), password: v.password });
      navigate(safeNext(params.get("next")), { replace: true });
    } else {
      await requestMagicLink({ app_id: appId, email: v.email.trim() });
      setSentTo(v.email.trim());
    }
  });

  if (sentTo) {
    return (
      <MemberShell appId={appId} title="Check your email" description={`If ${sentTo} has an account, we sent it a sign-in link. It works once and expires soon.`}>
        <div className="flex flex-col items-center gap-4">
          <MailCheck className="size-10 text-muted-foreground" />
          <Button variant="outline" onClick={() => setSentTo(null)}>
            Use a different email
          </Button>
        </div>
      </MemberShell>
    );
  }

  return (
    <MemberShell appId={appId} title="Member sign-in" description="Sign in to open your library.">
      <div className="mb-4">
        <Tabs<Mode>
          label="Sign-in method"
          value={mode}
          onChange={setMode}
          tabs={[
            { value: "magic", label: "Email me a link" },
            { value: "password", label: "Password" },
          ]}
        />
      </div>
      <form onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Email" error={form.errors.email}>
          {(p) => <Input {...p} type="email" autoComplete="username" value={form.values.email} onChange={(e) => form.setValue("email", e.target.value)} />}
        </Field>
        {mode === "password" ? (
          <Field label="Password" error={form.errors.password}>
            {(p) => <Input {...p} type="password" autoComplete="current-password" value={form.values.password} onChange={(e) => form.setValue("password", e.target.value)} />}
          </Field>
        ) : null}
        <Button type="submit" loading={form.submitting} className="w-full">
          {mode === "password" ? "Sign in" : "Send sign-in link"}
        </Button>
        {mode === "password" ? (
          <p className="text-center text-sm text-muted-foreground">
            <button type="button" className="cursor-pointer text-primary underline underline-offset-4" onClick={() => setMode("magic")}>
              Forgot password?
            </button>{" "}
            We email you a sign-in link; then set a new password in your profile.
          </p>
        ) : null}
      </form>
    </MemberShell>
  );
}

/** /member/magic?token=… : verifies the link once and lands in the library. */
export function MagicLinkPage() {
  const [params] = useSearchParams();
  const token = params.get("token");
  const { verifyMagicLink } = useMemberAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (!token || started.current) return;
    started.current = true; // a magic link is single-use: never verify twice (StrictMode runs effects twice)
    verifyMagicLink(token)
      .then(() => navigate("/member", { replace: true }))
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [token, verifyMagicLink, navigate]);

  const appId = siteOf(token);
  if (!token) return <MemberShell appId={null} title="Invalid sign-in link" description="This link has no token. Request a new one from the sign-in page." />;
  if (error) {
    return (
      <MemberShell appId={appId} title="This sign-in link did not work" description={`${error} Links work once and expire.`}>
        {appId ? <SendNewLink appId={appId} /> : null}
      </MemberShell>
    );
  }
  return (
    <MemberShell appId={appId} title="Signing you in…">
      <LoadingRows rows={1} label="Verifying sign-in link" />
    </MemberShell>
  );
}

/** Asks for a fresh magic link right where the old one failed. */
function SendNewLink({ appId }: { appId: string }) {
  const { requestMagicLink } = useMemberAuth();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm<{ email: string }>({ email: "" }, (v) => ({
    email: !v.email.trim() ? "Enter your email." : !isEmail(v.email) ? "Enter a valid email address." : undefined,
  }));
  const onSubmit = form.handleSubmit(async (v) => {
    await requestMagicLink({ app_id: appId, email: v.email.trim() });
    setSentTo(v.email.trim());
  });
  if (sentTo) {
    return (
      <p className="flex items-center gap-2 text-sm" role="status">
        <MailCheck className="size-5 shrink-0 text-muted-foreground" aria-hidden /> If {sentTo} has an account, a new sign-in link is on its way.
      </p>
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <FormError message={form.formError} />
      <Field label="Email" error={form.errors.email}>
        {(p) => <Input {...p} type="email" autoComplete="username" value={form.values.email} onChange={(e) => form.setValue("email", e.target.value)} />}
      </Field>
      <Button type="submit" loading={form.submitting} className="w-full">
        Send a new link
      </Button>
    </form>
  );
}

/** What went wrong with a confirmation link, in words for the member. */
export function confirmEmailFailure(error: unknown): string {
  if (error instanceof ApiError) {
    const code = error.problem.errors?.find((e) => e.field === "token")?.code;
    if (code === "token_expired") return "This link has expired. Ask for the change again from your profile.";
    if (code === "invalid_token") return "This link was already used, cancelled, or replaced by a newer request. Use the newest link we sent, or ask again from your profile.";
    if (error.code === "email_taken") return "Another member now uses this address, so your email was not changed. You can choose another one in your profile.";
  }
  return errorMessage(error);
}

/** /member/confirm-email?token=… : confirms a new sign-in email once, signed in or not. */
export function ConfirmEmailPage() {
  const [params] = useSearchParams();
  const token = params.get("token");
  const confirm = useConfirmEmail();
  const started = useRef(false);
  const { mutate } = confirm;

  useEffect(() => {
    if (!token || started.current) return;
    started.current = true; // the token is single-use: never send it twice (StrictMode runs effects twice)
    mutate(token);
  }, [token, mutate]);

  const footer = (
    <Link to="/member/profile" className="underline underline-offset-4">
      Go to your profile
    </Link>
  );
  if (!token) return <MemberShell appId={null} title="Invalid confirmation link" description="This link has no token. Use the link from the email we sent you." footer={footer} />;
  if (confirm.isError) return <MemberShell appId={siteOf(token)} title="Your email was not changed" description={confirmEmailFailure(confirm.error)} footer={footer} />;
  if (confirm.isSuccess) {
    return (
      <MemberShell appId={siteOf(token)} title="Email confirmed" description={`You now sign in with ${confirm.data.email}.`}>
        <div className="flex flex-col items-center gap-4">
          <MailCheck className="size-10 text-muted-foreground" />
          <ButtonLink to="/member" className="w-full">
            Go to your library
          </ButtonLink>
        </div>
      </MemberShell>
    );
  }
  return (
    <MemberShell appId={siteOf(token)} title="Confirming your email…">
      <LoadingRows rows={1} label="Confirming your new email" />
    </MemberShell>
  );
}
