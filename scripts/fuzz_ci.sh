#!/usr/bin/env bash
# Bounded fuzz smoke for CI: builds the cargo-fuzz targets and runs each one briefly, starting
# from the committed corpus (fuzz/corpus/<target>, never modified: new inputs go to a temp dir).
# A crash or an invariant violation fails CI (exit ≠ 0; the input is left in $FUZZ_CI_OUT).
#
# Whole-script budget: FUZZ_CI_BUDGET seconds (default 240), build included; each target gets
# min(FUZZ_CI_SECS (default 20), what remains / targets left). Skipped, with a message and exit
# 0, when `cargo +nightly` does not work, cargo-fuzz is missing and cannot be installed in
# time, or the build does not finish within the budget. Long runs: scripts/fuzz_run.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
budget=${FUZZ_CI_BUDGET:-240}
per=${FUZZ_CI_SECS:-20}
start=$(date +%s)
left() { echo $((budget - ($(date +%s) - start))); }
skip() { echo "== fuzz: SKIPPED ($1); the corpus replay in cargo test (tests/fuzz_corpus.rs) still ran"; exit 0; }

cargo +nightly --version >/dev/null 2>&1 || skip "no nightly toolchain: rustup toolchain install nightly"
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "== fuzz: installing cargo-fuzz"
  timeout "$(left)" cargo install cargo-fuzz --locked -q >/dev/null 2>&1 || skip "cargo-fuzz not installable"
fi
td=${CARGO_TARGET_DIR:-$PWD/target}/fuzz
echo "== fuzz: building the targets (budget $(left) s)"
mkdir -p "$td"
# In its own process group, so that running out of budget stops cargo and every rustc under it.
# No DWARF in the CI binaries (the crash input is kept, backtraces still name functions):
# ~75 MB less per target. cargo-fuzz sets `profile.release.debug` itself; strip it does not.
(cd fuzz && CARGO_PROFILE_RELEASE_STRIP=debuginfo exec setsid cargo +nightly fuzz build -s none --target-dir "$td" >"$td.build.log" 2>&1) &
build=$!
(trap 'kill "$s" 2>/dev/null; exit 0' TERM
 sleep "$(left)" & s=$!; wait "$s"; kill -TERM -- "-$build" 2>/dev/null) &
watchdog=$!
wait "$build"; rc=$?
kill "$watchdog" 2>/dev/null
[ "$rc" = 0 ] || { tail -5 "$td.build.log"; skip "build failed or exceeded the budget (exit $rc)"; }
targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^lanetop-fuzz$')
n=$(echo "$targets" | wc -w)
out=${FUZZ_CI_OUT:-$(mktemp -d)}
fail=0
for t in $targets; do
  secs=$(( $(left) / n )); [ "$secs" -gt "$per" ] && secs=$per
  n=$((n - 1))
  if [ "$secs" -lt 3 ]; then echo "== fuzz: $t skipped (budget spent)"; continue; fi
  mkdir -p "$out/$t/new" "$out/$t/artifacts"
  bin=$td/x86_64-unknown-linux-gnu/release/$t
  if "$bin" "$out/$t/new" "fuzz/corpus/$t" -dict="fuzz/dict/$t.dict" -max_total_time="$secs" \
      -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 -artifact_prefix="$out/$t/artifacts/" \
      -print_final_stats=1 >"$out/$t/log" 2>&1; then
    echo "== fuzz: $t ok: $(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t/log") execs in $secs s"
  else
    echo "== fuzz: $t FAILED (input and log in $out/$t):"; tail -30 "$out/$t/log"; fail=1
  fi
done
echo "== fuzz: done in $(( $(date +%s) - start )) s"
exit $fail
