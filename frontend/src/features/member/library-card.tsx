import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import { BookOpen, Lock } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { LibraryItem } from "@/api/types";
import { Progress } from "@/components/ui/progress";
import { useToast } from "@/components/ui/toast";
import { cn } from "@/lib/utils";
import { startCheckout } from "./api";
import { actionLabel, cardAction } from "./purchase-target";

/** Leaves the SPA (Stripe Checkout, order pages); a seam for tests. */
export const browser = { go: (url: string) => window.location.assign(url) };

function CardBody({ item }: { item: LibraryItem }) {
  const locked = !item.has_access;
  return (
    <>
      <div className="relative aspect-[21/9] overflow-hidden rounded-t-lg sm:aspect-[16/9] bg-gradient-to-br from-slate-200 to-slate-100">
        {item.image_url ? (
          <img src={item.image_url} alt="" className={cn("size-full object-cover", locked && "opacity-60 grayscale")} loading="lazy" />
        ) : (
          <div className="flex size-full items-center justify-center">
            <BookOpen className="size-10 text-slate-400" aria-hidden />
          </div>
        )}
        {locked ? (
          <span className="absolute top-2 right-2 flex items-center gap-1 rounded-full bg-black/70 px-2 py-1 text-xs font-medium text-white">
            <Lock className="size-3.5" aria-hidden /> Locked
          </span>
        ) : null}
      </div>
      <div className="flex flex-1 flex-col gap-2 p-4">
        <p className="font-semibold leading-tight">{item.name}</p>
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
          <p className={cn("mt-2 text-sm font-medium", locked ? "text-primary" : "text-foreground")}>{actionLabel(item)} →</p>
        </div>
      </div>
    </>
  );
}

const cardClass = "flex h-full flex-col rounded-lg border bg-background text-left shadow-xs transition hover:shadow-md focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none";

/** A product in the library: unlocked cards open the product, locked cards lead to its purchase target. */
export function LibraryCard({ item, member }: { item: LibraryItem; member: boolean }) {
  const action = cardAction(item, { member });
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const label = `${item.name}${item.has_access ? "" : " (locked)"}`;
  let el: ReactNode;
  switch (action.kind) {
    case "open":
    case "route":
      el = (
        <Link to={action.to} className={cardClass} aria-label={label} data-target={action.kind}>
          <CardBody item={item} />
        </Link>
      );
      break;
    case "href":
      el = (
        <a href={action.href} className={cardClass} aria-label={label} data-target="href">
          <CardBody item={item} />
        </a>
      );
      break;
    case "checkout":
      el = (
        <button
          type="button"
          className={cn(cardClass, "w-full cursor-pointer", busy && "opacity-70")}
          aria-label={label}
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
          <CardBody item={item} />
        </button>
      );
      break;
    case "none":
      el = (
        <div className={cn(cardClass, "hover:shadow-xs")} aria-label={label}>
          <CardBody item={item} />
        </div>
      );
  }
  return <li className="list-none">{el}</li>;
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
