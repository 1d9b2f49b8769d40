// Inviting a teammate and their first sign-in (hydrated only).
import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("an admin invites a rep, who must choose a password at first sign-in", async ({ page, browser }) => {
  await signIn(page);
  await page.goto("/settings");
  await hydrated(page);
  const email = `rep-${Date.now()}@demo.tally.test`;
  const invite = page.locator("form", { has: page.getByRole("button", { name: "Create user" }) });
  await invite.getByLabel("Name").fill("Riley Rep");
  await invite.getByLabel("Email").fill(email);
  await invite.getByRole("button", { name: "Create user" }).click();
  const otp = await page.locator("code.otp").innerText();
  expect(otp).toMatch(/^[a-z0-9]{5}(-[a-z0-9]{5}){3}$/);
  await expect(page.getByRole("cell", { name: email })).toBeVisible();

  const rep = await (await browser.newContext()).newPage();
  await rep.goto("/login");
  await rep.getByLabel("Email").fill(email);
  await rep.getByLabel("Password").fill(otp);
  await rep.getByRole("button", { name: "Sign in" }).click();
  await expect(rep).toHaveURL(/\/account\/password$/);
  await rep.getByLabel("Current password").fill(otp);
  await rep.getByLabel("New password (12 characters or more)").fill("riley's own password");
  await rep.getByRole("button", { name: "Change password" }).click();
  await expect(rep.getByRole("heading", { name: "Scorecard" })).toBeVisible();
  // Members do not see user management.
  await rep.goto("/settings");
  await expect(rep.getByRole("heading", { name: "Users" })).toHaveCount(0);
  await expect(rep.getByText("Only admins can change these settings.")).toBeVisible();
});
