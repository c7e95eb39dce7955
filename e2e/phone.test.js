// The officer's and the cooperative manager's daily screens on a phone (issue 15), in Debian's
// Chromium at 412 × 915 (and 360 × 740 for the narrowest): no sideways scrolling, no visible
// control cut off or off-screen, checkboxes at native size, every details form opened.
// Screenshots go to DESMIGRATIF_SCREENSHOTS (default: a temporary directory) for review.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer, launchOptions, ADMIN_PASSWORD } from "./server.js";

const VILLAGE = "53.07.01.2001";
const SHOTS = process.env.DESMIGRATIF_SCREENSHOTS || join(tmpdir(), "desmigratif-phone");
let server, browser, ids = {};

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await chromium.launch(launchOptions());
  const admin = (await server.api("POST", "/api/v1/auth/token", null, { username: "admin", password: ADMIN_PASSWORD })).body.token;
  for (const [username, role] of [["petugas", "village_officer"], ["bendahara", "cooperative_manager"], ["ketua", "cooperative_manager"]]) {
    const r = await server.api("POST", "/api/v1/users", admin, {
      username, password: "a-long-password", full_name: `Akun ${username}`, role, region_code: VILLAGE,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const token = async (u) => (await server.api("POST", "/api/v1/auth/token", null, { username: u, password: "a-long-password" })).body.token;
  const officer = await token("petugas");
  let r = await server.api("POST", "/api/v1/persons", officer, {
    nik: "5307015205900001", full_name: "Siti Noor Hidajat binti Abdurrahman Wahyuningsih", sex: "P",
    birth_date: "1990-05-12", village_code: VILLAGE, phone: "081234567890",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ids.person = r.body.id;
  r = await server.api("POST", `/api/v1/persons/${ids.person}/episodes`, officer, {
    category: "household_employer", scheme: "independent", destination: "HK", job_type: "housekeeper", recruiter_name: "Pak Calo",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ids.episode = r.body.id;
  r = await server.api("POST", "/api/v1/cases", officer, {
    type: "trafficking_suspicion", severity: "critical", person_id: ids.person, village_code: VILLAGE,
    description: "Seorang perekrut membawa tiga perempuan muda ke Kamboja",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ids.case = r.body.id;

  const m1 = await token("bendahara");
  const m2 = await token("ketua");
  r = await server.api("POST", "/api/v1/cooperatives", m1, {
    village_code: VILLAGE, kind: "koperasi", name: "Koperasi Desmigratif Masabewa Sejahtera Bersama",
    legal_number: "AHU-0001234.AH.01.26", founded_on: "2025-01-02",
    bylaws: { pokok: 100000, wajib_monthly: 20000, max_principal: 5000000, max_months: 12, min_rate_percent: 1,
      max_rate_percent: 2, shu_reserve: 40, shu_members_by_savings: 20, shu_members_by_transactions: 20, shu_board: 5,
      shu_staff: 5, shu_education: 5, shu_social: 5 },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ids.coop = r.body.id;
  const base = `/api/v1/cooperatives/${ids.coop}`;
  r = await server.api("POST", `${base}/members`, m1, { full_name: "Maria Goreti Wulandari", joined_on: "2025-01-05" });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ids.member = r.body.id;
  r = await server.api("POST", `${base}/savings-transactions`, m1,
    { member_id: ids.member, kind: "sukarela", direction: "deposit", amount: 270000000, date: "2025-01-10" });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await server.api("POST", `${base}/loans`, m1, { member_id: ids.member, principal: 3000000, months: 3,
    monthly_rate_percent: 1, method: "flat", purpose: "Modal warung sembako", date: "2025-01-15" });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  ids.loan = r.body.id;
  r = await server.api("POST", `${base}/loans/${ids.loan}/approve`, m2, { date: "2025-01-16" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(username, viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(server.base + "/login");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", username === "admin" ? ADMIN_PASSWORD : "a-long-password");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  return { context, page };
}

// What is wrong with the page's layout on this screen, as a list of readable findings.
async function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const vw = window.innerWidth;
    if (document.documentElement.scrollWidth > vw) {
      problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${vw}`);
    }
    // A box that scrolls on purpose (a wide table in its own region) clips what it holds.
    const scroller = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if ((o === "auto" || o === "scroll") && p.scrollWidth > p.clientWidth) return p;
      }
      return null;
    };
    const controls = document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary");
    for (const el of controls) {
      if (!el.checkVisibility()) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const name = `${el.tagName.toLowerCase()}${el.name ? `[name=${el.name}]` : ""} «${(el.textContent || el.value || "").trim().slice(0, 30)}»`;
      if (!scroller(el) && (r.left < -1 || r.right > vw + 1)) problems.push(`${name} leaves the screen: ${Math.round(r.left)}..${Math.round(r.right)}`);
      if ((el.type === "checkbox" || el.type === "radio") && (r.width >= 28 || r.height >= 28)) {
        problems.push(`${name} is a large box: ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return problems;
  });
}

async function check(page, path, shot) {
  await page.goto(server.base + path);
  assert.ok((await page.title()).length > 0, path);
  // Every folded form open: they must fit too.
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
  await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  assert.deepEqual(await layoutProblems(page), [], `${path} at ${page.viewportSize().width}px`);
}

test("the officer's screens fit a 412 px phone", async () => {
  const { context, page } = await login("petugas", { width: 412, height: 915 });
  await check(page, "/", "officer-home");
  await check(page, "/persons", "persons");
  await check(page, `/persons/${ids.person}`, "person");
  await check(page, `/episodes/${ids.episode}`, "episode");
  // The documents checklist: one card per document, headed "Dokumen", the form full width.
  assert.match(await page.textContent("#documents"), /Dokumen|Paspor/);
  assert.doesNotMatch(await page.textContent("#documents"), /Status izin/);
  const card = await page.locator("#doc-passport").boundingBox();
  const form = await page.locator("#doc-passport form").boundingBox();
  assert.ok(form.width > card.width * 0.8, `the form spans the card: ${form.width} of ${card.width}`);
  await check(page, "/worklist", "worklist");
  await check(page, "/cases", "cases");
  await check(page, `/cases/${ids.case}`, "case");
  assert.ok(await page.locator("input[type=checkbox]").count() > 0, "the case page has checkboxes (referral, TPPO)");
  // A free-text limit is stated and never cuts what was pasted: the hint turns red instead,
  // and the header menu starts folded.
  await page.goto(server.base + "/cases/new");
  assert.equal(await page.isVisible("header nav"), false, "menu folded on a phone");
  await check(page, "/cases/new", "case-new"); // (opens every <details>, the menu too: it must fit)
  const description = page.locator("textarea[name=description]");
  assert.equal(await description.getAttribute("maxlength"), null);
  assert.match(await page.textContent("#f-description-hint"), /Paling banyak 5000 huruf/);
  await description.fill("x".repeat(5003));
  assert.equal((await description.inputValue()).length, 5003, "nothing cut");
  assert.match(await page.getAttribute("#f-description-hint", "class"), /\bover\b/);
  await check(page, "/monitoring", "monitoring-officer");
  await context.close();
});

test("the cooperative manager's screens fit a 412 px phone", async () => {
  const { context, page } = await login("bendahara", { width: 412, height: 915 });
  const coop = `/cooperatives/${ids.coop}`;
  await check(page, coop, "coop-home");
  await check(page, `${coop}/members`, "coop-members");
  await check(page, `${coop}/members/${ids.member}`, "coop-member-savings");
  await check(page, `${coop}/loans`, "coop-loans");
  await check(page, `${coop}/loans/${ids.loan}`, "coop-loan");
  await check(page, `${coop}/books`, "coop-books");
  await context.close();
});

test("the narrowest phone (360 px): person, episode, case and national monitoring", async () => {
  let { context, page } = await login("petugas", { width: 360, height: 740 });
  await check(page, `/persons/${ids.person}`, "person-360");
  await check(page, `/episodes/${ids.episode}`, "episode-360");
  await check(page, `/cases/${ids.case}`, "case-360");
  await context.close();
  ({ context, page } = await login("admin", { width: 360, height: 740 }));
  await check(page, "/monitoring", "monitoring-national-360");
  // The tile map gives way to a ranked list with names and links.
  assert.equal(await page.isVisible("svg.map"), false, "no tile map on a phone");
  assert.ok(await page.isVisible("#ranked"), "the ranked list instead");
  assert.ok(await page.locator("#ranked a").count() >= 30, "every province in the list");
  await check(page, "/statistik", "statistik-360");
  await context.close();
});
