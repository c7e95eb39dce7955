// Pillar 2 in the browser: a facilitator records a training, adds a participant by NIK and
// ticks attendance per day; records a business and two monthly reports, and sees the chart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const HOME = "53.07.01.2001";
let server, browser;

function daysAgo(n) {
  const d = new Date(Date.now() + 7 * 3600 * 1000); // WIB: the server's "today"
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

function monthAgo(n) {
  const d = new Date(Date.now() + 7 * 3600 * 1000); // WIB: the server's "today"
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() - n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, "0")}`;
}

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  const token = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  let r = await server.api("POST", "/api/v1/users", token, {
    username: "fasilitator", password: "a-long-password", full_name: "Fasilitator Masabewa",
    role: "facilitator", region_code: HOME,
  });
  assert.equal(r.status, 201);
  r = await server.api("POST", "/api/v1/persons", token, {
    nik: "5307015205900001", full_name: "Maria Goreti", sex: "P", birth_date: "1990-05-12", village_code: HOME,
  });
  assert.equal(r.status, 201);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(page) {
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", "fasilitator");
  await page.fill("input[name=password]", "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
}

test("a training with attendance per day", async () => {
  const page = await (await browser.newContext()).newPage();
  await login(page);
  await page.click("header nav >> text=Usaha produktif");
  await page.click("#enterprise-nav >> text=Pelatihan");
  assert.equal(await page.inputValue("#new-training input[name=village_code]"), HOME);
  await page.selectOption("#new-training select[name=topic]", "financial_literacy");
  await page.fill("#new-training input[name=title]", "Literasi keuangan keluarga PMI");
  await page.selectOption("#new-training select[name=organiser]", "regency_office");
  await page.fill("#new-training input[name=starts_on]", daysAgo(3));
  await page.fill("#new-training input[name=ends_on]", daysAgo(1));
  await page.fill("#new-training input[name=trainer]", "Ibu Rina");
  await Promise.all([page.waitForNavigation(), page.click("#new-training button:text-is(\"Simpan\")")]);
  assert.match(await page.textContent("h1"), /Literasi keuangan keluarga PMI/);
  assert.match(await page.textContent("[role=status]"), /tersimpan/);

  // An unknown NIK is refused with a message; Maria's is accepted.
  await page.fill("#add-participant input[name=nik]", "5307015205900099");
  await Promise.all([page.waitForNavigation(), page.click("text=Tambah peserta")]);
  assert.ok(await page.isVisible("#nik-error"));
  await page.fill("#add-participant input[name=nik]", "5307015205900001");
  await Promise.all([page.waitForNavigation(), page.click("text=Tambah peserta")]);
  assert.match(await page.textContent("#attendance-grid"), /Maria Goreti/);

  // Three days in the grid: present on the first and last, completed.
  const boxes = await page.$$eval("#attendance-grid input[name^=a_]", (els) => els.map((e) => e.name));
  assert.equal(boxes.length, 3);
  await page.check(`input[name="${boxes[0]}"]`);
  await page.check(`input[name="${boxes[2]}"]`);
  await page.check("#attendance-grid input[name^=c_]");
  await Promise.all([page.waitForNavigation(), page.click("text=Simpan kehadiran")]);
  assert.equal(await page.isChecked(`input[name="${boxes[0]}"]`), true);
  assert.equal(await page.isChecked(`input[name="${boxes[1]}"]`), false);
  assert.equal(await page.isChecked(`input[name="${boxes[2]}"]`), true);
  assert.match(await page.textContent("#participants"), /1 \(Lulus: 1\)/);

  // Listed, filtered by village and period, and exported.
  await page.click("nav.crumbs >> text=Pelatihan");
  assert.match(await page.textContent("#trainings"), /Literasi keuangan keluarga PMI/);
  await page.fill("#period-filter input[name=from]", daysAgo(0));
  await Promise.all([page.waitForNavigation(), page.click("#period-filter button")]);
  assert.equal(await page.isVisible("#trainings"), false, "a training that ended yesterday is outside a period starting today");
});

test("a business with two monthly reports and its chart", async () => {
  const page = await (await browser.newContext()).newPage();
  await login(page);
  await page.goto(server.base + "/businesses");
  await page.fill("#new-business input[name=name]", "Tenun Ikat Masabewa");
  await page.selectOption("#new-business select[name=sector]", "crafts");
  await page.selectOption("#new-business select[name=legal_form]", "group");
  await page.selectOption("#new-business select[name=status]", "running");
  await page.fill("#new-business input[name=started_on]", `${monthAgo(3)}-01`);
  await page.check("#new-business input[value=kur]");
  await page.check("#new-business input[value=own_remittances]");
  await Promise.all([page.waitForNavigation(), page.click("#new-business button:text-is(\"Simpan\")")]);
  assert.match(await page.textContent("h1"), /Tenun Ikat Masabewa/);
  assert.match(await page.textContent("#business"), /KUR/);

  for (const [month, revenue, costs] of [[monthAgo(2), "4.500.000", "3000000"], [monthAgo(1), "5200000", "3100000"]]) {
    await page.fill("#report-form input[name=month]", month);
    await page.fill("#report-form input[name=revenue]", revenue);
    await page.fill("#report-form input[name=costs]", costs);
    await page.fill("#report-form input[name=workers]", "2");
    await Promise.all([page.waitForNavigation(), page.click("text=Simpan laporan")]);
    assert.match(await page.textContent("[role=status]"), /tersimpan/);
  }
  assert.equal(await page.locator("#report-table tbody tr").count(), 2);
  assert.match(await page.textContent(`#report-${monthAgo(2)}`), /Rp 4\.500\.000.*Rp 3\.000\.000.*Rp 1\.500\.000/);
  assert.equal(await page.locator("#chart rect.bar-revenue").count(), 2);
  assert.equal(await page.locator("#chart rect.bar-costs").count(), 2);

  // Member by NIK, then the business closes and takes no more reports.
  await page.fill("#members input[name=nik]", "5307015205900001");
  await Promise.all([page.waitForNavigation(), page.click("text=Tambah anggota")]);
  assert.match(await page.textContent("#members"), /Maria Goreti.*PMI purna/);
  await page.selectOption("#business select[name=status]", "closed");
  await Promise.all([page.waitForNavigation(), page.click("#business button")]);
  assert.match(await page.textContent("#status"), /Tutup/);
  assert.equal(await page.isVisible("#report-form"), false);
});
