#!/usr/bin/env bash
# Soak (issue 6 item 4): lanetop in tmux (120x40) following a real-shaped 2026.9.6 host written
# live by `examples/soak_gen.rs` (the captured log replayed at RATE lines/s with fresh times and
# ids, size-rotated at 100 MB like OpenClaw; a state dir whose SQLite store holds SESSIONS
# sessions, one of them re-written every 5 s). Every INTERVAL seconds it samples lanetop's RSS and
# CPU, its lag behind the log (from lanetop's hidden `--stats-file`: wall clock minus the time of
# the newest line folded, and lines written by the generator minus lines folded), and the
# key-to-redraw latency (tmux send-keys of a view switch `3`/`4`, capture-pane polled until the
# new view's title shows). At the end it waits for lanetop to catch up and counts dropped lines.
#
# Usage: scripts/soak.sh [DURATION]     DURATION like 120, 2m, 1h (default 1h)
# Env: RATE (5000), SESSIONS (10000), INTERVAL (10), OUT (dir for samples and summary; default a
#      temp dir), BIN / GEN (prebuilt lanetop / soak_gen; default: cargo build --release).
# Output: OUT/samples.tsv (one row per sample), OUT/summary.txt (the figures), also on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-1h}
case $dur in
  *h) secs=$(( ${dur%h} * 3600 )) ;;
  *m) secs=$(( ${dur%m} * 60 )) ;;
  *s) secs=${dur%s} ;;
  *) secs=$dur ;;
esac
RATE=${RATE:-5000}
SESSIONS=${SESSIONS:-10000}
INTERVAL=${INTERVAL:-10}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d /tmp/lanetop-soak.XXXXXX)
OUT=${OUT:-$work/out}
mkdir -p "$OUT"
SOCK=lanetop-soak-$$
gen_pid=
cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  [ -n "$gen_pid" ] && kill "$gen_pid" 2>/dev/null || true
  rm -rf "$work/logs" "$work/state"
}
trap cleanup EXIT

if [ -z "${BIN:-}" ] || [ -z "${GEN:-}" ]; then
  cargo build --release --quiet --bin lanetop --example soak_gen
fi
# Copies: a rebuild during the soak must not replace the binaries under test.
cp "${BIN:-$CARGO_TARGET_DIR/release/lanetop}" "$work/lanetop"
cp "${GEN:-$CARGO_TARGET_DIR/release/examples/soak_gen}" "$work/soak_gen"

{
  echo "# lanetop soak — $(date -u +%FT%TZ), ${secs} s at ${RATE} lines/s, ${SESSIONS} sessions"
  echo "# $(nproc) CPUs, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# lanetop $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty'), work dir $work"
} | tee "$OUT/summary.txt"

"$work/soak_gen" --dir "$work" --rate "$RATE" --secs "$secs" --sessions "$SESSIONS" \
  >"$OUT/gen.out" 2>&1 &
gen_pid=$!
for _ in $(seq 600); do [ -f "$work/gen.stats" ] && break; sleep 0.1; done
[ -f "$work/gen.stats" ] || { echo "generator did not start:"; cat "$OUT/gen.out"; exit 1; }
mkdir -p "$work/home"
tmux -L "$SOCK" -f /dev/null new-session -d -s soak -x 120 -y 40 \
  "exec env HOME=$work/home LANETOP_CONFIG_DIR=$work/home/cfg $work/lanetop --no-gateway \
   --state-dir $work/state --log $work/logs --stats-file $work/lanetop.stats 2>$OUT/lanetop.err"
pid=$(tmux -L "$SOCK" list-panes -t soak -F '#{pane_pid}')
echo "generator pid $gen_pid, lanetop pid $pid" | tee -a "$OUT/summary.txt"

python3 - "$SOCK" "$pid" "$gen_pid" "$work" "$OUT" "$secs" "$RATE" "$INTERVAL" <<'EOF' | tee -a "$OUT/summary.txt"
import os, subprocess, sys, time
sock, pid, gen_pid, work, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
secs, rate, interval = float(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
hz = os.sysconf("SC_CLK_TCK")

def kv(path):
    try:
        with open(path) as f:
            return {k: int(v) for k, v in (p.split("=") for p in f.read().split())}
    except (OSError, ValueError):
        return {}

def alive(p):
    try:
        os.kill(p, 0)
        return True
    except OSError:
        return False

def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        for l in f:
            if l.startswith("VmRSS:"):
                return int(l.split()[1]) / 1024
    return 0.0

def ticks():
    with open(f"/proc/{pid}/stat") as f:
        s = f.read().rsplit(")", 1)[1].split()
    return int(s[11]) + int(s[12])

def capture():
    return subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", "soak"],
                          capture_output=True, text=True).stdout

VIEWS = [("3", "Sessions"), ("4", "Lanes")]

def key_latency(n):
    key, title = VIEWS[n % 2]
    other = VIEWS[(n + 1) % 2][1]
    t0 = time.monotonic()
    subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "soak", key])
    while True:
        s = capture()
        if marker(s, title):
            return (time.monotonic() - t0) * 1000
        if time.monotonic() - t0 > 5:
            return float("inf")
        time.sleep(0.002)

def marker(screen, title):
    # The views render their name in the tab bar highlighted and in their own block title
    # (e.g. "Sessions (10035)"): look for the block title only.
    for l in screen.splitlines()[1:6]:
        if (title + " (") in l or ("┐" in l and f" {title} " in l):
            return True
    return False

samples = open(f"{out}/samples.tsv", "w")
samples.write("t_s\trss_mb\tcpu_pct\tlag_ms\tlines_behind\tlt_lines\tgen_lines\tcorrupt\tsessions\tkey_ms\tstats_age_ms\n")
t_start = time.monotonic()
last_t, last_ticks = t_start, ticks()
rss, lags, behind, keys, cpus = [], [], [], [], []
n = 0
time.sleep(2)
while alive(gen_pid) and alive(pid):
    time.sleep(max(0.0, t_start + (n + 1) * interval - time.monotonic()))
    if not (alive(gen_pid) and alive(pid)):
        break
    now = time.monotonic()
    tk = ticks()
    cpu = (tk - last_ticks) / hz / (now - last_t) * 100
    last_t, last_ticks = now, tk
    lt, gen = kv(f"{work}/lanetop.stats"), kv(f"{work}/gen.stats")
    wall_ms = time.time() * 1000
    lag = lt.get("unix_ms", 0) - lt.get("newest_ms", 0)
    # Generator lines at lanetop's write time (the generator writes at a steady rate).
    gen_at = gen.get("lines", 0) + rate * (lt.get("unix_ms", 0) - gen.get("unix_ms", 0)) / 1000
    lb = max(0, gen_at - lt.get("lines", 0))
    k = key_latency(n)
    r = rss_mb()
    rss.append(r); lags.append(lag); behind.append(lb); keys.append(k); cpus.append(cpu)
    samples.write("%.0f\t%.1f\t%.2f\t%d\t%.0f\t%d\t%d\t%d\t%d\t%.1f\t%.0f\n" % (
        now - t_start, r, cpu, lag, lb, lt.get("lines", 0), gen.get("lines", 0),
        lt.get("corrupt", 0), lt.get("sessions", 0), k, wall_ms - lt.get("unix_ms", 0)))
    samples.flush()
    n += 1
    if n % 30 == 0:
        print("t=%4.0f s  RSS %.1f MB  CPU %.1f %%  lag %d ms  behind %.0f lines  key %.1f ms" % (
            now - t_start, r, cpu, lag, lb, k), flush=True)

# The generator has stopped: wait for lanetop to fold every line, then count.
gen = kv(f"{work}/gen.stats")
deadline = time.monotonic() + 60
while time.monotonic() < deadline and alive(pid):
    lt = kv(f"{work}/lanetop.stats")
    if lt.get("lines", 0) >= gen.get("lines", 0) and lt.get("unix_ms", 0) / 1000 > time.time() - 1.5:
        break
    time.sleep(0.5)
time.sleep(1.5)
lt = kv(f"{work}/lanetop.stats")
if not rss:
    print("no samples (lanetop alive: %s)" % alive(pid))
    sys.exit(1)
ks = sorted(keys)
print("samples: %d every %.0f s; lanetop alive at the end: %s" % (len(rss), interval, alive(pid)))
print("RSS: start %.1f MB, end %.1f MB, max %.1f MB" % (rss[0], rss[-1], max(rss)))
print("CPU: mean %.1f %% of one core, max %.1f %%" % (sum(cpus) / len(cpus), max(cpus)))
print("lag (wall clock - newest line folded): max %d ms, mean %.0f ms" % (max(lags), sum(lags) / len(lags)))
print("lines behind the generator: max %.0f (= %.2f s at %d lines/s)" % (max(behind), max(behind) / rate, rate))
print("lines: generator wrote %d, lanetop folded %d, dropped %d, corrupt %d" % (
    gen.get("lines", 0), lt.get("lines", 0), gen.get("lines", 0) - lt.get("lines", 0), lt.get("corrupt", 0)))
print("key-to-redraw (view switch, capture-pane poll 2 ms): p50 %.1f ms, p90 %.1f ms, max %.1f ms (%d keys)" % (
    ks[len(ks) // 2], ks[int(len(ks) * 0.9)], ks[-1], len(ks)))
print("sessions in the model at the end: %d" % lt.get("sessions", 0))
EOF
cat "$OUT/gen.out" | tee -a "$OUT/summary.txt"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
