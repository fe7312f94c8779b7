import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { Automation, AutomationRun, CreateAutomationBody, EmailTemplate, PreviewBody, TemplateBody, UpdateAutomationBody } from "@/api/types";
import { useCursorList, type CursorPage } from "@/hooks/use-cursor-list";

export const automationKeys = {
  all: ["automations"] as const,
  list: ["automations", "list"] as const,
  detail: (id: string) => ["automations", "detail", id] as const,
  runs: (automationId: string) => ["automations", "runs", automationId] as const,
  reference: ["automations", "template-reference"] as const,
  templates: ["automations", "templates"] as const,
  template: (id: string) => ["automations", "template", id] as const,
  standardEndpoints: ["automations", "standard-endpoints"] as const,
};

export function useAutomations() {
  return useCursorList(automationKeys.list, (cursor) => unwrap(api.GET("/api/v1/automations", { params: { query: { cursor, limit: 50 } } })));
}

export function useAutomation(id: string) {
  return useQuery({ queryKey: automationKeys.detail(id), queryFn: () => unwrap(api.GET("/api/v1/automations/{id}", { params: { path: { id } } })) });
}

function useStore() {
  const qc = useQueryClient();
  return (a: Automation) => {
    qc.setQueryData(automationKeys.detail(a.id), a);
    void qc.invalidateQueries({ queryKey: automationKeys.list });
  };
}

export function useCreateAutomation() {
  const store = useStore();
  return useMutation({ mutationFn: (body: CreateAutomationBody) => unwrap(api.POST("/api/v1/automations", { body })), onSuccess: store });
}

export function useUpdateAutomation() {
  const store = useStore();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateAutomationBody }) => unwrap(api.PATCH("/api/v1/automations/{id}", { params: { path: { id } }, body })),
    onSuccess: store,
  });
}

export function useDeleteAutomation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/automations/{id}", { params: { path: { id } } })),
    onSuccess: (_, id) => {
      qc.removeQueries({ queryKey: automationKeys.detail(id) });
      qc.removeQueries({ queryKey: automationKeys.runs(id) });
      void qc.invalidateQueries({ queryKey: automationKeys.list });
    },
  });
}

export function useDryRun(id: string) {
  return useMutation({
    mutationFn: (userId: string) => unwrap(api.POST("/api/v1/automations/{id}/dry-run", { params: { path: { id } }, body: { user_id: userId } })),
  });
}

/** Every 2 s while a run's next step is queued, every 10 s while runs only wait, else not at all. */
export function runPollInterval(runs: readonly AutomationRun[] | undefined): number | false {
  if (runs?.some((r) => r.status === "running")) return 2000;
  if (runs?.some((r) => r.status === "waiting")) return 10_000;
  return false;
}

/** An automation's runs, newest first, cursor-paginated, refetched while any is open. */
export function useRuns(automationId: string) {
  const q = useInfiniteQuery({
    queryKey: automationKeys.runs(automationId),
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/v1/automation-runs", { params: { query: { automation_id: automationId, cursor: pageParam, limit: 20 } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: CursorPage<AutomationRun>) => (last.has_more && last.next_cursor ? last.next_cursor : undefined),
    refetchInterval: (q) => runPollInterval(q.state.data?.pages.flatMap((p) => p.data)),
  });
  return {
    data: q.data?.pages.flatMap((p) => p.data),
    isPending: q.isPending,
    isError: q.isError,
    error: q.error,
    refetch: q.refetch,
    isFetching: q.isFetching,
    hasNextPage: q.hasNextPage,
    fetchNextPage: q.fetchNextPage,
    isFetchingNextPage: q.isFetchingNextPage,
  };
}

export function useRetryRun(automationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (runId: string) => unwrap(api.POST("/api/v1/automation-runs/{id}/retry", { params: { path: { id: runId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: automationKeys.runs(automationId) }),
  });
}

/** The template variables and the built-in templates; they change only with a server upgrade. */
export function useTemplateReference() {
  return useQuery({
    queryKey: automationKeys.reference,
    queryFn: () => unwrap(api.GET("/api/v1/email-templates/reference")),
    staleTime: Infinity,
  });
}

/** The app's own templates (first 100: enough for pickers). */
export function useTemplates() {
  return useQuery({
    queryKey: automationKeys.templates,
    queryFn: async () => (await unwrap(api.GET("/api/v1/email-templates", { params: { query: { limit: 100 } } }))).data,
  });
}

export function useTemplate(id: string, enabled = true) {
  return useQuery({
    queryKey: automationKeys.template(id),
    queryFn: () => unwrap(api.GET("/api/v1/email-templates/{id}", { params: { path: { id } } })),
    enabled,
  });
}

export function useSaveTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: TemplateBody }) =>
      id ? unwrap(api.PUT("/api/v1/email-templates/{id}", { params: { path: { id } }, body })) : unwrap(api.POST("/api/v1/email-templates", { body })),
    onSuccess: (t: EmailTemplate) => {
      qc.setQueryData(automationKeys.template(t.id), t);
      void qc.invalidateQueries({ queryKey: automationKeys.templates });
    },
  });
}

export function useDeleteTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/email-templates/{id}", { params: { path: { id } } })),
    onSuccess: (_, id) => {
      qc.removeQueries({ queryKey: automationKeys.template(id) });
      void qc.invalidateQueries({ queryKey: automationKeys.templates });
    },
  });
}

/** Renders a subject and body for the sample member. */
export const previewTemplate = (body: PreviewBody, signal?: AbortSignal) => unwrap(api.POST("/api/v1/email-templates/preview", { body, signal }));

/** Standard webhook endpoints (not Zapier hooks), for the "send to webhook endpoint" step. */
export function useStandardEndpoints() {
  return useQuery({
    queryKey: automationKeys.standardEndpoints,
    queryFn: async () => (await unwrap(api.GET("/api/v1/webhooks/endpoints", { params: { query: { kind: "standard", limit: 100 } } }))).data,
  });
}

/** Members whose email starts with / name contains `q` (the dry run's picker). */
export function useMemberSearch(q: string) {
  return useQuery({
    queryKey: ["users", "search", q],
    queryFn: async () => (await unwrap(api.GET("/api/v1/users", { params: { query: { q: q || undefined, limit: 10 } } }))).data,
    staleTime: 10_000,
  });
}
