import { useState } from "react";
import { Link } from "react-router";
import type { ImportProgress, Product } from "@/api/types";
import { ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { formatDateTime } from "@/lib/utils";
import { useCheckout, useStripeConnection, useStripeLink } from "./stripe-api";
import { StripeSettingsDialog } from "./stripe-settings-dialog";
import { WriteOnly } from "@/features/auth/permissions";

/** The Stripe "S" mark, shown next to linked products. */
export function StripeMark({ className = "" }: { className?: string }) {
  return (
    <span title="Linked to Stripe" aria-label="Linked to Stripe" role="img" className={`inline-flex size-5 items-center justify-center rounded bg-indigo-600 text-[11px] font-bold text-white ${className}`}>
      S
    </span>
  );
}

/** Import of a newly linked Stripe product's customers: a bar while queued/running, then the outcome. */
export function ImportStatus({ progress }: { progress: ImportProgress }) {
  const done = progress.done ?? 0;
  const total = progress.total ?? null;
  switch (progress.status) {
    case "queued":
    case "running":
      return (
        <div className="grid gap-1.5">
          <div className="flex justify-between text-xs text-muted-foreground">
            <span>{progress.status === "queued" ? "Import queued…" : "Importing customers…"}</span>
            {total !== null ? (
              <span className="tabular-nums">
                {done} of {total}
              </span>
            ) : null}
          </div>
          <Progress value={done} max={total} label="Import progress" />
        </div>
      );
    case "succeeded":
      return <p className="text-xs text-muted-foreground">Imported {total ?? done} customer{(total ?? done) === 1 ? "" : "s"} from Stripe.</p>;
    case "dead":
      return (
        <p role="alert" className="text-xs font-medium text-destructive">
          The import failed{progress.error ? `: ${progress.error}` : "."} Retry it from Jobs.
        </p>
      );
    default:
      return null;
  }
}

/** "Connector Info" on a product's Info tab: the Stripe link, its import and Checkout, and "Configure". */
export function ConnectorInfo({ product }: { product: Product }) {
  const connection = useStripeConnection();
  const link = useStripeLink(product.id);
  const checkout = useCheckout(product.id, !!link.data);
  const [configuring, setConfiguring] = useState(false);
  const connected = !!connection.data?.connected;

  return (
    <Card>
      <CardHeader className="flex-row items-start justify-between gap-4">
        <div>
          <CardTitle>Connector Info</CardTitle>
          <CardDescription>Link a Stripe product so purchases grant access automatically.</CardDescription>
        </div>
        <WriteOnly>
        <Button variant="outline" size="sm" onClick={() => setConfiguring(true)} disabled={!connected || link.isPending || (!!link.data && checkout.isPending)}>
          Configure
        </Button>
        </WriteOnly>
      </CardHeader>
      <CardContent className="grid gap-3 text-sm">
        {connection.isPending || link.isPending ? (
          <LoadingRows rows={1} />
        ) : link.isError ? (
          <ErrorState title="Could not load the Stripe link" error={link.error} onRetry={() => void link.refetch()} />
        ) : link.data ? (
          <>
            <div className="flex flex-wrap items-center gap-2">
              <StripeMark />
              <span>
                Linked to <span className="font-medium">{link.data.stripe_product_name}</span>
              </span>
              <span className="text-xs text-muted-foreground">since {formatDateTime(link.data.linked_at)}</span>
            </div>
            <ImportStatus progress={link.data.import} />
            <div className="flex flex-wrap items-center gap-2">
              <span className="text-muted-foreground">Checkout</span>
              {checkout.data?.enabled ? <Badge variant="success">On</Badge> : <Badge variant="outline">Off</Badge>}
            </div>
          </>
        ) : connected ? (
          <p className="text-muted-foreground">Not linked to a Stripe product.</p>
        ) : (
          <p className="text-muted-foreground">
            Stripe is not connected.{" "}
            <Link to="/settings/connectors" className="font-medium text-foreground underline-offset-4 hover:underline">
              Connect Stripe
            </Link>{" "}
            to link this product.
          </p>
        )}
      </CardContent>
      {configuring ? <StripeSettingsDialog product={product} link={link.data ?? null} checkout={checkout.data ?? null} onClose={() => setConfiguring(false)} /> : null}
    </Card>
  );
}
