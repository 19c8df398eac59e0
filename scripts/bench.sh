#!/usr/bin/env bash
# Benchmarks of issues 3 and 6, printed as figures (see BENCHMARKS.md):
#   1. ingest: `cargo bench --bench ingest` (the real captured log inflated to ~100 MB: full
#      pipeline tail + parse + update, the parser alone, and a 1 GB run for peak RSS);
#   2. `lanetop report`, lnav (with an OpenClaw JSON format, scripts/lnav/openclaw_log.json, so
#      it parses the records) and jq over the same 100 MB and 1 GB files (installed with apt
#      when missing): MB/s and peak RSS, and the lanetop/lnav ratios;
#   2a. the TUI itself on the same 100 MB and 1 GB backlogs: time until every line is folded
#      (hidden --stats-file) and its peak RSS;
#   2b. render time of the Sessions view with 10,000 sessions (`cargo bench --bench render`);
#   3. idle CPU of the running TUI (tmux, 120x40) over IDLE_SECS seconds, as % of one core;
#   4. line-to-screen latency: a real-shaped line with a unique marker appended to the followed
#      log, `tmux capture-pane` polled every 5 ms until it shows (20 times; p50 and max).
# Usage: scripts/bench.sh            (LANETOP_BENCH_GB=1 IDLE_SECS=60 SAMPLES=20 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${LANETOP_SHARED:-../shared}
GB=${LANETOP_BENCH_GB:-1}
IDLE_SECS=${IDLE_SECS:-60}
SAMPLES=${SAMPLES:-20}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
SOCK=lanetop-bench-$$
work=$(mktemp -d)
cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

need() { # need <command> <apt package>
  command -v "$1" >/dev/null && return 0
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null) \
    2>/dev/null || true
  command -v "$1" >/dev/null
}

echo "# lanetop benchmarks — $(date -u +%FT%TZ), $(nproc) CPUs, $(uname -sr)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo build --release --quiet
BIN=$CARGO_TARGET_DIR/release/lanetop

echo
echo "## 1. ingest (cargo bench --bench ingest, LANETOP_BENCH_GB=$GB)"
LANETOP_BENCH_DIR=$work LANETOP_BENCH_GB=$GB cargo bench --quiet --bench ingest
BIG=$work/openclaw.log
GBFILE=$work/openclaw-gb.log

echo
echo "## 2. lanetop, lnav and jq on the same files"
need time time || echo "(GNU time missing: no figures for other tools)"
mkdir -p "$work/empty-state"
# lnav gets a format definition for OpenClaw's JSONL log (scripts/lnav/openclaw_log.json) in a
# temp HOME, so it really parses the records (time, level, body) instead of indexing plain text.
LNAV_HOME=$work/lnav-home
mkdir -p "$LNAV_HOME/.lnav/formats/installed"
cp scripts/lnav/openclaw_log.json "$LNAV_HOME/.lnav/formats/installed/"
: >"$work/ratios"
timed() { # timed <label> <file> <command...>: wall seconds, MB/s, peak RSS; stdout in $work/out.txt
  # Also appends "<first word of label> <file tag> <MB/s> <peak RSS MB>" to $work/ratios.
  local label=$1 file=$2; shift 2
  local mb out
  mb=$(stat -c %s "$file" | awk '{printf "%.1f", $1/1e6}')
  /usr/bin/time -o "$work/time.txt" -f "%e %M" "$@" >"$work/out.txt" 2>/dev/null || true
  out=$(tail -1 "$work/time.txt")
  awk -v l="$label" -v mb="$mb" -v o="$out" 'BEGIN { split(o, a, " ");
    printf "%-52s %7.1f MB %7.2f s %7.0f MB/s  peak RSS %7.1f MB\n", l, mb, a[1], mb / (a[1] > 0 ? a[1] : 0.001), a[2] / 1024 }'
  awk -v l="$label" -v f="$(basename "$file" .log)" -v mb="$mb" -v o="$out" 'BEGIN { split(o, a, " "); split(l, w, " ");
    printf "%s %s %.3f %.3f\n", w[1], f, mb / (a[1] > 0 ? a[1] : 0.001), a[2] / 1024 }' >>"$work/ratios"
}
for f in "$BIG" ${GB:+$GBFILE}; do
  [ -f "$f" ] || continue
  tag=$(basename "$f" .log)
  timed "lanetop report --json [$tag]" "$f" "$BIN" report --json --log "$f" --state-dir "$work/empty-state"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("  lanetop: %d fallback decisions" % r["fallbacks"]["decisions"])' "$work/out.txt" 2>/dev/null || true
  if need lnav lnav; then
    timed "lnav -n -c ';SELECT count(*) FROM openclaw_log' [$tag]" "$f" \
      env HOME="$LNAV_HOME" lnav -n -c ';SELECT count(*) AS records FROM openclaw_log' "$f"
    echo "  lnav: $(tr -s ' \n' ' ' <"$work/out.txt") (records parsed by the openclaw_log format)"
  else
    echo "lnav: not installable"
  fi
  if need jq jq; then
    timed "jq -c . (parse + re-print every record) [$tag]" "$f" jq -c . "$f"
  else
    echo "jq: not installable"
  fi
done
awk '$1 == "lanetop" { lr[$2] = $3; lm[$2] = $4 } $1 == "lnav" { nr[$2] = $3; nm[$2] = $4 }
     END { for (t in lr) if ((t in nr) && nr[t] > 0 && nm[t] > 0)
       printf "ratio [%s]: lanetop ingest = %.2f x lnav (target >= 3); lanetop peak RSS = %.2f x lnav (target <= 0.25)\n", t, lr[t] / nr[t], lm[t] / nm[t] }' \
  "$work/ratios"

echo
echo "## 2a. the TUI on the same backlog (tmux 120x40, --no-gateway): time to fold it all, peak RSS"
for f in "$BIG" ${GB:+$GBFILE}; do
  [ -f "$f" ] || continue
  tag=$(basename "$f" .log)
  want=$(wc -l <"$f")
  stats=$work/tui-stats.txt
  rm -f "$stats"
  t0=$(date +%s%N)
  tmux -L "$SOCK" -f /dev/null new-session -d -s tui -x 120 -y 40 \
    "exec $BIN --no-gateway --state-dir $work/empty-state --log $f --stats-file $stats"
  pid=$(tmux -L "$SOCK" list-panes -t tui -F '#{pane_pid}')
  # The stats file is rewritten once a second with `lines=<folded>`.
  while :; do
    got=$(sed -n 's/^lines=\([0-9]*\).*/\1/p' "$stats" 2>/dev/null || true)
    [ "${got:-0}" -ge "$want" ] && break
    sleep 0.2
    if [ $(( ($(date +%s%N) - t0) / 1000000000 )) -gt 300 ]; then echo "TUI [$tag]: not caught up in 300 s"; break; fi
  done
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  hwm=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
  echo "TUI [$tag]: $want lines folded within $(awk -v m="$ms" 'BEGIN { printf "%.1f", m / 1000 }') s (stats file, 1 s granularity), peak RSS $hwm MB"
  tmux -L "$SOCK" kill-session -t tui
  sleep 1
done
rm -f "$GBFILE"

echo
echo "## 2b. render time of the Sessions view with 10,000 sessions (cargo bench --bench render)"
cargo bench --quiet --bench render

echo
echo "## 3. idle CPU of the TUI (tmux 120x40, captured state + log, ${IDLE_SECS} s)"
mkdir -p "$work/live/logs"
cp -r "$SHARED/openclaw/captured/state" "$work/live/state"
chmod -R u+w "$work/live"
cp "$SHARED/openclaw/captured/logs/openclaw.log" "$work/live/logs/openclaw.log"
chmod u+w "$work/live/logs/openclaw.log"
LOG=$work/live/logs/openclaw.log
tmux -L "$SOCK" -f /dev/null new-session -d -s bench -x 120 -y 40 \
  "exec $BIN --state-dir $work/live/state --log $LOG"
pid=$(tmux -L "$SOCK" list-panes -t bench -F '#{pane_pid}')
sleep 5
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
# Time on CPU in ns, summed over the threads (/proc/<pid>/task/*/schedstat, first field: the
# scheduler's own runtime accounting). utime+stime is charged in whole 10 ms ticks to whoever runs
# when a tick lands, which for a process that wakes for ~1 ms a second is a sample of a few ticks.
# (A thread that ends during the window would drop out of the sum; the TUI starts none when idle.)
run_ns() { cat /proc/"$pid"/task/*/schedstat | awk '{ s += $1 } END { printf "%d", s }'; }
hz=$(getconf CLK_TCK)
t0=$(ticks); n0=$(run_ns)
sleep "$IDLE_SECS"
t1=$(ticks); n1=$(run_ns)
awk -v a="$n0" -v b="$n1" -v ta="$t0" -v tb="$t1" -v hz="$hz" -v s="$IDLE_SECS" \
  'BEGIN { printf "idle CPU: %.3f %% of one core (%.1f ms on CPU in %d s, schedstat; utime+stime: %d ticks of 1/%d s = %.3f %%)\n", (b - a) / 1e9 / s * 100, (b - a) / 1e6, s, tb - ta, hz, (tb - ta) / hz / s * 100 }'
grep -E 'VmHWM|VmRSS|Threads' "/proc/$pid/status" | tr -s ' \t' ' ' | paste -sd ' ' | sed 's/^/TUI process: /'
echo "TUI threads (name: CPU ticks): $(for t in /proc/$pid/task/*; do printf '%s: %s, ' "$(cat "$t/comm")" "$(awk '{ print $14 + $15 }' "$t/stat")"; done)"

echo
echo "## 4. line-to-screen latency (Logs view following, $SAMPLES samples)"
tmux -L "$SOCK" send-keys -t bench ':logs' Enter
sleep 1
python3 - "$SOCK" "$LOG" "$SAMPLES" <<'EOF'
import json, subprocess, sys, time, datetime, random
sock, log, samples = sys.argv[1], sys.argv[2], int(sys.argv[3])
# A real INFO line of the captured log as the template (a database check: no typed event, so the
# appended lines change nothing but the log buffer).
template = None
with open(log) as f:
    for line in f:
        if '"logLevelName":"INFO"' in line and 'state/database-verify' in line:
            template = json.loads(line)
            break
def capture():
    return subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", "bench"],
                          capture_output=True, text=True).stdout
lat = []
for i in range(samples):
    marker = "LTB%04d%06d" % (i, random.randrange(10**6))
    now = datetime.datetime.now(datetime.timezone.utc)
    rec = dict(template)
    rec["_meta"] = dict(template["_meta"])
    rec["time"] = now.isoformat(timespec="milliseconds")
    rec["_meta"]["date"] = now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)
    rec["message"] = rec["1"] = marker + " benchmark line"
    data = (json.dumps(rec, separators=(",", ":")) + "\n").encode()
    t0 = time.monotonic()
    with open(log, "ab") as f:
        f.write(data)
    while True:
        if marker in capture():
            lat.append((time.monotonic() - t0) * 1000)
            break
        if time.monotonic() - t0 > 5:
            lat.append(float("inf"))
            break
        time.sleep(0.005)
    time.sleep(0.2 + random.random() * 0.2)
lat.sort()
p50 = lat[len(lat) // 2]
print("latency: p50 %.1f ms, max %.1f ms, min %.1f ms (%d samples; includes the capture-pane poll, 5 ms period)"
      % (p50, lat[-1], lat[0], len(lat)))
EOF
echo "pane after the test (top and bottom lines):"
tmux -L "$SOCK" capture-pane -p -t bench | sed -n '1,3p;36,40p'
tmux -L "$SOCK" send-keys -t bench 'q'
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
