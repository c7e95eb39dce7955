// Starts the real desmigratif binary on a free port with a fresh database, for the browser tests.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";

export const ADMIN_PASSWORD = "e2e-admin-password";

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

// A fresh PostgreSQL database next to the one DESMIGRATIF_E2E_DATABASE_URL names, so every
// server starts empty as it does on SQLite (tests may register the same NIK).
function freshPostgres(url) {
  const name = `desmig_e2e_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  execFileSync("psql", ["-q", url, "-c", `CREATE DATABASE ${name}`], { stdio: "inherit" });
  const u = new URL(url);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => {
    try { execFileSync("psql", ["-q", url, "-c", `DROP DATABASE IF EXISTS ${name}`], { stdio: "ignore" }); } catch {}
  } };
}

// DESMIGRATIF_E2E_DATABASE_URL: PostgreSQL (a fresh database per server); otherwise a new SQLite file.
export async function startServer() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "desmig-e2e-"));
  const pg = process.env.DESMIGRATIF_E2E_DATABASE_URL ? freshPostgres(process.env.DESMIGRATIF_E2E_DATABASE_URL) : null;
  const databaseUrl = pg ? pg.url : `sqlite://${join(dir, "e2e.db")}`;
  const bin = process.env.DESMIGRATIF_BIN || new URL("../target/debug/desmigratif", import.meta.url).pathname;
  const child = spawn(bin, ["serve"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DESMIGRATIF_ADDR: `127.0.0.1:${port}`,
      DESMIGRATIF_ADMIN_USER: "admin",
      DESMIGRATIF_ADMIN_PASSWORD: ADMIN_PASSWORD,
      DESMIGRATIF_LOG: "warn",
      DESMIGRATIF_ATTACHMENTS_DIR: join(dir, "attachments"),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
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
  return {
    base,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
      if (pg) pg.drop();
    },
    async api(method, path, token, body) {
      // Accounts the tests create get a password the tests know: no forced change at first
      // login (issue 14); tests/http/hardening.rs covers the must-change flow.
      if (method === "POST" && path === "/api/v1/users" && body && body.must_change_password === undefined) {
        body = { ...body, must_change_password: false };
      }
      const headers = { "content-type": "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: await res.json() };
    },
  };
}

export function launchOptions() {
  return {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  };
}
