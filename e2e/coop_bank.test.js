// Cash and bank in the browser at phone width (412 px): a treasurer opens a bank account,
// deposits cash into it, pastes the bank's statement CSV, previews it, imports it, accepts the
// suggested match, books the bank charge from its statement line and locks the reconciliation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const VILLAGE = "53.07.01.2001";
let server, browser, coop;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  const admin = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  const u = await server.api("POST", "/api/v1/users", admin, {
    username: "bendahara", password: "a-long-password", full_name: "Bendahara Koperasi", role: "cooperative_manager",
    region_code: VILLAGE,
  });
  assert.equal(u.status, 201);
  const t = (await server.api("POST", "/api/v1/auth/token", null, { username: "bendahara", password: "a-long-password" })).body.token;
  const c = await server.api("POST", "/api/v1/cooperatives", t, {
    village_code: VILLAGE, kind: "koperasi", name: "Koperasi Desmigratif Bank", founded_on: "2025-01-02",
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  coop = c.body.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const submit = (page, selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);

test("open a bank account, import its statement and reconcile it on a phone", async () => {
  const context = await browser.newContext({ viewport: { width: 412, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", "bendahara");
  await page.fill("input[name=password]", "a-long-password");
  await submit(page, "button[type=submit]");

  await page.goto(server.base + `/cooperatives/${coop}`);
  await submit(page, "#coop-nav >> text=Kas dan bank");
  assert.match(await page.textContent("h1"), /Kas dan bank/);

  // A refused account keeps what was typed.
  await page.fill("#f-bank_name", "BRI");
  await page.fill("#f-account_number", "12a");
  await page.fill("#f-account_name", "Koperasi Desmigratif Bank");
  await page.fill("#f-opened_on", "2026-03-01");
  await submit(page, "#open-account button[type=submit]");
  assert.match(await page.textContent("[role=alert]"), /Nomor rekening/);
  assert.equal(await page.inputValue("#f-bank_name"), "BRI");
  await page.fill("#f-account_number", "0123-01-000456-50-9");
  await submit(page, "#open-account button[type=submit]");
  assert.match(await page.textContent("h1"), /BRI 012301000456509/);

  // Cash into the bank.
  await page.click("nav.crumbs >> text=Kas dan bank");
  await page.waitForLoadState();
  await page.selectOption("#f-kind", "cash_to_bank");
  await page.selectOption("#f-to_bank_account_id", { index: 1 });
  await page.fill("#f-amount", "5.000.000");
  await page.fill("#f-memo", "Setor tunai ke BRI");
  await page.fill("#f-date", "2026-03-02");
  await submit(page, "#transfer button[type=submit]");
  assert.match(await page.textContent("#bank-accounts"), /Rp\s?5\.000\.000/);

  // The statement: preview, then import.
  await submit(page, "#bank-accounts a");
  const csv = "Tanggal;Keterangan;Debet;Kredit;Saldo\n02/03/2026;SETORAN TUNAI;;5.000.000,00;5.000.000,00\n" +
    "31/03/2026;BIAYA ADM;6.500,00;;4.993.500,00\n";
  await page.fill("#f-file", csv);
  await submit(page, 'button[name=confirm][value="0"]');
  assert.match(await page.textContent("#preview"), /2\s*baris baru/);
  await submit(page, 'button[name=confirm][value="1"]');

  // Accept the suggested match (the deposit), book the charge from its statement line.
  const march = server.base + new URL(page.url()).pathname + "?from=2026-03-01&to=2026-03-31";
  await page.goto(march);
  await submit(page, 'form[action$="/suggestions"] button');
  await page.goto(march);
  assert.match(await page.textContent("#statement-lines"), /cocok/);
  await submit(page, 'form[action$="/entry"] button');
  await page.goto(march);
  assert.equal(await page.locator('form[action$="/entry"]').count(), 0);

  // Reconcile as of 31 March and lock it.
  await page.goto(march + "&date=2026-03-31");
  assert.match(await page.textContent("#difference"), /Rp\s?0/);
  await page.screenshot({ path: "/tmp/shots-bank/bank-412.png", fullPage: true }).catch(() => {});
  await submit(page, 'form[action$="/reconciliations"] button');
  assert.match(await page.textContent("#finalised"), /2026-03-31/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 412, `no sideways scrolling at 412 px (${width})`);
  await context.close();
});
