import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { ChevronLeft, Search } from "lucide-react";
import { Input } from "@/components/ui/input";
import { useUrlText } from "@/hooks/use-url-text";
import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import { PageHeader } from "@/components/layout/admin-layout";
import { EmptyState, ErrorState, ListStates, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useCursorList } from "@/hooks/use-cursor-list";
import { formatDateTime } from "@/lib/utils";

function StatusBadge({ status }: { status: string }) {
  const variant = status === "sent" ? "success" : status === "failed" || status === "dead" ? "destructive" : "secondary";
  return <Badge variant={variant}>{status}</Badge>;
}

export function EmailsPage() {
  const to = useUrlText("to");
  const emails = useCursorList(
    ["emails", to.value],
    (cursor) => unwrap(api.GET("/api/v1/emails", { params: { query: { cursor, limit: 50, to: to.value || undefined } } })),
    { refetchInterval: 10_000 },
  );
  return (
    <>
      <PageHeader title="Emails" description="Every email Tollgate sends: invitations, magic links, access notices. Without SMTP, read them here." />
      <div className="relative mb-3 max-w-sm">
        <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
        <Input type="search" aria-label="Filter by recipient" placeholder="Recipient email" className="pl-9" value={to.text} onChange={(e) => to.setText(e.target.value)} />
      </div>
      <Card>
        <ListStates
          query={emails}
          empty={
            to.value ? (
              <EmptyState title={`No emails to ${to.value}`} description="The filter matches the whole recipient address." />
            ) : (
              <EmptyState title="No emails yet" description="Invitations and magic links appear here as they are sent." />
            )
          }
        >
          {(items) => (
            <Table>
              <THead>
                <TR>
                  <TH>Email</TH>
                  <TH className="hidden sm:table-cell">Status</TH>
                  <TH className="hidden md:table-cell">Created</TH>
                </TR>
              </THead>
              <TBody>
                {items.map((m) => (
                  <TR key={m.id}>
                    <TD>
                      <Link to={`/emails/${m.id}`} className="font-medium hover:underline">
                        {m.subject}
                      </Link>
                      <p className="text-xs break-all text-muted-foreground">
                        to {m.to} · {m.template}
                      </p>
                    </TD>
                    <TD className="hidden sm:table-cell">
                      <StatusBadge status={m.status} />
                    </TD>
                    <TD className="hidden text-muted-foreground md:table-cell">{formatDateTime(m.created_at)}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </ListStates>
      </Card>
    </>
  );
}

/** Plain text with its URLs made clickable (magic links live here). */
function Linkified({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"']+)/g);
  return (
    <>
      {parts.map((part, i) =>
        /^https?:\/\//.test(part) ? (
          <a key={i} href={part} className="break-all text-blue-700 underline">
            {part}
          </a>
        ) : (
          <span key={i}>{part}</span>
        ),
      )}
    </>
  );
}

export function EmailDetailPage() {
  const { id = "" } = useParams();
  const email = useQuery({ queryKey: ["emails", id], queryFn: () => unwrap(api.GET("/api/v1/emails/{id}", { params: { path: { id } } })) });
  const back = (
    <ButtonLink to="/emails" variant="link" size="sm" className="h-auto w-fit px-0 text-muted-foreground">
      <ChevronLeft /> Emails
    </ButtonLink>
  );
  if (email.isPending) return <LoadingRows rows={5} />;
  if (email.isError)
    return (
      <>
        {back}
        <ErrorState title="Could not load this email" error={email.error} onRetry={() => void email.refetch()} />
      </>
    );
  const m = email.data;
  return (
    <>
      <PageHeader back={back} title={m.subject} />
      <Card>
        <CardHeader className="border-b pb-4">
          <dl className="grid gap-1 text-sm sm:grid-cols-[6rem_1fr]">
            <dt className="text-muted-foreground">To</dt>
            <dd className="break-all">{m.to}</dd>
            <dt className="text-muted-foreground">Status</dt>
            <dd>
              <StatusBadge status={m.status} />
            </dd>
            <dt className="text-muted-foreground">Created</dt>
            <dd>{formatDateTime(m.created_at)}</dd>
            <dt className="text-muted-foreground">Sent</dt>
            <dd>{m.sent_at ? formatDateTime(m.sent_at) : "Not sent"}</dd>
            {m.last_error ? (
              <>
                <dt className="text-muted-foreground">Last error</dt>
                <dd className="break-all text-destructive">
                  {m.last_error} (attempt {m.attempts})
                </dd>
              </>
            ) : null}
          </dl>
        </CardHeader>
        <CardContent className="pt-4">
          <pre className="whitespace-pre-wrap break-words font-sans text-sm leading-relaxed">
            <Linkified text={m.text_body} />
          </pre>
        </CardContent>
      </Card>
    </>
  );
}
