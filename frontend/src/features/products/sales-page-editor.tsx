import { useState } from "react";
import { ArrowDown, ArrowUp, ExternalLink, Plus, Trash2 } from "lucide-react";
import { ApiError, errorMessage } from "@/api/errors";
import type { Block, BlockType, SalesPage } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { isUrl } from "@/components/form/use-form";
import { EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Select, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { useProductOptions } from "./api";
import { useSalesPage, useSalesPageMutations } from "./stripe-api";
import { WriteFieldset, WriteOnly } from "@/features/auth/permissions";

export const templates = [
  { value: "classic", label: "Classic", description: "Heading, text, three bullets, a button." },
  { value: "minimal", label: "Minimal", description: "Heading, text and a button." },
  { value: "long_form", label: "Long form", description: "Sections with headings and bullets." },
] as const;

export const blockTypes: { value: BlockType; label: string }[] = [
  { value: "heading", label: "Heading" },
  { value: "text", label: "Text" },
  { value: "image", label: "Image" },
  { value: "video", label: "Video" },
  { value: "bullets", label: "Bullet list" },
  { value: "cta", label: "Button" },
];
const blockLabel = (t: BlockType) => blockTypes.find((b) => b.value === t)?.label ?? t;

export function emptyBlock(type: BlockType): Block {
  switch (type) {
    case "heading":
    case "text":
      return { type, text: "" };
    case "image":
      return { type, url: "", alt: "" };
    case "video":
      return { type, url: "" };
    case "bullets":
      return { type, items: [""] };
    case "cta":
      return { type, label: "" };
  }
}

/** Client-side checks with the API's field paths (`blocks[2].url`). */
export function validateSalesPage(title: string, ctaLabel: string, blocks: Block[]): Record<string, string> {
  const e: Record<string, string> = {};
  if (!title.trim()) e.title = "Give the page a title.";
  if (!ctaLabel.trim()) e.cta_label = "Enter the button label.";
  blocks.forEach((b, i) => {
    const f = (n: string) => `blocks[${i}].${n}`;
    if ((b.type === "heading" || b.type === "text") && !b.text.trim()) e[f("text")] = "Enter some text.";
    if ((b.type === "image" || b.type === "video") && !isUrl(b.url)) e[f("url")] = "Enter a full URL (https://…).";
    if (b.type === "bullets") b.items.forEach((it, j) => !it.trim() && (e[`blocks[${i}].items[${j}]`] = "Fill in or remove this item."));
    if (b.type === "cta" && !b.label.trim()) e[f("label")] = "Enter the button label.";
  });
  return e;
}

type Keyed = { key: number; block: Block };
let nextKey = 1;
const keyed = (blocks: Block[]): Keyed[] => blocks.map((block) => ({ key: nextKey++, block }));

/** The product's "Sales page" tab: create from a template or another product's page, then edit blocks. */
export function SalesPageTab({ productId, appId }: { productId: string; appId: string }) {
  const page = useSalesPage(productId);
  if (page.isPending) return <LoadingRows rows={5} />;
  if (page.isError) return <ErrorState title="Could not load the sales page" error={page.error} onRetry={() => void page.refetch()} />;
  if (!page.data) return <WriteOnly fallback={<EmptyState title="No sales page yet" />}><CreateSalesPage productId={productId} /></WriteOnly>;
  return <SalesPageEditor key={page.data.updated_at} productId={productId} appId={appId} page={page.data} />;
}

function CreateSalesPage({ productId, compact = false }: { productId: string; compact?: boolean }) {
  const { createFrom } = useSalesPageMutations(productId);
  const products = useProductOptions();
  const [from, setFrom] = useState("");
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  const run = (body: { template: string } | { from_product_id: string }) => {
    setError(null);
    createFrom.mutate(body, {
      onSuccess: () => toast("Sales page created."),
      onError: (e) => setError(e instanceof ApiError && e.status === 404 && "from_product_id" in body ? "That product has no sales page to copy." : errorMessage(e)),
    });
  };
  const others = (products.data ?? []).filter((p) => p.id !== productId);
  return (
    <Card>
      <CardHeader>
        <CardTitle>{compact ? "Start over" : "Sales page"}</CardTitle>
        <CardDescription>
          {compact ? "Replace this page with a template or a copy of another product's page." : "A page that sells this product, with a button to the purchase method. Start from a template or copy another product's page."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {!compact ? <EmptyState title="No sales page yet" /> : null}
        <FormError message={error} />
        <div className="grid gap-3 sm:grid-cols-3">
          {templates.map((t) => (
            <div key={t.value} className="flex flex-col gap-2 rounded-md border p-3">
              <p className="font-medium">{t.label}</p>
              <p className="flex-1 text-xs text-muted-foreground">{t.description}</p>
              <Button variant="outline" size="sm" loading={createFrom.isPending && createFrom.variables && "template" in createFrom.variables && createFrom.variables.template === t.value} onClick={() => run({ template: t.value })}>
                Use {t.label}
              </Button>
            </div>
          ))}
        </div>
        <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
          <Field label="Duplicate from" className="flex-1">
            {(p) => (
              <Select {...p} value={from} onChange={(e) => setFrom(e.target.value)}>
                <option value="">Choose a product…</option>
                {others.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Button variant="outline" disabled={!from} onClick={() => run({ from_product_id: from })}>
            Duplicate
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}

export function SalesPageEditor({ productId, appId, page }: { productId: string; appId: string; page: SalesPage }) {
  const { save } = useSalesPageMutations(productId);
  const toast = useToast();
  const [title, setTitle] = useState(page.title);
  const [ctaLabel, setCtaLabel] = useState(page.cta_label);
  const [blocks, setBlocks] = useState<Keyed[]>(() => keyed(page.blocks as unknown as Block[]));
  const [adding, setAdding] = useState<BlockType>("text");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const update = (i: number, block: Block) => {
    setBlocks((bs) => bs.map((b, j) => (j === i ? { ...b, block } : b)));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith(`blocks[${i}]`))));
  };
  const move = (i: number, dir: -1 | 1) => {
    setBlocks((bs) => {
      const next = [...bs];
      const [m] = next.splice(i, 1);
      next.splice(i + dir, 0, m!);
      return next;
    });
    setErrors({});
  };
  const remove = (i: number) => {
    setBlocks((bs) => bs.filter((_, j) => j !== i));
    setErrors({});
  };

  const onSave = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    setFormError(null);
    const list = blocks.map((b) => b.block);
    const found = validateSalesPage(title, ctaLabel, list);
    setErrors(found);
    if (Object.keys(found).length) {
      setFormError("Some blocks need attention.");
      return;
    }
    try {
      await save.mutateAsync({ title: title.trim(), cta_label: ctaLabel.trim(), blocks: list });
      toast("Sales page saved.");
    } catch (err) {
      if (err instanceof ApiError && err.problem.errors?.length) {
        setErrors(Object.fromEntries(err.problem.errors.map((f) => [f.field, f.message])));
        const placed = err.problem.errors.filter((f) => f.field === "title" || f.field === "cta_label" || f.field.startsWith("blocks["));
        setFormError(placed.length === err.problem.errors.length ? err.message : err.problem.errors.map((f) => `${f.field}: ${f.message}`).join(" "));
      } else setFormError(errorMessage(err));
    }
  };

  const blockError = (i: number, f: string) => errors[`blocks[${i}].${f}`];

  return (
    <div className="grid gap-4">
      <form onSubmit={(e) => void onSave(e)} noValidate>
        <WriteFieldset className="contents">
        <Card>
          <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
            <div>
              <CardTitle>Sales page</CardTitle>
              <CardDescription>{page.template ? `From the ${templates.find((t) => t.value === page.template)?.label ?? page.template} template.` : "Shown to visitors before they buy."}</CardDescription>
            </div>
            <a href={`/p/${appId}/${productId}`} target="_blank" rel="noreferrer" className="flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
              View page <ExternalLink className="size-4" />
            </a>
          </CardHeader>
          <CardContent className="grid gap-4">
            <FormError message={formError} />
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Page title" error={errors.title}>
                {(p) => <Input {...p} value={title} onChange={(e) => setTitle(e.target.value)} />}
              </Field>
              <Field label="Button label" error={errors.cta_label} hint="Shown at the end of the page when it has no Button block.">
                {(p) => <Input {...p} value={ctaLabel} onChange={(e) => setCtaLabel(e.target.value)} />}
              </Field>
            </div>
            {errors.blocks ? <p className="text-xs font-medium text-destructive">{errors.blocks}</p> : null}
            <ol className="grid gap-3" aria-label="Blocks">
              {blocks.map(({ key, block }, i) => (
                <li key={key} className="rounded-md border p-3" aria-label={`Block ${i + 1}: ${blockLabel(block.type)}`}>
                  <div className="mb-2 flex items-center justify-between gap-2">
                    <span className="text-xs font-medium uppercase tracking-wide text-muted-foreground">
                      {i + 1}. {blockLabel(block.type)}
                    </span>
                    <div className="flex items-center">
                      <Button variant="ghost" size="icon" aria-label={`Move block ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                        <ArrowUp />
                      </Button>
                      <Button variant="ghost" size="icon" aria-label={`Move block ${i + 1} down`} disabled={i === blocks.length - 1} onClick={() => move(i, 1)}>
                        <ArrowDown />
                      </Button>
                      <Button variant="ghost" size="icon" aria-label={`Remove block ${i + 1}`} onClick={() => remove(i)}>
                        <Trash2 className="text-destructive" />
                      </Button>
                    </div>
                  </div>
                  <BlockFields block={block} index={i} error={(f) => blockError(i, f)} onChange={(b) => update(i, b)} />
                </li>
              ))}
            </ol>
            {blocks.length === 0 ? <p className="text-sm text-muted-foreground">No blocks. Add a heading, text or image below.</p> : null}
          </CardContent>
          <CardFooter className="flex-wrap justify-between">
            <div className="flex items-center gap-2">
              <Select aria-label="Block type" value={adding} onChange={(e) => setAdding(e.target.value as BlockType)} className="w-36">
                {blockTypes.map((t) => (
                  <option key={t.value} value={t.value}>
                    {t.label}
                  </option>
                ))}
              </Select>
              <Button variant="outline" size="sm" onClick={() => setBlocks((bs) => [...bs, ...keyed([emptyBlock(adding)])])}>
                <Plus /> Add block
              </Button>
            </div>
            <Button type="submit" loading={save.isPending}>
              Save sales page
            </Button>
          </CardFooter>
        </Card>
        </WriteFieldset>
      </form>
      <WriteOnly>
        <CreateSalesPage productId={productId} compact />
      </WriteOnly>
    </div>
  );
}

function BlockFields({ block, index, error, onChange }: { block: Block; index: number; error: (field: string) => string | undefined; onChange: (b: Block) => void }) {
  const n = index + 1;
  switch (block.type) {
    case "heading":
      return <Field label={`Heading text (block ${n})`} error={error("text")}>{(p) => <Input {...p} value={block.text} onChange={(e) => onChange({ ...block, text: e.target.value })} />}</Field>;
    case "text":
      return <Field label={`Text (block ${n})`} error={error("text")}>{(p) => <Textarea {...p} rows={4} value={block.text} onChange={(e) => onChange({ ...block, text: e.target.value })} />}</Field>;
    case "image":
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label={`Image URL (block ${n})`} error={error("url")}>{(p) => <Input {...p} type="url" placeholder="https://…" value={block.url} onChange={(e) => onChange({ ...block, url: e.target.value })} />}</Field>
          <Field label={`Alt text (block ${n})`} error={error("alt")}>{(p) => <Input {...p} value={block.alt} onChange={(e) => onChange({ ...block, alt: e.target.value })} />}</Field>
        </div>
      );
    case "video":
      return <Field label={`Video URL (block ${n})`} error={error("url")} hint="A YouTube or Vimeo link, or a video file URL.">{(p) => <Input {...p} type="url" placeholder="https://…" value={block.url} onChange={(e) => onChange({ ...block, url: e.target.value })} />}</Field>;
    case "bullets":
      return (
        <fieldset className="grid gap-2">
          <legend className="mb-1 text-sm font-medium">Bullets (block {n})</legend>
          {block.items.map((item, j) => (
            <div key={j} className="flex items-start gap-2">
              <Field label={`Bullet ${j + 1} (block ${n})`} error={error(`items[${j}]`)} className="flex-1 [&>label]:sr-only">
                {(p) => <Input {...p} value={item} onChange={(e) => onChange({ ...block, items: block.items.map((x, k) => (k === j ? e.target.value : x)) })} />}
              </Field>
              <Button variant="ghost" size="icon" aria-label={`Remove bullet ${j + 1}`} disabled={block.items.length === 1} onClick={() => onChange({ ...block, items: block.items.filter((_, k) => k !== j) })}>
                <Trash2 />
              </Button>
            </div>
          ))}
          {error("items") ? <p className="text-xs font-medium text-destructive">{error("items")}</p> : null}
          <Button variant="ghost" size="sm" className="w-fit" onClick={() => onChange({ ...block, items: [...block.items, ""] })}>
            <Plus /> Add bullet
          </Button>
        </fieldset>
      );
    case "cta":
      return <Field label={`Button label (block ${n})`} error={error("label")}>{(p) => <Input {...p} value={block.label} onChange={(e) => onChange({ ...block, label: e.target.value })} />}</Field>;
  }
}
