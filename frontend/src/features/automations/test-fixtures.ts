// Shared data for the automations tests.
import { json } from "@/test/utils";
import { endpoint, eventTypes, page } from "@/features/webhooks/test-fixtures";

export { eventTypes, page };

export const products = [
  { id: "prod_starter", name: "Starter Course", archived_at: null },
  { id: "prod_mm", name: "Mastermind", archived_at: null },
];

export const reference = {
  variables: [
    { name: "member.name", description: "The member's name" },
    { name: "site.name", description: "The site's name" },
  ],
  built_in: [
    { id: "builtin:welcome", name: "Welcome", subject: "Welcome to {{site.name}}", body: "Hi {{member.name}}", built_in: true, created_at: null, updated_at: null },
    { id: "builtin:access_granted", name: "Access granted", subject: "You now have access", body: "Hi", built_in: true, created_at: null, updated_at: null },
  ],
};

export const template = {
  id: "tpl_1",
  name: "Bonus unlocked",
  subject: "Your bonus, {{member.name}}",
  body: "Hi **{{member.name}}**",
  built_in: false,
  created_at: "2026-11-20T10:00:00Z",
  updated_at: "2026-11-20T10:00:00Z",
};

export const automation = {
  id: "aut_1",
  name: "Welcome flow",
  enabled: true,
  version: 3,
  trigger: { type: "activity", kind: "product.access_granted" } as Record<string, unknown>,
  conditions: [] as unknown[],
  steps: [{ type: "send_email", template_id: "builtin:welcome" }] as unknown[],
  last_run_at: "2026-11-23T10:00:00Z" as string | null,
  runs_30d: 12,
  created_at: "2026-11-20T10:00:00Z",
  updated_at: "2026-11-20T10:00:00Z",
};

export const run = {
  id: "run_1",
  automation_id: "aut_1",
  version: 3,
  trigger_ref: "act_1",
  user_id: "usr_ada" as string | null,
  product_id: "prod_starter" as string | null,
  depth: 0,
  status: "succeeded" as string,
  current_step: 1,
  error: null as string | null,
  created_at: "2026-11-23T10:00:00Z",
  finished_at: "2026-11-23T10:00:01Z" as string | null,
  steps: [
    { index: 0, type: "send_email", status: "succeeded", detail: 'queued "Welcome" to ada@example.com', error: null as string | null, started_at: "2026-11-23T10:00:00Z", finished_at: "2026-11-23T10:00:01Z" },
  ],
};

export const ada = { id: "usr_ada", email: "ada@example.com", name: "Ada Lovelace" };

/** The lookups the builder and list pages make. */
export const lookups = {
  "GET /api/v1/webhooks/event-types": () => json(eventTypes),
  "GET /api/v1/products": () => page(products),
  "GET /api/v1/email-templates/reference": () => json(reference),
  "GET /api/v1/email-templates": () => page([template]),
  "GET /api/v1/webhooks/endpoints": () => page([{ ...endpoint }]),
  "GET /api/v1/users": () => page([ada]),
};
