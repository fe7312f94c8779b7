import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { adminAuth } from "@/api/client";
import { json, problem, renderRoute, sessionAs, stubApi } from "@/test/utils";
import { TemplateEditorPage, TemplatesPage } from "./templates-page";
import { lookups, template } from "./test-fixtures";

afterEach(() => adminAuth.setSession(null));

/** A stand-in for the server's renderer: {{member.name}} → Ada; unknown variables are refused. */
async function preview(req: Request) {
  const { subject, body } = (await req.json()) as { subject: string; body: string };
  const unknown = /\{\{(?!member\.name|site\.name)([^}]+)\}\}/.exec(body);
  if (unknown)
    return problem(422, "validation_failed", "1 field(s) are invalid: body", [{ field: "body", code: "unknown_variable", message: `{{${unknown[1]}}} is not a variable` }]);
  const fill = (s: string) => s.replaceAll("{{member.name}}", "Ada").replaceAll("{{site.name}}", "Academy");
  return json({ subject: fill(subject), html: `<p>${fill(body).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")}</p>`, text: fill(body) });
}

describe("email templates", () => {
  it("lists the app's templates and the built-in ones", async () => {
    adminAuth.setSession(sessionAs("owner"));
    stubApi(lookups);
    renderRoute(<TemplatesPage />);
    const table = await screen.findByRole("table", { name: "Email templates" });
    expect(within(table).getByRole("link", { name: "Bonus unlocked" })).toHaveAttribute("href", "/automations/templates/tpl_1");
    const builtIn = await screen.findByRole("list", { name: "Built-in templates" });
    expect(await within(builtIn).findByText("Welcome")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "New template" })).toBeInTheDocument();
  });

  it("previews live in a sandboxed frame, inserts variables, and shows an unknown variable on the body", async () => {
    adminAuth.setSession(sessionAs("owner"));
    const api = stubApi({
      ...lookups,
      "POST /api/v1/email-templates/preview": preview,
      "POST /api/v1/email-templates": async (req) => json({ ...template, id: "tpl_2", ...((await req.json()) as object) }, 201),
    });
    const { router } = renderRoute(<TemplateEditorPage />, { path: "/automations/templates/:id", url: "/automations/templates/new" });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Name"), "Hello");
    await user.type(screen.getByLabelText("Subject"), "Hi there");
    const body = screen.getByLabelText("Body (Markdown)");
    await user.type(body, "Dear **");
    await user.click(await screen.findByRole("button", { name: "Insert {{member.name}}" }));
    await user.type(body, "**");
    expect(body).toHaveValue("Dear **{{member.name}}**");

    const frame = await screen.findByTitle("HTML preview", undefined, { timeout: 5000 });
    await waitFor(() => expect(frame.getAttribute("srcdoc")).toBe("<p>Dear <strong>Ada</strong></p>"), { timeout: 5000 });
    expect(frame).toHaveAttribute("sandbox", "");
    expect(screen.getByTestId("preview-text")).toHaveTextContent("Dear **Ada**");
    expect(screen.getByTestId("preview-subject")).toHaveTextContent("Hi there");

    await user.type(body, " {{{{coupon}}");
    expect(await screen.findByText("{{coupon}} is not a variable", undefined, { timeout: 5000 })).toBeInTheDocument();
    expect(body).toHaveAttribute("aria-invalid", "true");

    await user.clear(body);
    await user.type(body, "Welcome");
    await user.click(screen.getByRole("button", { name: "Create template" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/automations/templates/tpl_2"));
    expect(await api.calls.find((c) => c.method === "POST" && c.url.endsWith("/email-templates"))!.json()).toEqual({ name: "Hello", subject: "Hi there", body: "Welcome" });
  });

  it("explains a 409 when deleting a template an automation uses", async () => {
    adminAuth.setSession(sessionAs("owner"));
    stubApi({
      ...lookups,
      "GET /api/v1/email-templates/tpl_1": () => json(template),
      "POST /api/v1/email-templates/preview": preview,
      "DELETE /api/v1/email-templates/tpl_1": () => problem(409, "template_in_use", "the template is used by automation Welcome flow"),
    });
    renderRoute(<TemplateEditorPage />, { path: "/automations/templates/:id", url: "/automations/templates/tpl_1" });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = screen.getByRole("dialog", { name: "Delete this template?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete template" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/uses this template, so it cannot be deleted.*Welcome flow/);
    expect(within(dialog).getByRole("button", { name: "Delete template" })).toBeDisabled();
  });

  it("gives a viewer the template read-only", async () => {
    adminAuth.setSession(sessionAs("viewer"));
    stubApi({ ...lookups, "GET /api/v1/email-templates/tpl_1": () => json(template), "POST /api/v1/email-templates/preview": preview });
    renderRoute(<TemplateEditorPage />, { path: "/automations/templates/:id", url: "/automations/templates/tpl_1" });
    expect(await screen.findByLabelText("Name")).toBeDisabled();
    expect(screen.queryByRole("button", { name: /Save|Delete/ })).not.toBeInTheDocument();
    expect(await screen.findByTitle("HTML preview", undefined, { timeout: 5000 })).toBeInTheDocument();
  });
});
