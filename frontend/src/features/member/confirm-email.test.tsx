import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { ConfirmEmailPage } from "./member-pages";

const at = (token: string) => renderRoute(<ConfirmEmailPage />, { path: "/member/confirm-email", url: `/member/confirm-email?token=${token}` });
const tokenProblem = (code: string) => () =>
  problem(422, "validation_failed", "1 field(s) are invalid: token", [{ field: "token", code, message: "the link did not work" }]);

describe("ConfirmEmailPage", () => {
  it("confirms the token once and shows the new email", async () => {
    const api = stubApi({ "POST /api/v1/member/confirm-email": () => json({ email: "grace.hopper@example.com" }) });
    at("app_1.secret-token");
    expect(await screen.findByRole("heading", { name: "Email confirmed" })).toBeInTheDocument();
    expect(screen.getByText("You now sign in with grace.hopper@example.com.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to your library" })).toHaveAttribute("href", "/member");
    const confirms = api.calls.filter((c) => c.method === "POST");
    expect(confirms).toHaveLength(1);
    expect(await confirms[0]!.json()).toEqual({ token: "app_1.secret-token" });
  });

  it("explains an expired link", async () => {
    stubApi({ "POST /api/v1/member/confirm-email": tokenProblem("token_expired") });
    at("app_1.old");
    expect(await screen.findByRole("heading", { name: "Your email was not changed" })).toBeInTheDocument();
    expect(screen.getByText(/This link has expired/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to your profile" })).toHaveAttribute("href", "/member/profile");
  });

  it("explains a used or replaced link", async () => {
    stubApi({ "POST /api/v1/member/confirm-email": tokenProblem("invalid_token") });
    at("app_1.used");
    expect(await screen.findByText(/already used, cancelled, or replaced/)).toBeInTheDocument();
  });

  it("explains that the address was taken meanwhile", async () => {
    stubApi({ "POST /api/v1/member/confirm-email": () => problem(409, "email_taken", "another member started using it") });
    at("app_1.taken");
    expect(await screen.findByText(/Another member now uses this address/)).toBeInTheDocument();
  });

  it("needs a token", async () => {
    const api = stubApi({});
    renderRoute(<ConfirmEmailPage />, { path: "/member/confirm-email" });
    expect(await screen.findByRole("heading", { name: "Invalid confirmation link" })).toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });
});
