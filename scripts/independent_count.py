#!/usr/bin/env python3
"""Independent count over OpenClaw files, for checking `lanetop report --json`.

Written from the format docs in ../shared/openclaw with the Python standard library only
(json, sqlite3), sharing no code with lanetop. Usage:

    independent_count.py [--since RFC3339] STATE_DIR LOG [LOG...]   -> prints one JSON object

Counts: fallback decision records and by reason; `lane wait exceeded` per lane; sessions per
agent; cron runs by status per job; gateway boots (process starts: `loading configuration…`
records, or `gateway_boot_lifecycle` rows when the state DB exists); total USD (sum of
`usage.cost.total` over assistant messages of all transcripts, archived ones included: the
legacy `<id>.jsonl.reset.<ts>` / `.deleted.<ts>` files and the SQLite
`session_transcript_archives` blobs, decompressed with the `zstd` CLI when zstd-encoded). With `--since T`: also
`usd_since` / `turns_since` / `usd_since_by_agent`: the same sums over the assistant messages
whose time is at or after T (entry `timestamp` ISO string, else `message.timestamp` epoch ms,
else the row's `created_at` ms for SQLite; FORMATS.md §3).
"""
import glob
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict


def log_records(paths):
    for p in paths:
        with open(p, "rb") as f:
            for raw in f:
                try:
                    yield json.loads(raw)
                except Exception:
                    continue


def text_of(r):
    if isinstance(r.get("message"), str):
        return r["message"]
    nums = sorted((int(k), v) for k, v in r.items() if k.isdigit() and isinstance(v, str))
    return nums[-1][1] if len(nums) > 1 else ""


def subsystem(r):
    name = (r.get("_meta") or {}).get("name") or r.get("0") or ""
    try:
        b = json.loads(name)
        return b.get("subsystem") or b.get("module") or ""
    except Exception:
        return name


def ro(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def iso_ms(s):
    """ISO 8601 UTC (`2026-11-22T01:58:02.092Z`) -> epoch ms, without datetime parsing libs."""
    from datetime import datetime
    try:
        return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000)
    except Exception:
        return None


def entry_ms(e, m, fallback=None):
    t = e.get("timestamp")
    if isinstance(t, str) and iso_ms(t) is not None:
        return iso_ms(t)
    if isinstance(m.get("timestamp"), (int, float)):
        return int(m["timestamp"])
    return fallback


SINCE = {"ms": None, "usd": 0.0, "turns": 0, "by_agent": Counter()}


def count_since(agent, e, m, cost, fallback=None):
    if SINCE["ms"] is None:
        return
    t = entry_ms(e, m, fallback)
    if t is not None and t >= SINCE["ms"]:
        SINCE["usd"] += cost
        SINCE["turns"] += 1
        SINCE["by_agent"][agent] += cost


def main():
    args = sys.argv[1:]
    if args and args[0] == "--since":
        SINCE["ms"] = iso_ms(args[1])
        args = args[2:]
    state, logs = args[0], args[1:]
    decisions, by_reason, waits, log_boots = 0, Counter(), Counter(), 0
    for r in log_records(logs):
        t = text_of(r)
        if t == "model fallback decision":
            decisions += 1
            meta = r.get("1") if isinstance(r.get("1"), dict) else {}
            if meta.get("reason"):
                by_reason[meta["reason"]] += 1
        elif t.startswith("lane wait exceeded: lane="):
            waits[t.split("lane=", 1)[1].split(" ", 1)[0]] += 1
        elif t == "loading configuration…" and subsystem(r) == "gateway":
            log_boots += 1

    sessions = {}
    runs = defaultdict(Counter)
    usd = 0.0
    boots = log_boots
    sqlite_agents = glob.glob(os.path.join(state, "agents/*/agent/openclaw-agent.sqlite"))
    if sqlite_agents:
        for db in sqlite_agents:
            agent = db.split(os.sep)[-3]
            c = ro(db)
            sessions[agent] = c.execute("select count(*) from session_nodes").fetchone()[0]
            for (ev, created) in c.execute("select event_json, created_at from transcript_events where event_json is not null"):
                e = json.loads(ev)
                m = e.get("message") or {}
                if e.get("type") == "message" and m.get("role") == "assistant":
                    cost = ((m.get("usage") or {}).get("cost") or {}).get("total") or 0.0
                    usd += cost
                    count_since(agent, e, m, cost, created)
            has_archives = c.execute(
                "select count(*) from sqlite_master where name = 'session_transcript_archives'"
            ).fetchone()[0]
            for (enc, blob, created) in (
                c.execute("select encoding, archive_blob, created_at from session_transcript_archives")
                if has_archives
                else []
            ):
                data = blob if enc == "identity" else subprocess.run(
                    ["zstd", "-dc"], input=blob, capture_output=True, check=True
                ).stdout
                for line in data.splitlines():
                    try:
                        e = json.loads(line)
                    except Exception:
                        continue
                    m = e.get("message") or {}
                    if e.get("type") == "message" and m.get("role") == "assistant":
                        cost = ((m.get("usage") or {}).get("cost") or {}).get("total") or 0.0
                        usd += cost
                        count_since(agent, e, m, cost, created)
        sdb = os.path.join(state, "state/openclaw.sqlite")
        if os.path.exists(sdb):
            c = ro(sdb)
            for job, status in c.execute("select job_id, status from cron_run_receipts"):
                runs[job][status] += 1
            boots = c.execute("select count(*) from gateway_boot_lifecycle").fetchone()[0]
    else:
        for sj in glob.glob(os.path.join(state, "agents/*/sessions/sessions.json")):
            agent = sj.split(os.sep)[-3]
            sessions[agent] = len(json.load(open(sj)))
        transcripts = glob.glob(os.path.join(state, "agents/*/sessions/*.jsonl"))
        for archive in ("reset", "deleted"):
            transcripts += glob.glob(os.path.join(state, f"agents/*/sessions/*.jsonl.{archive}.*"))
        for tj in transcripts:
            name = os.path.basename(tj)
            if name.endswith(".trajectory.jsonl") or ".checkpoint." in name:
                continue
            for line in open(tj, "rb"):
                try:
                    e = json.loads(line)
                except Exception:
                    continue
                m = e.get("message") or {}
                if e.get("type") == "message" and m.get("role") == "assistant":
                    cost = ((m.get("usage") or {}).get("cost") or {}).get("total") or 0.0
                    usd += cost
                    count_since(tj.split(os.sep)[-3], e, m, cost)
        for rj in glob.glob(os.path.join(state, "cron/runs/*.jsonl")):
            for line in open(rj, "rb"):
                try:
                    e = json.loads(line)
                except Exception:
                    continue
                if e.get("action") == "finished":
                    runs[e["jobId"]][e.get("status", "unknown")] += 1
    out = {
        "decisions": decisions,
        "by_reason": dict(sorted(by_reason.items())),
        "wait_exceeded": dict(sorted(waits.items())),
        "sessions_per_agent": dict(sorted(sessions.items())),
        "cron_runs_by_status": {j: dict(sorted(c.items())) for j, c in sorted(runs.items())},
        "boots": boots,
        "total_usd": round(usd, 6),
    }
    if SINCE["ms"] is not None:
        out["usd_since"] = round(SINCE["usd"], 6)
        out["turns_since"] = SINCE["turns"]
        out["usd_since_by_agent"] = {a: round(v, 6) for a, v in sorted(SINCE["by_agent"].items())}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
