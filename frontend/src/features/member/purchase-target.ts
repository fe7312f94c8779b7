import type { LibraryItem } from "@/api/types";

/** What a click on a library card does. */
export type CardAction =
  | { kind: "open"; to: string } // unlocked: the product inside the member area
  | { kind: "route"; to: string } // locked, sales page: the SPA's /p/:app/:product route
  | { kind: "checkout"; productId: string } // locked, Checkout, logged-in member: POST /member/products/{id}/checkout first
  | { kind: "href"; href: string } // locked: an external order page, or the payment link for a visitor
  | { kind: "none" }; // locked and not for sale

const SALES_PAGE = /^\/p\/[^/]+\/[^/]+\/?$/;

export function cardAction(item: LibraryItem, { member }: { member: boolean }): CardAction {
  if (item.has_access) return member ? { kind: "open", to: `/member/products/${item.product_id}` } : { kind: "none" };
  const target = item.purchase_target;
  if (!target) return { kind: "none" };
  switch (target.kind) {
    case "sales_page": {
      // The API gives an absolute URL on its public address; the page itself is a route of this SPA.
      const url = new URL(target.url, window.location.origin);
      return SALES_PAGE.test(url.pathname) ? { kind: "route", to: url.pathname } : { kind: "href", href: target.url };
    }
    case "checkout":
      return member ? { kind: "checkout", productId: item.product_id } : { kind: "href", href: target.url };
    default:
      return { kind: "href", href: target.url };
  }
}

export function actionLabel(item: LibraryItem): string {
  if (item.has_access) return "Open";
  switch (item.purchase_target?.kind) {
    case "sales_page":
      return "Learn more";
    case "checkout":
    case "external_url":
      return "Buy now";
    default:
      return "Not available";
  }
}
