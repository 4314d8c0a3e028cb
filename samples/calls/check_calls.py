"""Check the sample calls: the files are well formed, and the text path does what each turn expects.

Each call's `say` lines are played through `voicedesk chat --script --json --llm none` (templates,
no LLM) on a freshly seeded copy of the demo shop, so calls never see each other's changes and
data/shop.db is never touched. Every turn where the assistant's intent, slots, mood or outcome
differs from the scenario is printed; the scenario is the truth, so a difference is a finding
about the assistant, not an error in the call. `order_status` and `ticket` outcomes are read from
the database once the call has ended (no later turn of a call touches the same order).
Usage: .venv/bin/python samples/calls/check_calls.py [--files-only] [--no-audio] [CALL_ID ...]
Exit status: 1 if a scenario is malformed (a difference in behaviour alone exits 0).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from voice.replay.scenario import Call, ScenarioError, load_call  # noqa: E402
from voice.replay.score import ORDER_ACTIONS, ORDER_DETAILS  # noqa: E402


def chat(call: Call, db: Path) -> list[dict[str, Any]]:
    """The assistant's record of each turn, from `voicedesk chat` on a fresh copy of the shop."""
    url = f"sqlite:///{db}"
    env = {**os.environ, "VOICEDESK_SHOP__DB_URL": url}
    python = REPO / ".venv/bin/python"
    subprocess.run([str(python), "-m", "dialog.shop.seed", "--url", url, "--reset"], cwd=REPO, env=env,
                   check=True, capture_output=True)
    script = db.with_suffix(".txt")
    script.write_text("".join(t["say"] + "\n" for t in call.turns), encoding="utf-8")
    command = [str(REPO / ".venv/bin/voicedesk"), "chat", "--script", str(script), "--json", "--llm", "none"]
    if call.header["caller_id"]:
        command += ["--caller-id", call.header["caller_id"]]
    out = subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def differences(call: Call, records: list[dict[str, Any]], db: Path) -> list[str]:
    found = []
    conn = sqlite3.connect(db)
    for i, (want, got) in enumerate(zip(call.turns, records, strict=True), 1):
        said = []
        if got["intent"] != want["intent"]:
            said.append(f"intent {got['intent']} (understood {got['understood_intent']} "
                        f"{got['confidence']:.2f}), expected {want['intent']}")
        for k, v in want.get("slots", {}).items():
            if str(got["slots"].get(k)) != str(v):
                said.append(f"slot {k}={got['slots'].get(k)!r}, expected {v!r}")
        if got["sentiment"]["label"] != want["mood"]:
            said.append(f"mood {got['sentiment']['label']}, expected {want['mood']}")
        if "outcome" in want:
            problem = _outcome_problem(want["outcome"], got, conn)
            if problem:
                said.append(problem)
        for s in said:
            found.append(f"{call.header['call']} turn {i}: {s}  | {want['say']}")
    return found


def _outcome_problem(want: dict[str, Any], got: dict[str, Any], conn: sqlite3.Connection) -> str | None:
    action = got["action"]
    shown = f"{action['name']} ok={action['ok']} reason={action['reason']}"
    if "action" in want:
        if (action["name"], action["ok"]) != (want["action"], want["ok"]) or \
                ("reason" in want and action["reason"] != want["reason"]):
            return f"outcome {shown}, expected {want}"
    elif "order_status" in want:
        order, status = want["order_status"]["order"], want["order_status"]["status"]
        row = conn.execute("select status from orders where number = ?", (order,)).fetchone()
        if row is None or row[0] != status:
            return f"order {order} is {row[0] if row else None} ({shown}), expected {status}"
    elif "handoff" in want:
        if not action["handoff"]:
            return f"no hand-off ({shown})"
    elif "ticket" in want:
        seeded = len(json.loads((REPO / "samples/shop/complaints.json").read_text(encoding="utf-8")))
        logged = conn.execute("select count(*) from complaints").fetchone()[0] - seeded
        if action["name"] != "complaint" or not action["ok"] or not logged:
            return f"no complaint logged this turn ({shown}; complaints logged in the call: {logged})"
    elif "refused" in want:  # told nothing of the order: a refusal, or a question back, or a hand-off
        told = sorted(set(got["facts"]) & ORDER_DETAILS) or (action["ok"] and action["name"] in ORDER_ACTIONS)
        if told:
            return f"order details told ({shown}, facts {sorted(got['facts'])})"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calls", nargs="*", help="call ids (default: all)")
    parser.add_argument("--files-only", action="store_true", help="check the files, do not run the assistant")
    parser.add_argument("--no-audio", action="store_true", help="do not require the audio files")
    args = parser.parse_args()
    folders = [HERE / c for c in args.calls] or sorted(p.parent for p in HERE.glob("*/scenario.jsonl"))
    try:
        calls = [load_call(f, need_audio=not args.no_audio) for f in folders]
    except ScenarioError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    turns = sum(len(c.turns) for c in calls)
    print(f"{len(calls)} calls, {turns} caller turns: files ok")
    if args.files_only:
        return 0
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for call in calls:
            db = Path(tmp) / f"{call.header['call']}.db"
            found = differences(call, chat(call, db), db)
            total += len(found)
            print(f"{call.header['call']}: {'as expected' if not found else f'{len(found)} differences'}")
            for line in found:
                print("  " + line)
    print(f"{total} differences in {turns} turns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
