import type { ReactNode } from "react";
import { KeyRound } from "lucide-react";
import { brandStyle, SiteMark, type SiteBranding } from "@/features/member/brand";

/**
 * The frame of sign-in pages. `brand` is for member-facing pages: the site's logo, name and accent
 * colour (null while the site is unknown: no mark at all); without it the page shows Tollgate (admin pages).
 */
export function AuthShell({
  title,
  description,
  children,
  footer,
  brand,
}: {
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  brand?: SiteBranding | null;
}) {
  return (
    <main className="flex min-h-dvh items-center justify-center bg-muted/60 px-4 py-10" style={brandStyle(brand?.accent_color)}>
      <div className="w-full max-w-sm">
        {brand === undefined ? (
          <div className="mb-6 flex items-center justify-center gap-2 text-lg font-semibold">
            <span className="flex size-8 items-center justify-center rounded-lg bg-primary text-primary-foreground">
              <KeyRound className="size-4" />
            </span>
            Tollgate
          </div>
        ) : (
          <div className="mb-6 flex min-h-8 justify-center text-lg" data-testid="site-mark">
            <SiteMark site={brand ?? undefined} />
          </div>
        )}
        <div className="rounded-xl border bg-background p-6 shadow-sm">
          <h1 className="text-xl font-semibold">{title}</h1>
          {description ? <p className="mt-1 text-sm text-muted-foreground">{description}</p> : null}
          {children ? <div className="mt-5">{children}</div> : null}
        </div>
        {footer ? <div className="mt-4 text-center text-sm text-muted-foreground">{footer}</div> : null}
      </div>
    </main>
  );
}
