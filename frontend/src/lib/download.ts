import { adminFetch, baseUrl } from "@/api/client";
import { toApiError } from "@/api/errors";

type Params = Record<string, string | number | boolean | null | undefined>;

/** The export URL: empty filters are left out, like the typed client does. */
export function exportUrl(path: string, params: Params): URL {
  const url = new URL(path, baseUrl);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
  }
  return url;
}

/**
 * Downloads a file from an API endpoint that needs the bearer token (a plain
 * link cannot send it): fetch, then save through a Blob, an object URL and a
 * temporary `<a download>`. The server's `Content-Disposition` names the file.
 */
export async function downloadFile(path: string, params: Params, fallbackName: string): Promise<void> {
  const res = await adminFetch(new Request(exportUrl(path, params), { headers: { Accept: "text/csv, application/problem+json" } }));
  if (!res.ok) {
    const body: unknown = await res.json().catch(() => null);
    throw toApiError(body, res);
  }
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? fallbackName;
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 1000);
}
