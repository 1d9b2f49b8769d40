// Stored XSS (issue 18): a payload written into every user-written field,
// through the forms and the REST API, renders as text on every page, runs
// nothing and opens no dialog, with JavaScript on and off. Every page comes
// with a strict Content-Security-Policy, and hydration works under it.
import { APIRequestContext, Browser, expect, Page, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

const PAYLOAD = `"><img src=x onerror="window.__xss=1"></textarea><script>window.__xss=1</script>`;
// Emails must look like emails (no spaces): the same idea, in the local part.
const emailPayload = (tag: string) => `"><svg/onload=window.__xss=1>${tag}${Date.now()}@xss.test`;

async function json(request: APIRequestContext, method: "get" | "post" | "put" | "delete" | "patch", url: string, data?: unknown) {
  const r = await request[method](url, data === undefined ? {} : { data });
  expect(r.ok(), `${method} ${url}: ${r.status()} ${await r.text()}`).toBeTruthy();
  return r.status() === 204 ? null : r.json();
}

/// Watches a page for what an injection would do: dialogs, and scripts or
/// styles the policy refused.
function watch(page: Page) {
  const seen = { dialogs: [] as string[], violations: [] as string[] };
  page.on("dialog", (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) seen.violations.push(m.text());
  });
  return seen;
}

/// Visits `url` and checks it: policy header, hydration (JavaScript on), no
/// element the payload would create, `window.__xss` unset, and the raw
/// server HTML free of the unescaped payload.
async function visit(page: Page, url: string, javascript: boolean, seen: ReturnType<typeof watch>) {
  const response = await page.goto(url);
  expect(response, url).not.toBeNull();
  expect(response!.status(), url).toBe(url === "/no-such-page" ? 404 : 200);
  const csp = response!.headers()["content-security-policy"] ?? "";
  expect(csp, `CSP of ${url}`).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{22}' 'wasm-unsafe-eval';/);
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response!.headers()["x-content-type-options"]).toBe("nosniff");
  if (javascript) await hydrated(page);
  await expect(page.locator('img[src="x"]'), url).toHaveCount(0);
  await expect(page.locator("svg[onload]"), url).toHaveCount(0);
  // (The hydration data holds the payload too, as an escaped JS string.)
  const injected = await page.locator("script").evaluateAll(
    (scripts) => scripts.filter((s) => (s.textContent ?? "").trim() === "window.__xss=1").length,
  );
  expect(injected, `injected <script> on ${url}`).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), url).toBeUndefined();
  expect(seen.dialogs, url).toEqual([]);
  expect(seen.violations, url).toEqual([]);
  const raw = await (await page.request.get(url)).text();
  expect(raw, `raw HTML of ${url}`).not.toContain("<img src=x");
  expect(raw).not.toContain("<script>window.__xss");
  expect(raw).not.toMatch(/<svg\/onload/i);
}

test("a payload in every user-written field renders as text everywhere", async ({ page, browser }, info) => {
  test.setTimeout(240_000);
  const javascript = info.project.name !== "no-javascript";
  const seen = watch(page);
  await signIn(page);
  const api = page.request;
  const org = await json(api, "get", "/api/v1/org");
  const created: number[] = [];
  let hubspot: number | undefined;
  const members: number[] = [];
  try {
    // Organisation name, through the settings form.
    await page.goto("/settings");
    if (javascript) await hydrated(page);
    const orgForm = page.locator("form", { has: page.getByRole("button", { name: "Save" }) }).first();
    await orgForm.getByLabel("Name").fill(PAYLOAD);
    await orgForm.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await json(api, "get", "/api/v1/org")).name).toBe(PAYLOAD);

    // An invited user, a person, a scorecard (REST API).
    // (The sign-in form takes only well-formed emails: the user who signs in
    // below has a plain one.)
    const invited = await json(api, "post", "/api/v1/users", { email: `xss-${Date.now()}@demo.tally.test`, name: PAYLOAD, role: "member" });
    members.push(invited.user.id);
    members.push((await json(api, "post", "/api/v1/users", { email: emailPayload("u"), name: PAYLOAD, role: "member" })).user.id);
    const person = (await json(api, "post", "/api/v1/people", { name: PAYLOAD, email: emailPayload("p") })).id as number;
    await json(api, "post", "/api/v1/scorecards", { name: PAYLOAD });
    const card = ((await json(api, "get", "/api/v1/scorecards")) as Array<{ id: number }>)[0].id;
    const week = (await json(api, "get", `/api/v1/scorecards/${card}`)).week as string;

    // Section and measurable names, and every text field of a source.
    const measurable = async (name: string, source: unknown, extra: object = {}) => {
      const id = (await json(api, "post", `/api/v1/scorecards/${card}/measurables`, { section: PAYLOAD, name, source, ...extra })).id as number;
      created.push(id);
      return id;
    };
    const manual = await measurable(PAYLOAD, { type: "manual" }, { person_id: person, goal: { op: "at_least", value: 5 } });
    const notes = await measurable(`${PAYLOAD} notes`, {
      type: "synced", kind: "note",
      filters: { keywords: [PAYLOAD], contact_in_list: PAYLOAD, buying_role: [PAYLOAD] },
    });
    const calls = await measurable(`${PAYLOAD} call sum`, {
      type: "synced", kind: "call", filters: { call_outcome: [PAYLOAD] }, aggregate: { type: "sum", properties: ["hs_call_duration"] },
    });
    const meetings = await measurable(`${PAYLOAD} meetings`, {
      type: "synced", kind: "meeting", filters: { meeting_type: [PAYLOAD], meeting_outcome: [PAYLOAD] },
    });
    const deals = await measurable(`${PAYLOAD} deals`, {
      type: "synced", kind: "deal", time_field: "close_date", filters: { closed_won: true, pipeline: PAYLOAD },
    });
    // A formula that is not one is refused, naming the field, as JSON.
    const formula = await api.post(`/api/v1/scorecards/${card}/measurables`, {
      data: { section: PAYLOAD, name: `${PAYLOAD} formula`, source: { type: "formula", formula: PAYLOAD } },
    });
    expect(formula.status()).toBe(422);
    expect(formula.headers()["content-type"]).toContain("application/json");
    expect((await formula.json()).field).toBe("source.formula");
    // So is a property name that is not one.
    const sum = await api.post(`/api/v1/scorecards/${card}/measurables`, {
      data: { section: PAYLOAD, name: `${PAYLOAD} sum`, source: { type: "synced", kind: "call", aggregate: { type: "sum", properties: [PAYLOAD] } } },
    });
    expect(sum.status()).toBe(422);
    expect((await sum.json()).field).toBe("source.aggregate.properties");

    // An entry reason (API); an override reason and a note (the cell page's forms).
    await json(api, "post", `/api/v1/measurables/${manual}/values`, { week, value: 7, reason: PAYLOAD });
    await page.goto(`/scorecard/cell?measurable=${notes}&week=${week}`);
    if (javascript) await hydrated(page);
    await page.getByLabel("Value").fill("3");
    await page.getByLabel("Reason").fill(PAYLOAD);
    await page.getByRole("button", { name: "Save value" }).click();
    await expect.poll(async () => (await json(api, "get", `/api/v1/measurables/${notes}/cell?week=${week}`)).entry?.[1]).toBe(PAYLOAD);
    await page.goto(`/scorecard/cell?measurable=${manual}&week=${week}`);
    if (javascript) await hydrated(page);
    await page.getByLabel("Note on this week").fill(PAYLOAD);
    await page.getByRole("button", { name: "Save note" }).click();
    await expect.poll(async () => (await json(api, "get", `/api/v1/measurables/${manual}/cell?week=${week}`)).cell.note).toBe(PAYLOAD);

    // A formula typed into the editor: refused, and the error shown as text.
    await page.goto("/scorecard/measurables/new");
    if (javascript) await hydrated(page);
    await page.getByLabel("Name", { exact: true }).fill(`${PAYLOAD} formula`);
    await page.getByLabel("Section", { exact: true }).fill(PAYLOAD);
    await page.getByLabel("Where the number comes from").selectOption("formula");
    await page.getByLabel(/^Formula over this week/).fill(PAYLOAD);
    await page.getByRole("button", { name: "Save measurable" }).click();
    await expect(page.getByText(/source\.formula/)).toBeVisible();
    await expect(page.locator('img[src="x"]')).toHaveCount(0);

    // Connection-related text: the synced lists of a HubSpot connection, and
    // a synced record whose title (written in HubSpot) is the payload.
    const { authorize_url } = await json(api, "post", "/api/v1/integrations/hubspot/connect");
    await page.goto(authorize_url);
    await page.getByRole("button", { name: "Connect app" }).click();
    await page.waitForURL((url) => !url.pathname.includes("oauth"));
    const connections = (await json(api, "get", "/api/v1/connections")) as Array<{ id: number; provider: string }>;
    hubspot = connections.filter((c) => c.provider === "hubspot").pop()!.id;
    await json(api, "put", `/api/v1/connections/${hubspot}/sync-settings`, { lists: [PAYLOAD] });
    await json(api, "post", "/sandbox/_sandbox/hubspot/calls", {
      properties: { hs_timestamp: new Date().toISOString(), hs_call_title: PAYLOAD, hs_call_direction: "OUTBOUND" },
    });
    const team = await measurable(`${PAYLOAD} calls`, { type: "synced", kind: "call" });
    await json(api, "post", `/api/v1/connections/${hubspot}/sync`);
    await expect
      .poll(async () => {
        const cell = await json(api, "get", `/api/v1/measurables/${team}/cell?week=${week}`);
        return (cell.records as Array<{ title: string }>).some((r) => r.title === PAYLOAD);
      }, { timeout: 30_000 })
      .toBe(true);

    // Every page, as the admin.
    const shell = async () => expect(page.locator(".who-meta")).toContainText(`${PAYLOAD} · Admin`);

    await visit(page, "/", javascript, seen);
    await shell();
    await expect(page.locator("tr.sc-section th").filter({ hasText: PAYLOAD }).first()).toBeVisible();
    await expect(page.getByRole("rowheader", { name: PAYLOAD }).first()).toBeVisible();
    await visit(page, "/?view=grid", javascript, seen);
    await expect(page.getByRole("rowheader", { name: PAYLOAD }).first()).toBeVisible();
    await visit(page, "/dashboard", javascript, seen);
    await shell();

    await visit(page, `/scorecard/cell?measurable=${manual}&week=${week}`, javascript, seen);
    await expect(page.getByRole("heading", { name: PAYLOAD, level: 1 })).toBeVisible();
    await expect(page.getByLabel("Note on this week")).toHaveValue(PAYLOAD);
    await expect(page.locator(".sc-note")).toHaveText(`Note: ${PAYLOAD}`);
    await expect(page.getByText(`Entered by hand: 7 — “${PAYLOAD}”`)).toBeVisible();
    await expect(page.locator("table.sc-audit td").filter({ hasText: PAYLOAD }).first()).toBeVisible();
    await visit(page, `/scorecard/cell?measurable=${notes}&week=${week}`, javascript, seen);
    await expect(page.getByText(`Overridden by hand: 3 — “${PAYLOAD}”`, { exact: false })).toBeVisible();
    await visit(page, `/scorecard/cell?measurable=${team}&week=${week}`, javascript, seen);
    await expect(page.getByRole("cell", { name: PAYLOAD, exact: true }).first()).toBeVisible();

    await visit(page, `/scorecard/measurables/${manual}`, javascript, seen);
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue(PAYLOAD);
    await expect(page.getByLabel("Section", { exact: true })).toHaveValue(PAYLOAD);
    await expect(page.getByLabel("Owner").locator("option:checked")).toHaveText(PAYLOAD);
    await visit(page, `/scorecard/measurables/${notes}`, javascript, seen);
    await expect(page.getByLabel("Title or body mentions any of (whole words)")).toHaveValue(PAYLOAD);
    await expect(page.getByLabel("An associated contact is in the list")).toHaveValue(PAYLOAD);
    await expect(page.getByLabel("An associated contact's buying role is any of")).toHaveValue(PAYLOAD);
    await visit(page, `/scorecard/measurables/${calls}`, javascript, seen);
    await expect(page.getByLabel("Call outcome is any of")).toHaveValue(PAYLOAD);
    await visit(page, `/scorecard/measurables/${meetings}`, javascript, seen);
    await expect(page.getByLabel("Meeting type is any of")).toHaveValue(PAYLOAD);
    await expect(page.getByLabel("Meeting outcome is any of")).toHaveValue(PAYLOAD);
    await visit(page, `/scorecard/measurables/${deals}`, javascript, seen);
    await expect(page.getByLabel("Deal pipeline (name or id)")).toHaveValue(PAYLOAD);
    await visit(page, "/scorecard/measurables/new", javascript, seen);
    await expect(page.locator("option", { hasText: PAYLOAD }).first()).toBeAttached();

    await visit(page, "/scorecard/template", javascript, seen);
    await expect(page.locator("option", { hasText: PAYLOAD }).first()).toBeAttached();
    await visit(page, "/integrations", javascript, seen);
    await shell();
    await visit(page, `/integrations/${hubspot}`, javascript, seen);
    await shell();
    await visit(page, "/people", javascript, seen);
    const personRow = page.getByRole("cell").filter({ hasText: PAYLOAD }).first();
    await expect(personRow).toBeVisible();
    await expect(personRow).toContainText(`${PAYLOAD}"><svg/onload=window.__xss=1>p`);
    await visit(page, "/settings", javascript, seen);
    await expect(page.getByLabel("Name", { exact: true }).first()).toHaveValue(PAYLOAD);
    await expect(page.getByRole("cell", { name: PAYLOAD, exact: true }).first()).toBeVisible();
    await visit(page, "/account/password", javascript, seen);
    await shell();
    await visit(page, "/no-such-page", javascript, seen);

    // The invited user's own pages show their name.
    await asInvited(browser, invited.user.email, invited.one_time_password, javascript);
  } finally {
    // Leave the demo as the other specs expect it.
    const cleanup = [await api.put("/api/v1/org", { data: org })];
    for (const id of created) cleanup.push(await api.delete(`/api/v1/measurables/${id}`));
    if (hubspot !== undefined) cleanup.push(await api.delete(`/api/v1/connections/${hubspot}?purge=false`));
    for (const id of members) cleanup.push(await api.patch(`/api/v1/users/${id}`, { data: { active: false } }));
    for (const r of cleanup) expect(r.ok(), `cleanup ${r.url()}: ${r.status()} ${await r.text()}`).toBeTruthy();
  }
});

async function asInvited(browser: Browser, email: string, password: string, javascript: boolean) {
  const context = await browser.newContext({ javaScriptEnabled: javascript });
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account\/password$/);
  await visit(page, "/account/password", javascript, seen);
  await expect(page.locator(".who-name")).toHaveText(PAYLOAD);
  await page.getByLabel("Current password").fill(password);
  await page.getByLabel("New password (12 characters or more)").fill("an xss-proof password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("heading", { name: "Scorecard" })).toBeVisible();
  await visit(page, "/", javascript, seen);
  await expect(page.locator(".who-name")).toHaveText(PAYLOAD);
  await context.close();
}

test("sign-in reflects its query as text", async ({ page }, info) => {
  const javascript = info.project.name !== "no-javascript";
  const seen = watch(page);
  const q = encodeURIComponent(PAYLOAD);
  await visit(page, `/login?next=${q}&error=${q}`, javascript, seen);
  await expect(page.locator('input[name="next"]')).toHaveValue(PAYLOAD);
  // Setup is closed: it sends visitors to sign in.
  await page.goto("/setup");
  await expect(page).toHaveURL(/\/login$/);
});
