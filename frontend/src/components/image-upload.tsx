import { useRef } from "react";
import { useMutation } from "@tanstack/react-query";
import { ImageUp } from "lucide-react";
import { api } from "@/api/client";
import { ApiError, errorMessage, unwrap } from "@/api/errors";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

/** Image types the server takes (it checks the bytes; SVG is refused: it can carry script). */
const ACCEPT = "image/png,image/jpeg,image/gif,image/webp,image/x-icon,.ico";

/**
 * A button that uploads an image as a public image and hands back its URL
 * (for a logo, a favicon or a product's image field).
 */
export function ImageUploadButton({ label, onUploaded, disabled }: { label: string; onUploaded: (url: string) => void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const toast = useToast();
  const upload = useMutation({
    mutationFn: async (file: File) => {
      try {
        return await unwrap(
          api.POST("/api/v1/images", {
            // The document types the raw body as number[] (Vec<u8>); the File itself is sent as-is.
            body: file as unknown as number[],
            bodySerializer: (b) => b,
            headers: { "Content-Type": file.type || "application/octet-stream" },
          }),
        );
      } catch (e) {
        if (e instanceof ApiError && e.status === 413) throw new ApiError({ ...e.problem, code: "payload_too_large", detail: `${file.name} is larger than 2 MB.` });
        throw e;
      }
    },
    onSuccess: (img) => {
      onUploaded(img.url);
      toast("Image uploaded. Save to use it.");
    },
    // The server names what is wrong with the image (empty, not an image it takes): say that.
    onError: (e) => {
      const field = e instanceof ApiError ? e.problem.errors?.[0]?.message : undefined;
      toast(field ? `The image ${field}.` : errorMessage(e), "error");
    },
  });
  return (
    <>
      <input
        ref={input}
        type="file"
        accept={ACCEPT}
        // Out of the page (display: none); the button opens it.
        className="hidden"
        tabIndex={-1}
        aria-label={label}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file) upload.mutate(file);
        }}
      />
      <Button type="button" variant="outline" className="shrink-0" disabled={disabled} loading={upload.isPending} onClick={() => input.current?.click()} aria-label={label}>
        <ImageUp className="size-4" aria-hidden />
        Upload
      </Button>
    </>
  );
}
