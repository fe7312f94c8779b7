import { cn } from "@/lib/utils";

export function Tabs<T extends string>({
  value,
  onChange,
  tabs,
  label,
}: {
  value: T;
  onChange: (value: T) => void;
  tabs: { value: T; label: string }[];
  label: string;
}) {
  return (
    <div role="tablist" aria-label={label} className="inline-flex h-9 items-center rounded-lg bg-muted p-1 text-muted-foreground">
      {tabs.map((t) => (
        <button
          key={t.value}
          type="button"
          role="tab"
          aria-selected={value === t.value}
          onClick={() => onChange(t.value)}
          className={cn(
            "inline-flex h-7 items-center rounded-md px-3 text-sm font-medium transition-colors cursor-pointer",
            value === t.value ? "bg-background text-foreground shadow-sm" : "hover:text-foreground",
          )}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
