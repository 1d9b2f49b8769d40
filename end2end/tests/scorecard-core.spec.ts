// The weekly scorecard reads and navigates with JavaScript off (and on).
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("the weekly view renders, navigates weeks and opens a cell", async ({ page, request }) => {
  await signIn(page);
  const api = page.request;
  const cards = (await (await api.get("/api/v1/scorecards")).json()) as Array<{ id: number }>;
  let card = cards[0]?.id;
  if (card === undefined) {
    card = (await (await api.post("/api/v1/scorecards", { data: { name: "Sales" } })).json()).id;
  }
  const name = `Tickets ${Date.now()}`;
  const created = await api.post(`/api/v1/scorecards/${card}/measurables`, {
    data: { section: "Operations", name, goal: { op: "at_least", value: 5 }, source: { type: "manual" } },
  });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id;
  const week = (await (await api.get(`/api/v1/scorecards/${card}`)).json()).week as string;
  expect((await api.post(`/api/v1/measurables/${id}/values`, { data: { week, value: 7 } })).status()).toBe(204);
  void request;

  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Scorecard", level: 1 })).toBeVisible();
  await expect(page.getByText(`Week of ${week}`)).toBeVisible();
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(name) }) });
  await expect(row.getByRole("cell", { name: "≥ 5" })).toBeVisible();
  await expect(row.locator("td.status-green").first()).toContainText("7");
  await expect(row.locator("svg.sc-spark")).toBeVisible();

  // Week picker: previous week, then the grid view.
  await page.getByRole("link", { name: "← Previous week" }).click();
  await expect(page).toHaveURL(/\?week=\d{4}-\d{2}-\d{2}$/);
  await expect(page.getByRole("link", { name: "Next week →" })).toBeVisible();
  await page.getByRole("link", { name: "13-week grid" }).click();
  await expect(page).toHaveURL(/view=grid/);
  await expect(page.locator("table.sc-grid")).toBeVisible();

  // A cell opens its detail with the entry and history.
  await page.goto(`/scorecard/cell?measurable=${id}&week=${week}`);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByText("Entered by hand: 7")).toBeVisible();
  await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
});
