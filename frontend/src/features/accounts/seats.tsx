import type { ReactNode } from "react";
import type { Seat } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { isEmail, useForm } from "@/components/form/use-form";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { formatDate } from "@/lib/utils";

/** Shared by the admin's account page and the member area's Team page. */

export function RoleBadge({ role }: { role: string }) {
  return role === "owner" ? <Badge variant="default">Owner</Badge> : <Badge variant="outline">Member</Badge>;
}

/** "2 of 3 seats used". */
export function seatsLabel(used: number, total: number) {
  return `${used} of ${total} ${total === 1 ? "seat" : "seats"} used`;
}

export function SeatsTable({
  people,
  label,
  name,
  onRemove,
}: {
  people: Seat[];
  label: string;
  /** How a person's name shows (a link on the admin's page). */
  name?: (s: Seat) => ReactNode;
  /** Offered for teammates (never the owner) when given. */
  onRemove?: (s: Seat) => void;
}) {
  return (
    <Table aria-label={label}>
      <THead>
        <TR>
          <TH>Person</TH>
          <TH>Role</TH>
          <TH className="hidden sm:table-cell">Added</TH>
          {onRemove ? (
            <TH className="text-right">
              <span className="sr-only">Actions</span>
            </TH>
          ) : null}
        </TR>
      </THead>
      <TBody>
        {people.map((s) => (
          <TR key={s.user_id}>
            <TD>
              <span className="font-medium">{name ? name(s) : s.name || s.email}</span>
              {s.name ? <span className="block text-xs text-muted-foreground break-all">{s.email}</span> : null}
            </TD>
            <TD>
              <RoleBadge role={s.role} />
            </TD>
            <TD className="hidden text-muted-foreground sm:table-cell">{formatDate(s.added_at)}</TD>
            {onRemove ? (
              <TD className="text-right">
                {s.role !== "owner" ? (
                  <Button variant="ghost" size="sm" onClick={() => onRemove(s)} aria-label={`Remove ${s.name || s.email}`}>
                    Remove
                  </Button>
                ) : null}
              </TD>
            ) : null}
          </TR>
        ))}
      </TBody>
    </Table>
  );
}

type TeammateValues = { email: string; name: string };
const empty: TeammateValues = { email: "", name: "" };

export function validateTeammate(v: TeammateValues) {
  return { email: !v.email.trim() ? "Enter the teammate's email." : !isEmail(v.email) ? "Enter a valid email address." : undefined };
}

/** Email and name of a teammate to seat; a new person gets an invitation by email. */
export function AddTeammateDialog({ open, onClose, onAdd }: { open: boolean; onClose: () => void; onAdd: (body: { email: string; name: string | null }) => Promise<unknown> }) {
  const form = useForm<TeammateValues>(empty, validateTeammate);
  const close = () => {
    form.reset(empty);
    onClose();
  };
  const onSubmit = form.handleSubmit(async (v) => {
    await onAdd({ email: v.email.trim(), name: v.name.trim() || null });
    close();
  });
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Add teammate"
      description="They share the account's access. Someone new gets an email to sign in."
      footer={
        <>
          <Button variant="outline" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" form="add-teammate" loading={form.submitting}>
            Add teammate
          </Button>
        </>
      }
    >
      <form id="add-teammate" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Email" error={form.errors.email}>
          {(p) => <Input {...p} type="email" autoComplete="off" value={form.values.email} onChange={(e) => form.setValue("email", e.target.value)} />}
        </Field>
        <Field label="Name (optional)" error={form.errors.name}>
          {(p) => <Input {...p} autoComplete="off" value={form.values.name} onChange={(e) => form.setValue("name", e.target.value)} />}
        </Field>
      </form>
    </Dialog>
  );
}

/** Confirms taking a teammate's seat (and the access it gave). */
export function RemoveTeammateDialog({ seat, onClose, onRemove }: { seat: Seat | null; onClose: () => void; onRemove: (s: Seat) => Promise<unknown> }) {
  const form = useForm<Record<string, never>>({});
  const close = () => {
    form.reset({});
    onClose();
  };
  const onSubmit = form.handleSubmit(async () => {
    if (!seat) return;
    await onRemove(seat);
    close();
  });
  const who = seat ? seat.name || seat.email : "";
  return (
    <Dialog
      open={!!seat}
      onClose={close}
      title={`Remove ${who}?`}
      description="They lose the access this account gives them right away. The seat can be given to someone else."
      footer={
        <>
          <Button variant="outline" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" form="remove-teammate" variant="destructive" loading={form.submitting}>
            Remove teammate
          </Button>
        </>
      }
    >
      <form id="remove-teammate" onSubmit={onSubmit} noValidate>
        <FormError message={form.formError} />
      </form>
    </Dialog>
  );
}
