/**
 * Friendly names for the generated schema types (src/api/schema.d.ts, from
 * openapi/openapi.json). Components import from here, never from the schema.
 */
import type { components, paths } from "./schema";

type S = components["schemas"];

export type Problem = S["Problem"];
export type App = S["AppResponse"];
export type Session = S["SessionResponse"];
export type Product = S["ProductResponse"];
export type ProductPage = S["PageResponse"];
export type User = S["UserResponse"];
export type Grant = S["GrantResponse"];
export type Activity = S["ActivityResponse"];
export type ApiKey = S["ApiKeyResponse"];
export type Job = S["JobResponse"];
export type JobStatus = S["JobStatus"];
export type JobKind = S["JobKind"];
export type Email = S["EmailResponse"];
export type MemberSession = S["MemberSessionResponse"];
export type MemberProfile = S["MemberProfileResponse"];
export type Team = S["TeamResponse"];
export type TeamMember = S["TeamMemberResponse"];
export type Invitation = S["InvitationResponse"];
export type InvitationPreview = S["InvitationPreviewResponse"];
export type MemberImport = S["ImportResponse"];
export type ImportPreview = S["ImportPreviewResponse"];
export type ImportRow = S["ImportRowResponse"];

// Closed sets the document lists as enums.
export type Role = S["Role"];
export type PurchaseMethod = S["PurchaseMethod"];
/** Where a grant came from; the CRM ones (activecampaign, keap) are the CRM kinds. */
export type GrantSource = S["GrantSource"];
export type MemberImportStatus = S["MemberImportStatus"];
export type ImportRowOutcome = S["ImportRowOutcome"];
export type MediaKind = S["MediaKind"];
export type InboxStatus = S["InboxStatus"];
export type SubscriptionStatus = S["SubscriptionStatus"];
export type LoginMethod = S["LoginMethod"];
/** An activity's kind with its data: one shape per kind, keyed by `kind`. */
export type ActivityData = S["ActivityData"];
export type ActivityKind = ActivityData["kind"];

type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: infer B }
  ? NonNullable<B> extends { content: { "application/json": infer J } }
    ? J
    : never
  : never;

export type CreateProductBody = Body<"/api/v1/products", "post">;
export type UpdateProductBody = Body<"/api/v1/products/{id}", "patch">;
export type UpdateAppBody = Body<"/api/v1/app", "patch">;
export type CreateUserBody = Body<"/api/v1/users", "post">;
export type GrantAccessBody = Body<"/api/v1/users/{id}/access", "post">;

// Selling, Stripe and the member area.
export type Metrics = S["MetricsResponse"];
export type MrrHistory = S["MrrHistoryResponse"];
export type StripeConnection = S["StripeConnectionResponse"];
export type StripeProduct = S["StripeProductResponse"];
export type StripePrice = S["StripePriceResponse"];
export type StripeLink = S["StripeLinkResponse"];
export type ImportProgress = S["ImportProgress"];
export type CheckoutSettings = S["CheckoutResponse"];
export type Portal = S["PortalResponse"];
export type InboxEvent = S["InboxEventResponse"];
export type SalesPage = S["SalesPageResponse"];
export type PublicSalesPage = S["PublicSalesPage"];
export type PublicApp = S["PublicApp"];
export type LibraryItem = S["LibraryItemResponse"];
export type PurchaseTarget = S["PurchaseTargetResponse"];
export type MemberProduct = S["MemberProductResponse"];
export type MemberPage = S["MemberPage"];
export type Media = S["MediaResponse"];
export type Purchase = S["PurchaseResponse"];
export type Subscription = S["SubscriptionResponse"];

export type PurchaseTargetKind = S["PurchaseTargetKind"];
export type PriceInterval = S["PriceInterval"];

/** Sales page blocks: the document types them as plain objects; these are the shapes the API validates. */
export type Block =
  | { type: "heading"; text: string }
  | { type: "text"; text: string }
  | { type: "image"; url: string; alt: string }
  | { type: "video"; url: string }
  | { type: "bullets"; items: string[] }
  | { type: "cta"; label: string };
export type BlockType = Block["type"];

export type LinkStripeBody = Body<"/api/v1/products/{id}/stripe", "put">;
export type CheckoutBody = Body<"/api/v1/products/{id}/stripe/checkout", "put">;
export type PortalBody = Body<"/api/v1/connectors/stripe/portal", "put">;
export type ProfileBody = Body<"/api/v1/member/me", "patch">;

// CRM connectors (ActiveCampaign, Keap).
export type CrmKind = S["CrmKindDto"];
export type CrmConnector = S["CrmConnectorResponse"];
export type CrmOptions = S["CrmOptionsResponse"];
export type CrmTagMapping = S["CrmTagMappingResponse"];
export type ConnectCrmBody = Body<"/api/v1/connectors/crm/{kind}", "post">;
export type CrmOptionsBody = Body<"/api/v1/connectors/crm/{kind}", "patch">;

// Outbound webhooks (Standard Webhooks endpoints, their delivery log) and Zapier hooks.
export type WebhookEndpoint = S["EndpointResponse"];
export type WebhookEndpointWithSecret = S["EndpointWithSecret"];
export type WebhookDelivery = S["DeliveryResponse"];
export type WebhookDeliveryDetail = S["DeliveryDetail"];
export type WebhookAttempt = S["AttemptResponse"];
export type WebhookEventType = S["EventTypeResponse"];
export type StageBody = S["StageBody"];
export type StageStatus = S["StageStatus"];
export type Stages = S["StagesResponse"];
export type StageTotals = S["StageTotalsResponse"];
export type DeliveryStatus = S["DeliveryStatusName"];
export type CreateEndpointBody = Body<"/api/v1/webhooks/endpoints", "post">;
export type UpdateEndpointBody = Body<"/api/v1/webhooks/endpoints/{id}", "patch">;

// Automations (trigger → conditions → steps), their runs, and email templates.
export type Automation = S["AutomationResponse"];
export type AutomationTrigger = S["Trigger"];
export type AutomationCondition = S["Condition"];
export type AutomationStep = S["Step"];
export type AutomationRun = S["RunResponse"];
export type AutomationRunStep = S["RunStepResponse"];
export type RunStatus = S["RunStatusName"];
export type DryRunResult = S["DryRun"];
export type WaitUnit = S["WaitUnit"];
export type EmailTemplate = S["TemplateResponse"];
export type TemplateReference = S["TemplateReference"];
export type TemplatePreview = S["PreviewResponse"];
export type CreateAutomationBody = Body<"/api/v1/automations", "post">;
export type UpdateAutomationBody = Body<"/api/v1/automations/{id}", "patch">;
export type TemplateBody = Body<"/api/v1/email-templates", "post">;
export type PreviewBody = Body<"/api/v1/email-templates/preview", "post">;

// Accounts (contact type "accounts"): a Stripe customer is a company whose owner seats teammates.
export type AccountSettings = S["AccountSettings"];
export type ContactType = S["ContactType"];
export type AccountSummary = S["AccountSummary"];
export type Account = S["AccountResponse"];
export type Seat = S["SeatResponse"];
export type MemberAccount = S["MemberAccountResponse"];
export type AddSeatBody = S["AddSeatRequest"];
