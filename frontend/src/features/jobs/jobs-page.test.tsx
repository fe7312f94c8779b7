import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, renderRoute, stubApi } from "@/test/utils";
import { JobsPage } from "./jobs-page";

const deadJob = {
  id: "job_1",
  kind: "email.send",
  status: "dead",
  attempts: 5,
  max_attempts: 5,
  last_error: "SMTP connection refused",
  run_at: "2026-11-23T10:00:00Z",
  created_at: "2026-11-23T09:00:00Z",
  finished_at: "2026-11-23T10:00:00Z",
};

describe("JobsPage", () => {
  it("lists dead jobs by default and retries one", async () => {
    let retried = false;
    const api = stubApi({
      "GET /api/v1/jobs": () => json({ data: retried ? [] : [deadJob], has_more: false, next_cursor: null }),
      "POST /api/v1/jobs/job_1/retry": () => {
        retried = true;
        return json({ ...deadJob, status: "queued" });
      },
    });
    renderRoute(<JobsPage />, { path: "/jobs" });
    expect(await screen.findByText("SMTP connection refused")).toBeInTheDocument();
    expect(new URL(api.calls[0]!.url).searchParams.get("status")).toBe("dead");
    await userEvent.click(screen.getByRole("button", { name: "Retry email.send" }));
    expect(await screen.findByText("No dead jobs")).toBeInTheDocument();
    expect(await screen.findByText("Job queued again.")).toBeInTheDocument();
  });

  it("keeps the status tab in the URL", async () => {
    const api = stubApi({ "GET /api/v1/jobs": () => json({ data: [], has_more: false, next_cursor: null }) });
    const { router } = renderRoute(<JobsPage />, { path: "/jobs" });
    await screen.findByText("No dead jobs");
    await userEvent.click(screen.getByRole("tab", { name: "Queued" }));
    await screen.findByText("No queued jobs");
    expect(router.state.location.search).toBe("?status=queued");
    await waitFor(() => expect(api.calls.some((c) => new URL(c.url).searchParams.get("status") === "queued")).toBe(true));
  });
});
