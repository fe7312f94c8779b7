import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, renderRoute, stubApi } from "@/test/utils";
import { MemberPurchases, MemberSubscriptions } from "./member-billing";

describe("member billing tabs", () => {
  it("lists subscriptions and cancels at period end", async () => {
    const api = stubApi({
      "GET /api/v1/users/u1/subscriptions": () =>
        json({ data: [{ id: "sub_1", customer_id: "cus_1", status: "active", cancel_at_period_end: false, stripe_product_ids: ["prod_M"], mrr: 4900, currency: "usd", current_period_end: "2026-12-01T00:00:00Z" }] }),
      "POST /api/v1/users/u1/subscriptions/sub_1/cancel": () => json({ id: "sub_1", status: "active", cancel_at_period_end: true, current_period_end: "2026-12-01T00:00:00Z" }),
    });
    renderRoute(<MemberSubscriptions userId="u1" />);
    const user = userEvent.setup();
    expect(await screen.findByText(/\$49\.00 \/ month/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Cancel at period end" }));
    await user.click(within(screen.getByRole("dialog", { name: "Cancel at period end?" })).getByRole("button", { name: "Cancel at period end" }));
    await waitFor(() => expect(api.calls.some((c) => c.method === "POST")).toBe(true));
    expect(await api.calls.find((c) => c.method === "POST")!.json()).toEqual({ at_period_end: true });
  });

  it("lists purchases with product names and refunds", async () => {
    stubApi({
      "GET /api/v1/users/u1/purchases": () =>
        json({ data: [{ id: "pur_1", product_id: "p1", source_ref: "pi_1", amount: 19900, currency: "eur", refunded: true, purchased_at: "2026-10-01T00:00:00Z" }] }),
    });
    renderRoute(<MemberPurchases userId="u1" products={new Map([["p1", { id: "p1", name: "Course" } as never]])} />);
    expect(await screen.findByRole("link", { name: "Course" })).toBeInTheDocument();
    expect(screen.getByText("Refunded")).toBeInTheDocument();
  });
});
