import { useState } from "react";
import { ApiError, errorMessage } from "@/api/errors";
import { Field, FormError } from "@/components/form/field";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Progress } from "@/components/ui/progress";
import { Switch } from "@/components/ui/switch";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Tabs } from "@/components/ui/tabs";
import { useImport, useImportRows, useRunImport, useUploadImport, type ImportOutcome, type ImportPreview, type ImportRow } from "./api";

/** Words for the preview's per-row problem codes (the server's message is shown beside). */
export const rowProblemLabels: Record<string, string> = {
  missing_email: "No email",
  invalid_email: "Bad email",
  duplicate_row: "Duplicate",
  invalid_name: "Bad name",
  unknown_product: "Unknown product",
  ambiguous_product: "Ambiguous product",
  archived_product: "Archived product",
};

/** Words for the upload's file problems (field `file` or `columns`). */
const fileProblemLabels: Record<string, string> = {
  empty_file: "The file is empty. Choose a CSV file with a header row and one member per row.",
  not_utf8: "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”, then try again.",
  malformed_csv: "The file is not valid CSV. Check its quotes and commas.",
  no_rows: "The file has a header row but no members.",
  too_many_rows: "The file has more than 100,000 rows. Split it into smaller files.",
  missing_email_column: "The header row needs an “email” column.",
  duplicate_column: "The header row names a column twice.",
};

function uploadError(e: unknown): string {
  if (e instanceof ApiError && e.code === "validation_failed") {
    const f = e.problem.errors?.[0];
    if (f) return fileProblemLabels[f.code] ?? f.message;
  }
  return errorMessage(e);
}

function RowsTable({ rows, report }: { rows: ImportRow[]; report?: boolean }) {
  return (
    <Table>
      <THead>
        <TR>
          <TH>Row</TH>
          <TH>Email</TH>
          <TH className="hidden sm:table-cell">Name</TH>
          <TH>{report ? "Outcome" : "Problems"}</TH>
        </TR>
      </THead>
      <TBody>
        {rows.map((r) => (
          <TR key={r.row}>
            <TD className="tabular-nums text-muted-foreground">{r.row}</TD>
            <TD className="break-all">{r.email || <span className="text-muted-foreground">—</span>}</TD>
            <TD className="hidden sm:table-cell">{r.name ?? ""}</TD>
            <TD>
              {report ? (
                <div className="grid gap-1">
                  <Badge variant={r.outcome === "skipped" ? "warning" : "success"} className="w-fit">
                    {r.outcome}
                  </Badge>
                  {r.reason ? <span className="text-xs text-muted-foreground">{r.reason}</span> : null}
                </div>
              ) : r.problems.length ? (
                <ul className="grid gap-1">
                  {r.problems.map((p, i) => (
                    <li key={i} className="text-xs">
                      <Badge variant="destructive">{rowProblemLabels[p.code] ?? p.code}</Badge> <span className="text-muted-foreground">{p.message}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <Badge variant="success">OK</Badge>
              )}
            </TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}

function PreviewStep({ preview }: { preview: ImportPreview }) {
  const imp = preview.import;
  const shown = new Set(preview.rows.map((r) => r.row));
  const moreProblems = preview.problem_rows.filter((r) => !shown.has(r.row));
  return (
    <div className="grid gap-4">
      <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
        {[
          ["Rows", imp.total],
          ["New members", imp.would_create],
          ["Existing members", imp.would_update],
          ["With problems", imp.invalid],
        ].map(([k, v]) => (
          <div key={k} className="rounded-md border p-2">
            <dt className="text-xs text-muted-foreground">{k}</dt>
            <dd className="text-lg font-semibold tabular-nums">{v}</dd>
          </div>
        ))}
      </dl>
      {preview.warnings.map((w) => (
        <p key={w.code} className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800">
          {w.message}
        </p>
      ))}
      {imp.invalid ? <p className="text-sm text-muted-foreground">Rows with problems are skipped; fix them in the file and import it again to add them.</p> : null}
      <div>
        <h3 className="mb-1 text-sm font-medium">First rows of the file</h3>
        <RowsTable rows={preview.rows} />
      </div>
      {moreProblems.length ? (
        <div>
          <h3 className="mb-1 text-sm font-medium">More rows with problems</h3>
          <RowsTable rows={moreProblems} />
        </div>
      ) : null}
    </div>
  );
}

const outcomeTabs: { value: ImportOutcome | "all"; label: string }[] = [
  { value: "all", label: "All" },
  { value: "created", label: "Created" },
  { value: "updated", label: "Updated" },
  { value: "granted", label: "Granted" },
  { value: "skipped", label: "Skipped" },
];

function ReportStep({ id }: { id: string }) {
  const imp = useImport(id);
  const [tab, setTab] = useState<ImportOutcome | "all">("all");
  const status = imp.data?.status;
  const finished = status === "done" || status === "failed";
  const rows = useImportRows(id, tab === "all" ? undefined : tab, finished);
  if (!imp.data) return imp.isError ? <FormError message={errorMessage(imp.error)} /> : <p className="text-sm text-muted-foreground">Starting…</p>;
  const d = imp.data;
  if (!finished) {
    return (
      <div className="grid gap-2">
        <p className="text-sm">
          Importing… {d.processed} of {d.total} rows
        </p>
        <Progress value={d.processed} max={d.total} label="Import progress" />
      </div>
    );
  }
  return (
    <div className="grid gap-4">
      {status === "failed" ? <FormError message={`The import stopped: ${d.error ?? "unknown error"}. Start it again to resume.`} /> : null}
      <p className="text-sm" role="status">
        Import {status === "done" ? "finished" : "stopped"}: {d.created} created, {d.updated} updated, {d.granted} granted products only, {d.skipped} skipped.
      </p>
      <Tabs label="Filter rows by outcome" value={tab} onChange={setTab} tabs={outcomeTabs} />
      {rows.data ? (
        rows.data.length ? (
          <RowsTable rows={rows.data} report />
        ) : (
          <p className="text-sm text-muted-foreground">No rows with this outcome.</p>
        )
      ) : (
        <p className="text-sm text-muted-foreground">Loading…</p>
      )}
      {rows.hasNextPage ? (
        <Button variant="ghost" size="sm" loading={rows.isFetchingNextPage} onClick={() => void rows.fetchNextPage()}>
          Load more
        </Button>
      ) : null}
    </div>
  );
}

/** Members from a CSV file: choose → preview with problems per row → run → progress → report. */
export function ImportMembersDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | undefined>();
  const [invite, setInvite] = useState(false);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [started, setStarted] = useState(false);
  const upload = useUploadImport();
  const run = useRunImport(preview?.import.id ?? "");
  const reset = () => {
    setFile(null);
    setFileError(undefined);
    setInvite(false);
    setPreview(null);
    setStarted(false);
    upload.reset();
    run.reset();
  };
  const close = () => {
    reset();
    onClose();
  };
  const send = async () => {
    if (!file) {
      setFileError("Choose a CSV file.");
      return;
    }
    setFileError(undefined);
    try {
      setPreview(await upload.mutateAsync(file));
    } catch (e) {
      setFileError(uploadError(e));
    }
  };
  const toImport = preview ? preview.import.would_create + preview.import.would_update : 0;
  const start = async () => {
    try {
      await run.mutateAsync(invite);
      setStarted(true);
    } catch {
      // Shown below from run.error.
    }
  };

  let body;
  let footer;
  if (started && preview) {
    body = <ReportStep id={preview.import.id} />;
    footer = <Button onClick={close}>Close</Button>;
  } else if (preview) {
    body = (
      <div className="grid gap-4">
        <PreviewStep preview={preview} />
        <div className="flex items-center gap-3">
          <Switch id="import-invite" checked={invite} onCheckedChange={setInvite} />
          <label htmlFor="import-invite" className="text-sm">
            Email an invitation to new members
          </label>
        </div>
        <FormError message={run.error ? errorMessage(run.error) : null} />
      </div>
    );
    footer = (
      <>
        <Button variant="outline" onClick={reset}>
          Choose another file
        </Button>
        <Button onClick={() => void start()} loading={run.isPending} disabled={toImport === 0}>
          Import {toImport} {toImport === 1 ? "member" : "members"}
        </Button>
      </>
    );
  } else {
    body = (
      <form
        id="import-members"
        className="grid gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <Field
          label="CSV file"
          error={fileError}
          hint="A header row with an “email” column; “name” and “products” (product names or ids, separated by ; or |) are optional. UTF-8, up to 100,000 rows."
        >
          {(p) => <Input {...p} type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}
        </Field>
      </form>
    );
    footer = (
      <>
        <Button variant="outline" onClick={close}>
          Cancel
        </Button>
        <Button type="submit" form="import-members" loading={upload.isPending}>
          Preview
        </Button>
      </>
    );
  }
  return (
    <Dialog open={open} onClose={close} title="Import members from CSV" className="sm:max-w-3xl" footer={footer}>
      {body}
    </Dialog>
  );
}
