import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ImageWithFallback } from "./image-with-fallback";

const fallback = <span data-testid="placeholder">no image</span>;

describe("ImageWithFallback", () => {
  it("shows the placeholder without a URL, and instead of an image that fails to load", () => {
    const { container, rerender } = render(<ImageWithFallback src={null} fallback={fallback} />);
    expect(screen.getByTestId("placeholder")).toBeInTheDocument();
    rerender(<ImageWithFallback src="https://cdn.example.com/gone.png" fallback={fallback} />);
    const img = container.querySelector("img")!;
    expect(img).toHaveAttribute("src", "https://cdn.example.com/gone.png");
    expect(img).toHaveAttribute("alt", "");
    expect(screen.queryByTestId("placeholder")).toBeNull();
    fireEvent.error(img);
    expect(container.querySelector("img")).toBeNull();
    expect(screen.getByTestId("placeholder")).toBeInTheDocument();
    // Another URL is tried again.
    rerender(<ImageWithFallback src="https://cdn.example.com/new.png" fallback={fallback} />);
    expect(container.querySelector("img")).toHaveAttribute("src", "https://cdn.example.com/new.png");
  });
});
