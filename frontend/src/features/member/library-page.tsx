import { useParams } from "react-router";
import { EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { ButtonLink } from "@/components/ui/button";
import { useLibrary, useMe, usePublicApp, usePublicLibrary } from "./api";
import { LibraryGrid } from "./library-card";
import { MemberPageTitle } from "./member-layout";
import { useMemberAuth } from "./member-auth";

export function MemberLibraryPage() {
  const { session } = useMemberAuth();
  const me = useMe();
  const library = useLibrary();
  const user = me.data ?? session?.user;
  return (
    <>
      <MemberPageTitle title={`Welcome${user?.name ? `, ${user.name}` : ""}`} description="Your products and courses." />
      {library.isPending ? (
        <LoadingRows rows={3} label="Loading your library" />
      ) : library.isError ? (
        <div className="rounded-lg border bg-background">
          <ErrorState title="Could not load your library" error={library.error} onRetry={() => void library.refetch()} />
        </div>
      ) : library.data.length === 0 ? (
        <div className="rounded-lg border bg-background">
          <EmptyState title="Nothing here yet" description="Products you get access to are listed here." />
        </div>
      ) : (
        <LibraryGrid items={library.data} member />
      )}
    </>
  );
}

/** /p/:appId — the library as a visitor sees it: locked cards leading to each product's purchase target. */
export function VisitorLibraryPage() {
  const { appId = "" } = useParams();
  const app = usePublicApp(appId);
  const library = usePublicLibrary(appId);
  return (
    <div className="min-h-dvh bg-muted/40">
      <header className="border-b bg-background">
        <div className="mx-auto flex h-14 max-w-5xl items-center justify-between gap-3 px-4">
          <span className="truncate font-semibold">{app.data?.name ?? "Library"}</span>
          <ButtonLink to={`/member/login?app=${encodeURIComponent(appId)}`} variant="outline" size="sm">
            Sign in
          </ButtonLink>
        </div>
      </header>
      <main className="mx-auto max-w-5xl px-4 py-8">
        <MemberPageTitle title="Products" description="Sign in to open the products you own." />
        {library.isPending ? (
          <LoadingRows rows={3} />
        ) : library.isError ? (
          <div className="rounded-lg border bg-background">
            <ErrorState title="Could not load this site" error={library.error} onRetry={() => void library.refetch()} />
          </div>
        ) : library.data.length === 0 ? (
          <div className="rounded-lg border bg-background">
            <EmptyState title="Nothing for sale yet" />
          </div>
        ) : (
          <LibraryGrid items={library.data} member={false} />
        )}
      </main>
    </div>
  );
}
