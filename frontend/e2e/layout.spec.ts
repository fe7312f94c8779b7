// Layout: the phone menu. (Every page shot in the other specs is also checked for horizontal
// overflow at 1280 and 375 px and by axe-core: see support/fixtures.ts.)
import { shotsDir } from "./support/env";
import { expect, test } from "./support/fixtures";

test("the phone menu opens, navigates and closes", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto("/");
  await page.getByRole("button", { name: "Open menu" }).click();
  const menu = page.getByRole("dialog", { name: "Menu" });
  await expect(menu.getByRole("link", { name: "Members" })).toBeVisible();
  await page.screenshot({ path: `${shotsDir}/20-mobile-menu-375.png` });
  await menu.getByRole("link", { name: "Members" }).click();
  await page.waitForURL("**/members");
  await expect(menu).toBeHidden();
});
