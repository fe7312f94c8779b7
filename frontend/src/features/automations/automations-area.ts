// The automations screens: one lazily loaded chunk (see router.tsx).
export { AutomationsPage } from "./automations-page";
export { AutomationPage, NewAutomationPage } from "./automation-page";
export { TemplateEditorPage, TemplatesPage } from "./templates-page";
