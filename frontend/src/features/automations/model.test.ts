import { describe, expect, it } from "vitest";
import { automationBody, describeTrigger, draftOf, emptyDraft, emptyStep, move, validateDraft } from "./model";
import { automation, eventTypes, products } from "./test-fixtures";
import type { Automation } from "@/api/types";

describe("automation model", () => {
  it("turns a draft into the API's tagged JSON", () => {
    const d = emptyDraft();
    d.name = "  Welcome  ";
    d.trigger = { choice: "activity:product.access_granted", product_id: "prod_mm", days: "3" };
    d.conditions = [{ key: "c", type: "lacks_access", product_id: "prod_starter", field: "email", equals: "", source: "manual", segment_id: "" }];
    d.steps = [
      { ...emptyStep("send_email"), template_id: "builtin:welcome" },
      { ...emptyStep("wait"), amount: "2", unit: "hours" },
      { ...emptyStep("grant_access"), product_id: "prod_starter", days: "" },
      { ...emptyStep("stop_unless"), condition: { type: "member_field", product_id: "", field: "email", equals: "a@b.c", source: "manual", segment_id: "" } },
    ];
    expect(validateDraft(d)).toEqual({});
    expect(automationBody(d)).toEqual({
      name: "Welcome",
      enabled: true,
      trigger: { type: "activity", kind: "product.access_granted", product_id: "prod_mm" },
      conditions: [{ type: "lacks_access", product_id: "prod_starter" }],
      steps: [
        { type: "send_email", template_id: "builtin:welcome" },
        { type: "wait", amount: 2, unit: "hours" },
        { type: "grant_access", product_id: "prod_starter" },
        { type: "stop_unless", condition: { type: "member_field", field: "email", equals: "a@b.c" } },
      ],
    });
  });

  it("drops the product of an activity that is not about one, sends days for time-based triggers", () => {
    const d = { ...emptyDraft(), trigger: { choice: "activity:user.login", product_id: "prod_mm", days: "3" } };
    expect(automationBody(d).trigger).toEqual({ type: "activity", kind: "user.login" });
    expect(automationBody({ ...d, trigger: { choice: "renewal_upcoming", product_id: "", days: "7" } }).trigger).toEqual({ type: "renewal_upcoming", days: 7 });
    expect(automationBody({ ...d, trigger: { choice: "payment_failed", product_id: "prod_mm", days: "" } }).trigger).toEqual({ type: "payment_failed", product_id: "prod_mm" });
  });

  it("round-trips a saved automation", () => {
    const a = { ...automation, steps: [{ type: "grant_access", product_id: "prod_mm", days: 30 }, { type: "wait", amount: 1, unit: "days" }] } as unknown as Automation;
    const body = automationBody(draftOf(a));
    expect(body.steps).toEqual(a.steps);
    expect(body.trigger).toEqual(a.trigger);
  });

  it("validates with the API's field paths", () => {
    const d = emptyDraft();
    d.steps = [emptyStep("grant_access"), { ...emptyStep("wait"), amount: "0" }, emptyStep("send_email")];
    d.trigger = { choice: "trial_ending", product_id: "", days: "0" };
    expect(validateDraft(d)).toEqual({
      name: "Give the automation a name.",
      "trigger.days": "Enter a number of days from 1 to 90.",
      "steps[0].product_id": "Choose a product.",
      "steps[1].amount": "Enter a whole number of at least 1.",
      "steps[2].template_id": "Choose a template.",
    });
  });

  it("moves items and describes triggers in words", () => {
    expect(move(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(move(["a", "b"], 0, -1)).toEqual(["a", "b"]);
    expect(describeTrigger({ type: "activity", kind: "product.access_granted" }, eventTypes.data, products)).toBe("Product Access Granted · Any product");
    expect(describeTrigger({ type: "renewal_upcoming", days: 3, product_id: "prod_mm" }, eventTypes.data, products)).toBe("Renewal in 3 days · Mastermind");
    expect(describeTrigger({ type: "activity", kind: "user.created" }, eventTypes.data, products)).toBe("User Created");
  });
});
