// Accounts (Stripe customers are companies): the admin connects Stripe (localstripe), sells a
// product per seat; a company subscribes for three seats; its owner seats two teammates in the
// member area, a fourth is refused in words; the admin sees the account and each teammate's grant.
// Runs in the "site-wide" project, after the feature specs: it connects Stripe and starts a
// subscription, which changes the site's MRR and where locked cards lead.
import { expect, test } from "./support/fixtures";
import { memberMagicSignIn, navTo, open, toast } from "./support/helpers";

test("with accounts on, a company's owner seats two teammates who get the course; a fourth is refused", async ({ page, api, e2e, openContext, shoot }) => {
  // A form-encoded call to localstripe's Stripe API, as Stripe's clients make.
  const stripe = async <T = { id: string }>(path: string, form: Record<string, string>): Promise<T> => {
    const res = await fetch(`${e2e.stripeUrl}${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${e2e.stripeKey}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    const text = await res.text();
    expect(res.ok, `localstripe POST ${path} answered ${res.status}: ${text}`).toBe(true);
    return JSON.parse(text) as T;
  };
  await api.product({ name: "Team Course" });

  // Connect Stripe (localstripe) with a secret key; Tollgate registers its webhook endpoint there.
  await page.goto("/");
  await navTo(page, "Connectors", "/settings/connectors");
  await page.getByRole("button", { name: "Connect Stripe" }).click();
  const connect = page.getByRole("dialog", { name: "Connect Stripe" });
  await connect.getByLabel("Secret key", { exact: true }).fill(e2e.stripeKey);
  await connect.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(connect).toBeHidden({ timeout: 20_000 });
  await expect(page.getByText("Connected to Localstripe Test Account", { exact: true })).toBeVisible();

  // Stripe customers are companies: the setting on the Stripe card.
  const customers = page.getByRole("group", { name: "Stripe customers are" });
  await expect(customers.getByRole("radio", { name: "People" }), "Stripe customers are people by default").toBeChecked();
  await customers.getByRole("radio", { name: "Companies (accounts)" }).check();
  await page.getByRole("button", { name: "Save customer settings" }).click();
  await expect(toast(page, "Stripe customers are now companies (accounts).")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("group", { name: "Stripe customers are" }).getByRole("radio", { name: "Companies (accounts)" }), "the contact type was saved").toBeChecked();
  await shoot("37-stripe-accounts-setting");

  // Team Course is sold as a Stripe product, per seat.
  const sp = await stripe("/v1/products", { name: "Team Plan" });
  const price = await stripe("/v1/prices", { product: sp.id, currency: "usd", unit_amount: "3000", "recurring[interval]": "month" });
  await navTo(page, "Products", "/products");
  await page.getByRole("link", { name: "Team Course", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Team Course", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Configure" }).click();
  const settings = page.getByRole("dialog", { name: "Stripe settings" });
  await settings.getByLabel("Product Sync", { exact: true }).selectOption(sp.id);
  await settings.getByRole("button", { name: "Save" }).click();
  await expect(settings).toBeHidden();

  // Acme Inc subscribes for three seats.
  const cus = await stripe("/v1/customers", { email: "owner@acme.test", name: "Acme Inc" });
  const pm = await stripe("/v1/payment_methods/pm_card_visa/attach", { customer: cus.id });
  await stripe(`/v1/customers/${cus.id}`, { "invoice_settings[default_payment_method]": pm.id });
  await stripe("/v1/subscriptions", { customer: cus.id, "items[0][price]": price.id, "items[0][quantity]": "3" });

  // The webhook is handled by a background job: reload the accounts list until Acme Inc is there.
  await navTo(page, "Accounts", "/accounts");
  const acme = page.getByRole("table", { name: "Accounts" }).getByRole("link", { name: "Acme Inc", exact: true });
  await expect(async () => {
    await open(page, "/accounts", "Accounts");
    await expect(page.getByRole("table", { name: "Accounts" }).or(page.getByText("No accounts yet"))).toBeVisible();
    expect(await acme.count()).toBe(1);
  }, "an Acme Inc account after its subscription started").toPass({ timeout: 60_000, intervals: [500] });
  await expect(page.getByRole("table", { name: "Accounts" }).getByRole("row", { name: /Acme Inc/ }).getByRole("cell").nth(1), "Acme Inc has 3 seats").toHaveText("3");

  // The owner signs in to the member area with a magic link from the outbox, in a browser of their own.
  const o = await (await openContext()).newPage();
  await memberMagicSignIn(o, page, "owner@acme.test");
  // The subscription gave the owner the course (its grant may land just after the account: reload until the card unlocks).
  await expect(async () => {
    await expect(o.getByRole("heading", { level: 1, name: /^Welcome/ })).toBeVisible();
    await expect(o.getByRole("link", { name: /^Team Course/ }).first()).toBeVisible();
    if ((await o.getByRole("link", { name: "Team Course", exact: true }).count()) === 0) {
      await o.reload();
      throw new Error("the owner's Team Course card is still locked");
    }
  }).toPass({ timeout: 30_000, intervals: [500] });

  // Team, from the account menu: one of three seats used.
  await o.getByRole("button", { name: /^Account menu/ }).click();
  await o.getByRole("menuitem", { name: "Team" }).click();
  await expect(o.getByRole("heading", { level: 1, name: "Team", exact: true })).toBeVisible();
  const seats = o.getByTestId("team-seats");
  await expect(seats.getByText("1 of 3 seats used")).toBeVisible();
  const addTeammate = async (email: string, name: string) => {
    await o.getByRole("button", { name: "Add teammate" }).click();
    const dialog = o.getByRole("dialog", { name: "Add teammate" });
    await dialog.getByLabel("Email", { exact: true }).fill(email);
    await dialog.getByLabel("Name (optional)", { exact: true }).fill(name);
    await dialog.getByRole("button", { name: "Add teammate" }).click();
    return dialog;
  };
  await expect(await addTeammate("bob@acme.test", "Bob Builder")).toBeHidden();
  await expect(seats.getByText("2 of 3 seats used")).toBeVisible();
  await expect(await addTeammate("carol@acme.test", "Carol Coder")).toBeHidden();
  await expect(seats.getByText("3 of 3 seats used")).toBeVisible();
  const people = o.getByRole("table", { name: "People of Acme Inc" });
  for (const who of ["Bob Builder", "Carol Coder"]) await expect(people.getByRole("row", { name: new RegExp(who) }).getByText("Member", { exact: true })).toBeVisible();
  await shoot("38-member-team", { on: o });
  // A fourth person does not fit: the owner reads why.
  const refused = await addTeammate("dave@acme.test", "Dave");
  await expect(refused.getByRole("alert").getByText(/^Every seat of this account is taken\./)).toBeVisible();
  await shoot("39-member-team-full", { on: o, mobile: false });
  await refused.getByRole("button", { name: "Cancel" }).click();
  await expect(refused).toBeHidden();
  await expect(people.getByRole("row"), "the refused person was not seated").toHaveCount(4);

  // The admin sees the account with its three people; each teammate has the course.
  await navTo(page, "Accounts", "/accounts");
  await acme.click();
  await expect(page.getByRole("heading", { level: 1, name: "Acme Inc", exact: true })).toBeVisible();
  await expect(page.getByTestId("account-seats").getByText("3 of 3 seats used")).toBeVisible();
  const admins = page.getByRole("table", { name: "People of Acme Inc" });
  await expect(admins.getByRole("row"), "the account page lists its 3 people").toHaveCount(4);
  await expect(admins.getByRole("row", { name: /owner@acme\.test/ }).getByText("Owner", { exact: true })).toBeVisible();
  await shoot("40-account-page");
  await admins.getByRole("link", { name: "Bob Builder" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Bob Builder", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Acme Inc" })).toBeVisible();
  await expect(page.getByText("(member)", { exact: true })).toBeVisible();
  // Seats share the subscription's grants; the grant is written by a job, so reload until it shows.
  const grant = page.getByRole("row", { name: /Team Course/ });
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: "Bob Builder", exact: true })).toBeVisible();
    await expect(page.getByRole("table").or(page.getByText("No product access yet")).first()).toBeVisible();
    expect(await grant.count()).toBe(1);
  }, "Bob has a Team Course grant after his seat").toPass({ timeout: 30_000, intervals: [500] });
  await expect(grant.getByText("Stripe subscription", { exact: true })).toBeVisible();
  await expect(grant.getByText("Active", { exact: true })).toBeVisible();
});
