// Browser tests: a real `tollgate serve` (started by e2e/global-setup.ts) driven in Debian's
// Chromium. Playwright's own browser download does not work on these machines; CHROMIUM_BIN
// (default /usr/bin/chromium) is launched instead. See README.md "Browser tests".
import { defineConfig } from "@playwright/test";
import { adminStateFile } from "./e2e/support/env";

const ci = process.env.CI === "true";

export default defineConfig({
  testDir: "./e2e",
  // Playwright empties its outputDir at the start; screenshots/, server.log and e2e-env.json live beside it.
  outputDir: "./test-results/artifacts",
  globalSetup: "./e2e/global-setup.ts",
  // One server, one site: the specs share it, one at a time (2 cores).
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: ci,
  reporter: ci ? [["list"]] : [["list"], ["html", { open: "never" }]],
  // Generous for a loaded 2-core machine; the 10,000-row import sets its own.
  timeout: 180_000,
  expect: { timeout: 15_000 },
  use: {
    viewport: { width: 1280, height: 800 },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    // DOM snapshots of every action, kept for failed tests; no screencast (it costs a quarter of the run on 2 busy cores).
    trace: { mode: "retain-on-failure", screenshots: false },
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_BIN || "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
    },
  },
  projects: [
    // First run: creates the site and its owner, saves the owner's storageState.
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    {
      name: "features",
      testMatch: /\.spec\.ts/,
      testIgnore: /(accounts|import)\.spec\.ts/,
      dependencies: ["setup"],
      use: { storageState: adminStateFile },
    },
    // Last, because they change the whole site: accounts connects Stripe and starts a
    // subscription (MRR, purchase targets), import adds 10,000 members.
    {
      name: "site-wide",
      testMatch: /(accounts|import)\.spec\.ts/,
      dependencies: ["features"],
      use: { storageState: adminStateFile },
    },
  ],
});
