import { TriangleAlert } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { useSaleProblems } from "./api";

/** The products list's mark for a product that cannot sell (or sells without its sales page). */
export function SaleProblemBadge({ problem }: { problem: { message: string; blocks_sale: boolean } | undefined }) {
  if (!problem) return null;
  return (
    <Badge variant="warning" title={problem.message}>
      <TriangleAlert className="size-3" aria-hidden />
      {problem.blocks_sale ? "Can't sell yet" : "No sales page"}
      <span className="sr-only">: {problem.message}</span>
    </Badge>
  );
}

/** On the product page: what stops the product from selling, and what to do. */
export function SaleWarning({ productId }: { productId: string }) {
  const problem = useSaleProblems().get(productId);
  if (!problem) return null;
  return (
    <div role="status" className="mb-4 flex items-start gap-2 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="sale-warning">
      <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
      <p>{problem.message}</p>
    </div>
  );
}
