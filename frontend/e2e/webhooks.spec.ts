// Webhooks: the owner adds an endpoint (its signing secret shown once), sends a test event
// that the receiver refuses, reads the tries in the delivery log and redelivers it.
import { createHmac } from "node:crypto";
import type { ReceivedPost } from "./support/services";
import { expect, test } from "./support/fixtures";
import { navTo } from "./support/helpers";

test("the owner adds a webhook endpoint, sees a delivery in its log and redelivers it", async ({ page, e2e, shoot }) => {
  // The receiver (started by global-setup.ts) answers 500 until told otherwise.
  const control = (path: string, method = "POST") => fetch(`${e2e.receiverUrl}/_control/${path}`, { method });
  const received = async () => (await (await control("posts", "GET")).json()) as ReceivedPost[];
  await control("reset");
  const hookUrl = e2e.hookUrl;

  await page.goto("/");
  await navTo(page, "Webhooks", "/settings/webhooks");
  await expect(page.getByText("No webhook endpoints", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const dialog = page.getByRole("dialog", { name: "Add endpoint" });
  // Checked before anything is sent.
  await dialog.getByRole("button", { name: "Add endpoint" }).click();
  await expect(dialog.getByText("Enter the URL Tollgate should send events to.", { exact: true })).toBeVisible();
  await dialog.getByLabel("URL", { exact: true }).fill(hookUrl);
  await dialog.getByLabel("Description (optional)", { exact: true }).fill("E2E receiver");
  await dialog.getByLabel("Only selected events", { exact: true }).check();
  await dialog.getByRole("checkbox", { name: /^User Created/ }).check();
  await dialog.getByRole("button", { name: "Add endpoint" }).click();

  // The signing secret is shown once.
  const secretDialog = page.getByRole("dialog", { name: "Copy the signing secret" });
  await expect(secretDialog.getByTestId("webhook-secret")).toHaveText(/^whsec_[A-Za-z0-9+/]+=*$/);
  const secret = (await secretDialog.getByTestId("webhook-secret").textContent()) ?? "";
  await secretDialog.getByRole("button", { name: "I have copied it" }).click();
  await expect(secretDialog).toBeHidden();
  const endpoints = page.getByRole("table", { name: "Webhook endpoints" });
  const link = endpoints.getByRole("link", { name: hookUrl, exact: true });
  await expect(link).toBeVisible();
  // `has` is looked up inside each row, so it starts from the page, not from the table.
  const listed = endpoints.getByRole("row").filter({ has: page.getByRole("link", { name: hookUrl, exact: true }) });
  await expect(listed.getByText("User Created", { exact: true })).toBeVisible();
  await expect(listed.getByText("Enabled", { exact: true })).toBeVisible();
  await expect(page.getByText(secret), "the secret is still shown after closing its dialog").toHaveCount(0);
  await shoot("35-webhooks");

  await link.click();
  await page.waitForURL((u) => /^\/settings\/webhooks\/[^/]+$/.test(u.pathname));
  await expect(page.getByRole("heading", { level: 1, name: hookUrl, exact: true })).toBeVisible();
  await expect(page.getByText("No deliveries yet", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Event to send", { exact: true }), "the test event defaults to user.created").toHaveValue("user.created");
  await page.getByRole("button", { name: "Send test event" }).click();

  // The receiver answers 500: the log shows the failed try and the delivery waits for its next one.
  const log = page.getByRole("table", { name: "Deliveries" });
  const row = log.locator("tr[data-delivery]");
  await expect(row.getByText("User Created", { exact: true })).toBeVisible();
  await expect(row, "one delivery in the log").toHaveCount(1);
  await row.getByRole("button", { name: "Details" }).click();
  const details = page.getByRole("region", { name: "Delivery details" });
  const tries = details.getByRole("list", { name: "Tries" });
  await expect(tries.getByRole("listitem").filter({ hasText: "HTTP 500" }).first()).toBeVisible();
  await expect(details.getByText("receiver not ready", { exact: true }).first()).toBeVisible();
  await expect(row.getByText("Pending", { exact: true })).toBeVisible();
  const refused = await received();
  expect(refused.length, "the receiver got the first try").toBeGreaterThanOrEqual(1);
  expect(refused.map((p) => p.status), "the receiver answered 500 to every try so far").toEqual(refused.map(() => 500));

  // Now the receiver accepts; Redeliver sends the same event (same webhook-id) again at once.
  await control("healthy");
  const redelivered = page.waitForResponse((r) => r.request().method() === "POST" && /\/api\/v1\/webhooks\/deliveries\/[^/]+\/redeliver$/.test(r.url()));
  await details.getByRole("button", { name: "Redeliver" }).click();
  expect((await redelivered).status(), "redeliver status").toBe(202);
  await expect.poll(async () => (await received()).some((p) => p.status === 200), { message: "the receiver got the redelivery" }).toBe(true);
  await expect(row.getByText("Delivered", { exact: true })).toBeVisible();
  await expect(tries.getByRole("listitem").filter({ hasText: "HTTP 200" }).first()).toBeVisible();
  expect(await tries.getByRole("listitem").count(), "the log shows the failed try and the successful one").toBeGreaterThanOrEqual(2);

  const posts = await received();
  const ids = new Set(posts.map((p) => p.headers["webhook-id"] as string));
  expect(posts.length, "POSTs the receiver got").toBeGreaterThanOrEqual(2);
  expect([...ids], "every try carries the same webhook-id").toHaveLength(1);
  const shownId = (await details.getByTestId("webhook-id").textContent())?.trim();
  expect([...ids], "the log shows the webhook-id the receiver got").toContain(shownId);
  // Signed with the secret the dialog showed (Standard Webhooks: HMAC-SHA256 of "id.timestamp.body").
  const last = posts.at(-1)!;
  const expected = createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64"))
    .update(`${last.headers["webhook-id"]}.${last.headers["webhook-timestamp"]}.${last.body}`)
    .digest("base64");
  expect(String(last.headers["webhook-signature"] ?? "").split(" "), "webhook-signature is signed with the shown secret").toContain(`v1,${expected}`);
  expect(JSON.parse(last.body).data?.test, "the test event is marked data.test = true").toBe(true);
  await shoot("36-webhook-deliveries");
});
