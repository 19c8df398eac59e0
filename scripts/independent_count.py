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

`cron_run_costs`, per job with finished runs: what each run cost, from the transcript of the
session it ran in. 2026.9.6: receipts (`cron_run_receipts`, by `started_at_ms`) joined to
`task_runs` on `run_id = cron:<job>:<started>:<receipt>`; the run's session id is the `<sid>` of
`child_session_key = agent:<a>:cron:<job>:run:<sid>`; its cost is the sum of
`usage.cost.total` over the assistant messages of `transcript_events` with that `session_id`.
A heartbeat job's run (empty `child_session_key`) answered in `agent:<agent>:main`: the first
user message with `provenance.sourceTool == "heartbeat"` (or the text `[OpenClaw heartbeat
poll]`) timed inside `[started_at_ms, finished_at_ms]`, then the assistant messages after it up
to the next user message, timed up to `finished_at_ms`. ≤ 2026.5: run-log lines in file order;
the session id is the line's `sessionId`, else `sessions.json[sessionKey].sessionId`; the cost
is summed over `<sessionId>.jsonl`. `skipped` costs 0; a run with no assistant message found
has no known cost. Per job: `last_run_cost_usd` (newest run with a known cost), `samples` /
`usd_per_run` / `drift_usd_per_run` over the newest 10 known (drift: mean of the newest ⌊n/2⌋
minus the oldest ⌊n/2⌋, n ≥ 4), and `cost_usd`: every assistant message of the sessions whose
key names the job (2026.9.6 `session_windows.session_key`; ≤ 2026.5 `sessions.json` keys and
the run log's `sessionId`/`sessionKey`) plus a heartbeat job's answers.
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


HEARTBEAT_POLL = "[OpenClaw heartbeat poll]"


def is_poll(m):
    if (m.get("provenance") or {}).get("sourceTool") == "heartbeat":
        return True
    c = m.get("content")
    if isinstance(c, list):
        c = "".join(p.get("text", "") for p in c if isinstance(p, dict))
    return c == HEARTBEAT_POLL


def messages(events):
    """(time ms, role, message) of the `message` entries of one transcript, in order."""
    out = []
    for e, fallback in events:
        if e.get("type") != "message":
            continue
        m = e.get("message") or {}
        out.append((entry_ms(e, m, fallback), m.get("role"), m))
    return out


def cost_of(msgs):
    """Sum of `usage.cost.total` of the assistant messages, or None when there is none."""
    costs = [((m.get("usage") or {}).get("cost") or {}).get("total") or 0.0
             for _, role, m in msgs if role == "assistant"]
    return sum(costs) if costs else None


def poll_answer(msgs, start, end):
    """Cost of the answer to the first heartbeat poll timed in [start, end] (None: no answer)."""
    i = next((i for i, (t, role, m) in enumerate(msgs)
              if role == "user" and t is not None and start <= t <= end and is_poll(m)), None)
    if i is None:
        return None
    answer = []
    for t, role, m in msgs[i + 1:]:
        if role == "user" or t is None or t > end:
            break
        if role == "assistant":
            answer.append((t, role, m))
    return cost_of(answer)


def summarize(runs):
    """runs: [(status, cost|None)] oldest first -> the per-job figures."""
    known = [c for _, c in runs if c is not None]
    samples = known[-10:]
    out = {"last_run_cost_usd": round(known[-1], 6) if known else None,
           "samples": len(samples),
           "usd_per_run": round(sum(samples) / len(samples), 6) if samples else None,
           "drift_usd_per_run": None}
    if len(samples) >= 4:
        h = len(samples) // 2
        out["drift_usd_per_run"] = round(sum(samples[-h:]) / h - sum(samples[:h]) / h, 6)
    return out


def cron_sqlite(state):
    transcripts = defaultdict(list)   # session id -> [(entry, created_at)]
    key_of = {}                       # session id -> session key
    for db in glob.glob(os.path.join(state, "agents/*/agent/openclaw-agent.sqlite")):
        c = ro(db)
        for sid, key in c.execute("select session_id, session_key from session_windows"):
            key_of[sid] = key
        for sid, ev, created in c.execute(
                "select session_id, event_json, created_at from transcript_events "
                "where event_json is not null order by session_id, seq"):
            transcripts[sid].append((json.loads(ev), created))
    c = ro(os.path.join(state, "state/openclaw.sqlite"))
    jobs = {}
    for job_id, agent, kind, job_json in c.execute(
            "select job_id, agent_id, payload_kind, job_json from cron_jobs"):
        j = json.loads(job_json or "{}")
        jobs[job_id] = (agent or j.get("agentId"), (kind or (j.get("payload") or {}).get("kind")))
    runs, answers = defaultdict(list), defaultdict(float)
    for job, status, start, end, child in c.execute(
            "select r.job_id, r.status, r.started_at_ms, r.finished_at_ms, t.child_session_key "
            "from cron_run_receipts r left join task_runs t on t.run_id = "
            "'cron:' || r.job_id || ':' || r.started_at_ms || ':' || r.receipt_id "
            "order by r.started_at_ms"):
        if status == "running":
            continue
        cost = None
        if status == "skipped":
            cost = 0.0
        elif child and ":run:" in child:
            cost = cost_of(messages(transcripts.get(child.rsplit(":run:", 1)[1], [])))
        elif not child and jobs.get(job, (None, None))[1] == "heartbeat" and end is not None:
            main = f"agent:{jobs[job][0]}:main"
            msgs = messages([e for sid, k in key_of.items() if k == main
                             for e in transcripts.get(sid, [])])
            cost = poll_answer(msgs, start, end)
            answers[job] += cost or 0.0
        runs[job].append((status, cost))
    cost_by_job = defaultdict(float)
    for sid, key in key_of.items():
        parts = key.split(":")
        if len(parts) >= 4 and parts[2] == "cron":
            cost_by_job[parts[3]] += cost_of(messages(transcripts.get(sid, []))) or 0.0
    return runs, cost_by_job, answers


def cron_legacy(state):
    entries, sid_job = {}, {}
    for sj in glob.glob(os.path.join(state, "agents/*/sessions/sessions.json")):
        for key, e in json.load(open(sj)).items():
            entries[key] = e
            parts = key.split(":")
            if len(parts) >= 4 and parts[2] == "cron" and e.get("sessionId"):
                sid_job[e["sessionId"]] = parts[3]

    def transcript(sid):
        for tj in glob.glob(os.path.join(state, f"agents/*/sessions/{sid}.jsonl")):
            out = []
            for line in open(tj, "rb"):
                try:
                    out.append((json.loads(line), None))
                except Exception:
                    continue
            return messages(out)
        return []

    runs = defaultdict(list)
    for rj in sorted(glob.glob(os.path.join(state, "cron/runs/*.jsonl"))):
        for line in open(rj, "rb"):
            try:
                e = json.loads(line)
            except Exception:
                continue
            if e.get("action") != "finished":
                continue
            status = e.get("status", "unknown")
            sid = e.get("sessionId") or (entries.get(e.get("sessionKey") or "") or {}).get("sessionId")
            if sid:
                sid_job[sid] = e["jobId"]
            cost = 0.0 if status == "skipped" else (cost_of(transcript(sid)) if sid else None)
            runs[e["jobId"]].append((status, cost))
    cost_by_job = defaultdict(float)
    for sid, job in sid_job.items():
        cost_by_job[job] += cost_of(transcript(sid)) or 0.0
    return runs, cost_by_job, {}


def cron_run_costs(state):
    if glob.glob(os.path.join(state, "agents/*/agent/openclaw-agent.sqlite")):
        runs, cost_by_job, answers = cron_sqlite(state)
    else:
        runs, cost_by_job, answers = cron_legacy(state)
    out = {}
    for job in sorted(set(runs) | set(cost_by_job)):
        o = summarize(runs.get(job, []))
        o["cost_usd"] = round(cost_by_job.get(job, 0.0) + answers.get(job, 0.0), 6)
        out[job] = o
    return out


def jsonl_usd(lines, agent, created=None):
    """USD of the assistant messages of transcript JSONL `lines` (bad lines skipped), also
    counted into the `--since` sums."""
    usd = 0.0
    for line in lines:
        try:
            e = json.loads(line)
        except Exception:
            continue
        m = e.get("message") or {}
        if e.get("type") == "message" and m.get("role") == "assistant":
            cost = ((m.get("usage") or {}).get("cost") or {}).get("total") or 0.0
            usd += cost
            count_since(agent, e, m, cost, created)
    return usd


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
                usd += jsonl_usd(data.splitlines(), agent, created)
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
            with open(tj, "rb") as f:
                usd += jsonl_usd(f, tj.split(os.sep)[-3])
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
        "cron_run_costs": cron_run_costs(state),
    }
    if SINCE["ms"] is not None:
        out["usd_since"] = round(SINCE["usd"], 6)
        out["turns_since"] = SINCE["turns"]
        out["usd_since_by_agent"] = {a: round(v, 6) for a, v in sorted(SINCE["by_agent"].items())}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
