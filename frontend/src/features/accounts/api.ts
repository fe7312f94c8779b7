import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { AccountSettings, AddSeatBody } from "@/api/types";
import { useCursorList } from "@/hooks/use-cursor-list";

export const accountKeys = {
  all: ["accounts"] as const,
  settings: ["accounts", "settings"] as const,
  list: ["accounts", "list"] as const,
  detail: (id: string) => ["accounts", "detail", id] as const,
  ofUser: (userId: string) => ["accounts", "of-user", userId] as const,
};

/** Whether Stripe customers are people (`users`) or companies (`accounts`). */
export function useAccountSettings(enabled = true) {
  return useQuery({ queryKey: accountKeys.settings, queryFn: () => unwrap(api.GET("/api/v1/accounts/settings")), enabled });
}

export function useSaveAccountSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AccountSettings) => unwrap(api.PUT("/api/v1/accounts/settings", { body })),
    onSuccess: (s) => qc.setQueryData(accountKeys.settings, s),
  });
}

export function useAccounts() {
  return useCursorList(accountKeys.list, (cursor) => unwrap(api.GET("/api/v1/accounts", { params: { query: { cursor, limit: 50 } } })));
}

export function useAccount(id: string) {
  return useQuery({ queryKey: accountKeys.detail(id), queryFn: () => unwrap(api.GET("/api/v1/accounts/{id}", { params: { path: { id } } })) });
}

/** The account a member sits in, with their role (`account` null when none). */
export function useUserAccount(userId: string) {
  return useQuery({ queryKey: accountKeys.ofUser(userId), queryFn: () => unwrap(api.GET("/api/v1/users/{id}/account", { params: { path: { id: userId } } })) });
}

/** Seating and unseating teammates; the account, the list and members' pages refresh. */
export function useSeatMutations(accountId: string) {
  const qc = useQueryClient();
  const invalidate = () => {
    void qc.invalidateQueries({ queryKey: accountKeys.all });
    void qc.invalidateQueries({ queryKey: ["users"] });
  };
  const add = useMutation({
    mutationFn: (body: AddSeatBody) => unwrap(api.POST("/api/v1/accounts/{id}/seats", { params: { path: { id: accountId } }, body })),
    onSuccess: invalidate,
  });
  const remove = useMutation({
    mutationFn: (userId: string) => unwrap(api.DELETE("/api/v1/accounts/{id}/seats/{user_id}", { params: { path: { id: accountId, user_id: userId } } })),
    onSuccess: invalidate,
  });
  return { add, remove };
}
