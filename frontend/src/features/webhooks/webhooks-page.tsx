import { useState } from "react";
import { Link } from "react-router";
import { Plus } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { WebhookEndpoint, WebhookEndpointWithSecret } from "@/api/types";
import { FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { WriteOnly } from "@/features/auth/permissions";
import { eventLabel, explainEndpointError, useCreateEndpoint, useDeleteEndpoint, useEndpoints, useEventTypes } from "./api";
import { EndpointFields, EndpointStatusPill, EventList, SecretDialog, emptyEndpoint, endpointBody, validateEndpoint, type EndpointValues } from "./parts";

export function WebhooksPage() {
  const endpoints = useEndpoints();
  const eventTypes = useEventTypes();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<WebhookEndpointWithSecret | null>(null);
  const [removing, setRemoving] = useState<WebhookEndpoint | null>(null);
  const remove = useDeleteEndpoint();
  const toast = useToast();

  const standard = endpoints.data?.filter((e) => e.kind === "standard") ?? [];
  const zapier = endpoints.data?.filter((e) => e.kind === "zapier") ?? [];

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Tollgate POSTs signed events to these URLs when members sign up, buy, gain or lose access. Failed deliveries are retried for about a day."
        actions={
          <WriteOnly>
            <Button onClick={() => setCreating(true)}>
              <Plus /> Add endpoint
            </Button>
          </WriteOnly>
        }
      />
      {endpoints.isPending ? (
        <Card>
          <LoadingRows rows={3} label="Loading endpoints" />
        </Card>
      ) : endpoints.isError ? (
        <Card>
          <ErrorState error={endpoints.error} onRetry={() => void endpoints.refetch()} title="Could not load the endpoints" />
        </Card>
      ) : (
        <div className="grid gap-6">
          <Card>
            {standard.length === 0 ? (
              <EmptyState title="No webhook endpoints" description="Add an endpoint to have Tollgate tell your own tools what happens on your site, as it happens." />
            ) : (
              <Table aria-label="Webhook endpoints">
                <THead>
                  <TR>
                    <TH>Endpoint</TH>
                    <TH className="hidden md:table-cell">Events</TH>
                    <TH>Status</TH>
                  </TR>
                </THead>
                <TBody>
                  {standard.map((e) => (
                    <TR key={e.id}>
                      <TD>
                        <Link to={`/settings/webhooks/${e.id}`} className="font-medium break-all hover:underline">
                          {e.url}
                        </Link>
                        {e.description ? <p className="text-xs text-muted-foreground break-words">{e.description}</p> : null}
                      </TD>
                      <TD className="hidden md:table-cell">
                        <EventList types={e.event_types} eventTypes={eventTypes.data} />
                      </TD>
                      <TD>
                        <EndpointStatusPill endpoint={e} />
                      </TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
            )}
          </Card>
          {zapier.length > 0 ? (
            <Card>
              <div className="px-4 pt-4">
                <h2 className="text-sm font-semibold">Zapier hooks</h2>
                <p className="mt-1 text-xs text-muted-foreground">Zapier adds and removes these itself when a Zap is turned on or off. They are not signed.</p>
              </div>
              <Table aria-label="Zapier hooks">
                <THead>
                  <TR>
                    <TH>Event</TH>
                    <TH className="hidden sm:table-cell">Target</TH>
                    <TH>Status</TH>
                    <TH>
                      <span className="sr-only">Actions</span>
                    </TH>
                  </TR>
                </THead>
                <TBody>
                  {zapier.map((h) => {
                    const label = h.event_types[0] ? eventLabel(eventTypes.data, h.event_types[0]) : "All events";
                    return (
                      <TR key={h.id}>
                        <TD>{label}</TD>
                        <TD className="hidden max-w-xs font-mono text-xs break-all text-muted-foreground sm:table-cell">{h.url}</TD>
                        <TD>
                          <EndpointStatusPill endpoint={h} />
                        </TD>
                        <TD className="text-right">
                          <WriteOnly>
                            <Button variant="ghost" size="sm" onClick={() => setRemoving(h)} aria-label={`Remove the Zapier hook for ${label}`}>
                              Remove
                            </Button>
                          </WriteOnly>
                        </TD>
                      </TR>
                    );
                  })}
                </TBody>
              </Table>
            </Card>
          ) : null}
        </div>
      )}
      {creating ? (
        <CreateEndpointDialog
          onClose={() => setCreating(false)}
          onCreated={(e) => {
            setCreating(false);
            setCreated(e);
          }}
        />
      ) : null}
      <SecretDialog secret={created?.secret ?? null} url={created?.url} onDone={() => setCreated(null)} />
      <Dialog
        open={!!removing}
        onClose={() => setRemoving(null)}
        title="Remove this Zapier hook?"
        description="Tollgate stops sending to it. The Zap that made it stops receiving events until it is turned on again."
        footer={
          <>
            <Button variant="outline" onClick={() => setRemoving(null)}>
              Cancel
            </Button>
            <Button
              variant="destructive"
              loading={remove.isPending}
              onClick={() =>
                removing &&
                remove.mutate(removing, {
                  onSuccess: () => {
                    setRemoving(null);
                    toast("Zapier hook removed.");
                  },
                  onError: (e) => toast(errorMessage(e), "error"),
                })
              }
            >
              Remove
            </Button>
          </>
        }
      />
    </>
  );
}

function CreateEndpointDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (e: WebhookEndpointWithSecret) => void }) {
  const create = useCreateEndpoint();
  const eventTypes = useEventTypes();
  const form = useForm<EndpointValues>(emptyEndpoint, validateEndpoint);
  const onSubmit = form.handleSubmit(async (v) => {
    try {
      onCreated(await create.mutateAsync(endpointBody(v)));
    } catch (err) {
      throw explainEndpointError(err);
    }
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title="Add endpoint"
      description="You get a signing secret next; it is shown once."
      footer={
        <>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="endpoint-form" loading={form.submitting}>
            Add endpoint
          </Button>
        </>
      }
    >
      <form id="endpoint-form" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <EndpointFields form={form} eventTypes={eventTypes.data} />
      </form>
    </Dialog>
  );
}
