// Protection cases in the browser: an officer opens a trafficking-suspicion case and refers it
// to IOM; the IOM partner user logs in, sees only that case, accepts it, records shelter and
// legal aid and reports back; the officer then sees the case resolved.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

let server, browser, adminToken, officerToken;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  adminToken = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  let r = await server.api("POST", "/api/v1/users", adminToken, {
    username: "petugas.paga", password: "a-long-password", full_name: "Petugas Paga",
    role: "village_officer", region_code: "53.07.01.2001",
  });
  assert.equal(r.status, 201);
  const partners = (await server.api("GET", "/api/v1/partners", adminToken)).body.items;
  const iom = partners.find((p) => p.name === "IOM Indonesia");
  assert.ok(iom, "IOM Indonesia is in the registry");
  r = await server.api("POST", "/api/v1/users", adminToken, {
    username: "iom.kupang", password: "a-long-password", full_name: "Staf IOM Kupang",
    role: "partner", region_code: null, partner_id: iom.id,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  officerToken = (await server.api("POST", "/api/v1/auth/token", null, { username: "petugas.paga", password: "a-long-password" })).body.token;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(username) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  return { context, page };
}

test("officer refers a trafficking case to IOM; IOM gives shelter and legal aid; the case is resolved", async () => {
  // Another case in the same village, never referred: the partner must not see it.
  const other = await server.api("POST", "/api/v1/cases", officerToken, {
    type: "abuse", severity: "high", description: "Beaten by the employer in Kuala Lumpur", village_code: "53.07.01.2001",
  });
  assert.equal(other.status, 201);

  const officer = await login("petugas.paga");
  let page = officer.page;
  await page.click("header nav >> text=Kasus");
  await page.click("text=Buka kasus");
  await page.selectOption("select[name=type]", "trafficking_suspicion");
  await page.selectOption("select[name=severity]", "critical");
  await page.fill("textarea[name=description]", "A recruiter took three young women to a scam compound in Cambodia");
  await Promise.all([page.waitForNavigation(), page.click("button:text-is(\"Simpan\")")]);
  assert.match(await page.textContent("#case-status"), /Baru/);
  const caseUrl = page.url().split("?")[0];

  await page.selectOption("#case-step select[name=to]", "assessed");
  await page.fill("#case-step input[name=reason]", "Met the families");
  await Promise.all([page.waitForNavigation(), page.click("#case-step button[type=submit]")]);
  assert.match(await page.textContent("#case-status"), /Dinilai/);

  const iomOption = await page.$eval("#new-referral select[name=partner_id]",
    (sel) => [...sel.options].find((o) => o.textContent.startsWith("IOM Indonesia")).value);
  await page.selectOption("#new-referral select[name=partner_id]", iomOption);
  await page.check("#new-referral input[name=services][value=shelter]");
  await page.check("#new-referral input[name=services][value=legal_aid]");
  await Promise.all([page.waitForNavigation(), page.click("button:text-is(\"Kirim rujukan\")")]);
  assert.match(await page.textContent("#case-status"), /Dirujuk/);
  assert.match(await page.textContent("#referrals"), /IOM Indonesia/);
  await officer.context.close();

  const partner = await login("iom.kupang");
  page = partner.page;
  await page.click("header nav >> text=Kasus");
  const rows = await page.$$eval("#cases tbody tr", (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 1, "the partner sees only the referred case");
  assert.match(rows[0], /perdagangan orang/);
  const otherPage = await page.goto(`${server.base}/cases/${other.body.id}`);
  assert.equal(otherPage.status(), 404, "a case not referred to IOM does not exist for them");
  await page.goto(caseUrl);
  assert.equal(await page.$("#case-step"), null, "partners do not move the case themselves");
  await Promise.all([page.waitForNavigation(), page.click("button:text-is(\"Terima rujukan\")")]);
  assert.match(await page.textContent("#case-status"), /Ditangani/);
  await page.check(".record-services input[value=shelter]");
  await page.check(".record-services input[value=legal_aid]");
  await page.fill(".record-services input[name=note]", "Rumah aman di Kupang; pengacara mendampingi");
  await Promise.all([page.waitForNavigation(), page.click("button:text-is(\"Catat layanan\")")]);
  const given = await page.textContent(".services-given");
  assert.match(given, /Penampungan/);
  assert.match(given, /Bantuan hukum/);
  await page.fill("#notes textarea[name=body]", "Korban sudah kembali ke keluarga");
  await Promise.all([page.waitForNavigation(), page.click("button:text-is(\"Tambah catatan\")")]);
  await Promise.all([page.waitForNavigation(), page.click("button:text-is(\"Laporkan dan tutup rujukan\")")]);
  assert.match(await page.textContent("#case-status"), /Selesai/);
  await partner.context.close();

  const back = await login("petugas.paga");
  page = back.page;
  await page.goto(caseUrl);
  assert.match(await page.textContent("#case-status"), /Selesai/);
  assert.match(await page.textContent("#case-notes"), /kembali ke keluarga/);
  assert.match(await page.textContent("#case-notes"), /IOM Indonesia/);
  await back.context.close();
});
