import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { adminAuth } from "@/api/client";
import { json, renderRoute, sessionAs, stubApi } from "@/test/utils";
import { AutomationsPage } from "./automations-page";
import { automation, lookups, page } from "./test-fixtures";

afterEach(() => adminAuth.setSession(null));

describe("AutomationsPage", () => {
  it("lists automations with their trigger in words, status, last run and runs in 30 days", async () => {
    adminAuth.setSession(sessionAs("owner"));
    stubApi({
      ...lookups,
      "GET /api/v1/automations": () =>
        page([
          automation,
          { ...automation, id: "aut_2", name: "Renewal reminder", enabled: false, trigger: { type: "renewal_upcoming", days: 3, product_id: "prod_mm" }, last_run_at: null, runs_30d: 0 },
        ]),
    });
    renderRoute(<AutomationsPage />);
    const table = await screen.findByRole("table", { name: "Automations" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByRole("link", { name: "Welcome flow" })).toHaveAttribute("href", "/automations/aut_1");
    expect(await within(rows[0]!).findByText("Product Access Granted · Any product")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("Enabled")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("12")).toBeInTheDocument();
    expect(await within(rows[1]!).findByText("Renewal in 3 days · Mastermind")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("Disabled")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("Never")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "New automation" })).toHaveAttribute("href", "/automations/new");
    expect(screen.getByRole("link", { name: "Email templates" })).toHaveAttribute("href", "/automations/templates");
  });

  it("turns an automation off with its switch", async () => {
    adminAuth.setSession(sessionAs("admin"));
    let enabled = true;
    const api = stubApi({
      ...lookups,
      "GET /api/v1/automations": () => page([{ ...automation, enabled }]),
      "PATCH /api/v1/automations/aut_1": async (req) => {
        enabled = ((await req.json()) as { enabled: boolean }).enabled;
        return json({ ...automation, enabled });
      },
    });
    renderRoute(<AutomationsPage />);
    const user = userEvent.setup();
    const toggle = await screen.findByRole("switch", { name: "Enabled: Welcome flow" });
    expect(toggle).toHaveAttribute("aria-checked", "true");
    await user.click(toggle);
    expect(await screen.findByText(/Welcome flow disabled/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("switch", { name: "Enabled: Welcome flow" })).toHaveAttribute("aria-checked", "false"));
    expect(await api.calls.find((c) => c.method === "PATCH")!.json()).toEqual({ enabled: false });
  });

  it("shows the empty state, and a viewer gets no write controls", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    stubApi({ ...lookups, "GET /api/v1/automations": () => page([]) });
    renderRoute(<AutomationsPage />);
    expect(await screen.findByText("No automations yet")).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "New automation" })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Email templates" })).toBeInTheDocument();
  });

  it("shows a viewer the status without a switch", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    stubApi({ ...lookups, "GET /api/v1/automations": () => page([automation]) });
    renderRoute(<AutomationsPage />);
    const table = await screen.findByRole("table", { name: "Automations" });
    expect(within(table).getByText("Enabled")).toBeInTheDocument();
    expect(screen.queryByRole("switch")).not.toBeInTheDocument();
  });
});
