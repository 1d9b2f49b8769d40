// A connection's sync runs update live: the connection page listens to the
// event stream (`sync_progress`), so a run started elsewhere shows up well
// before the 10 s fallback poll would bring it (hydrated only).
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("a sync started elsewhere appears on the connection page without a reload", async ({ page }) => {
  await signIn(page);
  await page.goto("/integrations");
  const card = page.locator('section[data-provider="hubspot"]');
  await card.getByRole("link", { name: /^Connect (another )?HubSpot/ }).click();
  await expect(page).toHaveURL(/\/sandbox\/hubspot\/oauth\/authorize\?/);
  await page.getByRole("button", { name: "Connect app" }).click();
  await expect(page).toHaveURL(/\/integrations$/);

  const connection = page.locator('section[data-provider="hubspot"]').getByTestId("connection").last();
  await connection.getByRole("link", { name: "Sync history" }).click();
  await expect(page).toHaveURL(/\/integrations\/\d+$/);
  const id = page.url().split("/").pop();
  await expect(page.getByRole("heading", { name: "Sync runs", exact: true })).toBeVisible();
  // Let the page hydrate and open its event stream before the run starts.
  await page.waitForTimeout(1500);
  const rows = page.locator("table tbody tr");
  const before = await rows.count();

  // Start a run through the API (the same session), not through this page.
  const started = await page.request.post(`/api/v1/connections/${id}/sync`);
  expect(started.ok()).toBeTruthy();
  await expect(rows).toHaveCount(before + 1, { timeout: 5_000 });

  // Leave the sandbox portal disconnected for the other specs.
  await page.goto("/integrations");
  await page.locator('section[data-provider="hubspot"]').getByTestId("connection").last()
    .getByRole("button", { name: "Disconnect" }).click();
});
