import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Product } from "@/api/types";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { DeleteProductCard } from "./delete-product";

const product: Product = {
  id: "p1",
  name: "Course",
  description: "",
  image_url: null,
  purchase_method: "none",
  external_url: null,
  show_locked_card: false,
  archived_at: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

describe("DeleteProductCard", () => {
  it("deletes an unused product and goes back to the list", async () => {
    const api = stubApi({ "DELETE /api/v1/products/p1": () => new Response(null, { status: 204 }) });
    const { router } = renderRoute(<DeleteProductCard product={product} />, { path: "/products/:id", url: "/products/p1" });
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Delete product" }));
    await user.click(within(screen.getByRole("dialog", { name: "Delete product?" })).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/products"));
    expect(api.calls.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual(["DELETE /api/v1/products/p1"]);
  });

  it("shows 409 product_in_use with its message and offers Archive instead", async () => {
    const api = stubApi({
      "DELETE /api/v1/products/p1": () =>
        problem(409, "product_in_use", "this product has access grants, purchases, a Stripe link, media or a sales page; archive it instead"),
      "POST /api/v1/products/p1/archive": () => json({ ...product, archived_at: "2026-02-01T00:00:00Z" }),
    });
    const { router } = renderRoute(<DeleteProductCard product={product} />, { path: "/products/:id", url: "/products/p1" });
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Delete product" }));
    const dialog = screen.getByRole("dialog", { name: "Delete product?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("archive it instead");
    expect(within(dialog).queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Archive instead" }));
    expect(await screen.findByText("Product archived.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/products/p1");
    expect(api.calls.map((c) => c.method)).toEqual(["DELETE", "POST"]);
  });

  it("does not offer Archive for a product that is already archived", async () => {
    stubApi({ "DELETE /api/v1/products/p1": () => problem(409, "product_in_use", "this product has media; archive it instead") });
    renderRoute(<DeleteProductCard product={{ ...product, archived_at: "2026-02-01T00:00:00Z" }} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Delete product" }));
    const dialog = screen.getByRole("dialog", { name: "Delete product?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("archive it instead");
    expect(within(dialog).queryByRole("button", { name: "Archive instead" })).not.toBeInTheDocument();
  });
});
