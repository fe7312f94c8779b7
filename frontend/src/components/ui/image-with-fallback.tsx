import { useState, type ImgHTMLAttributes, type ReactNode } from "react";

/**
 * An image that shows `fallback` instead when it has no URL or its URL fails to load (moved, deleted,
 * offline), never the browser's broken-image icon. A new `src` is tried again.
 */
export function ImageWithFallback({
  src,
  fallback,
  alt = "",
  ...props
}: Omit<ImgHTMLAttributes<HTMLImageElement>, "src" | "onError"> & { src: string | null | undefined; fallback: ReactNode }) {
  // The URL that failed, so that another URL is tried without an effect to reset it.
  const [failed, setFailed] = useState<string | null>(null);
  if (!src || failed === src) return <>{fallback}</>;
  return <img src={src} alt={alt} {...props} onError={() => setFailed(src)} />;
}
