import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useUrlText } from "@/hooks/use-url-text";
import { Plus, Search, Upload } from "lucide-react";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ListStates } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { formatDate, formatDateTime, formatMinorUnits, formatMoney } from "@/lib/utils";
import { useMembers } from "./api";
import { FILTER_KEYS, MemberFilters, type MemberFilterValues, filterQuery, useMemberFilters } from "./member-filters";
import { BulkDialog } from "./bulk-dialog";
import { ColumnsPicker, useColumns } from "./columns";
import { SegmentControls } from "./segment-controls";
import { CreateMemberDialog } from "./create-member-dialog";
import { WriteOnly } from "@/features/auth/permissions";
import { ExportCsvButton } from "@/components/export-button";
import { ImportMembersDialog } from "./import/import-dialog";

export function MembersPage() {
  const { value: q, text, setText } = useUrlText("q");
  const filters = useMemberFilters();
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const navigate = useNavigate();
  const members = useMembers(q, filters.values);
  const filtered = !!q || filters.active;
  const total = members.total;
  const [bulkOpen, setBulkOpen] = useState(false);
  const cols = useColumns();
  const apiFilter = { ...(q ? { q } : {}), ...filterQuery(filters.values) };
  const applySegment = (values: MemberFilterValues, segQ: string) => {
    filters.set({ ...Object.fromEntries(FILTER_KEYS.map((k) => [k, ""])), ...values });
    setText(segQ);
  };


  return (
    <>
      <PageHeader
        title="Members"
        description="People who can sign in to your member area."
        actions={
          <>
            <ExportCsvButton path="/api/v1/users/export.csv" params={{ q: q || undefined, ...filterQuery(filters.values) }} fallbackName="members.csv" />
            <ExportCsvButton
              path="/api/v1/grants/export.csv"
              params={{ product_id: filters.values.has_product, source: filters.values.source }}
              fallbackName="grants.csv"
              label="Export grants"
            />
            <WriteOnly>
              <Button variant="outline" onClick={() => setBulkOpen(true)} disabled={total === 0}>
                Bulk action
              </Button>
            </WriteOnly>
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
        <MemberFilters values={filters.values} set={filters.set} />
        <SegmentControls filter={filterQuery(filters.values)} search={q} apply={applySegment} canSave={filtered} />
        <div className="ml-auto">
          <ColumnsPicker has={cols.has} toggle={cols.toggle} />
        </div>
        {filters.active ? (
          <Button variant="ghost" size="sm" onClick={filters.clear}>
            Clear filters
          </Button>
        ) : null}
      </div>
      {typeof total === "number" ? (
        <p className="mb-2 text-sm text-muted-foreground" aria-live="polite" data-testid="members-total">
          {total === 1 ? "1 member" : `${total.toLocaleString()} members`}
          {filtered ? " match" : ""}
        </p>
      ) : null}
      <Card>
        <ListStates
          query={members}
          empty={
            filtered ? (
              <EmptyState
                title={q ? `No members match “${q}”` : "No members match these filters"}
                description="Search matches the start of an email address, or a name. The filters narrow the list further."
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
                    {cols.has("stage") ? <TH className="hidden sm:table-cell">Stage</TH> : null}
                    {cols.has("mrr") ? <TH className="hidden text-right lg:table-cell">MRR</TH> : null}
                    {cols.has("renews_at") ? <TH className="hidden md:table-cell">Renews</TH> : null}
                    {cols.has("last_login") ? <TH className="hidden md:table-cell">Last login</TH> : null}
                    {cols.has("joined") ? <TH className="hidden sm:table-cell">Joined</TH> : null}
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
                      {cols.has("stage") ? <TD className="hidden sm:table-cell">{u.stage ? <Badge variant="outline">{u.stage}</Badge> : <span className="text-muted-foreground">—</span>}</TD> : null}
                      {cols.has("mrr") ? <TD className="hidden text-right tabular-nums lg:table-cell">{u.mrr ? (u.mrr_currency ? formatMoney(u.mrr, u.mrr_currency) : formatMinorUnits(u.mrr)) : "—"}</TD> : null}
                      {cols.has("renews_at") ? <TD className="hidden text-muted-foreground md:table-cell">{u.renews_at ? formatDate(u.renews_at) : "—"}</TD> : null}
                      {cols.has("last_login") ? <TD className="hidden text-muted-foreground md:table-cell">{u.last_login_at ? formatDateTime(u.last_login_at) : "Never"}</TD> : null}
                      {cols.has("joined") ? <TD className="hidden text-muted-foreground sm:table-cell">{formatDate(u.created_at)}</TD> : null}
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
      {bulkOpen ? <BulkDialog filter={apiFilter} matching={total} onClose={() => setBulkOpen(false)} /> : null}
      <ImportMembersDialog open={importing} onClose={() => setImporting(false)} />
      <CreateMemberDialog open={creating} onClose={() => setCreating(false)} onCreated={(u) => navigate(`/members/${u.id}`)} />
    </>
  );
}
