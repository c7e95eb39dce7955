// Pillar 3 in the browser: a facilitator registers a migrant's child, records a parenting
// activity with the child's and a caregiver's attendance, and raises a concern that opens a
// restricted protection case. A village officer sees counts, never the child's name.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const HOME = "53.07.01.2001";
let server, browser;

function yearsAgo(n) {
  const d = new Date(Date.now() + 7 * 3600 * 1000); // WIB: the server's "today"
  d.setUTCFullYear(d.getUTCFullYear() - n);
  return d.toISOString().slice(0, 10);
}

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  const token = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  for (const [username, role] of [["fasilitator", "facilitator"], ["petugas", "village_officer"]]) {
    const r = await server.api("POST", "/api/v1/users", token, {
      username, password: "a-long-password", full_name: `User ${username}`, role, region_code: HOME,
    });
    assert.equal(r.status, 201);
  }
  const r = await server.api("POST", "/api/v1/persons", token, {
    nik: "5307015205900001", full_name: "Maria Goreti", sex: "P", birth_date: "1990-05-12", village_code: HOME,
  });
  assert.equal(r.status, 201);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(page, username) {
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
}

test("a child, an activity with attendance, and a concern that becomes a case", async () => {
  const page = await (await browser.newContext()).newPage();
  await login(page, "fasilitator");
  await page.click("header nav >> text=Parenting");
  await page.click("#parenting-nav >> text=Anak PMI");

  // Too old: refused on the birth date, the input kept.
  await page.fill("#new-child input[name=full_name]", "Agnes Wangge");
  await page.fill("#new-child input[name=birth_date]", yearsAgo(20));
  await page.check("#new-child input[name=sex][value=P]");
  await page.fill("#new-child input[name=parent_nik]", "5307015205900001");
  await page.selectOption("#new-child select[name=caregiver]", "grandparent");
  await Promise.all([page.waitForNavigation(), page.click("#new-child button:text-is(\"Simpan\")")]);
  assert.match(await page.textContent("#new-child .field-error"), /paling tua \d+ tahun/);
  assert.equal(await page.inputValue("#new-child input[name=full_name]"), "Agnes Wangge");
  await page.fill("#new-child input[name=birth_date]", yearsAgo(9));
  await page.check("#new-child input[name=sex][value=P]");
  await page.selectOption("#new-child select[name=school_level]", "primary");
  await page.selectOption("#new-child select[name=school_status]", "enrolled");
  await Promise.all([page.waitForNavigation(), page.click("#new-child button:text-is(\"Simpan\")")]);
  assert.match(await page.textContent("h1"), /Agnes Wangge/);
  assert.match(await page.textContent("#child"), /Maria Goreti/);
  const childUrl = page.url();

  // A parenting class today, with the child and a caregiver present.
  await page.click("#parenting-nav >> text=Kegiatan");
  await page.selectOption("#new-activity select[name=kind]", "parenting_class");
  await page.fill("#new-activity input[name=title]", "Pola asuh anak usia sekolah");
  await page.fill("#new-activity input[name=facilitator]", "Ibu Maria");
  await Promise.all([page.waitForNavigation(), page.click("#new-activity button:text-is(\"Simpan\")")]);
  assert.match(await page.textContent("h1"), /Kelas parenting/);
  await Promise.all([page.waitForNavigation(), page.click("#child-attendance-form button")]);
  assert.match(await page.textContent("#child-attendance"), /Agnes Wangge/);
  await page.fill("#caregiver-attendance-form input[name=nik]", "5307015205900001");
  await Promise.all([page.waitForNavigation(), page.click("#caregiver-attendance-form button")]);
  assert.match(await page.textContent("#caregiver-attendance"), /Maria Goreti/);
  assert.equal((await page.textContent("#children-count")).trim(), "1");
  assert.equal((await page.textContent("#caregivers-count")).trim(), "1");

  // A concern opens a restricted case, linked from the child's page.
  await page.goto(childUrl);
  assert.match(await page.textContent("#activities"), /Kelas parenting/);
  await page.selectOption("#concern-form select[name=kind]", "neglect");
  await page.fill("#concern-form textarea[name=description]", "Sering tidak makan dan tidak diawasi");
  await Promise.all([page.waitForNavigation(), page.click("text=Laporkan kekhawatiran")]);
  assert.match(await page.textContent("#case-opened"), /Kasus perlindungan dibuka/);
  assert.match(await page.textContent("#concern-list"), /Penelantaran/);
  await Promise.all([page.waitForNavigation(), page.click("#case-opened a")]);
  assert.match(page.url(), /\/cases\/\d+$/);
  assert.match(await page.textContent("h1"), /Terbatas|terbatas/);
  assert.ok(!(await page.content()).includes("Agnes Wangge"), "the case names the child by number only");

  // The village officer sees a count and no name, and cannot open the child or the case.
  const other = await (await browser.newContext()).newPage();
  await login(other, "petugas");
  await other.goto(server.base + "/children");
  assert.match(await other.textContent("#names-hidden"), /hanya dapat melihat jumlah/);
  assert.match(await other.textContent(`#count-${HOME.replaceAll(".", "\\.")}`), /1/);
  assert.ok(!(await other.content()).includes("Agnes Wangge"));
  const res = await other.goto(childUrl);
  assert.equal(res.status(), 404);
});
