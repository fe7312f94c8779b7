import { useState } from "react";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { Tabs } from "./tabs";

type T = "info" | "pages" | "media";
const tabs: { value: T; label: string }[] = [
  { value: "info", label: "Info" },
  { value: "pages", label: "Pages" },
  { value: "media", label: "Media" },
];

function Harness({ panel = true }: { panel?: boolean }) {
  const [value, setValue] = useState<T>("info");
  return (
    <Tabs<T> label="Sections" value={value} onChange={setValue} tabs={tabs}>
      {panel ? <p>{value} panel</p> : undefined}
    </Tabs>
  );
}

describe("Tabs", () => {
  it("is a named tablist whose tabs select on click and label their panel", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    expect(screen.getByRole("tablist", { name: "Sections" })).toBeInTheDocument();
    expect(screen.getByRole("tab", { name: "Info", selected: true })).toBeInTheDocument();
    expect(screen.getByRole("tabpanel", { name: "Info" })).toHaveTextContent("info panel");
    await user.click(screen.getByRole("tab", { name: "Media" }));
    expect(screen.getByRole("tab", { name: "Media", selected: true })).toBeInTheDocument();
    expect(screen.getByRole("tabpanel", { name: "Media" })).toHaveTextContent("media panel");
  });

  it("moves with the arrow keys, Home and End, selecting the focused tab, and wraps around", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.tab();
    expect(screen.getByRole("tab", { name: "Info" })).toHaveFocus();
    await user.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "Pages", selected: true })).toHaveFocus();
    await user.keyboard("{End}");
    expect(screen.getByRole("tab", { name: "Media", selected: true })).toHaveFocus();
    await user.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "Info", selected: true })).toHaveFocus();
    await user.keyboard("{ArrowLeft}");
    expect(screen.getByRole("tab", { name: "Media", selected: true })).toHaveFocus();
    await user.keyboard("{Home}");
    expect(screen.getByRole("tab", { name: "Info", selected: true })).toHaveFocus();
    // One tab stop: Tab leaves the tablist for the panel.
    await user.tab();
    expect(screen.getByRole("tabpanel")).toHaveFocus();
  });

  it("points at no missing panel when it only filters what follows", () => {
    render(<Harness panel={false} />);
    expect(screen.queryByRole("tabpanel")).toBeNull();
    for (const tab of screen.getAllByRole("tab")) expect(tab).not.toHaveAttribute("aria-controls");
  });
});
