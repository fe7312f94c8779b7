import { useEffect, useState, type ReactNode } from "react";
import { NavLink, Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { errorMessage } from "@/api/errors";
import { Select } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import {
  Activity,
  BriefcaseBusiness,
  Building2,
  KeyRound,
  LayoutDashboard,
  LogOut,
  Mail,
  Menu,
  Milestone,
  Package,
  Plug,
  ScrollText,
  Settings,
  UserCog,
  Users,
  Webhook,
  Workflow,
  X,
} from "lucide-react";
import { useAuth } from "@/features/auth/auth-context";
import { ReadOnlyBadge, useCanWrite } from "@/features/auth/permissions";
import { LoadingRows } from "@/components/states";
import { cn } from "@/lib/utils";

const nav = [
  {
    section: "Site",
    items: [
      { to: "/", label: "Dashboard", icon: LayoutDashboard, end: true },
      { to: "/products", label: "Products", icon: Package },
      { to: "/members", label: "Members", icon: Users },
      { to: "/accounts", label: "Accounts", icon: Building2 },
      { to: "/activities", label: "Activities", icon: Activity },
      { to: "/automations", label: "Automations", icon: Workflow },
    ],
  },
  {
    section: "Admin",
    items: [
      { to: "/settings", label: "Settings", icon: Settings, end: true },
      { to: "/settings/team", label: "Team", icon: UserCog },
      { to: "/settings/connectors", label: "Connectors", icon: Plug },
      { to: "/settings/stages", label: "Lifecycle stages", icon: Milestone },
      { to: "/settings/api-keys", label: "API keys", icon: KeyRound },
      { to: "/settings/webhooks", label: "Webhooks", icon: Webhook },
      { to: "/settings/audit-log", label: "Audit log", icon: ScrollText },
      { to: "/jobs", label: "Jobs", icon: BriefcaseBusiness },
      { to: "/emails", label: "Emails", icon: Mail },
    ],
  },
];

function SidebarNav({ onNavigate }: { onNavigate?: () => void }) {
  return (
    <nav aria-label="Main" className="grid gap-5">
      {nav.map((group) => (
        <div key={group.section} className="grid gap-0.5">
          <p className="px-3 pb-1 text-xs font-medium uppercase tracking-wide text-muted-foreground">{group.section}</p>
          {group.items.map((item) => (
            <NavLink
              key={item.to}
              to={item.to}
              end={item.end}
              onClick={onNavigate}
              className={({ isActive }) =>
                cn(
                  "flex items-center gap-2.5 rounded-md px-3 py-2 text-sm font-medium transition-colors",
                  isActive ? "bg-primary text-primary-foreground" : "text-foreground/80 hover:bg-accent",
                )
              }
            >
              <item.icon className="size-4" aria-hidden />
              {item.label}
            </NavLink>
          ))}
        </div>
      ))}
    </nav>
  );
}

/** Shown only to admins of more than one app. */
function AppSwitcher() {
  const { session, switchApp } = useAuth();
  const navigate = useNavigate();
  const toast = useToast();
  if (!session || session.apps.length < 2) return null;
  return (
    <div className="border-t px-3 pt-3">
      <label htmlFor="app-switcher" className="mb-1 block text-xs font-medium text-muted-foreground">
        Site
      </label>
      <Select
        id="app-switcher"
        value={session.app.id}
        onChange={(e) =>
          void switchApp(e.target.value).then(
            (s) => {
              navigate("/");
              toast(`Switched to ${s.app.name}.`);
            },
            (err: unknown) => toast(errorMessage(err), "error"),
          )
        }
      >
        {session.apps.map((a) => (
          <option key={a.app_id} value={a.app_id}>
            {a.app_name} ({a.role})
          </option>
        ))}
      </Select>
    </div>
  );
}

function AccountBox() {
  const { session, logout } = useAuth();
  if (!session) return null;
  return (
    <>
    <AppSwitcher />
    <div className="flex items-center gap-3 border-t p-3">
      <div className="flex size-8 shrink-0 items-center justify-center rounded-full bg-secondary text-xs font-semibold uppercase">
        {(session.admin.name || session.admin.email).slice(0, 2)}
      </div>
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium">{session.admin.name}</p>
        <p className="truncate text-xs text-muted-foreground">
          {session.admin.email} · {session.role}
        </p>
      </div>
      <button type="button" onClick={() => void logout()} className="rounded-md p-2 text-muted-foreground hover:bg-accent" aria-label="Sign out" title="Sign out">
        <LogOut className="size-4" />
      </button>
    </div>
    </>
  );
}

function Brand() {
  const { session } = useAuth();
  return (
    <div className="flex items-center gap-2 px-3">
      <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
        <KeyRound className="size-3.5" />
      </span>
      <div className="min-w-0">
        <p className="truncate text-sm font-semibold leading-tight">{session?.app.name ?? "Tollgate"}</p>
        <p className="text-xs text-muted-foreground leading-tight">Tollgate</p>
      </div>
    </div>
  );
}

export function AdminLayout() {
  const [open, setOpen] = useState(false);
  const canWrite = useCanWrite();
  const location = useLocation();
  useEffect(() => setOpen(false), [location.pathname]);

  return (
    <div className="min-h-dvh lg:grid lg:grid-cols-[15rem_1fr]">
      <aside className="sticky top-0 hidden h-dvh flex-col border-r bg-sidebar lg:flex">
        <div className="py-4">
          <Brand />
        </div>
        <div className="flex-1 overflow-y-auto px-3">
          <SidebarNav />
        </div>
        <AccountBox />
      </aside>

      <header className="sticky top-0 z-30 flex h-14 items-center justify-between border-b bg-background/95 px-3 backdrop-blur lg:hidden">
        <Brand />
        <button type="button" className="rounded-md p-2 hover:bg-accent" aria-label="Open menu" aria-expanded={open} onClick={() => setOpen(true)}>
          <Menu className="size-5" />
        </button>
      </header>
      {open ? (
        <div className="fixed inset-0 z-40 lg:hidden">
          <div className="absolute inset-0 bg-black/40" onClick={() => setOpen(false)} aria-hidden />
          <div className="absolute inset-y-0 left-0 flex w-72 max-w-[85vw] flex-col bg-background shadow-xl" role="dialog" aria-modal="true" aria-label="Menu">
            <div className="flex items-center justify-between py-3 pr-3">
              <Brand />
              <button type="button" className="rounded-md p-2 hover:bg-accent" aria-label="Close menu" onClick={() => setOpen(false)}>
                <X className="size-5" />
              </button>
            </div>
            <div className="flex-1 overflow-y-auto px-3 py-2">
              <SidebarNav onNavigate={() => setOpen(false)} />
            </div>
            <AccountBox />
          </div>
        </div>
      ) : null}

      <main className="min-w-0 px-4 py-5 sm:px-6 lg:px-8 lg:py-8">
        <div className="mx-auto max-w-6xl">
          {canWrite ? null : (
            <div className="mb-3 flex justify-end">
              <ReadOnlyBadge />
            </div>
          )}
          <Outlet />
        </div>
      </main>
    </div>
  );
}

/** Guards the admin area: waits for the session restore, then redirects to /login when anonymous. */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "loading") {
    return (
      <div className="mx-auto max-w-md pt-24">
        <LoadingRows rows={3} label="Restoring session" />
      </div>
    );
  }
  if (status === "anonymous") {
    const next = location.pathname + location.search;
    return <Navigate to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

export function PageHeader({ title, description, actions, back }: { title: ReactNode; description?: ReactNode; actions?: ReactNode; back?: ReactNode }) {
  return (
    <div className="mb-6 grid gap-3">
      {back}
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight break-words">{title}</h1>
          {description ? <p className="mt-1 text-sm text-muted-foreground">{description}</p> : null}
        </div>
        {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
      </div>
    </div>
  );
}
