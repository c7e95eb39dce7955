// Broker reports in the browser (issue 17): a villager reports a broker from a 412 px phone with
// JavaScript off and gets a receipt; the village officer finds the broker in the registry, links
// it to a worker's placement episode, and the episode page shows the risk flag explaining why.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const HOME = "53.07.01.2001";
let server, browser, officerToken;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  const adminToken = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  const r = await server.api("POST", "/api/v1/users", adminToken, {
    username: "petugas.calo", password: "a-long-password", full_name: "Petugas Desa",
    role: "village_officer", region_code: HOME, must_change_password: false,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  officerToken = (await server.api("POST", "/api/v1/auth/token", null, { username: "petugas.calo", password: "a-long-password" })).body.token;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a broker reported from a phone without JavaScript flags the episode the officer links it to", async () => {
  const phone = await browser.newContext({
    viewport: { width: 412, height: 915 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, javaScriptEnabled: false,
  });
  let page = await phone.newPage();
  await page.goto(server.base + "/portal");
  await Promise.all([page.waitForNavigation(), page.click("header nav >> text=Laporkan calo")]);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 412).catch(() => true), true);
  await page.fill("input[name=broker_name]", "Pak Joko");
  await page.fill("input[name=broker_phone]", "0812-3456-7890");
  await page.fill("input[name=village_code]", HOME);
  await page.fill("input[name=offer]", "Kerja di pabrik Malaysia, gaji 8 juta");
  await page.fill("input[name=money_asked]", "Rp 5.000.000");
  await page.check("input[name=doc_ktp]");
  await page.fill("textarea[name=description]", "Datang ke rumah, meminta uang dan membawa KTP anak saya.");
  await Promise.all([page.waitForNavigation(), page.click("button:text-is(\"Kirim laporan\")")]);
  const receipt = (await page.textContent("#receipt")).trim();
  assert.match(receipt, /^[2-9A-Z]{5}-[2-9A-Z]{5}$/);
  // The layout fits the phone (measured without script: the box sizes are in the layout).
  const box = await page.locator("#receipt").boundingBox();
  assert.ok(box && box.x + box.width <= 412, "the receipt fits a 412 px screen");
  await phone.close();

  // The worker's placement episode, with the recruiter recorded under another name.
  let r = await server.api("POST", "/api/v1/persons", officerToken, {
    nik: "5307015205900001", full_name: "Maria Goreti", sex: "P", birth_date: "1990-05-12", village_code: HOME,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await server.api("POST", `/api/v1/persons/${r.body.id}/episodes`, officerToken, {
    category: "household_employer", scheme: "independent", destination: "MY", job_type: "housekeeper",
    recruiter_name: "Mas J",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const episode = r.body.id;

  // The officer finds the broker and links it to the episode.
  const office = await browser.newContext();
  page = await office.newPage();
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", "petugas.calo");
  await page.fill("input[name=password]", "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  await page.goto(server.base + "/broker-reports");
  assert.match(await page.textContent("#broker-reports"), /Pak Joko/);
  await page.goto(server.base + "/brokers");
  await Promise.all([page.waitForNavigation(), page.click("#brokers >> text=Pak Joko")]);
  await page.fill("input[name=episode_id]", String(episode));
  await Promise.all([page.waitForNavigation(), page.click("button:text-is(\"Tautkan ke episode\")")]);
  assert.match(await page.textContent("#linked-episodes"), new RegExp(`#${episode}`));
  await Promise.all([page.waitForNavigation(), page.click(`#linked-episodes >> text=#${episode}`)]);
  const flags = await page.textContent("#flags");
  assert.match(flags, /Perekrut dilaporkan sebagai calo/);
  assert.match(flags, /Petugas menautkan perekrut ke calo «Pak Joko», yang sudah 1 kali dilaporkan/);
  await office.close();
});
