import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { adminAuth, api } from "@/api/client";
import { ApiError, errorMessage, unwrap } from "@/api/errors";
import type { InvitationPreview } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { LoadingRows } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { AuthShell } from "@/features/auth/auth-shell";

type Values = { name: string; password: string };

export const validateAccept = (existing: boolean) => (v: Values) =>
  existing
    ? { password: !v.password ? "Enter the password of your Tollgate account." : undefined }
    : {
        name: !v.name.trim() ? "Enter your name." : undefined,
        password: v.password.length < 10 ? "Use at least 10 characters." : undefined,
      };

/** Public landing of an admin invitation link: /accept-invite?token=… */
export function AcceptInvitePage() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const preview = useQuery({
    queryKey: ["invitation", token],
    queryFn: () => unwrap(api.POST("/api/v1/auth/invitation", { body: { token } })),
    enabled: !!token,
    retry: false,
    staleTime: Infinity,
  });

  if (!token || preview.isError) {
    const gone = preview.error instanceof ApiError && preview.error.status === 410;
    const why = !token ? "The link has no token. Open the link from your invitation email again." : gone ? errorMessage(preview.error) : `Could not check the invitation: ${errorMessage(preview.error)}`;
    return (
      <AuthShell
        title="This invitation does not work"
        description={why}
        footer={<Link to="/login" className="underline">Sign in</Link>}
      />
    );
  }
  if (preview.isPending) {
    return (
      <AuthShell title="Checking your invitation">
        <LoadingRows rows={2} label="Checking invitation" />
      </AuthShell>
    );
  }
  return <AcceptForm token={token} invitation={preview.data} />;
}

function AcceptForm({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const navigate = useNavigate();
  const existing = invitation.account_exists;
  const form = useForm<Values>({ name: "", password: "" }, validateAccept(existing));
  const onSubmit = form.handleSubmit(async (v) => {
    const session = await unwrap(api.POST("/api/v1/auth/accept-invite", { body: { token, name: v.name.trim(), password: v.password } }));
    adminAuth.setSession(session);
    navigate("/", { replace: true });
  });
  const by = invitation.invited_by_name ? `${invitation.invited_by_name} invited you` : "You are invited";
  return (
    <AuthShell title={`Join ${invitation.app_name}`} description={`${by} as ${invitation.role}. You will sign in as ${invitation.email}.`}>
      <form onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        {existing ? (
          <p className="rounded-md border bg-muted px-3 py-2 text-sm">You already have a Tollgate account: enter its password to accept.</p>
        ) : (
          <Field label="Your name" error={form.errors.name}>
            {(p) => <Input {...p} autoComplete="name" value={form.values.name} onChange={(e) => form.setValue("name", e.target.value)} />}
          </Field>
        )}
        <input type="email" name="username" autoComplete="username" value={invitation.email} readOnly hidden />
        <Field label={existing ? "Password" : "Choose a password"} error={form.errors.password} hint={existing ? undefined : "At least 10 characters."}>
          {(p) => (
            <Input
              {...p}
              type="password"
              autoComplete={existing ? "current-password" : "new-password"}
              value={form.values.password}
              onChange={(e) => form.setValue("password", e.target.value)}
            />
          )}
        </Field>
        <Button type="submit" loading={form.submitting} className="w-full">
          Accept invitation
        </Button>
      </form>
    </AuthShell>
  );
}
