import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/api/client";
import { errorMessage, unwrap } from "@/api/errors";
import type { Product, Subscription } from "@/api/types";
import { EmptyState, ListStates } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { formatDate, formatMoney } from "@/lib/utils";
import { WriteOnly } from "@/features/auth/permissions";

const subsKey = (id: string) => ["users", "subscriptions", id] as const;

export function SubscriptionStatus({ s }: { s: Pick<Subscription, "status" | "cancel_at_period_end"> }) {
  const variant = s.status === "active" || s.status === "trialing" ? "success" : s.status === "past_due" ? "warning" : s.status === "canceled" ? "destructive" : "secondary";
  return (
    <span className="flex flex-wrap gap-1">
      <Badge variant={variant}>{s.status.replace("_", " ")}</Badge>
      {s.cancel_at_period_end && s.status !== "canceled" ? <Badge variant="warning">cancels at period end</Badge> : null}
    </span>
  );
}

/** The admin's view of a member's Stripe subscriptions, with cancel now / at period end. */
export function MemberSubscriptions({ userId }: { userId: string }) {
  const subs = useQuery({ queryKey: subsKey(userId), queryFn: async () => (await unwrap(api.GET("/api/v1/users/{id}/subscriptions", { params: { path: { id: userId } } }))).data });
  const [canceling, setCanceling] = useState<{ sub: Subscription; atPeriodEnd: boolean } | null>(null);
  const qc = useQueryClient();
  const toast = useToast();
  const cancel = useMutation({
    mutationFn: ({ sub, atPeriodEnd }: { sub: Subscription; atPeriodEnd: boolean }) =>
      unwrap(api.POST("/api/v1/users/{id}/subscriptions/{subscription_id}/cancel", { params: { path: { id: userId, subscription_id: sub.id } }, body: { at_period_end: atPeriodEnd } })),
    onSuccess: (r) => {
      setCanceling(null);
      toast(r.cancel_at_period_end ? `Cancels on ${formatDate(r.current_period_end)}.` : "Subscription canceled.");
      void qc.invalidateQueries({ queryKey: subsKey(userId) });
      void qc.invalidateQueries({ queryKey: ["users", "grants", userId] });
    },
    onError: (e) => toast(errorMessage(e), "error"),
  });
  return (
    <Card>
      <CardHeader className="border-b pb-4">
        <CardTitle>Subscriptions</CardTitle>
        <CardDescription>Stripe subscriptions of this member; access follows them.</CardDescription>
      </CardHeader>
      <ListStates query={subs} rows={2} empty={<EmptyState title="No subscriptions" description="Subscriptions bought through Stripe appear here." />}>
        {(items) => (
          <Table>
            <THead>
              <TR>
                <TH>Subscription</TH>
                <TH>Status</TH>
                <TH className="hidden sm:table-cell">Renews / ends</TH>
                <TH className="text-right">
                  <span className="sr-only">Actions</span>
                </TH>
              </TR>
            </THead>
            <TBody>
              {items.map((s) => {
                const live = s.status !== "canceled" && s.status !== "incomplete_expired";
                return (
                  <TR key={s.id}>
                    <TD>
                      <p className="font-medium tabular-nums">{formatMoney(s.mrr, s.currency)} / month</p>
                      <p className="truncate text-xs text-muted-foreground">{s.id}</p>
                    </TD>
                    <TD>
                      <SubscriptionStatus s={s} />
                    </TD>
                    <TD className="hidden text-muted-foreground sm:table-cell">{formatDate(s.current_period_end)}</TD>
                    <TD className="text-right">
                      {live ? (
                        <WriteOnly>
                        <div className="flex flex-col items-end gap-1 sm:flex-row sm:justify-end">
                          {!s.cancel_at_period_end ? (
                            <Button variant="ghost" size="sm" onClick={() => setCanceling({ sub: s, atPeriodEnd: true })}>
                              Cancel at period end
                            </Button>
                          ) : null}
                          <Button variant="ghost" size="sm" className="text-destructive" onClick={() => setCanceling({ sub: s, atPeriodEnd: false })}>
                            Cancel now
                          </Button>
                        </div>
                        </WriteOnly>
                      ) : null}
                    </TD>
                  </TR>
                );
              })}
            </TBody>
          </Table>
        )}
      </ListStates>
      <Dialog
        open={!!canceling}
        onClose={() => setCanceling(null)}
        title={canceling?.atPeriodEnd ? "Cancel at period end?" : "Cancel now?"}
        description={
          canceling?.atPeriodEnd
            ? `The member keeps access until ${formatDate(canceling.sub.current_period_end)}; Stripe stops billing after that.`
            : "Stripe cancels the subscription immediately and the member loses the access it gave."
        }
        footer={
          <>
            <Button variant="outline" onClick={() => setCanceling(null)}>
              Keep subscription
            </Button>
            <Button variant="destructive" loading={cancel.isPending} onClick={() => canceling && cancel.mutate(canceling)}>
              {canceling?.atPeriodEnd ? "Cancel at period end" : "Cancel now"}
            </Button>
          </>
        }
      />
    </Card>
  );
}

export function MemberPurchases({ userId, products }: { userId: string; products: Map<string, Product> }) {
  const purchases = useQuery({
    queryKey: ["users", "purchases", userId],
    queryFn: async () => (await unwrap(api.GET("/api/v1/users/{id}/purchases", { params: { path: { id: userId } } }))).data,
  });
  return (
    <Card>
      <CardHeader className="border-b pb-4">
        <CardTitle>Purchases</CardTitle>
        <CardDescription>Payments through Stripe Checkout or linked Stripe products.</CardDescription>
      </CardHeader>
      <ListStates query={purchases} rows={2} empty={<EmptyState title="No purchases" description="One-off purchases through Stripe appear here." />}>
        {(items) => (
          <Table>
            <THead>
              <TR>
                <TH>Product</TH>
                <TH>Amount</TH>
                <TH className="hidden sm:table-cell">Date</TH>
              </TR>
            </THead>
            <TBody>
              {items.map((p) => (
                <TR key={p.id}>
                  <TD>
                    <Link to={`/products/${p.product_id}`} className="font-medium hover:underline">
                      {products.get(p.product_id)?.name ?? "Product"}
                    </Link>
                    <p className="truncate text-xs text-muted-foreground">{p.source_ref}</p>
                  </TD>
                  <TD className="tabular-nums">
                    {formatMoney(p.amount, p.currency)} {p.refunded ? <Badge variant="destructive">Refunded</Badge> : null}
                  </TD>
                  <TD className="hidden text-muted-foreground sm:table-cell">{formatDate(p.purchased_at)}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </ListStates>
    </Card>
  );
}
