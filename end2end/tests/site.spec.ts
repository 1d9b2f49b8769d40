// The site comes from inside the tally binary: scripts/e2e.sh runs a copy of
// target/release/tally alone in an empty folder. Every page loads its bundle
// and hydrates; the bundle is typed, precompressed and cached by build id.
import { expect, Page, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

const pages = [
  "/",
  "/dashboard",
  "/scorecard/template",
  "/scorecard/measurables/new",
  "/integrations",
  "/people",
  "/settings",
  "/account/password",
];

/// Collects failed bundle requests and script errors while a test runs.
function watch(page: Page) {
  const problems: string[] = [];
  page.on("response", (r) => {
    if (r.url().includes("/pkg/") && r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

test("every page loads its bundle and hydrates", async ({ page }) => {
  const problems = watch(page);
  await page.goto("/login");
  await hydrated(page);
  await signIn(page);
  for (const path of pages) {
    await page.goto(path);
    await hydrated(page);
  }
  // A measurable's editor and one of its cells.
  const api = page.request;
  const cards = (await (await api.get("/api/v1/scorecards")).json()) as Array<{ id: number }>;
  let card = cards[0]?.id;
  if (card === undefined) {
    card = (await (await api.post("/api/v1/scorecards", { data: { name: "Sales" } })).json()).id;
  }
  const created = await api.post(`/api/v1/scorecards/${card}/measurables`, {
    data: { section: "Operations", name: `Bundle ${Date.now()}`, goal: { op: "at_least", value: 1 }, source: { type: "manual" } },
  });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id;
  const week = (await (await api.get(`/api/v1/scorecards/${card}`)).json()).week as string;
  for (const path of [`/scorecard/measurables/${id}`, `/scorecard/cell?measurable=${id}&week=${week}`]) {
    await page.goto(path);
    await hydrated(page);
  }
  expect(problems).toEqual([]);
});

test("the bundle is typed, precompressed and cached under its build id", async ({ page, request }) => {
  await page.goto("/login");
  const js = await page.locator('link[rel="modulepreload"]').first().getAttribute("href");
  expect(js).toMatch(/^\/pkg\/[0-9a-f]{16}\/tally\.js$/);
  const dir = js!.slice(0, js!.lastIndexOf("/"));
  // The lazy login page's chunks are preloaded from the split manifest.
  const chunks = await page.locator(`link[rel="preload"][href^="${dir}/chunk_"]`).count();
  expect(chunks).toBeGreaterThan(0);
  await expect(page.locator(`link[rel="stylesheet"][href="${dir}/tally.css"]`)).toHaveCount(1);

  const year = "public, max-age=31536000, immutable";
  const brotli = await request.get(js!, { headers: { "accept-encoding": "br" } });
  expect(brotli.status()).toBe(200);
  expect(brotli.headers()["content-type"]).toBe("text/javascript; charset=utf-8");
  expect(brotli.headers()["content-encoding"]).toBe("br");
  expect(brotli.headers()["cache-control"]).toBe(year);

  const wasm = await request.get(`${dir}/tally_bg.wasm`, { headers: { "accept-encoding": "gzip" } });
  expect(wasm.headers()["content-type"]).toBe("application/wasm");
  expect(wasm.headers()["content-encoding"]).toBe("gzip");
  expect(wasm.headers()["cache-control"]).toBe(year);
  // Decompressed by the client: a WebAssembly module.
  expect([...(await wasm.body()).subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);

  const css = await request.get(`${dir}/tally.css`, { headers: { "accept-encoding": "identity" } });
  expect(css.headers()["content-type"]).toBe("text/css; charset=utf-8");
  expect(css.headers()["content-encoding"]).toBeUndefined();
  expect(await css.text()).toContain("body");

  const stale = await request.get("/pkg/ffffffffffffffff/tally.js");
  expect(stale.status()).toBe(404);
});
