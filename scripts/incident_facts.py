#!/usr/bin/env python3
"""Independent facts of an incident reproduction, for checking `lanetop report --json` alerts.

Written from the format docs in ../shared/openclaw (FORMATS.md, OBSERVED.md) with the Python
standard library only (json, sqlite3), sharing no code with lanetop. Usage:

    incident_facts.py STATE_DIR LOG          -> prints one JSON object

Output:
  turns:      transcript messages of every agent DB, oldest first:
              {key, agent, sid, at_ms (entry `timestamp`), role, heartbeat, usd, text}
              (text: the first 200 characters of a user message, else null)
              (usd: assistant `usage.cost.total`, else 0; heartbeat: a user message whose
              provenance.sourceTool is "heartbeat" or whose text is the heartbeat poll)
  jobs:       cron_jobs rows {id, name, agent, enabled, session_key, session_target}
  decisions:  `model fallback decision` records {line, at_ms, sid, lane, decision}
  waits:      `lane wait exceeded` records {line, at_ms, lane, waited_ms}
  resumes:    restart recovery `started|resumed interrupted main session: <key>` {line, at_ms, key}
  marked:     restart recovery `marked N startup-orphaned|interrupted main session(s)` {line, at_ms, count}
  boots:      gateway_boot_lifecycle started_at (ms), oldest first
  switches:   `live session model switch` records {line, at_ms}
"""
import datetime as dt
import glob
import json
import os
import re
import sqlite3
import sys

POLL = "[OpenClaw heartbeat poll]"


def ro(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def iso_ms(s):
    return int(dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000)


def text_of(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if isinstance(c, dict))
    return ""


def main():
    state, log = sys.argv[1], sys.argv[2]
    turns, jobs, boots = [], [], []
    for db in sorted(glob.glob(os.path.join(state, "agents/*/agent/openclaw-agent.sqlite"))):
        agent = db.split(os.sep)[-3]
        c = ro(db)
        key_of = dict(c.execute("select session_id, session_key from session_windows"))
        for sid, ev in c.execute(
            "select session_id, event_json from transcript_events where event_json is not null order by session_id, seq"
        ):
            e = json.loads(ev)
            m = e.get("message") or {}
            if e.get("type") != "message" or m.get("role") not in ("user", "assistant"):
                continue
            if not isinstance(e.get("timestamp"), str):
                continue
            prov = m.get("provenance") or {}
            hb = m["role"] == "user" and (
                prov.get("sourceTool") == "heartbeat" or text_of(m.get("content")).strip() == POLL
            )
            usd = ((m.get("usage") or {}).get("cost") or {}).get("total") or 0.0
            turns.append({"key": key_of.get(sid), "agent": agent, "sid": sid,
                          "at_ms": iso_ms(e["timestamp"]), "role": m["role"],
                          "heartbeat": hb, "usd": usd if m["role"] == "assistant" else 0.0,
                          "text": text_of(m.get("content"))[:200] if m["role"] == "user" else None})
    turns.sort(key=lambda t: t["at_ms"])
    sdb = os.path.join(state, "state/openclaw.sqlite")
    if os.path.exists(sdb):
        c = ro(sdb)
        cols = [r[1] for r in c.execute("pragma table_info(cron_jobs)")]
        for row in c.execute("select * from cron_jobs"):
            r = dict(zip(cols, row))
            j = json.loads(r.get("job_json") or "{}") if "job_json" in r else {}
            jobs.append({
                "id": r.get("job_id") or r.get("id") or j.get("id"),
                "name": r.get("name") or j.get("name"),
                "agent": r.get("agent_id") or j.get("agentId"),
                "enabled": bool(r.get("enabled", j.get("enabled"))),
                "session_key": r.get("session_key") or j.get("sessionKey"),
                "session_target": r.get("session_target") or j.get("sessionTarget"),
            })
        boots = [b for (b,) in c.execute(
            "select started_at_ms from gateway_boot_lifecycle order by started_at_ms")]
    decisions, waits, resumes, switches, marked = [], [], [], [], []
    with open(log, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                r = json.loads(raw)
            except Exception:
                continue
            t = r.get("message") if isinstance(r.get("message"), str) else ""
            at = iso_ms(r["time"]) if isinstance(r.get("time"), str) else None
            if t == "model fallback decision":
                meta = r.get("1") if isinstance(r.get("1"), dict) else {}
                decisions.append({"line": n, "at_ms": at, "sid": meta.get("sessionId"),
                                  "lane": meta.get("lane"), "decision": meta.get("decision")})
            elif t.startswith("lane wait exceeded: "):
                lane = re.search(r"lane=(\S+)", t)
                w = re.search(r"waitedMs=(\d+)", t)
                waits.append({"line": n, "at_ms": at, "lane": lane and lane.group(1),
                              "waited_ms": int(w.group(1)) if w else None})
            elif re.match(r"marked \d+ (startup-orphaned|interrupted) main session", t):
                marked.append({"line": n, "at_ms": at, "count": int(t.split(" ")[1])})
            elif re.match(r"(started|resumed) interrupted main session: ", t):
                resumes.append({"line": n, "at_ms": at, "key": t.split(": ", 1)[1].split(" ")[0]})
            elif t.startswith("live session model switch "):
                switches.append({"line": n, "at_ms": at})
    print(json.dumps({"turns": turns, "jobs": jobs, "decisions": decisions, "waits": waits,
                      "resumes": resumes, "marked": marked, "boots": boots,
                      "switches": switches}, indent=1))


if __name__ == "__main__":
    main()
