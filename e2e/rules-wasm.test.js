// The committed WebAssembly rules (static/rules/, built by scripts/build-rules-wasm.sh) answer
// the case table crates/rules-wasm/cases.json exactly as the domain does: the Rust test
// `the_case_table_is_what_the_domain_answers` checks the same table against the Rust functions.
// Node only, no browser and no server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const root = new URL("../", import.meta.url);
const rules = await import(new URL("static/rules/rules.js", root));
rules.initSync({ module: readFileSync(new URL("static/rules/rules_bg.wasm", root)) });
const cases = JSON.parse(readFileSync(new URL("crates/rules-wasm/cases.json", root), "utf8"));

test("the browser's rules answer the case table as the domain does", () => {
  assert.ok(cases.length >= 20);
  for (const c of cases) {
    const args = c.fn === "check_person" ? [JSON.stringify(c.args[0]), c.args[1]] : c.args;
    const got = JSON.parse(rules[c.fn](...args));
    assert.deepEqual(got, c.expect, c.name);
  }
});

test("the WebAssembly stays small", () => {
  const size = readFileSync(new URL("static/rules/rules_bg.wasm", root)).length;
  assert.ok(size < 300 * 1024, `rules_bg.wasm is ${size} bytes`);
});
