import { useEffect, useState } from "react";
import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";
import type { StageBody } from "@/api/types";
import { ApiError, errorMessage } from "@/api/errors";
import { Field, FormError } from "@/components/form/field";
import { PageHeader } from "@/components/layout/admin-layout";
import { ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Progress } from "@/components/ui/progress";
import { useToast } from "@/components/ui/toast";
import { WriteFieldset } from "@/features/auth/permissions";
import { useSaveStages, useStages } from "./api";
import { MAX_STAGES, STATUS_CHOICES, move, toggleStatus, validateStages } from "./model";

/** Settings → Lifecycle stages: names, the Stripe statuses behind each, and their priority. */
export function StagesPage() {
  const stages = useStages();
  const save = useSaveStages();
  const toast = useToast();
  const [draft, setDraft] = useState<StageBody[] | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    if (stages.data && draft === null) setDraft(stages.data.stages);
  }, [stages.data, draft]);

  if (stages.isPending || (stages.data && draft === null)) return <LoadingRows rows={4} />;
  if (stages.isError) return <ErrorState title="Could not load the stages" error={stages.error} onRetry={() => void stages.refetch()} />;
  const rows = draft ?? [];
  const recompute = stages.data.recompute;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const local = validateStages(rows);
    setErrors(local);
    if (Object.keys(local).length) return;
    save.mutate(
      rows.map((s) => ({ ...s, name: s.name.trim() })),
      {
        onSuccess: (saved) => {
          setDraft(saved.stages);
          toast("Stages saved. Every member’s stage is being recomputed.");
        },
        onError: (err) => setErrors(err instanceof ApiError ? err.fieldErrors : {}),
      },
    );
  };

  return (
    <>
      <PageHeader
        title="Lifecycle stages"
        description="Each member takes the first stage, from the top, that one of their Stripe subscriptions matches. Stage changes appear in the activity feed and reach webhooks and automations."
      />
      {recompute.running ? (
        <Card className="mb-4">
          <CardContent className="grid gap-2 p-4">
            <p className="text-sm">
              Recomputing members' stages: {recompute.done} of {recompute.total}
            </p>
            <Progress value={recompute.done} max={recompute.total} label="Recomputing stages" />
          </CardContent>
        </Card>
      ) : null}
      <form onSubmit={submit} noValidate>
        <WriteFieldset>
          <div className="grid gap-3">
            {rows.map((s, i) => (
              <Card key={i} aria-label={`Stage ${i + 1}`} role="group">
                <CardHeader className="flex-row items-start justify-between gap-2 pb-2">
                  <div className="flex items-center gap-2">
                    <Badge variant="outline">{i + 1}</Badge>
                    <CardTitle className="text-base">{s.name.trim() || "New stage"}</CardTitle>
                  </div>
                  <div className="flex gap-1">
                    <Button type="button" variant="ghost" size="sm" aria-label={`Move ${s.name || "stage"} up`} disabled={i === 0} onClick={() => setDraft(move(rows, i, -1))}>
                      <ArrowUp />
                    </Button>
                    <Button type="button" variant="ghost" size="sm" aria-label={`Move ${s.name || "stage"} down`} disabled={i === rows.length - 1} onClick={() => setDraft(move(rows, i, 1))}>
                      <ArrowDown />
                    </Button>
                    <Button type="button" variant="ghost" size="sm" aria-label={`Remove ${s.name || "stage"}`} disabled={rows.length === 1} onClick={() => setDraft(rows.filter((_, j) => j !== i))}>
                      <Trash2 />
                    </Button>
                  </div>
                </CardHeader>
                <CardContent className="grid gap-3">
                  <Field label="Name" error={errors[`stages[${i}].name`]}>
                    {(p) => <Input {...p} value={s.name} maxLength={60} onChange={(e) => setDraft(rows.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />}
                  </Field>
                  <fieldset>
                    <legend className="mb-1 text-sm font-medium">Subscription statuses</legend>
                    <div className="flex flex-wrap gap-x-4 gap-y-2">
                      {STATUS_CHOICES.map((c) => (
                        <label key={c.value} className="flex items-center gap-2 text-sm">
                          <input type="checkbox" checked={s.statuses.includes(c.value)} onChange={() => setDraft(toggleStatus(rows, i, c.value))} />
                          {c.label}
                        </label>
                      ))}
                    </div>
                    {Object.entries(errors)
                      .filter(([k]) => k.startsWith(`stages[${i}].statuses`))
                      .map(([k, m]) => (
                        <p key={k} className="mt-1 text-xs font-medium text-destructive">
                          {m}
                        </p>
                      ))}
                  </fieldset>
                </CardContent>
              </Card>
            ))}
          </div>
          <Card className="mt-3">
            <CardHeader>
              <CardTitle className="text-base">Priority</CardTitle>
              <CardDescription>
                A member with several subscriptions takes the highest stage. A status can belong to one stage only; ticking it moves it. Members
                without any subscription get the stage with “No subscription”, or none.
              </CardDescription>
            </CardHeader>
            <CardFooter className="flex flex-wrap justify-between gap-2">
              <Button
                type="button"
                variant="outline"
                disabled={rows.length >= MAX_STAGES}
                onClick={() => setDraft([...rows, { name: "", statuses: [] }])}
              >
                <Plus /> Add stage
              </Button>
              <div className="flex items-center gap-3">
                <FormError message={errors["stages"] ?? (save.isError && !(save.error instanceof ApiError && Object.keys(save.error.fieldErrors).length) ? errorMessage(save.error) : null)} />
                <Button type="submit" loading={save.isPending}>
                  Save stages
                </Button>
              </div>
            </CardFooter>
          </Card>
        </WriteFieldset>
      </form>
    </>
  );
}
