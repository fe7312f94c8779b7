import { fireEvent, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { MrrChart, chartPaths, niceMax, rangeStart } from "./mrr-chart";

const history = (data: { day: string; mrr: number; paying_subscriptions: number }[]) => ({ from: data[0]?.day ?? "2026-11-01", to: "2026-11-23", currency: "eur", data });

describe("MRR chart helpers", () => {
  it("starts a window of n days n-1 days back, in UTC", () => {
    expect(rangeStart(30, new Date("2026-11-23T23:30:00Z"))).toBe("2026-10-25");
    expect(rangeStart(1, new Date("2026-03-01T00:10:00Z"))).toBe("2026-03-01");
  });

  it("rounds the top of the scale up to 1, 2 or 5 times a power of ten", () => {
    expect([niceMax(0), niceMax(4900), niceMax(10000), niceMax(12001), niceMax(30000)]).toEqual([100, 5000, 10000, 20000, 50000]);
  });

  it("maps values to the box: zero at the bottom, the top value at the top", () => {
    expect(chartPaths([0, 50, 100], 200, 100, 100).line).toBe("M0.00,100.00L100.00,50.00L200.00,0.00");
    expect(chartPaths([40], 200, 100, 100).line).toBe("M0,60.00L200.00,60.00");
    expect(chartPaths([], 200, 100, 100).line).toBe("");
  });
});

describe("MrrChart", () => {
  it("shows the latest figure and the change, the hovered day's figure, and asks for the chosen range", async () => {
    const api = stubApi({
      "GET /api/v1/app/metrics/mrr": () =>
        json(
          history([
            { day: "2026-11-21", mrr: 10000, paying_subscriptions: 4 },
            { day: "2026-11-22", mrr: 12500, paying_subscriptions: 5 },
            { day: "2026-11-23", mrr: 15000, paying_subscriptions: 6 },
          ]),
        ),
    });
    renderRoute(<MrrChart />, { path: "/" });
    const value = await screen.findByTestId("mrr-chart-value");
    expect(value.textContent).toMatch(/150[.,]00/);
    expect(screen.getByText(/\+50%/)).toBeInTheDocument();
    expect(screen.getByText("6 paying", { exact: false })).toBeInTheDocument();

    // Hovering the left edge shows the first day.
    const svg = screen.getByRole("img");
    svg.getBoundingClientRect = () => ({ left: 0, width: 300, top: 0, height: 160, right: 300, bottom: 160, x: 0, y: 0, toJSON: () => ({}) });
    fireEvent.pointerMove(svg, { clientX: 1 });
    expect(screen.getByTestId("mrr-chart-value").textContent).toMatch(/100[.,]00/);
    expect(screen.getByText("4 paying", { exact: false })).toBeInTheDocument();

    await userEvent.click(screen.getByRole("tab", { name: "90 days" }));
    await screen.findByTestId("mrr-chart-value");
    const froms = api.calls.map((c) => new URL(c.url).searchParams.get("from"));
    expect(froms).toContain(rangeStart(30));
    expect(froms).toContain(rangeStart(90));
  });

  it("explains an empty history instead of drawing a flat line", async () => {
    stubApi({ "GET /api/v1/app/metrics/mrr": () => json(history([{ day: "2026-11-23", mrr: 0, paying_subscriptions: 0 }])) });
    renderRoute(<MrrChart />, { path: "/" });
    expect(await screen.findByText("No recurring revenue in this period")).toBeInTheDocument();
  });

  it("offers a retry when the history cannot be loaded", async () => {
    stubApi({ "GET /api/v1/app/metrics/mrr": () => problem(500, "internal", "Something went wrong") });
    renderRoute(<MrrChart />, { path: "/" });
    expect(await screen.findByText("Could not load the MRR history")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
