import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/api/client";
import { ApiError, unwrap } from "@/api/errors";
import type { ImportPreview, ImportRow, ImportRowOutcome, MemberImport } from "@/api/types";
import { useCursorList } from "@/hooks/use-cursor-list";
import { formatBytes } from "@/lib/utils";
import { memberKeys } from "../api";

export type { ImportPreview, ImportRow, MemberImport };
export type ImportOutcome = ImportRowOutcome;

export const importKeys = {
  detail: (id: string) => ["users", "imports", id] as const,
  rows: (id: string, outcome?: ImportOutcome) => ["users", "imports", id, "rows", outcome ?? "all"] as const,
};

/** Uploads the file (raw CSV bytes) and answers the preview; nothing is imported yet. */
export function useUploadImport() {
  return useMutation({
    mutationFn: async (file: File) => {
      try {
        return await unwrap(
          api.POST("/api/v1/users/imports", {
            // The document types the body as text; the File itself is sent as-is.
            body: file as unknown as string,
            bodySerializer: (b) => b,
            headers: { "Content-Type": "text/csv" },
          }),
        );
      } catch (e) {
        if (e instanceof ApiError && e.status === 413) {
          throw new ApiError({ ...e.problem, code: "payload_too_large", detail: `${file.name} (${formatBytes(file.size)}) is larger than the 20 MiB a members file may be.` });
        }
        throw e;
      }
    },
  });
}

export function useRunImport(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (invite: boolean) => unwrap(api.POST("/api/v1/users/imports/{id}/run", { params: { path: { id }, query: { invite } } })),
    onSuccess: (imp) => qc.setQueryData(importKeys.detail(id), imp),
  });
}

/** The import, polled every second while it runs. */
export function useImport(id: string | undefined) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: importKeys.detail(id ?? ""),
    enabled: !!id,
    queryFn: async () => {
      const imp = await unwrap(api.GET("/api/v1/users/imports/{id}", { params: { path: { id: id! } } }));
      if (imp.status === "done" || imp.status === "failed") void qc.invalidateQueries({ queryKey: ["users", "list"] });
      return imp;
    },
    refetchInterval: (q) => (q.state.data?.status === "running" ? 1000 : false),
  });
}

/** The report: the import's rows in file order, optionally of one outcome. */
export function useImportRows(id: string, outcome: ImportOutcome | undefined, enabled: boolean) {
  return useCursorList(
    importKeys.rows(id, outcome),
    (cursor) => unwrap(api.GET("/api/v1/users/imports/{id}/rows", { params: { path: { id }, query: { outcome, cursor, limit: 100 } } })),
    { enabled },
  );
}

export { memberKeys };
