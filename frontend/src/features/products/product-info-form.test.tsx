import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Product } from "@/api/types";
import { problem, renderRoute, stubApi } from "@/test/utils";
import { ProductInfoForm, validateProductInfo } from "./product-info-form";

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

describe("ProductInfoForm", () => {
  it("asks for the external URL for external_url, and an optional order page for the checkout methods", async () => {
    stubApi({});
    renderRoute(<ProductInfoForm product={product} />);
    expect(screen.queryByLabelText("External URL")).not.toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Purchase method"), "external_url");
    expect(screen.getByLabelText("External URL")).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Purchase method"), "direct_checkout");
    expect(screen.queryByLabelText("External URL")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Custom order page URL (optional)")).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Purchase method"), "none");
    expect(screen.queryByLabelText("Custom order page URL (optional)")).not.toBeInTheDocument();
  });

  it("shows the Stripe payment link under Purchase Method once Checkout is on", async () => {
    stubApi({});
    renderRoute(<ProductInfoForm product={{ ...product, purchase_method: "direct_checkout" }} paymentLinkUrl="https://buy.stripe.com/test_abc" />);
    expect(screen.getByRole("link", { name: "https://buy.stripe.com/test_abc" })).toHaveAttribute("href", "https://buy.stripe.com/test_abc");
  });

  it("requires a valid external URL before saving", async () => {
    const api = stubApi({});
    renderRoute(<ProductInfoForm product={product} />);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Purchase method"), "external_url");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Enter the URL buyers are sent to.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("External URL"), "shop.example.com");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Enter a full URL (https://…).")).toBeInTheDocument();
    expect(api.fn).not.toHaveBeenCalled();
  });

  it("sends the changes and maps server field errors", async () => {
    const api = stubApi({
      "PATCH /api/v1/products/p1": () => problem(422, "validation_failed", "Some fields are invalid.", [{ field: "name", code: "too_long", message: "Name is too long." }]),
    });
    renderRoute(<ProductInfoForm product={product} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("switch", { name: /show locked card/i }));
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Name is too long.")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    await waitFor(() => expect(api.calls).toHaveLength(1));
    expect(await api.calls[0]!.json()).toMatchObject({ name: "Course", purchase_method: "none", external_url: null, show_locked_card: true });
  });

  it("validateProductInfo ignores the external URL for other methods", () => {
    const base = { name: "x", description: "", image_url: "", external_url: "", show_locked_card: false };
    expect(validateProductInfo({ ...base, purchase_method: "none" }).external_url).toBeUndefined();
    expect(validateProductInfo({ ...base, purchase_method: "external_url", external_url: "https://shop.example.com/x" }).external_url).toBeUndefined();
  });
});
