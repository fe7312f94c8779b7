import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { json, renderRoute, stubApi } from "@/test/utils";
import { MrrMovements, signed } from "./mrr-movements";
import { rangeStart } from "./mrr-chart";

describe("MrrMovements", () => {
  it("signs amounts with a real minus", () => {
    const m = (n: number) => `$${(n / 100).toFixed(2)}`;
    expect([signed(2500, m), signed(-2500, m), signed(0, m)]).toEqual(["+$25.00", "−$25.00", "$0.00"]);
  });

  it("shows new, churned and net MRR of the range in the main currency", async () => {
    const api = stubApi({
      "GET /api/v1/app/metrics/mrr-movements": () =>
        json({
          from: "2026-11-02",
          to: "2026-12-01",
          data: [
            { currency: "usd", new: 7500, expansion: 0, contraction: 0, churned: -2500, reactivation: 0, net: 5000, new_subscriptions: 3, churned_subscriptions: 1 },
            { currency: "eur", new: 100, expansion: 0, contraction: 0, churned: 0, reactivation: 0, net: 100, new_subscriptions: 1, churned_subscriptions: 0 },
          ],
        }),
    });
    renderRoute(<MrrMovements days={30} />, { path: "/" });
    const list = await screen.findByLabelText("MRR movements in this period");
    const value = (label: string) => within(list).getByText(label).nextElementSibling?.textContent ?? "";
    expect(value("New")).toMatch(/^\+\$75\.00/);
    expect(value("New")).toContain("3 new");
    expect(value("Churned")).toMatch(/^−\$25\.00/);
    expect(value("Churned")).toContain("1 canceled");
    expect(value("Net")).toMatch(/^\+\$50\.00/);
    expect(new URL(api.calls[0]!.url).searchParams.get("from")).toBe(rangeStart(30));
  });

  it("shows zeros when nothing moved", async () => {
    stubApi({ "GET /api/v1/app/metrics/mrr-movements": () => json({ from: "2026-11-02", to: "2026-12-01", data: [] }) });
    renderRoute(<MrrMovements days={30} />, { path: "/" });
    const list = await screen.findByLabelText("MRR movements in this period");
    expect(within(list).getByText("Net").nextElementSibling?.textContent).toMatch(/0[.,]00/);
  });
});
