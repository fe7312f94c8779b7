import { useParams } from "react-router";
import { Check } from "lucide-react";
import type { Block, PublicSalesPage as PublicSalesPageData } from "@/api/types";
import { ErrorState, LoadingRows } from "@/components/states";
import { buttonClass } from "@/components/ui/button";
import { usePublicSalesPage } from "./api";
import { brandStyle, SiteMark, useSiteHead } from "./brand";
import { RenderedMarkdown } from "@/components/rendered-markdown";

/** Embeds YouTube and Vimeo links; other URLs play as a video file. */
function VideoBlock({ url }: { url: string }) {
  const yt = url.match(/(?:youtube\.com\/watch\?v=|youtu\.be\/)([\w-]{6,})/);
  const vimeo = url.match(/vimeo\.com\/(\d+)/);
  const embed = yt ? `https://www.youtube-nocookie.com/embed/${yt[1]}` : vimeo ? `https://player.vimeo.com/video/${vimeo[1]}` : null;
  return embed ? (
    <iframe src={embed} title="Video" className="aspect-video w-full rounded-lg" allow="fullscreen; picture-in-picture" />
  ) : (
    <video src={url} controls className="w-full rounded-lg bg-black" />
  );
}

function Cta({ label, url }: { label: string; url: string | null | undefined }) {
  if (!url) return <p className="text-center text-sm text-muted-foreground">Not available yet. Check back soon.</p>;
  return (
    <div className="flex justify-center">
      <a href={url} className={buttonClass("default", "lg", "text-base")}>
        {label}
      </a>
    </div>
  );
}

/** /p/:appId/:productId — the public sales page. */
export function PublicSalesPage() {
  const { appId = "", productId = "" } = useParams();
  const page = usePublicSalesPage(appId, productId);
  if (page.isPending) return <div className="mx-auto max-w-3xl p-6"><LoadingRows rows={6} /></div>;
  if (page.isError) return <div className="mx-auto max-w-3xl p-6"><ErrorState title="This page is not available" error={page.error} /></div>;
  return <SalesPageView p={page.data} />;
}

function SalesPageView({ p }: { p: PublicSalesPageData }) {
  // Text blocks come with `html`: their Markdown rendered and sanitized by the server.
  const blocks = p.blocks as unknown as (Block & { html?: string })[];
  const site = { name: p.site_name, logo_url: p.logo_url, accent_color: p.accent_color };
  useSiteHead(site, { title: false });
  return (
    <div className="min-h-dvh bg-background" style={brandStyle(p.accent_color)}>
      <title>{`${p.title} · ${p.site_name}`}</title>
      <header className="border-b">
        <div className="mx-auto flex h-14 max-w-3xl items-center px-4">
          <SiteMark site={site} />
        </div>
      </header>
      <main className="mx-auto grid max-w-3xl gap-6 px-4 py-10 sm:py-16">
        <p className="text-sm font-medium text-muted-foreground">{p.product_name}</p>
        {blocks.map((b, i) => {
          switch (b.type) {
            case "heading":
              return i === 0 ? (
                <h1 key={i} className="text-3xl font-bold tracking-tight break-words sm:text-4xl">{b.text}</h1>
              ) : (
                <h2 key={i} className="text-2xl font-semibold break-words">{b.text}</h2>
              );
            case "text":
              return b.html !== undefined ? (
                <div key={i} className="text-lg text-foreground/90">
                  <RenderedMarkdown html={b.html} />
                </div>
              ) : (
                <p key={i} className="text-lg whitespace-pre-wrap break-words text-foreground/90">{b.text}</p>
              );
            case "image":
              return <img key={i} src={b.url} alt={b.alt} className="w-full rounded-lg" />;
            case "video":
              return <VideoBlock key={i} url={b.url} />;
            case "bullets":
              return (
                <ul key={i} className="grid gap-2">
                  {b.items.map((it, j) => (
                    <li key={j} className="flex items-start gap-2 text-lg">
                      <Check className="mt-1 size-5 shrink-0 text-emerald-600" aria-hidden /> {it}
                    </li>
                  ))}
                </ul>
              );
            case "cta":
              return <Cta key={i} label={b.label} url={p.cta_url} />;
            default:
              return null;
          }
        })}
        {!blocks.some((b) => b.type === "cta") ? <Cta label={p.cta_label} url={p.cta_url} /> : null}
      </main>
    </div>
  );
}
