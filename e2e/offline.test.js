// Track offline (issue 16; docs/OFFLINE.md): an officer signs in online and opens the form once,
// loses the signal, reloads, registers three people (one with a NIK that does not match the
// birth date), and nothing readable is left in the browser's storage. Back online each person
// arrives exactly once; the refused one lands on "Perlu diperbaiki", is corrected and sent.
// A connection cut after the request reached the server makes no duplicate; signing out
// wipes; a disabled account's phone wipes at its next contact.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const VILLAGE = "53.07.01.2001";
let server, browser, adminToken, officerId;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  adminToken = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  const r = await server.api("POST", "/api/v1/users", adminToken, {
    username: "petugas.luring", password: "a-long-password", full_name: "Petugas Luring",
    role: "village_officer", region_code: VILLAGE,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  officerId = r.body.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const people = async (nik) => (await server.api("GET", `/api/v1/persons?nik=${nik}`, adminToken)).body.items.length;

async function signIn(page) {
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", "petugas.luring");
  await page.fill("input[name=password]", "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
  // The worker controls the page, the key is committed and the phone holds a grant.
  await page.waitForFunction(() => navigator.serviceWorker.controller && localStorage.getItem("dm.offline.grant"));
}

async function fillPerson(page, { nik, name, birth }) {
  await page.fill("input[name=nik]", nik);
  await page.fill("input[name=full_name]", name);
  await page.check("input[name=sex][value=P]");
  await page.fill("input[name=birth_date]", birth);
  await page.fill("input[name=village_code]", VILLAGE);
  await page.click("form[data-offline] button[type=submit]");
  await page.waitForSelector("#offline-notice");
  await page.waitForFunction(() => !document.querySelector("form[data-offline] input[name=nik]").value);
}

/// Everything the browser keeps for this origin, as text: IndexedDB, localStorage, Cache Storage.
async function storageDump(page) {
  return page.evaluate(async () => {
    const out = [JSON.stringify({ ...localStorage })];
    const dbs = await indexedDB.databases();
    for (const { name } of dbs) {
      const db = await new Promise((r) => { const q = indexedDB.open(name); q.onsuccess = () => r(q.result); });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((r) => { const q = db.transaction(store).objectStore(store).getAll(); q.onsuccess = () => r(q.result); });
        out.push(JSON.stringify(all));
      }
      db.close();
    }
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) out.push(await (await cache.match(req)).text());
    }
    return out.join("\n");
  });
}

const waitingIs = (page, n) => page.waitForFunction((n) => document.querySelector("[data-offline-waiting]")?.textContent.startsWith(`${n} `), n, { timeout: 20000 });

test("three people registered without signal arrive once each; nothing readable stays on the phone", async () => {
  const context = await browser.newContext({ viewport: { width: 412, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await page.goto(server.base + "/persons/new");
  await page.goto(server.base + "/offline");

  await context.setOffline(true);
  await page.goto(server.base + "/persons/new");
  await page.waitForSelector("#offline-bar.is-offline");
  const persons = [
    { nik: "5307015205900001", name: "Maria Goreti Luring", birth: "1990-05-12" },
    { nik: "5307015206910002", name: "Yuliana Bunga Luring", birth: "1991-06-12" },
    // The NIK says 12 May 1990; the birth date says otherwise: a warning to confirm.
    { nik: "5307015205900003", name: "Fransiska Lede Luring", birth: "1988-01-01" },
  ];
  for (const p of persons) await fillPerson(page, p);
  await waitingIs(page, 3);
  // The form is blank for the next person: no warning left from the one just queued.
  assert.ok(await page.isHidden("#nik-warnings-live"), "the previous person's NIK warning is cleared");
  await page.screenshot({ path: "/tmp/offline-bar-412.png" });

  const dump = await storageDump(page);
  for (const p of persons) {
    assert.ok(!dump.includes(p.nik), `NIK ${p.nik} readable in browser storage`);
    assert.ok(!dump.includes(p.name), `name ${p.name} readable in browser storage`);
  }
  assert.ok(!dump.includes("1988-01-01"), "no typed birth date in clear");

  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await waitingIs(page, 0);
  await page.waitForSelector("[data-offline-fix]:not([hidden])");
  assert.equal(await people(persons[0].nik), 1);
  assert.equal(await people(persons[1].nik), 1);
  assert.equal(await people(persons[2].nik), 0, "the unconfirmed warning is refused");

  // Perlu diperbaiki: reopen with the typed values, confirm the warning, send again.
  await page.goto(server.base + "/offline#fix");
  await page.waitForSelector("[data-offline-open]");
  await page.screenshot({ path: "/tmp/offline-fix-412.png", fullPage: true });
  // The refusal names the field as the form labels it, not by its JSON key ("birth_date: …").
  const why = await page.textContent("#offline-fix .field-error");
  assert.ok(!/(^|; )[a-z_]+:/.test(why), `refusal names a raw field key: ${why}`);
  await Promise.all([page.waitForNavigation(), page.click("[data-offline-open]")]);
  await page.waitForFunction((nik) => document.querySelector("input[name=nik]").value === nik, persons[2].nik);
  assert.equal(await page.inputValue("input[name=full_name]"), persons[2].name);
  await page.check("input[name=confirm_warnings]");
  await page.click("form[data-offline] button[type=submit]");
  await page.waitForFunction(() => document.querySelector("[data-offline-fix]").hidden, null, { timeout: 20000 });
  await waitingIs(page, 0);
  assert.equal(await people(persons[2].nik), 1);
  assert.equal(await people(persons[0].nik), 1, "still once");
  await context.close();
});

test("a connection cut after the server got the record makes no duplicate; sign-out wipes", async () => {
  const context = await browser.newContext({ viewport: { width: 412, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await page.goto(server.base + "/persons/new");
  await context.setOffline(true);
  await page.reload();
  const p = { nik: "5307015207920004", name: "Agustina Putus", birth: "1992-07-12" };
  await fillPerson(page, p);

  // The server answers, the phone never hears it.
  let cut = 0;
  await page.route("**/api/v1/persons", async (route) => {
    await route.fetch();
    cut += 1;
    await route.abort("internetdisconnected");
  });
  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await page.waitForFunction(() => true);
  for (let i = 0; i < 50 && cut === 0; i++) await page.waitForTimeout(200);
  assert.equal(cut, 1, "the replay reached the server");
  await page.unroute("**/api/v1/persons");
  await waitingIs(page, 1);
  assert.equal(await people(p.nik), 1);
  await page.goto(server.base + "/offline");
  await page.click("[data-offline-send]");
  await waitingIs(page, 0);
  assert.equal(await people(p.nik), 1, "the replay with the same key wrote nothing new");

  await page.click("header summary").catch(() => {});
  await Promise.all([page.waitForNavigation(), page.click("form[data-offline-logout] button")]);
  const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("dm.offline.")));
  assert.deepEqual(kept, [], "sign-out forgets the grant, canary and salt");
  assert.equal(await page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith("desmigratif-pages")).length), 0);
  assert.equal(await page.evaluate(async () => (await indexedDB.databases()).length), 0, "the outbox is gone");
  await context.close();
});

test("a disabled account's phone wipes its outbox at the next contact", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page);
  await page.goto(server.base + "/persons/new");
  await context.setOffline(true);
  await page.reload();
  await fillPerson(page, { nik: "5307015208930005", name: "Theresia Nonaktif", birth: "1993-08-12" });
  assert.equal(await page.evaluate(async () => (await indexedDB.databases()).length), 1);

  const r = await server.api("PATCH", `/api/v1/users/${officerId}`, adminToken, { disabled: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await context.setOffline(false);
  await page.goto(server.base + "/");
  await page.waitForFunction(async () => (await indexedDB.databases()).length === 0 && !localStorage.getItem("dm.offline.grant"));
  assert.equal(await people("5307015208930005"), 0, "nothing was sent for a disabled account");
  await context.close();
});
