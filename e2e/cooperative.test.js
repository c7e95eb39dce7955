// Pillar 4 in the browser: a cooperative manager founds a cooperative, enrols members, takes
// deposits, applies for a loan that a second manager approves (four-eyes), disburses it, sees
// the collectibility class worsen and improve with a late repayment, closes the year, records
// the RAT with SHU per member, and downloads a member statement as PDF.
//
// "Late" uses value dates: every operation takes a date in the past inside an open period, and
// the loan page shows the loan "as of" any day.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const VILLAGE = "53.07.01.2001";
let server, browser;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  const token = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  for (const [username, full_name] of [["bendahara", "Bendahara Koperasi"], ["ketua", "Ketua Koperasi"]]) {
    const r = await server.api("POST", "/api/v1/users", token, {
      username, password: "a-long-password", full_name, role: "cooperative_manager", region_code: VILLAGE,
    });
    assert.equal(r.status, 201);
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(username) {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  return page;
}

const submit = (page, selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);

test("found a cooperative, lend with four-eyes, repay late, close the year, share SHU", async () => {
  const page = await login("bendahara");

  // From the village page to its cooperatives; found one.
  await page.goto(server.base + `/regions/${VILLAGE}`);
  await Promise.all([page.waitForNavigation(), page.click("#village-cooperatives a")]);
  await page.fill("#coop-new input[name=name]", "Koperasi Desmigratif Masabewa");
  await page.fill("#coop-new input[name=legal_number]", "AHU-0001234.AH.01.25");
  await page.fill("#coop-new input[name=founded_on]", "2025-01-02");
  await submit(page, "#coop-new button[type=submit]");
  assert.match(await page.textContent("h1"), /Koperasi Desmigratif Masabewa/);
  const home = new URL(page.url()).pathname;

  // Enrol two members; simpanan pokok is posted on joining.
  await page.click("#coop-nav >> text=Anggota");
  for (const name of ["Maria Goreti", "Yohanes Bosco"]) {
    await page.fill("#member-new input[name=full_name]", name);
    await page.fill("#member-new input[name=joined_on]", "2025-01-05");
    await submit(page, "#member-new button[type=submit]");
    assert.match(await page.textContent("#bal-pokok"), /Rp 100\.000/);
    await page.click("#coop-nav >> text=Anggota");
  }
  await Promise.all([page.waitForNavigation(), page.click("#members >> text=Maria Goreti")]);
  const member = new URL(page.url()).pathname;

  // Deposits; a wajib withdrawal is refused with the field named.
  const savings = async (direction, kind, amount, date) => {
    await page.selectOption("#savings-form select[name=direction]", direction);
    await page.selectOption("#savings-form select[name=kind]", kind);
    await page.fill("#savings-form input[name=amount]", amount);
    await page.fill("#savings-form input[name=date]", date);
    await submit(page, "#savings-form button[type=submit]");
  };
  await savings("deposit", "sukarela", "5000000", "2025-01-10");
  await savings("deposit", "wajib", "20000", "2025-01-10");
  assert.match(await page.textContent("#bal-sukarela"), /Rp 5\.000\.000/);
  await savings("withdrawal", "wajib", "20000", "2025-01-11");
  assert.match(await page.textContent("#coop-errors"), /hanya dikembalikan saat anggota keluar/);

  // Apply for a loan: preview the schedule first.
  await page.fill("#loan-form input[name=principal]", "3000000");
  await page.fill("#loan-form input[name=months]", "3");
  await page.fill("#loan-form input[name=monthly_rate_percent]", "1");
  await page.selectOption("#loan-form select[name=method]", "flat");
  await page.fill("#loan-form input[name=purpose]", "Modal warung");
  await page.fill("#loan-form input[name=date]", "2025-01-15");
  await submit(page, "#loan-form button[value=preview]");
  assert.equal(await page.locator("#schedule-preview tbody tr").count(), 3);
  assert.match(await page.textContent("#schedule-preview"), /Rp 30\.000/);
  await submit(page, "#loan-form button[value=apply]");
  assert.match(await page.textContent("#loan-state"), /Diajukan/);
  const loan = new URL(page.url()).pathname;

  // The applicant is not offered "Setujui" (four-eyes; the server refuses it too), only "Tolak" and why.
  assert.equal(await page.locator("#loan-decide button:text-is(\"Setujui\")").count(), 0);
  assert.match(await page.textContent("#own-application"), /pengurus lain/);

  // A second manager approves.
  const other = await login("ketua");
  await other.goto(server.base + loan);
  await other.fill("#loan-decide input[name=date]", "2025-01-16");
  await submit(other, "#loan-decide button:text-is(\"Setujui\")");
  assert.match(await other.textContent("#loan-state"), /Disetujui/);

  // Disburse on 20 January 2025.
  await page.goto(server.base + loan);
  await page.fill("#loan-disburse input[name=date]", "2025-01-20");
  await submit(page, "#loan-disburse button:text-is(\"Cairkan\")");
  assert.match(await page.textContent("#loan-state"), /Berjalan/);

  // Nothing repaid by 30 June 2025: 130 days past due, doubtful (class 4).
  await page.goto(server.base + loan + "?as_of=2025-06-30");
  assert.equal((await page.textContent("#loan-dpd")).trim(), "130");
  assert.match(await page.textContent("#loan-class"), /4 · Diragukan/);

  // Repay late on 30 June: two installments and a penalty. The class improves to 3.
  await page.fill("#loan-repay input[name=amount]", "2075000");
  await page.fill("#loan-repay input[name=penalty]", "15000");
  await page.fill("#loan-repay input[name=date]", "2025-06-30");
  await submit(page, "#loan-repay button:text-is(\"Bayar angsuran\")");
  await page.goto(server.base + loan + "?as_of=2025-06-30");
  assert.match(await page.textContent("#loan-class"), /3 · Kurang lancar/);

  // Pay off the rest on 1 July 2025: the loan is closed.
  await page.goto(server.base + loan + "?as_of=2025-07-01");
  const payoff = (await page.textContent("#loan-payoff")).replace(/[^0-9]/g, "");
  await page.fill("#loan-repay input[name=amount]", payoff);
  await page.fill("#loan-repay input[name=date]", "2025-07-01");
  await submit(page, "#loan-repay button:text-is(\"Bayar angsuran\")");
  assert.match(await page.textContent("#loan-state"), /Lunas/);

  // Close the year 2025: income and expenses to SHU, books closed through 31 December.
  await page.goto(server.base + home + "/books");
  await page.fill("#year-close input[name=year]", "2025");
  await submit(page, "#year-close button[type=submit]");
  assert.equal((await page.textContent("#closed-through")).trim(), "2025-12-31");
  assert.equal(await page.textContent("#tb-debit"), await page.textContent("#tb-credit"));

  // The RAT approves the accounts and shares the SHU per member.
  await page.goto(server.base + home + "/rat");
  await page.fill("#rat-form input[name=year]", "2025");
  await page.fill("#rat-form input[name=members_present]", "2");
  await page.fill("#rat-form textarea[name=decisions]", "Laporan pengurus diterima; SHU dibagi sesuai AD/ART.");
  await submit(page, "#rat-form button[type=submit]");
  assert.match(await page.textContent("#rat-shu"), /Rp 105\.000/); // jasa 90,000 + penalty 15,000
  assert.match(await page.textContent("#shu-shares"), /Maria Goreti/);
  assert.match(await page.textContent("#shu-shares"), /Yohanes Bosco/);

  // The member's statement as PDF.
  await page.goto(server.base + member);
  assert.match(await page.textContent("#bal-shu"), /Rp [1-9]/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#statement-pdf")]);
  assert.match(download.suggestedFilename(), /^rekening-koran-0001-.*\.pdf$/);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 5).toString(), "%PDF-");
});
