import type { Product } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input, Textarea } from "@/components/ui/input";
import { useCreateProduct } from "./api";

type Values = { name: string; description: string };
export const validateNewProduct = (v: Values) => ({
  name: !v.name.trim() ? "Give the product a name." : v.name.trim().length > 200 ? "Keep the name under 200 characters." : undefined,
});

export function CreateProductDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (p: Product) => void }) {
  const create = useCreateProduct();
  const form = useForm<Values>({ name: "", description: "" }, validateNewProduct);
  const close = () => {
    form.reset({ name: "", description: "" });
    onClose();
  };
  const onSubmit = form.handleSubmit(async (v) => {
    const p = await create.mutateAsync({ name: v.name.trim(), description: v.description.trim() || null });
    close();
    onCreated(p);
  });
  return (
    <Dialog
      open={open}
      onClose={close}
      title="New product"
      description="You can set the purchase method and add pages next."
      footer={
        <>
          <Button variant="outline" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" form="create-product" loading={form.submitting}>
            Create product
          </Button>
        </>
      }
    >
      <form id="create-product" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Name" error={form.errors.name}>
          {(p) => <Input {...p} value={form.values.name} onChange={(e) => form.setValue("name", e.target.value)} />}
        </Field>
        <Field label="Description" error={form.errors.description}>
          {(p) => <Textarea {...p} value={form.values.description} onChange={(e) => form.setValue("description", e.target.value)} />}
        </Field>
      </form>
    </Dialog>
  );
}
