// Steps several specs share.
import type { BrowserContext, Page } from "@playwright/test";
import { expect } from "./fixtures";

// Client-side navigation from the admin sidebar. The previous page stays on screen until the
// next one renders, so anything looked up right after the click may still find the old page
// (the dashboard's activity feed links to products and members too). Wait for the new page's
// own URL and heading before looking for anything on it.
export async function navTo(p: Page, label: string, path: string, heading = label) {
  await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true }).click();
  await p.waitForURL((u) => u.pathname === path);
  await expect(p.getByRole("heading", { level: 1, name: heading, exact: true })).toBeVisible();
}

// A toast with this message (a string matches the whole message), in the notifications region.
// (For a second Radix Toast also repeats the text in a visually hidden live region for screen
// readers, so a bare getByText would find it twice.)
export function toast(p: Page, text: string | RegExp) {
  return p.getByRole("region", { name: /^Notifications/ }).getByText(text, { exact: true });
}

// Opens a page by URL and waits for its own heading (same reason as navTo).
export async function open(p: Page, path: string, heading: string | RegExp) {
  await p.goto(path);
  await expect(p.getByRole("heading", { level: 1, name: heading })).toBeVisible();
}

// No SMTP in these runs: the admin reads a message in the Emails outbox and returns the
// href of its first link that matches `linkHref` (e.g. 'a[href*="/member/magic?token="]').
export async function linkInEmail(admin: Page, to: string, subject: RegExp, linkHref: string): Promise<URL> {
  await admin.goto(`/emails?to=${encodeURIComponent(to)}`);
  await expect(admin.getByRole("heading", { level: 1, name: "Emails", exact: true })).toBeVisible();
  await admin.getByRole("link", { name: subject }).first().click();
  const link = admin.locator(linkHref).first();
  await expect(link).toBeVisible();
  return new URL((await link.getAttribute("href"))!);
}

// A member's browser signed in through the API (the sign-in form itself is tested in
// member-area.spec.ts): the refresh cookie lands in the context, then the library opens.
export async function memberSignedIn(context: BrowserContext, email: string, password: string, name: string): Promise<Page> {
  const app = (await (await context.request.get("/api/v1/public/default-app")).json()) as { id: string };
  const res = await context.request.post("/api/v1/member/auth/login", { data: { app_id: app.id, email, password } });
  expect(res.status(), `member sign-in of ${email}`).toBe(200);
  const m = await context.newPage();
  // The SPA restores a session from the cookie only where it signed in before (a localStorage hint).
  await m.goto("/favicon.svg");
  await m.evaluate(() => localStorage.setItem("tollgate:member:signed-in", "1"));
  await m.goto("/member");
  await expect(m.getByRole("heading", { name: new RegExp(`Welcome, ${name}`) })).toBeVisible();
  return m;
}

// A member signs in with a magic link the admin reads in the outbox.
export async function memberMagicSignIn(m: Page, admin: Page, email: string) {
  await m.goto("/member/login");
  await expect(m.getByRole("heading", { name: "Member sign-in" })).toBeVisible();
  await m.getByLabel("Email", { exact: true }).fill(email);
  await m.getByRole("button", { name: "Send sign-in link" }).click();
  await expect(m.getByRole("heading", { name: "Check your email" })).toBeVisible();
  const href = await linkInEmail(admin, email, /login link/i, 'a[href*="/member/magic?token="]');
  await m.goto(href.pathname + href.search);
}

// Grants a product on the member page through the Grant access dialog.
export async function grantInUi(admin: Page, memberPath: string, memberName: string, product: string) {
  await open(admin, memberPath, memberName);
  await admin.getByRole("button", { name: "Grant access" }).click();
  const dialog = admin.getByRole("dialog", { name: "Grant access" });
  await dialog.getByLabel("Product", { exact: true }).selectOption({ label: product });
  await dialog.getByRole("button", { name: "Grant access" }).click();
  await expect(dialog).toBeHidden();
}

export const problem401 = {
  status: 401,
  contentType: "application/problem+json",
  body: JSON.stringify({ type: "about:blank", title: "Unauthorized", status: 401, detail: "token expired", code: "invalid_token" }),
};
