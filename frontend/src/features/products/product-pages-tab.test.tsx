import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, renderRoute, stubApi } from "@/test/utils";
import { ProductPagesTab } from "./product-pages-tab";

const page = (id: string, title: string, position: number, created: string) => ({
  id,
  product_id: "p1",
  title,
  body: "",
  position,
  created_at: created,
  updated_at: created,
});

describe("ProductPagesTab", () => {
  it("shows the empty state", async () => {
    stubApi({ "GET /api/v1/products/p1/pages": () => json({ data: [] }) });
    renderRoute(<ProductPagesTab productId="p1" />);
    expect(await screen.findByText("No pages yet")).toBeInTheDocument();
  });

  it("reorders by renumbering every page, even when positions tie", async () => {
    let pages = [page("a", "Intro", 0, "2026-01-01T00:00:00Z"), page("b", "Lesson", 0, "2026-01-02T00:00:00Z"), page("c", "Outro", 5, "2026-01-03T00:00:00Z")];
    const patches: { id: string; position: number }[] = [];
    stubApi({
      "GET /api/v1/products/p1/pages": () => json({ data: pages }),
      "PATCH /api/v1/products/p1/pages/a": async (req) => {
        const { position } = await req.json();
        patches.push({ id: "a", position });
        pages = pages.map((p) => (p.id === "a" ? { ...p, position } : p));
        return json(pages.find((p) => p.id === "a"));
      },
      "PATCH /api/v1/products/p1/pages/b": async (req) => {
        const { position } = await req.json();
        patches.push({ id: "b", position });
        pages = pages.map((p) => (p.id === "b" ? { ...p, position } : p));
        return json(pages.find((p) => p.id === "b"));
      },
      "PATCH /api/v1/products/p1/pages/c": async (req) => {
        const { position } = await req.json();
        patches.push({ id: "c", position });
        pages = pages.map((p) => (p.id === "c" ? { ...p, position } : p));
        return json(pages.find((p) => p.id === "c"));
      },
    });
    renderRoute(<ProductPagesTab productId="p1" />);
    await userEvent.click(await screen.findByRole("button", { name: "Move Lesson up" }));
    await waitFor(() => expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual([expect.stringContaining("Lesson"), expect.stringContaining("Intro"), expect.stringContaining("Outro")]));
    expect(patches).toEqual([
      { id: "a", position: 1 },
      { id: "c", position: 2 },
    ]);
  });
});
