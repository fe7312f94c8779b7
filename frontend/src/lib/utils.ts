import { clsx, type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

export function cn(...inputs: ClassValue[]) {
  return twMerge(clsx(inputs));
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : dateTime.format(d);
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : dateOnly.format(d);
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
export function timeAgo(value: string, now: number = Date.now()): string {
  const seconds = Math.round((new Date(value).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  if (abs < 86400 * 30) return rtf.format(Math.round(seconds / 86400), "day");
  return formatDate(value);
}

/** "product.access_granted" → "Product Access Granted" (fallback when the API gives no label). */
export function humanizeKind(kind: string): string {
  return kind
    .split(/[._]/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

/** Formats an amount in minor units (cents) with its currency; zero-decimal currencies are handled by Intl. */
export function formatMoney(minor: number | null | undefined, currency: string | null | undefined = "usd"): string {
  if (minor === null || minor === undefined) return "—";
  const code = (currency || "usd").toUpperCase();
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: code }).format(minor / 10 ** currencyDigits(code));
  } catch {
    return `${(minor / 100).toFixed(2)} ${code}`;
  }
}

/** An amount in minor units with no currency symbol (the currency is not known yet), e.g. 0 → "0.00". */
export function formatMinorUnits(minor: number): string {
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(minor / 100);
}

/** 512 → "512 B", 2048 → "2 KB", 3_500_000 → "3.3 MB". */
export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Decimal places of a currency's minor unit (2 for USD, 0 for JPY). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "every month", "every 3 months", "one-off". */
export function formatInterval(interval: string | null | undefined, count?: number | null): string {
  if (!interval) return "one-off";
  const n = count && count > 1 ? count : 1;
  return n === 1 ? `every ${interval}` : `every ${n} ${interval}s`;
}
