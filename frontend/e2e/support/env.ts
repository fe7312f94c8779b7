// Where the run keeps its files, and the addresses global-setup.ts hands to the specs.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const frontend = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const resultsDir = join(frontend, "test-results");
export const shotsDir = join(resultsDir, "screenshots");
export const envFile = join(resultsDir, "e2e-env.json");
// The whole server log of the run (written while it runs; a failing test attaches its tail).
export const serverLogPath = join(resultsDir, "server.log");
// The admin's storageState, saved by auth.setup.ts.
export const adminStateFile = join(resultsDir, ".auth", "admin.json");

export type E2eEnv = {
  base: string; // tollgate serve
  dbPath: string; // its SQLite file
  stripeUrl: string; // localstripe
  stripeKey: string;
  crmUrl: string; // ActiveCampaign emulator
  receiverUrl: string; // webhook receiver (its /_control API)
  hookUrl: string; // the URL a webhook endpoint points at
};

let cached: E2eEnv | undefined;
export const e2eEnv = (): E2eEnv => (cached ??= JSON.parse(readFileSync(envFile, "utf8")) as E2eEnv);

// The site's first admin, created by auth.setup.ts.
export const owner = { name: "Olive Owner", email: "owner@example.com", password: "correct horse battery" };
export const appName = "Acme Academy";
