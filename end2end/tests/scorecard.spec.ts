// Live scorecard: a call created in the (demo) HubSpot sandbox shows up on
// an open scorecard page without a reload.
import { APIRequestContext, expect, test } from "@playwright/test";
import { signIn } from "./helpers";

async function json(request: APIRequestContext, method: "get" | "post", url: string, data?: unknown) {
  const r = await request[method](url, data === undefined ? {} : { data });
  expect(r.ok(), `${method} ${url}: ${r.status()} ${await r.text()}`).toBeTruthy();
  return r.status() === 204 ? null : r.json();
}

test("a new HubSpot call appears on the open scorecard without reload", async ({ page }) => {
  await signIn(page);
  const request = page.request;

  // (Re)connect the demo HubSpot through its consent page, so the
  // connection is healthy whatever earlier specs did to it.
  const { authorize_url } = await json(request, "post", "/api/v1/integrations/hubspot/connect");
  await page.goto(authorize_url);
  await page.getByRole("button", { name: "Connect app" }).click();
  await page.waitForURL((url) => !url.pathname.includes("oauth"));
  const connections = (await json(request, "get", "/api/v1/connections")) as Array<{ id: number; provider: string }>;
  const hubspot = connections.find((c) => c.provider === "hubspot");
  expect(hubspot, "HubSpot is connected").toBeTruthy();
  const connection = hubspot!.id;

  // A team measurable counting every call, on a scorecard of its own.
  const cards = (await json(request, "get", "/api/v1/scorecards")) as Array<{ id: number }>;
  const card = cards[0]?.id ?? ((await json(request, "post", "/api/v1/scorecards", { name: "Sales" })) as { id: number }).id;
  const name = `Live calls ${Date.now()}`;
  await json(request, "post", `/api/v1/scorecards/${card}/measurables`, {
    section: "Live",
    name,
    goal: { op: "at_least", value: 1 },
    source: { type: "synced", kind: "call" },
  });

  await page.goto("/");
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(name) }) });
  const cell = row.locator("td.sc-cell").first();
  await expect(cell).toBeVisible();
  const before = Number((await cell.innerText()).split("·")[0].replace(/[^0-9.]/g, "") || "0");
  await expect(page.locator(".sc-live")).toContainText("updated");

  // A call happens upstream; sync picks it up (webhook or "sync now").
  await json(request, "post", "/sandbox/_sandbox/hubspot/calls", {
    properties: {
      hs_timestamp: new Date().toISOString(),
      hs_call_title: "E2E live call",
      hs_call_direction: "OUTBOUND",
    },
  });
  await json(request, "post", `/api/v1/connections/${connection}/sync`);

  const marker = await page.evaluate(() => {
    (window as unknown as { __noReload: boolean }).__noReload = true;
    return true;
  });
  expect(marker).toBe(true);
  await expect
    .poll(async () => Number((await cell.innerText()).split("·")[0].replace(/[^0-9.]/g, "") || "0"), { timeout: 30_000 })
    .toBeGreaterThan(before);
  // Same document: the page updated in place.
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});
