// The member area: magic-link sign-in, the site's branding, the library's locked cards and
// where they lead, a granted product's lessons and progress, the account menu and profile
// (email change confirmed by the new address), and the public library a visitor sees.
// The site's branding and Grace's products carry through the file, so its tests run in order.
import type { Page } from "@playwright/test";
import { appName, shotsDir } from "./support/env";
import { expect, test } from "./support/fixtures";
import { grantInUi, linkInEmail, memberSignedIn, open, toast } from "./support/helpers";

test.describe.configure({ mode: "serial" });

const grace = { email: "grace@example.com", name: "Grace Hopper", password: "cobol forever 1959" };
let gracePath = "";
const card = (m: Page, name: string, locked: boolean) => m.getByRole("link", { name: locked ? `${name} (locked)` : name, exact: true });

test("member sign-in page and magic-link landing", async ({ page, api, openContext, shoot }) => {
  await api.member({ email: "lin@example.com", name: "Lin Link" });
  const m = await (await openContext()).newPage();
  // The admin's Settings show the member login link of the site.
  await open(page, "/settings", "Settings");
  const link = (await page.locator("code", { hasText: "/member/login?app=" }).textContent())!;
  await m.goto(link);
  await expect(m.getByRole("heading", { name: "Member sign-in" })).toBeVisible();
  await m.screenshot({ path: `${shotsDir}/17-member-login-1280.png`, fullPage: true });
  await m.getByLabel("Email", { exact: true }).fill("lin@example.com");
  await m.getByRole("button", { name: "Send sign-in link" }).click();
  await expect(m.getByRole("heading", { name: "Check your email" })).toBeVisible();

  // No SMTP in this run: the admin reads the magic link in the Emails outbox.
  await page.goto("/emails");
  await page.getByRole("searchbox", { name: "Filter by recipient" }).fill("lin@example.com");
  await page.waitForURL(/to=lin%40example\.com|to=lin@example\.com/);
  await page.getByRole("link", { name: /login link/i }).first().click();
  const magic = page.locator('a[href*="/member/magic?token="]').first();
  await expect(magic).toBeVisible();
  await shoot("18-email-detail", { mobile: false });
  const href = new URL((await magic.getAttribute("href"))!);
  await m.goto(href.pathname + href.search);
  await expect(m.getByRole("heading", { name: /Welcome, Lin Link/ })).toBeVisible();
  await m.reload();
  await expect(m.getByRole("heading", { name: /Welcome, Lin Link/ })).toBeVisible();
  await m.screenshot({ path: `${shotsDir}/19-member-library-1280.png`, fullPage: true });
  // A link that is not (or no longer) valid says so.
  await m.goto("/member/magic?token=not-a-real-token");
  await expect(m.getByRole("heading", { name: "This sign-in link did not work" })).toBeVisible();
});

test("the owner brands the site: logo and accent colour", async ({ page, e2e }) => {
  await open(page, "/settings", "Settings");
  await page.getByLabel("Logo URL", { exact: true }).fill(`${e2e.base}/favicon.svg`);
  await page.getByLabel("Accent colour", { exact: true }).fill("#wrong");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Enter a colour as #rrggbb, like #1d4ed8.")).toBeVisible();
  await page.getByLabel("Accent colour", { exact: true }).fill("#2f855a");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(toast(page, "Settings saved.")).toBeVisible();
});

test("admin creates a member with a password", async ({ page }) => {
  await open(page, "/members", "Members");
  await page.getByRole("button", { name: "Add member" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add member" });
  await dialog.getByLabel("Email", { exact: true }).fill(grace.email);
  await dialog.getByLabel("Name", { exact: true }).fill(grace.name);
  await dialog.getByLabel("Password (optional)", { exact: true }).fill(grace.password);
  await dialog.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("heading", { name: grace.name })).toBeVisible();
  gracePath = new URL(page.url()).pathname;
});

test("the member signs in at /member/login (the site's branding) and sees locked cards with their targets", async ({ api, openContext, e2e, shoot }) => {
  // What the site sells, each shown as a locked card: an external shop, direct checkout
  // (Stripe off: the custom order page), a sales page; and an archived product.
  const starter = await api.product({ name: "Library Course", purchase_method: "external_url", external_url: "https://shop.example.com/starter", show_locked_card: true });
  await api.lesson(starter, "Lesson one", "Lesson one body");
  await api.lesson(starter, "Welcome", "**Welcome** aboard. Read [the guide](https://guide.example.com/start) first.\n\n<script>alert(1)</script>");
  await api.product({ name: "Pro Membership", purchase_method: "direct_checkout", external_url: "https://shop.example.com/pro", show_locked_card: true });
  const masterclass = await api.product({ name: "Masterclass", purchase_method: "sales_page_then_checkout", external_url: "https://shop.example.com/masterclass", show_locked_card: true });
  await api.call("PUT", `/api/v1/products/${masterclass.id}/sales-page`, { title: "Masterclass", blocks: [
      { type: "heading", text: "Masterclass" },
      { type: "text", text: "Live sessions every Thursday." },
    ], cta_label: "Join now" });
  const retired = await api.product({ name: "Retired Course", purchase_method: "external_url", external_url: "https://shop.example.com/retired", show_locked_card: true });
  await api.call("POST", `/api/v1/products/${retired.id}/archive`);

  // The member uses a browser of her own (no admin cookies).
  const m = await (await openContext()).newPage();
  await m.goto("/member/login");
  await expect(m.getByRole("heading", { name: "Member sign-in" })).toBeVisible();
  // The site's name, logo and colour; never Tollgate's.
  const mark = m.getByTestId("site-mark");
  await expect(mark.getByText(appName)).toBeVisible();
  await expect(mark.locator(`img[src="${e2e.base}/favicon.svg"]`)).toBeVisible();
  await expect(m.getByText("Tollgate"), "the member sign-in page says Tollgate").toHaveCount(0);
  const accent = await m.getByRole("button", { name: "Send sign-in link" }).evaluate((b) => getComputedStyle(b).getPropertyValue("--color-primary").trim());
  expect(accent, "the sign-in button uses the accent colour").toBe("#2f855a");
  await m.getByRole("tab", { name: "Password" }).click();
  await expect(m.getByRole("button", { name: "Forgot password?" })).toBeVisible();
  await m.getByLabel("Email", { exact: true }).fill(grace.email);
  await m.getByLabel("Password", { exact: true }).fill(grace.password);
  await m.getByRole("button", { name: "Sign in" }).click();
  await expect(m.getByRole("heading", { name: /Welcome, Grace Hopper/ })).toBeVisible();
  await expect(card(m, "Library Course", true)).toHaveAttribute("href", "https://shop.example.com/starter");
  await expect(card(m, "Pro Membership", true), "direct checkout with Stripe off leads to the order page").toHaveAttribute("href", "https://shop.example.com/pro");
  await expect(card(m, "Masterclass", true)).toHaveAttribute("href", /^\/p\/[^/]+\/[^/]+$/);
  await expect(m.getByRole("link", { name: "Retired Course", exact: false }), "archived product listed").toHaveCount(0);
  await shoot("25-member-library-locked", { on: m });

  await card(m, "Masterclass", true).click();
  await expect(m.getByRole("heading", { name: "Masterclass", level: 1 })).toBeVisible();
  await expect(m.getByText("Live sessions every Thursday.")).toBeVisible();
  await expect(m.getByRole("link", { name: "Join now" })).toHaveAttribute("href", "https://shop.example.com/masterclass");
  await shoot("26-public-sales-page", { on: m });
  await m.goBack();
  await expect(m.getByRole("heading", { name: /Welcome, Grace Hopper/ })).toBeVisible();
});

test("the admin grants access; the member's card unlocks and she reads and ticks a lesson", async ({ page, openContext, shoot }) => {
  const m = await memberSignedIn(await openContext(), grace.email, grace.password, grace.name);
  // Count the locked cards once the library has loaded them (the heading shows before the cards).
  await expect(card(m, "Library Course", true)).toBeVisible();
  const lockedBefore = await m.getByText("Locked", { exact: true }).count();
  await grantInUi(page, gracePath, grace.name, "Library Course");

  await m.reload();
  const starter = card(m, "Library Course", false);
  await expect(starter, "the unlocked card opens the product").toHaveAttribute("href", /^\/member\/products\//);
  await expect(m.getByText("0/2 completed")).toBeVisible();
  await expect(m.getByText("Locked", { exact: true }), "one card fewer is locked after the grant").toHaveCount(lockedBefore - 1);
  await expect(card(m, "Pro Membership", true)).toBeVisible();
  await expect(card(m, "Masterclass", true)).toBeVisible();
  await starter.click();
  await expect(m.getByRole("heading", { name: "Library Course" })).toBeVisible();
  await expect(m.getByText("0/2 lessons completed")).toBeVisible();
  // One lesson a page: the first unfinished one opens; Next leads to the following lesson.
  await expect(m.getByRole("heading", { name: "Lesson one", level: 2 })).toBeVisible();
  await expect(m.getByRole("link", { name: /^Previous/ }), "the first lesson has no Previous link").toHaveCount(0);
  await m.getByRole("link", { name: "Next: Welcome" }).click();
  await m.waitForURL(/\/member\/products\/[^/]+\/lessons\/[^/]+$/);
  await expect(m.getByRole("heading", { name: "Welcome", level: 2 })).toBeVisible();
  const lesson = m.getByRole("article", { name: "Welcome" });
  await expect(lesson.locator("strong", { hasText: "Welcome" })).toBeVisible();
  const guide = lesson.getByRole("link", { name: "the guide" });
  await expect(guide, "the lesson's link is opened safely").toHaveAttribute("rel", "noopener noreferrer nofollow");
  await expect(guide).toHaveAttribute("target", "_blank");
  await expect(lesson.locator("script")).toHaveCount(0);
  await expect(lesson.getByText("<script>alert(1)</script>"), "raw HTML is shown as text").toHaveCount(1);
  await expect(m.getByRole("link", { name: "Previous: Lesson one" })).toBeVisible();
  await m.getByRole("button", { name: "Mark complete: Welcome" }).click();
  await expect(m.getByText("1/2 lessons completed")).toBeVisible();
  await expect(m.getByRole("button", { name: "Completed: Welcome" })).toBeVisible();
  await m.reload();
  await expect(m.getByText("1/2 lessons completed")).toBeVisible();
  await shoot("27-member-product", { on: m });
  await m.getByRole("link", { name: "Library", exact: true }).first().click();
  await expect(m.getByText("1/2 completed")).toBeVisible();
  await shoot("28-member-library-progress", { on: m });
});

test("the member's account menu: no Billing while the portal is off, profile, email change, purchases, subscriptions", async ({ page, openContext, shoot }) => {
  const m = await memberSignedIn(await openContext(), grace.email, grace.password, grace.name);
  await m.getByRole("button", { name: "Account menu" }).click();
  await expect(m.getByRole("menuitem", { name: "Profile" })).toBeVisible();
  await expect(m.getByRole("menuitem", { name: "Billing" }), "Billing is offered while the billing portal is off").toHaveCount(0);
  await m.getByRole("menuitem", { name: "Profile" }).click();
  await expect(m.getByRole("heading", { name: "Profile" })).toBeVisible();
  await m.getByLabel("Name", { exact: true }).fill("Grace B. Hopper");
  await m.getByRole("button", { name: "Save profile" }).click();
  await expect(toast(m, "Profile saved.")).toBeVisible();
  // Changing the email needs the current password.
  await m.getByLabel("Email", { exact: true }).fill("grace.hopper@example.com");
  await m.getByRole("button", { name: "Save profile" }).click();
  await expect(m.getByText("Enter your current password to change your email or password.")).toBeVisible();
  await m.getByLabel("Current password", { exact: true }).fill("not my password");
  await m.getByRole("button", { name: "Save profile" }).click();
  await expect(m.getByText("your current password is needed to change email or password")).toBeVisible();
  await shoot("29-member-profile", { on: m });
  // With the right password the change waits for the new address to confirm it.
  await m.getByLabel("Current password", { exact: true }).fill(grace.password);
  await m.getByRole("button", { name: "Save profile" }).click();
  const pendingEmail = m.getByRole("status", { name: "Pending email change" });
  await expect(pendingEmail.getByText("We sent a confirmation link to grace.hopper@example.com.")).toBeVisible();
  await expect(m.getByLabel("Email", { exact: true }), "the email changed before the new address confirmed it").toHaveValue(grace.email);
  await shoot("29a-member-profile-pending-email", { on: m });

  // No SMTP in this run: the admin reads both messages in the Emails outbox.
  await page.goto("/emails");
  await page.getByRole("searchbox", { name: "Filter by recipient" }).fill(grace.email);
  await page.waitForURL(/to=grace%40example\.com|to=grace@example\.com/);
  await expect(page.getByRole("link", { name: /Someone asked to change your email/ }).first()).toBeVisible();
  const confirmUrl = await linkInEmail(page, "grace.hopper@example.com", /Confirm your new email/, 'a[href*="/member/confirm-email?token="]');
  await m.goto(confirmUrl.pathname + confirmUrl.search);
  await expect(m.getByRole("heading", { name: "Email confirmed" })).toBeVisible();
  await expect(m.getByText("You now sign in with grace.hopper@example.com.")).toBeVisible();
  await shoot("29b-member-email-confirmed", { on: m, mobile: false });
  // The link works once.
  await m.goto(confirmUrl.pathname + confirmUrl.search);
  await expect(m.getByRole("heading", { name: "Your email was not changed" })).toBeVisible();
  await expect(m.getByText(/already used, cancelled, or replaced/)).toBeVisible();
  await m.getByRole("link", { name: "Go to your profile" }).click();
  await expect(m.getByRole("heading", { name: "Profile" })).toBeVisible();
  await expect(m.getByLabel("Email", { exact: true })).toHaveValue("grace.hopper@example.com");
  await expect(pendingEmail, "a confirmed change is still shown as pending").toHaveCount(0);
  await m.getByRole("button", { name: "Account menu" }).click();
  await m.getByRole("menuitem", { name: "Subscriptions" }).click();
  await expect(m.getByText("No subscriptions", { exact: true })).toBeVisible();
  await m.getByRole("button", { name: "Account menu" }).click();
  await m.getByRole("menuitem", { name: "Purchases" }).click();
  await expect(m.getByText("No purchases yet", { exact: true })).toBeVisible();
  await shoot("30-member-purchases", { on: m, mobile: false });
});

test("a visitor sees the public library with locked cards", async ({ e2e, openContext, shoot }) => {
  const v = await (await openContext()).newPage();
  const app = (await (await fetch(`${e2e.base}/api/v1/public/default-app`)).json()) as { id: string };
  await v.goto(`/p/${app.id}`);
  await expect(v.getByRole("link", { name: "Masterclass (locked)", exact: true })).toBeVisible();
  await expect(v.getByRole("link", { name: "Sign in" })).toBeVisible();
  await shoot("31-visitor-library", { on: v });
});
