import { useEffect, useState } from "react";
import { CheckCircle2, XCircle } from "lucide-react";
import { errorMessage } from "@/api/errors";
import type { Automation, User } from "@/api/types";
import { FormError } from "@/components/form/field";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Input, Label } from "@/components/ui/input";
import { useDryRun, useMemberSearch } from "./api";

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** "Test with member…": pick a member, see which conditions hold and what each step would do. Changes nothing. */
export function DryRunDialog({ automation, onClose }: { automation: Automation; onClose: () => void }) {
  const [q, setQ] = useState("");
  const query = useDebounced(q.trim(), 250);
  const members = useMemberSearch(query);
  const [member, setMember] = useState<User | null>(null);
  const dry = useDryRun(automation.id);
  const pick = (u: User) => {
    setMember(u);
    dry.mutate(u.id);
  };
  return (
    <Dialog
      open
      onClose={onClose}
      title="Test with a member"
      description="Shows what would happen for this member if the trigger fired now. Nothing is changed and nothing is sent."
      className="sm:max-w-2xl"
      footer={
        <Button variant="outline" onClick={onClose}>
          Close
        </Button>
      }
    >
      <div className="grid gap-4">
        <div className="grid gap-1.5">
          <Label htmlFor="dry-run-search">Member</Label>
          <Input id="dry-run-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search by email or name" autoComplete="off" />
        </div>
        <ul className="m-0 grid max-h-48 list-none gap-1 overflow-y-auto p-0" aria-label="Matching members">
          {(members.data ?? []).map((u) => (
            <li key={u.id}>
              <button
                type="button"
                className="w-full rounded-md px-2 py-1.5 text-left text-sm hover:bg-accent aria-pressed:bg-accent"
                aria-pressed={member?.id === u.id}
                onClick={() => pick(u)}
              >
                <span className="font-medium">{u.name || u.email}</span> <span className="text-muted-foreground break-all">{u.email}</span>
              </button>
            </li>
          ))}
          {members.data && members.data.length === 0 ? <li className="text-sm text-muted-foreground">No members match.</li> : null}
        </ul>
        {dry.isError ? <FormError message={errorMessage(dry.error)} /> : null}
        {dry.isPending ? (
          <p role="status" className="text-sm text-muted-foreground">
            Testing…
          </p>
        ) : null}
        {dry.data && member ? (
          <section aria-label="Test result" className="grid gap-3 rounded-md border p-3 text-sm">
            <p className="font-medium">
              For {member.name || member.email}: {dry.data.would_run ? <Badge variant="success">Would run</Badge> : <Badge variant="secondary">Would not run</Badge>}
            </p>
            {dry.data.conditions.length ? (
              <div>
                <h4 className="mb-1 text-xs font-medium uppercase text-muted-foreground">Conditions</h4>
                <ul className="m-0 grid list-none gap-1 p-0">
                  {dry.data.conditions.map((c) => (
                    <li key={c.index} className="flex items-start gap-2">
                      {c.holds ? <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-emerald-600" aria-hidden /> : <XCircle className="mt-0.5 size-4 shrink-0 text-red-600" aria-hidden />}
                      <span>
                        {c.description} — <strong>{c.holds ? "holds" : "does not hold"}</strong>
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            ) : (
              <p className="text-muted-foreground">No conditions.</p>
            )}
            <div>
              <h4 className="mb-1 text-xs font-medium uppercase text-muted-foreground">Steps</h4>
              <ol className="m-0 grid gap-1 pl-5">
                {dry.data.steps.map((s) => (
                  <li key={s.index}>
                    <code className="text-xs">{s.type}</code>: {s.would}
                  </li>
                ))}
              </ol>
            </div>
          </section>
        ) : null}
      </div>
    </Dialog>
  );
}
