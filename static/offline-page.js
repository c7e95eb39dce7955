// Track offline (issue 16; docs/OFFLINE.md): what every page does for the offline outbox.
// Registers the service worker; derives the outbox key at sign-in; queues `data-offline` forms
// when there is no signal; replays the outbox (online event, page load, a timer, Background
// Sync) through the API with the session and `X-CSRF-Token`, each entry's id as its
// Idempotency-Key; keeps refusals on the "Perlu diperbaiki" list; wipes at sign-out, after
// too many days without contact, and when the server answers `wipe`; fills the status bar.
import * as store from "./offline-store.js";

const bar = document.getElementById("offline-bar");
const T = (name, vars = {}) => {
  let s = (bar && bar.dataset["t" + name]) || "";
  for (const [k, v] of Object.entries(vars)) s = s.replace("{" + k + "}", v);
  return s;
};
let csrf = bar ? bar.dataset.csrf : "";
let needSignIn = false;

if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});

// ---- sign-in: derive the key before the normal login POST ----------------------------------

const login = document.querySelector("form[data-offline-login]");
if (login) {
  login.addEventListener("submit", async (e) => {
    if (login.dataset.keyed) return;
    e.preventDefault();
    try {
      const username = login.elements.username.value.trim().toLowerCase();
      const key = await store.deriveKey(username, login.elements.password.value);
      await store.askWorker({ type: "set-pending-key", key });
      localStorage.setItem(store.LS.user, username);
    } catch { /* no WebCrypto or worker: sign in without the outbox */ }
    login.dataset.keyed = "1";
    login.submit();
  });
}

// ---- sign-out: forget the grant, wipe --------------------------------------------------------

for (const form of document.querySelectorAll("form[data-offline-logout]")) {
  form.addEventListener("submit", async (e) => {
    if (form.dataset.wiped) return;
    e.preventDefault();
    const waiting = (await store.entries().catch(() => [])).length;
    if (waiting > 0 && !confirm(T("LogoutConfirm", { n: waiting }))) return;
    const grant = localStorage.getItem(store.LS.grant);
    if (grant && navigator.onLine) {
      await post("/api/v1/offline/revoke", { grant }, 3000).catch(() => {});
    }
    await store.wipe().catch(() => {});
    form.dataset.wiped = "1";
    form.submit();
  });
}

function post(url, body, timeoutMs, extra = {}) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", ...extra },
    body: JSON.stringify(body),
    signal: ctl.signal,
  }).finally(() => clearTimeout(timer));
}

// ---- a signed-in page: commit the key, get a grant, keep the worker awake -------------------

const user = () => localStorage.getItem(store.LS.user) || "";

async function commitPendingKey() {
  const answer = await store.askWorker({ type: "take-pending-key" });
  if (!answer || !answer.key || !user()) return;
  const fits = await store.checkCanary(user(), answer.key);
  if (fits === false) {
    // The password changed since the outbox was made: its entries cannot be opened any more.
    for (const e of await store.entries()) if (e.user === user()) await store.deleteEntry(e.id);
  }
  await store.writeCanary(user(), answer.key);
  await store.askWorker({ type: "set-key", key: answer.key });
}

async function ensureGrant() {
  if (localStorage.getItem(store.LS.grant) || !navigator.onLine) return;
  const r = await post("/api/v1/offline/grant", {}, 5000, { "X-CSRF-Token": csrf }).catch(() => null);
  if (r && r.status === 201) {
    const g = await r.json();
    localStorage.setItem(store.LS.grant, g.grant);
    localStorage.setItem(store.LS.maxDays, String(g.max_days));
    localStorage.setItem(store.LS.lastContact, String(Date.now()));
  }
}

/// Keep or wipe, asked of the server; also refreshes the CSRF token (a cached page's is stale).
async function contact() {
  const grant = localStorage.getItem(store.LS.grant);
  if (!grant) return "none";
  const r = await post("/api/v1/offline/contact", { grant }, 5000).catch(() => null);
  if (!r || !r.ok) return "unreachable";
  const c = await r.json();
  if (c.verdict === "wipe") {
    await store.wipe();
    notice(T("Wiped"));
    return "wipe";
  }
  localStorage.setItem(store.LS.maxDays, String(c.max_days));
  localStorage.setItem(store.LS.lastContact, String(Date.now()));
  if (c.csrf) csrf = c.csrf;
  return "keep";
}

/// Too long without contact: the phone may be lost; nothing stays readable or waiting.
async function wipeIfStale() {
  const last = Number(localStorage.getItem(store.LS.lastContact) || 0);
  const days = Number(localStorage.getItem(store.LS.maxDays) || 7);
  if (last && Date.now() - last > days * 86400000) {
    await store.wipe();
    notice(T("Wiped"));
  }
}

// ---- forms: queue when there is no signal ----------------------------------------------------

/// The form's fields as the API's JSON: named fields as text, `data-offline-bool` ones as
/// booleans; the CSRF field is left out (the API takes the header).
function formJson(form) {
  const bools = (form.dataset.offlineBool || "").split(/\s+/).filter(Boolean);
  const ints = (form.dataset.offlineInt || "").split(/\s+/).filter(Boolean);
  const body = {};
  const typed = [];
  for (const el of form.elements) {
    if (!el.name || el.name === "_csrf" || el.disabled) continue;
    if (el.type === "radio" && !el.checked) continue;
    if (ints.includes(el.name)) {
      // A JSON number when it is one (thousands dots allowed); otherwise the text as typed, so
      // the server's refusal names the field (Perlu diperbaiki) instead of the phone guessing.
      const v = el.value.trim();
      const digits = v.replace(/\./g, "");
      if (v !== "") body[el.name] = /^-?\d{1,15}$/.test(digits) ? Number(digits) : v;
      typed.push([el.name, el.value]);
    } else if (bools.includes(el.name)) {
      body[el.name] = el.checked;
      typed.push([el.name, el.checked ? "1" : ""]);
    } else if (el.type === "checkbox") {
      if (el.checked) { body[el.name] = el.value; typed.push([el.name, el.value]); }
    } else {
      body[el.name] = el.value;
      typed.push([el.name, el.value]);
    }
  }
  return { body, typed, labels: fieldLabels(form) };
}

/// Each field's visible label, kept (encrypted) with the entry so Perlu diperbaiki names the
/// field as the form does ("Tanggal lahir"), not by its JSON key.
function fieldLabels(form) {
  const labels = {};
  for (const el of form.elements) {
    if (!el.name || labels[el.name]) continue;
    // A radio's own label is its choice ("Laki-laki"); the question is the fieldset's legend.
    const legend = el.type === "radio" && el.closest("fieldset") && el.closest("fieldset").querySelector("legend");
    const label = legend || el.closest("label") || (el.id && form.querySelector(`label[for="${CSS.escape(el.id)}"]`));
    const text = !label ? "" : legend ? legend.textContent
      : label.firstChild && label.firstChild.nodeType === 3 ? label.firstChild.textContent : label.textContent;
    if (text.trim()) labels[el.name] = text.trim().replace(/\s*\*$/, "");
  }
  return labels;
}

async function signalReaches() {
  if (!navigator.onLine) return false;
  try {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 4000);
    const r = await fetch("/healthz", { cache: "no-store", signal: ctl.signal });
    clearTimeout(timer);
    return r.ok;
  } catch {
    return false;
  }
}

const fixId = new URLSearchParams(location.search).get("offline_fix");

for (const form of document.querySelectorAll("form[data-offline]")) {
  form.addEventListener("submit", async (e) => {
    if (form.dataset.online) return;
    e.preventDefault();
    const key = await store.currentKey();
    // A correction is always queued (and sent at once when there is signal); a new record only
    // without signal. Without a key (locked outbox) the form posts as usual.
    if (!fixId && (await signalReaches())) {
      // Track forms: a capture page is sent to its API operation at once (the same door as
      // offline, with the session and CSRF token); a refusal is shown beside its field.
      if ("offlineDirect" in form.dataset && (await sendDirect(form))) return;
      form.dataset.online = "1";
      form.submit();
      return;
    }
    if (!key) {
      notice(T("Locked"));
      return;
    }
    const [method, url] = form.dataset.offline.split(/\s+/);
    const { body, typed, labels } = formJson(form);
    await store.enqueue(key, user(), { method, url, body, typed, labels, path: location.pathname, title: document.title });
    if (fixId) await store.deleteEntry(fixId);
    form.reset();
    notice(T("Saved"));
    await refresh();
    if (fixId) history.replaceState(null, "", location.pathname);
    replay();
  });
}

/// Track forms: send a capture form to its API operation now. False when there was no answer
/// (the caller queues or posts as usual); a refusal is drawn beside its field, typed values kept.
async function sendDirect(form) {
  const [method, url] = form.dataset.offline.split(/\s+/);
  const { body } = formJson(form);
  let r;
  try {
    r = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang || "id",
        "Idempotency-Key": crypto.randomUUID(), "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
  } catch {
    return false;
  }
  for (const old of form.querySelectorAll(".field-error, .error-msg")) old.remove();
  if (r.ok) {
    form.reset();
    fillToday(form);
    notice(form.dataset.sent || "");
    return true;
  }
  if (r.status === 401) {
    needSignIn = true;
    await refresh();
    return true;
  }
  const refusal = await r.json().catch(() => ({}));
  showRefusal(form, { status: r.status, message: refusal.message || String(r.status), errors: refusal.errors || [] });
  return true;
}

/// Track forms: an empty `data-today` date field gets the phone's today (a cached page's would be stale).
function fillToday(root) {
  const d = new Date();
  const today = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  for (const el of root.querySelectorAll("input[data-today]")) if (!el.value) el.value = today;
}
fillToday(document);

/// A correction: the typed values back in the form, the server's refusals beside the fields.
async function refill() {
  if (!fixId) return;
  const form = document.querySelector("form[data-offline]");
  const key = await store.currentKey();
  const entry = (await store.entries()).find((x) => x.id === fixId);
  if (!form || !key || !entry) return;
  const payload = await store.decrypt(key, entry.box);
  for (const [name, value] of payload.typed) {
    const els = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    for (const el of els) {
      if (el.type === "radio") el.checked = el.value === value;
      else if (el.type === "checkbox") el.checked = value !== "";
      else el.value = value;
    }
  }
  showRefusal(form, payload.refusal);
}

/// The server's refusals beside their fields (or above the form when no field is named).
function showRefusal(form, refusal) {
  const errors = (refusal && refusal.errors) || [];
  for (const err of errors) {
    const field = form.querySelector(`[name="${CSS.escape(err.field)}"]`);
    const text = document.createElement("span");
    text.className = "field-error";
    text.textContent = err.message || err.rule;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.closest("label") ? field.closest("label").after(text) : field.after(text);
    } else {
      form.prepend(text);
    }
    if (err.rule === "unconfirmed_warning" && !form.elements.confirm_warnings) {
      const label = document.createElement("label");
      label.className = "check";
      label.innerHTML = '<input id="f-confirm_warnings" type="checkbox" name="confirm_warnings" value="1"> ';
      label.append(T("ConfirmWarnings"));
      form.querySelector("button[type=submit]").before(label);
    }
  }
  if (!errors.length && refusal && refusal.message) {
    const p = document.createElement("p");
    p.className = "error-msg";
    p.textContent = refusal.message;
    form.prepend(p);
  }
}

// ---- replay ------------------------------------------------------------------------------------

let replaying = false;

async function replay() {
  if (replaying || !navigator.onLine) return;
  replaying = true;
  try {
    // One tab at a time sends (the Idempotency-Key would make a double send harmless anyway).
    const run = async () => {
      const key = await store.currentKey();
      if (!key) return;
      const queued = (await store.entries()).filter((e) => e.state === "queued");
      if (!queued.length) return;
      if ((await contact()) === "wipe") return;
      for (const entry of queued) {
        let payload;
        try {
          payload = await store.decrypt(key, entry.box);
        } catch {
          continue; // another officer's entry on a shared phone
        }
        let r;
        try {
          r = await fetch(payload.url, {
            method: payload.method,
            credentials: "same-origin",
            headers: {
              "Content-Type": "application/json",
              "Accept-Language": document.documentElement.lang || "id",
              "Idempotency-Key": entry.id,
              "X-CSRF-Token": csrf,
            },
            body: JSON.stringify(payload.body),
          });
        } catch {
          break; // the signal went: the same key is sent again next time
        }
        if (r.ok) {
          await store.deleteEntry(entry.id);
          localStorage.setItem(store.LS.lastSync, String(Date.now()));
          needSignIn = false;
        } else if (r.status === 401) {
          needSignIn = true;
          break;
        } else if ([400, 403, 404, 413, 415, 422].includes(r.status)) {
          const refusal = await r.json().catch(() => ({}));
          payload.refusal = { status: r.status, message: refusal.message || "", errors: refusal.errors || [] };
          await store.putEntry({ ...entry, state: "fix", box: await store.encrypt(key, payload) });
        } else {
          break; // 409 (still running or outcome unknown), 429, 5xx: later
        }
      }
    };
    if (navigator.locks) await navigator.locks.request("desmigratif-outbox", run);
    else await run();
  } catch { /* try again at the next occasion */ }
  finally {
    replaying = false;
    await refresh();
  }
}

// ---- the status bar and the outbox page ---------------------------------------------------

function notice(text) {
  if (!text) return;
  const main = document.querySelector("main");
  if (!main) return;
  let box = document.getElementById("offline-notice");
  if (!box) {
    box = document.createElement("p");
    box.id = "offline-notice";
    box.className = "offline-notice";
    box.setAttribute("role", "status");
    main.prepend(box);
  }
  box.textContent = text;
}

async function refresh() {
  if (!bar) return;
  const all = await store.entries().catch(() => []);
  const key = await store.currentKey();
  const waiting = all.filter((e) => e.state === "queued").length;
  const fix = all.filter((e) => e.state === "fix").length;
  bar.hidden = false;
  bar.classList.toggle("is-offline", !navigator.onLine);
  bar.querySelector("[data-offline-state]").textContent = navigator.onLine ? T("Online") : T("Offline");
  bar.querySelector("[data-offline-waiting]").textContent = T("Waiting", { n: waiting });
  const last = Number(localStorage.getItem(store.LS.lastSync) || 0);
  bar.querySelector("[data-offline-sync]").textContent = last
    ? T("LastSync", { time: new Date(last).toLocaleString(document.documentElement.lang || "id") })
    : T("Never");
  const fixLink = bar.querySelector("[data-offline-fix]");
  fixLink.hidden = fix === 0;
  fixLink.textContent = T("Fix", { n: fix });
  fixLink.href = "/offline#fix";
  const locked = bar.querySelector("[data-offline-locked]");
  const canUnlock = all.length > 0 || !!localStorage.getItem(store.LS.canary(user()));
  locked.hidden = !!key || !canUnlock;
  locked.textContent = T("Locked");
  const signin = bar.querySelector("[data-offline-signin]");
  signin.hidden = !needSignIn;
  signin.textContent = T("Signin");
  signin.href = "/login?next=" + encodeURIComponent("/offline");
  await renderOutboxPage(all, key);
}

async function renderOutboxPage(all, key) {
  const fixList = document.getElementById("offline-fix");
  if (!fixList) return;
  document.getElementById("offline-unlock").hidden = !!key;
  const waitList = document.getElementById("offline-waiting");
  fixList.replaceChildren();
  waitList.replaceChildren();
  for (const entry of all) {
    const li = document.createElement("li");
    let payload = null;
    if (key) {
      try { payload = await store.decrypt(key, entry.box); } catch { /* another officer's */ }
    }
    const when = new Date(entry.created).toLocaleString(document.documentElement.lang || "id");
    const name = payload ? payload.body.full_name || payload.title || payload.url : "•••";
    li.append(`${when} · ${payload ? payload.title.split(" · ")[0] : ""} · ${name}`);
    if (entry.state === "fix") {
      if (payload) {
        const reasons = (payload.refusal.errors || []).map((e) => `${(payload.labels && payload.labels[e.field]) || e.field}: ${e.message || e.rule}`);
        const p = document.createElement("div");
        p.className = "field-error";
        p.textContent = reasons.join("; ") || payload.refusal.message;
        const open = document.createElement("a");
        open.href = `${payload.path}?offline_fix=${encodeURIComponent(entry.id)}`;
        open.textContent = fixList.dataset.open;
        open.dataset.offlineOpen = entry.id;
        li.append(p, open);
      }
      const drop = document.createElement("button");
      drop.type = "button";
      drop.className = "link";
      drop.textContent = " " + fixList.dataset.discard;
      drop.addEventListener("click", async () => { await store.deleteEntry(entry.id); refresh(); });
      li.append(" ", drop);
      fixList.append(li);
    } else {
      waitList.append(li);
    }
  }
  if (!fixList.children.length) fixList.append(Object.assign(document.createElement("li"), { textContent: fixList.dataset.none }));
  if (!waitList.children.length) waitList.append(Object.assign(document.createElement("li"), { textContent: waitList.dataset.none }));
}

const unlock = document.querySelector("form[data-offline-unlock]");
if (unlock) {
  unlock.addEventListener("submit", async (e) => {
    e.preventDefault();
    const password = unlock.querySelector("input[type=password]");
    const key = await store.deriveKey(user(), password.value);
    password.value = "";
    const ok = await store.checkCanary(user(), key);
    unlock.querySelector("[data-unlock-error]").hidden = ok === true;
    if (ok === true) {
      await store.askWorker({ type: "set-key", key });
      await refresh();
      replay();
    }
  });
}
const sendNow = document.querySelector("[data-offline-send]");
if (sendNow) sendNow.addEventListener("click", () => replay());

// ---- start -------------------------------------------------------------------------------

// A signed-out page (the login form after the account was disabled) still asks keep-or-wipe.
if (!bar && navigator.onLine && localStorage.getItem(store.LS.grant)) contact().catch(() => {});

if (bar) {
  (async () => {
    try {
      await commitPendingKey();
      await wipeIfStale();
      if (navigator.onLine && (await contact()) !== "wipe") await ensureGrant();
      await refill();
    } catch { /* the page works without the outbox */ }
    await refresh();
    replay();
  })();
  window.addEventListener("online", () => { refresh(); replay(); });
  window.addEventListener("offline", () => refresh());
  setInterval(() => replay(), 30000);
  // Pages ping the worker so the browser does not stop it (and forget the key).
  setInterval(() => store.askWorker({ type: "ping" }), 20000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (e) => { if (e.data && e.data.type === "replay") replay(); });
    navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register("desmigratif-outbox")).catch(() => {});
  }
}
