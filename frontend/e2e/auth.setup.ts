// First run: the site does not exist yet, so / leads to /setup. The owner creates the site and
// is signed in; their storageState is saved for the specs (see support/fixtures.ts for why each
// test then takes a fresh session of its own).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { adminStateFile, appName, owner } from "./support/env";
import { expect, test as setup } from "./support/fixtures";
import { navTo } from "./support/helpers";

setup.use({ asAdmin: false });

setup("first run redirects to setup and creates the site; its lists start empty", async ({ page, shoot }) => {
  await page.goto("/");
  await page.waitForURL("**/setup");
  await expect(page.getByRole("heading", { name: "Set up Tollgate" })).toBeVisible();
  // Client-side validation before anything is sent.
  await page.getByRole("button", { name: "Create site" }).click();
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  await shoot("01-setup");
  await page.getByLabel("Site name", { exact: true }).fill(appName);
  await page.getByLabel("Your name", { exact: true }).fill(owner.name);
  await page.getByLabel("Email", { exact: true }).fill(owner.email);
  await page.getByLabel("Password", { exact: true }).fill(owner.password);
  await page.getByRole("button", { name: "Create site" }).click();
  await expect(page.getByRole("heading", { name: /Welcome, Olive/ })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/");

  // A new site has no products and no members yet (the specs add their own after this).
  await navTo(page, "Products", "/products");
  await expect(page.getByText("No active products")).toBeVisible();
  await navTo(page, "Members", "/members");
  await expect(page.getByText("No members yet")).toBeVisible();

  mkdirSync(dirname(adminStateFile), { recursive: true });
  await page.context().storageState({ path: adminStateFile });
});
