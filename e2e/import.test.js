// CSV import in the browser, without relying on JavaScript: an officer uploads a village
// spreadsheet large enough to outlast the upload, the page follows the import by refreshing
// itself, then shows the counts and offers the rejected rows for download.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

let server, browser, dir;
const ROWS = 8000;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  dir = mkdtempSync(join(tmpdir(), "desmig-import-"));
  const token = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  const r = await server.api("POST", "/api/v1/users", token, {
    username: "petugas.impor", password: "a-long-password", full_name: "Petugas Impor",
    role: "village_officer", region_code: "53.07.01.2001",
  });
  assert.equal(r.status, 201);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ROWS valid women born on distinct days (NIK day + 40), then one row with a bad date.
function villageFile() {
  const lines = ["nik;full_name;sex;birth_date;village_code"];
  let n = 0;
  for (let y = 1950; n < ROWS; y++) {
    for (let m = 1; m <= 12 && n < ROWS; m++) {
      for (let d = 1; d <= 28 && n < ROWS; d++) {
        n++;
        const p2 = (v) => String(v).padStart(2, "0");
        const nik = `530701${p2(d + 40)}${p2(m)}${p2(y % 100)}${String(n).padStart(4, "0")}`;
        lines.push(`${nik};Warga ${n};P;${y}-${p2(m)}-${p2(d)};53.07.01.2001`);
      }
    }
  }
  lines.push("5307014101509999;Salah Tanggal;P;31-02-1950;53.07.01.2001");
  return "\uFEFF" + lines.join("\r\n") + "\r\n";
}

test("import a large spreadsheet and follow its progress without JavaScript", { timeout: 240000 }, async () => {
  const file = join(dir, "warga.csv");
  writeFileSync(file, villageFile());
  const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", "petugas.impor");
  await page.fill("input[name=password]", "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);

  await page.goto(server.base + "/persons");
  await Promise.all([page.waitForNavigation(), page.click("text=Impor CSV")]);
  await page.setInputFiles("input[name=file]", file);
  await Promise.all([page.waitForNavigation(), page.click("button:text-is(\"Impor\")")]);
  assert.match(page.url(), /\/persons\/import\/[0-9a-f]{32}$/);
  if (await page.$("#running")) {
    assert.match(await page.textContent("#running"), new RegExp(`dari ${ROWS + 1} baris diproses`));
  }
  // The page refreshes itself until the import is done.
  await page.waitForSelector("#done", { timeout: 200000 });
  assert.equal(await page.textContent("#total"), String(ROWS + 1));
  assert.equal(await page.textContent("#created"), String(ROWS));
  assert.equal(await page.textContent("#rejected"), "1");
  assert.match(await page.textContent("#rejected-rows"), /Tanggal lahir harus berupa tanggal/);

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const saved = join(dir, "rejected.csv");
  await download.saveAs(saved);
  const { readFileSync } = await import("node:fs");
  const lines = readFileSync(saved, "utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);
  assert.equal(lines[0], "nik;full_name;sex;birth_date;village_code;line;reason");
  assert.match(lines[1], new RegExp(`^5307014101509999;Salah Tanggal;P;31-02-1950;53.07.01.2001;${ROWS + 2};`));
  await context.close();
});
