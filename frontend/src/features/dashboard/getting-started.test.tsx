import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { json, renderRoute, stubApi } from "@/test/utils";
import { GettingStarted } from "./getting-started";

describe("GettingStarted", () => {
  it("lists what a new site still needs, with links to do it", async () => {
    stubApi({
      "GET /api/v1/connectors/stripe": () => json({ connected: false }),
      "GET /api/v1/products": () => json({ data: [{ id: "prod_1", name: "Course" }], has_more: false, next_cursor: null }),
      "GET /api/v1/products/prod_1/pages": () => json({ data: [] }),
    });
    renderRoute(<GettingStarted appId="app_1" products="1" members="0" />);
    expect(await screen.findByText("1 of 4 done. Then share the member login link.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Connect: Connect Stripe" })).toHaveAttribute("href", "/settings/connectors");
    expect(screen.getByRole("link", { name: "Add: Add lessons to it" })).toHaveAttribute("href", "/products/prod_1?tab=pages");
    expect(screen.getByText("(done)").parentElement).toHaveTextContent("Create a product");
    expect(screen.getByRole("button", { name: "Copy member login link" })).toBeInTheDocument();
  });

  it("is gone once the site is set up", async () => {
    const api = stubApi({
      "GET /api/v1/connectors/stripe": () => json({ connected: true }),
      "GET /api/v1/products": () => json({ data: [{ id: "prod_1", name: "Course" }], has_more: false, next_cursor: null }),
      "GET /api/v1/products/prod_1/pages": () => json({ data: [{ id: "pg_1" }] }),
    });
    renderRoute(<GettingStarted appId="app_1" products="1" members="3" />);
    // All three answers are in (the last one decides), and no checklist shows.
    await vi.waitFor(() => expect(api.calls.length).toBe(3));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole("list", { name: "Getting started" })).toBeNull();
  });
});
