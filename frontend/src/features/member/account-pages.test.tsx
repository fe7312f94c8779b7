import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { MemberProfilePage, validateProfile } from "./account-pages";

const me = {
  id: "usr_1",
  email: "grace@example.com",
  name: "Grace",
  has_password: true,
  last_login_at: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  pending_email: null,
  pending_email_expires_at: null,
};
const pending = { ...me, pending_email: "grace.hopper@example.com", pending_email_expires_at: "2026-01-02T00:00:00Z" };

describe("validateProfile", () => {
  it("asks for the current password to change the email", () => {
    const v = { name: "Grace", email: "new@example.com", current_password: "", new_password: "" };
    expect(validateProfile(v, me).current_password).toMatch(/current password/);
    expect(validateProfile({ ...v, email: me.email }, me).current_password).toBeUndefined();
  });
});

describe("MemberProfilePage", () => {
  it("after an email change says where the confirmation link went and keeps the current email", async () => {
    const api = stubApi({
      "GET /api/v1/member/me": () => json(me),
      "PATCH /api/v1/member/me": () => json(pending),
    });
    renderRoute(<MemberProfilePage />, { path: "/member/profile" });
    const user = userEvent.setup();
    const email = await screen.findByLabelText("Email");
    expect(screen.queryByRole("status", { name: "Pending email change" })).not.toBeInTheDocument();
    await user.clear(email);
    await user.type(email, "grace.hopper@example.com");
    await user.type(screen.getByLabelText("Current password"), "cobol forever 1959");
    await user.click(screen.getByRole("button", { name: "Save profile" }));

    const notice = await screen.findByRole("status", { name: "Pending email change" });
    expect(within(notice).getByText("We sent a confirmation link to grace.hopper@example.com.")).toBeInTheDocument();
    expect(within(notice).getByText(/Until then you keep using grace@example.com/)).toBeInTheDocument();
    expect(await screen.findByText("Check grace.hopper@example.com for a confirmation link.")).toBeInTheDocument();
    // The form shows the email in use, and the password fields are cleared.
    expect(screen.getByLabelText("Email")).toHaveValue("grace@example.com");
    expect(screen.queryByLabelText("Current password")).not.toBeInTheDocument();
    const patch = api.calls.find((c) => c.method === "PATCH")!;
    expect(await patch.json()).toEqual({ email: "grace.hopper@example.com", current_password: "cobol forever 1959" });
  });

  it("cancels a pending change", async () => {
    const api = stubApi({
      "GET /api/v1/member/me": () => json(pending),
      "DELETE /api/v1/member/me/pending-email": () => json(me),
    });
    renderRoute(<MemberProfilePage />, { path: "/member/profile" });
    const user = userEvent.setup();
    const notice = await screen.findByRole("status", { name: "Pending email change" });
    await user.click(within(notice).getByRole("button", { name: "Cancel email change" }));
    await waitFor(() => expect(screen.queryByRole("status", { name: "Pending email change" })).not.toBeInTheDocument());
    expect(await screen.findByText("Email change cancelled.")).toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === "DELETE")).toHaveLength(1);
  });

  it("shows the server's field errors (address taken, wrong password)", async () => {
    stubApi({
      "GET /api/v1/member/me": () => json(me),
      "PATCH /api/v1/member/me": () =>
        problem(422, "validation_failed", "1 field(s) are invalid: email", [{ field: "email", code: "taken", message: "another member uses this email" }]),
    });
    renderRoute(<MemberProfilePage />, { path: "/member/profile" });
    const user = userEvent.setup();
    const email = await screen.findByLabelText("Email");
    await user.clear(email);
    await user.type(email, "bob@example.com");
    await user.type(screen.getByLabelText("Current password"), "cobol forever 1959");
    await user.click(screen.getByRole("button", { name: "Save profile" }));
    expect(await screen.findByText("another member uses this email")).toBeInTheDocument();
    expect(screen.queryByRole("status", { name: "Pending email change" })).not.toBeInTheDocument();
  });
});
