import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { CreateUserBody, GrantAccessBody } from "@/api/types";
import { useCursorList } from "@/hooks/use-cursor-list";
import { filterQuery, type MemberFilterValues } from "./member-filters";

export const memberKeys = {
  all: ["users"] as const,
  list: (q: string, f: MemberFilters = {}) => ["users", "list", { q, ...f }] as const,
  detail: (id: string) => ["users", "detail", id] as const,
  grants: (id: string) => ["users", "grants", id] as const,
};

/** The members list's filters beside the search (kept in the URL by the page). */
export type MemberFilters = MemberFilterValues;

/** Members matching the search and filters; the first page also counts every match. */
export function useMembers(q: string, f: MemberFilters = {}) {
  return useCursorList(memberKeys.list(q, f), (cursor) =>
    unwrap(
      api.GET("/api/v1/users", {
        params: { query: { q: q || undefined, ...filterQuery(f), cursor, limit: 50, include_total: cursor ? undefined : true } },
      }),
    ),
  );
}

export function useMember(id: string) {
  return useQuery({ queryKey: memberKeys.detail(id), queryFn: () => unwrap(api.GET("/api/v1/users/{id}", { params: { path: { id } } })) });
}

export function useCreateMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserBody) => unwrap(api.POST("/api/v1/users", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: memberKeys.all }),
  });
}

export function useUpdateMember(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email?: string; name?: string | null }) => unwrap(api.PATCH("/api/v1/users/{id}", { params: { path: { id } }, body })),
    onSuccess: (u) => {
      qc.setQueryData(memberKeys.detail(id), u);
      void qc.invalidateQueries({ queryKey: ["users", "list"] });
    },
  });
}

export function useGrants(userId: string) {
  return useCursorList(memberKeys.grants(userId), (cursor) =>
    unwrap(api.GET("/api/v1/users/{id}/access", { params: { path: { id: userId }, query: { cursor, limit: 100 } } })),
  );
}

export function useGrantMutations(userId: string) {
  const qc = useQueryClient();
  const invalidate = () => {
    void qc.invalidateQueries({ queryKey: memberKeys.grants(userId) });
    void qc.invalidateQueries({ queryKey: ["activities"] });
  };
  const grant = useMutation({
    mutationFn: (body: GrantAccessBody) => unwrap(api.POST("/api/v1/users/{id}/access", { params: { path: { id: userId } }, body })),
    onSuccess: invalidate,
  });
  const revoke = useMutation({
    mutationFn: ({ grantId, reason }: { grantId: string; reason?: string | null }) =>
      unwrap(api.POST("/api/v1/users/{id}/access/{grant_id}/revoke", { params: { path: { id: userId, grant_id: grantId } }, body: { reason } })),
    onSuccess: invalidate,
  });
  return { grant, revoke };
}

/** The first 100 members, for filters and id → name lookups. */
export function useMemberOptions() {
  return useQuery({
    queryKey: ["users", "options"],
    queryFn: async () => (await unwrap(api.GET("/api/v1/users", { params: { query: { limit: 100 } } }))).data,
    staleTime: 30_000,
  });
}
