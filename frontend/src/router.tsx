import { lazy, Suspense, type ReactNode } from "react";
import { createBrowserRouter, Navigate, Outlet, type RouteObject } from "react-router";
import { AdminLayout, RequireAdmin } from "@/components/layout/admin-layout";
import { EmptyState, LoadingRows } from "@/components/states";
import { ButtonLink } from "@/components/ui/button";
import { AuthProvider } from "@/features/auth/auth-context";
import { LoginPage } from "@/features/auth/login-page";
import { ForgotPasswordPage, ResetPasswordPage } from "@/features/auth/password-reset-pages";
import { SetupPage } from "@/features/auth/setup-page";
import { AccountPage, AccountsPage } from "@/features/accounts/accounts-page";
import { ActivitiesPage } from "@/features/activities/activities-page";
import { ApiKeysPage } from "@/features/api-keys/api-keys-page";
import { AuditPage } from "@/features/audit/audit-page";
import { ConnectorsPage } from "@/features/connectors/connectors-page";
import { DashboardPage } from "@/features/dashboard/dashboard-page";
import { EmailDetailPage, EmailsPage } from "@/features/emails/emails-page";
import { JobsPage } from "@/features/jobs/jobs-page";
import { MemberDetailPage } from "@/features/members/member-detail-page";
import { MembersPage } from "@/features/members/members-page";
import { MemberAuthProvider, RequireMember } from "@/features/member/member-auth";
import { ConfirmEmailPage, MagicLinkPage, MemberLoginPage } from "@/features/member/member-pages";
import { ProductDetailPage } from "@/features/products/product-detail-page";
import { ProductsPage } from "@/features/products/products-page";
import { SettingsPage } from "@/features/settings/settings-page";
import { StagesPage } from "@/features/stages/stages-page";
import { AcceptInvitePage } from "@/features/team/accept-invite-page";
import { TeamPage } from "@/features/team/team-page";
import { EndpointDetailPage } from "@/features/webhooks/endpoint-detail-page";
import { WebhooksPage } from "@/features/webhooks/webhooks-page";

// The member area and public pages are separate chunks: admins never load them, members never load the admin.
const member = () => import("@/features/member/member-area");
const MemberLayout = lazy(() => member().then((m) => ({ default: m.MemberLayout })));
const MemberLibraryPage = lazy(() => member().then((m) => ({ default: m.MemberLibraryPage })));
const MemberProductPage = lazy(() => member().then((m) => ({ default: m.MemberProductPage })));
const MemberProfilePage = lazy(() => member().then((m) => ({ default: m.MemberProfilePage })));
const MemberPurchasesPage = lazy(() => member().then((m) => ({ default: m.MemberPurchasesPage })));
const MemberTeamPage = lazy(() => member().then((m) => ({ default: m.MemberTeamPage })));
const MemberSubscriptionsPage = lazy(() => member().then((m) => ({ default: m.MemberSubscriptionsPage })));
const VisitorLibraryPage = lazy(() => member().then((m) => ({ default: m.VisitorLibraryPage })));
const PublicSalesPage = lazy(() => member().then((m) => ({ default: m.PublicSalesPage })));

// Automations (builder, runs, email templates) load on first visit.
const automations = () => import("@/features/automations/automations-area");
const AutomationsPage = lazy(() => automations().then((m) => ({ default: m.AutomationsPage })));
const AutomationPage = lazy(() => automations().then((m) => ({ default: m.AutomationPage })));
const NewAutomationPage = lazy(() => automations().then((m) => ({ default: m.NewAutomationPage })));
const TemplatesPage = lazy(() => automations().then((m) => ({ default: m.TemplatesPage })));
const TemplateEditorPage = lazy(() => automations().then((m) => ({ default: m.TemplateEditorPage })));

const page = (el: ReactNode) => <Suspense fallback={<LoadingRows rows={3} label="Loading page" />}>{el}</Suspense>;

function NotFound() {
  return <EmptyState title="Page not found" description="The page you asked for does not exist." action={<ButtonLink to="/">Go to dashboard</ButtonLink>} />;
}

export const routes: RouteObject[] = [
  {
    path: "/member",
    children: [
      // The magic-link landing verifies a token; it must not first spend the refresh cookie.
      { path: "magic", element: <MemberAuthProvider restore={false}><MagicLinkPage /></MemberAuthProvider> },
      // Confirming a new email needs no session: the emailed token decides whose email changes.
      { path: "confirm-email", element: <ConfirmEmailPage /> },
      {
        element: (
          <MemberAuthProvider>
            <Outlet />
          </MemberAuthProvider>
        ),
        children: [
          { path: "login", element: <MemberLoginPage /> },
          {
            element: <RequireMember>{page(<MemberLayout />)}</RequireMember>,
            children: [
              { index: true, element: page(<MemberLibraryPage />) },
              { path: "products/:id", element: page(<MemberProductPage />) },
              { path: "products/:id/lessons/:lessonId", element: page(<MemberProductPage />) },
              { path: "profile", element: page(<MemberProfilePage />) },
              { path: "purchases", element: page(<MemberPurchasesPage />) },
              { path: "subscriptions", element: page(<MemberSubscriptionsPage />) },
              { path: "team", element: page(<MemberTeamPage />) },
              { path: "*", element: <Navigate to="/member" replace /> },
            ],
          },
        ],
      },
    ],
  },
  { path: "/p/:appId", element: page(<VisitorLibraryPage />) },
  { path: "/p/:appId/:productId", element: page(<PublicSalesPage />) },
  {
    element: (
      <AuthProvider>
        <Outlet />
      </AuthProvider>
    ),
    children: [
      { path: "/setup", element: <SetupPage /> },
      { path: "/login", element: <LoginPage /> },
      { path: "/forgot-password", element: <ForgotPasswordPage /> },
      { path: "/reset-password", element: <ResetPasswordPage /> },
      { path: "/accept-invite", element: <AcceptInvitePage /> },
      {
        element: (
          <RequireAdmin>
            <AdminLayout />
          </RequireAdmin>
        ),
        children: [
          { index: true, element: <DashboardPage /> },
          { path: "products", element: <ProductsPage /> },
          { path: "products/:id", element: <ProductDetailPage /> },
          { path: "members", element: <MembersPage /> },
          { path: "members/:id", element: <MemberDetailPage /> },
          { path: "accounts", element: <AccountsPage /> },
          { path: "accounts/:id", element: <AccountPage /> },
          { path: "activities", element: <ActivitiesPage /> },
          { path: "automations", element: page(<AutomationsPage />) },
          { path: "automations/new", element: page(<NewAutomationPage />) },
          { path: "automations/templates", element: page(<TemplatesPage />) },
          { path: "automations/templates/:id", element: page(<TemplateEditorPage />) },
          { path: "automations/:id", element: page(<AutomationPage />) },
          { path: "settings", element: <SettingsPage /> },
          { path: "settings/connectors", element: <ConnectorsPage /> },
          { path: "settings/stages", element: <StagesPage /> },
          { path: "settings/api-keys", element: <ApiKeysPage /> },
          { path: "settings/webhooks", element: <WebhooksPage /> },
          { path: "settings/webhooks/:id", element: <EndpointDetailPage /> },
          { path: "settings/team", element: <TeamPage /> },
          { path: "settings/audit-log", element: <AuditPage /> },
          { path: "jobs", element: <JobsPage /> },
          { path: "emails", element: <EmailsPage /> },
          { path: "emails/:id", element: <EmailDetailPage /> },
          { path: "*", element: <NotFound /> },
        ],
      },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
