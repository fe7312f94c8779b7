import { useEffect, useState, type CSSProperties } from "react";

/** What member-facing pages show of a site: its name, logo, accent colour and favicon. */
export type SiteBranding = { name: string; logo_url?: string | null; accent_color?: string | null; favicon_url?: string | null };

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function foregroundOn(hex: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return "#ffffff";
  const [r, g, b] = m.slice(1).map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // White when it reaches WCAG AA (4.5:1), else whichever of white and #111 (luminance 0.0056) contrasts more.
  const white = 1.05 / (l + 0.05);
  const dark = (l + 0.05) / 0.0556;
  return white >= 4.5 || white >= dark ? "#ffffff" : "#111111";
}

/** CSS variables that make buttons, links and focus rings use the site's accent colour. */
export function brandStyle(accent: string | null | undefined): CSSProperties | undefined {
  if (!accent || !/^#[0-9a-f]{6}$/i.test(accent)) return undefined;
  return { "--color-primary": accent, "--color-primary-foreground": foregroundOn(accent), "--color-ring": accent } as CSSProperties;
}

/** The site's logo (when it has one and it loads) beside its name. */
export function SiteMark({ site, className }: { site: SiteBranding | undefined; className?: string }) {
  const [broken, setBroken] = useState(false);
  if (!site) return null;
  return (
    <span className={className ?? "flex min-w-0 items-center gap-2 font-semibold"}>
      {site.logo_url && !broken ? <img src={site.logo_url} alt="" className="size-8 shrink-0 rounded-md object-contain" onError={() => setBroken(true)} /> : null}
      <span className="truncate">{site.name}</span>
    </span>
  );
}

/** Puts the site's name in the tab title and its favicon in the tab while a member page is open. */
export function useSiteHead(site: SiteBranding | undefined, { title: setTitle = true } = {}) {
  const name = setTitle ? site?.name : undefined;
  const icon = site?.favicon_url;
  useEffect(() => {
    if (!name) return;
    const title = document.title;
    document.title = name;
    return () => void (document.title = title);
  }, [name]);
  useEffect(() => {
    if (!icon) return;
    const link = document.querySelector<HTMLLinkElement>("link[rel='icon']");
    if (!link) return;
    const [href, type] = [link.href, link.type];
    link.href = icon;
    link.removeAttribute("type");
    return () => {
      link.href = href;
      if (type) link.type = type;
    };
  }, [icon]);
}
