// Track offline (issue 16; docs/OFFLINE.md): the encrypted outbox. Nothing readable is kept
// on the device: every entry's content is AES-GCM encrypted with a key derived from the
// officer's password at sign-in (PBKDF2-SHA-256, 310 000 rounds, a random salt per user) and
// held only in the service worker's memory. Only ids, states and times are stored in clear.

const DB_NAME = "desmigratif-offline";
const STORE = "outbox";
const ITERATIONS = 310000;
const CANARY = "desmigratif-canary";
// localStorage keys (no personal data: a username, a salt, an encrypted canary, a grant).
export const LS = {
  user: "dm.offline.user",
  grant: "dm.offline.grant",
  maxDays: "dm.offline.maxDays",
  lastContact: "dm.offline.lastContact",
  lastSync: "dm.offline.lastSync",
  salt: (u) => "dm.offline.salt." + u,
  canary: (u) => "dm.offline.canary." + u,
};

const enc = new TextEncoder();
const dec = new TextDecoder();
const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

// ---- the key: derived here, kept by the service worker -------------------------------------

export async function deriveKey(username, password) {
  let salt = localStorage.getItem(LS.salt(username));
  if (!salt) {
    salt = b64(crypto.getRandomValues(new Uint8Array(16)));
    localStorage.setItem(LS.salt(username), salt);
  }
  const base = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt: unb64(salt), iterations: ITERATIONS },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

export async function encrypt(key, value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, enc.encode(JSON.stringify(value)));
  return { iv: b64(iv), ct: b64(ct) };
}

export async function decrypt(key, box) {
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(box.iv) }, key, unb64(box.ct));
  return JSON.parse(dec.decode(pt));
}

/// True when `key` opens this user's canary (the password is the one the outbox was made with).
export async function checkCanary(username, key) {
  const raw = localStorage.getItem(LS.canary(username));
  if (!raw) return null;
  try {
    return (await decrypt(key, JSON.parse(raw))) === CANARY;
  } catch {
    return false;
  }
}

export async function writeCanary(username, key) {
  localStorage.setItem(LS.canary(username), JSON.stringify(await encrypt(key, CANARY)));
}

/// Asks the service worker (which holds the key in memory) something; null without a worker.
export async function askWorker(message, timeoutMs = 3000) {
  if (!("serviceWorker" in navigator)) return null;
  const reg = await Promise.race([navigator.serviceWorker.ready, new Promise((r) => setTimeout(() => r(null), timeoutMs))]);
  const worker = navigator.serviceWorker.controller || (reg && reg.active);
  if (!worker) return null;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), timeoutMs);
    channel.port1.onmessage = (e) => {
      clearTimeout(timer);
      resolve(e.data);
    };
    worker.postMessage(message, [channel.port2]);
  });
}

export async function currentKey() {
  const answer = await askWorker({ type: "get-key" });
  return answer && answer.key ? answer.key : null;
}

// ---- IndexedDB -----------------------------------------------------------------------------

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/// Every entry: { id, state: "queued" | "fix", created, user, box } (box: encrypted payload).
export const entries = () => run("readonly", (s) => s.getAll());
export const putEntry = (entry) => run("readwrite", (s) => s.put(entry));
export const deleteEntry = (id) => run("readwrite", (s) => s.delete(id));

/// Queues a write: `payload` = { method, url, body, form, path }, encrypted. The id is the
/// Idempotency-Key of every attempt, so however often it is sent the server writes it once.
export async function enqueue(key, user, payload) {
  const entry = { id: crypto.randomUUID(), state: "queued", created: Date.now(), user, box: await encrypt(key, payload) };
  await putEntry(entry);
  return entry.id;
}

// ---- wipe ----------------------------------------------------------------------------------

/// Erases the outbox, the cached pages and the key; keeps nothing that names anyone.
export async function wipe() {
  await askWorker({ type: "wipe" });
  await new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
  if (self.caches) for (const name of await caches.keys()) if (name.startsWith("desmigratif-pages")) await caches.delete(name);
  for (const k of Object.keys(localStorage)) if (k.startsWith("dm.offline.")) localStorage.removeItem(k);
}
