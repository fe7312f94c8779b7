import { useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { ChevronLeft, Pencil, Plus } from "lucide-react";
import type { Grant, GrantSource } from "@/api/types";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ErrorState, ListStates, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Tabs } from "@/components/ui/tabs";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { formatDate, formatDateTime, formatMinorUnits, formatMoney } from "@/lib/utils";
import { ActivityList } from "@/features/activities/activity-list";
import { useActivities } from "@/features/activities/api";
import { useProductOptions } from "@/features/products/api";
import { useUserAccount } from "@/features/accounts/api";
import { useGrants, useMember } from "./api";
import { EditMemberDialog } from "./edit-member-dialog";
import { MemberPurchases, MemberSubscriptions } from "./member-billing";

type Tab = "access" | "subscriptions" | "purchases";
import { GrantAccessDialog, RevokeGrantDialog } from "./grant-dialogs";
import { WriteOnly } from "@/features/auth/permissions";

const sourceLabel: Record<GrantSource, string> = {
  manual: "Manual",
  stripe_subscription: "Stripe subscription",
  stripe_purchase: "Stripe purchase",
  import: "Import",
  crm_tag: "CRM tag",
  api: "API",
  automation: "Automation",
  activecampaign: "ActiveCampaign",
  keap: "Keap",
};

export function MemberDetailPage() {
  const { id = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const t = params.get("tab");
  const tab: Tab = t === "subscriptions" || t === "purchases" ? t : "access";
  const member = useMember(id);
  const grants = useGrants(id);
  const activities = useActivities({ userId: id }, { limit: 20 });
  const productOptions = useProductOptions();
  const products = useMemo(() => new Map((productOptions.data ?? []).map((p) => [p.id, p])), [productOptions.data]);
  const [granting, setGranting] = useState(false);
  const [revoking, setRevoking] = useState<Grant | null>(null);
  const [editing, setEditing] = useState(false);

  const back = (
    <ButtonLink to="/members" variant="link" size="sm" className="h-auto w-fit px-0 text-muted-foreground">
      <ChevronLeft /> Members
    </ButtonLink>
  );
  if (member.isPending) return <LoadingRows rows={6} />;
  if (member.isError)
    return (
      <>
        {back}
        <ErrorState title="Could not load this member" error={member.error} onRetry={() => void member.refetch()} />
      </>
    );
  const u = member.data;

  return (
    <>
      <PageHeader back={back} title={u.name || u.email} description={u.name ? u.email : undefined} />
      <div className="grid gap-4 lg:grid-cols-[1fr_20rem]">
        <div className="grid min-w-0 content-start gap-4">
            <Tabs<Tab>
              label="Member sections"
              value={tab}
              onChange={(t) => setParams(t === "access" ? {} : { tab: t }, { replace: true })}
              tabs={[
                { value: "access", label: "Access" },
                { value: "subscriptions", label: "Subscriptions" },
                { value: "purchases", label: "Purchases" },
              ]}
              className="min-w-0"
              panelClassName="grid min-w-0 content-start gap-4"
            >
              {tab === "subscriptions" ? <MemberSubscriptions userId={u.id} /> : null}
              {tab === "purchases" ? <MemberPurchases userId={u.id} products={products} /> : null}
              {tab === "access" ? (
              <>
              <Card>
                <CardHeader className="flex-row items-center justify-between gap-4 border-b pb-4">
                  <div>
                    <CardTitle>Product access</CardTitle>
                    <CardDescription>Grants give this member access to a product.</CardDescription>
                  </div>
                  <WriteOnly>
                  <Button size="sm" onClick={() => setGranting(true)}>
                    <Plus /> Grant access
                  </Button>
                  </WriteOnly>
                </CardHeader>
                <ListStates query={grants} rows={2} empty={<EmptyState title="No product access yet" description="Grant a product to unlock it for this member." />}>
                  {(items) => (
                    <Table>
                      <THead>
                        <TR>
                          <TH>Product</TH>
                          <TH className="hidden sm:table-cell">Source</TH>
                          <TH className="hidden md:table-cell">Granted</TH>
                          <TH>Status</TH>
                          <TH className="text-right">
                            <span className="sr-only">Actions</span>
                          </TH>
                        </TR>
                      </THead>
                      <TBody>
                        {items.map((g) => (
                          <TR key={g.id}>
                            <TD>
                              <Link to={`/products/${g.product_id}`} className="font-medium hover:underline">
                                {products.get(g.product_id)?.name ?? "Product"}
                              </Link>
                              {g.reason ? <p className="text-xs text-muted-foreground">{g.reason}</p> : null}
                              {g.revoke_reason ? <p className="text-xs text-muted-foreground">Revoked: {g.revoke_reason}</p> : null}
                            </TD>
                            <TD className="hidden text-muted-foreground sm:table-cell">{sourceLabel[g.source]}</TD>
                            <TD className="hidden text-muted-foreground md:table-cell">
                              {formatDate(g.granted_at)}
                              {g.ends_at ? <span className="block text-xs">until {formatDate(g.ends_at)}</span> : null}
                            </TD>
                            <TD>
                              {g.active ? <Badge variant="success">Active</Badge> : g.revoked_at ? <Badge variant="destructive">Revoked</Badge> : <Badge>Ended</Badge>}
                            </TD>
                            <TD className="text-right">
                              {g.active ? (
                                <WriteOnly>
                                <Button variant="ghost" size="sm" onClick={() => setRevoking(g)} aria-label={`Revoke ${products.get(g.product_id)?.name ?? "access"}`}>
                                  Revoke
                                </Button>
                                </WriteOnly>
                              ) : null}
                            </TD>
                          </TR>
                        ))}
                      </TBody>
                    </Table>
                  )}
                </ListStates>
              </Card>
              <Card>
                <CardHeader className="border-b pb-4">
                  <CardTitle>Activity</CardTitle>
                </CardHeader>
                <ListStates query={activities} rows={3} empty={<EmptyState title="No activity yet" />}>
                  {(items) => <ActivityList items={items} products={products} showUser={false} />}
                </ListStates>
              </Card>
              </>
              ) : null}
            </Tabs>
        </div>
        <Card className="h-fit">
          <CardHeader className="flex-row items-center justify-between">
            <CardTitle>Profile</CardTitle>
            <WriteOnly>
            <Button variant="outline" size="sm" onClick={() => setEditing(true)}>
              <Pencil /> Edit
            </Button>
            </WriteOnly>
          </CardHeader>
          <CardContent>
            <dl className="grid gap-3 text-sm">
              <div>
                <dt className="text-muted-foreground">Email</dt>
                <dd className="break-all">{u.email}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Name</dt>
                <dd>{u.name || "—"}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Sign-in</dt>
                <dd>{u.has_password ? "Password or magic link" : "Magic link only"}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Last login</dt>
                <dd>{u.last_login_at ? formatDateTime(u.last_login_at) : "Never"}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Member since</dt>
                <dd>{formatDate(u.created_at)}</dd>
              </div>
              <MemberAccountRow userId={u.id} />
              <div>
                <dt className="text-muted-foreground">Lifecycle stage</dt>
                <dd>{u.stage ? <Badge variant="outline">{u.stage}</Badge> : "—"}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">MRR</dt>
                <dd className="tabular-nums">{u.mrr_currency ? formatMoney(u.mrr, u.mrr_currency) : formatMinorUnits(u.mrr)}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Renews</dt>
                <dd>{u.renews_at ? formatDate(u.renews_at) : "—"}</dd>
              </div>
            </dl>
          </CardContent>
        </Card>
      </div>
      {editing ? <EditMemberDialog user={u} onClose={() => setEditing(false)} /> : null}
      <GrantAccessDialog open={granting} onClose={() => setGranting(false)} userId={u.id} existing={grants.data ?? []} />
      <RevokeGrantDialog grant={revoking} productName={revoking ? products.get(revoking.product_id)?.name : undefined} onClose={() => setRevoking(null)} userId={u.id} />
    </>
  );
}

/** "Account: Acme Inc (owner)" when the member sits in a company's account. */
function MemberAccountRow({ userId }: { userId: string }) {
  const q = useUserAccount(userId);
  const a = q.data?.account;
  if (!a) return null;
  return (
    <div>
      <dt className="text-muted-foreground">Account</dt>
      <dd>
        <Link to={`/accounts/${a.id}`} className="font-medium hover:underline">
          {a.name}
        </Link>{" "}
        <span className="text-muted-foreground">({q.data?.role === "owner" ? "owner" : "member"})</span>
      </dd>
    </div>
  );
}
