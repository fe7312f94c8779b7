import { useParams, useSearchParams } from "react-router";
import { Archive, ArchiveRestore, ChevronLeft } from "lucide-react";
import { errorMessage } from "@/api/errors";
import { PageHeader } from "@/components/layout/admin-layout";
import { ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button, ButtonLink } from "@/components/ui/button";
import { Tabs } from "@/components/ui/tabs";
import { useToast } from "@/components/ui/toast";
import { useArchiveProduct, useProduct } from "./api";
import { useSession } from "@/features/auth/auth-context";
import { ConnectorInfo, StripeMark } from "./connector-info";
import { DeleteProductCard } from "./delete-product";
import { ProductInfoForm } from "./product-info-form";
import { SalesPageTab } from "./sales-page-editor";
import { useCheckout, useStripeLink } from "./stripe-api";
import { ProductMediaTab } from "./product-media-tab";
import { ProductPagesTab } from "./product-pages-tab";
import { SaleWarning } from "./sale-warning";
import { WriteOnly } from "@/features/auth/permissions";

type Tab = "info" | "pages" | "sales" | "media";

export function ProductDetailPage() {
  const { id = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const t = params.get("tab");
  const tab: Tab = t === "pages" || t === "sales" || t === "media" ? t : "info";
  const product = useProduct(id);
  const session = useSession();
  const link = useStripeLink(id);
  const checkout = useCheckout(id, !!link.data);
  const archive = useArchiveProduct(id);
  const toast = useToast();

  const back = (
    <ButtonLink to="/products" variant="link" size="sm" className="h-auto w-fit px-0 text-muted-foreground">
      <ChevronLeft /> Products
    </ButtonLink>
  );
  if (product.isPending) return <LoadingRows rows={6} />;
  if (product.isError) return (
    <>
      {back}
      <ErrorState title="Could not load this product" error={product.error} onRetry={() => void product.refetch()} />
    </>
  );
  const p = product.data;
  const archived = !!p.archived_at;

  const toggleArchive = () =>
    archive.mutate(!archived, {
      onSuccess: () => toast(archived ? "Product restored." : "Product archived."),
      onError: (e) => toast(errorMessage(e), "error"),
    });

  return (
    <>
      <PageHeader
        back={back}
        title={
          <span className="flex flex-wrap items-center gap-2">
            {p.name}
            {archived ? <Badge variant="warning">Archived</Badge> : null}
            {link.data ? <StripeMark /> : null}
          </span>
        }
        description={p.description || undefined}
        actions={
          <WriteOnly>
            <Button variant="outline" onClick={toggleArchive} loading={archive.isPending}>
              {archived ? <ArchiveRestore /> : <Archive />}
              {archived ? "Unarchive" : "Archive"}
            </Button>
          </WriteOnly>
        }
      />
      {archived ? null : <SaleWarning productId={p.id} />}
      <Tabs<Tab>
        label="Product sections"
        value={tab}
        onChange={(t) => setParams(t === "info" ? {} : { tab: t }, { replace: true })}
        tabs={[
          { value: "info", label: "Info" },
          { value: "pages", label: "Pages" },
          { value: "sales", label: "Sales page" },
          { value: "media", label: "Media" },
        ]}
      >
        {tab === "info" ? (
          <div className="grid gap-4">
            <ProductInfoForm key={p.updated_at} product={p} paymentLinkUrl={checkout.data?.enabled ? checkout.data.payment_link_url : null} />
            <ConnectorInfo product={p} />
            <WriteOnly>
              <DeleteProductCard product={p} />
            </WriteOnly>
          </div>
        ) : tab === "pages" ? (
          <ProductPagesTab productId={p.id} />
        ) : tab === "media" ? (
          <ProductMediaTab productId={p.id} />
        ) : (
          <SalesPageTab productId={p.id} appId={session.app.id} />
        )}
      </Tabs>
    </>
  );
}
