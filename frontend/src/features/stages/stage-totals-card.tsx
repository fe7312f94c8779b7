import { Link } from "react-router";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { formatMinorUnits, formatMoney } from "@/lib/utils";
import { useStageTotals } from "./api";

/** Dashboard: members and MRR per lifecycle stage, each row a link to the filtered members list. */
export function StageTotalsCard() {
  const totals = useStageTotals();
  const money = (n: number) => (totals.data?.currency ? formatMoney(n, totals.data.currency) : formatMinorUnits(n));
  return (
    <Card className="mt-4">
      <CardHeader className="border-b pb-4">
        <CardTitle>MRR by stage</CardTitle>
        <CardDescription>
          Members per lifecycle stage. <Link to="/settings/stages" className="underline">Edit stages</Link>
        </CardDescription>
      </CardHeader>
      <CardContent className="p-0">
        {totals.isPending ? (
          <div className="p-4">
            <Skeleton className="h-16 w-full" />
          </div>
        ) : totals.isError ? (
          <p className="p-4 text-sm text-muted-foreground">Could not load the stage totals.</p>
        ) : (
          <Table aria-label="MRR by stage">
            <THead>
              <TR>
                <TH>Stage</TH>
                <TH className="text-right">Members</TH>
                <TH className="text-right">Monthly revenue</TH>
              </TR>
            </THead>
            <TBody>
              {totals.data.data.map((t) => (
                <TR key={t.stage ?? "-"}>
                  <TD>
                    {t.stage ? (
                      <Link to={`/members?stage=${encodeURIComponent(t.stage)}`} className="font-medium hover:underline">
                        {t.stage}
                      </Link>
                    ) : (
                      <span className="text-muted-foreground">No stage</span>
                    )}
                  </TD>
                  <TD className="text-right tabular-nums">{t.members}</TD>
                  <TD className="text-right tabular-nums">{money(t.mrr)}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
