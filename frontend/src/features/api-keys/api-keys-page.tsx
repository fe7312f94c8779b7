import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Plus } from "lucide-react";
import { api } from "@/api/client";
import { errorMessage, unwrap } from "@/api/errors";
import type { ApiKey } from "@/api/types";
import { CopyButton } from "@/components/copy-button";
import { Field, FormError } from "@/components/form/field";
import { useForm } from "@/components/form/use-form";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ListStates } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { useCursorList } from "@/hooks/use-cursor-list";
import { formatDate, formatDateTime } from "@/lib/utils";
import { WriteOnly } from "@/features/auth/permissions";

export const scopeFamilies = ["app", "products", "users", "activities", "connectors", "jobs", "emails", "webhooks", "automations"] as const;

export function ApiKeysPage() {
  const keys = useCursorList(["api-keys"], (cursor) => unwrap(api.GET("/api/v1/api-keys", { params: { query: { cursor, limit: 100 } } })));
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ key: ApiKey; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const qc = useQueryClient();
  const toast = useToast();
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/api-keys/{id}", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["api-keys"] }),
  });

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let your own scripts and services call the Tollgate API."
        actions={
          <WriteOnly>
          <Button onClick={() => setCreating(true)}>
            <Plus /> New API key
          </Button>
          </WriteOnly>
        }
      />
      <Card>
        <ListStates query={keys} empty={<EmptyState title="No API keys" description="Create a key with only the scopes a script needs." />}>
          {(items) => (
            <Table>
              <THead>
                <TR>
                  <TH>Name</TH>
                  <TH className="hidden md:table-cell">Scopes</TH>
                  <TH className="hidden sm:table-cell">Last used</TH>
                  <TH>Status</TH>
                  <TH>
                    <span className="sr-only">Actions</span>
                  </TH>
                </TR>
              </THead>
              <TBody>
                {items.map((k) => (
                  <TR key={k.id}>
                    <TD>
                      <p className="font-medium">{k.name}</p>
                      <p className="font-mono text-xs text-muted-foreground">tg_key_…{k.last4}</p>
                    </TD>
                    <TD className="hidden md:table-cell">
                      <div className="flex max-w-md flex-wrap gap-1">
                        {k.scopes.map((s) => (
                          <Badge key={s} variant="outline" className="font-mono">
                            {s}
                          </Badge>
                        ))}
                      </div>
                    </TD>
                    <TD className="hidden text-muted-foreground sm:table-cell">{k.last_used_at ? formatDateTime(k.last_used_at) : "Never"}</TD>
                    <TD>{k.revoked_at ? <Badge variant="destructive">Revoked {formatDate(k.revoked_at)}</Badge> : <Badge variant="success">Active</Badge>}</TD>
                    <TD className="text-right">
                      {!k.revoked_at ? (
                        <WriteOnly>
                        <Button variant="ghost" size="sm" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
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
      {creating ? (
        <CreateKeyDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setSecret(created);
          }}
        />
      ) : null}
      <Dialog
        open={!!secret}
        onClose={() => setSecret(null)}
        title="Copy your new API key"
        description="This is the only time the secret is shown. Store it somewhere safe."
        footer={<Button onClick={() => setSecret(null)}>I have copied it</Button>}
      >
        {secret ? (
          <div className="grid gap-3">
            <div className="flex items-center gap-2">
              <KeyRound className="size-4 text-muted-foreground" />
              <span className="font-medium">{secret.key.name}</span>
            </div>
            <div className="flex items-center gap-2">
              <code data-testid="api-key-secret" className="min-w-0 flex-1 break-all rounded-md border bg-muted px-3 py-2 font-mono text-xs">
                {secret.secret}
              </code>
              <CopyButton value={secret.secret} label="Copy secret" />
            </div>
          </div>
        ) : null}
      </Dialog>
      <Dialog
        open={!!revoking}
        onClose={() => setRevoking(null)}
        title="Revoke API key?"
        description={revoking ? `Requests using “${revoking.name}” will fail from now on.` : undefined}
        footer={
          <>
            <Button variant="outline" onClick={() => setRevoking(null)}>
              Cancel
            </Button>
            <Button
              variant="destructive"
              loading={revoke.isPending}
              onClick={() =>
                revoking &&
                revoke.mutate(revoking.id, {
                  onSuccess: () => {
                    setRevoking(null);
                    toast("API key revoked.");
                  },
                  onError: (e) => toast(errorMessage(e), "error"),
                })
              }
            >
              Revoke key
            </Button>
          </>
        }
      />
    </>
  );
}

type KeyValues = { name: string; scopes: string[] };
export const validateKey = (v: KeyValues) => ({
  name: !v.name.trim() ? "Name the key after what uses it." : undefined,
  scopes: v.scopes.length === 0 ? "Choose at least one scope." : undefined,
});

function CreateKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (c: { key: ApiKey; secret: string }) => void }) {
  const qc = useQueryClient();
  const form = useForm<KeyValues>({ name: "", scopes: [] }, validateKey);
  const onSubmit = form.handleSubmit(async (v) => {
    const created = await unwrap(api.POST("/api/v1/api-keys", { body: { name: v.name.trim(), scopes: v.scopes } }));
    void qc.invalidateQueries({ queryKey: ["api-keys"] });
    onCreated(created);
  });
  const toggle = (scope: string, on: boolean) => {
    const rest = form.values.scopes.filter((s) => s !== scope);
    form.setValue("scopes", on ? [...rest, scope] : rest);
  };
  return (
    <Dialog
      open
      onClose={onClose}
      title="New API key"
      footer={
        <>
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="key-form" loading={form.submitting}>
            Create key
          </Button>
        </>
      }
    >
      <form id="key-form" onSubmit={onSubmit} noValidate className="grid gap-4">
        <FormError message={form.formError} />
        <Field label="Name" error={form.errors.name}>
          {(p) => <Input {...p} value={form.values.name} onChange={(e) => form.setValue("name", e.target.value)} placeholder="Zapier, nightly export…" />}
        </Field>
        <fieldset className="grid gap-2" aria-describedby={form.errors.scopes ? "scopes-error" : undefined}>
          <legend className="mb-1 text-sm font-medium">Scopes</legend>
          <div className="grid grid-cols-[1fr_auto_auto] items-center gap-x-4 gap-y-1.5 text-sm">
            <span />
            <span className="text-xs text-muted-foreground">Read</span>
            <span className="text-xs text-muted-foreground">Write</span>
            {scopeFamilies.map((f) => (
              <div key={f} className="contents">
                <span className="capitalize">{f}</span>
                {(["read", "write"] as const).map((level) => {
                  const scope = `${f}:${level}`;
                  return (
                    <input
                      key={scope}
                      type="checkbox"
                      aria-label={scope}
                      className="size-4 justify-self-center accent-primary"
                      checked={form.values.scopes.includes(scope)}
                      onChange={(e) => toggle(scope, e.target.checked)}
                    />
                  );
                })}
              </div>
            ))}
          </div>
          {form.errors.scopes ? (
            <p id="scopes-error" className="text-xs font-medium text-destructive">
              {form.errors.scopes}
            </p>
          ) : null}
        </fieldset>
      </form>
    </Dialog>
  );
}
