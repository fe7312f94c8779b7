import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { adminAuth } from "@/api/client";
import { ApiKeysPage } from "@/features/api-keys/api-keys-page";
import { ProductsPage } from "@/features/products/products-page";
import { json, renderRoute, sessionAs, stubApi } from "@/test/utils";
import { ReadOnlyBadge, WriteOnly } from "./permissions";

const product = {
  id: "prod_1",
  name: "Course",
  description: "",
  image_url: null,
  purchase_method: "none",
  external_url: null,
  show_locked_card: true,
  archived_at: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

afterEach(() => adminAuth.setSession(null));

describe("viewer gating", () => {
  it("hides write actions and shows the read-only badge for viewers", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    stubApi({ "GET /api/v1/products": () => json({ data: [product], has_more: false, next_cursor: null }) });
    renderRoute(
      <>
        <ReadOnlyBadge />
        <ProductsPage />
      </>,
    );
    expect(await screen.findByText("Course")).toBeInTheDocument();
    expect(screen.getByText("Read-only access")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /New product/ })).not.toBeInTheDocument();
  });

  it("keeps write actions for owners and admins", async () => {
    adminAuth.setSession(sessionAs("admin"));
    stubApi({ "GET /api/v1/products": () => json({ data: [product], has_more: false, next_cursor: null }) });
    renderRoute(
      <>
        <ReadOnlyBadge />
        <ProductsPage />
      </>,
    );
    expect(await screen.findByText("Course")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /New product/ })).toBeInTheDocument();
    expect(screen.queryByText("Read-only access")).not.toBeInTheDocument();
  });

  it("hides API key creation and revocation from viewers", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    const key = { id: "key_1", name: "Zapier", last4: "WXYZ", scopes: ["users:read"], created_at: "2026-11-23T10:00:00Z", last_used_at: null, revoked_at: null };
    stubApi({ "GET /api/v1/api-keys": () => json({ data: [key], has_more: false, next_cursor: null }) });
    renderRoute(<ApiKeysPage />);
    expect(await screen.findByText("Zapier")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /New API key/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Revoke Zapier" })).not.toBeInTheDocument();
  });

  it("WriteOnly renders a fallback for viewers", () => {
    adminAuth.setSession(sessionAs("viewer"));
    renderRoute(<WriteOnly fallback={<p>view only</p>}>edit</WriteOnly>);
    expect(screen.getByText("view only")).toBeInTheDocument();
    expect(screen.queryByText("edit")).not.toBeInTheDocument();
  });
});
