import { describe, expect, it } from "vitest";
import { formatMrr } from "./dashboard-page";

describe("formatMrr", () => {
  it("uses the metrics currency, and no symbol before there is one", () => {
    expect(formatMrr({ mrr: 4900, paying_subscriptions: 1, currency: "eur" })).toMatch(/€/);
    expect(formatMrr({ mrr: 4900, paying_subscriptions: 1, currency: "eur" })).not.toMatch(/\$/);
    expect(formatMrr({ mrr: 0, paying_subscriptions: 0, currency: null })).toMatch(/^0[.,]00$/);
  });
});
