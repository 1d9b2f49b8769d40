// Shared steps: who the demo admin is, and signing in through the form.
import { expect, Page } from "@playwright/test";

export const admin = {
  email: process.env.TALLY_E2E_EMAIL ?? "",
  password: process.env.TALLY_E2E_PASSWORD ?? "",
};

export async function signIn(page: Page, email = admin.email, password = admin.password) {
  expect(email, "scripts/e2e.sh exports TALLY_E2E_EMAIL").not.toBe("");
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "Tally" })).toBeVisible();
}

/// Waits until the page has hydrated (the app marks <body>), so a click
/// runs the page's own handler rather than a plain form post.
export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
}
