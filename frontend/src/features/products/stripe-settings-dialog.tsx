import { ApiError } from "@/api/errors";
import type { CheckoutSettings, PriceInterval, Product, StripeLink, StripePrice, StripeProduct } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { LoadingRows } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input, Select } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { currencyDigits, formatInterval, formatMoney } from "@/lib/utils";
import { useStripeMutations, useStripeProducts } from "./stripe-api";

export const NEW_PRODUCT = "__new__";

export type StripeSettingsValues = {
  sync: string;
  amount: string;
  currency: string;
  billing: "one_off" | "recurring";
  interval: PriceInterval;
  interval_count: string;
  checkout: boolean;
  price_id: string;
  trial_days: string;
};

export const subscriptionsLabel = (n: number) => `includes ${n} active subscription${n === 1 ? "" : "s"}`;
export const priceLabel = (p: StripePrice) => `${p.nickname ? `${p.nickname}: ` : ""}${formatMoney(p.unit_amount, p.currency)} ${formatInterval(p.interval, p.interval_count)}`;

export function validateStripeSettings(v: StripeSettingsValues) {
  const creating = v.sync === NEW_PRODUCT;
  const amount = v.amount.trim();
  const count = v.interval_count.trim();
  const trial = v.trial_days.trim();
  return {
    sync: !v.sync ? "Choose a Stripe product, or create a new one." : undefined,
    amount: !creating ? undefined : !amount ? "Enter the price, e.g. 49.00." : !/^\d+([.,]\d{1,3})?$/.test(amount) || Number(amount.replace(",", ".")) <= 0 ? "Enter a positive amount, e.g. 49.00." : undefined,
    currency: !creating ? undefined : !/^[a-zA-Z]{3}$/.test(v.currency.trim()) ? "Use a three-letter currency code, e.g. usd." : undefined,
    interval_count: !creating || v.billing !== "recurring" ? undefined : !/^\d+$/.test(count) || Number(count) < 1 ? "Enter a whole number, 1 or more." : undefined,
    price_id: v.checkout && !creating && !v.price_id ? "Choose the price buyers pay." : undefined,
    trial_days: !v.checkout || !trial ? undefined : !/^\d+$/.test(trial) || Number(trial) < 1 || Number(trial) > 730 ? "Enter between 1 and 730 days, or leave empty." : undefined,
  };
}

/** "49.00" in usd → 4900 (in the currency's smallest unit). */
export function toMinorUnits(amount: string, currency: string): number {
  return Math.round(Number(amount.trim().replace(",", ".")) * 10 ** currencyDigits(currency));
}

/** The API names fields by request path (`create_with_price.unit_amount`); the form by its own names. */
const apiField: Record<string, keyof StripeSettingsValues> = {
  stripe_product_id: "sync",
  "create_with_price.unit_amount": "amount",
  "create_with_price.currency": "currency",
  "create_with_price.interval": "interval",
  "create_with_price.interval_count": "interval_count",
  price_id: "price_id",
  trial_period_days: "trial_days",
};
function renameFields(e: unknown): unknown {
  if (!(e instanceof ApiError) || !e.problem.errors?.length) return e;
  return new ApiError({ ...e.problem, errors: e.problem.errors.map((f) => ({ ...f, field: apiField[f.field] ?? f.field })) });
}

const isRecurring = (p: StripePrice | undefined) => !!p?.interval;

/** "Stripe settings": Product Sync with the Stripe product (or a new one with a price) and Checkout. */
export function StripeSettingsDialog({
  product,
  link,
  checkout,
  onClose,
}: {
  product: Product;
  link: StripeLink | null;
  checkout: CheckoutSettings | null;
  onClose: () => void;
}) {
  const stripeProducts = useStripeProducts(true);
  const { link: linkMutation, checkout: checkoutMutation } = useStripeMutations(product.id);
  const toast = useToast();
  const form = useForm<StripeSettingsValues>(
    {
      sync: link?.stripe_product_id ?? "",
      amount: "",
      currency: "usd",
      billing: "recurring",
      interval: "month",
      interval_count: "1",
      checkout: checkout?.enabled ?? false,
      price_id: checkout?.price_id ?? "",
      trial_days: checkout?.trial_period_days ? String(checkout.trial_period_days) : "",
    },
    validateStripeSettings,
  );
  const v = form.values;
  const list: StripeProduct[] = stripeProducts.data?.data ?? [];
  const selected = list.find((p) => p.id === v.sync);
  const creating = v.sync === NEW_PRODUCT;
  const selectedPrice = selected?.prices.find((p) => p.id === v.price_id);
  const recurringCheckout = creating ? v.billing === "recurring" : isRecurring(selectedPrice);

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      let current = link;
      const syncChanged = values.sync === NEW_PRODUCT || values.sync !== link?.stripe_product_id;
      if (syncChanged) {
        const currency = values.currency.trim().toLowerCase();
        current = await linkMutation.mutateAsync(
          values.sync === NEW_PRODUCT
            ? {
                create_with_price: {
                  unit_amount: toMinorUnits(values.amount, currency),
                  currency,
                  interval: values.billing === "recurring" ? values.interval : null,
                  interval_count: values.billing === "recurring" ? Number(values.interval_count) : null,
                },
              }
            : { stripe_product_id: values.sync },
        );
      }
      const priceId = values.sync === NEW_PRODUCT ? (current?.created_price_id ?? "") : values.price_id;
      const trial = values.checkout && recurringCheckout && values.trial_days.trim() ? Number(values.trial_days) : null;
      const checkoutChanged =
        values.checkout !== (checkout?.enabled ?? false) || (values.checkout && (priceId !== (checkout?.price_id ?? "") || trial !== (checkout?.trial_period_days ?? null)));
      if (checkoutChanged) {
        await checkoutMutation.mutateAsync(values.checkout ? { enabled: true, price_id: priceId, trial_period_days: trial } : { enabled: false });
      }
      toast(syncChanged ? "Stripe settings saved. Importing existing customers…" : "Stripe settings saved.");
      onClose();
    } catch (e) {
      throw renameFields(e);
    }
  });

  return (
    <Dialog
      open
      onClose={onClose}
      title="Stripe settings"
      description={`Purchases of the linked Stripe product grant access to ${product.name}.`}
      footer={
        <>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="stripe-settings" loading={form.submitting} disabled={stripeProducts.isPending || stripeProducts.isError}>
            Save
          </Button>
        </>
      }
    >
      <form id="stripe-settings" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        {stripeProducts.isPending ? (
          <LoadingRows rows={2} label="Loading Stripe products" />
        ) : stripeProducts.isError ? (
          <FormError message={`Could not load Stripe products: ${stripeProducts.error.message}`} />
        ) : (
          <>
            <Field
              label="Product Sync"
              error={form.errors.sync}
              hint={
                selected ? (
                  <>
                    {selected.name} {subscriptionsLabel(selected.active_subscriptions)}
                    {selected.active_subscriptions > 0 ? "; these customers are imported and get access." : "."}
                  </>
                ) : creating ? (
                  "A Stripe product is created with this product's name, description and image."
                ) : (
                  "Which Stripe product grants access to this product."
                )
              }
            >
              {(p) => (
                <Select
                  {...p}
                  value={v.sync}
                  onChange={(e) => {
                    form.setValue("sync", e.target.value);
                    form.setValue("price_id", "");
                  }}
                >
                  <option value="">Choose a Stripe product…</option>
                  {list.map((sp) => {
                    const elsewhere = !!sp.linked_product_id && sp.linked_product_id !== product.id;
                    return (
                      <option key={sp.id} value={sp.id} disabled={elsewhere}>
                        {sp.name} ({subscriptionsLabel(sp.active_subscriptions)}){elsewhere ? " — linked to another product" : ""}
                      </option>
                    );
                  })}
                  <option value={NEW_PRODUCT}>Create a new Stripe product</option>
                </Select>
              )}
            </Field>
            {selected && selected.prices.length > 0 ? (
              <ul className="grid gap-1 rounded-md border bg-muted/40 p-3 text-sm" aria-label="Prices">
                {selected.prices.map((pr) => (
                  <li key={pr.id}>{priceLabel(pr)}</li>
                ))}
              </ul>
            ) : null}
            {creating ? (
              <fieldset className="grid gap-3 rounded-md border p-3">
                <legend className="px-1 text-sm font-medium">Price</legend>
                <div className="grid grid-cols-[1fr_6rem] gap-3">
                  <Field label="Amount" error={form.errors.amount}>
                    {(p) => <Input {...p} inputMode="decimal" placeholder="49.00" value={v.amount} onChange={(e) => form.setValue("amount", e.target.value)} />}
                  </Field>
                  <Field label="Currency" error={form.errors.currency}>
                    {(p) => <Input {...p} maxLength={3} value={v.currency} onChange={(e) => form.setValue("currency", e.target.value)} />}
                  </Field>
                </div>
                <Field label="Billing" error={form.errors.billing}>
                  {(p) => (
                    <Select {...p} value={v.billing} onChange={(e) => form.setValue("billing", e.target.value as StripeSettingsValues["billing"])}>
                      <option value="one_off">One-off payment</option>
                      <option value="recurring">Recurring subscription</option>
                    </Select>
                  )}
                </Field>
                {v.billing === "recurring" ? (
                  <div className="grid grid-cols-[6rem_1fr] gap-3">
                    <Field label="Every" error={form.errors.interval_count}>
                      {(p) => <Input {...p} inputMode="numeric" value={v.interval_count} onChange={(e) => form.setValue("interval_count", e.target.value)} />}
                    </Field>
                    <Field label="Interval" error={form.errors.interval}>
                      {(p) => (
                        <Select {...p} value={v.interval} onChange={(e) => form.setValue("interval", e.target.value as PriceInterval)}>
                          <option value="day">Day(s)</option>
                          <option value="week">Week(s)</option>
                          <option value="month">Month(s)</option>
                          <option value="year">Year(s)</option>
                        </Select>
                      )}
                    </Field>
                  </div>
                ) : null}
              </fieldset>
            ) : null}
            <div className="grid gap-3 rounded-md border p-3">
              <div className="flex items-start justify-between gap-4">
                <div>
                  <label htmlFor="stripe-checkout" className="text-sm font-medium">
                    Checkout
                  </label>
                  <p id="stripe-checkout-hint" className="text-xs text-muted-foreground">
                    Creates a Stripe payment link and uses it as this product&apos;s purchase target.
                  </p>
                </div>
                <Switch id="stripe-checkout" aria-describedby="stripe-checkout-hint" checked={v.checkout} onCheckedChange={(c) => form.setValue("checkout", c)} />
              </div>
              {v.checkout && !creating ? (
                <Field label="Price" error={form.errors.price_id}>
                  {(p) => (
                    <Select {...p} value={v.price_id} onChange={(e) => form.setValue("price_id", e.target.value)} disabled={!selected}>
                      <option value="">{selected ? "Choose a price…" : "Choose a Stripe product first"}</option>
                      {selected?.prices.map((pr) => (
                        <option key={pr.id} value={pr.id}>
                          {priceLabel(pr)}
                        </option>
                      ))}
                    </Select>
                  )}
                </Field>
              ) : null}
              {v.checkout && creating ? <p className="text-xs text-muted-foreground">Checkout will use the new price.</p> : null}
              {v.checkout && recurringCheckout ? (
                <Field label="Free trial (days, optional)" error={form.errors.trial_days}>
                  {(p) => <Input {...p} inputMode="numeric" value={v.trial_days} onChange={(e) => form.setValue("trial_days", e.target.value)} />}
                </Field>
              ) : null}
            </div>
          </>
        )}
      </form>
    </Dialog>
  );
}
