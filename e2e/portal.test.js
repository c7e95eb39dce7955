// The public portal as a villager uses it, without an account, in Debian's Chromium: check a
// licensed agency, a revoked one and a fake job code; read a real job code; and an axe-core
// accessibility check (no serious or critical violations) on every portal page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let server, browser, jobCode;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  const { body: tok } = await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD });
  const admin = tok.token;
  const agency = async (name, licence, status) => {
    const r = await server.api("POST", "/api/v1/agencies", admin,
      { name, licence_number: licence, status, valid_from: "2020-01-01", valid_until: "2099-01-01" });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  const licensed = await agency("PT Maju Bersama Sejahtera", "KEP.123/2024", "active");
  await agency("PT Jaya Abadi Tenaga Kerja", "KEP.77/2019", "revoked");
  const jo = await server.api("POST", "/api/v1/job-orders", admin, {
    agency_id: licensed, reference: "DL-2026-01", destination: "TW", employer: "Chen Family", job_type: "elderly_carer",
    salary_amount: 27470, salary_currency: "TWD", quota: 10, valid_from: "2025-01-01", valid_until: "2099-12-31", costs: [],
  });
  assert.equal(jo.status, 201, JSON.stringify(jo.body));
  const v = await server.api("POST", `/api/v1/job-orders/${jo.body.id}/verification`, admin, { status: "verified" });
  jobCode = v.body.public_code;
  assert.match(jobCode, /^[2-9A-Z]{8}$/);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the public checks a licensed agency, a revoked one and a fake job code", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(server.base + "/portal");
  assert.match(await page.textContent("h1"), /Sebelum berangkat/);

  await page.fill("#q-agency", "maju bersama");
  await Promise.all([page.waitForNavigation(), page.click('#agency-h + form button:text-is("Periksa")')]);
  assert.match(await page.textContent("#verdict"), /Berizin dan aktif/);
  assert.match(await page.textContent("#verdict"), /KEP\.123\/2024/);

  await page.fill("#q-agency", "KEP.77/2019");
  await Promise.all([page.waitForNavigation(), page.click('button:text-is("Periksa")')]);
  assert.match(await page.textContent("#verdict"), /Izin dicabut/);
  assert.match(await page.textContent("#verdict"), /Jangan mendaftar/);

  await page.fill("#q-agency", "PT Calo Cepat Kaya");
  await Promise.all([page.waitForNavigation(), page.click('button:text-is("Periksa")')]);
  assert.match(await page.textContent("[role=alert]"), /TIDAK DITEMUKAN — jangan berangkat/);

  // A fake code from a broker's flyer.
  await page.click('header nav >> text=Cek kode lowongan');
  await page.fill("#q-code", "7kq2-mx4p");
  await Promise.all([page.waitForNavigation(), page.click('button:text-is("Periksa")')]);
  assert.match(await page.textContent("[role=alert]"), /Kode tidak ditemukan — jangan percaya tawaran ini/);

  // The real code, typed in lower case without the hyphen, shows the offer and its QR code.
  await page.fill("#q-code", jobCode.toLowerCase());
  await Promise.all([page.waitForNavigation(), page.click('button:text-is("Periksa")')]);
  assert.match(await page.textContent("#verdict"), /terdaftar dan terverifikasi/);
  assert.match(await page.textContent("main"), /PT Maju Bersama Sejahtera/);
  const qr = await page.$("img[src$='qr.svg']");
  assert.ok(qr, "QR code shown");
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "QR code loads");

  // English is one click away.
  await Promise.all([page.waitForNavigation(), page.click("text=English")]);
  assert.match(await page.textContent("#verdict"), /registered and verified/);
  await context.close();
});

test("portal pages have no serious or critical accessibility violations (axe-core)", async () => {
  // axe is injected as a script: the site's CSP forbids inline scripts, so bypass it for the check.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const pages = [
    "/portal", "/portal/agencies?q=maju", "/portal/agencies?q=calo", "/portal/jobs", "/cek", "/cek/AAAA-BBBB",
    `/cek/${jobCode}`, "/portal/safe-migration", "/portal/service-centers?q=sikka",
    "/portal/service-centers?region=53.07.01.2001", "/portal/missions",
  ];
  for (const path of pages) {
    await page.goto(server.base + path);
    await page.addScriptTag({ content: AXE });
    const result = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return {
        rules: r.passes.length + r.violations.length + r.incomplete.length,
        violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) })),
      };
    });
    assert.ok(result.rules > 10, `${path}: axe ran its rules`);
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad, [], `${path}: ${JSON.stringify(bad)}`);
  }
  await context.close();
});
