import { useContext, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { UserPlus } from "lucide-react";
import { adminAuth, api } from "@/api/client";
import { errorMessage, unwrap } from "@/api/errors";
import type { Invitation, Role, TeamMember } from "@/api/types";
import { Field, FormError } from "@/components/form/field";
import { isEmail, useForm } from "@/components/form/use-form";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Input, Select } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { AuthContext } from "@/features/auth/auth-context";
import { useCurrentSession, useRole } from "@/features/auth/permissions";
import { formatDate } from "@/lib/utils";

export const teamQuery = { queryKey: ["team"], queryFn: () => unwrap(api.GET("/api/v1/admins")) };

const roleHelp: Record<Role, string> = {
  owner: "Everything, including the team and billing connections",
  admin: "Everything except changing roles and removing people",
  viewer: "Sees everything, changes nothing",
};

const article = (r: Role) => (r === "owner" || r === "admin" ? "an" : "a");

/** Roles a given role may invite (owners any; admins admins and viewers). */
export const invitableRoles = (me: Role | undefined): Role[] => (me === "owner" ? ["viewer", "admin", "owner"] : me === "admin" ? ["viewer", "admin"] : []);

export function TeamPage() {
  const team = useQuery(teamQuery);
  const role = useRole();
  const session = useCurrentSession();
  const auth = useContext(AuthContext);
  const logout = () => (auth ? auth.logout() : Promise.resolve(adminAuth.setSession(null)));
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<TeamMember | null>(null);
  // A role change waits for confirmation in a dialog: the select only proposes it.
  const [reroling, setReroling] = useState<{ member: TeamMember; role: Role } | null>(null);
  const qc = useQueryClient();
  const toast = useToast();
  const isOwner = role === "owner";
  const canInvite = invitableRoles(role).length > 0;
  const refresh = () => qc.invalidateQueries({ queryKey: ["team"] });

  const changeRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) => unwrap(api.PATCH("/api/v1/admins/{id}", { params: { path: { id } }, body: { role } })),
    onSuccess: (m) => {
      toast(`${m.name || m.email} is now ${m.role}.`);
      setReroling(null);
      void refresh();
    },
    onError: (e) => {
      setReroling(null);
      toast(errorMessage(e), "error");
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/admins/invitations/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      toast("Invitation revoked.");
      void refresh();
    },
    onError: (e) => toast(errorMessage(e), "error"),
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/admins/{id}", { params: { path: { id } } })),
  });
  const onRemove = () => {
    if (!removing) return;
    const leaving = removing.id === session?.admin.id;
    remove.mutate(removing.id, {
      onSuccess: () => {
        setRemoving(null);
        if (leaving) {
          void logout();
          return;
        }
        toast(`${removing.name || removing.email} was removed from the team.`);
        void refresh();
      },
      onError: (e) => toast(errorMessage(e), "error"),
    });
  };

  return (
    <>
      <PageHeader
        title="Team"
        description="The people who manage this site, and what they may do."
        actions={
          canInvite ? (
            <Button onClick={() => setInviting(true)}>
              <UserPlus /> Invite
            </Button>
          ) : null
        }
      />
      {team.isPending ? (
        <Card>
          <LoadingRows rows={3} label="Loading team" />
        </Card>
      ) : team.isError ? (
        <Card>
          <ErrorState error={team.error} onRetry={() => void team.refetch()} title="Could not load the team" />
        </Card>
      ) : (
        <div className="grid gap-6">
          <Card>
            <h2 className="px-4 pt-4 text-sm font-semibold">Members</h2>
            <Table aria-label="Team members">
              <THead>
                <TR>
                  <TH>Name</TH>
                  <TH>Role</TH>
                  <TH className="hidden sm:table-cell">Joined</TH>
                  <TH>
                    <span className="sr-only">Actions</span>
                  </TH>
                </TR>
              </THead>
              <TBody>
                {team.data.admins.map((m) => {
                  const me = m.id === session?.admin.id;
                  // The last owner cannot leave (the API answers 409 last_owner): do not offer it.
                  const soleOwner = m.role === "owner" && team.data.admins.filter((a) => a.role === "owner").length === 1;
                  return (
                    <TR key={m.id}>
                      <TD>
                        <p className="font-medium break-all">
                          {m.name || m.email} {me ? <span className="text-xs font-normal text-muted-foreground">(you)</span> : null}
                        </p>
                        <p className="text-xs text-muted-foreground break-all">{m.email}</p>
                      </TD>
                      <TD>
                        {isOwner ? (
                          <Select
                            aria-label={`Role of ${m.name || m.email}`}
                            value={m.role}
                            // The last owner stays an owner (the API answers 409 last_owner).
                            disabled={changeRole.isPending || soleOwner}
                            title={soleOwner ? "The only owner: make someone else an owner first" : undefined}
                            onChange={(e) => {
                              const next = e.target.value as Role;
                              if (next !== m.role) setReroling({ member: m, role: next });
                            }}
                            className="w-28"
                          >
                            <option value="owner">owner</option>
                            <option value="admin">admin</option>
                            <option value="viewer">viewer</option>
                          </Select>
                        ) : (
                          <Badge variant={m.role === "owner" ? "default" : "outline"}>{m.role}</Badge>
                        )}
                      </TD>
                      <TD className="hidden text-muted-foreground sm:table-cell">{formatDate(m.joined_at)}</TD>
                      <TD className="text-right">
                        {(isOwner || me) && !(me && soleOwner) ? (
                          <Button variant="ghost" size="sm" onClick={() => setRemoving(m)} aria-label={me ? "Leave this team" : `Remove ${m.name || m.email}`}>
                            {me ? "Leave" : "Remove"}
                          </Button>
                        ) : null}
                      </TD>
                    </TR>
                  );
                })}
              </TBody>
            </Table>
          </Card>
          <Card>
            <h2 className="px-4 pt-4 text-sm font-semibold">Pending invitations</h2>
            {team.data.invitations.length === 0 ? (
              <EmptyState title="No pending invitations" description={canInvite ? "Invite a colleague, or a read-only viewer for your accountant." : undefined} />
            ) : (
              <Table aria-label="Pending invitations">
                <THead>
                  <TR>
                    <TH>Email</TH>
                    <TH>Role</TH>
                    <TH className="hidden md:table-cell">Invited by</TH>
                    <TH className="hidden sm:table-cell">Expires</TH>
                    <TH>
                      <span className="sr-only">Actions</span>
                    </TH>
                  </TR>
                </THead>
                <TBody>
                  {team.data.invitations.map((i: Invitation) => (
                    <TR key={i.id}>
                      <TD className="break-all">{i.email}</TD>
                      <TD>
                        <Badge variant="outline">{i.role}</Badge>
                      </TD>
                      <TD className="hidden text-muted-foreground md:table-cell">{i.invited_by.name || i.invited_by.email}</TD>
                      <TD className="hidden sm:table-cell">{i.expired ? <Badge variant="warning">Expired</Badge> : <span className="text-muted-foreground">{formatDate(i.expires_at)}</span>}</TD>
                      <TD className="text-right">
                        {invitableRoles(role).includes(i.role) ? (
                          <Button variant="ghost" size="sm" loading={revoke.isPending && revoke.variables === i.id} onClick={() => revoke.mutate(i.id)} aria-label={`Revoke invitation for ${i.email}`}>
                            Revoke
                          </Button>
                        ) : null}
                      </TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
            )}
          </Card>
        </div>
      )}
      {inviting ? <InviteDialog roles={invitableRoles(role)} onClose={() => setInviting(false)} /> : null}
      <Dialog
        open={!!reroling}
        onClose={() => setReroling(null)}
        title={reroling ? `Make ${reroling.member.name || reroling.member.email} ${article(reroling.role)} ${reroling.role}?` : "Change role?"}
        description={
          reroling
            ? reroling.member.id === session?.admin.id
              ? `You will be ${article(reroling.role)} ${reroling.role}: ${roleHelp[reroling.role].toLowerCase()}. Only another owner can change it back.`
              : `${roleHelp[reroling.role]}.`
            : undefined
        }
        footer={
          <>
            <Button variant="outline" onClick={() => setReroling(null)}>
              Cancel
            </Button>
            <Button loading={changeRole.isPending} onClick={() => reroling && changeRole.mutate({ id: reroling.member.id, role: reroling.role })}>
              Change role
            </Button>
          </>
        }
      />
      <Dialog
        open={!!removing}
        onClose={() => setRemoving(null)}
        title={removing?.id === session?.admin.id ? "Leave this team?" : "Remove from the team?"}
        description={
          removing
            ? removing.id === session?.admin.id
              ? "You will lose access to this site. You will need a new invitation to come back."
              : `${removing.name || removing.email} loses access at once; their sessions end and the API keys they created stop working.`
            : undefined
        }
        footer={
          <>
            <Button variant="outline" onClick={() => setRemoving(null)}>
              Cancel
            </Button>
            <Button variant="destructive" loading={remove.isPending} onClick={onRemove}>
              {removing?.id === session?.admin.id ? "Leave" : "Remove"}
            </Button>
          </>
        }
      />
    </>
  );
}

type InviteValues = { email: string; role: Role };
export const validateInvite = (v: InviteValues) => ({
  email: !v.email.trim() ? "Enter their email." : !isEmail(v.email) ? "Enter a valid email address." : undefined,
});

function InviteDialog({ roles, onClose }: { roles: Role[]; onClose: () => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const form = useForm<InviteValues>({ email: "", role: "viewer" }, validateInvite);
  const onSubmit = form.handleSubmit(async (v) => {
    const inv = await unwrap(api.POST("/api/v1/admins/invitations", { body: { email: v.email.trim(), role: v.role } }));
    void qc.invalidateQueries({ queryKey: ["team"] });
    toast(`Invitation sent to ${inv.email}.`);
    onClose();
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title="Invite to the team"
      description="They get an email with a link that works once and expires in 7 days."
      footer={
        <>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="invite-form" loading={form.submitting}>
            Send invitation
          </Button>
        </>
      }
    >
      <form id="invite-form" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Email" error={form.errors.email}>
          {(p) => <Input {...p} type="email" autoComplete="off" value={form.values.email} onChange={(e) => form.setValue("email", e.target.value)} placeholder="colleague@example.com" />}
        </Field>
        <Field label="Role" error={form.errors.role} hint={roleHelp[form.values.role]}>
          {(p) => (
            <Select {...p} value={form.values.role} onChange={(e) => form.setValue("role", e.target.value as Role)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </form>
    </Dialog>
  );
}
