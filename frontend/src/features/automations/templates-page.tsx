import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ChevronLeft, Plus, Trash2 } from "lucide-react";
import { ApiError, errorMessage } from "@/api/errors";
import type { EmailTemplate, TemplatePreview } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Input, Textarea } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { WriteFieldset, WriteOnly, useCanWrite } from "@/features/auth/permissions";
import { formatDateTime } from "@/lib/utils";
import { previewTemplate, useDeleteTemplate, useSaveTemplate, useTemplate, useTemplateReference, useTemplates } from "./api";

const backToAutomations = (
  <ButtonLink to="/automations" variant="link" size="sm" className="h-auto w-fit px-0 text-muted-foreground">
    <ChevronLeft /> Automations
  </ButtonLink>
);

export function TemplatesPage() {
  const templates = useTemplates();
  const reference = useTemplateReference();
  return (
    <>
      <PageHeader
        back={backToAutomations}
        title="Email templates"
        description="Subject and Markdown body with {{variables}}, sent by an automation's Send email step."
        actions={
          <WriteOnly>
            <ButtonLink to="/automations/templates/new">
              <Plus /> New template
            </ButtonLink>
          </WriteOnly>
        }
      />
      <div className="grid gap-6">
        <Card>
          <CardHeader>
            <CardTitle>Your templates</CardTitle>
          </CardHeader>
          {templates.isPending ? (
            <LoadingRows rows={3} label="Loading templates" />
          ) : templates.isError ? (
            <ErrorState title="Could not load the templates" error={templates.error} onRetry={() => void templates.refetch()} />
          ) : templates.data.length === 0 ? (
            <EmptyState title="No templates yet" description="The built-in templates below work out of the box; write your own for anything else." />
          ) : (
            <Table aria-label="Email templates">
              <THead>
                <TR>
                  <TH>Name</TH>
                  <TH className="hidden sm:table-cell">Subject</TH>
                  <TH className="hidden md:table-cell">Updated</TH>
                </TR>
              </THead>
              <TBody>
                {templates.data.map((t) => (
                  <TR key={t.id}>
                    <TD>
                      <Link to={`/automations/templates/${t.id}`} className="font-medium break-words hover:underline">
                        {t.name}
                      </Link>
                    </TD>
                    <TD className="hidden sm:table-cell break-words">{t.subject}</TD>
                    <TD className="hidden md:table-cell text-muted-foreground">{formatDateTime(t.updated_at)}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Built-in templates</CardTitle>
            <CardDescription>Always available; they cannot be changed.</CardDescription>
          </CardHeader>
          <CardContent>
            <ul className="m-0 grid list-none gap-3 p-0" aria-label="Built-in templates">
              {(reference.data?.built_in ?? []).map((t) => (
                <li key={t.id} className="grid gap-0.5 text-sm">
                  <span className="font-medium">
                    {t.name} <Badge variant="outline">Built-in</Badge>
                  </span>
                  <span className="text-muted-foreground break-words">{t.subject}</span>
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      </div>
    </>
  );
}

const backToTemplates = (
  <ButtonLink to="/automations/templates" variant="link" size="sm" className="h-auto w-fit px-0 text-muted-foreground">
    <ChevronLeft /> Email templates
  </ButtonLink>
);

export function TemplateEditorPage() {
  const { id = "new" } = useParams();
  const isNew = id === "new";
  const template = useTemplate(id, !isNew);
  if (isNew) return <TemplateEditor key="new" />;
  if (template.isPending) return <LoadingRows rows={6} label="Loading template" />;
  if (template.isError)
    return (
      <>
        {backToTemplates}
        <ErrorState title="Could not load this template" error={template.error} onRetry={() => void template.refetch()} />
      </>
    );
  return <TemplateEditor key={template.data.id} template={template.data} />;
}

type TemplateValues = { name: string; subject: string; body: string };

const validateTemplate = (v: TemplateValues) => ({
  name: !v.name.trim() ? "Give the template a name." : undefined,
  subject: !v.subject.trim() ? "Enter a subject." : v.subject.includes("\n") ? "Keep the subject on one line." : undefined,
  body: !v.body.trim() ? "Write the email's body." : undefined,
});

/** Renders the subject and body (debounced) for the sample member; a 422 names the field with an unknown variable. */
export function useLivePreview(subject: string, body: string, delay = 400) {
  const [state, setState] = useState<{ preview: TemplatePreview | null; errors: Record<string, string>; error: string | null; loading: boolean }>({
    preview: null,
    errors: {},
    error: null,
    loading: false,
  });
  useEffect(() => {
    if (!subject.trim() || !body.trim()) return;
    const ctrl = new AbortController();
    const t = setTimeout(() => {
      setState((s) => ({ ...s, loading: true }));
      previewTemplate({ subject, body }, ctrl.signal).then(
        (preview) => setState({ preview, errors: {}, error: null, loading: false }),
        (err: unknown) => {
          if (ctrl.signal.aborted) return;
          const fields = err instanceof ApiError ? err.fieldErrors : {};
          setState((s) => ({ ...s, errors: fields, error: Object.keys(fields).length ? null : errorMessage(err), loading: false }));
        },
      );
    }, delay);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [subject, body, delay]);
  return state;
}

function TemplateEditor({ template }: { template?: EmailTemplate }) {
  const form = useForm<TemplateValues>(template ? { name: template.name, subject: template.subject, body: template.body } : { name: "", subject: "", body: "" }, validateTemplate);
  const save = useSaveTemplate();
  const reference = useTemplateReference();
  const navigate = useNavigate();
  const toast = useToast();
  const canWrite = useCanWrite();
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const [deleting, setDeleting] = useState(false);
  const live = useLivePreview(form.values.subject, form.values.body);

  const onSubmit = form.handleSubmit(async (v) => {
    const saved = await save.mutateAsync({ id: template?.id, body: { name: v.name.trim(), subject: v.subject.trim(), body: v.body } });
    toast(template ? "Template saved." : "Template created.");
    if (!template) navigate(`/automations/templates/${saved.id}`, { replace: true });
    else form.reset({ name: saved.name, subject: saved.subject, body: saved.body });
  });

  const insert = (name: string) => {
    const token = `{{${name}}}`;
    const el = bodyRef.current;
    const v = form.values.body;
    const start = el?.selectionStart ?? v.length;
    const end = el?.selectionEnd ?? v.length;
    form.setValue("body", v.slice(0, start) + token + v.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  return (
    <>
      <PageHeader
        back={backToTemplates}
        title={template ? template.name : "New template"}
        description="Markdown: **bold**, _italic_, [links](https://…), lists. Raw HTML is removed when the email is rendered."
        actions={
          template ? (
            <WriteOnly>
              <Button variant="outline" size="sm" onClick={() => setDeleting(true)}>
                <Trash2 /> Delete
              </Button>
            </WriteOnly>
          ) : null
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <form onSubmit={onSubmit} noValidate aria-label="Template">
            <CardContent className="grid gap-4 pt-5">
              <FormError message={form.formError} />
              <WriteFieldset>
                <Field label="Name" error={form.errors.name}>
                  {(p) => <Input {...p} value={form.values.name} maxLength={100} onChange={(e) => form.setValue("name", e.target.value)} />}
                </Field>
                <Field label="Subject" error={form.errors.subject ?? live.errors.subject}>
                  {(p) => <Input {...p} value={form.values.subject} maxLength={200} onChange={(e) => form.setValue("subject", e.target.value)} placeholder="Welcome to {{site.name}}" />}
                </Field>
                <Field label="Body (Markdown)" error={form.errors.body ?? live.errors.body}>
                  {(p) => <Textarea {...p} ref={bodyRef} rows={14} className="font-mono text-xs" value={form.values.body} onChange={(e) => form.setValue("body", e.target.value)} />}
                </Field>
              </WriteFieldset>
              <div className="grid gap-1.5">
                <p className="text-sm font-medium">Variables</p>
                <div className="flex flex-wrap gap-1.5" role="group" aria-label="Variables">
                  {(reference.data?.variables ?? []).map((v) => (
                    <button
                      key={v.name}
                      type="button"
                      title={v.description}
                      disabled={!canWrite}
                      onClick={() => insert(v.name)}
                      aria-label={`Insert {{${v.name}}}`}
                      className="rounded-md border bg-muted px-2 py-0.5 font-mono text-xs hover:bg-accent disabled:cursor-default"
                    >
                      {`{{${v.name}}}`}
                    </button>
                  ))}
                </div>
              </div>
              <WriteOnly>
                <Button type="submit" className="w-fit" loading={form.submitting}>
                  {template ? "Save changes" : "Create template"}
                </Button>
              </WriteOnly>
            </CardContent>
          </form>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Preview</CardTitle>
            <CardDescription>For a sample member and product. {live.loading ? "Updating…" : null}</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-3">
            {live.error ? <FormError message={live.error} /> : null}
            {live.preview ? (
              <>
                <p className="text-sm">
                  <span className="text-muted-foreground">Subject: </span>
                  <span data-testid="preview-subject" className="font-medium break-words">
                    {live.preview.subject}
                  </span>
                </p>
                <iframe title="HTML preview" sandbox="" srcDoc={live.preview.html} className="h-72 w-full rounded-md border bg-white" />
                <details>
                  <summary className="cursor-pointer text-sm font-medium">Plain-text part</summary>
                  <pre data-testid="preview-text" className="mt-2 max-h-60 overflow-auto rounded-md border bg-muted p-3 text-xs whitespace-pre-wrap break-words">
                    {live.preview.text}
                  </pre>
                </details>
              </>
            ) : (
              <p className="text-sm text-muted-foreground">Write a subject and a body to see the email.</p>
            )}
          </CardContent>
        </Card>
      </div>
      {template ? <DeleteTemplateDialog template={template} open={deleting} onClose={() => setDeleting(false)} /> : null}
    </>
  );
}

function DeleteTemplateDialog({ template, open, onClose }: { template: EmailTemplate; open: boolean; onClose: () => void }) {
  const remove = useDeleteTemplate();
  const navigate = useNavigate();
  const toast = useToast();
  const inUse = remove.error instanceof ApiError && remove.error.status === 409;
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Delete this template?"
      description={`"${template.name}" is deleted. This cannot be undone.`}
      footer={
        <>
          <Button variant="outline" onClick={close}>
            Cancel
          </Button>
          <Button
            variant="destructive"
            loading={remove.isPending}
            disabled={inUse}
            onClick={() =>
              remove.mutate(template.id, {
                onSuccess: () => {
                  toast(`Deleted ${template.name}.`);
                  navigate("/automations/templates", { replace: true });
                },
              })
            }
          >
            Delete template
          </Button>
        </>
      }
    >
      {remove.isError ? (
        <FormError
          message={
            inUse
              ? `An automation's Send email step uses this template, so it cannot be deleted. Change or remove that step first. (${errorMessage(remove.error)})`
              : errorMessage(remove.error)
          }
        />
      ) : null}
    </Dialog>
  );
}
