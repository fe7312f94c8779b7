import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { MemberProductPage } from "./product-page";

const product = {
  product_id: "p1",
  name: "Course",
  description: "Learn it.",
  image_url: null,
  completed_pages: 0,
  total_pages: 2,
  media: [{ id: "med_1", product_id: "p1", kind: "audio", filename: "intro.mp3", content_type: "audio/mpeg", size: 2048, created_at: "2026-01-01T00:00:00Z" }],
  pages: [
    { id: "pg1", title: "Welcome", body: "Hello", position: 0, completed: false },
    { id: "pg2", title: "Lesson", body: "", position: 1, completed: false },
  ],
};

describe("MemberProductPage", () => {
  it("ticks a page and updates the progress", async () => {
    const api = stubApi({
      "GET /api/v1/member/products/p1": () => json(product),
      "POST /api/v1/member/products/p1/pages/pg1/complete": () => json({ completed_pages: 1, total_pages: 2 }),
      "GET /api/v1/member/library": () => json({ data: [] }),
    });
    renderRoute(<MemberProductPage />, { path: "/member/products/:id", url: "/member/products/p1" });
    const user = userEvent.setup();
    expect(await screen.findByText("0/2 lessons completed")).toBeInTheDocument();
    expect(screen.getByText("intro.mp3")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Mark complete: Welcome" }));
    expect(await screen.findByText("1/2 lessons completed")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Completed: Welcome" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("progressbar", { name: "Product progress" })).toHaveAttribute("aria-valuenow", "1");
    await waitFor(() => expect(api.calls.some((c) => c.method === "POST")).toBe(true));
  });

  it("shows the locked state with the purchase target on 403 no_access", async () => {
    stubApi({
      "GET /api/v1/member/products/p1": () => problem(403, "no_access", "you do not have access to this product"),
      "GET /api/v1/member/library": () =>
        json({
          data: [
            {
              product_id: "p1",
              name: "Course",
              description: "",
              has_access: false,
              locked: true,
              completed_pages: 0,
              total_pages: 2,
              purchase_target: { kind: "external_url", url: "https://shop.example.com/course" },
            },
          ],
        }),
    });
    renderRoute(<MemberProductPage />, { path: "/member/products/:id", url: "/member/products/p1" });
    expect(await screen.findByText("You do not have access to this product yet.")).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "Course (locked)" })).toHaveAttribute("href", "https://shop.example.com/course");
  });
});
