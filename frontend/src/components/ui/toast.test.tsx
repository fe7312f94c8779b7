import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TOAST_DURATION, ToastProvider, useToast } from "./toast";

function Buttons() {
  const toast = useToast();
  return (
    <>
      <button type="button" onClick={() => toast("Settings saved.")}>
        Save
      </button>
      <button type="button" onClick={() => toast("The server refused.", "error")}>
        Fail
      </button>
    </>
  );
}

const renderToasts = () =>
  render(
    <ToastProvider>
      <Buttons />
    </ToastProvider>,
  );
const region = () => screen.getByRole("region", { name: /^Notifications/ });

afterEach(() => vi.useRealTimers());

describe("Toast", () => {
  it("shows the message in the notifications region and announces it politely", async () => {
    const user = userEvent.setup();
    renderToasts();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(within(region()).getByText("Settings saved.")).toBeVisible();
    // Radix announces the text through a polite live region of its own.
    await waitFor(() => {
      const live = screen.getAllByRole("status").find((s) => s.textContent?.includes("Settings saved."));
      expect(live).toHaveAttribute("aria-live", "polite");
    });
  });

  it("goes away by itself; an error toast stays until it is dismissed", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderToasts();
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.click(screen.getByRole("button", { name: "Fail" }));
    expect(within(region()).getByText("Settings saved.")).toBeInTheDocument();
    // Away from the toasts, so that hovering them does not pause the timers.
    await user.unhover(region());
    await act(() => vi.advanceTimersByTimeAsync(TOAST_DURATION * 4));
    expect(within(region()).queryByText("Settings saved.")).toBeNull();
    const error = within(region()).getByText("The server refused.");
    expect(error).toBeVisible();
    await user.click(within(region()).getByRole("button", { name: "Dismiss" }));
    await waitFor(() => expect(within(region()).queryByText("The server refused.")).toBeNull());
  });

  it("closes on Escape from its close button", async () => {
    const user = userEvent.setup();
    renderToasts();
    await user.click(screen.getByRole("button", { name: "Fail" }));
    within(region()).getByRole("button", { name: "Dismiss" }).focus();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(within(region()).queryByText("The server refused.")).toBeNull());
  });
});
