// Track forms (issue 16; docs/OFFLINE.md "Field forms"): the officer opens two blank capture
// pages once with signal (a cooperative's cash deposit and a business's monthly report), loses
// the signal, reloads them from the phone, fills both in; back online each arrives once through
// its API operation, and the deposit is posted on the day it was collected (its value date),
// not the day it was sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const VILLAGE = "53.07.01.2001";
let server, browser, token;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  token = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const day = (n) => {
  const d = new Date(Date.now() - n * 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
const waitingIs = (page, n) => page.waitForFunction((n) => document.querySelector("[data-offline-waiting]")?.textContent.startsWith(`${n} `), n, { timeout: 20000 });

test("a cash deposit and a business report typed without signal arrive once, the deposit on its value date", async () => {
  const api = async (method, path, body) => {
    const r = await server.api(method, path, token, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const coop = await api("POST", "/api/v1/cooperatives", {
    village_code: VILLAGE, kind: "koperasi", name: "Koperasi Luring", founded_on: day(400),
    bylaws: { pokok: 0, wajib_monthly: 0, max_principal: 5000000, max_months: 12, min_rate_percent: 1, max_rate_percent: 2,
      shu_reserve: 40, shu_members_by_savings: 20, shu_members_by_transactions: 20, shu_board: 5, shu_staff: 5,
      shu_education: 5, shu_social: 5 },
  });
  const member = await api("POST", `/api/v1/cooperatives/${coop.id}/members`, { full_name: "Agustina Kas", joined_on: day(300) });
  const business = await api("POST", "/api/v1/businesses", {
    village_code: VILLAGE, name: "Tenun Luring", sector: "crafts", legal_form: "group", status: "running",
    started_on: day(120), capital_sources: ["own_remittances"],
  });
  const depositPage = `/cooperatives/${coop.id}/savings/new`;
  const reportPage = `/businesses/${business.id}/reports/new`;

  const context = await browser.newContext({ viewport: { width: 412, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", ADMIN_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
  await page.waitForFunction(() => navigator.serviceWorker.controller && localStorage.getItem("dm.offline.grant"));
  await page.goto(server.base + depositPage);
  await page.goto(server.base + reportPage);

  await context.setOffline(true);
  const collected = day(3);
  await page.goto(server.base + depositPage);
  await page.waitForSelector("#offline-bar.is-offline");
  await page.fill("input[name=member_id]", String(member.id));
  await page.selectOption("select[name=kind]", "sukarela");
  await page.fill("input[name=amount]", "150000");
  await page.fill("input[name=date]", collected);
  await page.screenshot({ path: "/tmp/offline-forms-deposit-412.png", fullPage: true });
  await page.click("form[data-offline] button[type=submit]");
  await waitingIs(page, 1);

  const month = day(40).slice(0, 7);
  await page.goto(server.base + reportPage);
  await page.fill("input[name=month]", month);
  await page.fill("input[name=revenue]", "4.500.000");
  await page.fill("input[name=costs]", "3000000");
  await page.fill("input[name=workers]", "2");
  await page.click("form[data-offline] button[type=submit]");
  await waitingIs(page, 2);

  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await waitingIs(page, 0);
  assert.ok(await page.evaluate(() => document.querySelector("[data-offline-fix]").hidden), "nothing refused");

  const b = await api("GET", `/api/v1/businesses/${business.id}`);
  const reports = b.reports.filter((r) => r.month === month);
  assert.equal(reports.length, 1, JSON.stringify(b.reports));
  assert.equal(Number(reports[0].revenue), 4500000);
  const m = await api("GET", `/api/v1/cooperatives/${coop.id}/members/${member.id}`);
  assert.equal(Number(m.balances.sukarela), 150000, "one deposit: " + JSON.stringify(m.balances));
  const tb = async (asOf) => (await api("GET", `/api/v1/cooperatives/${coop.id}/reports/trial-balance?as_of=${asOf}`)).total_debit;
  assert.equal((await tb(collected)) - (await tb(day(4))), 150000, "posted on the day it was collected");
  await context.close();
});
