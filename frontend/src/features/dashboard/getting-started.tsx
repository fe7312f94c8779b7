import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { Check } from "lucide-react";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import { CopyButton } from "@/components/copy-button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { cn } from "@/lib/utils";
import { useStripeConnection } from "@/features/products/stripe-api";

type Step = { label: string; done: boolean | undefined; to: string; action: string };

/**
 * The first steps of a new site, shown on the dashboard until the first four are done: connect Stripe,
 * create a product, add lessons, add a member; the member login link is there to share.
 */
export function GettingStarted({ appId, products, members }: { appId: string; products: string | undefined; members: string | undefined }) {
  const stripe = useStripeConnection();
  const first = useQuery({
    queryKey: ["products", "getting-started-first"],
    queryFn: async () => (await unwrap(api.GET("/api/v1/products", { params: { query: { limit: 1 } } }))).data[0] ?? null,
  });
  const pages = useQuery({
    queryKey: ["products", "pages", first.data?.id ?? "", "getting-started"],
    queryFn: async () => (await unwrap(api.GET("/api/v1/products/{id}/pages", { params: { path: { id: first.data!.id } } }))).data.length,
    enabled: !!first.data,
  });
  const steps: Step[] = [
    { label: "Connect Stripe", done: stripe.data?.connected, to: "/settings/connectors", action: "Connect" },
    { label: "Create a product", done: products === undefined ? undefined : products !== "0", to: "/products", action: "Create" },
    { label: "Add lessons to it", done: first.data === null ? false : pages.data === undefined ? undefined : pages.data > 0, to: first.data ? `/products/${first.data.id}?tab=pages` : "/products", action: "Add" },
    { label: "Add a member", done: members === undefined ? undefined : members !== "0", to: "/members", action: "Add" },
  ];
  // Nothing until every answer is in (no flash of the checklist), and gone once the site is set up.
  if (steps.some((s) => s.done === undefined) || steps.every((s) => s.done)) return null;
  const memberLink = `${window.location.origin}/member/login?app=${appId}`;
  const doneCount = steps.filter((s) => s.done).length;
  return (
    <Card className="mb-4">
      <CardHeader>
        <CardTitle>Get started</CardTitle>
        <CardDescription>
          {doneCount} of {steps.length} done. Then share the member login link.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <ol className="grid gap-2" aria-label="Getting started">
          {steps.map((s) => (
            <li key={s.label} className="flex items-center gap-3">
              <span
                className={cn("flex size-6 shrink-0 items-center justify-center rounded-full border", s.done ? "border-emerald-700 bg-emerald-700 text-white" : "border-input")}
                aria-hidden
              >
                {s.done ? <Check className="size-3.5" /> : null}
              </span>
              <span className={cn("flex-1 text-sm", s.done && "text-muted-foreground line-through")}>
                {s.label}
                {s.done ? <span className="sr-only"> (done)</span> : null}
              </span>
              {s.done ? null : (
                <Link to={s.to} className="text-sm font-medium text-primary underline-offset-4 hover:underline">
                  {s.action}
                  <span className="sr-only">: {s.label}</span>
                </Link>
              )}
            </li>
          ))}
          <li className="flex items-center gap-3">
            <span className="size-6 shrink-0" aria-hidden />
            <span className="min-w-0 flex-1 text-sm">
              Share the member login link <code className="ml-1 hidden truncate rounded bg-muted px-1.5 py-0.5 text-xs sm:inline">{memberLink}</code>
            </span>
            <CopyButton value={memberLink} label="Copy member login link" />
          </li>
        </ol>
      </CardContent>
    </Card>
  );
}
