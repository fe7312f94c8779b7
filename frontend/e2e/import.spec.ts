// CSV import: the admin imports 10,000 members; a preview names the bad rows, a progress bar
// runs, then a report. Runs in the "site-wide" project, last: 10,000 more members would slow
// down every spec after it.
import { expect, test } from "./support/fixtures";
import { navTo } from "./support/helpers";

test("the admin imports 10,000 members from CSV: a preview names the bad rows, a progress bar, then a report", async ({ page, api, shoot }) => {
  test.setTimeout(600_000);
  await api.product({ name: "Import Course" });
  const rows = ["email,name,products"];
  for (let i = 0; i < 10_000; i++) rows.push(`imported${i}@example.org,Imported ${i},${i % 10 === 0 ? "Import Course" : ""}`);
  rows.push("not an email,Broken,");
  rows.push("imported7@example.org,Twice,");
  const csv = Buffer.from(rows.join("\r\n") + "\r\n", "utf8");
  await page.goto("/");
  await navTo(page, "Members", "/members");
  await page.getByRole("button", { name: "Import CSV" }).click();
  const dialog = page.getByRole("dialog", { name: "Import members from CSV" });
  await dialog.getByLabel("CSV file").setInputFiles({ name: "members.csv", mimeType: "text/csv", buffer: csv });
  await dialog.getByRole("button", { name: "Preview" }).click();
  const go = dialog.getByRole("button", { name: "Import 10000 members" });
  await expect(go).toBeVisible({ timeout: 60_000 });
  await expect(dialog.getByText("Bad email").first()).toBeVisible();
  await shoot("41-import-preview");
  await go.click();
  await expect(dialog.getByRole("progressbar", { name: "Import progress" }).or(dialog.getByText(/Import finished/)).first()).toBeVisible();
  await expect(dialog.getByText(/Import finished: 10000 created, 0 updated, 0 granted products only, 2 skipped\./)).toBeVisible({ timeout: 300_000 });
  await shoot("42-import-report");
  // The footer's Close (the dialog's × is named Close too).
  await dialog.getByRole("button", { name: "Close", exact: true }).last().click();
  await expect(dialog).toBeHidden();
  await page.getByRole("searchbox", { name: "Search members" }).fill("imported9999@");
  await expect(page.getByRole("link", { name: "Imported 9999" })).toBeVisible();
});
