// HTCDS round trip between two servers on this machine (issue 17; docs/HTCDS.md): server A
// exports a trafficking case as a signed HTCDS document; server B, which registered A's public
// key, checks the signature, shows the field-by-field preview on a phone and imports it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

let a, b, browser;
const HOME = "53.07.01.2001";

// Each server its own signing key (on PostgreSQL both would otherwise share data/).
async function serverWithOwnKey() {
  process.env.DESMIGRATIF_HTCDS_KEY = randomBytes(32).toString("hex");
  try {
    return await startServer();
  } finally {
    delete process.env.DESMIGRATIF_HTCDS_KEY;
  }
}

async function token(server, username, password) {
  return (await server.api("POST", "/api/v1/auth/token", null, { username, password })).body.token;
}

before(async () => {
  a = await serverWithOwnKey();
  b = await serverWithOwnKey();
  browser = await chromium.launch(launchOptions());
});

after(async () => {
  await browser?.close();
  await a?.stop();
  await b?.stop();
});

test("export on A, signature check, preview and import on B from a phone", async () => {
  const adminA = await token(a, "admin", ADMIN_PASSWORD);
  const adminB = await token(b, "admin", ADMIN_PASSWORD);
  for (const [server, admin] of [[a, adminA], [b, adminB]]) {
    const r = await server.api("POST", "/api/v1/users", admin, {
      username: "petugas.paga", password: "a-long-password", full_name: "Petugas Paga",
      role: "village_officer", region_code: HOME,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const officerA = await token(a, "petugas.paga", "a-long-password");

  // A: a trafficking case with its assessment, exported.
  let r = await a.api("POST", "/api/v1/cases", officerA, {
    type: "trafficking_suspicion", severity: "high", description: "Recruited by a broker for an online scam compound",
    village_code: HOME,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const caseId = r.body.id;
  r = await a.api("PUT", `/api/v1/cases/${caseId}/trafficking`, officerA, {
    process: ["recruitment"], means: ["deception"], purpose: ["forced_labour"], form: "online_scam_compound",
    screening_result: "potential_victim",
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await a.api("GET", `/api/v1/cases/${caseId}/htcds`, officerA);
  assert.equal(r.status, 200);
  const envelope = r.body;
  assert.equal(envelope.document.con_Consent, false);
  assert.ok(!Object.keys(envelope.document).some((k) => k.startsWith("prs_")));

  // B registers A's public key.
  const pub = (await a.api("GET", "/api/v1/htcds/public-key", adminA)).body;
  r = await b.api("POST", "/api/v1/htcds/partner-keys", adminB, { name: "Dinas Kupang (A)", public_key: pub.public_key });
  assert.equal(r.status, 201, JSON.stringify(r.body));

  // B's officer, on a phone, pastes the document: first a tampered copy, then the real one.
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(b.base + "/login");
  await page.fill("input[name=username]", "petugas.paga");
  await page.fill("input[name=password]", "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  await page.goto(b.base + "/cases/htcds-import");
  const tampered = JSON.parse(JSON.stringify(envelope));
  tampered.document.vic_TraffickingStatus = "NotAVictimOfTrafficking";
  await page.fill("#f-envelope", JSON.stringify(tampered));
  await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);
  assert.match(await page.textContent("body"), /Tanda tangan tidak cocok/);

  await page.fill("#f-envelope", JSON.stringify(envelope));
  await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);
  const body = await page.textContent("body");
  assert.match(body, /Tanda tangan cocok/);
  assert.match(body, /vic_TypeOfExploitation/);
  assert.match(body, /Potensi korban/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 412, `the preview fits a phone (${width}px)`);

  await Promise.all([page.waitForNavigation(), page.click("section form button[type=submit]")]);
  assert.match(page.url(), /\/cases\/\d+/);
  assert.match(await page.textContent("body"), /Rujukan HTCDS dari Dinas Kupang \(A\)/);
  await context.close();
});
