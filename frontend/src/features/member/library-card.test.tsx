import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { LibraryItem } from "@/api/types";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { browser, LibraryGrid } from "./library-card";
import { cardAction } from "./purchase-target";

const item = (over: Partial<LibraryItem>): LibraryItem => ({
  product_id: "p1",
  name: "Course",
  description: "",
  image_url: null,
  has_access: false,
  locked: true,
  completed_pages: 0,
  total_pages: 0,
  purchase_target: null,
  ...over,
});
const salesPage = item({ product_id: "p_sales", name: "Sales", purchase_target: { kind: "sales_page", url: "http://tollgate.example.com/p/app_1/p_sales" } });
const checkout = item({ product_id: "p_co", name: "Checkout", purchase_target: { kind: "checkout", url: "https://buy.stripe.com/test_1" } });
const external = item({ product_id: "p_ext", name: "External", purchase_target: { kind: "external_url", url: "https://shop.example.com/buy" } });
const notForSale = item({ product_id: "p_none", name: "Hidden" });
const unlocked = item({ product_id: "p_open", name: "Open", has_access: true, locked: false, completed_pages: 1, total_pages: 4 });

describe("cardAction", () => {
  it("maps each purchase target kind for members and visitors", () => {
    expect(cardAction(salesPage, { member: true })).toEqual({ kind: "route", to: "/p/app_1/p_sales" });
    expect(cardAction(salesPage, { member: false })).toEqual({ kind: "route", to: "/p/app_1/p_sales" });
    expect(cardAction(checkout, { member: true })).toEqual({ kind: "checkout", productId: "p_co" });
    expect(cardAction(checkout, { member: false })).toEqual({ kind: "href", href: "https://buy.stripe.com/test_1" });
    expect(cardAction(external, { member: true })).toEqual({ kind: "href", href: "https://shop.example.com/buy" });
    expect(cardAction(notForSale, { member: true })).toEqual({ kind: "none" });
    expect(cardAction(unlocked, { member: true })).toEqual({ kind: "open", to: "/member/products/p_open" });
    expect(cardAction(item({ purchase_target: { kind: "sales_page", url: "https://other.example.com/landing" } }), { member: true })).toEqual({
      kind: "href",
      href: "https://other.example.com/landing",
    });
  });
});

describe("LibraryGrid", () => {
  it("renders locked cards with their targets and unlocked cards with progress", () => {
    stubApi({});
    renderRoute(<LibraryGrid items={[salesPage, checkout, external, notForSale, unlocked]} member />);
    expect(screen.getByRole("link", { name: "Sales (locked)" })).toHaveAttribute("href", "/p/app_1/p_sales");
    expect(screen.getByRole("link", { name: "External (locked)" })).toHaveAttribute("href", "https://shop.example.com/buy");
    expect(screen.getByRole("button", { name: "Checkout (locked)" })).toBeInTheDocument();
    expect(screen.getByLabelText("Hidden (locked)")).toHaveTextContent("Not available");
    expect(screen.getByRole("link", { name: "Open" })).toHaveAttribute("href", "/member/products/p_open");
    expect(screen.getByRole("progressbar", { name: "Open progress" })).toHaveAttribute("aria-valuenow", "1");
    expect(screen.getByText("1/4 completed")).toBeInTheDocument();
    expect(screen.getAllByText("Locked")).toHaveLength(4);
  });

  it("a visitor's checkout card is the payment link itself", () => {
    stubApi({});
    renderRoute(<LibraryGrid items={[checkout]} member={false} />);
    expect(screen.getByRole("link", { name: "Checkout (locked)" })).toHaveAttribute("href", "https://buy.stripe.com/test_1");
  });

  it("a member's checkout card starts a Checkout session and goes to its URL", async () => {
    const go = vi.spyOn(browser, "go").mockImplementation(() => {});
    stubApi({ "POST /api/v1/member/products/p_co/checkout": () => json({ url: "https://checkout.stripe.com/c/pay/cs_test_1" }) });
    renderRoute(<LibraryGrid items={[checkout]} member />);
    await userEvent.click(screen.getByRole("button", { name: "Checkout (locked)" }));
    await waitFor(() => expect(go).toHaveBeenCalledWith("https://checkout.stripe.com/c/pay/cs_test_1"));
  });

  it("shows the checkout_disabled problem instead of leaving", async () => {
    const go = vi.spyOn(browser, "go").mockImplementation(() => {});
    stubApi({ "POST /api/v1/member/products/p_co/checkout": () => problem(409, "checkout_disabled", "this product is not sold through Checkout") });
    renderRoute(<LibraryGrid items={[checkout]} member />);
    await userEvent.click(screen.getByRole("button", { name: "Checkout (locked)" }));
    expect(await screen.findByText("This product cannot be bought here right now. Try again later, or contact the site owner.")).toBeInTheDocument();
    expect(go).not.toHaveBeenCalled();
  });
});
