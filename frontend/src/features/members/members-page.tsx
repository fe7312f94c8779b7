import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useUrlText } from "@/hooks/use-url-text";
import { Plus, Search, Upload } from "lucide-react";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ListStates } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Select } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { formatDate, formatDateTime, formatMinorUnits, formatMoney } from "@/lib/utils";
import { useStages } from "@/features/stages/api";
import { useMembers } from "./api";
import { CreateMemberDialog } from "./create-member-dialog";
import { WriteOnly } from "@/features/auth/permissions";
import { ExportCsvButton } from "@/components/export-button";
import { ImportMembersDialog } from "./import/import-dialog";

export function MembersPage() {
  const { value: q, text, setText } = useUrlText("q");
  const [params, setParams] = useSearchParams();
  const stage = params.get("stage") ?? "";
  const renews = Number(params.get("renews_within_days")) || undefined;
  const setFilter = (key: string, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  const stages = useStages();
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const navigate = useNavigate();
  const members = useMembers(q, { stage, renewsWithinDays: renews });
  const filtered = !!(q || stage || renews);


  return (
    <>
      <PageHeader
        title="Members"
        description="People who can sign in to your member area."
        actions={
          <>
            <ExportCsvButton path="/api/v1/users/export.csv" params={{ q: q || undefined, stage: stage || undefined, renews_within_days: renews }} fallbackName="members.csv" />
            <WriteOnly>
            <Button variant="outline" onClick={() => setImporting(true)}>
              <Upload /> Import CSV
            </Button>
            <Button onClick={() => setCreating(true)}>
              <Plus /> Add member
            </Button>
            </WriteOnly>
          </>
        }
      />
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <div className="relative w-full max-w-sm">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input
            type="search"
            aria-label="Search members"
            placeholder="Search by email or name"
            className="pl-9"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <Select aria-label="Lifecycle stage" className="w-auto" value={stage} onChange={(e) => setFilter("stage", e.target.value)}>
          <option value="">Any stage</option>
          {(stages.data?.stages ?? []).map((s) => (
            <option key={s.name} value={s.name}>
              {s.name}
            </option>
          ))}
        </Select>
        <Select aria-label="Renewal" className="w-auto" value={renews ? String(renews) : ""} onChange={(e) => setFilter("renews_within_days", e.target.value)}>
          <option value="">Any renewal date</option>
          <option value="7">Renews within 7 days</option>
          <option value="30">Renews within 30 days</option>
        </Select>
      </div>
      <Card>
        <ListStates
          query={members}
          empty={
            filtered ? (
              <EmptyState
                title={q ? `No members match “${q}”` : "No members match these filters"}
                description="Search matches the start of an email address, or a name. Stage and renewal filters narrow the list further."
              />
            ) : (
              <EmptyState
                title="No members yet"
                description="Add a member by hand, or connect Stripe to add buyers automatically."
                action={
                  <WriteOnly>
                  <Button variant="outline" onClick={() => setCreating(true)}>
                    <Plus /> Add member
                  </Button>
                  </WriteOnly>
                }
              />
            )
          }
        >
          {(items) => (
            <>
              <Table>
                <THead>
                  <TR>
                    <TH>Member</TH>
                    <TH className="hidden sm:table-cell">Stage</TH>
                    <TH className="hidden text-right lg:table-cell">MRR</TH>
                    <TH className="hidden md:table-cell">Last login</TH>
                    <TH className="hidden sm:table-cell">Joined</TH>
                  </TR>
                </THead>
                <TBody>
                  {items.map((u) => (
                    <TR key={u.id}>
                      <TD>
                        <Link to={`/members/${u.id}`} className="font-medium hover:underline">
                          {u.name || u.email}
                        </Link>
                        <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
                          {u.name ? <span className="break-all">{u.email}</span> : null}
                          {!u.has_password ? <Badge variant="outline">No password</Badge> : null}
                        </div>
                      </TD>
                      <TD className="hidden sm:table-cell">{u.stage ? <Badge variant="outline">{u.stage}</Badge> : <span className="text-muted-foreground">—</span>}</TD>
                      <TD className="hidden text-right tabular-nums lg:table-cell">{u.mrr ? (u.mrr_currency ? formatMoney(u.mrr, u.mrr_currency) : formatMinorUnits(u.mrr)) : "—"}</TD>
                      <TD className="hidden text-muted-foreground md:table-cell">{u.last_login_at ? formatDateTime(u.last_login_at) : "Never"}</TD>
                      <TD className="hidden text-muted-foreground sm:table-cell">{formatDate(u.created_at)}</TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
              {members.hasNextPage ? (
                <div className="border-t p-3 text-center">
                  <Button variant="ghost" size="sm" loading={members.isFetchingNextPage} onClick={() => void members.fetchNextPage()}>
                    Load more
                  </Button>
                </div>
              ) : null}
            </>
          )}
        </ListStates>
      </Card>
      <ImportMembersDialog open={importing} onClose={() => setImporting(false)} />
      <CreateMemberDialog open={creating} onClose={() => setCreating(false)} onCreated={(u) => navigate(`/members/${u.id}`)} />
    </>
  );
}
