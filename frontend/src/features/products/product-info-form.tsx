import { ImageUploadButton } from "@/components/image-upload";
import { useQueryClient } from "@tanstack/react-query";
import type { Product, PurchaseMethod } from "@/api/types";
import { CopyButton } from "@/components/copy-button";
import { Field, FormError } from "@/components/form/field";
import { isUrl, useForm } from "@/components/form/use-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Select, Textarea } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { purchaseMethods, saleProblemsQuery, useUpdateProduct } from "./api";
import { WriteFieldset } from "@/features/auth/permissions";

export type ProductInfoValues = {
  name: string;
  description: string;
  image_url: string;
  purchase_method: PurchaseMethod;
  external_url: string;
  show_locked_card: boolean;
};

export function validateProductInfo(v: ProductInfoValues) {
  return {
    name: !v.name.trim() ? "Give the product a name." : undefined,
    image_url: v.image_url.trim() && !isUrl(v.image_url) ? "Enter a full image URL (https://…)." : undefined,
    external_url:
      v.purchase_method === "none"
        ? undefined
        : !v.external_url.trim()
          ? v.purchase_method === "external_url"
            ? "Enter the URL buyers are sent to."
            : undefined
          : !isUrl(v.external_url)
            ? "Enter a full URL (https://…)."
            : undefined,
  };
}

const toValues = (p: Product): ProductInfoValues => ({
  name: p.name,
  description: p.description ?? "",
  image_url: p.image_url ?? "",
  purchase_method: p.purchase_method,
  external_url: p.external_url ?? "",
  show_locked_card: p.show_locked_card,
});

export function ProductInfoForm({ product, paymentLinkUrl }: { product: Product; paymentLinkUrl?: string | null }) {
  const update = useUpdateProduct(product.id);
  const toast = useToast();
  const qc = useQueryClient();
  const form = useForm<ProductInfoValues>(toValues(product), validateProductInfo);
  const v = form.values;

  const onSubmit = form.handleSubmit(async (values) => {
    await update.mutateAsync({
      name: values.name.trim(),
      description: values.description.trim() || null,
      image_url: values.image_url.trim() || null,
      purchase_method: values.purchase_method,
      // Checkout methods fall back to the custom order page while Stripe Checkout is off.
      external_url: values.purchase_method === "none" ? null : values.external_url.trim() || null,
      show_locked_card: values.show_locked_card,
    });
    // Warn on save when the purchase method cannot sell (the banner above the tabs stays until it can).
    const problem = (await qc.fetchQuery({ ...saleProblemsQuery, staleTime: 0 })).find((x) => x.product_id === product.id);
    toast(problem ? `Product saved. ${problem.message}` : "Product saved.");
  });

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4 lg:grid-cols-2">
      <WriteFieldset className="contents">
      <Card>
        <CardHeader>
          <CardTitle>Details</CardTitle>
          <CardDescription>What members see in their library.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <FormError message={form.formError} />
          <Field label="Name" error={form.errors.name}>
            {(p) => <Input {...p} value={v.name} onChange={(e) => form.setValue("name", e.target.value)} />}
          </Field>
          <Field label="Description" error={form.errors.description}>
            {(p) => <Textarea {...p} rows={4} value={v.description} onChange={(e) => form.setValue("description", e.target.value)} />}
          </Field>
          <Field label="Image URL" error={form.errors.image_url}>
            {(p) => (
              <div className="flex items-center gap-2">
                <Input {...p} type="url" placeholder="https://…" value={v.image_url} onChange={(e) => form.setValue("image_url", e.target.value)} />
                <ImageUploadButton label="Upload the product image" onUploaded={(url) => form.setValue("image_url", url)} />
              </div>
            )}
          </Field>
        </CardContent>
      </Card>
      <Card className="flex flex-col">
        <CardHeader>
          <CardTitle>Purchase method</CardTitle>
          <CardDescription>Where people without access go to buy this product.</CardDescription>
        </CardHeader>
        <CardContent className="grid flex-1 content-start gap-4">
          <Field label="Purchase method" error={form.errors.purchase_method}>
            {(p) => (
              <Select {...p} value={v.purchase_method} onChange={(e) => form.setValue("purchase_method", e.target.value as PurchaseMethod)}>
                {purchaseMethods.map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {v.purchase_method === "external_url" ? (
            <Field label="External URL" error={form.errors.external_url} hint="An order form or shop page outside Tollgate.">
              {(p) => <Input {...p} type="url" placeholder="https://…" value={v.external_url} onChange={(e) => form.setValue("external_url", e.target.value)} />}
            </Field>
          ) : v.purchase_method !== "none" ? (
            <Field
              label="Custom order page URL (optional)"
              error={form.errors.external_url}
              hint="Used while Stripe Checkout is off, e.g. a Keap order form or a Shopify page."
            >
              {(p) => <Input {...p} type="url" placeholder="https://…" value={v.external_url} onChange={(e) => form.setValue("external_url", e.target.value)} />}
            </Field>
          ) : null}
          {paymentLinkUrl && v.purchase_method !== "none" && v.purchase_method !== "external_url" ? (
            <div className="grid gap-1.5">
              <p className="text-sm font-medium">Stripe Checkout link</p>
              <div className="flex items-center gap-2">
                <a href={paymentLinkUrl} target="_blank" rel="noreferrer" className="min-w-0 flex-1 truncate rounded-md border bg-muted px-2 py-1.5 font-mono text-xs hover:underline">
                  {paymentLinkUrl}
                </a>
                <CopyButton value={paymentLinkUrl} label="Copy checkout link" />
              </div>
            </div>
          ) : null}
          <div className="flex items-start justify-between gap-4 rounded-md border p-3">
            <div>
              <label htmlFor="show-locked-card" className="text-sm font-medium">
                Show locked card to users without access
              </label>
              <p id="show-locked-card-hint" className="text-xs text-muted-foreground">
                Members without access see the product in their library with a lock, linking to the purchase method.
              </p>
              {form.errors.show_locked_card ? <p className="text-xs font-medium text-destructive">{form.errors.show_locked_card}</p> : null}
            </div>
            <Switch
              id="show-locked-card"
              aria-describedby="show-locked-card-hint"
              checked={v.show_locked_card}
              onCheckedChange={(c) => form.setValue("show_locked_card", c)}
            />
          </div>
        </CardContent>
      </Card>
      <div className="flex justify-end lg:col-span-2">
        <Button type="submit" loading={form.submitting}>
          Save changes
        </Button>
      </div>
      </WriteFieldset>
    </form>
  );
}
