import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/api/client";
import { ApiError, unwrap } from "@/api/errors";
import type { CreateEndpointBody, DeliveryStatus, UpdateEndpointBody, WebhookDelivery, WebhookEndpoint, WebhookEventType } from "@/api/types";
import type { CursorPage } from "@/hooks/use-cursor-list";
import { formatDateTime, humanizeKind } from "@/lib/utils";

export const webhookKeys = {
  all: ["webhooks"] as const,
  eventTypes: ["webhooks", "event-types"] as const,
  endpoints: ["webhooks", "endpoints"] as const,
  endpoint: (id: string) => ["webhooks", "endpoint", id] as const,
  deliveries: (endpointId: string) => ["webhooks", "deliveries", endpointId] as const,
  delivery: (id: string) => ["webhooks", "delivery", id] as const,
};

/** The event catalogue (type, label, description); it only changes with a server upgrade. */
export function useEventTypes() {
  return useQuery({
    queryKey: webhookKeys.eventTypes,
    queryFn: async () => (await unwrap(api.GET("/api/v1/webhooks/event-types"))).data,
    staleTime: Infinity,
  });
}

/** "user.created" → "User Created", from the catalogue when it is loaded. */
export function eventLabel(types: readonly WebhookEventType[] | undefined, type: string): string {
  return types?.find((t) => t.type === type)?.label ?? humanizeKind(type);
}

/** Every endpoint and Zapier hook of the app: at most 50 (MAX_ENDPOINTS_PER_APP), so one page of 100 holds them all. */
export function useEndpoints() {
  return useQuery({
    queryKey: webhookKeys.endpoints,
    queryFn: async () => (await unwrap(api.GET("/api/v1/webhooks/endpoints", { params: { query: { limit: 100 } } }))).data,
  });
}

export function useEndpoint(id: string) {
  return useQuery({
    queryKey: webhookKeys.endpoint(id),
    queryFn: () => unwrap(api.GET("/api/v1/webhooks/endpoints/{id}", { params: { path: { id } } })),
  });
}

/** Puts a changed endpoint in the cache (detail and list) without a refetch. */
function useStoreEndpoint() {
  const qc = useQueryClient();
  return (e: WebhookEndpoint) => {
    qc.setQueryData(webhookKeys.endpoint(e.id), e);
    qc.setQueryData<WebhookEndpoint[]>(webhookKeys.endpoints, (old) => old?.map((x) => (x.id === e.id ? e : x)));
    void qc.invalidateQueries({ queryKey: webhookKeys.endpoints });
  };
}

export function useCreateEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateEndpointBody) => unwrap(api.POST("/api/v1/webhooks/endpoints", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.endpoints }),
  });
}

export function useUpdateEndpoint(id: string) {
  const store = useStoreEndpoint();
  return useMutation({
    mutationFn: (body: UpdateEndpointBody) => unwrap(api.PATCH("/api/v1/webhooks/endpoints/{id}", { params: { path: { id } }, body })),
    onSuccess: store,
  });
}

export function useRotateSecret(id: string) {
  const store = useStoreEndpoint();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/webhooks/endpoints/{id}/rotate-secret", { params: { path: { id } } })),
    onSuccess: ({ secret: _secret, ...endpoint }) => store(endpoint),
  });
}

/** Deletes an endpoint, or a Zapier hook through /hooks/{id} (which refuses another kind). */
export function useDeleteEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (e: Pick<WebhookEndpoint, "id" | "kind">) =>
      e.kind === "zapier"
        ? unwrap(api.DELETE("/api/v1/hooks/{id}", { params: { path: { id: e.id } } }))
        : unwrap(api.DELETE("/api/v1/webhooks/endpoints/{id}", { params: { path: { id: e.id } } })),
    onSuccess: (_, e) => {
      // Nothing may refetch the deleted endpoint (a 404); the list drops it at once.
      qc.removeQueries({ queryKey: webhookKeys.endpoint(e.id) });
      qc.removeQueries({ queryKey: webhookKeys.deliveries(e.id) });
      qc.setQueryData<WebhookEndpoint[]>(webhookKeys.endpoints, (old) => old?.filter((x) => x.id !== e.id));
      void qc.invalidateQueries({ queryKey: webhookKeys.endpoints });
    },
  });
}

export function useSendTest(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (eventType: string) => unwrap(api.POST("/api/v1/webhooks/endpoints/{id}/test", { params: { path: { id } }, body: { event_type: eventType } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.deliveries(id) }),
  });
}

export function useReplay(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (since: string) => unwrap(api.POST("/api/v1/webhooks/endpoints/{id}/replay", { params: { path: { id } }, body: { since } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.deliveries(id) }),
  });
}

export function useRedeliver(endpointId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) => unwrap(api.POST("/api/v1/webhooks/deliveries/{id}/redeliver", { params: { path: { id: deliveryId } } })),
    onSuccess: (_, deliveryId) => {
      void qc.invalidateQueries({ queryKey: webhookKeys.deliveries(endpointId) });
      void qc.invalidateQueries({ queryKey: webhookKeys.delivery(deliveryId) });
    },
  });
}

/** The delivery with the exact body it sends (loaded when its details ask for the payload). */
export function useDeliveryDetail(id: string, enabled: boolean) {
  return useQuery({
    queryKey: webhookKeys.delivery(id),
    queryFn: () => unwrap(api.GET("/api/v1/webhooks/deliveries/{id}", { params: { path: { id } } })),
    enabled,
  });
}

export type DeliveryFilters = { status?: DeliveryStatus; eventType?: string };

/**
 * How often to refetch the log: every 2 s while a delivery is pending and its
 * next try is due within a minute (or unknown), every 30 s while the pending
 * ones wait longer (a retry schedule runs for hours), not at all otherwise.
 */
export function deliveryPollInterval(items: readonly WebhookDelivery[] | undefined, now = Date.now()): number | false {
  const pending = (items ?? []).filter((d) => d.status === "pending");
  if (pending.length === 0) return false;
  const soon = pending.some((d) => !d.next_attempt_at || Date.parse(d.next_attempt_at) - now < 60_000);
  return soon ? 2000 : 30_000;
}

/** An endpoint's delivery log, newest first, cursor-paginated, refetched while deliveries are pending. */
export function useDeliveries(endpointId: string, filters: DeliveryFilters) {
  const query = { status: filters.status, event_type: filters.eventType || undefined };
  const q = useInfiniteQuery({
    queryKey: [...webhookKeys.deliveries(endpointId), query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/webhooks/endpoints/{id}/deliveries", { params: { path: { id: endpointId }, query: { ...query, cursor: pageParam, limit: 25 } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: CursorPage<WebhookDelivery>) => (last.has_more && last.next_cursor ? last.next_cursor : undefined),
    refetchInterval: (q) => deliveryPollInterval(q.state.data?.pages.flatMap((p) => p.data)),
  });
  return {
    data: q.data?.pages.flatMap((p) => p.data),
    isPending: q.isPending,
    isError: q.isError,
    error: q.error,
    refetch: q.refetch,
    hasNextPage: q.hasNextPage,
    fetchNextPage: q.fetchNextPage,
    isFetchingNextPage: q.isFetchingNextPage,
  };
}

export type EndpointStatus = { label: string; variant: "success" | "warning" | "destructive" | "secondary"; reason?: string };

/** The status pill of an endpoint: Enabled, Failing since …, or Disabled (with Tollgate's reason). */
export function endpointStatus(e: Pick<WebhookEndpoint, "enabled" | "disabled_reason" | "failing_since">): EndpointStatus {
  if (!e.enabled) {
    if (e.disabled_reason === "gone") return { label: "Disabled", variant: "destructive", reason: "The receiver answered 410 Gone." };
    if (e.disabled_reason === "failing") return { label: "Disabled", variant: "destructive", reason: "Every try failed for 5 days." };
    if (e.disabled_reason) return { label: "Disabled", variant: "destructive", reason: e.disabled_reason };
    return { label: "Disabled", variant: "secondary" };
  }
  if (e.failing_since) return { label: `Failing since ${formatDateTime(e.failing_since)}`, variant: "warning" };
  return { label: "Enabled", variant: "success" };
}

/** API field problems on an endpoint URL, said so an admin knows what to do. */
const urlHelp: Record<string, string> = {
  required: "Enter the URL Tollgate should send events to.",
  https_required: "Use an https:// URL: Tollgate only sends events over https.",
  private_address:
    "Tollgate only sends to public https:// addresses. This URL points into a private network (localhost, 10.x, 192.168.x, an internal name…), which Tollgate refuses so a webhook cannot reach your own servers.",
};

/** Rewrites the API's field messages for url / target_url (by code) before they reach the form. */
export function explainEndpointError(err: unknown): unknown {
  if (!(err instanceof ApiError) || !err.problem.errors?.length) return err;
  const errors = err.problem.errors.map((e) =>
    (e.field === "url" || e.field === "target_url") && urlHelp[e.code]
      ? { ...e, message: urlHelp[e.code]! }
      : e.field === "url" && e.code === "invalid_url"
        ? { ...e, message: `Tollgate cannot send to this URL: ${e.message}.` }
        : e,
  );
  return new ApiError({ ...err.problem, errors });
}

/** A Date as a datetime-local input value in the browser's time zone ("2026-11-23T10:05"). */
export function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
