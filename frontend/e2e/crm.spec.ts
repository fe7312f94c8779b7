// CRM: the admin connects ActiveCampaign (the emulator started by global-setup.ts); each
// product gets its tag in the CRM; a tag applied there gives the member access; disconnecting
// removes Tollgate's webhook from the CRM.
import { expect, test } from "./support/fixtures";
import { open } from "./support/helpers";

type Account = { account: string; api_url: string; api_key: string };
type State = { tags: { id: string; name: string }[]; webhooks: unknown[] };

test("the admin connects ActiveCampaign; the product's tag appears in the CRM; a tag applied there gives the member access", async ({ page, api, e2e, shoot }) => {
  const crm = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${e2e.crmUrl}${path}`, { method, headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    expect(res.ok, `emulator ${method} ${path} answered ${res.status}: ${text}`).toBe(true);
    return JSON.parse(text) as T;
  };
  await api.product({ name: "CRM Course" });
  const member = await api.member({ email: "carl@example.com", name: "Carl Contact" });
  const account = await crm<Account>("POST", "/_emulator/accounts", { name: "Acme Marketing" });
  const slug = account.account;

  await open(page, "/settings/connectors", "Connectors");
  const card = page.getByRole("region", { name: "ActiveCampaign", exact: true });
  await expect(card.getByText("Not connected", { exact: true })).toBeVisible();
  // A wrong key: ActiveCampaign's own words show beside the key.
  await card.getByLabel("API URL", { exact: true }).fill(account.api_url);
  await card.getByLabel("API key", { exact: true }).fill("not-the-key");
  await card.getByRole("button", { name: "Connect ActiveCampaign" }).click();
  await expect(card.getByText(/not authorized/i)).toBeVisible({ timeout: 20_000 });
  await card.getByLabel("API key", { exact: true }).fill(account.api_key);
  await card.getByRole("button", { name: "Connect ActiveCampaign" }).click();
  await expect(card.getByText("Connected", { exact: true })).toBeVisible({ timeout: 20_000 });
  // ActiveCampaign has no account name in its API: Tollgate names the account by the key's user.
  await expect(card.getByText(/^Connected to \S+@\S+$/)).toBeVisible();
  await expect(card.getByText("Webhooks registered: changes in the CRM arrive at once.")).toBeVisible();

  // The first sync runs in the background; the card polls until each product has its tag.
  const row = card.getByRole("table", { name: "ActiveCampaign product tags" }).getByRole("row", { name: /CRM Course/ });
  await expect(row.getByText(/^#\d+$/)).toBeVisible({ timeout: 60_000 });
  const tagName = (await row.getByRole("cell").nth(1).locator("span").first().textContent())!.trim();
  expect(tagName, "the tag of CRM Course").toContain("CRM Course");
  await shoot("35-crm-connected");

  // The tag exists in the CRM.
  const state = await crm<State>("GET", `/_emulator/${slug}/state`);
  const tag = state.tags.find((t) => t.name === tagName);
  expect(tag, `a tag named ${tagName} in the CRM: ${state.tags.map((t) => t.name).join(", ")}`).toBeTruthy();

  // A CRM user tags Carl's contact: the webhook gives him access.
  const contact = await crm<{ id: string }>("POST", `/_emulator/${slug}/contacts`, { email: member.email, first_name: "Carl", last_name: "Contact" });
  const applied = await crm<{ applied: boolean }>("POST", `/_emulator/${slug}/contacts/${contact.id}/tags/${tag!.id}`);
  expect(applied.applied, "the tag was on Carl's contact already").toBe(true);

  // The member page does not poll: reload it until the grant shows (the webhook is handled by a background job).
  const grant = page.getByRole("row", { name: /CRM Course/ });
  await expect(async () => {
    await open(page, `/members/${member.id}`, "Carl Contact");
    await expect(page.getByRole("table").or(page.getByText("No product access yet")).first()).toBeVisible();
    expect(await grant.count()).toBe(1);
  }, "Carl has a CRM Course grant after the tag was applied in ActiveCampaign").toPass({ timeout: 60_000, intervals: [500] });
  await expect(grant.getByText("ActiveCampaign", { exact: true })).toBeVisible();
  await expect(grant.getByText("Active", { exact: true })).toBeVisible();
  await shoot("36-member-crm-grant", { mobile: false });

  // Disconnect: Tollgate's webhook is deleted in the CRM, the card says so. (The other specs
  // then run without a CRM; with one, every new member would also queue a contact update.)
  await open(page, "/settings/connectors", "Connectors");
  const acCard = page.getByRole("region", { name: "ActiveCampaign", exact: true });
  await acCard.getByRole("button", { name: "Disconnect" }).click();
  const confirm = page.getByRole("dialog", { name: "Disconnect ActiveCampaign?" });
  await confirm.getByRole("button", { name: "Disconnect" }).click();
  await expect(confirm).toBeHidden();
  await expect(acCard.getByText("Not connected", { exact: true }).first()).toBeVisible();
  const after = await crm<State>("GET", `/_emulator/${slug}/state`);
  expect(after.webhooks, "Tollgate's webhook is no longer registered in the CRM").toEqual([]);
});
