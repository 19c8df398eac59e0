# Shared pieces of the incident scenarios (sourced by lab/scenarios/run.sh). Adapted from
# ../shared/openclaw/lab/run.sh (same throwaway identity, same fake LLM and config writer,
# processes stopped by PID / process group only); the lab itself is read-only.
#
# Needs: OCLAB_PREFIX (setup.sh done), RUN_DIR, GW_PORT, FAKE_LLM_PORT, LAB (the shared lab dir).

PREFIX="${OCLAB_PREFIX:-/tmp/oclab}"
export GW_PORT="${GW_PORT:-18789}" FAKE_LLM_PORT="${FAKE_LLM_PORT:-18991}"
export GW_TOKEN="${GW_TOKEN:-lab-dummy-token-0123456789abcdef}"
export LAB_DIR="$RUN_DIR"
export PATH="$PREFIX/node24/node_modules/node/bin:$PATH"
OC="$PREFIX/oc/node_modules/.bin/openclaw"
[ -x "$OC" ] || { echo "openclaw missing: run $LAB/setup.sh first (OCLAB_PREFIX=$PREFIX)"; exit 1; }

export HOME="$RUN_DIR/home" OPENCLAW_HOME="$RUN_DIR/home"
export OPENCLAW_NO_AUTO_UPDATE=1 DO_NOT_TRACK=1 OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_OFFLINE=1
export OPENCLAW_GATEWAY_TOKEN="$GW_TOKEN"
unset OPENAI_API_KEY ANTHROPIC_API_KEY TELEGRAM_BOT_TOKEN DISCORD_BOT_TOKEN SLACK_BOT_TOKEN 2>/dev/null || true

mkdir -p "$RUN_DIR"/{home,logs,pids}
CTL="$RUN_DIR/fake_control.json"
echo '{}' >"$CTL"
EV="$RUN_DIR/logs/scenario-events.log"
ev() { echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $*" | tee -a "$EV"; }
ctl() { echo "$1" >"$CTL"; ev "fake-llm control := $1"; }

FAKE_PID="" GW_PID="" BG_PIDS=()
start_fake() {
  python3 "$LAB/fake_llm.py" --port "$FAKE_LLM_PORT" --control-file "$CTL" \
    >>"$RUN_DIR/logs/fake_llm.out" 2>&1 &
  FAKE_PID=$!; echo "$FAKE_PID" >"$RUN_DIR/pids/fake_llm.pid"
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$FAKE_LLM_PORT/health" >/dev/null && break; sleep 0.1; done
  ev "fake llm pid=$FAKE_PID"
}
start_gw() {
  local from; from=$(( $(cat "$RUN_DIR/logs/gateway.console.log" 2>/dev/null | wc -l) + 1 ))
  setsid "$OC" gateway run --port "$GW_PORT" >>"$RUN_DIR/logs/gateway.console.log" 2>&1 </dev/null &
  GW_PID=$!; echo "$GW_PID" >"$RUN_DIR/pids/gateway.pid"
  ev "gateway start pid=$GW_PID"
  for _ in $(seq 1 240); do
    tail -n +"$from" "$RUN_DIR/logs/gateway.console.log" 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | grep -qE "\[gateway\] ready$" && break; sleep 0.5
  done
  ev "gateway ready"
}
stop_gw() {  # $1 = TERM (graceful) | KILL (crash)
  [ -n "$GW_PID" ] || return 0
  ev "gateway stop SIG$1 pid=$GW_PID"
  kill -"$1" -- "-$GW_PID" 2>/dev/null
  for _ in $(seq 1 120); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$GW_PID" 2>/dev/null; then ev "gateway still alive after 60s, SIGKILL group"; kill -KILL -- "-$GW_PID"; fi
  GW_PID=""
}
cleanup() {
  for p in "${BG_PIDS[@]}"; do
    for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do kill "$c" 2>/dev/null; done
    kill "$p" 2>/dev/null
  done
  BG_PIDS=()
  stop_gw TERM
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && ev "fake llm stopped"
  FAKE_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

agent() {  # agent <id> <message> [timeout]
  ev "agent turn agent=$1 msg=\"$2\""
  timeout --foreground "${3:-180}" "$OC" agent --agent "$1" --message "$2" >>"$RUN_DIR/logs/agent-cli.out" 2>&1
  ev "agent turn done agent=$1 rc=$?"
}
# Number of model calls the gateway has started so far (`[model-fetch] start` DEBUG records;
# the fake LLM lists a request only once it is answered, so a hanging call shows up only here).
fake_requests() { local n; n=$(grep -c 'model-fetch\] start' "$RUN_DIR/logs/openclaw.log" 2>/dev/null); echo "${n:-0}"; }
agent_bg() { agent "$@" & BG_PIDS+=($!); }
wait_bg() { for p in "${BG_PIDS[@]}"; do wait "$p"; done; BG_PIDS=(); }
cron_create() {  # cron_create <args…>: prints the job id
  local out; out=$(timeout --foreground 60 "$OC" cron create "$@" --json 2>>"$RUN_DIR/logs/cron-cli.out")
  echo "$out" >>"$RUN_DIR/logs/cron-cli.out"
  python3 -c 'import json,sys; t=sys.stdin.read(); d=json.loads(t[t.find("{"):]); print((d.get("job") or d).get("id",""))' <<<"$out"
}

# checkpoint NAME: mark a phase boundary; with CHECKPOINTS=1 wait (≤ 90 s) until the driver
# touches $RUN_DIR/go-NAME (the live test reports on the healthy phase there).
checkpoint() {
  ev "=== checkpoint $1"
  [ "${CHECKPOINTS:-0}" = 1 ] || return 0
  for _ in $(seq 1 180); do [ -e "$RUN_DIR/go-$1" ] && break; sleep 0.5; done
}

# Wait until $1 seconds have passed since $2 (epoch seconds).
wait_until() { while [ $(( $(date +%s) - $2 )) -lt "$1" ]; do sleep 2; done; }

# Copy the state (SQLite via the backup API, as lab/run.sh does) and logs into OUT_DIR.
collect() {
  mkdir -p "$OUT_DIR"/{logs,state,config}
  cp -a "$RUN_DIR"/logs/. "$OUT_DIR/logs/"
  cp "$HOME/.openclaw/openclaw.json" "$OUT_DIR/config/"
  python3 - "$HOME/.openclaw" "$OUT_DIR/state" <<'PY'
import os, sqlite3, sys
src, dst = sys.argv[1], sys.argv[2]
for root, dirs, files in os.walk(src):
    dirs[:] = [d for d in dirs if d not in ("cache", "workspace", "tmp", "logs") and not d.startswith("workspace-")]
    for f in files:
        p = os.path.join(root, f); rel = os.path.relpath(p, src)
        out = os.path.join(dst, rel); os.makedirs(os.path.dirname(out), exist_ok=True)
        if f.endswith(".sqlite") and "lock" not in f and "generation-" not in f:
            s = sqlite3.connect("file:%s?mode=ro" % p, uri=True); d = sqlite3.connect(out)
            s.backup(d); d.execute("PRAGMA journal_mode=DELETE"); d.close(); s.close()
        elif f.endswith((".jsonl", ".json")) and os.path.getsize(p) < 5_000_000:
            open(out, "wb").write(open(p, "rb").read())
PY
  ev "artifacts in $OUT_DIR"
}
