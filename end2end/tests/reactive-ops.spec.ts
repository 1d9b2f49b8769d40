// Autotask in the demo: a manager tests and connects the sandbox's API user
// from the Autotask card (a wrong secret is refused by name), then the
// template's Reactive operations rows fill themselves from the synced
// tickets, with the records behind the number on the cell page.
import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

type Row = { measurable_id: number; name: string; this_week: { value: number | null } };

test("a manager connects Autotask and sees a synced Reactive operations row", async ({ page }) => {
  // The first sync starts on the scheduler's next pass after connecting.
  test.setTimeout(150_000);
  await signIn(page);
  const api = page.request;
  const creds = (await (await api.get("/sandbox/_sandbox/autotask/credentials")).json()) as {
    username: string;
    secret: string;
    integration_code: string;
  };

  await page.goto("/integrations");
  await hydrated(page);
  const card = page.locator('[data-provider="autotask"]');
  await card.getByLabel("API username").fill(creds.username);
  await card.getByLabel("Secret", { exact: true }).fill("not-the-secret");
  await card.getByLabel("Tracking identifier (integration code)").fill(creds.integration_code);
  await card.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByRole("alert")).toContainText("Autotask refused");

  await card.getByLabel("Secret", { exact: true }).fill(creds.secret);
  await card.getByRole("button", { name: "Test connection" }).click();
  await expect(card.getByRole("status")).toContainText("Nothing was saved");
  await expect(card.getByRole("status")).toContainText("in zone");
  await card.getByRole("button", { name: "Connect Autotask" }).click();
  // Connected, the card shows the account and zone instead of the form.
  await expect(card.getByTestId("status").first()).toHaveText("Connected");
  await expect(card.getByText("America East 5 (sandbox)")).toBeVisible();
  await expect(card.getByLabel("Secret", { exact: true })).toHaveCount(0);
  await expect(page.content()).resolves.not.toContain(creds.secret);

  // The sales template, every section the team's.
  const made = await api.post("/api/v1/scorecards/template", { data: { owners: {} } });
  expect(made.status(), await made.text()).toBe(201);
  const scorecard = ((await made.json()) as { id: number }).id;
  const current = (await (await api.get(`/api/v1/scorecards/${scorecard}`)).json()) as { previous_week: string };
  const week = current.previous_week;

  // The first sync runs on its own; the last full week fills in.
  let row: Row | undefined;
  await expect
    .poll(
      async () => {
        const view = (await (await api.get(`/api/v1/scorecards/${scorecard}?week=${week}`)).json()) as {
          sections: Array<{ name: string; rows: Row[] }>;
        };
        row = view.sections.find((s) => s.name === "Reactive operations")?.rows.find((r) => r.name === "Tickets opened");
        return row?.this_week.value ?? 0;
      },
      { timeout: 100_000 },
    )
    .toBeGreaterThan(0);

  await page.goto(`/scorecard/cell?measurable=${row!.measurable_id}&week=${week}`);
  await expect(page.getByRole("heading", { name: "Tickets opened", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: `Records behind this number (${row!.this_week.value})` })).toBeVisible();
});
