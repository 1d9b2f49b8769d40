// Connecting HubSpot in demo mode: the in-process sandbox plays HubSpot,
// so the whole OAuth round trip runs offline (hydrated only).
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an admin connects HubSpot through the sandbox consent page", async ({ page }) => {
  // The round trip runs under the policies: Tally's (form-action 'self'
  // covers the consent form's redirect back) and the sandbox's own.
  const violations: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await signIn(page);
  await page.goto("/integrations");
  const card = page.locator('section[data-provider="hubspot"]');
  await expect(card.getByRole("heading", { name: "HubSpot" })).toBeVisible();

  await card.getByRole("link", { name: /^Connect (another )?HubSpot/ }).click();

  // The sandbox's consent page, served under /sandbox with a policy of its own.
  await expect(page).toHaveURL(/\/sandbox\/hubspot\/oauth\/authorize\?/);
  const consent = await page.request.get(page.url());
  expect(consent.headers()["content-security-policy"]).toMatch(/^default-src 'none'; style-src 'sha256-/);
  // Its inline style applied (the header bar is dark), so the hash matched.
  await expect(page.locator("header")).toHaveCSS("background-color", "rgb(45, 62, 80)");
  await expect(page.getByRole("heading", { name: "Connect Tally to your HubSpot account" })).toBeVisible();
  await expect(page.getByText("crm.objects.contacts.read")).toBeVisible();
  await page.getByRole("button", { name: "Connect app" }).click();

  // Back on the integrations page, connected.
  await expect(page).toHaveURL(/\/integrations$/);
  const connected = page.locator('section[data-provider="hubspot"]');
  await expect(connected.getByTestId("status")).toHaveText("Connected");
  await expect(connected.getByText("5 of 5 required granted")).toBeVisible();
  await expect(connected.getByText("tally-sandbox.example.com")).toBeVisible();
  expect(violations).toEqual([]);

  // Disconnect (keeping data) so a second run starts from the same state.
  await connected.getByRole("button", { name: "Disconnect" }).click();
  await expect(page.locator('section[data-provider="hubspot"]').getByTestId("status")).toHaveText("Not connected");
});

test("cancelling at HubSpot changes nothing", async ({ page }) => {
  await signIn(page);
  await page.goto("/integrations");
  await page.locator('section[data-provider="hubspot"]').getByRole("link", { name: /^Connect/ }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByText("You cancelled; nothing changed.")).toBeVisible();
  await page.getByRole("link", { name: "Back to Integrations" }).click();
  await expect(page.locator('section[data-provider="hubspot"]').getByTestId("status")).toHaveText("Not connected");
});
