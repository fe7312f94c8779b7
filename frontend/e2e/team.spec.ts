// The team: the owner invites a read-only viewer; the invitation email links to
// /accept-invite; the viewer joins in her own browser and sees a read-only admin.
import { appName, owner } from "./support/env";
import { expect, test } from "./support/fixtures";
import { linkInEmail, navTo } from "./support/helpers";

test.describe.configure({ mode: "serial" });

const viewer = { name: "Vera Viewer", email: "viewer@example.com", password: "viewer password 123" };
let invite: URL;

test("the owner invites a viewer from Settings → Team", async ({ page, shoot }) => {
  await page.goto("/");
  await navTo(page, "Team", "/settings/team");
  await expect(page.getByRole("table", { name: "Team members" }).getByText(owner.email)).toBeVisible();
  await page.getByRole("button", { name: "Invite" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite to the team" });
  // Checked before anything is sent.
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog.getByText("Enter their email.")).toBeVisible();
  await dialog.getByLabel("Email", { exact: true }).fill(viewer.email);
  await dialog.getByLabel("Role", { exact: true }).selectOption("viewer");
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("table", { name: "Pending invitations" }).getByText(viewer.email)).toBeVisible();
  await shoot("32-team");
});

test("the invitation email in the outbox links to /accept-invite", async ({ page, e2e }) => {
  invite = await linkInEmail(page, viewer.email, /Join the .* team/, 'a[href*="/accept-invite?token="]');
  expect(invite.href.startsWith(`${e2e.base}/accept-invite?token=`), `invite link ${invite.href}`).toBe(true);
});

test("the viewer accepts in her own browser and sees a read-only admin", async ({ page, api, openContext, shoot }) => {
  await api.product({ name: "Viewer Course" });
  const vp = await (await openContext()).newPage();
  await vp.goto(invite.pathname + invite.search);
  await expect(vp.getByRole("heading", { name: `Join ${appName}` })).toBeVisible();
  await vp.getByRole("button", { name: "Accept invitation" }).click();
  await expect(vp.getByText("Enter your name.")).toBeVisible();
  await vp.getByLabel("Your name", { exact: true }).fill(viewer.name);
  await vp.getByLabel("Choose a password", { exact: true }).fill(viewer.password);
  await vp.getByRole("button", { name: "Accept invitation" }).click();
  await expect(vp.getByRole("heading", { name: /Welcome, Vera/ })).toBeVisible();
  await expect(vp.getByText("Read-only access").first()).toBeVisible();
  await navTo(vp, "Products", "/products");
  await expect(vp.getByRole("link", { name: "Viewer Course" })).toBeVisible();
  await expect(vp.getByRole("button", { name: /New product/ }), "a viewer sees New product").toHaveCount(0);
  await shoot("33-viewer-products", { on: vp });
  await vp.getByRole("link", { name: "Viewer Course" }).click();
  await expect(vp.getByRole("heading", { name: /Viewer Course/ })).toBeVisible();
  await expect(vp.getByRole("tab", { name: "Info" })).toBeVisible();
  await expect(vp.getByRole("button", { name: /Delete/ }), "a viewer sees Delete").toHaveCount(0);
  await expect(vp.getByRole("button", { name: /^Archive|^Unarchive/ }), "a viewer sees Archive").toHaveCount(0);
  await expect(vp.getByRole("button", { name: "Save changes" }), "a viewer can save product info").toBeDisabled();
  // The invitation link worked once.
  await vp.goto(invite.pathname + invite.search);
  await expect(vp.getByRole("heading", { name: "This invitation does not work" })).toBeVisible();
  // The owner now sees her on the team.
  await page.goto("/settings/team");
  await expect(page.getByRole("table", { name: "Team members" }).getByText(viewer.email)).toBeVisible();
  await expect(page.getByText("No pending invitations")).toBeVisible();
});
