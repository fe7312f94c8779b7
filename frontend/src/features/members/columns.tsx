import { useState } from "react";

/** The members table's optional columns, in order. */
export const COLUMNS = [
  { key: "stage", label: "Stage" },
  { key: "mrr", label: "MRR" },
  { key: "renews_at", label: "Renews" },
  { key: "last_login", label: "Last login" },
  { key: "joined", label: "Joined" },
] as const;
export type ColumnKey = (typeof COLUMNS)[number]["key"];

const STORAGE_KEY = "tollgate.members.columns";
const DEFAULT: ColumnKey[] = ["stage", "mrr", "last_login", "joined"];

function load(): ColumnKey[] {
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    if (Array.isArray(raw)) return COLUMNS.map((c) => c.key).filter((k) => raw.includes(k));
  } catch {
    // A broken value falls back to the default.
  }
  return DEFAULT;
}

/** The columns the admin chose, kept in this browser. */
export function useColumns() {
  const [shown, setShown] = useState<ColumnKey[]>(load);
  const toggle = (k: ColumnKey) => {
    const next = shown.includes(k) ? shown.filter((x) => x !== k) : COLUMNS.map((c) => c.key).filter((x) => x === k || shown.includes(x));
    setShown(next);
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    } catch {
      // Private mode: the choice lasts until the page is left.
    }
  };
  return { shown, has: (k: ColumnKey) => shown.includes(k), toggle };
}

/** A disclosure with one checkbox per optional column. */
export function ColumnsPicker({ has, toggle }: { has: (k: ColumnKey) => boolean; toggle: (k: ColumnKey) => void }) {
  return (
    <details className="relative text-sm">
      <summary className="cursor-pointer rounded-md border px-3 py-1.5 hover:bg-accent">Columns</summary>
      <fieldset className="absolute right-0 z-30 mt-1 grid min-w-40 gap-1 rounded-md border bg-background p-2 shadow-lg">
        <legend className="sr-only">Columns shown</legend>
        {COLUMNS.map((c) => (
          <label key={c.key} className="flex items-center gap-2">
            <input type="checkbox" checked={has(c.key)} onChange={() => toggle(c.key)} />
            {c.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
