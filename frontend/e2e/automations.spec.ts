// Automations: the owner builds one in the builder (product access granted → the built-in
// Welcome email) and it runs for a real grant.
import { expect, test } from "./support/fixtures";
import { grantInUi, navTo } from "./support/helpers";

test("the owner builds the first automation in the builder and it runs", async ({ page, api, shoot }) => {
  await api.product({ name: "Automation Course" });
  const member = await api.member({ email: "alice@example.com", name: "Alice Automation" });

  await page.goto("/");
  await navTo(page, "Automations", "/automations");
  await expect(page.getByText("No automations yet", { exact: true })).toBeVisible();
  // The empty state offers New automation too: take the header's.
  await page.getByRole("link", { name: "New automation" }).first().click();
  await page.waitForURL((u) => u.pathname === "/automations/new");
  await expect(page.getByRole("heading", { level: 1, name: "New automation", exact: true })).toBeVisible();
  const form = page.getByRole("form", { name: "Automation" });
  // Checked before anything is sent.
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.getByText("Give the automation a name.", { exact: true })).toBeVisible();
  await expect(form.getByText("Add at least one step.", { exact: true })).toBeVisible();
  await form.getByLabel("Name", { exact: true }).fill("Welcome new members");
  // selectOption waits for the option: the catalogue and the products load on their own.
  await form.getByLabel("When", { exact: true }).selectOption({ label: "Product Access Granted" });
  await form.getByLabel("Product", { exact: true }).selectOption({ label: "Any product" });
  await form.getByRole("button", { name: "Add step: Send email" }).click();
  const emailStep = form.getByRole("group", { name: "Step 1: Send email", exact: true });
  await emailStep.getByLabel("Template", { exact: true }).selectOption({ label: "Welcome" });
  await shoot("37-automation-builder", { mobile: false });
  const created = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/v1/automations");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  const res = await created;
  expect(res.status(), `POST /automations: ${await res.text()}`).toBe(201);
  const automation = (await res.json()) as { id: string; trigger: { type: string; kind: string; product_id?: string | null }; steps: unknown };
  expect(automation.trigger, "the trigger sent").toMatchObject({ type: "activity", kind: "product.access_granted" });
  expect(automation.trigger.product_id ?? null, "any product").toBeNull();
  expect(automation.steps, "the steps sent").toEqual([{ type: "send_email", template_id: "builtin:welcome" }]);
  const automationPath = `/automations/${automation.id}`;
  await page.waitForURL((u) => u.pathname === automationPath);
  await expect(page.getByRole("heading", { level: 1, name: "Welcome new members", exact: true })).toBeVisible();
  await expect(page.getByText(/^Version 1\./)).toBeVisible();
  await expect(page.getByText("No runs yet", { exact: true })).toBeVisible();

  // The trigger, for real: grant Alice a product on her member page.
  await grantInUi(page, `/members/${member.id}`, "Alice Automation", "Automation Course");

  // The worker runs the step within about a second; the history refetches while the run is open.
  await page.goto(automationPath);
  await expect(page.getByRole("heading", { level: 1, name: "Welcome new members", exact: true })).toBeVisible();
  const runs = page.getByRole("list", { name: "Runs" });
  await expect(runs.locator("li[data-run]"), "one run").toHaveCount(1);
  const done = runs.locator('li[data-run][data-status="succeeded"]');
  // A run that is still open at load is polled; one that is not would need a refresh.
  await expect(async () => {
    if ((await done.count()) === 0) await page.getByRole("button", { name: "Refresh runs" }).click();
    await expect(done).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  await expect(done.getByText("Succeeded", { exact: true })).toBeVisible();
  await expect(done.getByRole("link", { name: "Alice Automation", exact: true })).toBeVisible();
  const sent = done.locator('li[data-step="send_email"]');
  await expect(sent.getByText("succeeded", { exact: true })).toBeVisible();
  await expect(sent, "the send_email step succeeded").toHaveAttribute("data-step-status", "succeeded");
  await shoot("38-automation-runs");

  // The list shows it with its trigger in words.
  await navTo(page, "Automations", "/automations");
  const row = page.getByRole("table", { name: "Automations" }).getByRole("row").filter({ has: page.getByRole("link", { name: "Welcome new members", exact: true }) });
  await expect(row.getByText("Product Access Granted · Any product", { exact: true })).toBeVisible();
  await expect(row.getByText("Enabled", { exact: true })).toBeVisible();
  await expect(row.getByRole("switch", { name: "Enabled: Welcome new members" })).toBeVisible();
});
