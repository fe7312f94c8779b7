import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { api } from "@/api/client";
import { ApiError, unwrap } from "@/api/errors";
import type { CreateProductBody, Media, MediaKind, Product, UpdateProductBody } from "@/api/types";
import { formatBytes } from "@/lib/utils";
import { useCursorList, type CursorPage } from "@/hooks/use-cursor-list";

export const productKeys = {
  all: ["products"] as const,
  list: (includeArchived: boolean) => ["products", "list", { includeArchived }] as const,
  detail: (id: string) => ["products", "detail", id] as const,
  pages: (id: string) => ["products", "pages", id] as const,
  media: (id: string) => ["products", "media", id] as const,
};

export function useProducts(includeArchived = false) {
  return useCursorList(productKeys.list(includeArchived), (cursor) =>
    unwrap(api.GET("/api/v1/products", { params: { query: { include_archived: includeArchived, cursor, limit: 50 } } })),
  );
}

/** All (non-archived) products for pickers and id → name lookups. */
export function useProductOptions() {
  return useQuery({
    queryKey: ["products", "options"],
    queryFn: async () => (await unwrap(api.GET("/api/v1/products", { params: { query: { include_archived: true, limit: 100 } } }))).data,
    staleTime: 30_000,
  });
}

export function useProduct(id: string) {
  return useQuery({ queryKey: productKeys.detail(id), queryFn: () => unwrap(api.GET("/api/v1/products/{id}", { params: { path: { id } } })) });
}

export function useCreateProduct() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateProductBody) => unwrap(api.POST("/api/v1/products", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: productKeys.all }),
  });
}

export function useUpdateProduct(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateProductBody) => unwrap(api.PATCH("/api/v1/products/{id}", { params: { path: { id } }, body })),
    onSuccess: (p) => {
      qc.setQueryData(productKeys.detail(id), p);
      void qc.invalidateQueries({ queryKey: productKeys.all });
    },
  });
}

export function useArchiveProduct(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (archive: boolean) =>
      archive
        ? unwrap(api.POST("/api/v1/products/{id}/archive", { params: { path: { id } } }))
        : unwrap(api.POST("/api/v1/products/{id}/unarchive", { params: { path: { id } } })),
    onSuccess: (p) => {
      qc.setQueryData(productKeys.detail(id), p);
      void qc.invalidateQueries({ queryKey: productKeys.all });
    },
  });
}

/** Deletes a never-used product (204); one in use answers 409 product_in_use ("archive it instead"). */
export function useDeleteProduct(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/products/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      // Drop the deleted product's own queries (detail, pages, media) so nothing refetches a 404, then refresh the lists.
      qc.removeQueries({ queryKey: productKeys.all, predicate: (q) => q.queryKey.includes(id) });
      // Take it out of every cached list at once, so the list never shows it while the refetch runs.
      qc.setQueriesData<InfiniteData<CursorPage<Product>>>({ queryKey: ["products", "list"] }, (old) =>
        old ? { ...old, pages: old.pages.map((p) => ({ ...p, data: p.data.filter((x) => x.id !== id) })) } : old,
      );
      qc.setQueryData<Product[]>(["products", "options"], (old) => old?.filter((x) => x.id !== id));
      void qc.invalidateQueries({ queryKey: productKeys.all });
    },
  });
}

export function usePages(productId: string) {
  return useQuery({
    queryKey: productKeys.pages(productId),
    queryFn: async () => {
      const res = await unwrap(api.GET("/api/v1/products/{id}/pages", { params: { path: { id: productId } } }));
      return [...res.data].sort((a, b) => a.position - b.position || a.created_at.localeCompare(b.created_at));
    },
  });
}

export function usePageMutations(productId: string) {
  const qc = useQueryClient();
  const invalidate = () => qc.invalidateQueries({ queryKey: productKeys.pages(productId) });
  const create = useMutation({
    mutationFn: (body: { title: string; body?: string; position?: number }) =>
      unwrap(api.POST("/api/v1/products/{id}/pages", { params: { path: { id: productId } }, body })),
    onSuccess: invalidate,
  });
  const update = useMutation({
    mutationFn: ({ pageId, ...body }: { pageId: string; title?: string; body?: string; position?: number }) =>
      unwrap(api.PATCH("/api/v1/products/{id}/pages/{page_id}", { params: { path: { id: productId, page_id: pageId } }, body })),
    onSuccess: invalidate,
  });
  const remove = useMutation({
    mutationFn: (pageId: string) => unwrap(api.DELETE("/api/v1/products/{id}/pages/{page_id}", { params: { path: { id: productId, page_id: pageId } } })),
    onSuccess: invalidate,
  });
  return { create, update, remove, invalidate };
}

export const purchaseMethods = [
  { value: "none", label: "Not for sale" },
  { value: "sales_page_then_checkout", label: "Sales page, then checkout" },
  { value: "direct_checkout", label: "Directly to checkout" },
  { value: "external_url", label: "External URL" },
] as const;

export function purchaseMethodLabel(value: string) {
  return purchaseMethods.find((m) => m.value === value)?.label ?? value;
}

export type { MediaKind };
export const mediaKinds: { value: MediaKind; label: string }[] = [
  { value: "video", label: "Video" },
  { value: "audio", label: "Audio" },
  { value: "file", label: "File (download)" },
];

/** The upload kind a file's MIME type suggests: video/* → video, audio/* → audio, anything else → file. */
export function mediaKindOf(type: string): MediaKind {
  const t = type.trim().toLowerCase();
  return t.startsWith("video/") ? "video" : t.startsWith("audio/") ? "audio" : "file";
}

export function useProductMedia(productId: string) {
  return useQuery({
    queryKey: productKeys.media(productId),
    queryFn: async () => (await unwrap(api.GET("/api/v1/products/{id}/media", { params: { path: { id: productId } } }))).data,
  });
}

/**
 * Uploads one file: the body is the raw bytes with the file's own Content-Type (not multipart), through the
 * admin client, so the 401 refresh applies. The server's size limit answers 413, sometimes as plain text.
 */
export function useUploadMedia(productId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ file, kind }: { file: File; kind: MediaKind }) => {
      try {
        return await unwrap(
          api.POST("/api/v1/products/{id}/media", {
            params: { path: { id: productId }, query: { kind, filename: file.name } },
            // The document types the raw body as number[] (Vec<u8>); the File itself is sent as-is.
            body: file as unknown as number[],
            bodySerializer: (b) => b,
            headers: { "Content-Type": file.type || "application/octet-stream" },
          }),
        );
      } catch (e) {
        if (e instanceof ApiError && e.status === 413) {
          throw new ApiError({ ...e.problem, code: "payload_too_large", detail: `${file.name} (${formatBytes(file.size)}) is larger than the server accepts.` });
        }
        throw e;
      }
    },
    onSuccess: (m) => {
      qc.setQueryData<Media[]>(productKeys.media(productId), (list) => (list ? [...list.filter((x) => x.id !== m.id), m] : list));
      void qc.invalidateQueries({ queryKey: productKeys.media(productId) });
    },
  });
}

/** Renames a file or places it in a lesson (null: back to the product's general media). */
export function useUpdateMedia(productId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ mediaId, ...body }: { mediaId: string; filename?: string; page_id?: string | null }) =>
      unwrap(api.PATCH("/api/v1/products/{id}/media/{media_id}", { params: { path: { id: productId, media_id: mediaId } }, body })),
    onSuccess: (m) => qc.setQueryData<Media[]>(productKeys.media(productId), (list) => list?.map((x) => (x.id === m.id ? m : x))),
  });
}

/** Deletes a hosted file; members lose it at once. */
export function useDeleteMedia(productId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (mediaId: string) => unwrap(api.DELETE("/api/v1/products/{id}/media/{media_id}", { params: { path: { id: productId, media_id: mediaId } } })),
    onSuccess: (_, mediaId) => {
      qc.setQueryData<Media[]>(productKeys.media(productId), (list) => list?.filter((x) => x.id !== mediaId));
      void qc.invalidateQueries({ queryKey: productKeys.media(productId) });
    },
  });
}

/** The server's rendering of Markdown (the one members will see), refreshed after a pause in typing. */
export function useMarkdownPreview(markdown: string, delay = 300) {
  const [debounced, setDebounced] = useState(markdown);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(markdown), delay);
    return () => clearTimeout(t);
  }, [markdown, delay]);
  return useQuery({
    queryKey: ["markdown-preview", debounced],
    queryFn: async () => (await unwrap(api.POST("/api/v1/markdown/preview", { body: { markdown: debounced } }))).html,
    enabled: debounced.trim() !== "",
    placeholderData: (prev) => prev,
    staleTime: Infinity,
  });
}

export const saleProblemsQuery = {
  queryKey: ["products", "sale-problems"] as const,
  queryFn: async () => (await unwrap(api.GET("/api/v1/products/sale-problems"))).data,
};

/** Products whose purchase method cannot sell them yet, by product id. */
export function useSaleProblems() {
  const q = useQuery(saleProblemsQuery);
  return new Map((q.data ?? []).map((p) => [p.product_id, p]));
}
