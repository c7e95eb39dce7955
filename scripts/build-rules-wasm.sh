#!/usr/bin/env bash
# Regenerates static/rules/: the domain's field rules (crates/rules-wasm) compiled to
# WebAssembly with the `--target web` glue, and SOURCE_HASH, the hash of the sources it was
# built from (crates/rules-wasm/sources.txt), which `cargo test -p desmigratif-rules-wasm`
# compares so a rule changed without rebuilding fails the tests (docs/OFFLINE.md).
# Needs the wasm32-unknown-unknown target and wasm-bindgen-cli of exactly the version in
# Cargo.lock; CI does not: it uses the committed files.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$want" != "$have" ]; then
  echo "need wasm-bindgen-cli $want (have '${have}'): cargo install wasm-bindgen-cli --version $want" >&2
  exit 1
fi
target=${CARGO_TARGET_DIR:-target}
CARGO_INCREMENTAL=0 cargo build -p desmigratif-rules-wasm --target wasm32-unknown-unknown --profile wasm --locked
out=static/rules
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name rules \
  "$target/wasm32-unknown-unknown/wasm/desmigratif_rules_wasm.wasm"
if command -v wasm-opt >/dev/null; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int -o "$out/rules_bg.wasm" "$out/rules_bg.wasm"
fi
# The same hash as crates/rules-wasm/src/tests.rs: each listed file's path, a newline, its bytes.
while read -r f; do printf '%s\n' "$f"; cat "$f"; done < crates/rules-wasm/sources.txt | sha256sum | cut -d' ' -f1 > "$out/SOURCE_HASH"
ls -l "$out"
