import type { ReactNode } from "react";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { cn } from "@/lib/utils";

export type MenuItem = { label: string; onSelect: () => void; destructive?: boolean; icon?: ReactNode };

/**
 * A button that opens a list of actions (Radix DropdownMenu: role="menu", arrow keys, Home/End and typeahead
 * move between items, Enter or Space picks one, Escape or an outside click closes it and focus goes back to
 * the button).
 *
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
  return (
    // Not modal: the rest of the page is neither hidden from screen readers nor locked while it is open.
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger
        aria-label={nameFromContent ? undefined : label}
        className={cn(
          "inline-flex items-center gap-2 rounded-md p-2 text-sm hover:bg-accent cursor-pointer focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
          triggerClassName,
        )}
      >
        {nameFromContent ? <span className="sr-only">{label} </span> : null}
        {trigger}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          // Named by `label` alone (Radix would name it after the whole trigger, e.g. "Account menu gr grace@…").
          aria-label={label}
          aria-labelledby={undefined}
          align={align}
          sideOffset={4}
          collisionPadding={8}
          className="z-50 min-w-44 rounded-md border bg-background p-1 shadow-lg"
        >
          {items.map((item) => (
            <DropdownMenu.Item
              key={item.label}
              onSelect={item.onSelect}
              className={cn(
                "flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-sm outline-none cursor-pointer select-none [&_svg]:size-4",
                "data-[highlighted]:bg-accent data-[disabled]:pointer-events-none data-[disabled]:opacity-50",
                item.destructive && "text-destructive",
              )}
            >
              {item.icon}
              {item.label}
            </DropdownMenu.Item>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
