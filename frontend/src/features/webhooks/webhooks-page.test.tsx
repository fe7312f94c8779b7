import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { adminAuth } from "@/api/client";
import { json, problem, renderRoute, sessionAs, stubApi } from "@/test/utils";
import { endpoint, eventTypes, page } from "./test-fixtures";
import { WebhooksPage } from "./webhooks-page";

afterEach(() => adminAuth.setSession(null));

describe("WebhooksPage", () => {
  it("lists endpoints with their events and status, and Zapier hooks apart", async () => {
    adminAuth.setSession(sessionAs("owner"));
    stubApi({
      "GET /api/v1/webhooks/event-types": () => json(eventTypes),
      "GET /api/v1/webhooks/endpoints": () =>
        page([
          endpoint,
          { ...endpoint, id: "ep_2", url: "https://gone.example.com/in", description: "", event_types: ["user.created", "member.updated"], enabled: false, disabled_reason: "gone" },
          { ...endpoint, id: "ep_3", url: "https://flaky.example.com/in", failing_since: "2026-11-21T08:00:00Z" },
          { ...endpoint, id: "hk_1", kind: "zapier", url: "https://hooks.zapier.com/hooks/standard/1/abc", description: "Zapier", event_types: ["product.access_granted"] },
        ]),
    });
    renderRoute(<WebhooksPage />);
    const table = await screen.findByRole("table", { name: "Webhook endpoints" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getByRole("link", { name: "https://hooks.example.com/tollgate" })).toHaveAttribute("href", "/settings/webhooks/ep_1");
    expect(within(rows[0]!).getByText("All events")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("Enabled")).toBeInTheDocument();
    expect(await within(rows[1]!).findByText("User Created")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("Member Updated")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("Disabled")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("The receiver answered 410 Gone.")).toBeInTheDocument();
    expect(within(rows[2]!).getByText(/^Failing since /)).toBeInTheDocument();

    const zapier = screen.getByRole("table", { name: "Zapier hooks" });
    expect(within(zapier).getByText("Product Access Granted")).toBeInTheDocument();
    expect(within(zapier).getByRole("button", { name: "Remove the Zapier hook for Product Access Granted" })).toBeInTheDocument();
  });

  it("validates, explains a private address on the URL field, then shows the secret once", async () => {
    adminAuth.setSession(sessionAs("admin"));
    let endpoints: (typeof endpoint)[] = [];
    let posts = 0;
    const api = stubApi({
      "GET /api/v1/webhooks/event-types": () => json(eventTypes),
      "GET /api/v1/webhooks/endpoints": () => page(endpoints),
      "POST /api/v1/webhooks/endpoints": async (req) => {
        posts += 1;
        const body = (await req.json()) as { url: string; event_types: string[] };
        if (body.url.includes("192.168.")) {
          return problem(422, "validation_failed", "1 field(s) are invalid: url", [
            { field: "url", code: "private_address", message: "the URL points into a private network; Tollgate only sends to public addresses" },
          ]);
        }
        const created = { ...endpoint, url: body.url, event_types: body.event_types };
        endpoints = [created];
        return json({ ...created, secret: "whsec_c2VjcmV0c2VjcmV0" }, 201);
      },
    });
    renderRoute(<WebhooksPage />);
    const user = userEvent.setup();
    expect(await screen.findByText("No webhook endpoints")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Add endpoint" }));
    const dialog = screen.getByRole("dialog", { name: "Add endpoint" });

    await user.click(within(dialog).getByRole("button", { name: "Add endpoint" }));
    expect(within(dialog).getByText("Enter the URL Tollgate should send events to.")).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("URL"), "not a url");
    await user.click(within(dialog).getByLabelText("Only selected events"));
    await user.click(within(dialog).getByRole("button", { name: "Add endpoint" }));
    expect(within(dialog).getByText(/Enter a full URL/)).toBeInTheDocument();
    expect(within(dialog).getByText("Choose at least one event, or send all events.")).toBeInTheDocument();
    expect(posts).toBe(0);

    await user.clear(within(dialog).getByLabelText("URL"));
    await user.type(within(dialog).getByLabelText("URL"), "https://192.168.1.20/hook");
    await user.click(within(dialog).getByRole("checkbox", { name: /User Created/ }));
    await user.click(within(dialog).getByRole("button", { name: "Add endpoint" }));
    const url = within(dialog).getByLabelText("URL");
    await waitFor(() => expect(url).toHaveAttribute("aria-invalid", "true"));
    expect(within(dialog).getByText(/Tollgate only sends to public https:\/\/ addresses/)).toBeInTheDocument();

    await user.clear(url);
    await user.type(url, "https://hooks.example.com/tollgate");
    await user.click(within(dialog).getByRole("button", { name: "Add endpoint" }));
    expect(await screen.findByTestId("webhook-secret")).toHaveTextContent("whsec_c2VjcmV0c2VjcmV0");
    expect(screen.getByRole("button", { name: "Copy secret" })).toBeInTheDocument();
    expect(await api.calls.filter((c) => c.method === "POST")[1]!.json()).toEqual({
      url: "https://hooks.example.com/tollgate",
      description: "",
      event_types: ["user.created"],
    });

    await user.click(screen.getByRole("button", { name: "I have copied it" }));
    await waitFor(() => expect(screen.queryByTestId("webhook-secret")).not.toBeInTheDocument());
    const table = await screen.findByRole("table", { name: "Webhook endpoints" });
    expect(within(table).getByRole("link", { name: "https://hooks.example.com/tollgate" })).toBeInTheDocument();
  });

  it("removes a Zapier hook after confirming", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const hook = { ...endpoint, id: "hk_1", kind: "zapier", url: "https://hooks.zapier.com/x", event_types: ["user.created"] };
    let endpoints = [hook];
    const api = stubApi({
      "GET /api/v1/webhooks/event-types": () => json(eventTypes),
      "GET /api/v1/webhooks/endpoints": () => page(endpoints),
      "DELETE /api/v1/hooks/hk_1": () => {
        endpoints = [];
        return new Response(null, { status: 204 });
      },
    });
    renderRoute(<WebhooksPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Remove the Zapier hook for User Created" }));
    await user.click(within(screen.getByRole("dialog", { name: "Remove this Zapier hook?" })).getByRole("button", { name: "Remove" }));
    expect(await screen.findByText("Zapier hook removed.")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("table", { name: "Zapier hooks" })).not.toBeInTheDocument());
    expect(api.calls.some((c) => c.method === "DELETE")).toBe(true);
  });

  it("gives a viewer the list without Add endpoint or Remove", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    stubApi({
      "GET /api/v1/webhooks/event-types": () => json(eventTypes),
      "GET /api/v1/webhooks/endpoints": () => page([endpoint, { ...endpoint, id: "hk_1", kind: "zapier", event_types: ["user.created"] }]),
    });
    renderRoute(<WebhooksPage />);
    expect(await screen.findByRole("table", { name: "Webhook endpoints" })).toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Zapier hooks" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Add endpoint" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
  });

  it("shows an error state with retry", async () => {
    adminAuth.setSession(sessionAs("owner"));
    stubApi({
      "GET /api/v1/webhooks/event-types": () => json(eventTypes),
      "GET /api/v1/webhooks/endpoints": () => problem(500, "internal_error", "something went wrong on our side"),
    });
    renderRoute(<WebhooksPage />);
    expect(await screen.findByText("Could not load the endpoints")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
