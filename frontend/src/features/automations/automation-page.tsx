import { useCallback, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { ChevronLeft, FlaskConical, Trash2 } from "lucide-react";
import { ApiError, errorMessage } from "@/api/errors";
import type { Automation } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { PageHeader } from "@/components/layout/admin-layout";
import { ErrorState, LoadingRows } from "@/components/states";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Input, Label } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { WriteFieldset, WriteOnly } from "@/features/auth/permissions";
import { useEventTypes } from "@/features/webhooks/api";
import { useAutomation, useCreateAutomation, useDeleteAutomation, useUpdateAutomation } from "./api";
import { ConditionsCard, StepsCard, TriggerCard } from "./builder";
import { DryRunDialog } from "./dry-run";
import { automationBody, draftOf, emptyDraft, validateDraft, type AutomationDraft } from "./model";
import { EnabledPill } from "./parts";
import { RunHistory } from "./run-history";

const back = (
  <ButtonLink to="/automations" variant="link" size="sm" className="h-auto w-fit px-0 text-muted-foreground">
    <ChevronLeft /> Automations
  </ButtonLink>
);

export function NewAutomationPage() {
  return <AutomationForm key="new" />;
}

export function AutomationPage() {
  const { id = "" } = useParams();
  const automation = useAutomation(id);
  if (automation.isPending) return <LoadingRows rows={6} label="Loading automation" />;
  if (automation.isError)
    return (
      <>
        {back}
        <ErrorState title="Could not load this automation" error={automation.error} onRetry={() => void automation.refetch()} />
      </>
    );
  return (
    <>
      <AutomationForm key={automation.data.id} automation={automation.data} />
      <div className="mt-6">
        <RunHistory automationId={automation.data.id} />
      </div>
    </>
  );
}

/** Where a field path of the API's 422 is shown: the form knows these prefixes, the rest is a form-level message. */
const shownOnForm = (field: string) => field === "name" || field === "steps" || field === "conditions" || /^(trigger\.|steps\[|conditions\[)/.test(field);

function AutomationForm({ automation }: { automation?: Automation }) {
  const [draft, setDraftState] = useState<AutomationDraft>(() => (automation ? draftOf(automation) : emptyDraft()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const eventTypes = useEventTypes();
  const create = useCreateAutomation();
  const update = useUpdateAutomation();
  const navigate = useNavigate();
  const toast = useToast();
  const [deleting, setDeleting] = useState(false);
  const [testing, setTesting] = useState(false);

  const set = useCallback((fn: (d: AutomationDraft) => AutomationDraft, opts?: { clear?: string }) => {
    setDraftState(fn);
    const clear = opts?.clear;
    if (!clear) return;
    // Row indices move when rows are added, removed or reordered: the old field paths no longer apply.
    setErrors((e) =>
      clear === "rows" ? Object.fromEntries(Object.entries(e).filter(([k]) => !/^(steps|conditions)\[/.test(k))) : Object.fromEntries(Object.entries(e).filter(([k]) => k !== clear)),
    );
  }, []);

  const saving = create.isPending || update.isPending;
  const onSubmit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFormError(null);
    const found = validateDraft(draft);
    setErrors(found);
    if (Object.keys(found).length) return;
    try {
      const body = automationBody(draft);
      if (automation) {
        const saved = await update.mutateAsync({ id: automation.id, body });
        setDraftState(draftOf(saved));
        toast(`Automation saved (version ${saved.version}).`);
      } else {
        const saved = await create.mutateAsync(body);
        toast("Automation created.");
        navigate(`/automations/${saved.id}`, { replace: true });
      }
    } catch (err) {
      if (err instanceof ApiError && err.problem.errors?.length) {
        const fields = err.fieldErrors;
        setErrors(fields);
        const rest = Object.entries(fields).filter(([k]) => !shownOnForm(k));
        setFormError(rest.length ? rest.map(([k, m]) => `${k}: ${m}`).join(" ") : null);
      } else {
        setFormError(errorMessage(err));
      }
    }
  };

  return (
    <>
      <PageHeader
        back={back}
        title={automation ? automation.name : "New automation"}
        description={
          automation ? (
            <>
              Version {automation.version}. Saving changes makes a new version; runs in progress keep the version they started with.
            </>
          ) : (
            "A trigger, optional conditions, and steps that run in order for the member."
          )
        }
        actions={
          automation ? (
            <>
              <EnabledPill enabled={automation.enabled} />
              <Button variant="outline" size="sm" onClick={() => setTesting(true)}>
                <FlaskConical /> Test with member…
              </Button>
              <WriteOnly>
                <Button variant="outline" size="sm" onClick={() => setDeleting(true)}>
                  <Trash2 /> Delete
                </Button>
              </WriteOnly>
            </>
          ) : null
        }
      />
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="grid gap-4" aria-label="Automation">
        <FormError message={formError ?? (Object.keys(errors).length ? "Fix the fields marked below." : null)} />
        <WriteFieldset className="m-0 grid min-w-0 gap-4 border-0 p-0">
          <Card>
            <CardContent className="grid gap-4 pt-5 sm:grid-cols-[minmax(0,1fr)_auto] sm:items-end">
              <Field label="Name" error={errors.name}>
                {(p) => <Input {...p} value={draft.name} maxLength={100} onChange={(e) => set((d) => ({ ...d, name: e.target.value }), { clear: "name" })} placeholder="Welcome, then a bonus" />}
              </Field>
              <div className="flex h-9 items-center gap-2">
                <Switch id="automation-enabled" aria-label="Enabled" checked={draft.enabled} onCheckedChange={(on) => set((d) => ({ ...d, enabled: on }))} />
                <Label htmlFor="automation-enabled">Enabled</Label>
              </div>
            </CardContent>
          </Card>
          <TriggerCard trigger={draft.trigger} set={set} errors={errors} eventTypes={eventTypes.data} />
          <ConditionsCard conditions={draft.conditions} set={set} errors={errors} />
          <StepsCard steps={draft.steps} set={set} errors={errors} />
        </WriteFieldset>
        <WriteOnly>
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" loading={saving}>
              {automation ? "Save changes" : "Save"}
            </Button>
            {automation ? <p className="text-xs text-muted-foreground">Runs already in progress are not changed by saving.</p> : null}
          </div>
        </WriteOnly>
      </form>
      {automation ? (
        <>
          <DeleteAutomationDialog automation={automation} open={deleting} onClose={() => setDeleting(false)} />
          {testing ? <DryRunDialog automation={automation} onClose={() => setTesting(false)} /> : null}
        </>
      ) : null}
    </>
  );
}

function DeleteAutomationDialog({ automation, open, onClose }: { automation: Automation; open: boolean; onClose: () => void }) {
  const remove = useDeleteAutomation();
  const navigate = useNavigate();
  const toast = useToast();
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Delete this automation?"
      description={`"${automation.name}" and its run history are deleted; runs in progress stop. This cannot be undone.`}
      footer={
        <>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="destructive"
            loading={remove.isPending}
            onClick={() =>
              remove.mutate(automation.id, {
                onSuccess: () => {
                  toast(`Deleted ${automation.name}.`);
                  navigate("/automations", { replace: true });
                },
                onError: (err) => toast(errorMessage(err), "error"),
              })
            }
          >
            Delete automation
          </Button>
        </>
      }
    />
  );
}
