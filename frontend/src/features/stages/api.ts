import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import type { StageBody } from "@/api/types";

export const stageKeys = {
  all: ["stages"] as const,
  totals: ["stages", "totals"] as const,
};

/** The app's stages; polls while the recompute after an edit runs. */
export function useStages() {
  return useQuery({
    queryKey: stageKeys.all,
    queryFn: () => unwrap(api.GET("/api/v1/app/stages")),
    refetchInterval: (q) => (q.state.data?.recompute.running ? 1000 : false),
  });
}

export function useSaveStages() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (stages: StageBody[]) => unwrap(api.PUT("/api/v1/app/stages", { body: { stages } })),
    onSuccess: (saved) => {
      qc.setQueryData(stageKeys.all, saved);
      void qc.invalidateQueries({ queryKey: stageKeys.totals });
      void qc.invalidateQueries({ queryKey: ["users"] });
    },
  });
}

export function useStageTotals() {
  return useQuery({ queryKey: stageKeys.totals, queryFn: () => unwrap(api.GET("/api/v1/app/metrics/stages")) });
}
