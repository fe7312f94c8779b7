// Members in the admin: add and edit a member, grant a product, search the list, the
// profile's Subscriptions and Purchases tabs. The member carries through the file.
import { expect, test } from "./support/fixtures";
import { navTo, open } from "./support/helpers";

test.describe.configure({ mode: "serial" });

let memberPath = "";

test("create a member and edit the profile", async ({ page }) => {
  await page.goto("/");
  await navTo(page, "Members", "/members");
  await page.getByRole("button", { name: "Add member" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add member" });
  await dialog.getByLabel("Email", { exact: true }).fill("ada@example.com");
  await dialog.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
  await dialog.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("heading", { name: "Ada Lovelace" })).toBeVisible();
  memberPath = new URL(page.url()).pathname;
  // Edit the profile; the API's field error for a taken email would show on the field.
  await page.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit member" });
  await edit.getByLabel("Name", { exact: true }).fill("Ada King");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: "Ada King" })).toBeVisible();
  await page.getByRole("button", { name: "Edit" }).click();
  await edit.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: "Ada Lovelace" })).toBeVisible();
});

test("grant a product and see the grant", async ({ page, api, shoot }) => {
  await api.product({ name: "Members Course" });
  await open(page, memberPath, "Ada Lovelace");
  await page.getByRole("button", { name: "Grant access" }).click();
  const dialog = page.getByRole("dialog", { name: "Grant access" });
  await dialog.getByRole("button", { name: "Grant access" }).click();
  await expect(dialog.getByText("Choose a product.")).toBeVisible();
  await dialog.getByLabel("Product", { exact: true }).selectOption({ label: "Members Course" });
  await dialog.getByLabel("Reason (optional)", { exact: true }).fill("Launch comp");
  await dialog.getByRole("button", { name: "Grant access" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole("row", { name: /Members Course/ });
  await expect(row.getByText("Active", { exact: true })).toBeVisible();
  await expect(page.getByText("Product Access Granted").first()).toBeVisible();
  await shoot("06-member-detail");
});

test("search the members list; the query lives in the URL", async ({ page, shoot }) => {
  await open(page, "/members", "Members");
  await expect(page.getByRole("link", { name: "Ada Lovelace" })).toBeVisible();
  await page.getByRole("searchbox", { name: "Search members" }).fill("zzz");
  await page.waitForURL(/q=zzz/);
  await expect(page.getByText("No members match")).toBeVisible();
  await page.goto("/members?q=ada");
  await expect(page.getByRole("link", { name: "Ada Lovelace" })).toBeVisible();
  await shoot("09-members");
});

test("the member profile has Subscriptions and Purchases tabs", async ({ page, shoot }) => {
  await page.goto(memberPath + "?tab=subscriptions");
  await expect(page.getByRole("heading", { level: 1, name: "Ada Lovelace" })).toBeVisible();
  await expect(page.getByText("No subscriptions", { exact: true })).toBeVisible();
  await page.getByRole("tab", { name: "Purchases" }).click();
  await expect(page.getByText("No purchases", { exact: true })).toBeVisible();
  await shoot("24-member-subscriptions-tab", { mobile: false });
});
