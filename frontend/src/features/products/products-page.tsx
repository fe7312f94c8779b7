import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Package, Plus } from "lucide-react";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ListStates } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ImageWithFallback } from "@/components/ui/image-with-fallback";
import { Switch } from "@/components/ui/switch";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { formatDate } from "@/lib/utils";
import { purchaseMethodLabel, useProducts, useSaleProblems } from "./api";
import { SaleProblemBadge } from "./sale-warning";
import { StripeMark } from "./connector-info";
import { CreateProductDialog } from "./create-product-dialog";
import { useStripeConnection, useStripeProducts } from "./stripe-api";
import { WriteOnly } from "@/features/auth/permissions";

/** The product's image, small; a neutral placeholder when it has none or its URL does not load. Decorative: the name follows. */
function ProductThumb({ src }: { src: string | null | undefined }) {
  return (
    <div className="size-10 shrink-0 overflow-hidden rounded-md border bg-muted">
      <ImageWithFallback
        src={src}
        className="size-full object-cover"
        loading="lazy"
        fallback={
          <div className="flex size-full items-center justify-center" data-testid="image-placeholder">
            <Package className="size-4 text-muted-foreground" aria-hidden />
          </div>
        }
      />
    </div>
  );
}

export function ProductsPage() {
  const [params, setParams] = useSearchParams();
  const includeArchived = params.get("archived") === "1";
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const products = useProducts(includeArchived);
  const saleProblems = useSaleProblems();
  // The product list has no "linked to Stripe" field; the Stripe product list names the linked product (one request, only when connected).
  const connection = useStripeConnection();
  const stripeProducts = useStripeProducts(!!connection.data?.connected);
  const linked = new Set((stripeProducts.data?.data ?? []).map((sp) => sp.linked_product_id).filter(Boolean));

  return (
    <>
      <PageHeader
        title="Products"
        description="Courses, memberships and downloads that members get access to."
        actions={
          <WriteOnly>
            <Button onClick={() => setCreating(true)}>
              <Plus /> New product
            </Button>
          </WriteOnly>
        }
      />
      <div className="mb-3 flex items-center gap-2 text-sm">
        <Switch
          id="show-archived"
          checked={includeArchived}
          onCheckedChange={(v) => setParams(v ? { archived: "1" } : {}, { replace: true })}
        />
        <label htmlFor="show-archived">Show archived</label>
      </div>
      <Card>
        <ListStates
          query={products}
          empty={
            <EmptyState
              title={includeArchived ? "No products yet" : "No active products"}
              description="Create a product, add pages to it, then grant members access."
              action={
                <WriteOnly>
                  <Button variant="outline" onClick={() => setCreating(true)}>
                    <Plus /> New product
                  </Button>
                </WriteOnly>
              }
            />
          }
        >
          {(items) => (
            <>
              <Table>
                <THead>
                  <TR>
                    <TH>Name</TH>
                    <TH className="hidden sm:table-cell">Purchase method</TH>
                    <TH className="hidden md:table-cell">Updated</TH>
                  </TR>
                </THead>
                <TBody>
                  {items.map((p) => (
                    <TR key={p.id}>
                      <TD>
                        <div className="flex items-start gap-3">
                          <ProductThumb src={p.image_url} />
                          <div className="min-w-0">
                            <div className="flex flex-wrap items-center gap-2">
                              <Link to={`/products/${p.id}`} className="font-medium hover:underline">
                                {p.name}
                              </Link>
                              {linked.has(p.id) ? <StripeMark /> : null}
                              {p.archived_at ? <Badge variant="warning">Archived</Badge> : <SaleProblemBadge problem={saleProblems.get(p.id)} />}
                            </div>
                            {p.description ? <p className="mt-0.5 line-clamp-1 text-xs text-muted-foreground">{p.description}</p> : null}
                          </div>
                        </div>
                      </TD>
                      <TD className="hidden text-muted-foreground sm:table-cell">{purchaseMethodLabel(p.purchase_method)}</TD>
                      <TD className="hidden text-muted-foreground md:table-cell">{formatDate(p.updated_at)}</TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
              {products.hasNextPage ? (
                <div className="border-t p-3 text-center">
                  <Button variant="ghost" size="sm" loading={products.isFetchingNextPage} onClick={() => void products.fetchNextPage()}>
                    Load more
                  </Button>
                </div>
              ) : null}
            </>
          )}
        </ListStates>
      </Card>
      <CreateProductDialog open={creating} onClose={() => setCreating(false)} onCreated={(p) => navigate(`/products/${p.id}`)} />
    </>
  );
}
