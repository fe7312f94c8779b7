import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { adminAuth } from "@/api/client";
import { json, problem, renderRoute, sessionAs, stubApi } from "@/test/utils";
import { AccountPage, AccountsPage } from "./accounts-page";

const owner = { user_id: "usr_o", email: "owner@acme.test", name: "Olga", role: "owner", added_at: "2026-11-01T00:00:00Z" };
const bob = { user_id: "usr_b", email: "bob@acme.test", name: "Bob", role: "member", added_at: "2026-11-02T00:00:00Z" };
const account = (people = [owner, bob]) => ({
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
  renews_at: "2026-12-01T00:00:00Z",
});

afterEach(() => adminAuth.setSession(null));

describe("AccountsPage", () => {
  it("lists accounts with links to their pages", async () => {
    stubApi({
      "GET /api/v1/accounts": () => json({ data: [{ ...account(), people: undefined }], has_more: false, next_cursor: null }),
      "GET /api/v1/accounts/settings": () => json({ contact_type: "accounts", account_metadata_key: null }),
    });
    renderRoute(<AccountsPage />, { path: "/accounts" });
    expect(await screen.findByRole("link", { name: "Acme Inc" })).toHaveAttribute("href", "/accounts/acc_1");
  });

  it("says where to turn accounts on when customers are people", async () => {
    stubApi({
      "GET /api/v1/accounts": () => json({ data: [], has_more: false, next_cursor: null }),
      "GET /api/v1/accounts/settings": () => json({ contact_type: "users", account_metadata_key: null }),
    });
    renderRoute(<AccountsPage />, { path: "/accounts" });
    expect(await screen.findByRole("link", { name: "Open Connectors" })).toHaveAttribute("href", "/settings/connectors");
  });
});

describe("AccountPage", () => {
  const render = () => renderRoute(<AccountPage />, { path: "/accounts/:id", url: "/accounts/acc_1" });

  it("shows seats, figures and people with roles linking to their member pages", async () => {
    stubApi({ "GET /api/v1/accounts/acc_1": () => json(account()) });
    render();
    expect(await screen.findByRole("heading", { level: 1, name: "Acme Inc" })).toBeInTheDocument();
    expect(screen.getByTestId("account-seats")).toHaveTextContent("2 of 3 seats used");
    expect(screen.getByText("Customer")).toBeInTheDocument();
    expect(screen.getByText("$90.00")).toBeInTheDocument();
    const people = screen.getByRole("table", { name: "People of Acme Inc" });
    expect(within(people).getByRole("link", { name: "Olga" })).toHaveAttribute("href", "/members/usr_o");
    const olga = within(people).getByRole("row", { name: /Olga/ });
    expect(within(olga).getByText("Owner")).toBeInTheDocument();
    expect(within(olga).queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
    expect(within(within(people).getByRole("row", { name: /Bob/ })).getByText("Member")).toBeInTheDocument();
  });

  it("adds a teammate", async () => {
    let people = [owner, bob];
    const api = stubApi({
      "GET /api/v1/accounts/acc_1": () => json(account(people)),
      "POST /api/v1/accounts/acc_1/seats": async (req) => {
        const body = await req.json();
        const seat = { user_id: "usr_c", email: body.email, name: body.name ?? "", role: "member", added_at: "2026-11-03T00:00:00Z" };
        people = [...people, seat];
        return json(seat, 201);
      },
    });
    render();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Add teammate" }));
    const dialog = screen.getByRole("dialog", { name: "Add teammate" });
    await user.click(within(dialog).getByRole("button", { name: "Add teammate" }));
    expect(within(dialog).getByText("Enter the teammate's email.")).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Email"), "carol@acme.test");
    await user.type(within(dialog).getByLabelText("Name (optional)"), "Carol");
    await user.click(within(dialog).getByRole("button", { name: "Add teammate" }));
    expect(await screen.findByText("Carol now has a seat.")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("account-seats")).toHaveTextContent("3 of 3 seats used"));
    expect(screen.getByRole("link", { name: "Carol" })).toHaveAttribute("href", "/members/usr_c");
    expect(await api.calls.find((c) => c.method === "POST")!.json()).toEqual({ email: "carol@acme.test", name: "Carol" });
  });

  it("says in words that every seat is taken", async () => {
    stubApi({
      "GET /api/v1/accounts/acc_1": () => json(account()),
      "POST /api/v1/accounts/acc_1/seats": () => problem(409, "seats_full", "every seat of the account is taken"),
    });
    render();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Add teammate" }));
    const dialog = screen.getByRole("dialog", { name: "Add teammate" });
    await user.type(within(dialog).getByLabelText("Email"), "dave@acme.test");
    await user.click(within(dialog).getByRole("button", { name: "Add teammate" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Every seat of this account is taken. Remove a teammate, or add seats to the subscription in Stripe");
  });

  it("removes a teammate after confirming", async () => {
    let people = [owner, bob];
    const api = stubApi({
      "GET /api/v1/accounts/acc_1": () => json(account(people)),
      "DELETE /api/v1/accounts/acc_1/seats/usr_b": () => {
        people = [owner];
        return new Response(null, { status: 204 });
      },
    });
    render();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Remove Bob" }));
    const dialog = screen.getByRole("dialog", { name: "Remove Bob?" });
    expect(dialog).toHaveTextContent("They lose the access this account gives them right away.");
    await user.click(within(dialog).getByRole("button", { name: "Remove teammate" }));
    expect(await screen.findByText("Bob was removed.")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("link", { name: "Bob" })).not.toBeInTheDocument());
    expect(screen.getByTestId("account-seats")).toHaveTextContent("1 of 3 seats used");
    expect(api.calls.filter((c) => c.method === "DELETE")).toHaveLength(1);
  });

  it("offers no changes to a viewer", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    stubApi({ "GET /api/v1/accounts/acc_1": () => json(account()) });
    render();
    await screen.findByRole("heading", { level: 1, name: "Acme Inc" });
    expect(screen.queryByRole("button", { name: "Add teammate" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove Bob" })).not.toBeInTheDocument();
  });
});
