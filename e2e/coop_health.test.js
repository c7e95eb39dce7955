// The cooperative health assessment on a 412 px phone (issue 20, track health): the treasurer
// opens the worksheet of last year, answers the management questionnaire, records the result,
// and the page shows the score and predicate with no sideways scrolling. A screenshot goes to
// DESMIGRATIF_SCREENSHOTS (default: a temporary directory) for review.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const VILLAGE = "53.07.01.2001";
const SHOTS = process.env.DESMIGRATIF_SCREENSHOTS || join(tmpdir(), "desmigratif-health");
let server, browser, coop;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  const admin = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  let r = await server.api("POST", "/api/v1/users", admin, {
    username: "bendahara", password: "a-long-password", full_name: "Bendahara Koperasi", role: "cooperative_manager", region_code: VILLAGE,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const token = (await server.api("POST", "/api/v1/auth/token", null, { username: "bendahara", password: "a-long-password" })).body.token;
  r = await server.api("POST", "/api/v1/cooperatives", token, {
    village_code: VILLAGE, kind: "koperasi", name: "Koperasi Sehat Bersama", founded_on: "2025-01-02",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  coop = r.body.id;
  r = await server.api("POST", `/api/v1/cooperatives/${coop}/members`, token, { full_name: "Maria Goreti", joined_on: "2025-01-05" });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await server.api("POST", `/api/v1/cooperatives/${coop}/savings-transactions`, token, {
    member_id: r.body.id, kind: "sukarela", direction: "deposit", amount: 3000000, date: "2025-01-10",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the treasurer fills in the questionnaire and records the health assessment on a phone", async () => {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", "bendahara");
  await page.fill("input[name=password]", "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  await page.goto(`${server.base}/cooperatives/${coop}`);
  await Promise.all([page.waitForNavigation(), page.click("#coop-nav >> text=Kesehatan")]);
  await page.selectOption("#f-year-pick", "2025");
  await Promise.all([page.waitForNavigation(), page.click("button:text-is(\"Tampilkan\")")]);
  assert.ok(await page.isVisible("#health-no-answers"), "the missing questionnaire is said");
  const before = await page.textContent("#health-score");
  await page.check("input[name=general_1]");
  await page.check("input[name=institution_2]");
  await Promise.all([page.waitForNavigation(), page.click("text=Simpan jawaban kuesioner")]);
  assert.ok(!(await page.isVisible("#health-no-answers")));
  assert.ok(await page.isChecked("input[name=general_1]"), "answers kept");
  const after = await page.textContent("#health-score");
  assert.notEqual(before, after, "the answers change the score");
  await Promise.all([page.waitForNavigation(), page.click("#health-record")]);
  assert.match(await page.textContent("#health-recorded"), /pengawasan|sehat/i);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling at 412 px (${overflow} px too wide)`);
  await page.screenshot({ path: join(SHOTS, "coop-health-412.png"), fullPage: true });
  await context.close();
});
