// The core pages, run twice: hydrated and with JavaScript off.
import { expect, test } from "@playwright/test";
import { admin, signIn } from "./helpers";

test("signed-out visitors are sent to sign in", async ({ page }) => {
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings$/);
  await expect(page.getByRole("heading", { name: "Sign in to Tally" })).toBeVisible();
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill("definitely not it");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an active account.");
});

test("sign in, find the shell, and sign out", async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole("heading", { name: "Scorecard" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const name of ["Scorecard", "Integrations", "Settings"]) {
    await expect(nav.getByRole("link", { name })).toBeVisible();
  }
  await expect(page.locator(".who-name")).toHaveText("Demo Admin");
  await nav.getByRole("link", { name: "Integrations" }).click();
  await expect(page.getByRole("heading", { name: "Integrations", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test("settings show the organisation and its users", async ({ page }) => {
  await signIn(page);
  await page.goto("/settings");
  await expect(page.getByLabel("Name", { exact: true }).first()).toHaveValue("Demo Sales Co");
  await expect(page.getByRole("cell", { name: admin.email })).toBeVisible();
});

test("an admin renames the organisation", async ({ page }) => {
  await signIn(page);
  await page.goto("/settings");
  const form = page.locator("form", { has: page.getByRole("button", { name: "Save" }) });
  const name = form.getByLabel("Name");
  const original = await name.inputValue();
  await name.fill(`${original} (renamed)`);
  await form.getByRole("button", { name: "Save" }).click();
  await page.goto("/settings");
  await expect(page.getByLabel("Name", { exact: true }).first()).toHaveValue(`${original} (renamed)`);
  // Put it back so the other project starts from the same state.
  await page.getByLabel("Name", { exact: true }).first().fill(original);
  await page.getByRole("button", { name: "Save" }).click();
  await page.goto("/settings");
  await expect(page.getByLabel("Name", { exact: true }).first()).toHaveValue(original);
});
