// Settings and the admin's other screens: site settings, API keys, jobs, emails, connectors.
import { shotsDir } from "./support/env";
import { expect, test } from "./support/fixtures";
import { open, toast } from "./support/helpers";

test("settings: a bad number is refused on the field; saved settings survive a reload", async ({ page, shoot }) => {
  await open(page, "/settings", "Settings");
  await page.getByLabel("Inactivity threshold (days)", { exact: true }).fill("abc");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Enter a whole number of days.")).toBeVisible();
  await page.getByLabel("Inactivity threshold (days)", { exact: true }).fill("45");
  await page.getByRole("switch", { name: "Refunds revoke access" }).click();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(toast(page, "Settings saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Inactivity threshold (days)", { exact: true })).toHaveValue("45");
  await shoot("11-settings");
});

test("an API key is shown once and works against the API", async ({ page, e2e, shoot }) => {
  await open(page, "/settings/api-keys", "API keys");
  await expect(page.getByText("No API keys")).toBeVisible();
  await page.getByRole("button", { name: "New API key" }).click();
  const dialog = page.getByRole("dialog", { name: "New API key" });
  await dialog.getByLabel("Name", { exact: true }).fill("Zapier");
  await dialog.getByLabel("users:read", { exact: true }).check();
  await dialog.getByLabel("activities:read", { exact: true }).check();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("api-key-secret");
  await expect(shown).toHaveText(/^tg_key_/);
  const secret = (await shown.textContent())!;
  await page.screenshot({ path: `${shotsDir}/12-api-key-secret-1280.png` });
  await page.getByRole("button", { name: "I have copied it" }).click();
  await expect(page.getByText(`tg_key_…${secret.slice(-4)}`)).toBeVisible();
  await expect(page.getByText(secret), "secret still visible after closing").toHaveCount(0);
  // The key works against the API.
  const res = await fetch(`${e2e.base}/api/v1/users`, { headers: { Authorization: `Bearer ${secret}` } });
  expect(res.status, "GET /api/v1/users with the new key").toBe(200);
  await shoot("13-api-keys");
});

test("jobs, emails and connectors render; no connector is connected yet", async ({ page, shoot }) => {
  await page.goto("/jobs");
  await expect(page.getByRole("tab", { name: "Dead" })).toBeVisible();
  await shoot("14-jobs");

  await page.goto("/emails");
  await expect(page.getByRole("heading", { name: "Emails" })).toBeVisible();
  await shoot("15-emails");

  await open(page, "/settings/connectors", "Connectors");
  // Stripe, ActiveCampaign and Keap: none connected yet.
  await expect(page.getByRole("region", { name: "ActiveCampaign", exact: true }).getByText("Not connected", { exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: "Keap", exact: true }).getByText("Not connected", { exact: true })).toBeVisible();
  await expect(page.getByText("Not connected", { exact: true }).nth(2)).toBeVisible();
  await shoot("16-connectors");
});
