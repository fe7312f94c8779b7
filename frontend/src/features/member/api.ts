import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { memberApi } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { AddSeatBody, MemberProduct, ProfileBody } from "@/api/types";

export const memberAreaKeys = {
  me: ["member", "me"] as const,
  library: ["member", "library"] as const,
  product: (id: string) => ["member", "product", id] as const,
  purchases: ["member", "purchases"] as const,
  subscriptions: ["member", "subscriptions"] as const,
  account: ["member", "account"] as const,
  defaultApp: ["public", "default-app"] as const,
  publicLibrary: (appId: string) => ["public", "library", appId] as const,
  salesPage: (appId: string, productId: string) => ["public", "sales-page", appId, productId] as const,
};

export function useMe() {
  return useQuery({ queryKey: memberAreaKeys.me, queryFn: () => unwrap(memberApi.GET("/api/v1/member/me")) });
}

export function useLibrary() {
  return useQuery({ queryKey: memberAreaKeys.library, queryFn: async () => (await unwrap(memberApi.GET("/api/v1/member/library"))).data });
}

export function usePublicLibrary(appId: string) {
  return useQuery({
    queryKey: memberAreaKeys.publicLibrary(appId),
    queryFn: async () => (await unwrap(memberApi.GET("/api/v1/public/apps/{app_id}/library", { params: { path: { app_id: appId } } }))).data,
  });
}

export function usePublicApp(appId: string, enabled = true) {
  return useQuery({
    queryKey: ["public", "app", appId],
    queryFn: () => unwrap(memberApi.GET("/api/v1/public/apps/{app_id}", { params: { path: { app_id: appId } } })),
    enabled,
    staleTime: 5 * 60_000,
  });
}

/**
 * The signed-in member's site id. The session response carries no app id, so it is read from the access
 * token's `app` claim; null when the token cannot be read.
 */
export function memberAppId(accessToken: string | null | undefined): string | null {
  const payload = accessToken?.split(".")[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    const app = typeof claims === "object" && claims !== null ? (claims as { app?: unknown }).app : undefined;
    return typeof app === "string" && app ? app : null;
  } catch {
    return null;
  }
}

/** The member's site (name, billing portal switch); the default site when the token names none. */
export function useMemberApp(accessToken: string | null | undefined) {
  const appId = memberAppId(accessToken);
  const byId = usePublicApp(appId ?? "", !!appId);
  const byDefault = useDefaultApp(!appId);
  return appId ? byId : byDefault;
}

/** The single site of a one-site install (404 when there are several or none). */
export function useDefaultApp(enabled = true) {
  return useQuery({ queryKey: memberAreaKeys.defaultApp, queryFn: () => unwrap(memberApi.GET("/api/v1/public/default-app")), enabled, staleTime: 5 * 60_000 });
}

export function usePublicSalesPage(appId: string, productId: string) {
  return useQuery({
    queryKey: memberAreaKeys.salesPage(appId, productId),
    queryFn: () => unwrap(memberApi.GET("/api/v1/public/apps/{app_id}/products/{id}/sales-page", { params: { path: { app_id: appId, id: productId } } })),
  });
}

export function useMemberProduct(id: string) {
  return useQuery({
    queryKey: memberAreaKeys.product(id),
    queryFn: () => unwrap(memberApi.GET("/api/v1/member/products/{id}", { params: { path: { id } } })),
    retry: false,
  });
}

/** Ticks or unticks a page; the product's pages and progress update in place, the library refreshes. */
export function usePageCompletion(productId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ pageId, complete }: { pageId: string; complete: boolean }) => {
      const params = { params: { path: { id: productId, page_id: pageId } } };
      return unwrap(
        complete
          ? memberApi.POST("/api/v1/member/products/{id}/pages/{page_id}/complete", params)
          : memberApi.DELETE("/api/v1/member/products/{id}/pages/{page_id}/complete", params),
      );
    },
    onSuccess: (progress, { pageId, complete }) => {
      qc.setQueryData<MemberProduct>(memberAreaKeys.product(productId), (p) =>
        p ? { ...p, ...progress, pages: p.pages.map((pg) => (pg.id === pageId ? { ...pg, completed: complete } : pg)) } : p,
      );
      void qc.invalidateQueries({ queryKey: memberAreaKeys.library });
    },
  });
}

export function useMemberPurchases() {
  return useQuery({ queryKey: memberAreaKeys.purchases, queryFn: async () => (await unwrap(memberApi.GET("/api/v1/member/purchases"))).data });
}

export function useMemberSubscriptions() {
  return useQuery({ queryKey: memberAreaKeys.subscriptions, queryFn: async () => (await unwrap(memberApi.GET("/api/v1/member/subscriptions"))).data });
}

/** Name and password change at once; a new email comes back as `pending_email` until the new address confirms it. */
export function useUpdateProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProfileBody) => unwrap(memberApi.PATCH("/api/v1/member/me", { body })),
    onSuccess: (u) => qc.setQueryData(memberAreaKeys.me, u),
  });
}

/** Drops the pending email change; its confirmation link stops working. */
export function useCancelPendingEmail() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(memberApi.DELETE("/api/v1/member/me/pending-email")),
    onSuccess: (u) => qc.setQueryData(memberAreaKeys.me, u),
  });
}

/** Confirms a new email with the emailed token (signed in or not). */
export function useConfirmEmail() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => unwrap(memberApi.POST("/api/v1/member/confirm-email", { body: { token } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: memberAreaKeys.me }),
  });
}

/** A Stripe Checkout session for a logged-in member ("Buy"). */
export async function startCheckout(productId: string): Promise<string> {
  return (await unwrap(memberApi.POST("/api/v1/member/products/{id}/checkout", { params: { path: { id: productId } } }))).url;
}

export async function openBillingPortal(): Promise<string> {
  return (await unwrap(memberApi.POST("/api/v1/member/billing-portal"))).url;
}

/** Hosted media needs the member's bearer token, so it is fetched as a blob rather than linked. */
export async function fetchMedia(id: string): Promise<Blob> {
  return unwrap(memberApi.GET("/api/v1/member/media/{id}", { params: { path: { id } }, parseAs: "blob" })) as unknown as Promise<Blob>;
}

export async function markPlayed(id: string): Promise<void> {
  await unwrap(memberApi.POST("/api/v1/member/media/{id}/played", { params: { path: { id } } }));
}

/** The company account the member sits in, and their role in it (`account` null when none). */
export function useMemberAccount() {
  return useQuery({ queryKey: memberAreaKeys.account, queryFn: () => unwrap(memberApi.GET("/api/v1/member/account")) });
}

/** The account owner seats and unseats teammates. */
export function useMemberSeatMutations() {
  const qc = useQueryClient();
  const invalidate = () => qc.invalidateQueries({ queryKey: memberAreaKeys.account });
  const add = useMutation({
    mutationFn: (body: AddSeatBody) => unwrap(memberApi.POST("/api/v1/member/account/seats", { body })),
    onSuccess: invalidate,
  });
  const remove = useMutation({
    mutationFn: (userId: string) => unwrap(memberApi.DELETE("/api/v1/member/account/seats/{user_id}", { params: { path: { user_id: userId } } })),
    onSuccess: invalidate,
  });
  return { add, remove };
}
