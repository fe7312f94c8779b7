import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { json, renderRoute, stubApi } from "@/test/utils";
import { ApiKeysPage } from "./api-keys-page";

const key = { id: "key_1", name: "Zapier", last4: "WXYZ", scopes: ["users:read"], created_at: "2026-11-23T10:00:00Z", last_used_at: null, revoked_at: null };

describe("ApiKeysPage", () => {
  it("requires a name and a scope, then shows the secret once", async () => {
    let keys: (typeof key)[] = [];
    const api = stubApi({
      "GET /api/v1/api-keys": () => json({ data: keys, has_more: false, next_cursor: null }),
      "POST /api/v1/api-keys": () => {
        keys = [key];
        return json({ key, secret: "tg_key_secret_WXYZ" }, 201);
      },
    });
    renderRoute(<ApiKeysPage />);
    const user = userEvent.setup();
    expect(await screen.findByText("No API keys")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "New API key" }));
    await user.click(screen.getByRole("button", { name: "Create key" }));
    expect(screen.getByText("Name the key after what uses it.")).toBeInTheDocument();
    expect(screen.getByText("Choose at least one scope.")).toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await user.type(screen.getByLabelText("Name"), "Zapier");
    await user.click(screen.getByLabelText("users:read"));
    await user.click(screen.getByRole("button", { name: "Create key" }));
    expect(await screen.findByTestId("api-key-secret")).toHaveTextContent("tg_key_secret_WXYZ");
    expect(await api.calls.find((c) => c.method === "POST")!.json()).toEqual({ name: "Zapier", scopes: ["users:read"] });

    await user.click(screen.getByRole("button", { name: "I have copied it" }));
    await waitFor(() => expect(screen.queryByText("tg_key_secret_WXYZ")).not.toBeInTheDocument());
    expect(await screen.findByText("tg_key_…WXYZ")).toBeInTheDocument();
  });
});
