import { useState } from "react";
import { useParams } from "react-router";
import { ChevronLeft, Lock } from "lucide-react";
import { ApiError } from "@/api/errors";
import type { MemberProduct } from "@/api/types";
import { ErrorState, LoadingRows } from "@/components/states";
import { ButtonLink } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { useLibrary, useMemberProduct } from "./api";
import { LessonList, LessonView } from "./lesson-view";
import { MediaItem } from "./media-item";
import { LibraryCard } from "./library-card";
import { MemberPageTitle } from "./member-layout";

const back = (
  <ButtonLink to="/member" variant="link" size="sm" className="h-auto w-fit px-0 text-muted-foreground">
    <ChevronLeft /> Library
  </ButtonLink>
);

export function MemberProductPage() {
  const { id = "" } = useParams();
  const product = useMemberProduct(id);
  if (product.isPending) return <LoadingRows rows={5} />;
  if (product.isError) {
    if (product.error instanceof ApiError && product.error.status === 403) return <LockedProduct productId={id} />;
    return (
      <>
        {back}
        <ErrorState title="Could not open this product" error={product.error} onRetry={() => void product.refetch()} />
      </>
    );
  }
  return <ProductContent product={product.data} />;
}

/** The lesson list, one lesson at a time (from the URL, else the first one not completed yet), progress and media. */
function ProductContent({ product: p }: { product: MemberProduct }) {
  const { lessonId } = useParams();
  // Without a lesson in the URL, open the first unfinished one and stay there while it gets ticked.
  const [start] = useState(() => (p.pages.find((pg) => !pg.completed) ?? p.pages[0])?.id);
  const index = Math.max(0, p.pages.findIndex((pg) => pg.id === (lessonId ?? start)));
  const current = p.pages[index];
  const lessonIds = new Set(p.pages.map((pg) => pg.id));
  const general = p.media.filter((m) => !m.page_id || !lessonIds.has(m.page_id));
  return (
    <>
      <MemberPageTitle back={back} title={p.name} description={p.description || undefined} />
      <div className="grid gap-4 lg:grid-cols-[1fr_18rem]">
        <div className="grid min-w-0 content-start gap-4">
          {current ? (
            <LessonView
              key={current.id}
              productId={p.product_id}
              page={current}
              index={index}
              pages={p.pages}
              media={p.media.filter((m) => m.page_id === current.id)}
            />
          ) : (
            <Card>
              <CardContent className="p-5 text-sm text-muted-foreground">No lessons yet.</CardContent>
            </Card>
          )}
        </div>
        <div className="grid content-start gap-4">
          <Card>
            <CardHeader>
              <CardTitle>Your progress</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-2">
              <Progress value={p.completed_pages} max={p.total_pages || 1} label="Product progress" />
              <p className="text-sm text-muted-foreground tabular-nums" data-testid="progress-text">
                {p.completed_pages}/{p.total_pages} lessons completed
              </p>
            </CardContent>
          </Card>
          {p.pages.length > 0 ? <LessonList productId={p.product_id} pages={p.pages} currentId={current?.id} /> : null}
          {general.length > 0 ? (
            <Card>
              <CardHeader>
                <CardTitle>Media</CardTitle>
              </CardHeader>
              <CardContent>
                <ul className="grid gap-3">
                  {general.map((m) => (
                    <MediaItem key={m.id} media={m} />
                  ))}
                </ul>
              </CardContent>
            </Card>
          ) : null}
        </div>
      </div>
    </>
  );
}

/** 403 no_access: the product's locked card, leading to its purchase target. */
function LockedProduct({ productId }: { productId: string }) {
  const library = useLibrary();
  const item = library.data?.find((i) => i.product_id === productId);
  return (
    <>
      <MemberPageTitle back={back} title={item?.name ?? "Locked product"} />
      <div className="grid gap-4 sm:grid-cols-[1fr_18rem]">
        <Card className="h-fit">
          <CardContent className="flex items-start gap-3 p-5">
            <Lock className="mt-0.5 size-5 shrink-0 text-muted-foreground" aria-hidden />
            <div>
              <p className="font-medium">You do not have access to this product yet.</p>
              <p className="text-sm text-muted-foreground">
                {item?.purchase_target
                  ? "Get it from the card on the right."
                  : "It is not available yet. Check back soon, or contact the site owner if you think you should have access."}
              </p>
            </div>
          </CardContent>
        </Card>
        {item ? (
          <ul>
            <LibraryCard item={item} member />
          </ul>
        ) : null}
      </div>
    </>
  );
}
