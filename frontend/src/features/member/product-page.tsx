import { useEffect, useRef, useState } from "react";
import { useParams } from "react-router";
import { Check, ChevronLeft, Download, FileText, Lock, Music, Play, Video } from "lucide-react";
import { ApiError, errorMessage } from "@/api/errors";
import type { Media, MemberPage } from "@/api/types";
import { ErrorState, LoadingRows } from "@/components/states";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { useToast } from "@/components/ui/toast";
import { cn, formatBytes } from "@/lib/utils";
import { fetchMedia, markPlayed, useLibrary, useMemberProduct, usePageCompletion } from "./api";
import { LibraryCard } from "./library-card";
import { MemberPageTitle } from "./member-layout";

const back = (
  <ButtonLink to="/member" variant="link" size="sm" className="h-auto w-fit px-0 text-muted-foreground">
    <ChevronLeft /> Library
  </ButtonLink>
);

export function MemberProductPage() {
  const { id = "" } = useParams();
  const product = useMemberProduct(id);
  if (product.isPending) return <LoadingRows rows={5} />;
  if (product.isError) {
    if (product.error instanceof ApiError && product.error.status === 403) return <LockedProduct productId={id} />;
    return (
      <>
        {back}
        <ErrorState title="Could not open this product" error={product.error} onRetry={() => void product.refetch()} />
      </>
    );
  }
  const p = product.data;
  return (
    <>
      <MemberPageTitle back={back} title={p.name} description={p.description || undefined} />
      <div className="grid gap-4 lg:grid-cols-[1fr_18rem]">
        <div className="grid min-w-0 content-start gap-4">
          {p.pages.length === 0 ? (
            <Card>
              <CardContent className="p-5 text-sm text-muted-foreground">No lessons yet.</CardContent>
            </Card>
          ) : (
            <ol className="grid gap-3" aria-label="Lessons">
              {p.pages.map((page, i) => (
                <PageItem key={page.id} productId={p.product_id} page={page} index={i} />
              ))}
            </ol>
          )}
        </div>
        <div className="grid content-start gap-4">
          <Card>
            <CardHeader>
              <CardTitle>Your progress</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-2">
              <Progress value={p.completed_pages} max={p.total_pages || 1} label="Product progress" />
              <p className="text-sm text-muted-foreground tabular-nums" data-testid="progress-text">
                {p.completed_pages}/{p.total_pages} lessons completed
              </p>
            </CardContent>
          </Card>
          {p.media.length > 0 ? (
            <Card>
              <CardHeader>
                <CardTitle>Media</CardTitle>
              </CardHeader>
              <CardContent>
                <ul className="grid gap-3">
                  {p.media.map((m) => (
                    <MediaItem key={m.id} media={m} />
                  ))}
                </ul>
              </CardContent>
            </Card>
          ) : null}
        </div>
      </div>
    </>
  );
}

function PageItem({ productId, page, index }: { productId: string; page: MemberPage; index: number }) {
  const complete = usePageCompletion(productId);
  const toast = useToast();
  return (
    <li>
      <Card className={cn(page.completed && "border-emerald-200")}>
        <div className="flex items-start gap-3 p-4">
          <button
            type="button"
            aria-pressed={page.completed}
            aria-label={`${page.completed ? "Completed" : "Mark complete"}: ${page.title}`}
            disabled={complete.isPending}
            onClick={() => complete.mutate({ pageId: page.id, complete: !page.completed }, { onError: (e) => toast(errorMessage(e), "error") })}
            className={cn(
              "mt-0.5 flex size-6 shrink-0 cursor-pointer items-center justify-center rounded-full border-2 transition-colors disabled:opacity-60",
              page.completed ? "border-emerald-600 bg-emerald-600 text-white" : "border-input hover:border-emerald-600",
            )}
          >
            {page.completed ? <Check className="size-4" /> : null}
          </button>
          <div className="min-w-0 flex-1">
            <h2 className="font-semibold">
              <span className="text-muted-foreground">{index + 1}.</span> {page.title}
            </h2>
            {page.body ? <p className="mt-2 text-sm whitespace-pre-wrap break-words">{page.body}</p> : null}
          </div>
        </div>
      </Card>
    </li>
  );
}

const mediaIcon = { video: Video, audio: Music, file: FileText } as const;

/** Media needs the bearer token: downloads and players work from a fetched blob. */
export function MediaItem({ media }: { media: Media }) {
  const [src, setSrc] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const played = useRef(false);
  const toast = useToast();
  const Icon = mediaIcon[media.kind as keyof typeof mediaIcon] ?? FileText;
  const playable = media.kind === "video" || media.kind === "audio";
  useEffect(() => () => void (src && URL.revokeObjectURL(src)), [src]);

  const load = async () => {
    setBusy(true);
    try {
      return URL.createObjectURL(await fetchMedia(media.id));
    } catch (e) {
      toast(errorMessage(e), "error");
      return null;
    } finally {
      setBusy(false);
    }
  };
  const download = async () => {
    const url = await load();
    if (!url) return;
    const a = document.createElement("a");
    a.href = url;
    a.download = media.filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const onPlay = () => {
    if (played.current) return;
    played.current = true;
    markPlayed(media.id).catch(() => (played.current = false));
  };

  return (
    <li className="grid gap-2">
      <div className="flex items-center gap-2">
        <Icon className="size-4 shrink-0 text-muted-foreground" aria-hidden />
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-medium">{media.filename}</p>
          <p className="text-xs text-muted-foreground">{formatBytes(media.size)}</p>
        </div>
        {playable && !src ? (
          <Button variant="ghost" size="icon" aria-label={`Play ${media.filename}`} loading={busy} onClick={() => void load().then((u) => u && setSrc(u))}>
            {busy ? null : <Play />}
          </Button>
        ) : null}
        <Button variant="ghost" size="icon" aria-label={`Download ${media.filename}`} disabled={busy} onClick={() => void download()}>
          <Download />
        </Button>
      </div>
      {src && media.kind === "video" ? <video src={src} controls autoPlay onPlay={onPlay} className="w-full rounded-md bg-black" /> : null}
      {src && media.kind === "audio" ? <audio src={src} controls autoPlay onPlay={onPlay} className="w-full" /> : null}
    </li>
  );
}

/** 403 no_access: the product's locked card, leading to its purchase target. */
function LockedProduct({ productId }: { productId: string }) {
  const library = useLibrary();
  const item = library.data?.find((i) => i.product_id === productId);
  return (
    <>
      <MemberPageTitle back={back} title={item?.name ?? "Locked product"} />
      <div className="grid gap-4 sm:grid-cols-[1fr_18rem]">
        <Card className="h-fit">
          <CardContent className="flex items-start gap-3 p-5">
            <Lock className="mt-0.5 size-5 shrink-0 text-muted-foreground" aria-hidden />
            <div>
              <p className="font-medium">You do not have access to this product yet.</p>
              <p className="text-sm text-muted-foreground">
                {item?.purchase_target ? "Get it from the card on the right." : "It is not for sale right now; contact the site owner if you think you should have access."}
              </p>
            </div>
          </CardContent>
        </Card>
        {item ? (
          <ul>
            <LibraryCard item={item} member />
          </ul>
        ) : null}
      </div>
    </>
  );
}
