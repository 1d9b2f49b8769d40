// A definition can be seen before it is trusted: the editor previews what
// it would count (13 weeks, the records, what each filter leaves out) as
// it is edited with JavaScript, and on "Preview" without it, keeping the
// fields as typed.
import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("the editor previews a definition before it is saved", async ({ page }, info) => {
  await signIn(page);
  await page.goto("/scorecard/measurables/new");
  if (info.project.name !== "no-javascript") await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Dials preview");
  await page.getByLabel("Section", { exact: true }).fill("Inside sales");
  await page.getByLabel("Where the number comes from").selectOption("synced");
  await page.getByLabel("Record kind").selectOption("call");
  await page.getByLabel("Call direction").selectOption("not:INBOUND");
  const panel = page.locator("#preview");
  if (info.project.name === "no-javascript") {
    await page.getByRole("button", { name: "Preview" }).click();
    await expect(page).toHaveURL(/preview=1/);
    // The fields are as typed.
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Dials preview");
    await expect(page.getByLabel("Record kind")).toHaveValue("call");
    await expect(page.getByLabel("Call direction")).toHaveValue("not:INBOUND");
  } else {
    // No click: the preview follows the edits once typing pauses.
    await expect(panel.getByRole("heading", { level: 3 }).first()).toContainText(/Week of \d{4}-\d{2}-\d{2}: .* counted/);
    await expect(page).not.toHaveURL(/preview=1/);
    await page.getByLabel("Call direction").selectOption("");
  }
  await expect(panel.getByRole("heading", { level: 3 }).first()).toContainText(/Week of \d{4}-\d{2}-\d{2}: .* counted/);
  await expect(panel.locator("table.preview-weeks td")).toHaveCount(13);
  // Nothing was saved by previewing.
  const cards = (await (await page.request.get("/api/v1/scorecards")).json()) as Array<{ id: number }>;
  for (const card of cards) {
    const view = await (await page.request.get(`/api/v1/scorecards/${card.id}`)).json();
    for (const section of view.sections) {
      expect(section.rows.map((r: { name: string }) => r.name)).not.toContain("Dials preview");
    }
  }
});
