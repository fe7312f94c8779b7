import { useState } from "react";
import { UserPlus } from "lucide-react";
import type { Seat } from "@/api/types";
import { EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useToast } from "@/components/ui/toast";
import { AddTeammateDialog, RemoveTeammateDialog, SeatsTable, seatsLabel } from "@/features/accounts/seats";
import { useMemberAccount, useMemberSeatMutations } from "./api";
import { MemberPageTitle } from "./member-layout";

/** The member's company account: who has a seat; its owner adds and removes teammates. */
export function MemberTeamPage() {
  const account = useMemberAccount();
  const { add, remove } = useMemberSeatMutations();
  const toast = useToast();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Seat | null>(null);
  if (account.isPending) return <LoadingRows rows={4} label="Loading your team" />;
  if (account.isError) return <ErrorState title="Could not load your team" error={account.error} onRetry={() => void account.refetch()} />;
  const a = account.data.account;
  if (!a)
    return (
      <>
        <MemberPageTitle title="Team" />
        <Card>
          <EmptyState title="You are not in a team" description="A company's owner can give you a seat on their subscription." action={<ButtonLink to="/member" variant="outline" size="sm">Back to the library</ButtonLink>} />
        </Card>
      </>
    );
  const owner = account.data.role === "owner";
  return (
    <>
      <MemberPageTitle
        title="Team"
        description={owner ? `${a.name}: you own this account. Teammates you add share its access.` : `${a.name}: your access comes from this account. Its owner manages the seats.`}
      />
      <Card>
        <CardHeader className="flex-row items-center justify-between gap-4 border-b pb-4">
          <div>
            <CardTitle>People</CardTitle>
            <CardDescription data-testid="team-seats">{seatsLabel(a.seats_used, a.seats)}</CardDescription>
          </div>
          {owner ? (
            <Button size="sm" onClick={() => setAdding(true)}>
              <UserPlus /> Add teammate
            </Button>
          ) : null}
        </CardHeader>
        <SeatsTable people={a.people} label={`People of ${a.name}`} onRemove={owner ? setRemoving : undefined} />
      </Card>
      {owner ? (
        <>
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
      ) : null}
    </>
  );
}
