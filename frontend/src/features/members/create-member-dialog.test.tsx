import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { problem, json, renderRoute, stubApi } from "@/test/utils";
import { CreateMemberDialog } from "./create-member-dialog";

describe("CreateMemberDialog", () => {
  it("validates before sending anything", async () => {
    const api = stubApi({});
    renderRoute(<CreateMemberDialog open onClose={() => {}} onCreated={() => {}} />);
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Add member" }));
    expect(await screen.findByText("Enter the member's email.")).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");

    await user.type(screen.getByLabelText("Email"), "not-an-email");
    await user.type(screen.getByLabelText("Password (optional)"), "short");
    await user.click(screen.getByRole("button", { name: "Add member" }));
    expect(await screen.findByText("Enter a valid email address.")).toBeInTheDocument();
    expect(screen.getByText("Use at least 10 characters, or leave empty.")).toBeInTheDocument();
    expect(api.fn).not.toHaveBeenCalled();
  });

  it("shows the API's field errors next to the matching field", async () => {
    stubApi({
      "POST /api/v1/users": () => problem(409, "email_taken", "A member with this email already exists.", [
        { field: "email", code: "taken", message: "This email already belongs to a member." },
      ]),
    });
    const onCreated = vi.fn();
    renderRoute(<CreateMemberDialog open onClose={() => {}} onCreated={onCreated} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.click(screen.getByRole("button", { name: "Add member" }));

    const message = await screen.findByText("This email already belongs to a member.");
    const email = screen.getByLabelText("Email");
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(email.getAttribute("aria-describedby")).toContain(message.id);
    expect(onCreated).not.toHaveBeenCalled();
  });

  it("shows a problem without field errors as a form message", async () => {
    stubApi({ "POST /api/v1/users": () => problem(500, "internal", "Something went wrong on our side.") });
    renderRoute(<CreateMemberDialog open onClose={() => {}} onCreated={() => {}} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.click(screen.getByRole("button", { name: "Add member" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Something went wrong on our side.");
  });

  it("sends the member and reports the created user", async () => {
    const api = stubApi({
      "POST /api/v1/users": async (req) => {
        const body = await req.json();
        return json({ id: "u1", email: body.email, name: body.name, has_password: false, last_login_at: null, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" }, 201);
      },
    });
    const onCreated = vi.fn();
    renderRoute(<CreateMemberDialog open onClose={() => {}} onCreated={onCreated} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), " ada@example.com ");
    await user.type(screen.getByLabelText("Name"), "Ada");
    await user.click(screen.getByRole("button", { name: "Add member" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(expect.objectContaining({ id: "u1" })));
    expect(await api.calls[0]!.json()).toEqual({ email: "ada@example.com", name: "Ada", password: null, send_invite: true });
  });
});
