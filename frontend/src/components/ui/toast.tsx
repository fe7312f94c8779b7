import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import * as ToastPrimitive from "@radix-ui/react-toast";
import { X } from "lucide-react";
import { cn } from "@/lib/utils";

type Tone = "default" | "error";
type Toast = { id: number; message: string; tone: Tone };
const ToastContext = createContext<(message: string, tone?: Tone) => void>(() => {});

let nextId = 1;

/** How long a default toast stays (paused while hovered or focused, or while the window is in the background). */
export const TOAST_DURATION = 5000;

/**
 * Toasts (Radix Toast). Each is announced politely by screen readers, closes on its × button, Escape or a
 * swipe, and a default toast goes away by itself after TOAST_DURATION. An error toast stays until it is
 * dismissed: the message may be needed to fix what went wrong. F8 moves focus to the notifications.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((message: string, tone: Tone = "default") => {
    const id = nextId++;
    setToasts((t) => [...t, { id, message, tone }]);
  }, []);
  const remove = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  return (
    <ToastContext.Provider value={push}>
      <ToastPrimitive.Provider label="Notification" duration={TOAST_DURATION} swipeDirection="right">
        {children}
        {toasts.map((t) => (
          <ToastPrimitive.Root
            key={t.id}
            // "background": announced politely (aria-live="polite"), without interrupting the reader.
            type="background"
            duration={t.tone === "error" ? Infinity : TOAST_DURATION}
            onOpenChange={(open) => {
              if (!open) remove(t.id);
            }}
            data-tone={t.tone}
            className={cn(
              "pointer-events-auto flex w-full max-w-sm items-start gap-2 rounded-lg border py-3 pr-2 pl-4 text-sm shadow-lg",
              "focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
              "data-[swipe=move]:translate-x-[var(--radix-toast-swipe-move-x)] data-[swipe=cancel]:translate-x-0 data-[swipe=cancel]:transition-transform",
              t.tone === "error" ? "border-red-200 bg-red-50 text-red-800" : "bg-background",
            )}
          >
            <ToastPrimitive.Description className="min-w-0 flex-1 break-words">{t.message}</ToastPrimitive.Description>
            <ToastPrimitive.Close
              aria-label="Dismiss"
              className="-my-1 shrink-0 rounded-md p-1 opacity-70 hover:opacity-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring cursor-pointer"
            >
              <X className="size-4" aria-hidden />
            </ToastPrimitive.Close>
          </ToastPrimitive.Root>
        ))}
        <ToastPrimitive.Viewport className="pointer-events-none fixed inset-x-0 bottom-4 z-[60] m-0 flex list-none flex-col items-center gap-2 px-4 outline-none sm:items-end" />
      </ToastPrimitive.Provider>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
