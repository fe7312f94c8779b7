import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { adminAuth } from "@/api/client";
import { json, problem, renderRoute, sessionAs, stubApi } from "@/test/utils";
import { TeamPage } from "./team-page";

const owner = { id: "adm_me", email: "owner@example.com", name: "Olivia", role: "owner", joined_at: "2026-01-01T00:00:00Z" };
const viewer = { id: "adm_v", email: "vera@example.com", name: "Vera", role: "viewer", joined_at: "2026-02-01T00:00:00Z" };
const invitation = {
  id: "inv_1",
  email: "new@example.com",
  role: "admin",
  invited_by: { id: "adm_me", email: "owner@example.com", name: "Olivia" },
  created_at: "2026-03-01T00:00:00Z",
  expires_at: "2026-03-08T00:00:00Z",
  expired: false,
};

afterEach(() => adminAuth.setSession(null));

describe("TeamPage", () => {
  it("lists members and invitations, validates and sends an invitation, shows API field errors", async () => {
    adminAuth.setSession(sessionAs("owner"));
    let invitations: (typeof invitation)[] = [];
    let posts = 0;
    const api = stubApi({
      "GET /api/v1/admins": () => json({ admins: [owner, viewer], invitations }),
      "POST /api/v1/admins/invitations": async (req) => {
        posts += 1;
        const body = (await req.json()) as { email: string };
        if (body.email === "taken@example.com") return problem(409, "already_member", "taken@example.com is already on this team");
        if (posts === 1) return problem(422, "validation_failed", "1 field(s) are invalid: email", [{ field: "email", code: "invalid_email", message: "must be an email address" }]);
        invitations = [{ ...invitation, email: body.email }];
        return json(invitations[0], 201);
      },
    });
    renderRoute(<TeamPage />);
    const user = userEvent.setup();
    const members = await screen.findByRole("table", { name: "Team members" });
    expect(within(members).getByText("Vera")).toBeInTheDocument();
    expect(screen.getByText("No pending invitations")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Invite" }));
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(screen.getByText("Enter their email.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Email"), "nope");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(screen.getByText("Enter a valid email address.")).toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await user.clear(screen.getByLabelText("Email"));
    await user.type(screen.getByLabelText("Email"), "new@example.com");
    await user.selectOptions(screen.getByLabelText("Role"), "admin");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(await screen.findByText("must be an email address")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    const pending = await screen.findByRole("table", { name: "Pending invitations" });
    expect(within(pending).getByText("new@example.com")).toBeInTheDocument();
    expect(await api.calls.filter((c) => c.method === "POST")[1]!.json()).toEqual({ email: "new@example.com", role: "admin" });
  });

  it("lets an owner change roles and revoke invitations", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const api = stubApi({
      "GET /api/v1/admins": () => json({ admins: [owner, viewer], invitations: [invitation] }),
      "PATCH /api/v1/admins/adm_v": () => json({ ...viewer, role: "admin" }),
      "DELETE /api/v1/admins/invitations/inv_1": () => new Response(null, { status: 204 }),
    });
    renderRoute(<TeamPage />);
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText("Role of Vera"), "admin");
    // Nothing changes until the owner confirms.
    const confirm = await screen.findByRole("dialog", { name: "Make Vera an admin?" });
    expect(api.calls.some((c) => c.method === "PATCH")).toBe(false);
    await user.click(within(confirm).getByRole("button", { name: "Change role" }));
    expect(await screen.findByText("Vera is now admin.")).toBeInTheDocument();
    expect(await api.calls.find((c) => c.method === "PATCH")!.json()).toEqual({ role: "admin" });
    await user.click(screen.getByRole("button", { name: "Revoke invitation for new@example.com" }));
    await waitFor(() => expect(api.calls.some((c) => c.method === "DELETE")).toBe(true));
    expect(screen.getByRole("button", { name: "Remove Vera" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Leave this team" })).not.toBeInTheDocument();
  });

  it("asks before changing a role; Cancel changes nothing; the only owner's role is locked", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const api = stubApi({ "GET /api/v1/admins": () => json({ admins: [owner, viewer], invitations: [] }) });
    renderRoute(<TeamPage />);
    const user = userEvent.setup();
    expect(await screen.findByLabelText("Role of Olivia")).toBeDisabled();
    const vera = screen.getByLabelText("Role of Vera");
    await user.selectOptions(vera, "owner");
    const confirm = await screen.findByRole("dialog", { name: "Make Vera an owner?" });
    await user.click(within(confirm).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(vera).toHaveValue("viewer");
    expect(api.calls.some((c) => c.method === "PATCH")).toBe(false);
  });

  it("gives a viewer a read-only team: no invite, no role changes, only leaving", async () => {
    adminAuth.setSession(sessionAs("viewer", "adm_v"));
    stubApi({ "GET /api/v1/admins": () => json({ admins: [owner, viewer], invitations: [invitation] }) });
    renderRoute(<TeamPage />);
    expect(await screen.findByRole("table", { name: "Team members" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Invite" })).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Role of Vera")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove Olivia" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Revoke invitation/ })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Leave this team" })).toBeInTheDocument();
  });

  it("shows an error state with retry", async () => {
    adminAuth.setSession(sessionAs("owner"));
    stubApi({ "GET /api/v1/admins": () => problem(500, "internal_error", "something went wrong on our side") });
    renderRoute(<TeamPage />);
    expect(await screen.findByText("Could not load the team")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
