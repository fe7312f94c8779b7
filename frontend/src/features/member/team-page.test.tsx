import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, problem, renderRoute, stubApi } from "@/test/utils";
import { MemberTeamPage } from "./team-page";

const owner = { user_id: "usr_o", email: "owner@acme.test", name: "Olga", role: "owner", added_at: "2026-11-01T00:00:00Z" };
const bob = { user_id: "usr_b", email: "bob@acme.test", name: "Bob", role: "member", added_at: "2026-11-02T00:00:00Z" };
const account = (people: unknown[]) => ({
  id: "acc_1",
  name: "Acme Inc",
  owner_id: "usr_o",
  stripe_customer_id: "cus_1",
  seats: 3,
  created_at: "2026-11-01T00:00:00Z",
  seats_used: people.length,
  people,
  stage: "Customer",
  mrr: 9000,
  mrr_currency: "usd",
  renews_at: null,
});
const render = () => renderRoute(<MemberTeamPage />, { path: "/member/team" });

describe("MemberTeamPage", () => {
  it("lets the owner add a teammate and remove one", async () => {
    let people: unknown[] = [owner, bob];
    const api = stubApi({
      "GET /api/v1/member/account": () => json({ account: account(people), role: "owner" }),
      "POST /api/v1/member/account/seats": async (req) => {
        const body = await req.json();
        const seat = { user_id: "usr_c", email: body.email, name: body.name ?? "", role: "member", added_at: "2026-11-03T00:00:00Z" };
        people = [...people, seat];
        return json(seat, 201);
      },
      "DELETE /api/v1/member/account/seats/usr_b": () => {
        people = people.filter((p) => p !== bob);
        return new Response(null, { status: 204 });
      },
    });
    render();
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 1, name: "Team" })).toBeInTheDocument();
    expect(screen.getByText(/you own this account/)).toBeInTheDocument();
    expect(screen.getByTestId("team-seats")).toHaveTextContent("2 of 3 seats used");

    await user.click(screen.getByRole("button", { name: "Add teammate" }));
    const dialog = screen.getByRole("dialog", { name: "Add teammate" });
    await user.type(within(dialog).getByLabelText("Email"), "carol@acme.test");
    await user.click(within(dialog).getByRole("button", { name: "Add teammate" }));
    expect(await screen.findByText("carol@acme.test now has a seat.")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("team-seats")).toHaveTextContent("3 of 3 seats used"));
    expect(await api.calls.find((c) => c.method === "POST")!.json()).toEqual({ email: "carol@acme.test", name: null });

    const table = screen.getByRole("table", { name: "People of Acme Inc" });
    expect(within(table).queryByRole("button", { name: "Remove Olga" })).not.toBeInTheDocument();
    await user.click(within(table).getByRole("button", { name: "Remove Bob" }));
    await user.click(within(screen.getByRole("dialog", { name: "Remove Bob?" })).getByRole("button", { name: "Remove teammate" }));
    await waitFor(() => expect(screen.getByTestId("team-seats")).toHaveTextContent("2 of 3 seats used"));
    expect(screen.queryByText("bob@acme.test")).not.toBeInTheDocument();
  });

  it("tells the owner in words when the seats are full or the person is in another account", async () => {
    let code = "seats_full";
    stubApi({
      "GET /api/v1/member/account": () => json({ account: account([owner, bob]), role: "owner" }),
      "POST /api/v1/member/account/seats": () => problem(409, code, "refused"),
    });
    render();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Add teammate" }));
    const dialog = screen.getByRole("dialog", { name: "Add teammate" });
    await user.type(within(dialog).getByLabelText("Email"), "dave@acme.test");
    await user.click(within(dialog).getByRole("button", { name: "Add teammate" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/^Every seat of this account is taken/);
    code = "member_in_an_account";
    await user.click(within(dialog).getByRole("button", { name: "Add teammate" }));
    expect(await within(dialog).findByText(/already sits in another account/)).toBeInTheDocument();
  });

  it("shows a teammate the people read-only", async () => {
    stubApi({ "GET /api/v1/member/account": () => json({ account: account([owner, bob]), role: "member" }) });
    render();
    expect(await screen.findByText(/Its owner manages the seats/)).toBeInTheDocument();
    const table = screen.getByRole("table", { name: "People of Acme Inc" });
    expect(within(table).getByText("Olga")).toBeInTheDocument();
    expect(within(table).getByText("Bob")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Add teammate" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Remove/ })).not.toBeInTheDocument();
  });

  it("says so when the member has no account", async () => {
    stubApi({ "GET /api/v1/member/account": () => json({ account: null, role: null }) });
    render();
    expect(await screen.findByText("You are not in a team")).toBeInTheDocument();
  });
});
