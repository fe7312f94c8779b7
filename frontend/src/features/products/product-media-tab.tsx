import { useState } from "react";
import { FileText, Music, Pencil, Trash2, Upload, Video } from "lucide-react";
import { ApiError, errorMessage } from "@/api/errors";
import type { Media, ProductPage } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { EmptyState, ListStates } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Input, Select } from "@/components/ui/input";
import { Progress } from "@/components/ui/progress";
import { useToast } from "@/components/ui/toast";
import { formatBytes, formatDateTime } from "@/lib/utils";
import { mediaKindOf, mediaKinds, usePages, useDeleteMedia, useProductMedia, useUpdateMedia, useUploadMedia, type MediaKind } from "./api";
import { useCanWrite, WriteFieldset } from "@/features/auth/permissions";

type UploadValues = { file: File | null; kind: MediaKind };
const validateUpload = (v: UploadValues) => ({ file: !v.file ? "Choose a file to upload." : v.file.size === 0 ? "This file is empty." : undefined });

/** The API names the file's problems `filename` and `body`; both belong to the File field here. */
function asFormError(e: unknown): unknown {
  if (!(e instanceof ApiError) || !e.problem.errors?.length) return e;
  const field = (f: string) => (f === "filename" || f === "body" ? "file" : f);
  return new ApiError({ ...e.problem, errors: e.problem.errors.map((x) => ({ ...x, field: field(x.field) })) });
}

const mediaIcon = { video: Video, audio: Music, file: FileText } as const;

export function ProductMediaTab({ productId }: { productId: string }) {
  const media = useProductMedia(productId);
  const pages = usePages(productId);
  const upload = useUploadMedia(productId);
  const toast = useToast();
  const form = useForm<UploadValues>({ file: null, kind: "file" }, validateUpload);
  // A file input cannot be cleared through React state; a new key gives a fresh, empty one.
  const [inputKey, setInputKey] = useState(0);

  const onSubmit = form.handleSubmit(async ({ file, kind }) => {
    try {
      const m = await upload.mutateAsync({ file: file!, kind });
      toast(`Uploaded ${m.filename}.`);
      form.reset({ file: null, kind: "file" });
      setInputKey((k) => k + 1);
    } catch (e) {
      throw asFormError(e);
    }
  });

  return (
    <Card>
      <CardHeader className="border-b pb-4">
        <CardTitle>Media</CardTitle>
        <CardDescription>Videos, audio and files that members with access play or download on the product page.</CardDescription>
      </CardHeader>
      <CardContent className="border-b pt-4">
        <form onSubmit={onSubmit} noValidate className="grid gap-4" aria-label="Upload media">
          <WriteFieldset className="contents">
          <FormError message={form.formError} />
          <div className="grid gap-4 sm:grid-cols-[1fr_12rem_auto] sm:items-start">
            <Field label="File" error={form.errors.file} hint={form.values.file ? `${form.values.file.type || "unknown type"}, ${formatBytes(form.values.file.size)}` : undefined}>
              {(p) => (
                <Input
                  {...p}
                  key={inputKey}
                  type="file"
                  disabled={form.submitting}
                  className="min-w-0 py-1.5 file:mr-3 file:border-0 file:bg-transparent file:text-sm file:font-medium"
                  onChange={(e) => {
                    const file = e.target.files?.[0] ?? null;
                    form.setValue("file", file);
                    if (file) form.setValue("kind", mediaKindOf(file.type));
                  }}
                />
              )}
            </Field>
            <Field label="Kind" error={form.errors.kind}>
              {(p) => (
                <Select {...p} value={form.values.kind} disabled={form.submitting} onChange={(e) => form.setValue("kind", e.target.value as MediaKind)}>
                  {mediaKinds.map((k) => (
                    <option key={k.value} value={k.value}>
                      {k.label}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Button type="submit" loading={form.submitting} className="sm:mt-[1.375rem]">
              {form.submitting ? null : <Upload />} Upload
            </Button>
          </div>
          {form.submitting && form.values.file ? <Progress value={0} max={null} label={`Uploading ${form.values.file.name}`} /> : null}
          </WriteFieldset>
        </form>
      </CardContent>
      <ListStates query={media} rows={2} empty={<EmptyState title="No media yet" description="Upload a video, an audio file or a download for this product." />}>
        {(list) => (
          <ul className="divide-y" aria-label="Media files">
            {list.map((m) => (
              <MediaRow key={m.id} productId={productId} media={m} pages={pages.data ?? []} />
            ))}
          </ul>
        )}
      </ListStates>
    </Card>
  );
}

/** One file: where members find it (a lesson, where it plays inline, or the product's media list). */
function MediaRow({ productId, media, pages }: { productId: string; media: Media; pages: ProductPage[] }) {
  const Icon = mediaIcon[media.kind as keyof typeof mediaIcon] ?? FileText;
  const update = useUpdateMedia(productId);
  const remove = useDeleteMedia(productId);
  const toast = useToast();
  const canWrite = useCanWrite();
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <li className="flex flex-wrap items-center gap-3 px-4 py-3">
      <span className="flex size-8 shrink-0 items-center justify-center rounded-md bg-muted">
        <Icon className="size-4 text-muted-foreground" aria-hidden />
      </span>
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium" title={media.filename}>
          {media.filename}
        </p>
        <p className="truncate text-xs text-muted-foreground">
          {formatBytes(media.size)} · {media.content_type} · {formatDateTime(media.created_at)}
        </p>
      </div>
      <Badge variant="outline" className="shrink-0 capitalize">
        {media.kind}
      </Badge>
      <Select
        aria-label={`Lesson of ${media.filename}`}
        className="w-full sm:w-52"
        value={media.page_id ?? ""}
        disabled={!canWrite || update.isPending}
        onChange={(e) =>
          update.mutate(
            { mediaId: media.id, page_id: e.target.value || null },
            { onSuccess: () => toast(e.target.value ? "Placed in the lesson." : "Moved to the product's media."), onError: (err) => toast(errorMessage(err), "error") },
          )
        }
      >
        <option value="">Product media (all lessons)</option>
        {pages.map((p, i) => (
          <option key={p.id} value={p.id}>
            In lesson {i + 1}: {p.title}
          </option>
        ))}
      </Select>
      {canWrite ? (
        <div className="flex shrink-0 gap-1">
          <Button variant="ghost" size="sm" aria-label={`Rename ${media.filename}`} onClick={() => setRenaming(true)}>
            <Pencil className="size-4" aria-hidden />
          </Button>
          <Button variant="ghost" size="sm" aria-label={`Delete ${media.filename}`} onClick={() => setDeleting(true)}>
            <Trash2 className="size-4" aria-hidden />
          </Button>
        </div>
      ) : null}
      {renaming ? <RenameDialog productId={productId} media={media} onClose={() => setRenaming(false)} /> : null}
      <Dialog
        open={deleting}
        onClose={() => setDeleting(false)}
        title={`Delete ${media.filename}?`}
        description="Members lose the file at once, in its lesson and in the product's media. This cannot be undone."
        footer={
          <>
            <Button variant="outline" onClick={() => setDeleting(false)}>
              Cancel
            </Button>
            <Button
              variant="destructive"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(media.id, {
                  onSuccess: () => {
                    setDeleting(false);
                    toast(`Deleted ${media.filename}.`);
                  },
                  onError: (err) => toast(errorMessage(err), "error"),
                })
              }
            >
              Delete
            </Button>
          </>
        }
      />
    </li>
  );
}

/** Renames a file: the name members see in the lesson and on download. */
function RenameDialog({ productId, media, onClose }: { productId: string; media: Media; onClose: () => void }) {
  const update = useUpdateMedia(productId);
  const toast = useToast();
  const form = useForm<{ filename: string }>({ filename: media.filename }, (v) => ({
    filename: !v.filename.trim() ? "Enter a file name." : v.filename.trim().length > 255 ? "Keep the name under 256 characters." : undefined,
  }));
  const submit = form.handleSubmit(async (v) => {
    await update.mutateAsync({ mediaId: media.id, filename: v.filename.trim() });
    toast(`Renamed to ${v.filename.trim()}.`);
    onClose();
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Rename ${media.filename}`}
      footer={
        <>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form={`rename-${media.id}`} loading={form.submitting}>
            Save name
          </Button>
        </>
      }
    >
      <form id={`rename-${media.id}`} onSubmit={submit} noValidate className="space-y-3">
        <FormError message={form.formError} />
        <Field label="File name" error={form.errors.filename}>
          {(p) => <Input {...p} value={form.values.filename} onChange={(e) => form.setValue("filename", e.target.value)} />}
        </Field>
      </form>
    </Dialog>
  );
}
