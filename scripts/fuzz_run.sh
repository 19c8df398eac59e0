#!/usr/bin/env bash
# Long fuzz runs (outside CI; figures in README "Fuzzing"). Needs `cargo +nightly` and
# cargo-fuzz (`cargo install cargo-fuzz`).
#   scripts/fuzz_run.sh seed                  # raw seeds from ../shared → fuzz/corpus-work/
#   scripts/fuzz_run.sh build                 # build all targets (no sanitizer, debug assertions)
#   scripts/fuzz_run.sh run TARGET RUNS SECS  # fuzz TARGET until RUNS executions or SECS seconds
#   scripts/fuzz_run.sh cmin TARGET           # minimize fuzz/corpus-work/TARGET into fuzz/corpus/TARGET
#   scripts/fuzz_run.sh tmin TARGET FILE      # minimize one crashing input
# The working corpus fuzz/corpus-work/ and fuzz/artifacts/ are not committed.
# Sanitizer `none`: lanetop's parsers are safe Rust, so ASan adds cost, not findings; debug
# assertions and overflow checks stay on (cargo fuzz default), like the test build.
set -euo pipefail
cd "$(dirname "$0")/.."
TD=${CARGO_TARGET_DIR:-$PWD/target}/fuzz
fz() { (cd fuzz && cargo +nightly fuzz "$1" -s none --target-dir "$TD" "${@:2}"); }
case "${1:-}" in
  seed) rm -rf fuzz/corpus-work && python3 scripts/fuzz_seed.py ../shared fuzz/corpus-work ;;
  build) fz build ;;
  run)
    t=$2; runs=$3; secs=$4
    mkdir -p "fuzz/corpus-work/$t" "fuzz/artifacts/$t"
    fz run "$t" "corpus-work/$t" "corpus/$t" -- -dict="dict/$t.dict" -runs="$runs" \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
      -artifact_prefix="artifacts/$t/" -print_final_stats=1 ;;
  cmin)
    t=$2; rm -rf "fuzz/corpus/$t.new"; mkdir -p "fuzz/corpus/$t.new" "fuzz/corpus/$t"
    (cd fuzz && "$TD/x86_64-unknown-linux-gnu/release/$t" -merge=1 -timeout=10 \
      "corpus/$t.new" "corpus/$t" "corpus-work/$t")
    rm -rf "fuzz/corpus/$t" && mv "fuzz/corpus/$t.new" "fuzz/corpus/$t" ;;
  tmin) fz tmin "$2" "$3" ;;
  *) sed -n 2,11p "$0"; exit 2 ;;
esac
