import { useEffect, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input, Select } from "@/components/ui/input";
import { Progress } from "@/components/ui/progress";
import { useProductOptions } from "@/features/products/api";
import { type BulkAction, type MemberFilter, useBulk, useJob } from "@/features/segments/api";

type Kind = BulkAction["type"];
type Values = { kind: Kind; product_id: string; tag: string };

const LABELS: Record<Kind, string> = {
  grant_access: "Grant access to a product",
  revoke_access: "Remove access to a product",
  add_crm_tag: "Add a CRM tag",
  remove_crm_tag: "Remove a CRM tag",
};

const validate = (v: Values) => ({
  product_id: (v.kind === "grant_access" || v.kind === "revoke_access") && !v.product_id ? "Choose a product." : undefined,
  tag: (v.kind === "add_crm_tag" || v.kind === "remove_crm_tag") && !v.tag.trim() ? "Enter the tag's name." : undefined,
});

function action(v: Values): BulkAction {
  switch (v.kind) {
    case "grant_access":
      return { type: "grant_access", product_id: v.product_id };
    case "revoke_access":
      return { type: "revoke_access", product_id: v.product_id };
    case "add_crm_tag":
      return { type: "add_crm_tag", tag: v.tag.trim() };
    case "remove_crm_tag":
      return { type: "remove_crm_tag", tag: v.tag.trim() };
  }
}

/** A bulk action on every member matching the list's filters, run as a job with progress. */
export function BulkDialog({ filter, matching, onClose }: { filter: MemberFilter; matching: number | null | undefined; onClose: () => void }) {
  const products = useProductOptions();
  const bulk = useBulk();
  const qc = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJob(jobId);
  const form = useForm<Values>({ kind: "grant_access", product_id: "", tag: "" }, validate);
  const onSubmit = form.handleSubmit(async (v) => {
    const r = await bulk.mutateAsync({ action: action(v), filter });
    setJobId(r.job_id);
  });
  const done = job.data?.status === "succeeded";
  // The list and its counts change once the job is done.
  useEffect(() => {
    if (done) void qc.invalidateQueries({ queryKey: ["users"] });
  }, [done, qc]);
  const needsProduct = form.values.kind === "grant_access" || form.values.kind === "revoke_access";
  return (
    <Dialog
      open
      onClose={onClose}
      title="Bulk action"
      description={typeof matching === "number" ? `For the ${matching.toLocaleString()} member${matching === 1 ? "" : "s"} matching the current filters.` : "For every member matching the current filters."}
      footer={
        jobId ? (
          <Button onClick={onClose}>{done ? "Done" : "Close"}</Button>
        ) : (
          <>
            <Button variant="outline" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" form="bulk-action" loading={form.submitting}>
              Run
            </Button>
          </>
        )
      }
    >
      {jobId ? (
        <div className="grid gap-2" aria-live="polite">
          <Progress value={job.data?.progress_done ?? 0} max={job.data?.progress_total} label="Bulk action progress" />
          <p className="text-sm text-muted-foreground" data-testid="bulk-status">
            {job.data?.status === "dead"
              ? `Stopped: ${job.data.last_error ?? "an error"}`
              : done
                ? `Done: ${job.data?.progress_done ?? 0} member${job.data?.progress_done === 1 ? "" : "s"}.`
                : `Working: ${job.data?.progress_done ?? 0} of ${job.data?.progress_total ?? "?"}…`}
          </p>
        </div>
      ) : (
        <form id="bulk-action" onSubmit={onSubmit} noValidate className="grid gap-4">
          <FormError message={form.formError} />
          <Field label="Action">
            {(p) => (
              <Select {...p} value={form.values.kind} onChange={(e) => form.setValue("kind", e.target.value as Kind)}>
                {(Object.keys(LABELS) as Kind[]).map((k) => (
                  <option key={k} value={k}>
                    {LABELS[k]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {needsProduct ? (
            <Field label="Product" error={form.errors.product_id}>
              {(p) => (
                <Select {...p} value={form.values.product_id} onChange={(e) => form.setValue("product_id", e.target.value)}>
                  <option value="">Choose a product…</option>
                  {(products.data ?? []).filter((x) => !x.archived_at || form.values.kind === "revoke_access").map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          ) : (
            <Field label="Tag" error={form.errors.tag}>
              {(p) => <Input {...p} value={form.values.tag} onChange={(e) => form.setValue("tag", e.target.value)} />}
            </Field>
          )}
        </form>
      )}
    </Dialog>
  );
}
