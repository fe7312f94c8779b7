import { Link } from "react-router";
import { Check, ChevronLeft, ChevronRight } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { Media, MemberPage } from "@/api/types";
import { buttonClass } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { RenderedMarkdown } from "@/components/rendered-markdown";
import { useToast } from "@/components/ui/toast";
import { cn } from "@/lib/utils";
import { usePageCompletion } from "./api";
import { MediaItem } from "./media-item";

const lessonUrl = (productId: string, pageId: string) => `/member/products/${productId}/lessons/${pageId}`;

/** One lesson: its text, its media playing inline, the completion tick and previous / next. */
export function LessonView({ productId, page, index, pages, media }: { productId: string; page: MemberPage; index: number; pages: MemberPage[]; media: Media[] }) {
  const complete = usePageCompletion(productId);
  const toast = useToast();
  const prev = pages[index - 1];
  const next = pages[index + 1];
  return (
    <Card className={cn(page.completed && "border-emerald-200")}>
      <article className="grid gap-4 p-5" aria-labelledby={`lesson-${page.id}`}>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <p className="text-xs font-medium text-muted-foreground tabular-nums">
              Lesson {index + 1} of {pages.length}
            </p>
            <h2 id={`lesson-${page.id}`} className="text-xl font-semibold break-words">
              {page.title}
            </h2>
          </div>
          <button
            type="button"
            aria-pressed={page.completed}
            aria-label={`${page.completed ? "Completed" : "Mark complete"}: ${page.title}`}
            disabled={complete.isPending}
            onClick={() => complete.mutate({ pageId: page.id, complete: !page.completed }, { onError: (e) => toast(errorMessage(e), "error") })}
            className={cn(
              "flex h-9 shrink-0 cursor-pointer items-center gap-2 rounded-full border-2 px-3 text-sm font-medium transition-colors disabled:opacity-60",
              page.completed ? "border-emerald-700 bg-emerald-700 text-white" : "border-input hover:border-emerald-700",
            )}
          >
            <Check className={cn("size-4", !page.completed && "text-muted-foreground")} aria-hidden />
            {page.completed ? "Completed" : "Mark complete"}
          </button>
        </div>
        {page.body_html ? <RenderedMarkdown html={page.body_html} /> : null}
        {media.length > 0 ? (
          <ul className="grid gap-3 rounded-lg border p-3" aria-label="Lesson media">
            {media.map((m) => (
              <MediaItem key={m.id} media={m} />
            ))}
          </ul>
        ) : null}
        <nav className="flex flex-wrap justify-between gap-2 border-t pt-4" aria-label="Lessons">
          {prev ? (
            <Link to={lessonUrl(productId, prev.id)} className={buttonClass("outline", "default", "max-w-full")}>
              <ChevronLeft aria-hidden /> <span className="truncate">Previous: {prev.title}</span>
            </Link>
          ) : (
            <span />
          )}
          {next ? (
            <Link to={lessonUrl(productId, next.id)} className={buttonClass("default", "default", "max-w-full")}>
              <span className="truncate">Next: {next.title}</span> <ChevronRight aria-hidden />
            </Link>
          ) : null}
        </nav>
      </article>
    </Card>
  );
}

/** Every lesson of the product with its checkmark; the open one is marked as the current page. */
export function LessonList({ productId, pages, currentId }: { productId: string; pages: MemberPage[]; currentId: string | undefined }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Lessons</CardTitle>
      </CardHeader>
      <CardContent>
        <ol className="grid gap-1" aria-label="All lessons">
          {pages.map((pg, i) => (
            <li key={pg.id}>
              <Link
                to={lessonUrl(productId, pg.id)}
                aria-current={pg.id === currentId ? "page" : undefined}
                className={cn("flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-accent", pg.id === currentId && "bg-accent font-medium")}
              >
                <span
                  className={cn(
                    "flex size-5 shrink-0 items-center justify-center rounded-full border",
                    pg.completed ? "border-emerald-600 bg-emerald-600 text-white" : "border-input",
                  )}
                  aria-hidden
                >
                  {pg.completed ? <Check className="size-3" /> : null}
                </span>
                <span className="min-w-0 flex-1 truncate">
                  {i + 1}. {pg.title}
                </span>
                {pg.completed ? <span className="sr-only">(completed)</span> : null}
              </Link>
            </li>
          ))}
        </ol>
      </CardContent>
    </Card>
  );
}
