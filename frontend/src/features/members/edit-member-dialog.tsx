import type { User } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { isEmail, useForm } from "@/components/form/use-form";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { useUpdateMember } from "./api";

type Values = { email: string; name: string };
const validate = (v: Values) => ({
  email: !v.email.trim() ? "Enter the member's email." : !isEmail(v.email) ? "Enter a valid email address." : undefined,
});

export function EditMemberDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const update = useUpdateMember(user.id);
  const toast = useToast();
  const form = useForm<Values>({ email: user.email, name: user.name ?? "" }, validate);
  const onSubmit = form.handleSubmit(async (v) => {
    await update.mutateAsync({ email: v.email.trim(), name: v.name.trim() });
    toast("Member saved.");
    onClose();
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title="Edit member"
      footer={
        <>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="edit-member" loading={form.submitting}>
            Save
          </Button>
        </>
      }
    >
      <form id="edit-member" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Email" error={form.errors.email}>
          {(p) => <Input {...p} type="email" value={form.values.email} onChange={(e) => form.setValue("email", e.target.value)} />}
        </Field>
        <Field label="Name" error={form.errors.name}>
          {(p) => <Input {...p} value={form.values.name} onChange={(e) => form.setValue("name", e.target.value)} />}
        </Field>
      </form>
    </Dialog>
  );
}
