import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { SalesPageTab, validateSalesPage } from "./sales-page-editor";

const page = {
  product_id: "p1",
  title: "Course",
  cta_label: "Get access",
  template: "classic",
  updated_at: "2026-01-01T00:00:00Z",
  blocks: [
    { type: "heading", text: "Course" },
    { type: "text", text: "Learn it all." },
    { type: "bullets", items: ["Instant access", "Cancel any time"] },
    { type: "cta", label: "Get access" },
  ],
};
const options = () => json({ data: [{ id: "p1", name: "Course" }, { id: "p2", name: "Other" }], has_more: false, next_cursor: null });

describe("SalesPageTab", () => {
  it("creates a page from a template or duplicates another product's", async () => {
    const api = stubApi({
      "GET /api/v1/products/p1/sales-page": () => new Response(null, { status: 204 }),
      "GET /api/v1/products": options,
      "POST /api/v1/products/p1/sales-page/create-from": async (req) => {
        const body = await req.json();
        return body.from_product_id ? problem(404, "not_found", "sales page not found") : json(page);
      },
    });
    renderRoute(<SalesPageTab productId="p1" appId="app_1" />);
    const user = userEvent.setup();
    expect(await screen.findByText("No sales page yet")).toBeInTheDocument();
    await screen.findByRole("option", { name: "Other" });
    await user.selectOptions(screen.getByLabelText("Duplicate from"), "p2");
    await user.click(screen.getByRole("button", { name: "Duplicate" }));
    expect(await screen.findByText("That product has no sales page to copy.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Use Classic" }));
    expect(await screen.findByLabelText("Page title")).toHaveValue("Course");
    const posts = api.calls.filter((c) => c.method === "POST");
    expect(await posts[0]!.json()).toEqual({ from_product_id: "p2" });
    expect(await posts[1]!.json()).toEqual({ template: "classic" });
  });

  it("adds, reorders and removes blocks, then saves them in order", async () => {
    const api = stubApi({
      "GET /api/v1/products/p1/sales-page": () => json(page),
      "GET /api/v1/products": options,
      "PUT /api/v1/products/p1/sales-page": async (req) => json({ ...page, ...(await req.json()), updated_at: "2026-01-02T00:00:00Z" }),
    });
    renderRoute(<SalesPageTab productId="p1" appId="app_1" />);
    const user = userEvent.setup();
    await screen.findByLabelText("Page title");
    await user.click(screen.getByRole("button", { name: "Remove block 2" }));
    await user.click(screen.getByRole("button", { name: "Move block 3 up" })); // cta above bullets
    await user.selectOptions(screen.getByLabelText("Block type"), "image");
    await user.click(screen.getByRole("button", { name: "Add block" }));
    await user.type(screen.getByLabelText("Image URL (block 4)"), "https://img.example.com/a.png");
    await user.click(screen.getByRole("button", { name: "Save sales page" }));
    await waitFor(() => expect(api.calls.some((c) => c.method === "PUT")).toBe(true));
    expect(await api.calls.find((c) => c.method === "PUT")!.json()).toEqual({
      title: "Course",
      cta_label: "Get access",
      blocks: [
        { type: "heading", text: "Course" },
        { type: "cta", label: "Get access" },
        { type: "bullets", items: ["Instant access", "Cancel any time"] },
        { type: "image", url: "https://img.example.com/a.png", alt: "" },
      ],
    });
  });

  it("shows API field errors like blocks[2].url next to that block", async () => {
    stubApi({
      "GET /api/v1/products/p1/sales-page": () => json({ ...page, blocks: [...page.blocks.slice(0, 2), { type: "video", url: "https://video.example.com/v" }] }),
      "GET /api/v1/products": options,
      "PUT /api/v1/products/p1/sales-page": () =>
        problem(422, "validation_failed", "1 field(s) are invalid: blocks[2].url", [{ field: "blocks[2].url", code: "invalid_url", message: "must be an http(s) URL" }]),
    });
    renderRoute(<SalesPageTab productId="p1" appId="app_1" />);
    const user = userEvent.setup();
    await screen.findByLabelText("Page title");
    await user.click(screen.getByRole("button", { name: "Save sales page" }));
    const block = await screen.findByRole("listitem", { name: "Block 3: Video" });
    expect(await within(block).findByText("must be an http(s) URL")).toBeInTheDocument();
    expect(within(block).getByLabelText("Video URL (block 3)")).toHaveAttribute("aria-invalid", "true");
  });

  it("validates blocks with the API's field paths", () => {
    const e = validateSalesPage("", "Buy", [{ type: "heading", text: "" }, { type: "image", url: "nope", alt: "" }, { type: "bullets", items: ["a", ""] }]);
    expect(Object.keys(e)).toEqual(["title", "blocks[0].text", "blocks[1].url", "blocks[2].items[1]"]);
  });
});
