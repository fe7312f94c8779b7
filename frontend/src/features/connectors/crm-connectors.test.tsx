import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { CrmConnector } from "@/api/types";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { ConnectorsPage } from "./connectors-page";
import { awaitingFirstSync, CrmConnectors } from "./crm-connectors";
import { leave } from "./leave";

const options = { tag_pattern: "Tollgate: {product}", create_members: false, removal_revokes_all: false };
const base = {
  connected: false,
  options,
  oauth_available: false,
  webhooks_registered: false,
  mapped_tags: 0,
  linked_contacts: 0,
  open_grants: 0,
  account_name: null,
  account_id: null,
  api_url: null,
  auth: null,
  connected_at: null,
  last_sync_at: null,
  last_error: null,
  last_error_at: null,
};
const ac = { ...base, kind: "activecampaign", label: "ActiveCampaign" } as CrmConnector;
const keap = { ...base, kind: "keap", label: "Keap" } as CrmConnector;
const acConnected: CrmConnector = {
  ...ac,
  connected: true,
  account_name: "Acme Marketing",
  account_id: "1",
  api_url: "https://acme.api-us1.com",
  auth: "api_key",
  connected_at: "2026-11-20T10:00:00Z",
  last_sync_at: "2026-11-20T10:00:05Z",
  last_error: "ActiveCampaign is rate limiting us; try again in a minute",
  last_error_at: "2026-11-21T09:30:00Z",
  webhooks_registered: false,
  mapped_tags: 3,
  linked_contacts: 2,
  open_grants: 1,
};
const tags = {
  data: [
    { product_id: "prd_1", product_name: "Starter Course", archived: false, tag_id: "7", tag_name: "Tollgate: Starter Course", picked: false },
    { product_id: "prd_2", product_name: "Masterclass", archived: false, tag_id: "9", tag_name: "VIP", picked: true },
    { product_id: "prd_3", product_name: "Old Course", archived: true, tag_id: null, tag_name: null, picked: false },
  ],
};
const card = (name: string) => screen.getByRole("region", { name });

describe("CRM connector cards", () => {
  it("connects ActiveCampaign: client checks, then the CRM's own words beside the fields from a 422 problem", async () => {
    let posts = 0;
    let now = ac;
    const api = stubApi({
      "GET /api/v1/connectors/crm": () => json({ data: [now, keap] }),
      "POST /api/v1/connectors/crm/activecampaign": () => {
        posts += 1;
        return posts === 1
          ? problem(422, "validation_failed", "1 field(s) are invalid: api_key", [
              { field: "api_key", code: "rejected", message: "ActiveCampaign refused the key: You are not authorized to access this resource" },
            ])
          : json((now = { ...acConnected, last_error: null, last_error_at: null, connected_at: "2020-01-01T00:00:00Z", webhooks_registered: true }));
      },
      "GET /api/v1/connectors/crm/activecampaign/tags": () => json(tags),
    });
    renderRoute(<CrmConnectors />);
    const user = userEvent.setup();
    await screen.findByRole("region", { name: "ActiveCampaign" });
    expect(within(card("ActiveCampaign")).getByText("Not connected")).toBeInTheDocument();
    expect(within(card("Keap")).getByText("Not connected")).toBeInTheDocument();
    expect(within(card("Keap")).getByLabelText("Personal access token")).toBeInTheDocument();
    expect(within(card("Keap")).queryByRole("button", { name: "Connect with Keap" })).not.toBeInTheDocument();

    const acCard = within(card("ActiveCampaign"));
    await user.click(acCard.getByRole("button", { name: "Connect ActiveCampaign" }));
    expect(acCard.getByText("Paste the API URL from Settings → Developer.")).toBeInTheDocument();
    expect(acCard.getByText("Paste the API key.")).toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await user.type(acCard.getByLabelText("API URL"), "https://acme.api-us1.com");
    await user.type(acCard.getByLabelText("API key"), "wrong-key");
    await user.click(acCard.getByRole("button", { name: "Connect ActiveCampaign" }));
    expect(await acCard.findByText("ActiveCampaign refused the key: You are not authorized to access this resource")).toBeInTheDocument();
    expect(acCard.getByLabelText("API key")).toHaveAttribute("aria-invalid", "true");
    expect(await api.calls.find((c) => c.method === "POST")!.json()).toEqual({ api_key: "wrong-key", api_url: "https://acme.api-us1.com" });

    await user.clear(acCard.getByLabelText("API key"));
    await user.type(acCard.getByLabelText("API key"), "good-key");
    await user.click(acCard.getByRole("button", { name: "Connect ActiveCampaign" }));
    expect(await screen.findByText("Connected to Acme Marketing. The first sync is running.")).toBeInTheDocument();
    expect(await acCard.findByRole("cell", { name: "Starter Course" })).toBeInTheDocument();
    expect(acCard.getByText("Webhooks registered: changes in the CRM arrive at once.")).toBeInTheDocument();
  });

  it("offers Connect anyway when the key opens another account, and resends with confirm_new_account", async () => {
    const bodies: unknown[] = [];
    let now: CrmConnector = { ...ac, account_name: "Old Account" };
    stubApi({
      "GET /api/v1/connectors/crm": () => json({ data: [now, keap] }),
      "POST /api/v1/connectors/crm/activecampaign": async (req) => {
        const body = await req.json();
        bodies.push(body);
        return (body as { confirm_new_account?: boolean }).confirm_new_account
          ? json((now = { ...acConnected, account_name: "New Account" }))
          : problem(
              409,
              "crm_account_changed",
              "this key opens another ActiveCampaign account (New Account) than the one mapped before (Old Account); connecting it forgets the 2 product tag(s) of the old account. Send confirm_new_account: true to go ahead",
            );
      },
      "GET /api/v1/connectors/crm/activecampaign/tags": () => json(tags),
    });
    renderRoute(<CrmConnectors />);
    const user = userEvent.setup();
    const acCard = within(await screen.findByRole("region", { name: "ActiveCampaign" }));
    expect(acCard.getByText("Old Account")).toBeInTheDocument();
    await user.type(acCard.getByLabelText("API URL"), "https://new.api-us1.com");
    await user.type(acCard.getByLabelText("API key"), "k");
    await user.click(acCard.getByRole("button", { name: "Connect ActiveCampaign" }));
    const alert = await acCard.findByRole("alert");
    expect(within(alert).getByText(/another/)).toHaveTextContent(/another ActiveCampaign account \(New Account\).*forgets the 2 product tag\(s\) of the old account\.$/);
    expect(alert).not.toHaveTextContent("confirm_new_account");
    await user.click(within(alert).getByRole("button", { name: "Connect anyway" }));
    expect(await screen.findByText("Connected to New Account. The first sync is running.")).toBeInTheDocument();
    expect(bodies).toEqual([
      { api_key: "k", api_url: "https://new.api-us1.com" },
      { api_key: "k", api_url: "https://new.api-us1.com", confirm_new_account: true },
    ]);
  });

  it("shows a connected card: counts, last error with its time, webhooks, the tag mapping; picks a tag, syncs and disconnects", async () => {
    let connected = true;
    let mapping = tags;
    const api = stubApi({
      "GET /api/v1/connectors/crm": () => json({ data: [connected ? acConnected : { ...acConnected, connected: false }, keap] }),
      "GET /api/v1/connectors/crm/activecampaign/tags": () => json(mapping),
      "PUT /api/v1/connectors/crm/activecampaign/tags/prd_1": () => {
        const picked = { ...tags.data[0]!, tag_id: "12", tag_name: "Starters", picked: true };
        mapping = { data: [picked, ...tags.data.slice(1)] };
        return json(picked);
      },
      "PATCH /api/v1/connectors/crm/activecampaign": async (req) => json({ ...acConnected, options: { ...options, ...(await req.json()) } }),
      "POST /api/v1/connectors/crm/activecampaign/sync": () => json({ job_id: "job_1" }, 202),
      "GET /api/v1/jobs/job_1": () => json({ id: "job_1", kind: "crm_sync", status: "succeeded", attempts: 1, max_attempts: 5, run_at: "2026-11-21T10:00:00Z", created_at: "2026-11-21T10:00:00Z" }),
      "DELETE /api/v1/connectors/crm/activecampaign": () => {
        connected = false;
        return json({ ...acConnected, connected: false });
      },
    });
    renderRoute(<CrmConnectors />);
    const user = userEvent.setup();
    const acCard = within(await screen.findByRole("region", { name: "ActiveCampaign" }));
    expect(acCard.getByText("Connected")).toBeInTheDocument();
    expect(acCard.getByText("Error")).toBeInTheDocument();
    expect(acCard.getByText(/Connected to/)).toHaveTextContent("Connected to Acme Marketing");
    expect(acCard.getByText("3 tags")).toBeInTheDocument();
    expect(acCard.getByText("2 contacts")).toBeInTheDocument();
    expect(acCard.getByText("1 grant")).toBeInTheDocument();
    expect(acCard.getByText("ActiveCampaign is rate limiting us; try again in a minute")).toBeInTheDocument();
    expect(acCard.getByText(/^Last error \(.+\)$/)).toBeInTheDocument();
    expect(acCard.getByText("Webhooks not registered — syncing every 15 minutes.")).toBeInTheDocument();

    const table = within(await acCard.findByRole("table", { name: "ActiveCampaign product tags" }));
    const vip = within(table.getByRole("row", { name: /Masterclass/ }));
    expect(vip.getByText("VIP")).toBeInTheDocument();
    expect(vip.getByText("Picked")).toBeInTheDocument();
    expect(within(table.getByRole("row", { name: /Old Course/ })).getByText("Pending")).toBeInTheDocument();
    expect(within(table.getByRole("row", { name: /Starter Course/ })).getByText("#7")).toBeInTheDocument();

    await user.click(table.getByRole("button", { name: "Pick tag for Starter Course" }));
    const name = table.getByLabelText("Tag name for Starter Course");
    await user.clear(name);
    await user.type(name, "Starters");
    await user.click(table.getByRole("button", { name: "Use tag" }));
    expect(await table.findByText("Starters")).toBeInTheDocument();
    expect(await api.calls.find((c) => c.method === "PUT")!.json()).toEqual({ tag_name: "Starters" });

    // Options: the pattern must keep {product}.
    const pattern = acCard.getByLabelText("Tag pattern");
    await user.clear(pattern);
    await user.type(pattern, "Member");
    await user.click(acCard.getByRole("button", { name: "Save options" }));
    expect(acCard.getByText("The pattern needs {product}, where the product's name goes.")).toBeInTheDocument();
    await user.type(pattern, " {{product}");
    await user.click(acCard.getByRole("checkbox", { name: /Create a member/ }));
    await user.click(acCard.getByRole("button", { name: "Save options" }));
    expect(await screen.findByText("ActiveCampaign options saved.")).toBeInTheDocument();
    expect(await api.calls.find((c) => c.method === "PATCH")!.json()).toEqual({ tag_pattern: "Member {product}", create_members: true, removal_revokes_all: false });

    await user.click(acCard.getByRole("button", { name: "Sync now" }));
    expect(await screen.findByText("ActiveCampaign sync started.")).toBeInTheDocument();
    await waitFor(() => expect(api.calls.some((c) => new URL(c.url).pathname === "/api/v1/jobs/job_1")).toBe(true));

    await user.click(acCard.getByRole("button", { name: "Disconnect" }));
    await user.click(within(screen.getByRole("dialog", { name: "Disconnect ActiveCampaign?" })).getByRole("button", { name: "Disconnect" }));
    expect(await screen.findByText("ActiveCampaign disconnected.")).toBeInTheDocument();
    await waitFor(() => expect(acCard.getByText("Not connected")).toBeInTheDocument());
  });

  it("offers Connect with Keap when OAuth is configured", async () => {
    const go = vi.spyOn(leave, "go").mockImplementation(() => {});
    stubApi({
      "GET /api/v1/connectors/crm": () => json({ data: [ac, { ...keap, oauth_available: true }] }),
      "GET /api/v1/connectors/crm/keap/oauth/start": () => json({ url: "https://accounts.infusionsoft.com/app/oauth/authorize?state=s" }),
    });
    renderRoute(<CrmConnectors />);
    await userEvent.click(within(await screen.findByRole("region", { name: "Keap" })).getByRole("button", { name: "Connect with Keap" }));
    await waitFor(() => expect(go).toHaveBeenCalledWith("https://accounts.infusionsoft.com/app/oauth/authorize?state=s"));
  });

  it("tells how the Keap OAuth round trip ended (?keap=) and drops the parameter", async () => {
    stubApi({
      "GET /api/v1/connectors/stripe": () => json({ connected: false, oauth_available: false, webhook_url: "http://x" }),
      "GET /api/v1/connectors/crm": () => json({ data: [ac, keap] }),
    });
    const { router } = renderRoute(<ConnectorsPage />, { path: "/settings/connectors", url: "/settings/connectors?keap=denied" });
    expect(await screen.findByText("Keap was not connected: access was not allowed in Keap.")).toBeInTheDocument();
    await waitFor(() => expect(router.state.location.search).toBe(""));
  });

  it("after connecting, polls the card and reloads the mapping once the first sync is done", async () => {
    const connectedAt = new Date(Date.now() - 1000).toISOString();
    let synced = false;
    let tagsSeen = 0;
    stubApi({
      "GET /api/v1/connectors/crm": () => {
        // The sync finishes between the first and the second poll.
        const card = { ...acConnected, last_error: null, last_error_at: null, connected_at: connectedAt, last_sync_at: synced ? new Date().toISOString() : null };
        synced = true;
        return json({ data: [card, keap] });
      },
      "GET /api/v1/connectors/crm/activecampaign/tags": () =>
        json({ data: [{ ...tags.data[0], tag_id: synced && tagsSeen++ > 0 ? "5" : null, tag_name: synced && tagsSeen > 1 ? "Tollgate: Starter Course" : null }] }),
    });
    renderRoute(<CrmConnectors />);
    const acCard = within(await screen.findByRole("region", { name: "ActiveCampaign" }));
    expect(await acCard.findByText("Pending")).toBeInTheDocument();
    expect(await acCard.findByText("#5", undefined, { timeout: 5000 })).toBeInTheDocument();
  });

  it("polls only until the first sync after connecting has finished or failed", () => {
    const now = Date.parse("2026-11-21T10:01:00Z");
    const fresh = { ...acConnected, connected_at: "2026-11-21T10:00:00Z", last_sync_at: "2026-11-20T10:00:00Z", last_error: null, last_error_at: null };
    expect(awaitingFirstSync(fresh, now)).toBe(true);
    expect(awaitingFirstSync({ ...fresh, last_sync_at: "2026-11-21T10:00:30Z" }, now)).toBe(false);
    expect(awaitingFirstSync({ ...fresh, last_error_at: "2026-11-21T10:00:30Z" }, now)).toBe(false);
    expect(awaitingFirstSync({ ...fresh, connected: false }, now)).toBe(false);
    expect(awaitingFirstSync(fresh, now + 10 * 60_000)).toBe(false);
  });
});
