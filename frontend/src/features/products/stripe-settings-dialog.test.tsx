import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Product, StripeLink } from "@/api/types";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { ConnectorInfo, ImportStatus } from "./connector-info";
import { StripeSettingsDialog, toMinorUnits, validateStripeSettings } from "./stripe-settings-dialog";

const product: Product = {
  id: "prd_1",
  name: "Mastermind",
  description: "",
  image_url: null,
  purchase_method: "direct_checkout",
  external_url: null,
  show_locked_card: true,
  archived_at: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

// Shapes from openapi.json: StripeProductList, StripeLinkResponse, CheckoutResponse.
const stripeProducts = {
  data: [
    {
      id: "prod_M",
      name: "Membership Mastermind",
      active: true,
      description: null,
      linked_product_id: null,
      active_subscriptions: 1,
      prices: [
        { id: "price_month", currency: "usd", unit_amount: 4900, interval: "month", interval_count: 1, nickname: null },
        { id: "price_once", currency: "usd", unit_amount: 19900, interval: null, interval_count: null, nickname: "Lifetime" },
      ],
    },
    { id: "prod_X", name: "Other course", active: true, linked_product_id: "prd_other", active_subscriptions: 0, prices: [] },
  ],
};
const linkOf = (over: Partial<StripeLink> = {}): StripeLink => ({
  product_id: "prd_1",
  stripe_product_id: "prod_M",
  stripe_product_name: "Membership Mastermind",
  linked_at: "2026-02-01T10:00:00Z",
  created_price_id: null,
  import: { status: "queued", done: 0, total: null, job_id: "job_1", error: null },
  ...over,
});

describe("StripeSettingsDialog", () => {
  it("lists Stripe products with their active subscriptions and links the chosen one, then turns Checkout on", async () => {
    const api = stubApi({
      "GET /api/v1/connectors/stripe/products": () => json(stripeProducts),
      "PUT /api/v1/products/prd_1/stripe": () => json(linkOf()),
      "PUT /api/v1/products/prd_1/stripe/checkout": () =>
        json({ enabled: true, price_id: "price_month", mode: "subscription", trial_period_days: 7, payment_link_url: "https://buy.stripe.com/test_1" }),
    });
    const onClose = vi.fn();
    renderRoute(<StripeSettingsDialog product={product} link={null} checkout={null} onClose={onClose} />);
    const user = userEvent.setup();
    const sync = await screen.findByLabelText("Product Sync");
    expect(screen.getByRole("option", { name: "Membership Mastermind (includes 1 active subscription)" })).toBeInTheDocument();
    expect(screen.getByRole("option", { name: /Other course .* linked to another product/ })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Choose a Stripe product, or create a new one.")).toBeInTheDocument();

    await user.selectOptions(sync, "prod_M");
    expect(screen.getByText(/Membership Mastermind includes 1 active subscription;/)).toBeInTheDocument();
    await user.click(screen.getByRole("switch", { name: "Checkout" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Choose the price buyers pay.")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Price"), "price_month");
    await user.type(screen.getByLabelText("Free trial (days, optional)"), "7");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const puts = api.calls.filter((c) => c.method === "PUT");
    expect(await puts[0]!.json()).toEqual({ stripe_product_id: "prod_M" });
    expect(await puts[1]!.json()).toEqual({ enabled: true, price_id: "price_month", trial_period_days: 7 });
  });

  it("creates a new Stripe product with a recurring price and uses it for Checkout", async () => {
    const api = stubApi({
      "GET /api/v1/connectors/stripe/products": () => json(stripeProducts),
      "PUT /api/v1/products/prd_1/stripe": () => json(linkOf({ stripe_product_id: "prod_new", created_price_id: "price_new" })),
      "PUT /api/v1/products/prd_1/stripe/checkout": () => json({ enabled: true, price_id: "price_new", payment_link_url: "https://buy.stripe.com/x" }),
    });
    renderRoute(<StripeSettingsDialog product={product} link={null} checkout={null} onClose={() => {}} />);
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText("Product Sync"), "__new__");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Enter the price, e.g. 49.00.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Amount"), "-3");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Enter a positive amount, e.g. 49.00.")).toBeInTheDocument();
    await user.clear(screen.getByLabelText("Amount"));
    await user.type(screen.getByLabelText("Amount"), "29.50");
    await user.selectOptions(screen.getByLabelText("Interval"), "year");
    await user.click(screen.getByRole("switch", { name: "Checkout" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(api.calls.filter((c) => c.method === "PUT")).toHaveLength(2));
    const puts = api.calls.filter((c) => c.method === "PUT");
    expect(await puts[0]!.json()).toEqual({ create_with_price: { unit_amount: 2950, currency: "usd", interval: "year", interval_count: 1 } });
    expect(await puts[1]!.json()).toEqual({ enabled: true, price_id: "price_new", trial_period_days: null });
  });

  it("shows the 409 active_subscriptions problem and API field errors next to the fields", async () => {
    let n = 0;
    stubApi({
      "GET /api/v1/connectors/stripe/products": () => json(stripeProducts),
      "PUT /api/v1/products/prd_1/stripe": () =>
        n++ === 0
          ? problem(409, "active_subscriptions", "the linked Stripe product has 1 active subscription; cancel them in Stripe before changing the product sync")
          : problem(422, "validation_failed", "1 field(s) are invalid", [{ field: "create_with_price.currency", code: "invalid", message: "unknown currency" }]),
    });
    renderRoute(<StripeSettingsDialog product={product} link={linkOf({ stripe_product_id: "prod_old", import: { status: "succeeded", done: 1, total: 1 } })} checkout={null} onClose={() => {}} />);
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText("Product Sync"), "prod_M");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("cancel them in Stripe before changing the product sync");

    await user.selectOptions(screen.getByLabelText("Product Sync"), "__new__");
    await user.type(screen.getByLabelText("Amount"), "10");
    await user.clear(screen.getByLabelText("Currency"));
    await user.type(screen.getByLabelText("Currency"), "zzz");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("unknown currency")).toBeInTheDocument();
    expect(screen.getByLabelText("Currency")).toHaveAttribute("aria-invalid", "true");
  });

  it("validates and converts amounts", () => {
    const base = { sync: "__new__", amount: "49", currency: "usd", billing: "one_off" as const, interval: "month" as const, interval_count: "1", checkout: false, price_id: "", trial_days: "" };
    expect(validateStripeSettings(base).amount).toBeUndefined();
    expect(validateStripeSettings({ ...base, currency: "us" }).currency).toBeDefined();
    expect(validateStripeSettings({ ...base, billing: "recurring", interval_count: "0" }).interval_count).toBeDefined();
    expect(validateStripeSettings({ ...base, checkout: true, trial_days: "1000" }).trial_days).toBeDefined();
    expect(toMinorUnits("49.99", "usd")).toBe(4999);
    expect(toMinorUnits("500", "jpy")).toBe(500);
  });
});

describe("import progress", () => {
  it("draws a progress bar while running and the outcome afterwards", () => {
    const { rerender } = renderRoute(<ImportStatus progress={{ status: "running", done: 3, total: 12 }} />);
    const bar = screen.getByRole("progressbar", { name: "Import progress" });
    expect(bar).toHaveAttribute("aria-valuenow", "3");
    expect(bar).toHaveAttribute("aria-valuemax", "12");
    expect(screen.getByText("3 of 12")).toBeInTheDocument();
    rerender(<ImportStatus progress={{ status: "dead", error: "Stripe said no" }} />);
    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();
  });

  it("polls the link while the import runs and stops when it is done", async () => {
    let polls = 0;
    stubApi({
      "GET /api/v1/connectors/stripe": () => json({ connected: true, webhook_url: "http://x/webhooks/stripe/app" }),
      "GET /api/v1/products/prd_1/stripe": () => {
        polls++;
        return json(linkOf({ import: polls < 3 ? { status: "running", done: polls, total: 2 } : { status: "succeeded", done: 2, total: 2 } }));
      },
      "GET /api/v1/products/prd_1/stripe/checkout": () => json({ enabled: false }),
    });
    renderRoute(<ConnectorInfo product={product} />);
    expect(await screen.findByText("Membership Mastermind")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "Import progress" })).toBeInTheDocument();
    expect(await screen.findByText("Imported 2 customers from Stripe.", undefined, { timeout: 5000 })).toBeInTheDocument();
    const after = polls;
    await new Promise((r) => setTimeout(r, 1700));
    expect(polls).toBe(after);
  });

  it("reads a 404 link as not linked", async () => {
    stubApi({
      "GET /api/v1/connectors/stripe": () => json({ connected: true, webhook_url: "http://x" }),
      "GET /api/v1/products/prd_1/stripe": () => new Response(null, { status: 204 }),
    });
    renderRoute(<ConnectorInfo product={product} />);
    expect(await screen.findByText("Not linked to a Stripe product.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Configure" })).toBeEnabled();
  });
});
