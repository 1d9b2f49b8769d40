// Playwright runs against a Tally that scripts/e2e.sh has built and started
// (demo mode, fresh data directory). Chromium is Debian's, never a download.
import { defineConfig } from "@playwright/test";

const baseURL = process.env.TALLY_E2E_URL ?? "http://127.0.0.1:3210";
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: { baseURL, trace: "off" },
  projects: [
    // Every spec, hydrated.
    { name: "javascript", use: { ...chromium, javaScriptEnabled: true } },
    // The core pages must read and their forms must post without JavaScript.
    { name: "no-javascript", testMatch: /core\.spec\.ts/, use: { ...chromium, javaScriptEnabled: false } },
  ],
});
