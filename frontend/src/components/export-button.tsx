import { useState } from "react";
import { Download } from "lucide-react";
import { errorMessage } from "@/api/errors";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { downloadFile } from "@/lib/download";

type Props = {
  /** The export endpoint, e.g. `/api/v1/users/export.csv`. */
  path: string;
  /** The list's current filters; empty ones are left out. */
  params: Record<string, string | number | undefined>;
  /** File name when the server does not give one. */
  fallbackName: string;
  /** The button's text (default "Export CSV"). */
  label?: string;
};

/** Downloads the list with its current filters as CSV (with a BOM, so spreadsheets read UTF-8). */
export function ExportCsvButton({ path, params, fallbackName, label = "Export CSV" }: Props) {
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const run = async () => {
    setBusy(true);
    try {
      await downloadFile(path, { ...params, bom: true }, fallbackName);
    } catch (e) {
      toast(errorMessage(e), "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="outline" loading={busy} onClick={() => void run()}>
      {busy ? null : <Download />} {label}
    </Button>
  );
}
