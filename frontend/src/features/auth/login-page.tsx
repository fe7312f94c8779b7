import { useQuery } from "@tanstack/react-query";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import { Field, FormError } from "@/components/form/field";
import { isEmail, useForm } from "@/components/form/use-form";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { AuthShell } from "./auth-shell";
import { useAuth } from "./auth-context";

export const setupStatusQuery = {
  queryKey: ["setup"],
  queryFn: () => unwrap(api.GET("/api/v1/setup")),
  staleTime: 30_000,
};

type LoginValues = { email: string; password: string };

export function validateLogin(v: LoginValues) {
  return {
    email: !v.email.trim() ? "Enter your email." : !isEmail(v.email) ? "Enter a valid email address." : undefined,
    password: !v.password ? "Enter your password." : undefined,
  };
}

function safeNext(next: string | null) {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function LoginPage() {
  const { status, login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const setupStatus = useQuery(setupStatusQuery);
  const form = useForm<LoginValues>({ email: "", password: "" }, validateLogin);

  if (status === "authenticated") return <Navigate to={next} replace />;
  if (setupStatus.data?.needs_setup) return <Navigate to="/setup" replace />;

  const onSubmit = form.handleSubmit(async (v) => {
    await login({ email: v.email.trim(), password: v.password });
    navigate(next, { replace: true });
  });

  return (
    <AuthShell title="Sign in" description="Sign in to manage your membership site.">
      <form onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Email" error={form.errors.email}>
          {(p) => <Input {...p} type="email" autoComplete="username" value={form.values.email} onChange={(e) => form.setValue("email", e.target.value)} />}
        </Field>
        <Field label="Password" error={form.errors.password}>
          {(p) => (
            <Input {...p} type="password" autoComplete="current-password" value={form.values.password} onChange={(e) => form.setValue("password", e.target.value)} />
          )}
        </Field>
        <Button type="submit" loading={form.submitting} className="w-full">
          Sign in
        </Button>
        <p className="text-center text-sm">
          <Link to="/forgot-password" className="text-muted-foreground underline underline-offset-4 hover:text-foreground">
            Forgot password?
          </Link>
        </p>
      </form>
    </AuthShell>
  );
}
