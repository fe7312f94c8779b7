import type { User } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { isEmail, useForm } from "@/components/form/use-form";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { useCreateMember } from "./api";

export type NewMemberValues = { email: string; name: string; password: string; send_invite: boolean };
const empty: NewMemberValues = { email: "", name: "", password: "", send_invite: true };

export function validateNewMember(v: NewMemberValues) {
  return {
    email: !v.email.trim() ? "Enter the member's email." : !isEmail(v.email) ? "Enter a valid email address." : undefined,
    password: v.password && v.password.length < 10 ? "Use at least 10 characters, or leave empty." : undefined,
  };
}

export function CreateMemberDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (u: User) => void }) {
  const create = useCreateMember();
  const form = useForm<NewMemberValues>(empty, validateNewMember);
  const close = () => {
    form.reset(empty);
    onClose();
  };
  const onSubmit = form.handleSubmit(async (v) => {
    const u = await create.mutateAsync({
      email: v.email.trim(),
      name: v.name.trim() || null,
      password: v.password || null,
      send_invite: v.send_invite,
    });
    close();
    onCreated(u);
  });
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Add member"
      footer={
        <>
          <Button variant="outline" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" form="create-member" loading={form.submitting}>
            Add member
          </Button>
        </>
      }
    >
      <form id="create-member" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Email" error={form.errors.email}>
          {(p) => <Input {...p} type="email" value={form.values.email} onChange={(e) => form.setValue("email", e.target.value)} />}
        </Field>
        <Field label="Name" error={form.errors.name}>
          {(p) => <Input {...p} value={form.values.name} onChange={(e) => form.setValue("name", e.target.value)} />}
        </Field>
        <Field label="Password (optional)" error={form.errors.password} hint="Leave empty to let the member sign in with a magic link.">
          {(p) => <Input {...p} type="password" autoComplete="new-password" value={form.values.password} onChange={(e) => form.setValue("password", e.target.value)} />}
        </Field>
        <div className="flex items-center gap-3">
          <Switch id="send-invite" checked={form.values.send_invite} onCheckedChange={(c) => form.setValue("send_invite", c)} />
          <label htmlFor="send-invite" className="text-sm">
            Send an invitation email
          </label>
        </div>
      </form>
    </Dialog>
  );
}
