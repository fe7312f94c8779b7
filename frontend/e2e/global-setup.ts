// Starts, once per run, everything the specs talk to, and writes their addresses to
// test-results/e2e-env.json (read by support/fixtures.ts). The function it returns is the
// global teardown: it stops them all.
//
//   TOLLGATE_BIN   server binary (default $HOME/.cache/tollgate/target/debug/tollgate)
//   CHROMIUM_BIN   browser (default /usr/bin/chromium; read by playwright.config.ts)
//   E2E_KEEP=1     keep the temp dir (database, media) and print its path
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { envFile, frontend, resultsDir, serverLogPath, type E2eEnv } from "./support/env";
import { startCrmEmulator, startLocalstripe, startTollgate, startWebhookReceiver, type Service } from "./support/services";

export default async function globalSetup() {
  const root = join(frontend, "..");
  const dist = join(frontend, "dist");
  const bin = process.env.TOLLGATE_BIN || join(homedir(), ".cache/tollgate/target/debug/tollgate");
  const browserBin = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
  for (const [what, path] of [
    ["server binary", bin],
    ["chromium", browserBin],
    ["built SPA (npx vite build)", join(dist, "index.html")],
  ]) {
    if (!existsSync(path)) throw new Error(`e2e: ${what} not found at ${path}`);
  }
  mkdirSync(join(resultsDir, "screenshots"), { recursive: true });

  const started: Service[] = [];
  const dir = mkdtempSync(join(tmpdir(), "tollgate-e2e-"));
  const stop = async () => {
    for (const s of started.reverse()) await s.stop().catch((e) => console.error(`e2e: stopping a service: ${e}`));
    if (process.env.E2E_KEEP) console.log(`e2e: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    const start = async (s: Promise<Service>) => {
      const service = await s;
      started.push(service);
      return service;
    };
    const receiver = await start(startWebhookReceiver());
    const stripe = await start(startLocalstripe(root));
    const crm = await start(startCrmEmulator(root));
    const server = await start(startTollgate({ bin, dir, dist, stripeUrl: stripe.url, logPath: serverLogPath }));
    const env: E2eEnv = {
      base: server.url,
      dbPath: join(dir, "t.db"),
      stripeUrl: stripe.url,
      stripeKey: "sk_test_tollgate_e2e",
      crmUrl: crm.url,
      receiverUrl: receiver.url,
      hookUrl: `${receiver.url}/hooks/tollgate`,
    };
    writeFileSync(envFile, JSON.stringify(env, null, 2));
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}
