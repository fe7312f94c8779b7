// Shared data for the webhooks tests.
import { json } from "@/test/utils";

export const eventTypes = {
  data: [
    { type: "user.created", label: "User Created", description: "A member was added." },
    { type: "product.access_granted", label: "Product Access Granted", description: "A member gained access to a product." },
    { type: "member.updated", label: "Member Updated", description: "A member's email or name changed." },
  ],
};

export const endpoint = {
  id: "ep_1",
  kind: "standard",
  url: "https://hooks.example.com/tollgate",
  description: "CRM sync",
  event_types: [] as string[],
  enabled: true,
  disabled_reason: null as string | null,
  failing_since: null as string | null,
  previous_secret_expires_at: null as string | null,
  created_at: "2026-11-20T10:00:00Z",
  updated_at: "2026-11-20T10:00:00Z",
};

/** One page of a list answer. */
export const page = (data: unknown[], next_cursor: string | null = null) => json({ data, has_more: !!next_cursor, next_cursor });

export const delivery = {
  id: "dlv_1",
  endpoint_id: "ep_1",
  message_id: "msg_abc",
  event_type: "user.created",
  status: "pending" as "pending" | "delivered" | "failed",
  attempts: 1,
  next_attempt_at: null as string | null,
  last_status_code: 500 as number | null,
  last_error: "HTTP 500" as string | null,
  created_at: "2026-11-23T10:00:00Z",
  delivered_at: null as string | null,
  tries: [
    { n: 1, attempted_at: "2026-11-23T10:00:01Z", status_code: 500 as number | null, latency_ms: 12, response_body: "oops: " + "x".repeat(1500) as string | null, error: null as string | null },
  ],
};
