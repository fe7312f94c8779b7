import { useState } from "react";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input, Select } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { type MemberFilter, useSaveSegment, useSegments } from "@/features/segments/api";
import type { MemberFilterValues } from "./member-filters";

/** Picks a saved segment (its filters replace the list's) or saves the current filters as one. */
export function SegmentControls({ filter, search, apply, canSave }: { filter: MemberFilter; search: string; apply: (f: MemberFilterValues, q: string) => void; canSave: boolean }) {
  const segments = useSegments();
  const [saving, setSaving] = useState(false);
  const list = segments.data ?? [];
  return (
    <>
      {list.length > 0 ? (
        <Select
          aria-label="Segment"
          className="w-auto"
          value=""
          onChange={(e) => {
            const s = list.find((x) => x.id === e.target.value);
            if (!s) return;
            const { q, ...rest } = s.filter;
            const values: MemberFilterValues = {};
            for (const [k, v] of Object.entries(rest)) if (v !== null && v !== undefined) (values as Record<string, string>)[k] = String(v);
            apply(values, q ?? "");
          }}
        >
          <option value="">Saved segments…</option>
          {list.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </Select>
      ) : null}
      {canSave ? (
        <Button variant="outline" size="sm" onClick={() => setSaving(true)}>
          Save as segment
        </Button>
      ) : null}
      {saving ? <SaveSegmentDialog filter={{ ...filter, ...(search ? { q: search } : {}) }} onClose={() => setSaving(false)} /> : null}
    </>
  );
}

function SaveSegmentDialog({ filter, onClose }: { filter: MemberFilter; onClose: () => void }) {
  const save = useSaveSegment();
  const toast = useToast();
  const form = useForm<{ name: string }>({ name: "" }, (v) => ({ name: v.name.trim() ? undefined : "Name the segment." }));
  const onSubmit = form.handleSubmit(async (v) => {
    await save.mutateAsync({ name: v.name.trim(), filter });
    toast("Segment saved. Automations can check it as a condition.");
    onClose();
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title="Save as segment"
      description="A segment keeps these filters under a name: pick it on this page, run bulk actions on it, or check it in an automation."
      footer={
        <>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="save-segment" loading={form.submitting}>
            Save
          </Button>
        </>
      }
    >
      <form id="save-segment" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Name" error={form.errors.name}>
          {(p) => <Input {...p} value={form.values.name} onChange={(e) => form.setValue("name", e.target.value)} />}
        </Field>
      </form>
    </Dialog>
  );
}
