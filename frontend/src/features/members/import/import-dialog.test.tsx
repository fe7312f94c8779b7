import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { ImportMembersDialog } from "./import-dialog";

const ID = "imp_0192f0c3000070008000000000000001";

function imp(over: Record<string, unknown> = {}) {
  return {
    id: ID,
    status: "previewed",
    columns: { email: true, name: true, products: false, ignored: ["plan"] },
    invite: false,
    total: 3,
    invalid: 1,
    would_create: 1,
    would_update: 1,
    created: 0,
    updated: 0,
    granted: 0,
    skipped: 0,
    processed: 0,
    progress: 0,
    job_id: null,
    error: null,
    created_at: "2026-01-01T00:00:00Z",
    started_at: null,
    finished_at: null,
    ...over,
  };
}

function row(n: number, email: string, over: Record<string, unknown> = {}) {
  return { row: n, email, name: null, products: [], problems: [], outcome: null, reason: null, user_id: null, granted: [], ...over };
}

const preview = {
  import: imp(),
  rows: [
    row(2, "ada@example.com", { name: "Ada" }),
    row(3, "grace@example.com"),
    row(4, "not-an-email", { problems: [{ code: "invalid_email", message: "\"not-an-email\" must be an email address" }] }),
  ],
  problem_rows: [row(4, "not-an-email", { problems: [{ code: "invalid_email", message: "\"not-an-email\" must be an email address" }] })],
  warnings: [{ code: "metadata_ignored", message: "members have no metadata field: the column(s) plan will not be imported" }],
};

async function chooseFile(user: ReturnType<typeof userEvent.setup>) {
  const file = new File(["email,name,plan\nada@example.com,Ada,gold\n"], "members.csv", { type: "text/csv" });
  await user.upload(screen.getByLabelText("CSV file"), file);
  await user.click(screen.getByRole("button", { name: "Preview" }));
}

describe("ImportMembersDialog", () => {
  it("previews, runs, follows progress and shows the report with filters", async () => {
    let polls = 0;
    const api = stubApi({
      "POST /api/v1/users/imports": () => json(preview, 201),
      [`POST /api/v1/users/imports/${ID}/run`]: () => json(imp({ status: "running", job_id: "job_1" }), 202),
      [`GET /api/v1/users/imports/${ID}`]: () => {
        polls += 1;
        return json(
          polls < 2
            ? imp({ status: "running", processed: 1 })
            : imp({ status: "done", processed: 3, created: 1, updated: 1, skipped: 1, progress: 1 }),
        );
      },
      [`GET /api/v1/users/imports/${ID}/rows`]: (req) => {
        const outcome = new URL(req.url).searchParams.get("outcome");
        const all = [
          row(2, "ada@example.com", { outcome: "created" }),
          row(3, "grace@example.com", { outcome: "updated" }),
          row(4, "not-an-email", { outcome: "skipped", reason: "invalid_email: must be an email address" }),
        ];
        return json({ data: all.filter((r) => !outcome || r.outcome === outcome), has_more: false, next_cursor: null });
      },
    });
    renderRoute(<ImportMembersDialog open onClose={() => {}} />);
    const user = userEvent.setup();
    await chooseFile(user);

    // The preview: counts, the ignored column, and the problem on its row.
    expect(await screen.findByText("First rows of the file")).toBeInTheDocument();
    expect(screen.getByText(/plan will not be imported/)).toBeInTheDocument();
    expect(screen.getAllByText("Bad email").length).toBeGreaterThan(0);
    const upload = api.calls[0]!;
    expect(upload.headers.get("content-type")).toBe("text/csv");
    expect(await upload.text()).toContain("ada@example.com");

    await user.click(screen.getByRole("button", { name: "Import 2 members" }));
    const run = api.calls.find((c) => c.url.includes("/run"))!;
    expect(new URL(run.url).searchParams.get("invite")).toBe("false");

    // Progress while running, then the report.
    expect(await screen.findByRole("progressbar", { name: "Import progress" })).toBeInTheDocument();
    expect(await screen.findByText(/Import finished: 1 created, 1 updated/, {}, { timeout: 3000 })).toBeInTheDocument();
    expect(await screen.findByText("invalid_email: must be an email address")).toBeInTheDocument();
    await user.click(screen.getByRole("tab", { name: "Skipped" }));
    await waitFor(() => expect(screen.queryByText("ada@example.com")).not.toBeInTheDocument());
    const table = screen.getByRole("table");
    expect(within(table).getByText("not-an-email")).toBeInTheDocument();
    expect(api.calls.some((c) => new URL(c.url).searchParams.get("outcome") === "skipped")).toBe(true);
  });

  it("explains a file the server refuses", async () => {
    stubApi({
      "POST /api/v1/users/imports": () =>
        problem(422, "validation_failed", "1 field(s) are invalid: file", [{ field: "file", code: "not_utf8", message: "the file must be UTF-8 text" }]),
    });
    renderRoute(<ImportMembersDialog open onClose={() => {}} />);
    const user = userEvent.setup();
    await chooseFile(user);
    expect(await screen.findByText(/save it as “CSV UTF-8”/)).toBeInTheDocument();
    expect(screen.getByLabelText("CSV file")).toHaveAttribute("aria-invalid", "true");
  });

  it("asks for a file before uploading", async () => {
    const api = stubApi({});
    renderRoute(<ImportMembersDialog open onClose={() => {}} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Preview" }));
    expect(await screen.findByText("Choose a CSV file.")).toBeInTheDocument();
    expect(api.fn).not.toHaveBeenCalled();
  });
});
