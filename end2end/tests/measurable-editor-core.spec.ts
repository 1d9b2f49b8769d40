// Managers define a measurable's source with form fields, with JavaScript
// off (and on): the definition saved is the one the fields describe, and
// the editor shows it again.
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("a synced source is defined with fields and reopens filled in", async ({ page }) => {
  await signIn(page);
  const name = `Warm DM notes ${Date.now()}`;
  await page.goto("/scorecard/measurables/new");
  await expect(page.getByRole("heading", { name: "New measurable", level: 1 })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Section", { exact: true }).fill("Warm 250");
  await page.getByLabel("Operator").selectOption("at_least");
  await page.getByLabel("Goal (lower bound for between)").fill("6");
  await page.getByLabel("Where the number comes from").selectOption("synced");
  await page.getByLabel("Record kind").selectOption("note");
  await page.getByLabel("Title or body mentions any of (whole words)").fill("decision maker, CEO");
  await page.getByLabel("An associated contact is in the list").fill("Warm 250");
  await page.getByRole("button", { name: "Save measurable" }).click();
  await expect(page.getByRole("heading", { name: "Scorecard", level: 1 })).toBeVisible();

  // The API holds exactly the definition the fields describe.
  const cards = (await (await page.request.get("/api/v1/scorecards")).json()) as Array<{ id: number }>;
  let found: { measurable_id: number } | undefined;
  for (const card of cards) {
    const view = await (await page.request.get(`/api/v1/scorecards/${card.id}`)).json();
    for (const section of view.sections) {
      found ??= section.rows.find((r: { name: string }) => r.name === name);
    }
  }
  expect(found).toBeDefined();
  const id = found!.measurable_id;
  const saved = await (await page.request.get(`/api/v1/measurables/${id}`)).json();
  expect(saved.input.source).toEqual({
    type: "synced",
    kind: "note",
    time_field: "occurred",
    filters: { keywords: ["decision maker", "CEO"], contact_in_list: "Warm 250" },
    aggregate: { type: "count" },
  });

  // Reopened, the editor shows the definition; a bad one is refused with
  // the field named and nothing saved.
  await page.goto(`/scorecard/measurables/${id}`);
  await expect(page.getByLabel("Record kind")).toHaveValue("note");
  await expect(page.getByLabel("Title or body mentions any of (whole words)")).toHaveValue("decision maker, CEO");
  // The formula help names the measurables a formula can refer to.
  await expect(page.getByText(`m:${id}`, { exact: true })).toBeAttached();
  await page.getByLabel("Placed in a week by").selectOption("close_date");
  await page.getByRole("button", { name: "Save measurable" }).click();
  await expect(page.getByText(/source\.time_field|close_date only applies to deals/)).toBeVisible();
  const after = await (await page.request.get(`/api/v1/measurables/${id}`)).json();
  expect(after.input.source.time_field).toBe("occurred");
});

test("once hydrated, only the chosen source type's fields show", async ({ page, browserName }, info) => {
  test.skip(info.project.name === "no-javascript", "without JavaScript every field stays visible");
  void browserName;
  await signIn(page);
  await page.goto("/scorecard/measurables/new");
  // A new measurable starts as manual entry: no synced or formula fields.
  await expect(page.getByLabel("Record kind")).toBeHidden();
  const source = page.getByLabel("Where the number comes from");
  await source.selectOption("formula");
  await expect(page.getByLabel(/^Formula over this week/)).toBeVisible();
  await expect(page.getByLabel("Record kind")).toBeHidden();
  await source.selectOption("synced");
  await expect(page.getByLabel("Record kind")).toBeVisible();
  await expect(page.getByLabel(/^Formula over this week/)).toBeHidden();
  await source.selectOption("manual");
  await expect(page.getByLabel("Record kind")).toBeHidden();
});
