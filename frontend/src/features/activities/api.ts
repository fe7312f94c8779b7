import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import { useCursorList } from "@/hooks/use-cursor-list";

export const activityKinds = [
  { value: "user.login", label: "User Login" },
  { value: "user.created", label: "User Created" },
  { value: "user.activate", label: "User Activate" },
  { value: "user.inactive", label: "User Inactive" },
  { value: "user.video_watched", label: "Video Watched" },
  { value: "user.audio_listened", label: "Audio Listened" },
  { value: "user.file_downloaded", label: "File Downloaded" },
  { value: "user.page_completed", label: "Page Completed" },
  { value: "user.product_completed", label: "Product Completed" },
  { value: "product.access_granted", label: "Product Access Granted" },
  { value: "product.access_removed", label: "Product Access Removed" },
  { value: "product.purchased", label: "Product Purchased" },
  { value: "subscription.started", label: "Subscription Started" },
  { value: "subscription.cancelled", label: "Subscription Cancelled" },
  { value: "member.stage_changed", label: "Member Stage Changed" },
] as const;

export type ActivityFilters = {
  kinds?: string[];
  userId?: string;
  productId?: string;
  since?: string;
  until?: string;
};

/** The feed polls every 5 s so new entries appear without a reload. */
export function useActivities(filters: ActivityFilters, options: { limit?: number; poll?: boolean } = {}) {
  const query = {
    kind: filters.kinds?.length ? filters.kinds.join(",") : undefined,
    user_id: filters.userId || undefined,
    product_id: filters.productId || undefined,
    since: filters.since || undefined,
    until: filters.until || undefined,
  };
  return useCursorList(
    ["activities", query, options.limit ?? 50],
    (cursor) => unwrap(api.GET("/api/v1/activities", { params: { query: { ...query, cursor, limit: options.limit ?? 50 } } })),
    { refetchInterval: options.poll === false ? false : 5000 },
  );
}
