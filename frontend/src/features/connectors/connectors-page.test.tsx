import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { ConnectorsPage, leave } from "./connectors-page";

// The CRM cards below Stripe are tested in crm-connectors.test.tsx.
const noCrm = { "GET /api/v1/connectors/crm": () => json({ data: [] }) };
const notConnected = { connected: false, oauth_available: false, webhook_url: "http://localhost:3000/webhooks/stripe/app_1" };

describe("ConnectorsPage", () => {
  it("shows the not-connected state and validates the key before connecting", async () => {
    const api = stubApi({
      ...noCrm,
      "GET /api/v1/connectors/stripe": () => json(notConnected),
      "POST /api/v1/connectors/stripe/connect": () =>
        problem(422, "validation_failed", "1 field(s) are invalid: secret_key", [{ field: "secret_key", code: "rejected", message: "Stripe rejected this key" }]),
    });
    renderRoute(<ConnectorsPage />);
    const user = userEvent.setup();
    expect(await screen.findByText("Not connected")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Connect with Stripe" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Connect Stripe" }));
    await user.type(screen.getByLabelText("Secret key"), "pk_test_123");
    await user.click(screen.getByRole("button", { name: "Connect" }));
    expect(screen.getByText("Stripe secret keys start with sk_ or rk_.")).toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await user.clear(screen.getByLabelText("Secret key"));
    await user.type(screen.getByLabelText("Secret key"), "sk_test_123");
    await user.click(screen.getByRole("button", { name: "Connect" }));
    expect(await screen.findByText("Stripe rejected this key")).toBeInTheDocument();
    expect(await api.calls.find((c) => c.method === "POST")!.json()).toEqual({ secret_key: "sk_test_123", webhook_secret: null });
  });

  it("offers Connect with Stripe when OAuth is available, and starts OAuth only on click", async () => {
    const go = vi.spyOn(leave, "go").mockImplementation(() => {});
    const api = stubApi({
      ...noCrm,
      "GET /api/v1/connectors/stripe": () => json({ ...notConnected, oauth_available: true }),
      "GET /api/v1/connectors/stripe/oauth/start": () => json({ url: "https://connect.stripe.com/oauth/authorize?client_id=ca_1&state=s" }),
    });
    renderRoute(<ConnectorsPage />);
    const button = await screen.findByRole("button", { name: "Connect with Stripe" });
    expect(screen.getByRole("button", { name: "Use a secret key" })).toBeInTheDocument();
    expect(api.calls.map((c) => new URL(c.url).pathname).filter((p) => p.includes("stripe"))).toEqual(["/api/v1/connectors/stripe"]);
    await userEvent.click(button);
    await waitFor(() => expect(go).toHaveBeenCalledWith("https://connect.stripe.com/oauth/authorize?client_id=ca_1&state=s"));
  });

  it("shows the problem when starting OAuth fails", async () => {
    const go = vi.spyOn(leave, "go").mockImplementation(() => {});
    stubApi({
      ...noCrm,
      "GET /api/v1/connectors/stripe": () => json({ ...notConnected, oauth_available: true }),
      "GET /api/v1/connectors/stripe/oauth/start": () => problem(409, "oauth_not_configured", "Stripe Connect OAuth is not configured"),
    });
    renderRoute(<ConnectorsPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Connect with Stripe" }));
    expect(await screen.findByText("Stripe Connect OAuth is not configured.")).toBeInTheDocument();
    expect(go).not.toHaveBeenCalled();
  });

  const connected = () =>
    json({ ...notConnected, connected: true, account_id: "acct_1", display_name: "Acme Ltd", mode: "test", webhook_mode: "managed", connected_at: "2026-11-23T10:00:00Z" });
  const peopleSettings = { "GET /api/v1/accounts/settings": () => json({ contact_type: "users", account_metadata_key: null }) };
  const events = {
    data: [
      { id: "evt_1", type: "checkout.session.completed", status: "processed", received_at: "2026-11-23T10:05:00Z", processed_at: "2026-11-23T10:05:01Z", error: null },
      { id: "evt_2", type: "customer.subscription.deleted", status: "failed", received_at: "2026-11-23T10:06:00Z", error: "no such customer" },
    ],
  };

  it("shows the connected account, its webhook URL, the inbox, and disconnects from the three-dots menu", async () => {
    const api = stubApi({
      ...noCrm,
      "GET /api/v1/connectors/stripe": connected,
      ...peopleSettings,
      "GET /api/v1/connectors/stripe/events": () => json(events),
      "POST /api/v1/connectors/stripe/sync-events": () => json({ recovered: 2 }),
      "DELETE /api/v1/connectors/stripe": () => new Response(null, { status: 204 }),
    });
    renderRoute(<ConnectorsPage />);
    const user = userEvent.setup();
    expect(await screen.findByText(/Connected to/)).toHaveTextContent("Connected to Acme Ltd");
    expect(screen.getByText("Connected", { selector: "span" })).toBeInTheDocument();
    expect(screen.getByText(notConnected.webhook_url)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy webhook URL" })).toBeInTheDocument();
    expect(await screen.findByText("checkout.session.completed")).toBeInTheDocument();
    expect(screen.getByText("no such customer")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Sync missed events" }));
    expect(await screen.findByText("Recovered 2 missed events.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Stripe options" }));
    await user.click(screen.getByRole("menuitem", { name: "Disconnect" }));
    await user.click(within(screen.getByRole("dialog", { name: "Disconnect Stripe?" })).getByRole("button", { name: "Disconnect" }));
    await waitFor(() => expect(api.calls.some((c) => c.method === "DELETE")).toBe(true));
  });

  it("requires both URLs to enable the Customer Portal", async () => {
    const api = stubApi({
      ...noCrm,
      "GET /api/v1/connectors/stripe": connected,
      ...peopleSettings,
      "GET /api/v1/connectors/stripe/events": () => json({ data: [] }),
      "GET /api/v1/connectors/stripe/portal": () => json({ enabled: false, allow_cancel: false, privacy_policy_url: null, terms_of_service_url: null }),
      "PUT /api/v1/connectors/stripe/portal": async (req) => json({ ...(await req.json()), configuration_id: "bpc_1" }),
    });
    renderRoute(<ConnectorsPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Advanced options" }));
    await user.click(await screen.findByRole("switch", { name: "Enable Stripe Customer Portal" }));
    await user.click(screen.getByRole("button", { name: "Save portal settings" }));
    expect(screen.getByText("Stripe requires a privacy policy URL to enable the portal.")).toBeInTheDocument();
    expect(screen.getByText("Stripe requires a terms of service URL to enable the portal.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Privacy Policy URL"), "https://acme.example.com/privacy");
    await user.type(screen.getByLabelText("Terms of Service URL"), "https://acme.example.com/terms");
    await user.click(screen.getByRole("switch", { name: "Allow users to cancel subscriptions" }));
    await user.click(screen.getByRole("button", { name: "Save portal settings" }));
    expect(await screen.findByText("Customer Portal enabled.")).toBeInTheDocument();
    expect(await api.calls.find((c) => c.method === "PUT")!.json()).toEqual({
      enabled: true,
      privacy_policy_url: "https://acme.example.com/privacy",
      terms_of_service_url: "https://acme.example.com/terms",
      allow_cancel: true,
    });
  });

  it("makes Stripe customers companies (accounts) with a metadata key", async () => {
    const api = stubApi({
      ...noCrm,
      ...peopleSettings,
      "GET /api/v1/connectors/stripe": connected,
      "GET /api/v1/connectors/stripe/events": () => json({ data: [] }),
      "PUT /api/v1/accounts/settings": async (req) => json(await req.json()),
    });
    renderRoute(<ConnectorsPage />);
    const user = userEvent.setup();
    const group = await screen.findByRole("group", { name: "Stripe customers are" });
    expect(within(group).getByRole("radio", { name: "People" })).toBeChecked();
    expect(within(group).getByText(/subscription's quantity is the number of seats/)).toBeInTheDocument();
    expect(screen.queryByLabelText("Account name metadata key (optional)")).not.toBeInTheDocument();
    await user.click(within(group).getByRole("radio", { name: "Companies (accounts)" }));
    await user.type(screen.getByLabelText("Account name metadata key (optional)"), "company_name");
    await user.click(screen.getByRole("button", { name: "Save customer settings" }));
    expect(await screen.findByText("Stripe customers are now companies (accounts).")).toBeInTheDocument();
    expect(await api.calls.find((c) => c.method === "PUT")!.json()).toEqual({ contact_type: "accounts", account_metadata_key: "company_name" });
  });
});
