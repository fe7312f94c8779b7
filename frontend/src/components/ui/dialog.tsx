import { useRef, type ReactNode } from "react";
import * as RDialog from "@radix-ui/react-dialog";
import { X } from "lucide-react";
import { cn } from "@/lib/utils";

/**
 * A modal dialog on Radix UI's Dialog: focus moves in on open (to the first field, else the first button),
 * Tab and Shift+Tab stay inside, Escape and the overlay close it, and focus returns to what opened it.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  footer,
  className,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  className?: string;
}) {
  // Radix returns focus to its own Trigger; these dialogs are opened by any button, so remember which.
  const opener = useRef<HTMLElement | null>(null);
  return (
    <RDialog.Root open={open} onOpenChange={(o) => (o ? undefined : onClose())}>
      <RDialog.Portal>
        <RDialog.Overlay className="fixed inset-0 z-50 bg-black/40" />
        <div className="pointer-events-none fixed inset-0 z-50 flex items-end justify-center sm:items-center">
          <RDialog.Content
            {...(description ? {} : { "aria-describedby": undefined })}
            onOpenAutoFocus={(e) => {
              opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
              const panel = e.currentTarget as HTMLElement;
              const first = panel.querySelector<HTMLElement>("input:not([type=hidden]):not(:disabled), textarea, select, button:not([data-close]):not(:disabled)");
              if (first) {
                e.preventDefault();
                first.focus();
              }
            }}
            onCloseAutoFocus={(e) => {
              if (opener.current?.isConnected) {
                e.preventDefault();
                opener.current.focus();
              }
            }}
            className={cn(
              "pointer-events-auto relative max-h-[90vh] w-full overflow-y-auto rounded-t-xl border bg-background p-5 shadow-lg focus:outline-none sm:max-w-lg sm:rounded-xl",
              className,
            )}
          >
            <div className="mb-4 flex items-start justify-between gap-4">
              <div>
                <RDialog.Title className="text-lg font-semibold">{title}</RDialog.Title>
                {description ? (
                  <RDialog.Description asChild>
                    <div className="mt-1 text-sm text-muted-foreground">{description}</div>
                  </RDialog.Description>
                ) : null}
              </div>
              <RDialog.Close data-close className="cursor-pointer rounded-md p-1 text-muted-foreground hover:bg-accent" aria-label="Close">
                <X className="size-4" />
              </RDialog.Close>
            </div>
            {children}
            {footer ? <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">{footer}</div> : null}
          </RDialog.Content>
        </div>
      </RDialog.Portal>
    </RDialog.Root>
  );
}
