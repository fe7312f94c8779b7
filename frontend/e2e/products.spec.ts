// Products in the admin: create, purchase method, lessons, archive, selling settings, sales
// page editor, delete. One product carries through the file, so its tests run in order.
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { navTo, open, toast } from "./support/helpers";

test.describe.configure({ mode: "serial" });

async function newProduct(page: Page, name: string, description: string) {
  await open(page, "/products", "Products");
  await page.getByRole("button", { name: "New product" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New product" });
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  await dialog.getByLabel("Description", { exact: true }).fill(description);
  await dialog.getByRole("button", { name: "Create product" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

async function openProduct(page: Page, name: string) {
  await open(page, "/products", "Products");
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

test("create a product and set its purchase method", async ({ page, shoot }) => {
  await page.goto("/");
  await navTo(page, "Products", "/products");
  await page.getByRole("button", { name: "New product" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New product" });
  await dialog.getByRole("button", { name: "Create product" }).click();
  await expect(dialog.getByText("Give the product a name.")).toBeVisible();
  await dialog.getByLabel("Name", { exact: true }).fill("Starter Course");
  await dialog.getByLabel("Description", { exact: true }).fill("Ten lessons to get going.");
  await dialog.getByRole("button", { name: "Create product" }).click();
  await expect(page.getByRole("heading", { name: "Starter Course" })).toBeVisible();

  await expect(page.getByLabel("External URL", { exact: true }), "external URL field shown before choosing external_url").toHaveCount(0);
  await page.getByLabel("Purchase method", { exact: true }).selectOption("external_url");
  await page.getByLabel("External URL", { exact: true }).fill("https://shop.example.com/starter");
  await page.getByRole("switch", { name: /Show locked card/ }).click();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(toast(page, "Product saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Purchase method", { exact: true })).toHaveValue("external_url");
  await expect(page.getByLabel("External URL", { exact: true })).toHaveValue("https://shop.example.com/starter");
  await expect(page.getByRole("switch", { name: /Show locked card/ })).toHaveAttribute("aria-checked", "true");
  await shoot("04-product-info");

  await open(page, "/products", "Products");
  await expect(page.getByRole("link", { name: "Starter Course" })).toBeVisible();
  await shoot("10-products");
});

test("the products list shows each product's image, and a neutral placeholder for one that does not load", async ({ page, api, e2e }) => {
  await api.product({ name: "Pictured Course", image_url: `${e2e.base}/favicon.svg` });
  await api.product({ name: "Broken Image Course", image_url: `${e2e.base}/api/v1/images/no-such-image.png` });
  await open(page, "/products", "Products");
  const pictured = page.getByRole("row", { name: /Pictured Course/ });
  const broken = page.getByRole("row", { name: /Broken Image Course/ });
  await expect(pictured.locator("img")).toHaveAttribute("src", `${e2e.base}/favicon.svg`);
  await expect.poll(() => pictured.locator("img").evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0), { message: "the working image loaded" }).toBe(true);
  await expect(pictured.getByTestId("image-placeholder")).toHaveCount(0);
  // The failed image is replaced, not shown broken.
  await expect(broken.getByTestId("image-placeholder")).toBeVisible();
  await expect(broken.locator("img")).toHaveCount(0);
  // A product without an image has the placeholder too.
  await expect(page.getByRole("row", { name: /Starter Course/ }).getByTestId("image-placeholder")).toBeVisible();
});

test("add pages to the product and reorder them; the editor previews Markdown and keeps focus in its dialog", async ({ page, shoot }) => {
  await openProduct(page, "Starter Course");
  await page.getByRole("tab", { name: "Pages" }).click();
  await expect(page.getByText("No pages yet")).toBeVisible();
  // Lesson bodies are Markdown; the editor previews them with the server's renderer.
  const bodies: Record<string, string> = {
    Welcome: "**Welcome** aboard. Read [the guide](https://guide.example.com/start) first.\n\n<script>alert(1)</script>",
    "Lesson one": "Lesson one body",
  };
  for (const title of ["Welcome", "Lesson one"]) {
    await page.getByRole("button", { name: "Add page" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Add page" });
    await dialog.getByLabel("Title", { exact: true }).fill(title);
    await dialog.getByLabel("Body", { exact: true }).fill(bodies[title]);
    if (title === "Welcome") {
      const preview = dialog.getByTestId("markdown-preview");
      await expect(preview.locator("strong", { hasText: "Welcome" })).toBeVisible();
      await expect(preview.getByRole("link", { name: "the guide" }), "preview link opens in a new tab").toHaveAttribute("target", "_blank");
      await expect(preview.locator("script"), "a script survived the preview").toHaveCount(0);
      // Tab never leaves an open dialog: 30 presses cycle inside it.
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press("Tab");
        expect(await dialog.evaluate((d) => d.contains(document.activeElement)), `focus left the dialog after ${i + 1} Tab presses`).toBe(true);
      }
      await shoot("05a-lesson-editor-preview", { mobile: false });
    }
    await dialog.getByRole("button", { name: "Add page" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.locator("ol li", { hasText: title })).toBeVisible();
  }
  await page.getByRole("button", { name: "Move Lesson one up" }).click();
  await expect(page.locator("ol li").first()).toContainText("Lesson one");
  await page.reload();
  await expect(page.locator("ol li").first()).toContainText("Lesson one");
  await shoot("05-product-pages");
});

test("archive a product: hidden from the list unless archived are shown", async ({ page }) => {
  await newProduct(page, "Old Course", "Retired.");
  await page.getByRole("button", { name: "Archive" }).click();
  await expect(page.getByText("Archived", { exact: true })).toBeVisible();
  await open(page, "/products", "Products");
  await expect(page.getByRole("link", { name: "Starter Course" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Old Course" }), "archived product listed by default").toHaveCount(0);
  await page.getByRole("switch", { name: "Show archived" }).click();
  await page.waitForURL(/archived=1/);
  await expect(page.getByRole("link", { name: "Old Course" })).toBeVisible();
});

test("direct checkout without Stripe or an order page warns that members cannot buy; Connector Info says Stripe is off", async ({ page, shoot }) => {
  await newProduct(page, "Coaching Plan", "Monthly coaching calls.");
  await page.getByLabel("Purchase method", { exact: true }).selectOption("direct_checkout");
  await page.getByRole("switch", { name: /Show locked card/ }).click();
  // Direct checkout without Stripe or an order page cannot sell: the admin is told on save and above the tabs.
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("sale-warning").getByText("Members cannot buy it yet")).toBeVisible();
  await shoot("20b-product-cannot-sell", { mobile: false });
  await page.getByLabel("Custom order page URL (optional)", { exact: true }).fill("https://shop.example.com/pro");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(toast(page, "Product saved.")).toBeVisible();
  await expect(page.getByTestId("sale-warning")).toHaveCount(0);
  // No Stripe connected: Connector Info says so and Configure is off.
  await expect(page.getByRole("heading", { name: "Connector Info" })).toBeVisible();
  await expect(page.getByText("Stripe is not connected.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Configure" }), "Configure is enabled without Stripe").toBeDisabled();
  await shoot("21-product-connector-info");
});

test("admin creates a sales page from a template", async ({ page, shoot }) => {
  await newProduct(page, "Live Masterclass", "Eight weeks, live.");
  await page.getByLabel("Purchase method", { exact: true }).selectOption("sales_page_then_checkout");
  await page.getByLabel("Custom order page URL (optional)", { exact: true }).fill("https://shop.example.com/masterclass");
  await page.getByRole("switch", { name: /Show locked card/ }).click();
  await page.getByRole("button", { name: "Save changes" }).click();
  // Saved, with what still keeps members from buying it (no sales page yet).
  await expect(toast(page, /^Product saved\./)).toBeVisible();
  await page.getByRole("tab", { name: "Sales page" }).click();
  await page.waitForURL(/tab=sales/);
  await expect(page.getByText("No sales page yet")).toBeVisible();
  await page.getByRole("button", { name: "Use Long form" }).click();
  await expect(page.getByLabel("Page title", { exact: true }), "the template's title is the product name").toHaveValue("Live Masterclass");
  // A client-side check names the block: an empty new text block.
  await page.getByLabel("Block type", { exact: true }).selectOption("text");
  await page.getByRole("button", { name: "Add block" }).click();
  await page.getByRole("button", { name: "Save sales page" }).click();
  await expect(page.getByText("Some blocks need attention.")).toBeVisible();
  const blocks = await page.getByRole("list", { name: "Blocks" }).getByRole("listitem").count();
  await page.getByLabel(`Text (block ${blocks})`, { exact: true }).fill("Live sessions every Thursday.");
  await page.getByRole("button", { name: `Move block ${blocks} up` }).click();
  await page.getByLabel("Button label", { exact: true }).fill("Join the class");
  await page.getByRole("button", { name: "Save sales page" }).click();
  await expect(toast(page, "Sales page saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Button label", { exact: true })).toHaveValue("Join the class");
  await expect(page.getByText("Live sessions every Thursday.")).toBeVisible();
  await shoot("22-sales-page-editor");
});

test("delete an unused product; a product in use offers Archive instead", async ({ page, shoot }) => {
  // Live Masterclass has a sales page: it is in use.
  await openProduct(page, "Live Masterclass");
  await page.getByRole("button", { name: "Delete product" }).click();
  const inUse = page.getByRole("dialog", { name: "Delete product?" });
  await inUse.getByRole("button", { name: "Delete" }).click();
  await expect(inUse.getByRole("alert").filter({ hasText: "archive it instead" })).toBeVisible();
  await expect(inUse.getByRole("button", { name: "Archive instead" })).toBeVisible();
  await shoot("34-delete-product-in-use", { mobile: false });
  await inUse.getByRole("button", { name: "Cancel" }).click();
  await expect(inUse).toBeHidden();

  await newProduct(page, "Throwaway", "Created to be deleted.");
  await page.getByRole("button", { name: "Delete product" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete product?" });
  await dialog.getByRole("button", { name: "Delete" }).click();
  await page.waitForURL((u) => u.pathname === "/products");
  await expect(toast(page, "Deleted Throwaway.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Starter Course" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Throwaway" }), "the deleted product is still listed").toHaveCount(0);
  await page.getByRole("switch", { name: "Show archived" }).click();
  await expect(page.getByRole("link", { name: "Old Course" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Throwaway" }), "the deleted product is listed among archived ones").toHaveCount(0);
});
