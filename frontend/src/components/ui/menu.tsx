import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { cn } from "@/lib/utils";

export type MenuItem = { label: string; onSelect: () => void; destructive?: boolean; icon?: ReactNode };

/** A button that opens a list of actions (role="menu"); Escape or an outside click closes it. */
/**
 * `label` names the menu; it also names the trigger unless `nameFromContent` (when the trigger shows text of its
 * own, which must then be part of its name: the trigger carries the label as screen-reader text instead).
 */
export function Menu({
  trigger,
  label,
  items,
  align = "end",
  triggerClassName,
  nameFromContent = false,
}: {
  trigger: ReactNode;
  label: string;
  items: MenuItem[];
  align?: "start" | "end";
  triggerClassName?: string;
  nameFromContent?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    root.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={nameFromContent ? undefined : label}
        onClick={() => setOpen((o) => !o)}
        className={cn("inline-flex items-center gap-2 rounded-md p-2 text-sm hover:bg-accent cursor-pointer", triggerClassName)}
      >
        {nameFromContent ? <span className="sr-only">{label} </span> : null}
        {trigger}
      </button>
      {open ? (
        <div id={id} role="menu" aria-label={label} className={cn("absolute z-40 mt-1 min-w-44 rounded-md border bg-background p-1 shadow-lg", align === "end" ? "right-0" : "left-0")}>
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              onClick={() => {
                setOpen(false);
                item.onSelect();
              }}
              className={cn(
                "flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-sm hover:bg-accent focus:bg-accent focus:outline-none cursor-pointer [&_svg]:size-4",
                item.destructive && "text-destructive",
              )}
            >
              {item.icon}
              {item.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
