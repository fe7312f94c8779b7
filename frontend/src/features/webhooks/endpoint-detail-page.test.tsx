import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { adminAuth } from "@/api/client";
import { json, problem, renderRoute, sessionAs, stubApi } from "@/test/utils";
import { deliveryPollInterval, endpointStatus, explainEndpointError } from "./api";
import { deliveryFiltersFromParams } from "./delivery-log";
import { EndpointDetailPage } from "./endpoint-detail-page";
import { delivery, endpoint, eventTypes, page } from "./test-fixtures";

afterEach(() => adminAuth.setSession(null));

const route = { path: "/settings/webhooks/:id", url: "/settings/webhooks/ep_1" };
const base = {
  "GET /api/v1/webhooks/event-types": () => json(eventTypes),
  "GET /api/v1/webhooks/endpoints/ep_1": () => json(endpoint),
  "GET /api/v1/webhooks/endpoints/ep_1/deliveries": () => page([]),
};

describe("delivery log helpers", () => {
  it("polls fast while a pending delivery is due soon, slowly while it waits, not at all otherwise", () => {
    const now = Date.parse("2026-11-23T10:00:00Z");
    expect(deliveryPollInterval(undefined, now)).toBe(false);
    expect(deliveryPollInterval([{ ...delivery, status: "delivered" }], now)).toBe(false);
    expect(deliveryPollInterval([{ ...delivery, next_attempt_at: "2026-11-23T10:00:05Z" }], now)).toBe(2000);
    expect(deliveryPollInterval([{ ...delivery, next_attempt_at: null }], now)).toBe(2000);
    expect(deliveryPollInterval([{ ...delivery, next_attempt_at: "2026-11-23T10:05:00Z" }], now)).toBe(30_000);
  });

  it("reads status and event type filters from the URL", () => {
    expect(deliveryFiltersFromParams(new URLSearchParams("status=failed&event_type=user.created"))).toEqual({ status: "failed", eventType: "user.created" });
    expect(deliveryFiltersFromParams(new URLSearchParams("status=bogus"))).toEqual({ status: undefined, eventType: undefined });
  });

  it("names why an endpoint is disabled", () => {
    expect(endpointStatus({ enabled: true, disabled_reason: null, failing_since: null })).toEqual({ label: "Enabled", variant: "success" });
    expect(endpointStatus({ enabled: false, disabled_reason: "failing", failing_since: "2026-11-18T00:00:00Z" }).reason).toBe("Every try failed for 5 days.");
    expect(endpointStatus({ enabled: false, disabled_reason: null, failing_since: null })).toEqual({ label: "Disabled", variant: "secondary" });
  });

  it("leaves errors that are not about the URL alone", () => {
    const err = new Error("boom");
    expect(explainEndpointError(err)).toBe(err);
  });
});

describe("EndpointDetailPage", () => {
  it("edits the endpoint and shows API field errors on the fields", async () => {
    adminAuth.setSession(sessionAs("owner"));
    let patches = 0;
    const api = stubApi({
      ...base,
      "PATCH /api/v1/webhooks/endpoints/ep_1": async (req) => {
        patches += 1;
        const body = (await req.json()) as { url: string; event_types: string[] };
        if (patches === 1) return problem(422, "validation_failed", "1 field(s) are invalid: url", [{ field: "url", code: "https_required", message: "use an https:// URL" }]);
        return json({ ...endpoint, ...body, updated_at: "2026-11-23T11:00:00Z" });
      },
    });
    renderRoute(<EndpointDetailPage />, route);
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 1, name: "https://hooks.example.com/tollgate" })).toBeInTheDocument();
    const url = screen.getByLabelText("URL");
    expect(url).toHaveValue("https://hooks.example.com/tollgate");
    expect(screen.getByLabelText(/^All events/)).toBeChecked();

    await user.clear(url);
    await user.type(url, "http://hooks.example.com/x");
    await user.click(screen.getByLabelText("Only selected events"));
    await user.click(await screen.findByRole("checkbox", { name: /Product Access Granted/ }));
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Use an https:// URL: Tollgate only sends events over https.")).toBeInTheDocument();
    expect(url).toHaveAttribute("aria-invalid", "true");

    await user.clear(url);
    await user.type(url, "https://hooks.example.com/v2");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Endpoint saved.")).toBeInTheDocument();
    expect(await api.calls.filter((c) => c.method === "PATCH")[1]!.json()).toEqual({
      url: "https://hooks.example.com/v2",
      description: "CRM sync",
      event_types: ["product.access_granted"],
    });
    expect(await screen.findByRole("heading", { level: 1, name: "https://hooks.example.com/v2" })).toBeInTheDocument();
  });

  it("disables, rotates the secret (shown once, old one signs 24 h), sends a test event and replays", async () => {
    adminAuth.setSession(sessionAs("admin"));
    let current = { ...endpoint };
    const api = stubApi({
      ...base,
      "GET /api/v1/webhooks/endpoints/ep_1": () => json(current),
      "PATCH /api/v1/webhooks/endpoints/ep_1": async (req) => {
        current = { ...current, ...((await req.json()) as object) };
        return json(current);
      },
      "POST /api/v1/webhooks/endpoints/ep_1/rotate-secret": () => {
        current = { ...current, previous_secret_expires_at: new Date(Date.now() + 864e5).toISOString() };
        return json({ ...current, secret: "whsec_bmV3bmV3" });
      },
      "POST /api/v1/webhooks/endpoints/ep_1/test": () => json({ ...delivery, tries: [] }, 202),
      "POST /api/v1/webhooks/endpoints/ep_1/replay": () => json({ queued: 3 }, 202),
    });
    renderRoute(<EndpointDetailPage />, route);
    const user = userEvent.setup();
    const toggle = await screen.findByRole("switch", { name: "Enabled" });
    await user.click(toggle);
    expect(await screen.findByText("Endpoint disabled.")).toBeInTheDocument();
    expect(await api.calls.find((c) => c.method === "PATCH")!.json()).toEqual({ enabled: false });
    expect(screen.getByRole("button", { name: "Send test event" })).toBeDisabled();
    await user.click(toggle);
    await waitFor(() => expect(screen.getByRole("button", { name: "Send test event" })).toBeEnabled());

    await user.click(screen.getByRole("button", { name: "Rotate secret" }));
    const confirm = screen.getByRole("dialog", { name: "Rotate the signing secret?" });
    expect(confirm).toHaveTextContent("24 hours");
    await user.click(within(confirm).getByRole("button", { name: "Rotate secret" }));
    expect(await screen.findByTestId("webhook-secret")).toHaveTextContent("whsec_bmV3bmV3");
    expect(screen.getByRole("dialog", { name: "Copy the signing secret" })).toHaveTextContent(/old secret keeps signing beside this one for 24 hours/);
    await user.click(screen.getByRole("button", { name: "I have copied it" }));
    await waitFor(() => expect(screen.queryByTestId("webhook-secret")).not.toBeInTheDocument());
    expect(screen.getByText(/The previous secret also signs until/)).toBeInTheDocument();

    expect(screen.getByLabelText("Event to send")).toHaveValue("user.created");
    await user.selectOptions(screen.getByLabelText("Event to send"), "member.updated");
    await user.click(screen.getByRole("button", { name: "Send test event" }));
    expect(await screen.findByText("Test event queued.")).toBeInTheDocument();
    expect(await api.calls.find((c) => c.url.endsWith("/test"))!.json()).toEqual({ event_type: "member.updated" });

    const since = screen.getByLabelText("Failed since") as HTMLInputElement;
    const dayAgo = Date.now() - 864e5;
    expect(Math.abs(new Date(since.value).getTime() - dayAgo)).toBeLessThan(120_000);
    await user.click(screen.getByRole("button", { name: /Replay failed since/ }));
    expect(await screen.findByText("Queued 3 failed deliveries again.")).toBeInTheDocument();
    const body = (await api.calls.find((c) => c.url.endsWith("/replay"))!.json()) as { since: string };
    expect(new Date(body.since).toISOString()).toBe(new Date(since.value).toISOString());
  });

  it("deletes the endpoint after confirming and goes back to the list", async () => {
    adminAuth.setSession(sessionAs("owner"));
    stubApi({ ...base, "DELETE /api/v1/webhooks/endpoints/ep_1": () => new Response(null, { status: 204 }) });
    const { router } = renderRoute(<EndpointDetailPage />, route);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete endpoint" }));
    await user.click(within(screen.getByRole("dialog", { name: "Delete this endpoint?" })).getByRole("button", { name: "Delete endpoint" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/settings/webhooks"));
  });

  it("shows the delivery log with URL filters, each try, Load more, and redelivers", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const older = { ...delivery, id: "dlv_0", message_id: "msg_old", event_type: "member.updated", status: "delivered" as const, last_status_code: 200, last_error: null, tries: [] };
    const api = stubApi({
      ...base,
      "GET /api/v1/webhooks/endpoints/ep_1/deliveries": (req) => (new URL(req.url).searchParams.get("cursor") === "c2" ? page([older]) : page([delivery], "c2")),
      "POST /api/v1/webhooks/deliveries/dlv_1/redeliver": () => json({ ...delivery, attempts: 0, tries: [] }, 202),
    });
    const { router } = renderRoute(<EndpointDetailPage />, { ...route, url: "/settings/webhooks/ep_1?status=pending&event_type=user.created" });
    const user = userEvent.setup();
    const log = await screen.findByRole("table", { name: "Deliveries" });
    const first = api.calls.find((c) => c.url.includes("/deliveries"))!;
    expect(new URL(first.url).searchParams.get("status")).toBe("pending");
    expect(new URL(first.url).searchParams.get("event_type")).toBe("user.created");
    expect(screen.getByLabelText("Status")).toHaveValue("pending");

    const row = within(log).getAllByRole("row")[1]!;
    expect(within(row).getByText("User Created")).toBeInTheDocument();
    expect(within(row).getByText("Pending")).toBeInTheDocument();
    expect(within(row).getByText("HTTP 500")).toBeInTheDocument();
    await user.click(within(row).getByRole("button", { name: "Details" }));
    const details = screen.getByRole("region", { name: "Delivery details" });
    expect(within(details).getByTestId("webhook-id")).toHaveTextContent("msg_abc");
    const tries = within(details).getByRole("list", { name: "Tries" });
    expect(within(tries).getByText("Try 1")).toBeInTheDocument();
    expect(within(tries).getByText("HTTP 500")).toBeInTheDocument();
    expect(within(tries).getByText("12 ms")).toBeInTheDocument();
    const body = within(tries).getByLabelText("Response body of try 1");
    expect(body.tagName).toBe("PRE");
    expect(body.textContent).toHaveLength(1024);

    await user.click(within(details).getByRole("button", { name: "Redeliver" }));
    expect(await screen.findByText("Queued again: Tollgate sends it now.")).toBeInTheDocument();
    expect(api.calls.some((c) => c.method === "POST" && c.url.endsWith("/deliveries/dlv_1/redeliver"))).toBe(true);

    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await within(log).findByText("Member Updated")).toBeInTheDocument();
    expect(new URL(api.calls.filter((c) => c.url.includes("/deliveries?")).at(-1)!.url).searchParams.get("cursor")).toBe("c2");

    await user.selectOptions(screen.getByLabelText("Status"), "");
    await waitFor(() => expect(router.state.location.search).toBe("?event_type=user.created"));
  });

  it("refetches the log while a delivery is pending, and the endpoint's status with it", async () => {
    adminAuth.setSession(sessionAs("owner"));
    let listed = 0;
    stubApi({
      ...base,
      "GET /api/v1/webhooks/endpoints/ep_1": () => json(listed > 1 ? endpoint : { ...endpoint, failing_since: "2026-11-23T10:00:01Z" }),
      "GET /api/v1/webhooks/endpoints/ep_1/deliveries": () => {
        listed += 1;
        return page([listed > 1 ? { ...delivery, status: "delivered", last_status_code: 200, last_error: null } : delivery]);
      },
    });
    renderRoute(<EndpointDetailPage />, route);
    const log = await screen.findByRole("table", { name: "Deliveries" });
    expect(within(log).getByText("Pending")).toBeInTheDocument();
    expect(screen.getByText(/^Failing since /)).toBeInTheDocument();
    // The pending delivery's next try is due now: the log polls every 2 s.
    expect(await within(log).findByText("Delivered", undefined, { timeout: 5000 })).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText(/^Failing since /)).not.toBeInTheDocument(), { timeout: 5000 });
    expect(within(screen.getByRole("heading", { level: 1 }).parentElement!.parentElement!).getByText("Enabled")).toBeInTheDocument();
  });

  it("gives a viewer the endpoint and its log read-only", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    stubApi({ ...base, "GET /api/v1/webhooks/endpoints/ep_1/deliveries": () => page([{ ...delivery, status: "failed" }]) });
    renderRoute(<EndpointDetailPage />, route);
    const user = userEvent.setup();
    const log = await screen.findByRole("table", { name: "Deliveries" });
    expect(screen.getByLabelText("URL")).toBeDisabled();
    for (const name of ["Save changes", "Rotate secret", "Send test event", /Replay failed/, "Delete endpoint"]) {
      expect(screen.queryByRole("button", { name })).not.toBeInTheDocument();
    }
    expect(screen.queryByRole("switch", { name: "Enabled" })).not.toBeInTheDocument();
    await user.click(within(log).getByRole("button", { name: "Details" }));
    expect(within(screen.getByRole("region", { name: "Delivery details" })).getByText("Try 1")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Redeliver" })).not.toBeInTheDocument();
  });

  it("shows a Zapier hook read-only, without a secret to rotate", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const hook = { ...endpoint, kind: "zapier", url: "https://hooks.zapier.com/x", description: "Zapier", event_types: ["user.created"] };
    stubApi({ ...base, "GET /api/v1/webhooks/endpoints/ep_1": () => json(hook) });
    renderRoute(<EndpointDetailPage />, route);
    expect(await screen.findByRole("heading", { name: "Zapier hook" })).toBeInTheDocument();
    expect(screen.queryByLabelText("URL")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Rotate secret" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Remove hook" })).toBeInTheDocument();
  });

  it("says when the endpoint cannot be loaded", async () => {
    adminAuth.setSession(sessionAs("owner"));
    stubApi({ ...base, "GET /api/v1/webhooks/endpoints/ep_1": () => problem(404, "not_found", "endpoint not found") });
    renderRoute(<EndpointDetailPage />, route);
    expect(await screen.findByText("Could not load this endpoint")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Webhooks" })).toHaveAttribute("href", "/settings/webhooks");
  });
});
