import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { Block, CheckoutBody, LinkStripeBody, StripeLink } from "@/api/types";
import { productKeys } from "./api";

export const stripeKeys = {
  connection: ["connectors", "stripe"] as const,
  products: ["connectors", "stripe", "products"] as const,
  link: (id: string) => ["products", "stripe", id] as const,
  checkout: (id: string) => ["products", "checkout", id] as const,
  salesPage: (id: string) => ["products", "sales-page", id] as const,
};

export const importRunning = (link: StripeLink | null | undefined) => link?.import.status === "queued" || link?.import.status === "running";

/** The product's Stripe link (null: not linked); polls every 1.5 s while the import runs. */
export function useStripeLink(id: string, pollMs = 1500) {
  return useQuery({
    queryKey: stripeKeys.link(id),
    // 204 (no body): not linked, a normal state the server answers without an error.
    queryFn: async () => (await unwrap(api.GET("/api/v1/products/{id}/stripe", { params: { path: { id } } }))) ?? null,
    refetchInterval: (q) => (importRunning(q.state.data) ? pollMs : false),
  });
}

export function useStripeConnection() {
  return useQuery({ queryKey: stripeKeys.connection, queryFn: () => unwrap(api.GET("/api/v1/connectors/stripe")) });
}

export function useStripeProducts(enabled: boolean) {
  return useQuery({ queryKey: stripeKeys.products, queryFn: () => unwrap(api.GET("/api/v1/connectors/stripe/products")), enabled });
}

export function useCheckout(id: string, enabled: boolean) {
  return useQuery({
    queryKey: stripeKeys.checkout(id),
    // 204 (no body): the product is not linked to Stripe, so it has no Checkout settings.
    queryFn: async () => (await unwrap(api.GET("/api/v1/products/{id}/stripe/checkout", { params: { path: { id } } }))) ?? null,
    enabled,
  });
}

export function useStripeMutations(id: string) {
  const qc = useQueryClient();
  const link = useMutation({
    mutationFn: (body: LinkStripeBody) => unwrap(api.PUT("/api/v1/products/{id}/stripe", { params: { path: { id } }, body })),
    onSuccess: (l) => {
      qc.setQueryData(stripeKeys.link(id), l);
      void qc.invalidateQueries({ queryKey: stripeKeys.products });
    },
  });
  const checkout = useMutation({
    mutationFn: (body: CheckoutBody) => unwrap(api.PUT("/api/v1/products/{id}/stripe/checkout", { params: { path: { id } }, body })),
    onSuccess: (c) => {
      qc.setQueryData(stripeKeys.checkout(id), c);
      void qc.invalidateQueries({ queryKey: productKeys.detail(id) });
    },
  });
  return { link, checkout };
}

export function useSalesPage(id: string) {
  return useQuery({
    queryKey: stripeKeys.salesPage(id),
    // 204 (no body): no sales page yet.
    queryFn: async () => (await unwrap(api.GET("/api/v1/products/{id}/sales-page", { params: { path: { id } } }))) ?? null,
  });
}

export function useSalesPageMutations(id: string) {
  const qc = useQueryClient();
  const onSuccess = (p: unknown) => qc.setQueryData(stripeKeys.salesPage(id), p);
  const save = useMutation({
    mutationFn: (body: { title: string; cta_label: string; blocks: Block[] }) =>
      unwrap(api.PUT("/api/v1/products/{id}/sales-page", { params: { path: { id } }, body: { ...body, blocks: body.blocks as unknown as Record<string, never>[] } })),
    onSuccess,
  });
  const createFrom = useMutation({
    mutationFn: (body: { template: string } | { from_product_id: string }) =>
      unwrap(api.POST("/api/v1/products/{id}/sales-page/create-from", { params: { path: { id } }, body })),
    onSuccess,
  });
  return { save, createFrom };
}
