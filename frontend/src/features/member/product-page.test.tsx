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
  media: [
    { id: "med_1", product_id: "p1", kind: "audio", filename: "intro.mp3", content_type: "audio/mpeg", size: 2048, page_id: null, created_at: "2026-01-01T00:00:00Z" },
    { id: "med_2", product_id: "p1", kind: "video", filename: "week2.mp4", content_type: "video/mp4", size: 4096, page_id: "pg2", created_at: "2026-01-01T00:00:00Z" },
  ],
  pages: [
    { id: "pg1", title: "Welcome", body: "**Hello** [docs](https://docs.example.com)", body_html: '<p><strong>Hello</strong> <a href="https://docs.example.com" target="_blank" rel="noopener noreferrer nofollow">docs</a></p>', position: 0, completed: false },
    { id: "pg2", title: "Lesson", body: "", body_html: "", position: 1, completed: false },
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

  it("shows one lesson at a time, its Markdown rendered, with previous / next and its own media", async () => {
    stubApi({ "GET /api/v1/member/products/p1": () => json(product) });
    const path = "/member/products/:id/lessons?/:lessonId?";
    renderRoute(<MemberProductPage />, { path, url: "/member/products/p1" });
    expect(await screen.findByRole("heading", { name: "Welcome", level: 2 })).toBeInTheDocument();
    expect(screen.getByText("Hello").tagName).toBe("STRONG");
    expect(screen.getByRole("link", { name: "docs" })).toHaveAttribute("target", "_blank");
    expect(screen.getByText("Lesson 1 of 2")).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: /Previous/ })).toBeNull();
    // The lesson list marks where the member is.
    expect(screen.getByRole("link", { name: "1. Welcome" })).toHaveAttribute("aria-current", "page");
    // General media in the side list; a lesson's media only inside its lesson.
    expect(screen.getByText("intro.mp3")).toBeInTheDocument();
    expect(screen.queryByText("week2.mp4")).toBeNull();
    await userEvent.setup().click(screen.getByRole("link", { name: "Next: Lesson" }));
    expect(await screen.findByRole("heading", { name: "Lesson", level: 2 })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Previous: Welcome" })).toHaveAttribute("href", "/member/products/p1/lessons/pg1");
    expect(screen.queryByRole("link", { name: /Next/ })).toBeNull();
    expect(screen.getByRole("list", { name: "Lesson media" })).toHaveTextContent("week2.mp4");
    expect(screen.getByRole("button", { name: "Play week2.mp4" })).toBeInTheDocument();
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
