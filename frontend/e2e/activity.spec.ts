// The activity feed: it shows a grant, its filters live in the URL, and new activity appears
// without a reload.
import { expect, test } from "./support/fixtures";
import { navTo, open } from "./support/helpers";

test("the activity feed shows a grant; filters live in the URL; new activity appears without a reload", async ({ page, api, context, shoot }) => {
  const product = await api.product({ name: "Activity Course" });
  const member = await api.member({ email: "alan@example.com", name: "Alan Turing" });
  await api.grant(member, product);

  await page.goto("/");
  await navTo(page, "Activities", "/activities");
  await expect(page.getByText("Product Access Granted").first()).toBeVisible();
  await page.getByRole("button", { name: /^Kind:/ }).click();
  await page.getByRole("option", { name: "Product Access Granted" }).click();
  await page.keyboard.press("Escape");
  await page.waitForURL(/kind=product\.access_granted/);
  await expect(page.getByText("Product Access Granted").first()).toBeVisible();
  await shoot("07-activities");

  // Polling: revoke in a second tab; the feed tab is not reloaded.
  await open(page, "/activities", "Activities");
  await expect(page.getByText("Product Access Granted").first()).toBeVisible();
  const before = await page.getByText("Product Access Removed").count();
  const other = await context.newPage();
  await open(other, `/members/${member.id}`, "Alan Turing");
  await other.getByRole("button", { name: /Revoke Activity Course/ }).click();
  const dialog = other.getByRole("dialog", { name: "Revoke access?" });
  await dialog.getByLabel("Reason (optional)", { exact: true }).fill("Testing the feed");
  await dialog.getByRole("button", { name: "Revoke access" }).click();
  await expect(other.getByRole("row", { name: /Activity Course/ }).getByText("Revoked", { exact: true })).toBeVisible();
  await other.close();
  await expect.poll(() => page.getByText("Product Access Removed").count(), { timeout: 15_000 }).toBeGreaterThan(before);
});
