// The `test` every spec imports. On top of @playwright/test it gives:
//   e2e          the addresses global-setup.ts started (server, localstripe, CRM emulator, receiver)
//   api          the REST API as the site owner (Bearer token), to create the data a test needs
//   context/page signed in as the owner (unless `test.use({ asAdmin: false })`)
//   openContext  another browser (a member, a visitor, a teammate): no cookies of the owner
//   shoot        screenshot at 1280 px and the same URL at 375 px, each checked for horizontal
//                overflow and by axe-core
// and fails a test on any uncaught error in one of its pages, or on a serious or critical
// axe-core issue in a page it shot or ended on (each screen the run visits is checked). A failing test gets the tail of the server log.
//
// Why each test signs in again: the server rotates refresh tokens and ends the whole session
// when a used one is replayed (theft detection), so the refresh cookie of auth.setup.ts's
// storageState works once. The context starts from that storageState and gets the cookie of
// a fresh sign-in through the API before its first page opens.
//
// The owner's browser context is one per worker, shared by the tests that run as the owner: each
// test gets the cookie of its own fresh sign-in, opens its own pages, and they are closed when it
// ends. Only the browser's caches carry over, so the SPA's bundle is not fetched and compiled
// anew for every test (most of a test's start on 2 busy cores). A test that changes the context
// itself (clears its cookies, say) asks for a context of its own: `test.use({ freshContext: true })`.
import { AxeBuilder } from "@axe-core/playwright";
import { test as base, expect, request, type APIRequestContext, type BrowserContext, type Cookie, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { adminStateFile, e2eEnv, owner, serverLogPath, shotsDir, type E2eEnv } from "./env";

export { expect };

type Json = Record<string, unknown>;
export type Product = { id: string; name: string };
export type Member = { id: string; email: string; name: string };

// The admin REST API, for the data a test needs before the behaviour it checks.
export class AdminApi {
  constructor(private readonly req: APIRequestContext) {}

  async call<T = Json>(method: string, path: string, data?: unknown): Promise<T> {
    const res = await this.req.fetch(path, { method, data });
    const text = await res.text();
    if (!res.ok()) throw new Error(`${method} ${path} answered ${res.status()}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  product(input: { name: string; description?: string; purchase_method?: string; external_url?: string; show_locked_card?: boolean; image_url?: string }) {
    return this.call<Product>("POST", "/api/v1/products", input);
  }
  member(input: { email: string; name: string; password?: string }) {
    return this.call<Member>("POST", "/api/v1/users", input);
  }
  grant(member: Member, product: Product, reason?: string) {
    return this.call("POST", `/api/v1/users/${member.id}/access`, { product_id: product.id, reason });
  }
  lesson(product: Product, title: string, body: string) {
    return this.call("POST", `/api/v1/products/${product.id}/pages`, { title, body });
  }
}

type Session = { cookies: Cookie[]; token: string };
async function signIn(baseURL: string): Promise<Session> {
  const req = await request.newContext({ baseURL });
  try {
    const res = await req.post("/api/v1/auth/login", { data: { email: owner.email, password: owner.password } });
    if (!res.ok()) throw new Error(`POST /api/v1/auth/login answered ${res.status()}: ${await res.text()}`);
    const { access_token } = (await res.json()) as { access_token: string };
    return { cookies: (await req.storageState()).cookies, token: access_token };
  } finally {
    await req.dispose();
  }
}

// A screen, whatever record it shows: /members/usr_01ab… and /members/usr_02cd… are one page.
const screenOf = (p: Page) => {
  const url = new URL(p.url());
  const path = url.pathname.replace(/\/[^/]*\d[^/]*/g, "/:id");
  return `${path} ${p.viewportSize()?.width}px`;
};

// What a test collects in its pages: uncaught errors and axe-core issues.
class Checks {
  readonly pageErrors: string[] = [];
  readonly axeProblems: string[] = [];
  private readonly seen = new WeakSet<Page>();

  // `screens`: the screens axe-core checked so far in this worker (each is checked once at least).
  constructor(private readonly screens: Set<string>) {}

  // Returns the function that stops watching (the owner's context outlives the test).
  watch(context: BrowserContext) {
    const attach = (p: Page) => {
      if (this.seen.has(p)) return;
      this.seen.add(p);
      p.on("pageerror", (e) => this.pageErrors.push(`${p.url()}: ${String(e)}`));
    };
    context.pages().forEach(attach);
    context.on("page", attach);
    return () => {
      context.off("page", attach);
    };
  }

  async axe(p: Page, name: string) {
    this.screens.add(screenOf(p));
    // Legacy mode runs axe.run in the page itself. The default mode also opens a blank page per run
    // to combine the frames' results: 2-3 s a run on 2 busy cores against under 1 s, and most of the
    // suite's time. The same rules check the same document; a page with frames keeps the default mode,
    // which reaches into every frame.
    const framed = p.frames().length > 1;
    const { violations } = await new AxeBuilder({ page: p }).setLegacyMode(!framed).analyze();
    for (const v of violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
      const nodes = v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(" "))
        .join(" | ");
      this.axeProblems.push(`${name} (${p.viewportSize()?.width}px): ${v.impact} ${v.id}: ${v.help} — ${nodes}`);
    }
  }

  // axe-core on the page each open tab ended on, unless that screen was checked already
  // (by `shoot`, which checks every page it shoots, or at the end of an earlier test).
  async axeOpenPages(context: BrowserContext, baseURL: string) {
    for (const p of context.pages()) {
      if (p.isClosed() || !p.url().startsWith(baseURL) || this.screens.has(screenOf(p))) continue;
      await p.waitForLoadState("load");
      await this.axe(p, `end of test: ${new URL(p.url()).pathname}`);
    }
  }
}

// The page must fit its viewport: nothing may push the document wider than the window.
export async function expectNoHorizontalOverflow(p: Page, name: string) {
  const { scroll, inner, culprit } = await p.evaluate(() => {
    const inner = window.innerWidth;
    // Name the innermost element that sticks out, to say what to fix.
    const out = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > inner + 0.5);
    const last = out.filter((e) => !out.some((o) => o !== e && e.contains(o))).slice(0, 3);
    const culprit = last.map((e) => `<${e.tagName.toLowerCase()} class="${e.getAttribute("class") ?? ""}"> right=${Math.round(e.getBoundingClientRect().right)}`).join("; ");
    return { scroll: document.documentElement.scrollWidth, inner, culprit };
  });
  expect(scroll, `${name}: the page is ${scroll}px wide in a ${inner}px window (${culprit || "no element box sticks out"})`).toBeLessThanOrEqual(inner);
}

// Before a screenshot: requests done, fonts loaded, two frames painted.
async function settle(p: Page) {
  await p.waitForLoadState("networkidle").catch(() => {});
  await p.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
  });
}

export type Shoot = (name: string, opts?: { mobile?: boolean; on?: Page }) => Promise<void>;

type WorkerFixtures = { axeScreens: Set<string>; ownerContext: () => Promise<BrowserContext> };

type Fixtures = {
  asAdmin: boolean;
  freshContext: boolean;
  e2e: E2eEnv;
  checks: Checks;
  adminSession: () => Promise<Session>;
  api: AdminApi;
  openContext: () => Promise<BrowserContext>;
  shoot: Shoot;
};

export const test = base.extend<Fixtures, WorkerFixtures>({
  axeScreens: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => use(new Set<string>()),
    { scope: "worker" },
  ],
  // The owner's context of this worker, made on first use (auth.setup.ts runs before the state exists).
  ownerContext: [
    async ({ browser }, use) => {
      let made: Promise<BrowserContext> | undefined;
      await use(
        () =>
          (made ??= browser.newContext({
            baseURL: e2eEnv().base,
            viewport: { width: 1280, height: 800 },
            storageState: adminStateFile,
          })),
      );
      if (made) await (await made).close();
    },
    { scope: "worker" },
  ],
  asAdmin: [true, { option: true }],
  freshContext: [false, { option: true }],
  // eslint-disable-next-line no-empty-pattern
  e2e: async ({}, use) => use(e2eEnv()),
  baseURL: async ({ e2e }, use) => use(e2e.base),
  // Signed out: not even the saved state's (used) cookie.
  storageState: async ({ storageState, asAdmin }, use) => use(asAdmin ? storageState : { cookies: [], origins: [] }),

  checks: [
    async ({ e2e, axeScreens }, use, testInfo) => {
      const checks = new Checks(axeScreens);
      await use(checks);
      if (testInfo.status !== testInfo.expectedStatus) {
        // eslint-disable-next-line no-control-regex
        const lines = readFileSync(serverLogPath, "utf8").replace(/\x1b\[[0-9;]*m/g, "").split("\n");
        const tail = lines.filter((l) => !/path=\/(assets|favicon)/.test(l)).slice(-200);
        await testInfo.attach("server.log (tail; all of it in test-results/server.log)", { body: tail.join("\n"), contentType: "text/plain" });
        console.log(`server log of ${e2e.base}: test-results/server.log`);
        return;
      }
      expect(checks.pageErrors, "uncaught errors in the page").toEqual([]);
      expect(checks.axeProblems, "axe-core: serious or critical accessibility issues").toEqual([]);
    },
    { auto: true },
  ],

  adminSession: async ({ e2e }, use) => {
    let session: Promise<Session> | undefined;
    await use(() => (session ??= signIn(e2e.base)));
  },

  api: async ({ adminSession, e2e }, use) => {
    const { token } = await adminSession();
    const req = await request.newContext({ baseURL: e2e.base, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
    await use(new AdminApi(req));
    await req.dispose();
  },

  context: async ({ browser, viewport, storageState, asAdmin, freshContext, ownerContext, adminSession, checks, e2e }, use, testInfo) => {
    const shared = asAdmin && !freshContext;
    const context = shared ? await ownerContext() : await browser.newContext({ baseURL: e2e.base, viewport, storageState });
    if (asAdmin) await context.addCookies((await adminSession()).cookies);
    const unwatch = checks.watch(context);
    try {
      await use(context);
      if (testInfo.status === testInfo.expectedStatus) await checks.axeOpenPages(context, e2e.base);
    } finally {
      unwatch();
      if (shared) await Promise.all(context.pages().map((p) => p.close()));
      else await context.close();
    }
  },

  openContext: async ({ browser, checks, e2e }, use, testInfo) => {
    const opened: BrowserContext[] = [];
    await use(async () => {
      // Explicitly empty: browser.newContext() in a test would start from the project's storageState.
      const c = await browser.newContext({ baseURL: e2e.base, viewport: { width: 1280, height: 800 }, storageState: { cookies: [], origins: [] } });
      opened.push(c);
      checks.watch(c);
      return c;
    });
    for (const c of opened) {
      if (testInfo.status === testInfo.expectedStatus) await checks.axeOpenPages(c, e2e.base).catch(() => {});
      await c.close();
    }
  },

  shoot: async ({ page, checks }, use) => {
    await use(async (name, { mobile = true, on = page } = {}) => {
      await settle(on);
      await on.screenshot({ path: join(shotsDir, `${name}-1280.png`), fullPage: true });
      await expectNoHorizontalOverflow(on, name);
      await checks.axe(on, name);
      if (mobile) {
        // A separate page in the same context shares the session cookie.
        const p = await on.context().newPage();
        await p.setViewportSize({ width: 375, height: 812 });
        await p.goto(on.url());
        await settle(p);
        await p.screenshot({ path: join(shotsDir, `${name}-375.png`), fullPage: true });
        await expectNoHorizontalOverflow(p, name);
        await checks.axe(p, name);
        await p.close();
      }
    });
  },
});
