import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, renderRoute, stubApi } from "@/test/utils";
import { ActivitiesPage, filtersFromParams } from "./activities-page";

const empty = { data: [], has_more: false, next_cursor: null };

describe("activity filters", () => {
  it("reads kinds, member, product and a preset range from the URL", () => {
    const now = Date.parse("2026-11-23T12:00:30Z");
    const f = filtersFromParams(new URLSearchParams("kind=user.login,product.access_granted&user_id=u1&product_id=p1&range=24h"), now);
    expect(f).toEqual({ kinds: ["user.login", "product.access_granted"], userId: "u1", productId: "p1", since: "2026-11-22T12:00:00.000Z", until: undefined });
  });

  it("ignores since/until unless the range is custom", () => {
    expect(filtersFromParams(new URLSearchParams("since=2026-01-01T00:00")).since).toBeUndefined();
    expect(filtersFromParams(new URLSearchParams("range=custom&since=2026-01-01T00:00")).since).toBe(new Date("2026-01-01T00:00").toISOString());
  });

  it("sends URL filters to the API and shows the filtered empty state", async () => {
    const api = stubApi({
      "GET /api/v1/activities": () => json(empty),
      "GET /api/v1/users": () => json(empty),
      "GET /api/v1/products": () => json(empty),
    });
    renderRoute(<ActivitiesPage />, { path: "/activities", url: "/activities?kind=product.access_granted" });
    expect(await screen.findByText("No activities match these filters")).toBeInTheDocument();
    const call = api.calls.find((c) => c.url.includes("/api/v1/activities"))!;
    expect(new URL(call.url).searchParams.get("kind")).toBe("product.access_granted");
  });

  it("adds a kind to the URL from the multi-select", async () => {
    stubApi({
      "GET /api/v1/activities": () =>
        json({
          data: [{ id: "a1", kind: "user.login", label: "User Login", user_id: null, product_id: null, data: {}, occurred_at: new Date().toISOString() }],
          has_more: false,
          next_cursor: null,
        }),
      "GET /api/v1/users": () => json(empty),
      "GET /api/v1/products": () => json(empty),
    });
    const { router } = renderRoute(<ActivitiesPage />, { path: "/activities" });
    expect(await screen.findByText("User Login")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: /Kind: All kinds/ }));
    await userEvent.click(screen.getByRole("option", { name: "Subscription Started" }));
    await waitFor(() => expect(router.state.location.search).toBe("?kind=subscription.started"));
  });
});
