import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { adminAuth } from "@/api/client";
import { json, problem, renderRoute, sessionAs, stubApi } from "@/test/utils";
import { AutomationPage, NewAutomationPage } from "./automation-page";
import { automation, lookups, page, run } from "./test-fixtures";

afterEach(() => adminAuth.setSession(null));

const step = (n: number, label: string) => screen.getByRole("group", { name: `Step ${n}: ${label}` });

describe("automation builder", () => {
  it("adds and reorders steps and saves the right JSON", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const api = stubApi({
      ...lookups,
      "POST /api/v1/automations": async (req) => json({ ...automation, id: "aut_9", ...((await req.json()) as object), version: 1 }, 201),
    });
    const { router } = renderRoute(<NewAutomationPage />, { path: "/automations/new" });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Name"), "Bonus after a day");
    // The catalogue fills the trigger picker; member.updated is not an activity.
    await screen.findByRole("option", { name: "User Created" });
    expect(screen.queryByRole("option", { name: "Member Updated" })).not.toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("When"), "Product Access Granted");
    await screen.findByRole("option", { name: "Mastermind" });
    await user.selectOptions(screen.getByLabelText("Product"), "Mastermind");

    await user.click(screen.getByRole("button", { name: "Add step: Grant access" }));
    await user.click(screen.getByRole("button", { name: "Add step: Wait" }));
    await user.click(screen.getByRole("button", { name: "Add step: Send email" }));
    await user.selectOptions(within(step(1, "Grant access")).getByLabelText("Product"), "Starter Course");
    await user.type(within(step(1, "Grant access")).getByLabelText("For days (optional)"), "30");
    const amount = within(step(2, "Wait")).getByLabelText("Amount");
    await user.clear(amount);
    await user.type(amount, "2");
    await within(step(3, "Send email")).findByRole("option", { name: "Welcome" });
    await user.selectOptions(within(step(3, "Send email")).getByLabelText("Template"), "Welcome");
    // Email first: move it up twice.
    await user.click(screen.getByRole("button", { name: "Move step 3 up" }));
    await user.click(screen.getByRole("button", { name: "Move step 2 up" }));
    expect(step(1, "Send email")).toBeInTheDocument();
    expect(step(2, "Grant access")).toBeInTheDocument();
    expect(step(3, "Wait")).toBeInTheDocument();
    // …and the wait before the grant.
    await user.click(screen.getByRole("button", { name: "Move step 3 up" }));
    expect(within(step(3, "Grant access")).getByLabelText("Product")).toHaveValue("prod_starter");

    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/automations/aut_9"));
    const post = api.calls.find((c) => c.method === "POST")!;
    expect(await post.json()).toEqual({
      name: "Bonus after a day",
      enabled: true,
      trigger: { type: "activity", kind: "product.access_granted", product_id: "prod_mm" },
      conditions: [],
      steps: [
        { type: "send_email", template_id: "builtin:welcome" },
        { type: "wait", amount: 2, unit: "days" },
        { type: "grant_access", product_id: "prod_starter", days: 30 },
      ],
    });
  });

  it("checks before sending and removes steps", async () => {
    adminAuth.setSession(sessionAs("admin"));
    const api = stubApi(lookups);
    renderRoute(<NewAutomationPage />, { path: "/automations/new" });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Save" }));
    expect(screen.getByText("Give the automation a name.")).toBeInTheDocument();
    expect(screen.getByText("Add at least one step.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Add step: Remove access" }));
    expect(screen.queryByText("Add at least one step.")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(within(step(1, "Remove access")).getByText("Choose a product.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Remove step 1" }));
    expect(screen.queryByRole("group", { name: /^Step 1/ })).not.toBeInTheDocument();
    expect(api.calls.some((c) => c.method === "POST")).toBe(false);
  });

  it("shows the server's 422 under the step it names and PATCHes an existing automation", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const saved = {
      ...automation,
      steps: [
        { type: "send_email", template_id: "builtin:welcome" },
        { type: "wait", amount: 30, unit: "days" },
      ],
    };
    let patches = 0;
    const api = stubApi({
      ...lookups,
      "GET /api/v1/automations/aut_1": () => json(saved),
      "GET /api/v1/automation-runs": () => page([]),
      "PATCH /api/v1/automations/aut_1": async (req) => {
        patches += 1;
        if (patches === 1)
          return problem(422, "validation_failed", "1 field(s) are invalid: steps[1].amount", [{ field: "steps[1].amount", code: "out_of_range", message: "wait at least 1 and at most 365 days" }]);
        return json({ ...saved, ...((await req.json()) as object), version: 4 });
      },
    });
    renderRoute(<AutomationPage />, { path: "/automations/:id", url: "/automations/aut_1" });
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 1, name: "Welcome flow" })).toBeInTheDocument();
    expect(screen.getByText(/Version 3\. Saving changes makes a new version; runs in progress keep/)).toBeInTheDocument();
    const amount = within(step(2, "Wait")).getByLabelText("Amount");
    await user.clear(amount);
    await user.type(amount, "400");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await within(step(2, "Wait")).findByText("wait at least 1 and at most 365 days")).toBeInTheDocument();
    expect(amount).toHaveAttribute("aria-invalid", "true");
    expect(within(step(1, "Send email")).queryByText(/365/)).not.toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("Fix the fields marked below.");

    await user.clear(amount);
    await user.type(amount, "5");
    expect(amount).not.toHaveAttribute("aria-invalid");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Automation saved (version 4).")).toBeInTheDocument();
    const body = await api.calls.filter((c) => c.method === "PATCH")[1]!.json();
    expect(body).toMatchObject({ name: "Welcome flow", enabled: true, trigger: { type: "activity", kind: "product.access_granted" }, conditions: [] });
    expect(body.steps).toEqual([
      { type: "send_email", template_id: "builtin:welcome" },
      { type: "wait", amount: 5, unit: "days" },
    ]);
  });

  it("lists runs with their steps, retries a failed one, and loads more", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const failed = {
      ...run,
      id: "run_2",
      status: "failed",
      error: "step 1 failed: template gone",
      steps: [{ ...run.steps[0]!, status: "failed", detail: null, error: "template gone" }],
    };
    const api = stubApi({
      ...lookups,
      "GET /api/v1/automations/aut_1": () => json(automation),
      "GET /api/v1/automation-runs": (req) =>
        new URL(req.url).searchParams.get("cursor") === "c2" ? page([{ ...run, id: "run_old" }]) : page([failed, run], "c2"),
      "POST /api/v1/automation-runs/run_2/retry": () => json({ ...failed, status: "running" }, 202),
    });
    renderRoute(<AutomationPage />, { path: "/automations/:id", url: "/automations/aut_1" });
    const user = userEvent.setup();
    const runs = await screen.findByRole("list", { name: "Runs" });
    const items = within(runs).getAllByRole("listitem").filter((li) => li.hasAttribute("data-run"));
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByText("Failed")).toBeInTheDocument();
    expect(within(items[0]!).getByText("template gone")).toBeInTheDocument();
    expect(within(items[1]!).getByText("Succeeded")).toBeInTheDocument();
    expect(within(items[1]!).getByText("send_email")).toBeInTheDocument();
    expect(await within(items[1]!).findByRole("link", { name: "Ada Lovelace" })).toHaveAttribute("href", "/members/usr_ada");
    expect(within(items[1]!).queryByRole("button", { name: /Retry/ })).not.toBeInTheDocument();
    await user.click(within(items[0]!).getByRole("button", { name: /Retry/ }));
    expect(await screen.findByText("Run retried from the step that failed.")).toBeInTheDocument();
    expect(api.calls.some((c) => c.method === "POST" && c.url.endsWith("/automation-runs/run_2/retry"))).toBe(true);
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(runs.querySelector('[data-run="run_old"]')).not.toBeNull());
  });

  it("gives a viewer everything read-only", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    stubApi({
      ...lookups,
      "GET /api/v1/automations/aut_1": () => json(automation),
      "GET /api/v1/automation-runs": () => page([{ ...run, status: "failed" }]),
    });
    renderRoute(<AutomationPage />, { path: "/automations/:id", url: "/automations/aut_1" });
    expect(await screen.findByRole("heading", { level: 1, name: "Welcome flow" })).toBeInTheDocument();
    expect(await screen.findByRole("list", { name: "Runs" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Save/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Delete/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Add step/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Move step/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Retry/ })).not.toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toBeDisabled();
    // The dry run changes nothing: viewers may use it.
    expect(screen.getByRole("button", { name: /Test with member/ })).toBeInTheDocument();
  });

  it("tests with a member: conditions that hold or not, what each step would do", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const api = stubApi({
      ...lookups,
      "GET /api/v1/automations/aut_1": () => json(automation),
      "GET /api/v1/automation-runs": () => page([]),
      "POST /api/v1/automations/aut_1/dry-run": () =>
        json({
          would_run: false,
          conditions: [{ index: 0, holds: false, description: "lacks access to Mastermind" }],
          steps: [{ index: 0, type: "send_email", would: 'send "Welcome" to ada@example.com' }],
        }),
    });
    renderRoute(<AutomationPage />, { path: "/automations/:id", url: "/automations/aut_1" });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: /Test with member/ }));
    const dialog = screen.getByRole("dialog", { name: "Test with a member" });
    await user.type(within(dialog).getByLabelText("Member"), "ada");
    await user.click(await within(dialog).findByRole("button", { name: /Ada Lovelace/ }));
    const result = await within(dialog).findByRole("region", { name: "Test result" });
    expect(within(result).getByText("Would not run")).toBeInTheDocument();
    expect(within(result).getByText("does not hold")).toBeInTheDocument();
    expect(within(result).getByText(/send "Welcome" to ada@example.com/)).toBeInTheDocument();
    expect(await api.calls.find((c) => c.method === "POST")!.json()).toEqual({ user_id: "usr_ada" });
  });
});
