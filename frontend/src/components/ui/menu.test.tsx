import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Menu } from "./menu";

function setup(nameFromContent = false) {
  const onProfile = vi.fn();
  const onSignOut = vi.fn();
  render(
    <>
      <Menu
        label="Account menu"
        nameFromContent={nameFromContent}
        trigger={<span>grace@example.com</span>}
        items={[
          { label: "Profile", onSelect: onProfile },
          { label: "Purchases", onSelect: () => {} },
          { label: "Sign out", onSelect: onSignOut, destructive: true },
        ]}
      />
      <button type="button">Elsewhere</button>
    </>,
  );
  return { onProfile, onSignOut };
}

describe("Menu", () => {
  it("opens from its button, focuses the first item, and closes on Escape with focus back on the button", async () => {
    const user = userEvent.setup();
    setup();
    const trigger = screen.getByRole("button", { name: "Account menu" });
    expect(trigger).toHaveAttribute("aria-haspopup", "menu");
    expect(trigger).toHaveAttribute("aria-expanded", "false");
    await user.click(trigger);
    const menu = await screen.findByRole("menu", { name: "Account menu" });
    expect(trigger).toHaveAttribute("aria-expanded", "true");
    expect(trigger).toHaveAttribute("aria-controls", menu.id);
    await waitFor(() => expect(menu).toHaveFocus());
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("menuitem", { name: "Profile" })).toHaveFocus();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("menu")).toBeNull());
    expect(trigger).toHaveFocus();
  });

  it("moves through the items with the arrow keys and picks one with Enter", async () => {
    const user = userEvent.setup();
    const { onProfile, onSignOut } = setup();
    const trigger = screen.getByRole("button", { name: "Account menu" });
    trigger.focus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByRole("menuitem", { name: "Profile" })).toHaveFocus());
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("menuitem", { name: "Purchases" })).toHaveFocus();
    await user.keyboard("{End}");
    expect(screen.getByRole("menuitem", { name: "Sign out" })).toHaveFocus();
    await user.keyboard("{Home}");
    expect(screen.getByRole("menuitem", { name: "Profile" })).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(screen.getByRole("menuitem", { name: "Profile" })).toHaveFocus();
    await user.keyboard("{End}{Enter}");
    expect(onSignOut).toHaveBeenCalledTimes(1);
    expect(onProfile).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.queryByRole("menu")).toBeNull());
    expect(trigger).toHaveFocus();
  });

  it("picks an item with a click and closes", async () => {
    const user = userEvent.setup();
    const { onProfile } = setup();
    await user.click(screen.getByRole("button", { name: "Account menu" }));
    await user.click(await screen.findByRole("menuitem", { name: "Profile" }));
    expect(onProfile).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByRole("menu")).toBeNull());
  });

  it("closes on an outside click", async () => {
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByRole("button", { name: "Account menu" }));
    await screen.findByRole("menu");
    await user.click(screen.getByRole("button", { name: "Elsewhere" }));
    await waitFor(() => expect(screen.queryByRole("menu")).toBeNull());
  });

  it("with nameFromContent, the button is named by the label and its own text, the menu by the label", async () => {
    const user = userEvent.setup();
    setup(true);
    const trigger = screen.getByRole("button", { name: /^Account menu\s*grace@example\.com$/ });
    await user.click(trigger);
    expect(await screen.findByRole("menu", { name: "Account menu" })).toBeInTheDocument();
  });
});
