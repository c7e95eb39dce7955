// Survivor-safe screens (issue 17) on a 412 px phone: quick exit from a case page — the button
// and Escape pressed twice — lands on the neutral page and the back button does not return to
// the case; a masked NIK is shown by "tampilkan" and the audit log lists the reveal.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const NIK = "5307015205900001";
let server, browser, adminToken, personId, caseId;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  adminToken = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  let r = await server.api("POST", "/api/v1/users", adminToken, {
    username: "petugas.paga", password: "a-long-password", full_name: "Petugas Paga",
    role: "village_officer", region_code: "53.07.01.2001",
  });
  assert.equal(r.status, 201);
  r = await server.api("POST", "/api/v1/persons", adminToken, {
    nik: NIK, full_name: "Maria Goreti", sex: "P", birth_date: "1990-05-12",
    village_code: "53.07.01.2001", phone: "081234567890",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  personId = r.body.id;
  r = await server.api("POST", "/api/v1/cases", adminToken, {
    type: "unpaid_wages", severity: "medium", description: "Salary for March to May not paid",
    village_code: "53.07.01.2001", person_id: personId,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  caseId = r.body.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(username, password) {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  return { context, page };
}

const caseUrl = () => `${server.base}/cases/${caseId}`;

test("quick exit from a case page, by the button and by Escape twice, leaves no way back", async () => {
  const { context, page } = await login("petugas.paga", "a-long-password");
  await page.goto(server.base + "/cases");
  await page.goto(caseUrl());
  assert.doesNotMatch(await page.title(), /Maria/);

  // The button: visible on the phone, inside the screen, with its Indonesian label.
  const button = page.locator("[data-quick-exit]");
  assert.ok(await button.isVisible(), "the quick-exit button is visible at 412 px");
  assert.equal((await button.textContent()).trim(), "Keluar cepat");
  const box = await button.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 412, `inside the screen: ${JSON.stringify(box)}`);
  await Promise.all([page.waitForURL("**/netral"), button.click()]);
  assert.match(await page.title(), /Resep/);
  await page.goBack().catch(() => {});
  assert.notEqual(page.url().split("?")[0], caseUrl(), "back does not return to the case");
  assert.doesNotMatch(await page.content(), /Salary for March/);

  // Escape twice, quickly.
  await page.goto(caseUrl());
  await page.locator("h1").click();
  await Promise.all([page.waitForURL("**/netral"), (async () => {
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
  })()]);
  for (let i = 0; i < 2; i++) {
    await page.goBack().catch(() => {});
    assert.notEqual(page.url().split("?")[0], caseUrl(), `back #${i + 1} does not return to the case`);
  }
  // A single Escape (closing a menu, a dialog) does not leave.
  await page.goto(caseUrl());
  await page.keyboard.press("Escape");
  await page.waitForTimeout(1200);
  await page.keyboard.press("Escape");
  await page.waitForTimeout(300);
  assert.equal(page.url().split("?")[0], caseUrl(), "two Escapes a second apart do not leave");
  await context.close();
});

test("a masked NIK is shown by tampilkan and the reveal is in the audit log", async () => {
  const { context, page } = await login("petugas.paga", "a-long-password");
  await page.goto(`${server.base}/persons/${personId}`);
  assert.equal((await page.textContent("#nik .masked")).trim(), "5307••••••••0001");
  assert.doesNotMatch(await page.content(), new RegExp(NIK));
  await page.click("#nik button[data-reveal=nik]");
  await page.waitForSelector("#nik .revealed");
  assert.equal((await page.textContent("#nik .revealed")).trim(), NIK);
  assert.equal(page.url(), `${server.base}/persons/${personId}`, "shown in place (htmx), no navigation");
  await context.close();

  const admin = await login("admin", ADMIN_PASSWORD);
  await admin.page.goto(`${server.base}/admin/audit?action=person.reveal_nik`);
  const rows = await admin.page.locator("table tbody tr").allTextContents();
  assert.equal(rows.length, 1, rows.join("\n"));
  assert.match(rows[0], /petugas\.paga/);
  assert.match(rows[0], /person\.reveal_nik/);
  assert.match(rows[0], new RegExp(`person ${personId}`));
  await admin.context.close();
});
