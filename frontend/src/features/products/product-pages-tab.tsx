import { useState } from "react";
import { ArrowDown, ArrowUp, Pencil, Plus, Trash2 } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { ProductPage } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { EmptyState, ListStates } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle, CardDescription } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Input, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { useMarkdownPreview, usePageMutations, usePages } from "./api";
import { RenderedMarkdown } from "@/components/rendered-markdown";
import { WriteOnly } from "@/features/auth/permissions";

type Editing = { mode: "new" } | { mode: "edit"; page: ProductPage } | null;

export function ProductPagesTab({ productId }: { productId: string }) {
  const pages = usePages(productId);
  const { update, remove } = usePageMutations(productId);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<ProductPage | null>(null);
  const [moving, setMoving] = useState(false);
  const toast = useToast();

  /** Moves a page one step; renumbers every page 0..n-1 so ties and gaps in `position` cannot confuse the order. */
  const move = async (list: ProductPage[], index: number, dir: -1 | 1) => {
    const order = [...list];
    const [moved] = order.splice(index, 1);
    order.splice(index + dir, 0, moved!);
    setMoving(true);
    try {
      for (const [position, page] of order.entries()) {
        if (page.position !== position) await update.mutateAsync({ pageId: page.id, position });
      }
    } catch (e) {
      toast(errorMessage(e), "error");
    } finally {
      setMoving(false);
    }
  };

  return (
    <Card>
      <CardHeader className="flex-row items-center justify-between gap-4 border-b pb-4">
        <div>
          <CardTitle>Pages</CardTitle>
          <CardDescription>Lessons and content, in the order members see them.</CardDescription>
        </div>
        <WriteOnly>
          <Button size="sm" onClick={() => setEditing({ mode: "new" })}>
            <Plus /> Add page
          </Button>
        </WriteOnly>
      </CardHeader>
      <ListStates
        query={pages}
        empty={<EmptyState title="No pages yet" description="Add the first page of this product." />}
      >
        {(list) => (
          <ol className="divide-y">
            {list.map((page, i) => (
              <li key={page.id} className="flex items-center gap-3 px-4 py-3">
                <span className="flex size-7 shrink-0 items-center justify-center rounded-full bg-muted text-xs font-medium tabular-nums">{i + 1}</span>
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium">{page.title}</p>
                  {page.body ? <p className="truncate text-xs text-muted-foreground">{page.body}</p> : null}
                </div>
                <WriteOnly>
                <div className="flex shrink-0 items-center">
                  <Button variant="ghost" size="icon" aria-label={`Move ${page.title} up`} disabled={i === 0 || moving} onClick={() => void move(list, i, -1)}>
                    <ArrowUp />
                  </Button>
                  <Button
                    variant="ghost"
                    size="icon"
                    aria-label={`Move ${page.title} down`}
                    disabled={i === list.length - 1 || moving}
                    onClick={() => void move(list, i, 1)}
                  >
                    <ArrowDown />
                  </Button>
                  <Button variant="ghost" size="icon" aria-label={`Edit ${page.title}`} onClick={() => setEditing({ mode: "edit", page })}>
                    <Pencil />
                  </Button>
                  <Button variant="ghost" size="icon" aria-label={`Delete ${page.title}`} onClick={() => setDeleting(page)}>
                    <Trash2 className="text-destructive" />
                  </Button>
                </div>
                </WriteOnly>
              </li>
            ))}
          </ol>
        )}
      </ListStates>
      {editing ? (
        <PageDialog
          productId={productId}
          editing={editing}
          nextPosition={(pages.data?.reduce((m, p) => Math.max(m, p.position), -1) ?? -1) + 1}
          onClose={() => setEditing(null)}
        />
      ) : null}
      <Dialog
        open={!!deleting}
        onClose={() => setDeleting(null)}
        title="Delete page?"
        description={deleting ? `“${deleting.title}” will be removed from this product.` : undefined}
        footer={
          <>
            <Button variant="outline" onClick={() => setDeleting(null)}>
              Cancel
            </Button>
            <Button
              variant="destructive"
              loading={remove.isPending}
              onClick={() =>
                deleting &&
                remove.mutate(deleting.id, {
                  onSuccess: () => {
                    setDeleting(null);
                    toast("Page deleted.");
                  },
                  onError: (e) => toast(errorMessage(e), "error"),
                })
              }
            >
              Delete
            </Button>
          </>
        }
      />
    </Card>
  );
}

type PageValues = { title: string; body: string };
const validatePage = (v: PageValues) => ({ title: !v.title.trim() ? "Give the page a title." : undefined });

function PageDialog({ productId, editing, nextPosition, onClose }: { productId: string; editing: NonNullable<Editing>; nextPosition: number; onClose: () => void }) {
  const { create, update } = usePageMutations(productId);
  const initial = editing.mode === "edit" ? { title: editing.page.title, body: editing.page.body ?? "" } : { title: "", body: "" };
  const form = useForm<PageValues>(initial, validatePage);
  const toast = useToast();
  const onSubmit = form.handleSubmit(async (v) => {
    if (editing.mode === "edit") {
      await update.mutateAsync({ pageId: editing.page.id, title: v.title.trim(), body: v.body });
      toast("Page saved.");
    } else {
      await create.mutateAsync({ title: v.title.trim(), body: v.body, position: nextPosition });
      toast("Page added.");
    }
    onClose();
  });
  return (
    <Dialog
      open
      onClose={onClose}
      className="sm:max-w-4xl"
      title={editing.mode === "edit" ? "Edit page" : "Add page"}
      footer={
        <>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="page-form" loading={form.submitting}>
            {editing.mode === "edit" ? "Save page" : "Add page"}
          </Button>
        </>
      }
    >
      <form id="page-form" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Title" error={form.errors.title}>
          {(p) => <Input {...p} value={form.values.title} onChange={(e) => form.setValue("title", e.target.value)} />}
        </Field>
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Body" error={form.errors.body} hint="Markdown: **bold**, *italic*, # headings, - lists, [links](https://…).">
            {(p) => <Textarea {...p} rows={14} value={form.values.body} onChange={(e) => form.setValue("body", e.target.value)} className="font-mono text-sm" />}
          </Field>
          <MarkdownPreview markdown={form.values.body} />
        </div>
      </form>
    </Dialog>
  );
}

/** What members will see: the server renders and sanitizes the Markdown with the same renderer. */
function MarkdownPreview({ markdown }: { markdown: string }) {
  const preview = useMarkdownPreview(markdown);
  return (
    <section aria-label="Preview" className="grid content-start gap-1.5">
      <h3 className="text-sm font-medium">Preview</h3>
      <div className="min-h-40 rounded-md border bg-muted/30 p-3 text-sm" data-testid="markdown-preview">
        {!markdown.trim() ? (
          <p className="text-muted-foreground">The formatted lesson appears here as you type.</p>
        ) : preview.isError ? (
          <p className="text-destructive">{errorMessage(preview.error)}</p>
        ) : preview.data !== undefined ? (
          <RenderedMarkdown html={preview.data} />
        ) : (
          <p className="text-muted-foreground">Rendering…</p>
        )}
      </div>
    </section>
  );
}
