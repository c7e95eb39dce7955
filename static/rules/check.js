// The person form's checks in the browser, with the domain's own rules compiled to
// WebAssembly (rules.js + rules_bg.wasm, built by scripts/build-rules-wasm.sh from
// crates/rules-wasm): the same fields, rules and catalogue sentences as the server, and the same
// NIK warnings to confirm (`confirm_warnings`). Works offline once loaded. The region list is not
// here: the server still checks the province, district and village codes against it.
import init, { check_person } from "./rules.js";

const form = document.querySelector("form[data-rules='person']");
const catalogue = document.getElementById("rules-messages");

if (form && catalogue) {
  const m = JSON.parse(catalogue.textContent);
  const touched = new Set();
  let ready = false;

  // app::i18n::field_message, the same lookup order: the refusal's own sentence, the field's
  // sentence for the rule, the rule's sentence with the values given, the rule's sentence.
  const sentence = (e) => {
    const params = e.params || [];
    const label = m["field." + e.field] || m["msg.this_field"] || "?";
    let withParams = null;
    for (let n = params.length; n >= 1 && !withParams; n--) {
      withParams = m[`msg.${e.rule}_${params.slice(0, n).map((p) => p[0]).join("_")}`];
    }
    let text = (e.message_key && m[e.message_key]) || m[`msg_field.${e.field}.${e.rule}`] || withParams || m[`msg.${e.rule}`] || e.rule;
    text = text.replaceAll("{field}", label);
    for (const [name, value] of params) text = text.replaceAll(`{${name}}`, value);
    return text.charAt(0).toUpperCase() + text.slice(1);
  };

  const values = () => {
    const out = {};
    for (const [k, v] of new FormData(form)) if (typeof v === "string" && !k.startsWith("_")) out[k] = v;
    return out;
  };

  // The place after a field where its live message goes (after the label, or the radio group).
  const slot = (field) => {
    const input = form.elements[field];
    const el = input instanceof RadioNodeList ? input[0] : input;
    if (!el) return null;
    const anchor = el.closest("fieldset") || el.closest("label") || el;
    let s = form.querySelector(`[data-live='${field}']`);
    if (!s) {
      s = document.createElement("span");
      s.className = "field-error";
      s.dataset.live = field;
      s.setAttribute("aria-live", "polite");
      anchor.after(s);
    }
    return s;
  };

  const warningsBox = () => {
    let box = document.getElementById("nik-warnings-live");
    if (!box) {
      box = document.createElement("div");
      box.id = "nik-warnings-live";
      box.className = "card warn-box";
      box.setAttribute("role", "alert");
      box.hidden = true;
      const nik = form.elements["nik"];
      (nik.closest("label") || nik).after(box);
    }
    return box;
  };

  // The same confirmation the server's form asks for: a checkbox named confirm_warnings.
  const confirmBox = () => {
    let c = form.elements["confirm_warnings"];
    if (!c) {
      const label = document.createElement("label");
      label.className = "check";
      c = document.createElement("input");
      c.type = "checkbox";
      c.name = "confirm_warnings";
      c.value = "1";
      c.id = "f-confirm_warnings";
      label.append(c, " " + m["persons.confirm_warnings"]);
      warningsBox().append(label);
    }
    return c;
  };

  const run = (all) => {
    if (!ready) return null;
    const report = JSON.parse(check_person(JSON.stringify(values()), Date.now() / 1000));
    const fields = new Set([...form.querySelectorAll("[name]")].map((e) => e.name));
    for (const field of fields) {
      if (field.startsWith("_") || field === "confirm_warnings" || field === "base_version") continue;
      const errs = report.errors.filter((e) => e.field === field);
      const show = all || touched.has(field);
      const s = show || form.querySelector(`[data-live='${field}']`) ? slot(field) : null;
      if (s) s.textContent = show ? errs.map(sentence).join(" ") : "";
    }
    const box = warningsBox();
    const ws = report.warnings;
    if (ws.length && (all || touched.has("nik"))) {
      let list = box.querySelector("ul");
      if (!list) {
        box.insertAdjacentHTML("afterbegin", "<p><strong></strong></p><ul></ul><p class='small'></p>");
        box.querySelector("strong").textContent = m["persons.warnings_title"];
        box.querySelector("p.small").textContent = m["persons.warnings_hint"];
        list = box.querySelector("ul");
      }
      list.replaceChildren(...ws.map((w) => Object.assign(document.createElement("li"), { textContent: m["nik." + w.rule] || w.rule })));
      box.hidden = false;
      confirmBox();
    } else if (!ws.length) {
      box.hidden = true;
    }
    return report;
  };

  form.addEventListener("focusout", (ev) => {
    if (ev.target.name) touched.add(ev.target.name);
    run(false);
  });
  form.addEventListener("input", (ev) => {
    if (ev.target.name && touched.has(ev.target.name)) run(false);
  });
  form.addEventListener("change", (ev) => {
    if (ev.target.name) touched.add(ev.target.name);
    run(false);
  });
  // A queued offline record resets the form for the next person: its messages go with it.
  form.addEventListener("reset", () => {
    touched.clear();
    for (const s of form.querySelectorAll("[data-live]")) s.textContent = "";
    const box = document.getElementById("nik-warnings-live");
    if (box) box.hidden = true;
  });
  form.addEventListener("submit", (ev) => {
    const report = run(true);
    if (!report) return; // rules not loaded: the server decides
    const confirmed = form.elements["confirm_warnings"]?.checked;
    if (report.errors.length || (report.warnings.length && !confirmed)) {
      ev.preventDefault();
      const first = report.errors[0] ? form.elements[report.errors[0].field] : form.elements["confirm_warnings"];
      (first instanceof RadioNodeList ? first[0] : first)?.focus();
    }
  });

  init().then(() => {
    ready = true;
    form.dataset.rulesReady = "1";
  });
}
