import type { Grant } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input, Select } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { useProductOptions } from "@/features/products/api";
import { useGrantMutations } from "./api";

export type GrantValues = { product_id: string; ends_at: string; reason: string; notify: boolean };
const emptyGrant: GrantValues = { product_id: "", ends_at: "", reason: "", notify: true };

export function validateGrant(v: GrantValues, now = new Date()) {
  return {
    product_id: !v.product_id ? "Choose a product." : undefined,
    ends_at: v.ends_at && new Date(v.ends_at) <= now ? "The end date must be in the future." : undefined,
  };
}

export function GrantAccessDialog({ open, onClose, userId, existing }: { open: boolean; onClose: () => void; userId: string; existing: Grant[] }) {
  const products = useProductOptions();
  const { grant } = useGrantMutations(userId);
  const toast = useToast();
  const form = useForm<GrantValues>(emptyGrant, (v) => validateGrant(v));
  const activeIds = new Set(existing.filter((g) => g.active).map((g) => g.product_id));
  const choices = (products.data ?? []).filter((p) => !p.archived_at);
  const close = () => {
    form.reset(emptyGrant);
    onClose();
  };
  const onSubmit = form.handleSubmit(async (v) => {
    await grant.mutateAsync({
      product_id: v.product_id,
      ends_at: v.ends_at ? new Date(v.ends_at).toISOString() : null,
      reason: v.reason.trim() || null,
      notify: v.notify,
    });
    toast("Access granted.");
    close();
  });
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Grant access"
      footer={
        <>
          <Button variant="outline" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" form="grant-form" loading={form.submitting}>
            Grant access
          </Button>
        </>
      }
    >
      <form id="grant-form" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Product" error={form.errors.product_id}>
          {(p) => (
            <Select {...p} value={form.values.product_id} onChange={(e) => form.setValue("product_id", e.target.value)} disabled={products.isPending}>
              <option value="">{products.isPending ? "Loading products…" : choices.length ? "Choose a product" : "No products yet"}</option>
              {choices.map((p) => (
                <option key={p.id} value={p.id} disabled={activeIds.has(p.id)}>
                  {p.name}
                  {activeIds.has(p.id) ? " (has access)" : ""}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Access ends (optional)" error={form.errors.ends_at} hint="Leave empty for lifetime access.">
          {(p) => <Input {...p} type="datetime-local" value={form.values.ends_at} onChange={(e) => form.setValue("ends_at", e.target.value)} />}
        </Field>
        <Field label="Reason (optional)" error={form.errors.reason}>
          {(p) => <Input {...p} value={form.values.reason} onChange={(e) => form.setValue("reason", e.target.value)} placeholder="Comp, support case…" />}
        </Field>
        <div className="flex items-center gap-3">
          <Switch id="grant-notify" checked={form.values.notify} onCheckedChange={(c) => form.setValue("notify", c)} />
          <label htmlFor="grant-notify" className="text-sm">
            Email the member about their new access
          </label>
        </div>
      </form>
    </Dialog>
  );
}

export function RevokeGrantDialog({ grant, productName, onClose, userId }: { grant: Grant | null; productName?: string; onClose: () => void; userId: string }) {
  const { revoke } = useGrantMutations(userId);
  const toast = useToast();
  const form = useForm<{ reason: string }>({ reason: "" });
  const close = () => {
    form.reset({ reason: "" });
    onClose();
  };
  const onSubmit = form.handleSubmit(async (v) => {
    if (!grant) return;
    await revoke.mutateAsync({ grantId: grant.id, reason: v.reason.trim() || null });
    toast("Access revoked.");
    close();
  });
  return (
    <Dialog
      open={!!grant}
      onClose={close}
      title="Revoke access?"
      description={`The member loses access to ${productName ?? "this product"} right away.`}
      footer={
        <>
          <Button variant="outline" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" form="revoke-form" variant="destructive" loading={form.submitting}>
            Revoke access
          </Button>
        </>
      }
    >
      <form id="revoke-form" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Reason (optional)" error={form.errors.reason}>
          {(p) => <Input {...p} value={form.values.reason} onChange={(e) => form.setValue("reason", e.target.value)} placeholder="Refunded, requested by member…" />}
        </Field>
      </form>
    </Dialog>
  );
}
