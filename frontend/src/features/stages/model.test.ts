import { describe, expect, it } from "vitest";
import type { StageBody } from "@/api/types";
import { move, toggleStatus, validateStages } from "./model";

const stages: StageBody[] = [
  { name: "Customer", statuses: ["active", "past_due"] },
  { name: "Trial", statuses: ["trialing"] },
  { name: "Churn", statuses: ["canceled"] },
];

describe("stage editor rules", () => {
  it("moves a stage up and down, not past the ends", () => {
    expect(move(stages, 1, -1).map((s) => s.name)).toEqual(["Trial", "Customer", "Churn"]);
    expect(move(stages, 2, 1)).toBe(stages);
    expect(move(stages, 0, -1)).toBe(stages);
  });

  it("gives a status to one stage only: ticking it elsewhere moves it", () => {
    const next = toggleStatus(stages, 2, "past_due");
    expect(next[0].statuses).toEqual(["active"]);
    expect(next[2].statuses).toEqual(["canceled", "past_due"]);
    expect(toggleStatus(next, 2, "past_due")[2].statuses).toEqual(["canceled"]);
  });

  it("names the field of each problem like the API does", () => {
    expect(validateStages(stages)).toEqual({});
    expect(validateStages([{ name: " ", statuses: [] }, { name: "Trial", statuses: [] }, { name: "trial ", statuses: [] }])).toEqual({
      "stages[0].name": "Name this stage.",
      "stages[2].name": "Another stage has this name.",
    });
    expect(validateStages([])).toEqual({ stages: "Keep at least one stage." });
  });
});
