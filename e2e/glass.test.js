// Break the glass in the browser (issue 17): a second officer of the village opens a restricted
// case from its refusal page with a reason, the regency supervisor sees the grant on the
// worklist, and three hours later (the server restarted on the same database with its clock
// moved, DESMIGRATIF_CLOCK) the case is closed to them again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { chromium } from "playwright-core";
import { launchOptions, ADMIN_PASSWORD } from "./server.js";

const VILLAGE = "53.07.01.2001";
const REASON = "Penangan sedang cuti dan keluarga melaporkan pekerja hilang sejak Senin";
const dir = mkdtempSync(join(tmpdir(), "desmig-glass-"));
let databaseUrl, dropDatabase = () => {};
let browser, server;

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

// The real binary on `databaseUrl` (kept across restarts) with its clock starting at `clock`.
async function serve(clock) {
  const port = await freePort();
  const bin = process.env.DESMIGRATIF_BIN || new URL("../target/debug/desmigratif", import.meta.url).pathname;
  const child = spawn(bin, ["serve"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DESMIGRATIF_ADDR: `127.0.0.1:${port}`,
      DESMIGRATIF_ADMIN_USER: "admin",
      DESMIGRATIF_ADMIN_PASSWORD: ADMIN_PASSWORD,
      DESMIGRATIF_LOG: "warn",
      DESMIGRATIF_CLOCK: clock,
      DESMIGRATIF_AUDIT_KEY_FILE: join(dir, "audit.key"),
      DESMIGRATIF_ATTACHMENTS_DIR: join(dir, "attachments"),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("server did not start:\n" + out)), 60000);
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
    async api(method, path, token, body) {
      const headers = { "content-type": "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: await res.json() };
    },
  };
}

async function login(username) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  return { context, page };
}

before(async () => {
  if (process.env.DESMIGRATIF_E2E_DATABASE_URL) {
    const admin = process.env.DESMIGRATIF_E2E_DATABASE_URL;
    const name = `desmig_glass_${process.pid}`;
    execFileSync("psql", ["-q", admin, "-c", `CREATE DATABASE ${name}`], { stdio: "inherit" });
    const u = new URL(admin);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDatabase = () => {
      try { execFileSync("psql", ["-q", admin, "-c", `DROP DATABASE IF EXISTS ${name}`], { stdio: "ignore" }); } catch {}
    };
  } else {
    databaseUrl = `sqlite://${join(dir, "glass.db")}`;
  }
  browser = await chromium.launch(launchOptions());
});

after(async () => {
  await browser?.close();
  await server?.stop();
  dropDatabase();
  rmSync(dir, { recursive: true, force: true });
});

test("a break-the-glass grant opens a restricted case in the browser and expires three hours later", async () => {
  server = await serve("2026-03-10T02:00:00Z");
  const admin = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  for (const [username, role, region] of [
    ["penangan.paga", "village_officer", VILLAGE],
    ["rekan.paga", "village_officer", VILLAGE],
    ["disnaker.sikka", "regency_officer", "53.07"],
  ]) {
    const r = await server.api("POST", "/api/v1/users", admin, {
      username, password: "a-long-password", full_name: `Akun ${username}`, role, region_code: region,
      must_change_password: false,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const handler = (await server.api("POST", "/api/v1/auth/token", null, { username: "penangan.paga", password: "a-long-password" })).body.token;
  const c = await server.api("POST", "/api/v1/cases", handler, {
    type: "abuse", severity: "high", description: "Dipukul majikan di Kuala Lumpur", village_code: VILLAGE,
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const caseUrl = `${server.base}/cases/${c.body.id}`;

  // The second officer meets the refusal with the form; a short reason is refused, kept.
  let { context, page } = await login("rekan.paga");
  let resp = await page.goto(caseUrl);
  assert.equal(resp.status(), 403);
  assert.ok(await page.isVisible("text=Buka darurat"));
  assert.equal(await page.locator("text=Dipukul majikan").count(), 0);
  await page.fill("textarea[name=reason]", "penangan cuti");
  await Promise.all([page.waitForNavigation(), page.click("#glass-submit")]);
  assert.equal(await page.inputValue("textarea[name=reason]"), "penangan cuti");
  assert.ok(await page.isVisible("#form-errors"));
  await page.fill("textarea[name=reason]", REASON);
  await Promise.all([page.waitForNavigation(), page.click("#glass-submit")]);
  assert.ok(page.url().endsWith(`/cases/${c.body.id}`), page.url());
  assert.ok(await page.isVisible("#case-glass"));
  assert.ok(await page.isVisible("text=Dipukul majikan"));
  await context.close();

  // The regency supervisor is told on the worklist.
  ({ context, page } = await login("disnaker.sikka"));
  await page.goto(server.base + "/worklist");
  const notice = await page.textContent("#glass-grants");
  assert.ok(notice.includes(REASON) && notice.includes("Akun rekan.paga") && notice.includes(`#${c.body.id}`), notice);
  await context.close();

  // Three hours and five minutes later: the same database, the clock moved.
  await server.stop();
  server = await serve("2026-03-10T05:05:00Z");
  ({ context, page } = await login("rekan.paga"));
  resp = await page.goto(`${server.base}/cases/${c.body.id}`);
  assert.equal(resp.status(), 403, "the grant expired");
  assert.ok(await page.isVisible("text=Buka darurat"));
  assert.equal(await page.locator("text=Dipukul majikan").count(), 0);
  await context.close();
});
