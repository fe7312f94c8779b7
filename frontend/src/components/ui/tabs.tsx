import type { ReactNode } from "react";
import * as TabsPrimitive from "@radix-ui/react-tabs";
import { cn } from "@/lib/utils";

/**
 * A row of tabs (Radix Tabs: role="tablist"/"tab", roving focus, arrow keys, Home/End; a focused tab is selected).
 * The value is controlled (it usually lives in the URL). `children`, when given, is the selected tab's panel
 * (role="tabpanel", labelled by its tab); without it the tabs filter what follows and point at no panel.
 */
export function Tabs<T extends string>({
  value,
  onChange,
  tabs,
  label,
  children,
  className,
  panelClassName,
}: {
  value: T;
  onChange: (value: T) => void;
  tabs: { value: T; label: string }[];
  label: string;
  children?: ReactNode;
  className?: string;
  panelClassName?: string;
}) {
  const withPanel = children !== undefined;
  return (
    <TabsPrimitive.Root value={value} onValueChange={(v) => onChange(v as T)} activationMode="automatic" className={className}>
      <TabsPrimitive.List aria-label={label} className="inline-flex h-9 items-center rounded-lg bg-muted p-1 text-muted-foreground">
        {tabs.map((t) => (
          <TabsPrimitive.Trigger
            key={t.value}
            value={t.value}
            // Radix points every tab at its panel; tabs without panels must not point at a missing element.
            {...(withPanel ? {} : { "aria-controls": undefined })}
            className={cn(
              "inline-flex h-7 items-center rounded-md px-3 text-sm font-medium whitespace-nowrap transition-colors cursor-pointer",
              "hover:text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
              "data-[state=active]:bg-background data-[state=active]:text-foreground data-[state=active]:shadow-sm",
            )}
          >
            {t.label}
          </TabsPrimitive.Trigger>
        ))}
      </TabsPrimitive.List>
      {withPanel ? (
        <TabsPrimitive.Content value={value} className={cn("mt-4 rounded-md focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring", panelClassName)}>
          {children}
        </TabsPrimitive.Content>
      ) : null}
    </TabsPrimitive.Root>
  );
}
