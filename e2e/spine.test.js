// The spine as a person uses it, in Debian's Chromium: log in, browse to Kabupaten Sikka,
// open a village, designate it, see it listed; an officer of another village is refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

let server, browser;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(page, username, password) {
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
}

test("admin designates a village in Kabupaten Sikka and sees it listed", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, "admin", ADMIN_PASSWORD);
  assert.match(await page.textContent("h1"), /Beranda/);

  // Browse the hierarchy by clicking: Indonesia → NTT → Sikka → a district → a village.
  await page.click("header nav >> text=Wilayah");
  await page.click("text=Nusa Tenggara Timur");
  await page.click("text=Kabupaten Sikka");
  assert.equal(await page.textContent("h1 >> nth=0").then((t) => t.includes("Kabupaten Sikka")), true);
  await page.click("ul.cols >> text=Paga");
  await page.click("ul.cols >> text=Masabewa");
  assert.match(page.url(), /\/regions\/53\.07\.01\.2001$/);
  assert.match(await page.textContent("#desmigratif-status"), /Tidak/);

  // A wrong year is refused with the field named, and nothing is saved.
  await page.check("input[name=desmigratif]");
  await page.fill("input[name=cohort_year]", "2010");
  await Promise.all([page.waitForNavigation(), page.click("text=Simpan")]);
  assert.match(await page.textContent(".field-error"), /Tahun angkatan harus antara 2016 dan/);
  assert.match(await page.textContent("#desmigratif-status"), /Tidak/);

  await page.check("input[name=desmigratif]");
  await page.fill("input[name=cohort_year]", "2017");
  await page.check("input[name=pocket_village]");
  await Promise.all([page.waitForNavigation(), page.click("text=Simpan")]);
  assert.match(await page.textContent("[role=status]"), /tersimpan/);
  assert.match(await page.textContent("#desmigratif-status"), /Ya.*2017/);
  assert.match(await page.textContent("#pocket-status"), /Ya/);

  // Listed on the regency page and on the program's list.
  await page.click("nav.crumbs >> text=Kabupaten Sikka");
  assert.match(await page.textContent("#designated"), /Masabewa/);
  await page.goto(server.base + "/programs/desmigratif");
  assert.match(await page.textContent("#program-villages"), /53\.07\.01\.2001/);
  await context.close();
});

test("search finds a region as you type", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, "admin", ADMIN_PASSWORD);
  await page.goto(server.base + "/regions");
  await page.fill("#q", "SIKKA");
  await page.waitForSelector("#hits a[href='/regions/53.07']");
  await page.click("#hits a[href='/regions/53.07']");
  assert.match(page.url(), /\/regions\/53\.07$/);
  await context.close();
});

test("an officer of another village is refused", async () => {
  const token = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  const created = await server.api("POST", "/api/v1/users", token, {
    username: "petugas.bhera", password: "a-long-password", full_name: "Petugas Bhera",
    role: "village_officer", region_code: "53.07.02.2001",
  });
  assert.equal(created.status, 201);
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, "petugas.bhera", "a-long-password");
  const own = await page.goto(server.base + "/regions/53.07.02.2001");
  assert.equal(own.status(), 200);
  assert.match(await page.textContent("body"), /Petugas Bhera/);
  const other = await page.goto(server.base + "/regions/53.07.01.2001");
  assert.equal(other.status(), 403);
  assert.match(await page.textContent("h1"), /Akses ditolak/);
  await context.close();
});

test("language switches to English and back", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, "admin", ADMIN_PASSWORD);
  await page.click("text=English");
  assert.match(await page.textContent("h1"), /Start/);
  await page.click("text=Bahasa Indonesia");
  assert.match(await page.textContent("h1"), /Beranda/);
  await context.close();
});
