import { useState } from "react";
import { useNavigate } from "react-router";
import { Archive, Trash2 } from "lucide-react";
import { ApiError, errorMessage } from "@/api/errors";
import type { Product } from "@/api/types";
import { FormError } from "@/components/form/field";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { useToast } from "@/components/ui/toast";
import { useArchiveProduct, useDeleteProduct } from "./api";

/** Danger zone on the Info tab: delete a never-used product; one in use (409 product_in_use) can be archived instead. */
export function DeleteProductCard({ product }: { product: Product }) {
  const [open, setOpen] = useState(false);
  const remove = useDeleteProduct(product.id);
  const archive = useArchiveProduct(product.id);
  const navigate = useNavigate();
  const toast = useToast();
  const inUse = remove.error instanceof ApiError && remove.error.code === "product_in_use";
  const archived = !!product.archived_at;

  const close = () => {
    setOpen(false);
    remove.reset();
  };
  const onDelete = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        toast(`Deleted ${product.name}.`);
        navigate("/products", { replace: true });
      },
    });
  const onArchive = () =>
    archive.mutate(true, {
      onSuccess: () => {
        toast("Product archived.");
        close();
      },
      onError: (e) => toast(errorMessage(e), "error"),
    });

  return (
    <Card className="border-red-200">
      <CardHeader>
        <CardTitle>Danger zone</CardTitle>
        <CardDescription>
          Deleting removes the product for good. Only a product that was never used can be deleted: no access grants, purchases, Stripe link, media or sales
          page. Archive a product that is in use instead.
        </CardDescription>
      </CardHeader>
      <CardFooter>
        <Button variant="destructive" onClick={() => setOpen(true)}>
          <Trash2 /> Delete product
        </Button>
      </CardFooter>
      <Dialog
        open={open}
        onClose={close}
        title="Delete product?"
        description={`“${product.name}” will be deleted. This cannot be undone.`}
        footer={
          <>
            <Button variant="outline" onClick={close}>
              Cancel
            </Button>
            {inUse && !archived ? (
              <Button onClick={onArchive} loading={archive.isPending}>
                <Archive /> Archive instead
              </Button>
            ) : null}
            {inUse ? null : (
              <Button variant="destructive" onClick={onDelete} loading={remove.isPending}>
                Delete
              </Button>
            )}
          </>
        }
      >
        <FormError message={remove.error ? errorMessage(remove.error) : null} />
      </Dialog>
    </Card>
  );
}
