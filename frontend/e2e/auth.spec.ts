// Admin sessions: the token lives in memory, the refresh cookie survives a reload, sign-in
// errors are shown, an expired access token is refreshed once and a dead session goes to login.
import { owner } from "./support/env";
import { expect, test } from "./support/fixtures";
import { navTo, problem401 } from "./support/helpers";

test("the session survives a reload (refresh cookie, token in memory)", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: /Welcome, Olive/ })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: /Welcome, Olive/ })).toBeVisible();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored, "something token-like is in web storage").not.toMatch(/eyJ|token/i);
});

test.describe("signed out", () => {
  test.use({ asAdmin: false });

  test("sign in, sign out, a wrong password is refused, then sign in", async ({ page, shoot }) => {
    await page.goto("/");
    await page.waitForURL("**/login**");
    await page.getByLabel("Email", { exact: true }).fill(owner.email);
    await page.getByLabel("Password", { exact: true }).fill(owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: /Welcome, Olive/ })).toBeVisible();

    await page.getByRole("button", { name: "Sign out" }).first().click();
    await page.waitForURL("**/login**");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await page.getByLabel("Email", { exact: true }).fill(owner.email);
    await page.getByLabel("Password", { exact: true }).fill("wrong password!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toBeVisible();
    await shoot("02-login-error");
    await page.getByLabel("Password", { exact: true }).fill(owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: /Welcome, Olive/ })).toBeVisible();
    await shoot("03-dashboard-empty");
  });
});

test.describe("own context", () => {
  // It clears the context's cookies: not those of the owner's context the other tests share.
  test.use({ freshContext: true });

  test("an expired access token is refreshed once; a dead session goes to login", async ({ page, context, api }) => {
    await api.product({ name: "Auth Course" });
    await page.goto("/products");
    await expect(page.getByRole("link", { name: "Auth Course" })).toBeVisible();
    // The next products request answers 401 as if the access token had expired.
    let rejected = 0;
    let refreshes = 0;
    page.on("request", (r) => {
      if (r.url().endsWith("/api/v1/auth/refresh")) refreshes++;
    });
    await page.route("**/api/v1/products?*", async (route) => {
      if (rejected++ === 0) await route.fulfill(problem401);
      else await route.continue();
    });
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await expect(page.getByRole("heading", { name: /Welcome, Olive/ })).toBeVisible();
    // navTo waits for the products page itself: the dashboard's feed links to products too.
    await navTo(page, "Products", "/products");
    await expect(page.getByRole("table").getByRole("link", { name: "Auth Course" })).toBeVisible();
    expect(rejected, "the rejected request was not retried").toBeGreaterThanOrEqual(2);
    expect(refreshes, "one refresh").toBe(1);
    expect(new URL(page.url()).pathname).toBe("/products");

    // Now the refresh cookie is gone too: the next 401 ends on the login page.
    await page.unroute("**/api/v1/products?*");
    await context.clearCookies();
    await page.route("**/api/v1/users?*", (route) => route.fulfill(problem401));
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" }).click();
    await page.waitForURL("**/login?next=%2Fmembers");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await page.unroute("**/api/v1/users?*");
  });
});
