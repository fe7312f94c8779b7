import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { components } from "@/api/schema";

export type Segment = components["schemas"]["SegmentResponse"];
export type MemberFilter = components["schemas"]["MemberFilterDto"];
export type BulkAction = components["schemas"]["BulkAction"];

export const segmentKeys = { all: ["segments"] as const };

export function useSegments() {
  return useQuery({ queryKey: segmentKeys.all, queryFn: async () => (await unwrap(api.GET("/api/v1/segments"))).data, staleTime: 10_000 });
}

export function useSaveSegment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { name: string; filter: MemberFilter }) => unwrap(api.POST("/api/v1/segments", { body: b })),
    onSuccess: () => qc.invalidateQueries({ queryKey: segmentKeys.all }),
  });
}

export function useDeleteSegment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/segments/{id}", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: segmentKeys.all }),
  });
}

export function useBulk() {
  return useMutation({
    mutationFn: (b: { action: BulkAction; filter?: MemberFilter; segment_id?: string; user_ids?: string[] }) => unwrap(api.POST("/api/v1/users/bulk", { body: b })),
  });
}

export function useJob(id: string | null) {
  return useQuery({
    queryKey: ["jobs", id],
    enabled: !!id,
    queryFn: () => unwrap(api.GET("/api/v1/jobs/{id}", { params: { path: { id: id! } } })),
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "succeeded" || q.state.data.status === "dead") ? false : 1000),
  });
}
