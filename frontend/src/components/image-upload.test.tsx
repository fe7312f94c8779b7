import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { ImageUploadButton } from "./image-upload";

describe("ImageUploadButton", () => {
  it("uploads the raw file and hands back the public URL", async () => {
    const api = stubApi({
      "POST /api/v1/images": () => json({ id: "img_1", url: "http://x/api/v1/public/apps/app_1/images/img_1", content_type: "image/png", size: 4, created_at: "2026-01-01T00:00:00Z" }, 201),
    });
    const done = vi.fn();
    renderRoute(<ImageUploadButton label="Upload a logo" onUploaded={done} />);
    const user = userEvent.setup();
    await user.upload(screen.getByLabelText("Upload a logo", { selector: "input" }), new File(["\x89PNG"], "logo.png", { type: "image/png" }));
    await waitFor(() => expect(done).toHaveBeenCalledWith("http://x/api/v1/public/apps/app_1/images/img_1"));
    const post = api.calls[0]!;
    expect(post.headers.get("content-type")).toBe("image/png");
    expect(await post.text()).toBe("\x89PNG");
    expect(await screen.findByText("Image uploaded. Save to use it.")).toBeInTheDocument();
  });

  it("says why an image is refused", async () => {
    stubApi({ "POST /api/v1/images": () => problem(422, "validation_failed", "validation failed", [{ field: "body", code: "unsupported_image", message: "must be a PNG, JPEG, GIF, WebP or ICO image" }]) });
    const done = vi.fn();
    renderRoute(<ImageUploadButton label="Upload a logo" onUploaded={done} />);
    // The browser's file picker would not offer an SVG; the server refuses one anyway.
    const user = userEvent.setup({ applyAccept: false });
    await user.upload(screen.getByLabelText("Upload a logo", { selector: "input" }), new File(["<svg/>"], "logo.svg", { type: "image/svg+xml" }));
    expect(await screen.findByRole("button", { name: "Upload a logo" })).toBeEnabled();
    expect(await screen.findByText("The image must be a PNG, JPEG, GIF, WebP or ICO image.")).toBeInTheDocument();
    expect(done).not.toHaveBeenCalled();
  });
});
