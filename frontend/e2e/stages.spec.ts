// Lifecycle stages: the owner adds a Lead stage; members without a subscription become Leads,
// the members list filters by stage and the dashboard's MRR-by-stage table links to it.
import { expect, test } from "./support/fixtures";
import { navTo } from "./support/helpers";

test("the owner adds a Lead stage; members without a subscription become Leads and the list filters by stage", async ({ page, api, shoot }) => {
  await api.member({ email: "lena@example.com", name: "Lena Lead" });
  await api.member({ email: "leo@example.com", name: "Leo Lead" });

  await page.goto("/");
  await navTo(page, "Lifecycle stages", "/settings/stages");
  const stages = page.getByRole("group", { name: /^Stage \d+$/ });
  await expect(stages, "the 3 default stages").toHaveCount(3);
  await expect(stages.nth(0).getByLabel("Name", { exact: true }), "Customer is the first stage").toHaveValue("Customer");
  await page.getByRole("button", { name: "Add stage" }).click();
  const lead = page.getByRole("group", { name: "Stage 4" });
  // Checked before anything is sent.
  await page.getByRole("button", { name: "Save stages" }).click();
  await expect(lead.getByText("Name this stage.", { exact: true })).toBeVisible();
  await lead.getByLabel("Name", { exact: true }).fill("Lead");
  await lead.getByRole("checkbox", { name: "No subscription" }).check();
  const saved = page.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith("/api/v1/app/stages"));
  await page.getByRole("button", { name: "Save stages" }).click();
  expect((await saved).status(), "saving the stages").toBe(200);
  // The recompute runs in the background; its progress bar goes once every member is done.
  await expect(page.getByRole("progressbar", { name: "Recomputing stages" })).toHaveCount(0);
  await shoot("37-lifecycle-stages");

  await navTo(page, "Members", "/members");
  await page.getByRole("combobox", { name: "Lifecycle stage" }).selectOption("Lead");
  await page.waitForURL((u) => u.searchParams.get("stage") === "Lead");
  const memberLinks = page.getByRole("table").getByRole("link");
  await expect(page.getByRole("table").getByRole("link", { name: "Lena Lead" })).toBeVisible();
  await expect(page.getByRole("table").getByRole("link", { name: "Leo Lead" })).toBeVisible();
  const leads = await page.getByRole("table").getByText("Lead", { exact: true }).count();
  expect(leads, "every listed member is a Lead").toBe(await memberLinks.count());
  expect(leads).toBeGreaterThanOrEqual(2);
  await shoot("38-members-by-stage");
  await page.goto("/");
  const totals = page.getByRole("table", { name: "MRR by stage" });
  await totals.getByRole("link", { name: "Lead", exact: true }).click();
  await page.waitForURL((u) => u.pathname === "/members" && u.searchParams.get("stage") === "Lead");
  await expect(page.getByRole("heading", { level: 1, name: "Members", exact: true })).toBeVisible();
});
