import { useState } from "react";
import { Link, useParams } from "react-router";
import { ChevronLeft, UserPlus } from "lucide-react";
import type { Seat } from "@/api/types";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ErrorState, ListStates, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { useCanWrite, WriteOnly } from "@/features/auth/permissions";
import { formatDate, formatMinorUnits, formatMoney } from "@/lib/utils";
import { useAccount, useAccounts, useAccountSettings, useSeatMutations } from "./api";
import { AddTeammateDialog, RemoveTeammateDialog, SeatsTable, seatsLabel } from "./seats";

/** Companies: Stripe customers when the contact type is "accounts". */
export function AccountsPage() {
  const accounts = useAccounts();
  const settings = useAccountSettings();
  const off = settings.data?.contact_type === "users";
  return (
    <>
      <PageHeader title="Accounts" description="Companies that pay for a team: the owner's subscription quantity is the number of seats." />
      <Card>
        <ListStates
          query={accounts}
          rows={3}
          empty={
            <EmptyState
              title="No accounts yet"
              description={
                off
                  ? "Stripe customers are people on this site. To make each one a company that seats teammates, choose Companies under Settings → Connectors → Stripe."
                  : "An account appears when a Stripe customer's subscription starts or changes."
              }
              action={off ? <ButtonLink to="/settings/connectors" variant="outline" size="sm">Open Connectors</ButtonLink> : undefined}
            />
          }
        >
          {(items) => (
            <Table aria-label="Accounts">
              <THead>
                <TR>
                  <TH>Account</TH>
                  <TH>Seats</TH>
                  <TH className="hidden md:table-cell">Stripe customer</TH>
                  <TH className="hidden sm:table-cell">Created</TH>
                </TR>
              </THead>
              <TBody>
                {items.map((a) => (
                  <TR key={a.id}>
                    <TD>
                      <Link to={`/accounts/${a.id}`} className="font-medium hover:underline">
                        {a.name}
                      </Link>
                    </TD>
                    <TD className="tabular-nums">{a.seats}</TD>
                    <TD className="hidden font-mono text-xs text-muted-foreground md:table-cell">{a.stripe_customer_id}</TD>
                    <TD className="hidden text-muted-foreground sm:table-cell">{formatDate(a.created_at)}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </ListStates>
        {accounts.hasNextPage ? (
          <div className="flex justify-center border-t p-3">
            <Button variant="outline" size="sm" loading={accounts.isFetchingNextPage} onClick={() => void accounts.fetchNextPage()}>
              Load more
            </Button>
          </div>
        ) : null}
      </Card>
    </>
  );
}

export function AccountPage() {
  const { id = "" } = useParams();
  const account = useAccount(id);
  const { add, remove } = useSeatMutations(id);
  const toast = useToast();
  const canWrite = useCanWrite();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Seat | null>(null);
  const back = (
    <ButtonLink to="/accounts" variant="link" size="sm" className="h-auto w-fit px-0 text-muted-foreground">
      <ChevronLeft /> Accounts
    </ButtonLink>
  );
  if (account.isPending) return <LoadingRows rows={5} />;
  if (account.isError)
    return (
      <>
        {back}
        <ErrorState title="Could not load this account" error={account.error} onRetry={() => void account.refetch()} />
      </>
    );
  const a = account.data;
  return (
    <>
      <PageHeader back={back} title={a.name} description={`Stripe customer ${a.stripe_customer_id}`} />
      <div className="grid gap-4 lg:grid-cols-[1fr_18rem]">
        <Card className="min-w-0">
          <CardHeader className="flex-row items-center justify-between gap-4 border-b pb-4">
            <div>
              <CardTitle>People</CardTitle>
              <CardDescription data-testid="account-seats">{seatsLabel(a.seats_used, a.seats)}</CardDescription>
            </div>
            <WriteOnly>
              <Button size="sm" onClick={() => setAdding(true)}>
                <UserPlus /> Add teammate
              </Button>
            </WriteOnly>
          </CardHeader>
          {a.people.length ? (
            <SeatsTable
              people={a.people}
              label={`People of ${a.name}`}
              name={(s) => (
                <Link to={`/members/${s.user_id}`} className="hover:underline">
                  {s.name || s.email}
                </Link>
              )}
              onRemove={canWrite ? setRemoving : undefined}
            />
          ) : (
            <EmptyState title="Nobody sits in this account" />
          )}
        </Card>
        <Card className="h-fit">
          <CardHeader>
            <CardTitle>Subscription</CardTitle>
            <CardDescription>The owner&apos;s figures: the subscription is theirs.</CardDescription>
          </CardHeader>
          <CardContent>
            <dl className="grid gap-3 text-sm">
              <div>
                <dt className="text-muted-foreground">Seats</dt>
                <dd className="tabular-nums">{seatsLabel(a.seats_used, a.seats)}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Lifecycle stage</dt>
                <dd>{a.stage ? <Badge variant="outline">{a.stage}</Badge> : "—"}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">MRR</dt>
                <dd className="tabular-nums">{a.mrr_currency ? formatMoney(a.mrr, a.mrr_currency) : formatMinorUnits(a.mrr)}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Renews</dt>
                <dd>{a.renews_at ? formatDate(a.renews_at) : "—"}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Account since</dt>
                <dd>{formatDate(a.created_at)}</dd>
              </div>
            </dl>
          </CardContent>
        </Card>
      </div>
      <AddTeammateDialog
        open={adding}
        onClose={() => setAdding(false)}
        onAdd={async (body) => {
          const s = await add.mutateAsync(body);
          toast(`${s.name || s.email} now has a seat.`);
        }}
      />
      <RemoveTeammateDialog
        seat={removing}
        onClose={() => setRemoving(null)}
        onRemove={async (s) => {
          await remove.mutateAsync(s.user_id);
          toast(`${s.name || s.email} was removed.`);
        }}
      />
    </>
  );
}
