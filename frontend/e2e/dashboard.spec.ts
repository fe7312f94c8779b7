// The dashboard: recent activity, MRR figures and the MRR chart.
import { execFileSync } from "node:child_process";
import { expect, test } from "./support/fixtures";

test("the dashboard shows recent activity", async ({ page, shoot }) => {
  await page.goto("/");
  await expect(page.getByText("Recent activity")).toBeVisible();
  await shoot("08-dashboard");
});

test("the dashboard shows MRR; the chart draws the recorded history and shows a day's MRR on hover", async ({ page, e2e, shoot }) => {
  await page.goto("/");
  await expect(page.getByText("MRR", { exact: true })).toBeVisible();
  await expect(page.getByText("Paying subscriptions", { exact: true })).toBeVisible();
  // No Stripe subscription on the site: the chart explains itself instead of drawing zeros.
  await expect(page.getByText("No recurring revenue in this period")).toBeVisible();
  await shoot("23-dashboard-metrics");
  // Give the history 40 recorded days, as the minute sweep would have written them
  // (there is no Stripe subscription), then the chart draws them with today's live figure.
  execFileSync("python3", [
    "-c",
    `
import sqlite3, sys, datetime
db = sqlite3.connect(sys.argv[1])
app = db.execute("SELECT id FROM apps ORDER BY created_at LIMIT 1").fetchone()[0]
today = datetime.datetime.now(datetime.timezone.utc).date()
for n in range(40, 0, -1):
    day = (today - datetime.timedelta(days=n)).isoformat()
    subs = 3 + (40 - n) // 4
    db.execute("INSERT INTO mrr_daily (app_id, day, mrr, paying_subscriptions, currency, updated_at) VALUES (?, ?, ?, ?, 'eur', 0)", (app, day, subs * 2900, subs))
db.commit()
`,
    e2e.dbPath,
  ]);
  await page.reload();
  const value = page.getByTestId("mrr-chart-value");
  // The chart ends on today's live MRR (no subscriptions now).
  await expect(value).toHaveText(/0[.,]00/);
  const chart = page.getByRole("img", { name: /^MRR / });
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(value, "hovering the middle of the chart shows that day's MRR").toHaveText(/[1-9]/);
  await page.getByRole("tab", { name: "90 days" }).click();
  await expect(page.getByRole("tab", { name: "90 days", selected: true })).toBeVisible();
  await shoot("23b-dashboard-mrr-chart");
});
