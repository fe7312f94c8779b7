import { Link } from "react-router";
import { Activity as ActivityIcon, LogIn, Package, ShoppingCart, UserMinus, UserPlus, Repeat } from "lucide-react";
import type { Activity, Product, User } from "@/api/types";
import { formatDateTime, humanizeKind, timeAgo } from "@/lib/utils";

function iconFor(kind: string) {
  if (kind === "user.login" || kind === "user.activate") return LogIn;
  if (kind === "user.created") return UserPlus;
  if (kind === "user.inactive" || kind === "product.access_removed") return UserMinus;
  if (kind === "product.access_granted") return Package;
  if (kind === "product.purchased") return ShoppingCart;
  if (kind.startsWith("subscription.")) return Repeat;
  return ActivityIcon;
}

/** The member's email as the activity recorded it (only `user.created` records one). */
function recordedEmail(a: Activity): string | undefined {
  return a.kind === "user.created" ? a.data.email : undefined;
}

/** The product's name as the activity recorded it (only `product.access_granted` records one). */
function recordedProductName(a: Activity): string | undefined {
  return a.kind === "product.access_granted" ? a.data.product_name : undefined;
}

export function ActivityList({
  items,
  products,
  users,
  showUser = true,
}: {
  items: Activity[];
  products?: Map<string, Product>;
  users?: Map<string, User>;
  showUser?: boolean;
}) {
  return (
    <ul className="divide-y" aria-label="Activities">
      {items.map((a) => {
        const Icon = iconFor(a.kind);
        const product = a.product_id ? products?.get(a.product_id) : undefined;
        const user = a.user_id ? users?.get(a.user_id) : undefined;
        return (
          <li key={a.id} className="flex gap-3 px-4 py-3">
            <span className="mt-0.5 flex size-8 shrink-0 items-center justify-center rounded-full bg-muted">
              <Icon className="size-4 text-muted-foreground" aria-hidden />
            </span>
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium">{a.label || humanizeKind(a.kind)}</p>
              <p className="text-xs text-muted-foreground break-words">
                {showUser && a.user_id ? (
                  <>
                    <Link to={`/members/${a.user_id}`} className="hover:underline">
                      {user ? user.name || user.email : (recordedEmail(a) ?? "Member")}
                    </Link>
                    {a.product_id ? " · " : null}
                  </>
                ) : null}
                {a.product_id ? (
                  <Link to={`/products/${a.product_id}`} className="hover:underline">
                    {product?.name ?? recordedProductName(a) ?? "Product"}
                  </Link>
                ) : null}
                {a.kind === "member.stage_changed" ? <StageMove from={a.data?.from} to={a.data?.to} separated={showUser && !!a.user_id} /> : null}
              </p>
            </div>
            <time dateTime={a.occurred_at} title={formatDateTime(a.occurred_at)} className="shrink-0 text-xs text-muted-foreground">
              {timeAgo(a.occurred_at)}
            </time>
          </li>
        );
      })}
    </ul>
  );
}

/** "Trial → Customer" for a stage change; a missing side is "no stage". */
function StageMove({ from, to, separated }: { from: unknown; to: unknown; separated: boolean }) {
  const name = (v: unknown) => (typeof v === "string" && v ? v : "no stage");
  return (
    <span>
      {separated ? " · " : null}
      {name(from)} → {name(to)}
    </span>
  );
}
