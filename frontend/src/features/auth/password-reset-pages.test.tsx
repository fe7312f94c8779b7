import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { ForgotPasswordPage, ResetPasswordPage } from "./password-reset-pages";

const at = (token: string) => renderRoute(<ResetPasswordPage />, { path: "/reset-password", url: `/reset-password?token=${token}` });

describe("password reset", () => {
  it("asks for a link without telling whether the email has an account", async () => {
    const api = stubApi({ "POST /api/v1/auth/password-reset": () => json({ status: "accepted" }, 202) });
    renderRoute(<ForgotPasswordPage />, { path: "/forgot-password" });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "olivia@example.com");
    await user.click(screen.getByRole("button", { name: "Send reset link" }));
    expect(await screen.findByText(/If olivia@example.com has an account/)).toBeInTheDocument();
    expect(await api.calls[0]!.json()).toEqual({ email: "olivia@example.com" });
  });

  it("sets the new password, then leads to sign in", async () => {
    const api = stubApi({ "POST /api/v1/auth/password-reset/confirm": () => new Response(null, { status: 204 }) });
    at("tok");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("New password"), "lantern orchard velvet");
    await user.type(screen.getByLabelText("Repeat it"), "lantern orchard velvet");
    await user.click(screen.getByRole("button", { name: "Set new password" }));
    expect(await screen.findByRole("heading", { name: "Password changed" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/login");
    expect(await api.calls[0]!.json()).toEqual({ token: "tok", password: "lantern orchard velvet" });
  });

  it("offers a new link when this one is used or expired", async () => {
    stubApi({
      "POST /api/v1/auth/password-reset/confirm": () =>
        problem(422, "validation_failed", "1 field(s) are invalid: token", [{ field: "token", code: "token_expired", message: "expired" }]),
    });
    at("old");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("New password"), "lantern orchard velvet");
    await user.type(screen.getByLabelText("Repeat it"), "lantern orchard velvet");
    await user.click(screen.getByRole("button", { name: "Set new password" }));
    expect(await screen.findByText("This link has expired. Ask for a new one.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Send a new link" })).toHaveAttribute("href", "/forgot-password");
  });
});
