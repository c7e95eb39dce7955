// Track offline (issue 16; docs/OFFLINE.md): the service worker, served at /sw.js (root scope,
// Cache-Control: no-cache). It keeps the app shell for offline use, the field forms after one
// online visit (network first), and the outbox key in memory only. The server writes the asset
// version in place of __VERSION__, so each release installs a fresh worker and precache.

const VERSION = "__VERSION__";
const SHELL_CACHE = "desmigratif-shell-" + VERSION;
// Forms' HTML, kept after an online visit; wiped with the outbox (they carry the session's token).
const PAGES_CACHE = "desmigratif-pages";

// The app shell: one list, so more files (the rules' WebAssembly) are added in one place.
const SHELL = [
  "app.css", "htmx.min.js", "ui.js", "quick_exit.js", "picker.js",
  "offline-store.js", "offline-page.js", "icon-192.png", "icon-512.png",
  // The domain's rules compiled to WebAssembly (the person form's checks work offline).
  "rules/rules.js", "rules/rules_bg.wasm", "rules/check.js",
].map((name) => `/static/${VERSION}/${name}`).concat(["/manifest.webmanifest"]);

// Pages whose HTML holds no personal data (blank forms; the outbox page filled in the browser).
// Only the bare path is cached: a query (a refill from the outbox) is never stored.
const FORM_PAGES = ["/persons/new", "/offline"];
// Track forms (issue 16): the blank capture pages, one per record (no personal data on them).
const FORM_PATTERNS = [
  /^\/outreach\/\d+\/attend$/,
  /^\/trainings\/\d+\/attendance\/new$/,
  /^\/businesses\/\d+\/reports\/new$/,
  /^\/cooperatives\/\d+\/savings\/new$/,
  /^\/persons\/\d+\/counselling\/new$/,
];
const isFormPage = (path) => FORM_PAGES.includes(path) || FORM_PATTERNS.some((re) => re.test(path));

// The key of the outbox: only here, in memory. A stopped worker has forgotten it; the officer
// unlocks again with the password (checked against an encrypted canary in the page).
let outboxKey = null;
let pendingKey = null;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("desmigratif-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (req.mode !== "navigate") return;
  const form = isFormPage(url.pathname);
  event.respondWith((async () => {
    try {
      const resp = await fetch(req);
      // Only a blank form as the server sends it to a signed-in officer: no redirect, no query.
      if (form && resp.ok && !resp.redirected && url.search === "") {
        const cache = await caches.open(PAGES_CACHE);
        await cache.put(url.pathname, resp.clone());
      }
      return resp;
    } catch (err) {
      const cache = await caches.open(PAGES_CACHE);
      const hit = (form && (await cache.match(url.pathname))) || (await cache.match("/offline"));
      if (hit) return hit;
      throw err;
    }
  })());
});

self.addEventListener("message", (event) => {
  const msg = event.data || {};
  const reply = (value) => event.ports[0] && event.ports[0].postMessage(value);
  switch (msg.type) {
    case "set-pending-key": // the login form, before its POST: committed by the next signed-in page
      pendingKey = msg.key;
      reply({ ok: true });
      break;
    case "take-pending-key":
      reply({ key: pendingKey });
      pendingKey = null;
      break;
    case "set-key":
      outboxKey = msg.key;
      reply({ ok: true });
      break;
    case "get-key":
      reply({ key: outboxKey });
      break;
    case "wipe":
      outboxKey = null;
      pendingKey = null;
      caches.delete(PAGES_CACHE).then(() => reply({ ok: true }));
      break;
    default: // "ping": pages call every 20 s so the browser keeps this worker (and the key) alive
      reply({ ok: true, unlocked: outboxKey !== null });
  }
});

// Background Sync, where the browser has it: wake the open pages to replay the outbox (they
// hold the session's CSRF token; the replay itself is in offline-page.js).
self.addEventListener("sync", (event) => {
  if (event.tag !== "desmigratif-outbox") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then((list) => list.forEach((c) => c.postMessage({ type: "replay" }))));
});
