#!/usr/bin/env python3
"""Build the raw seed corpora for the fuzz targets from the REAL OpenClaw artifacts.

Usage: scripts/fuzz_seed.py [SHARED_DIR] [OUT_DIR]
  SHARED_DIR defaults to ../shared (beside the checkout), OUT_DIR to fuzz/corpus-work.

Writes OUT_DIR/<target>/<sha1-prefix> files (one input each); `scripts/fuzz_run.sh cmin`
then minimizes them into the committed fuzz/corpus/<target>/. Deterministic: a fixed-seed
sample, names are content hashes.

Sources (all under SHARED_DIR/openclaw):
- log_lines: every distinct line of captured{,-legacy}/logs/openclaw.log (tslog JSONL),
  gateway.console.log (console text with ANSI), samples/legacy/tmp-openclaw/*.log (2026.3.x),
  samples/gateway-openclaw-2026-09-06.log; the console lines also with a journald prefix and
  with their colours stripped; plus 200 sampled runs of 2-6 consecutive lines.
- sessions_json: every sessions.json under captured-legacy and samples/legacy.
- transcript: every line of every transcript <id>.jsonl (not trajectories), and
  samples/transcript-events.jsonl; plus the whole files.
- config: captured{,-legacy}/config/openclaw.json, samples/openclaw.json5.
- rpc_frame: samples/ws-frames.jsonl lines (minus the _dir/_note annotations) and the JSON
  frames of captured*/logs/rpc.out.
- sqlite_event: the transcript entries as an event_json column (selector 0) and zstd-compressed
  (selector 1, when the `zstd` tool is installed).
"""
import hashlib
import json
import os
import random
import re
import subprocess
import sys

SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus-work")
OC = os.path.join(SHARED, "openclaw")
rng = random.Random(6)
ANSI = re.compile(rb"\x1b\[[0-9;]*m")


def put(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def lines(path):
    with open(path, "rb") as f:
        return [l for l in f.read().split(b"\n") if l.strip()]


def walk(root, pred):
    out = []
    for dp, _, fs in os.walk(root):
        for f in sorted(fs):
            if pred(f):
                out.append(os.path.join(dp, f))
    return sorted(out)


# log_lines
logs = [os.path.join(OC, p) for p in (
    "captured/logs/openclaw.log", "captured-legacy/logs/openclaw.log",
    "captured-legacy/recovery-supplement/logs/openclaw.log",
    "samples/gateway-openclaw-2026-09-06.log")]
logs += walk(os.path.join(OC, "samples/legacy/tmp-openclaw"), lambda f: f.endswith(".log"))
consoles = [os.path.join(OC, p) for p in (
    "captured/logs/gateway.console.log", "captured-legacy/logs/gateway.console.log",
    "captured-legacy/recovery-supplement/logs/gateway.console.log")]
all_lines = []
for p in logs + consoles:
    if os.path.exists(p):
        all_lines.extend(lines(p))
for p in consoles:
    if os.path.exists(p):
        for l in lines(p):
            plain = ANSI.sub(b"", l)
            put("log_lines", plain)
            put("log_lines", b"Nov 22 01:49:20 gw-host openclaw[4242]: " + plain)
for l in set(all_lines):
    put("log_lines", l)
for _ in range(200):
    i = rng.randrange(len(all_lines))
    put("log_lines", b"\n".join(all_lines[i:i + rng.randrange(2, 7)]) + b"\n")

# sessions_json
for p in walk(os.path.join(OC, "captured-legacy"), lambda f: f == "sessions.json") + \
        walk(os.path.join(OC, "samples/legacy"), lambda f: f == "sessions.json"):
    with open(p, "rb") as f:
        put("sessions_json", f.read())

# transcript (+ sqlite_event)
def is_transcript(f):
    return f.endswith(".jsonl") and ".trajectory" not in f and not f.startswith(".")

tfiles = walk(os.path.join(OC, "captured-legacy"), is_transcript) + \
    walk(os.path.join(OC, "samples/legacy"), is_transcript) + \
    [os.path.join(OC, "samples/transcript-events.jsonl")]
entries = set()
for p in tfiles:
    if "/cron" in p:
        continue
    with open(p, "rb") as f:
        whole = f.read()
    if len(whole) < 64 * 1024:
        put("transcript", whole)
    entries.update(lines(p))
have_zstd = subprocess.run(["sh", "-c", "command -v zstd"], capture_output=True).returncode == 0
for e in entries:
    put("transcript", e)
    put("sqlite_event", b"\x00" + e)
    if have_zstd:
        z = subprocess.run(["zstd", "-q", "-c", "-3"], input=e, capture_output=True).stdout
        put("sqlite_event", b"\x01" + z)

# config
for p in ("captured/config/openclaw.json", "captured-legacy/config/openclaw.json",
          "samples/openclaw.json5"):
    with open(os.path.join(OC, p), "rb") as f:
        put("config", f.read())

# rpc_frame
for l in lines(os.path.join(OC, "samples/ws-frames.jsonl")):
    try:
        v = json.loads(l)
    except ValueError:
        continue
    if isinstance(v, dict):
        v.pop("_dir", None)
        v.pop("_note", None)
    put("rpc_frame", json.dumps(v, separators=(",", ":")).encode())
# rpc.out holds the pretty-printed payloads of real RPC answers (CLI `gateway call`): each one
# becomes the `res` frame that carried it, with a small sample of event frames around them.
dec = json.JSONDecoder()
for n, p in enumerate(("captured/logs/rpc.out", "captured-legacy/logs/rpc.out")):
    with open(os.path.join(OC, p), encoding="utf-8", errors="replace") as f:
        text = f.read()
    i = 0
    while True:
        j = text.find("{", i)
        if j < 0:
            break
        try:
            doc, end = dec.raw_decode(text, j)
        except ValueError:
            i = j + 1
            continue
        i = end
        frame = {"type": "res", "id": str(rng.randrange(1000)), "ok": True, "payload": doc}
        put("rpc_frame", json.dumps(frame, separators=(",", ":")).encode())
        if len(json.dumps(doc)) < 4000:
            put("rpc_frame", json.dumps({"type": "event", "event": "sessions.changed",
                                         "payload": doc, "seq": i}).encode())

for t in sorted(os.listdir(OUT)):
    print(t, len(os.listdir(os.path.join(OUT, t))))
