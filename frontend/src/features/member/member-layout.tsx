import { useState, type ReactNode } from "react";
import { Link, Outlet, useNavigate } from "react-router";
import { BookOpen, ChevronDown, CreditCard, LogOut, Receipt, Repeat, UserRound, UsersRound } from "lucide-react";
import { errorMessage } from "@/api/errors";
import { Menu } from "@/components/ui/menu";
import { useToast } from "@/components/ui/toast";
import { useMe, useMemberAccount, useMemberApp, openBillingPortal } from "./api";
import { brandStyle, SiteMark, useSiteHead } from "./brand";
import { browser } from "./library-card";
import { useMemberAuth } from "./member-auth";

/** The member area's frame: brand, and the profile dropdown (Profile, Purchases, Subscriptions, Team, Billing, Sign out). */
export function MemberLayout() {
  const { session, logout } = useMemberAuth();
  const me = useMe();
  // "Billing" only when the site has the Stripe billing portal on.
  const app = useMemberApp(session?.access_token);
  const user = me.data ?? session?.user;
  // "Team" only for members who sit in a company's account.
  const account = useMemberAccount();
  useSiteHead(app.data);
  const navigate = useNavigate();
  const toast = useToast();
  const [billing, setBilling] = useState(false);

  const goBilling = () => {
    setBilling(true);
    // The member may have nothing to manage yet (409 no_billing_account).
    openBillingPortal().then(browser.go, (e: unknown) => {
      setBilling(false);
      toast(errorMessage(e), "error");
    });
  };

  return (
    <div className="min-h-dvh bg-muted/40" style={brandStyle(app.data?.accent_color)}>
      <header className="border-b bg-background">
        <div className="mx-auto flex h-14 max-w-5xl items-center justify-between gap-3 px-4">
          <div className="flex min-w-0 items-center gap-4">
            <SiteMark site={app.data} />
            <Link to="/member" className="flex shrink-0 items-center gap-1.5 text-sm font-medium text-muted-foreground hover:text-foreground">
              <BookOpen className="size-4" aria-hidden /> Library
            </Link>
          </div>
          <Menu
            label="Account menu"
            nameFromContent
            triggerClassName="max-w-[60vw]"
            trigger={
              <>
                <span className="flex size-7 shrink-0 items-center justify-center rounded-full bg-secondary text-xs font-semibold uppercase">
                  {(user?.name || user?.email || "?").slice(0, 2)}
                </span>
                <span className="hidden truncate text-muted-foreground sm:inline">{user?.email}</span>
                <ChevronDown className="size-4 text-muted-foreground" aria-hidden />
              </>
            }
            items={[
              { label: "Profile", icon: <UserRound />, onSelect: () => navigate("/member/profile") },
              { label: "Purchases", icon: <Receipt />, onSelect: () => navigate("/member/purchases") },
              { label: "Subscriptions", icon: <Repeat />, onSelect: () => navigate("/member/subscriptions") },
              ...(account.data?.account ? [{ label: "Team", icon: <UsersRound />, onSelect: () => navigate("/member/team") }] : []),
              ...(app.data?.billing_portal_enabled ? [{ label: billing ? "Opening billing…" : "Billing", icon: <CreditCard />, onSelect: goBilling }] : []),
              { label: "Sign out", icon: <LogOut />, onSelect: () => void logout().then(() => navigate("/member/login", { replace: true })) },
            ]}
          />
        </div>
      </header>
      <main className="mx-auto max-w-5xl px-4 py-8">
        <Outlet />
      </main>
    </div>
  );
}

export function MemberPageTitle({ title, description, back }: { title: ReactNode; description?: ReactNode; back?: ReactNode }) {
  return (
    <div className="mb-6 grid gap-2">
      {back}
      <h1 className="text-2xl font-semibold break-words">{title}</h1>
      {description ? <p className="text-sm text-muted-foreground">{description}</p> : null}
    </div>
  );
}
