import { useEffect, useRef, useState } from "react";
import { Download, FileText, Music, Play, Video } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { Media } from "@/api/types";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { formatBytes } from "@/lib/utils";
import { fetchMedia, markPlayed } from "./api";

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
