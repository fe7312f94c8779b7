// The stage editor's rules, mirrored from the API's (which stays the judge):
// pure functions, tested on their own.
import type { StageBody, StageStatus } from "@/api/types";

export const STATUS_CHOICES: { value: StageStatus; label: string }[] = [
  { value: "trialing", label: "Trialing" },
  { value: "active", label: "Active" },
  { value: "past_due", label: "Past due" },
  { value: "unpaid", label: "Unpaid" },
  { value: "incomplete", label: "Incomplete" },
  { value: "incomplete_expired", label: "Incomplete, expired" },
  { value: "canceled", label: "Canceled" },
  { value: "paused", label: "Paused" },
  { value: "none", label: "No subscription" },
];

export const MAX_STAGES = 12;

/** Moves the stage at `from` one place up (-1) or down (+1); priority follows the order. */
export function move(stages: StageBody[], from: number, by: -1 | 1): StageBody[] {
  const to = from + by;
  if (to < 0 || to >= stages.length) return stages;
  const out = [...stages];
  [out[from], out[to]] = [out[to], out[from]];
  return out;
}

/** Ticks a status for one stage; a status belongs to one stage, so it leaves any other. */
export function toggleStatus(stages: StageBody[], index: number, status: StageStatus): StageBody[] {
  return stages.map((s, i) => {
    if (i === index) {
      return { ...s, statuses: s.statuses.includes(status) ? s.statuses.filter((x) => x !== status) : [...s.statuses, status] };
    }
    return { ...s, statuses: s.statuses.filter((x) => x !== status) };
  });
}

/** Problems to show before saving, keyed like the API's fields (`stages[i].name`). */
export function validateStages(stages: StageBody[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (stages.length === 0) out["stages"] = "Keep at least one stage.";
  const seen = new Set<string>();
  stages.forEach((s, i) => {
    const name = s.name.trim();
    if (!name) out[`stages[${i}].name`] = "Name this stage.";
    else if (name.length > 40) out[`stages[${i}].name`] = "Use at most 40 characters.";
    else if (seen.has(name.toLowerCase())) out[`stages[${i}].name`] = "Another stage has this name.";
    seen.add(name.toLowerCase());
  });
  return out;
}
