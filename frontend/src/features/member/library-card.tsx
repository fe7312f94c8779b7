import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import { BookOpen, Lock } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { LibraryItem } from "@/api/types";
import { ImageWithFallback } from "@/components/ui/image-with-fallback";
import { Progress } from "@/components/ui/progress";
import { useToast } from "@/components/ui/toast";
import { cn } from "@/lib/utils";
import { startCheckout } from "./api";
import { actionLabel, cardAction } from "./purchase-target";

/** Leaves the SPA (Stripe Checkout, order pages); a seam for tests. */
export const browser = { go: (url: string) => window.location.assign(url) };

/**
 * The card's content. Its title is the one interactive element (a link or button stretched over the whole card),
 * so the accessible name is the product's name (plus "locked" for screen readers), matching what is visible.
 */
function CardBody({ item, title }: { item: LibraryItem; title: ReactNode }) {
  const locked = !item.has_access;
  return (
    <>
      <div className="relative aspect-[21/9] overflow-hidden rounded-t-lg sm:aspect-[16/9] bg-gradient-to-br from-slate-200 to-slate-100">
        {/* An image that fails to load (moved, deleted, offline) shows the placeholder, not a broken image. */}
        <ImageWithFallback
          src={item.image_url}
          className={cn("size-full object-cover", locked && "opacity-60 grayscale")}
          loading="lazy"
          fallback={
            <div className="flex size-full items-center justify-center" data-testid="image-placeholder">
              <BookOpen className="size-10 text-slate-400" aria-hidden />
            </div>
          }
        />
        {locked ? (
          <span className="absolute top-2 right-2 flex items-center gap-1 rounded-full bg-black/70 px-2 py-1 text-xs font-medium text-white" aria-hidden>
            <Lock className="size-3.5" /> Locked
          </span>
        ) : null}
      </div>
      <div className="flex flex-1 flex-col gap-2 p-4">
        <h2 className="font-semibold leading-tight">{title}</h2>
        {item.description ? <p className="line-clamp-2 text-sm text-muted-foreground">{item.description}</p> : null}
        <div className="mt-auto pt-2">
          {!locked && item.total_pages > 0 ? (
            <div className="grid gap-1">
              <Progress value={item.completed_pages} max={item.total_pages} label={`${item.name} progress`} />
              <p className="text-xs text-muted-foreground tabular-nums">
                {item.completed_pages}/{item.total_pages} completed
              </p>
            </div>
          ) : null}
          {cardActionLabel(item)}
        </div>
      </div>
    </>
  );
}

function cardActionLabel(item: LibraryItem) {
  const label = actionLabel(item);
  if (label === "Not available") {
    return (
      <p className="mt-2 text-sm text-muted-foreground" data-testid="not-available">
        Not available yet. Check back soon.
      </p>
    );
  }
  return (
    <p className={cn("mt-2 text-sm font-medium", item.has_access ? "text-foreground" : "text-primary")} aria-hidden>
      {label} →
    </p>
  );
}

const cardClass = "relative flex h-full flex-col rounded-lg border bg-background text-left shadow-xs transition has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring";
const stretched = "cursor-pointer text-left after:absolute after:inset-0 after:rounded-lg after:content-[''] focus-visible:outline-none";

/** A product in the library: unlocked cards open the product, locked cards lead to its purchase target. */
export function LibraryCard({ item, member }: { item: LibraryItem; member: boolean }) {
  const action = cardAction(item, { member });
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const name = (
    <>
      {item.name}
      {item.has_access ? null : (
        <>
          {" "}
          <span className="sr-only">(locked)</span>
        </>
      )}
    </>
  );
  let title: ReactNode;
  switch (action.kind) {
    case "open":
    case "route":
      title = (
        <Link to={action.to} className={stretched} data-target={action.kind}>
          {name}
        </Link>
      );
      break;
    case "href":
      title = (
        <a href={action.href} className={stretched} data-target="href">
          {name}
        </a>
      );
      break;
    case "checkout":
      title = (
        <button
          type="button"
          className={cn(stretched, busy && "opacity-70")}
          aria-busy={busy || undefined}
          data-target="checkout"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            startCheckout(action.productId).then(browser.go, (e: unknown) => {
              setBusy(false);
              toast(errorMessage(e), "error");
            });
          }}
        >
          {name}
        </button>
      );
      break;
    case "none":
      title = name;
  }
  const hoverable = action.kind !== "none" && "hover:shadow-md";
  return (
    <li className="list-none">
      <article className={cn(cardClass, hoverable)} aria-label={`${item.name}${item.has_access ? "" : " (locked)"}`}>
        <CardBody item={item} title={title} />
      </article>
    </li>
  );
}

export function LibraryGrid({ items, member }: { items: LibraryItem[]; member: boolean }) {
  return (
    <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Library">
      {items.map((item) => (
        <LibraryCard key={item.product_id} item={item} member={member} />
      ))}
    </ul>
  );
}
