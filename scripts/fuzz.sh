#!/usr/bin/env bash
# Runs every cargo-fuzz target for a set time (issue 9). Not part of the test command.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
#
# The machine has one stable toolchain; cargo-fuzz needs nightly-only flags (sanitizers),
# which RUSTC_BOOTSTRAP=1 unlocks on stable. Installs cargo-fuzz if missing. Crashes land
# in fuzz/artifacts/<target>/ and make the script fail; the corpus grows in fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS=${1:-60}
[[ "$SECS" =~ ^[1-9][0-9]*$ ]] || { echo "seconds must be a positive whole number" >&2; exit 2; }
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
TARGETS=$(cargo fuzz list)
cargo fuzz build -O
STATUS=0
for t in $TARGETS; do
  mkdir -p "corpus/$t"
  echo "==> $t for ${SECS}s"
  if cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$SECS" -max_len=4096 2>&1 | tail -4; then
    :
  else
    echo "!! $t found a crash (see fuzz/artifacts/$t)"; STATUS=1
  fi
done
exit $STATUS
