#!/usr/bin/env bash
# Incident reproductions with the REAL OpenClaw gateway (the lab of ../shared/openclaw/lab:
# real `openclaw@2026.9.6` vs the fake LLM, loopback only). One scenario per run:
#
#   lab/scenarios/run.sh retry-storm     minute-cron jobs (one isolated, one bound to agent:main:main)
#                                        while primary + secondary fail (404) and the tertiary
#                                        answers: 2 failed attempts per run, every minute
#                                        -> retry-storm (job), cron-main-binding (crit)
#   lab/scenarios/run.sh chain-replay    primary fails (404), secondary answers; one turn on
#                                        agent:main:main per boot, 3 boots
#                                        -> chain-replay (agent:main:main)
#   lab/scenarios/run.sh resume-flood    lane main limited to 1; turns in flight on the 3 agents'
#                                        main sessions, gateway SIGKILLed, restarted with a slow
#                                        provider; restart recovery resumes the 3 sessions onto lane
#                                        main, 2 user turns on other sessions wait behind them
#                                        -> resume-flood (lane main)
#   lab/scenarios/run.sh idle-heartbeat  one user turn on main, then only heartbeats (every
#                                        HEARTBEAT_EVERY, 30s here) -> idle-heartbeat
#                                        (agent:main:main; thresholds lowered in lanetop.toml)
#
# Each starts with a healthy phase ending at `=== checkpoint healthy` in
# logs/scenario-events.log (no detector may fire there). Env: OCLAB_PREFIX (/tmp/oclab),
# RUN_DIR (default $OCLAB_PREFIX/inc-<name>-<ts>), OUT_DIR ($RUN_DIR/artifacts), GW_PORT,
# FAKE_LLM_PORT, CHECKPOINTS=1 (wait for $RUN_DIR/go-<name> at each checkpoint),
# LANETOP_SHARED (../shared). The state is in $RUN_DIR/home/.openclaw, the log in
# $RUN_DIR/logs/openclaw.log; a copy lands in $OUT_DIR at the end.
set -uo pipefail
NAME="${1:?usage: run.sh retry-storm|chain-replay|resume-flood|idle-heartbeat}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SHARED="${LANETOP_SHARED:-$HERE/../../../shared}"
LAB="$SHARED/openclaw/lab"
PREFIX="${OCLAB_PREFIX:-/tmp/oclab}"
RUN_DIR="${RUN_DIR:-$PREFIX/inc-$NAME-$(date -u +%Y%m%dT%H%M%SZ)}"
OUT_DIR="${OUT_DIR:-$RUN_DIR/artifacts}"
case "$NAME" in
  idle-heartbeat) export HEARTBEAT_EVERY="${HEARTBEAT_EVERY:-30s}" ;;
  *) export HEARTBEAT_EVERY="${HEARTBEAT_EVERY:-6h}" ;;   # keep heartbeats out of the way
esac
# shellcheck source=lib.sh
source "$HERE/lib.sh"

python3 "$LAB/make_config.py" "$HOME/.openclaw/openclaw.json" >/dev/null
T0=$(date +%s)
start_fake
start_gw

case "$NAME" in
retry-storm)
  ev "=== phase healthy: one turn on main"
  agent main "hello main, healthy"
  checkpoint healthy
  ev "=== phase storm: primary + secondary 404, tertiary ok; two minute-cron jobs"
  ctl '{"fake-primary":{"mode":"404"},"fake-secondary":{"mode":"404"}}'
  ISO=$(cron_create --name inc-storm-isolated --cron "* * * * *" --exact --agent main \
        --session isolated --message "storm tick (isolated)" --no-deliver)
  MAINB=$(cron_create --name inc-storm-main-bound --cron "* * * * *" --exact --agent main \
        --session "session:agent:main:main" --session-key agent:main:main \
        --message "storm tick (bound to main)" --no-deliver)
  ev "cron jobs isolated=$ISO main-bound=$MAINB"
  S=$(date +%s)
  wait_until "${STORM_S:-200}" "$S"
  # Stop between runs (they start on the minute and take seconds), so no run is half-billed.
  while s=$((10#$(date -u +%S))); [ "$s" -lt 35 ] || [ "$s" -gt 50 ]; do sleep 1; done
  ;;
chain-replay)
  ev "=== phase healthy: one turn on main"
  agent main "hello main, healthy"
  checkpoint healthy
  ev "=== phase replay: primary 404, secondary ok; one turn per boot"
  ctl '{"fake-primary":{"mode":"404"}}'
  for boot in 1 2 3; do
    agent main "turn after boot $boot"
    if [ "$boot" != 3 ]; then stop_gw TERM; start_gw; fi
  done
  ;;
resume-flood)
  ev "=== phase healthy: one turn on each agent"
  agent main "hello main, healthy"; agent ops "hello ops, healthy"; agent research "hello research, healthy"
  checkpoint healthy
  ev "=== phase crash: turns in flight on 3 main sessions, SIGKILL"
  ctl '{"*":{"mode":"hang","delay":90}}'
  N0=$(fake_requests)
  agent_bg main "in flight main" 150; agent_bg ops "in flight ops" 150; agent_bg research "in flight research" 150
  # Crash only once all three runs are inside the model call (the fake got their requests).
  for _ in $(seq 1 240); do [ $(( $(fake_requests) - N0 )) -ge 3 ] && break; sleep 0.5; done
  ev "fake llm saw $(( $(fake_requests) - N0 )) in-flight requests"
  sleep 2
  stop_gw KILL
  wait_bg
  ev "=== phase flood: restart (lane main limited to 1) with a slow provider; user turns on other sessions"
  ctl '{"*":{"mode":"slow","delay":20}}'
  # Lane `main` holds one run at a time from this boot on (agents.defaults.maxConcurrent;
  # 2026.9.6 default max(8, cpus*4)): three resumed sessions starve it, as many interrupted
  # sessions would a default lane.
  python3 - "$HOME/.openclaw/openclaw.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["agents"]["defaults"]["maxConcurrent"] = 1
json.dump(c, open(p, "w"), indent=2)
PY
  ev "agents.defaults.maxConcurrent := 1"
  start_gw
  # Once recovery has resumed the first session, two users write to sessions of their own:
  # their turns queue on lane `main` behind the resumed runs.
  for _ in $(seq 1 360); do
    grep -q 'started interrupted main session: ' "$RUN_DIR/logs/openclaw.log" 2>/dev/null && break; sleep 0.5
  done
  ev "recovery started resuming"
  agent_user() {  # agent_user <agent> <session key> <message>
    ev "agent turn agent=$1 key=$2 msg=\"$3\""
    timeout --foreground 240 "$OC" agent --agent "$1" --session-key "$2" --message "$3" >>"$RUN_DIR/logs/agent-cli.out" 2>&1
    ev "agent turn done agent=$1 key=$2 rc=$?"
  }
  agent_user main agent:main:user-a "user A after restart" & BG_PIDS+=($!)
  agent_user ops agent:ops:user-b "user B after restart" & BG_PIDS+=($!)
  wait_bg
  ctl '{}'
  ;;
idle-heartbeat)
  ev "=== phase healthy: one user turn on main, then only heartbeats"
  agent main "hello main, healthy"
  checkpoint healthy
  ev "=== phase idle: heartbeats every $HEARTBEAT_EVERY, no user turn"
  # Until the heartbeat-main job has IDLE_POLLS (4) answered polls (cron_run_receipts
  # status ok), at least IDLE_S (150) s after the start, at most 480 s.
  hb_ok() {
    sqlite3 "file:$HOME/.openclaw/state/openclaw.sqlite?mode=ro" \
      "select count(*) from cron_run_receipts r join cron_jobs j on j.job_id = r.job_id
       where j.name = 'heartbeat-main' and r.status = 'ok'" 2>/dev/null || echo 0
  }
  while [ $(( $(date +%s) - T0 )) -lt 480 ]; do
    [ $(( $(date +%s) - T0 )) -ge "${IDLE_S:-150}" ] && [ "$(hb_ok)" -ge "${IDLE_POLLS:-4}" ] && break
    sleep 3
  done
  ev "heartbeat-main answered $(hb_ok) polls"
  ;;
*) echo "unknown scenario $NAME"; exit 2 ;;
esac

ev "=== collecting"
timeout 30 "$OC" cron list --all --json >"$RUN_DIR/logs/cron-list.json" 2>>"$RUN_DIR/logs/cron-cli.out"
curl -s "http://127.0.0.1:$FAKE_LLM_PORT/requests" >"$RUN_DIR/logs/fake_llm_requests.json"
cleanup
trap - EXIT
collect
ev "=== done in $(( $(date +%s) - T0 ))s"
