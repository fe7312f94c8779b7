import { useQuery } from "@tanstack/react-query";
import { Navigate, useNavigate } from "react-router";
import { Field, FormError } from "@/components/form/field";
import { isEmail, isUrl, useForm } from "@/components/form/use-form";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { LoadingRows } from "@/components/states";
import { AuthShell } from "./auth-shell";
import { useAuth } from "./auth-context";
import { setupStatusQuery } from "./login-page";

type SetupValues = { app_name: string; site_url: string; name: string; email: string; password: string };

export function validateSetup(v: SetupValues) {
  return {
    app_name: !v.app_name.trim() ? "Name your site." : undefined,
    site_url: v.site_url.trim() && !isUrl(v.site_url) ? "Enter a full URL, like https://example.com." : undefined,
    name: !v.name.trim() ? "Enter your name." : undefined,
    email: !v.email.trim() ? "Enter your email." : !isEmail(v.email) ? "Enter a valid email address." : undefined,
    password: v.password.length < 10 ? "Use at least 10 characters." : undefined,
  };
}

export function SetupPage() {
  const { setup, status } = useAuth();
  const navigate = useNavigate();
  const setupStatus = useQuery(setupStatusQuery);
  const form = useForm<SetupValues>({ app_name: "", site_url: "", name: "", email: "", password: "" }, validateSetup);

  if (setupStatus.isPending) return <LoadingRows rows={3} />;
  if (setupStatus.data && !setupStatus.data.needs_setup && !form.submitting) {
    return <Navigate to={status === "authenticated" ? "/" : "/login"} replace />;
  }

  const onSubmit = form.handleSubmit(async (v) => {
    await setup({
      app_name: v.app_name.trim(),
      site_url: v.site_url.trim() || null,
      name: v.name.trim(),
      email: v.email.trim(),
      password: v.password,
    });
    await setupStatus.refetch();
    navigate("/", { replace: true });
  });

  return (
    <AuthShell title="Set up Tollgate" description="Create your site and the owner account. This runs once.">
      <form onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Site name" error={form.errors.app_name}>
          {(p) => <Input {...p} value={form.values.app_name} onChange={(e) => form.setValue("app_name", e.target.value)} placeholder="Acme Academy" />}
        </Field>
        <Field label="Site URL (optional)" error={form.errors.site_url}>
          {(p) => <Input {...p} type="url" value={form.values.site_url} onChange={(e) => form.setValue("site_url", e.target.value)} placeholder="https://example.com" />}
        </Field>
        <Field label="Your name" error={form.errors.name}>
          {(p) => <Input {...p} autoComplete="name" value={form.values.name} onChange={(e) => form.setValue("name", e.target.value)} />}
        </Field>
        <Field label="Email" error={form.errors.email}>
          {(p) => <Input {...p} type="email" autoComplete="username" value={form.values.email} onChange={(e) => form.setValue("email", e.target.value)} />}
        </Field>
        <Field label="Password" error={form.errors.password} hint="At least 10 characters.">
          {(p) => <Input {...p} type="password" autoComplete="new-password" value={form.values.password} onChange={(e) => form.setValue("password", e.target.value)} />}
        </Field>
        <Button type="submit" loading={form.submitting} className="w-full">
          Create site
        </Button>
      </form>
    </AuthShell>
  );
}
