import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Media, MediaKind } from "@/api/types";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { mediaKindOf } from "./api";
import { ProductMediaTab } from "./product-media-tab";

const existing: Media = { id: "med_1", product_id: "p1", kind: "video", filename: "intro.mp4", content_type: "video/mp4", size: 4096, created_at: "2026-01-01T00:00:00Z" };

describe("mediaKindOf", () => {
  it("defaults the kind from the MIME type", () => {
    expect(mediaKindOf("video/mp4")).toBe("video");
    expect(mediaKindOf("audio/mpeg")).toBe("audio");
    expect(mediaKindOf("Audio/Ogg")).toBe("audio");
    expect(mediaKindOf("application/pdf")).toBe("file");
    expect(mediaKindOf("")).toBe("file");
  });
});

describe("ProductMediaTab", () => {
  it("uploads the raw bytes with the file's type, the kind from its MIME type, and lists the new item", async () => {
    let list: Media[] = [existing];
    const api = stubApi({
      "GET /api/v1/products/p1/media": () => json({ data: list }),
      "POST /api/v1/products/p1/media": async (req) => {
        const url = new URL(req.url);
        const m = {
          id: "med_2",
          product_id: "p1",
          kind: (url.searchParams.get("kind") ?? "") as MediaKind,
          filename: url.searchParams.get("filename") ?? "",
          content_type: req.headers.get("content-type") ?? "",
          size: (await req.arrayBuffer()).byteLength,
          created_at: "2026-01-02T00:00:00Z",
        };
        list = [...list, m];
        return json(m, 201);
      },
    });
    renderRoute(<ProductMediaTab productId="p1" />);
    const user = userEvent.setup();
    expect(await screen.findByText("intro.mp4")).toBeInTheDocument();

    await user.upload(screen.getByLabelText("File"), new File(["ID3 audio"], "episode 1.mp3", { type: "audio/mpeg" }));
    expect(screen.getByLabelText("Kind")).toHaveValue("audio");
    await user.upload(screen.getByLabelText("File"), new File(["%PDF-1.4 test"], "guide.pdf", { type: "application/pdf" }));
    expect(screen.getByLabelText("Kind")).toHaveValue("file");
    await user.click(screen.getByRole("button", { name: "Upload" }));

    const media = screen.getByRole("list", { name: "Media files" });
    expect(await within(media).findByText("guide.pdf")).toBeInTheDocument();
    expect(await screen.findByText("Uploaded guide.pdf.")).toBeInTheDocument();
    const post = api.calls.find((c) => c.method === "POST")!;
    const url = new URL(post.url);
    expect(url.searchParams.get("kind")).toBe("file");
    expect(url.searchParams.get("filename")).toBe("guide.pdf");
    expect(post.headers.get("content-type")).toBe("application/pdf");
    expect(await post.text()).toBe("%PDF-1.4 test");
  });

  it("lets the admin change the kind, and asks for a file first", async () => {
    let finish = () => {};
    const held = new Promise<void>((resolve) => (finish = resolve));
    const api = stubApi({
      "GET /api/v1/products/p1/media": () => json({ data: [] }),
      "POST /api/v1/products/p1/media": async (req) => {
        await held;
        return json({ ...existing, id: "med_3", kind: new URL(req.url).searchParams.get("kind"), filename: "clip.mp4" }, 201);
      },
    });
    renderRoute(<ProductMediaTab productId="p1" />);
    const user = userEvent.setup();
    expect(await screen.findByText("No media yet")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Upload" }));
    expect(screen.getByText("Choose a file to upload.")).toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await user.upload(screen.getByLabelText("File"), new File(["x"], "clip.mp4", { type: "video/mp4" }));
    expect(screen.getByLabelText("Kind")).toHaveValue("video");
    await user.selectOptions(screen.getByLabelText("Kind"), "file");
    await user.click(screen.getByRole("button", { name: "Upload" }));
    expect(await screen.findByRole("progressbar", { name: "Uploading clip.mp4" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Upload" })).toBeDisabled();
    finish();
    await waitFor(() => expect(screen.queryByRole("progressbar")).not.toBeInTheDocument());
    expect(new URL(api.calls.find((c) => c.method === "POST")!.url).searchParams.get("kind")).toBe("file");
  });

  it("shows 413 (even as plain text) and 422 field problems", async () => {
    let answer = () => new Response("payload reached size limit", { status: 413, headers: { "Content-Type": "text/plain" } });
    stubApi({
      "GET /api/v1/products/p1/media": () => json({ data: [] }),
      "POST /api/v1/products/p1/media": () => answer(),
    });
    renderRoute(<ProductMediaTab productId="p1" />);
    const user = userEvent.setup();
    await screen.findByText("No media yet");
    await user.upload(screen.getByLabelText("File"), new File(["big"], "big.mov", { type: "video/quicktime" }));
    await user.click(screen.getByRole("button", { name: "Upload" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("big.mov (3 B) is larger than the server accepts.");

    answer = () =>
      problem(422, "validation_failed", "2 field(s) are invalid", [
        { field: "filename", code: "invalid_characters", message: "must be a file name, not a path" },
        { field: "kind", code: "invalid_choice", message: "must be video, audio or file" },
      ]);
    await user.click(screen.getByRole("button", { name: "Upload" }));
    expect(await screen.findByText("must be a file name, not a path")).toBeInTheDocument();
    expect(screen.getByText("must be video, audio or file")).toBeInTheDocument();
    expect(screen.getByLabelText("File")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Kind")).toHaveAttribute("aria-invalid", "true");
  });
  it("renames a file and deletes one after confirming", async () => {
    let list: Media[] = [existing, { ...existing, id: "med_2", filename: "old.pdf", kind: "file", content_type: "application/pdf" }];
    const api = stubApi({
      "GET /api/v1/products/p1/media": () => json({ data: list }),
      "GET /api/v1/products/p1/pages": () => json({ data: [] }),
      "PATCH /api/v1/products/p1/media/med_1": async (req) => {
        const body = (await req.json()) as { filename: string };
        list = list.map((m) => (m.id === "med_1" ? { ...m, filename: body.filename } : m));
        return json(list[0]);
      },
      "DELETE /api/v1/products/p1/media/med_2": () => {
        list = list.filter((m) => m.id !== "med_2");
        return new Response(null, { status: 204 });
      },
    });
    renderRoute(<ProductMediaTab productId="p1" />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Rename intro.mp4" }));
    const rename = screen.getByRole("dialog", { name: "Rename intro.mp4" });
    const name = within(rename).getByLabelText("File name");
    await user.clear(name);
    await user.click(within(rename).getByRole("button", { name: "Save name" }));
    expect(await within(rename).findByText("Enter a file name.")).toBeInTheDocument();
    await user.type(name, "Welcome.mp4");
    await user.click(within(rename).getByRole("button", { name: "Save name" }));
    const media = screen.getByRole("list", { name: "Media files" });
    expect(await within(media).findByText("Welcome.mp4")).toBeInTheDocument();
    expect(await api.calls.find((c) => c.method === "PATCH")!.json()).toEqual({ filename: "Welcome.mp4" });

    await user.click(screen.getByRole("button", { name: "Delete old.pdf" }));
    const confirm = screen.getByRole("dialog", { name: "Delete old.pdf?" });
    expect(api.calls.some((c) => c.method === "DELETE")).toBe(false);
    await user.click(within(confirm).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(within(media).queryByText("old.pdf")).not.toBeInTheDocument());
    expect(await screen.findByText("Deleted old.pdf.")).toBeInTheDocument();
  });
});
