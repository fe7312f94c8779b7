import { Link } from "react-router";
import { Mail, Plus } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { Automation } from "@/api/types";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ListStates } from "@/components/states";
import { Button, ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Switch } from "@/components/ui/switch";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { useCanWrite, WriteOnly } from "@/features/auth/permissions";
import { useProductOptions } from "@/features/products/api";
import { useEventTypes } from "@/features/webhooks/api";
import { timeAgo } from "@/lib/utils";
import { useAutomations, useUpdateAutomation } from "./api";
import { describeTrigger } from "./model";
import { EnabledPill } from "./parts";

export function AutomationsPage() {
  const automations = useAutomations();
  const eventTypes = useEventTypes();
  const products = useProductOptions();
  return (
    <>
      <PageHeader
        title="Automations"
        description="When something happens to a member, Tollgate runs your steps: grant or remove access, send an email, call a webhook, wait."
        actions={
          <>
            <ButtonLink to="/automations/templates" variant="outline">
              <Mail /> Email templates
            </ButtonLink>
            <WriteOnly>
              <ButtonLink to="/automations/new">
                <Plus /> New automation
              </ButtonLink>
            </WriteOnly>
          </>
        }
      />
      <Card>
        <ListStates
          query={automations}
          empty={
            <EmptyState
              title="No automations yet"
              description="Start with a welcome email when a member gets access to a product."
              action={
                <WriteOnly>
                  <ButtonLink to="/automations/new">
                    <Plus /> New automation
                  </ButtonLink>
                </WriteOnly>
              }
            />
          }
        >
          {(items) => (
            <>
              <Table aria-label="Automations">
                <THead>
                  <TR>
                    <TH>Automation</TH>
                    <TH>Status</TH>
                    <TH className="hidden md:table-cell">Last run</TH>
                    <TH className="hidden sm:table-cell text-right">Runs (30 days)</TH>
                  </TR>
                </THead>
                <TBody>
                  {items.map((a) => (
                    <TR key={a.id}>
                      <TD>
                        <Link to={`/automations/${a.id}`} className="font-medium break-words hover:underline">
                          {a.name}
                        </Link>
                        <p className="text-xs text-muted-foreground">{describeTrigger(a.trigger, eventTypes.data, products.data)}</p>
                      </TD>
                      <TD>
                        <StatusCell automation={a} />
                      </TD>
                      <TD className="hidden md:table-cell text-muted-foreground">{a.last_run_at ? timeAgo(a.last_run_at) : "Never"}</TD>
                      <TD className="hidden sm:table-cell text-right tabular-nums">{a.runs_30d}</TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
              {automations.hasNextPage ? (
                <div className="border-t p-3 text-center">
                  <Button variant="outline" size="sm" loading={automations.isFetchingNextPage} onClick={() => void automations.fetchNextPage()}>
                    Load more
                  </Button>
                </div>
              ) : null}
            </>
          )}
        </ListStates>
      </Card>
    </>
  );
}

function StatusCell({ automation: a }: { automation: Automation }) {
  const canWrite = useCanWrite();
  const update = useUpdateAutomation();
  const toast = useToast();
  if (!canWrite) return <EnabledPill enabled={a.enabled} />;
  return (
    <div className="flex items-center gap-2">
      <Switch
        aria-label={`Enabled: ${a.name}`}
        checked={a.enabled}
        disabled={update.isPending}
        onCheckedChange={(on) =>
          update.mutate(
            { id: a.id, body: { enabled: on } },
            {
              onSuccess: () => toast(on ? `${a.name} enabled.` : `${a.name} disabled; its open runs were cancelled.`),
              onError: (err) => toast(errorMessage(err), "error"),
            },
          )
        }
      />
      <EnabledPill enabled={a.enabled} />
    </div>
  );
}
