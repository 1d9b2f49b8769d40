// HubSpot without a developer account: a manager pastes a private app's
// access token, tests it (the scopes it holds against those needed), then
// connects with it. A token HubSpot does not know is refused by name.
import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("a pasted private-app token is tested, then connects HubSpot", async ({ page }) => {
  await signIn(page);
  // The sandbox's stand-in for HubSpot's private-app settings page.
  const minted = await page.request.post("/sandbox/_sandbox/hubspot/private-app-tokens", { data: {} });
  expect(minted.status()).toBe(200);
  const { token } = (await minted.json()) as { token: string };
  expect(token).toMatch(/^pat-na1-/);

  await page.goto("/integrations");
  await hydrated(page);
  const card = page.locator('[data-provider="hubspot"]');
  await card.getByText("Or connect with a private-app access token").click();
  const field = card.getByLabel("Access token");

  await field.fill("pat-na1-00000000-0000-0000-0000-000000000000");
  await card.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByRole("alert")).toContainText("HubSpot refused this access token");

  await field.fill(token);
  await card.getByRole("button", { name: "Test connection" }).click();
  await expect(card.getByRole("status")).toContainText("accepts this token");
  await expect(card.getByRole("status")).toContainText("All 5 required scopes are granted.");

  await card.getByRole("button", { name: "Connect with this token" }).click();
  await expect(card.getByRole("status")).toContainText("Connected HubSpot portal");
  await expect(card.getByTestId("status").first()).toHaveText("Connected");
  await expect(page.content()).resolves.not.toContain(token);
});
