"""Scenario files (`samples/calls/<id>/scenario.jsonl`): what the caller says and what should happen.

JSON Lines, so an error can name its line: line 1 is the call header, each later line one caller turn
(`say`, `audio`, `intent`, optional `slots`, `mood`, optional `outcome`, optional `barge_in_after_s`,
optional `says` and `must_not_say`: what the reply must and must not state, matched by `says.py`).
An action outcome may name the order it must run on: `{"action": "cancel_order", "ok": true, "order": "10020"}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dialog.types import INTENTS, Slots
from voice.replay.says import check_element

MOODS = ("negative", "neutral", "positive")
SLOT_NAMES = {f.name for f in fields(Slots)}
HEADER_KEYS = {"call", "language", "caller_id", "channel", "voice", "transforms", "description"}
TURN_KEYS = {"say", "audio", "intent", "slots", "mood", "outcome", "barge_in_after_s", "says", "must_not_say"}
OUTCOME_KINDS = ({"action", "ok"}, {"action", "ok", "reason"}, {"action", "ok", "order"},
                 {"action", "ok", "reason", "order"}, {"order_status"}, {"handoff"}, {"ticket"}, {"refused"})


class ScenarioError(ValueError):
    """A malformed scenario: the message names the file and the line."""


@dataclass(frozen=True)
class Call:
    folder: Path
    header: dict[str, Any]
    turns: list[dict[str, Any]]

    @property
    def id(self) -> str:
        return self.header["call"]

    @property
    def language(self) -> str:
        return self.header["language"]


def load_call(folder: Path, need_audio: bool = True) -> Call:
    path = folder / "scenario.jsonl"
    if not path.is_file():
        raise ScenarioError(f"{path}: no such file")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise ScenarioError(f"{path}:{n}: not JSON ({e.msg} at column {e.colno})") from None
        if not isinstance(row, dict):
            raise ScenarioError(f"{path}:{n}: a line must be a JSON object")
        rows.append(row)
    if not rows:
        raise ScenarioError(f"{path}: empty")
    header, turns = rows[0], rows[1:]
    _check_header(path, header, folder.name)
    ext = ".wav" if header["channel"] == "phone" else ".ogg"
    if not 1 <= len(turns) <= 12:
        raise ScenarioError(f"{path}: {len(turns)} caller turns (1-12 expected)")
    for n, turn in enumerate(turns, 2):
        _check_turn(f"{path}:{n}", turn, n - 1, ext, folder if need_audio else None)
    return Call(folder, header, turns)


def find_calls(paths: list[str | Path], need_audio: bool = True) -> list[Call]:
    """Calls from folders: a call's own folder, or a folder of call folders (samples/calls)."""
    calls = []
    for p in map(Path, paths):
        if (p / "scenario.jsonl").is_file():
            calls.append(load_call(p, need_audio))
        elif p.is_dir():
            calls += [load_call(f.parent, need_audio) for f in sorted(p.glob("*/scenario.jsonl"))]
        elif p.name == "scenario.jsonl":
            calls.append(load_call(p.parent, need_audio))
        else:
            raise ScenarioError(f"{p}: not a call folder or a folder of calls")
    if not calls:
        raise ScenarioError(f"no scenario.jsonl under {', '.join(map(str, paths))}")
    return calls


def _check_header(path: Path, h: dict[str, Any], name: str) -> None:
    where = f"{path}:1"
    missing = HEADER_KEYS - set(h)
    if missing or set(h) - HEADER_KEYS:
        raise ScenarioError(f"{where}: header keys {sorted(h)} (expected {sorted(HEADER_KEYS)})")
    if h["call"] != name:
        raise ScenarioError(f"{where}: call {h['call']!r} is not the folder name {name!r}")
    if h["language"] not in ("en", "zh"):
        raise ScenarioError(f"{where}: language {h['language']!r} (en or zh)")
    if h["caller_id"] is not None and not (isinstance(h["caller_id"], str) and h["caller_id"].isdigit()):
        raise ScenarioError(f"{where}: caller_id must be digits or null")
    if h["channel"] not in ("phone", "wideband"):
        raise ScenarioError(f"{where}: channel {h['channel']!r} (phone or wideband)")


def _check_turn(where: str, t: dict[str, Any], i: int, ext: str, folder: Path | None) -> None:
    if not {"say", "audio", "intent", "mood"} <= set(t) <= TURN_KEYS:
        raise ScenarioError(f"{where}: turn keys {sorted(t)} (needs say, audio, intent, mood; "
                            f"may have {sorted(TURN_KEYS - {'say', 'audio', 'intent', 'mood'})})")
    if folder is not None and not (folder / t["audio"]).is_file():
        raise ScenarioError(f"{where}: audio file {t['audio']} is missing")
    if t["intent"] not in INTENTS:
        raise ScenarioError(f"{where}: unknown intent {t['intent']!r}")
    if not set(t.get("slots", {})) <= SLOT_NAMES:
        raise ScenarioError(f"{where}: unknown slots {sorted(set(t['slots']) - SLOT_NAMES)}")
    if t["mood"] not in MOODS:
        raise ScenarioError(f"{where}: mood {t['mood']!r} (one of {', '.join(MOODS)})")
    if "outcome" in t and (not isinstance(t["outcome"], dict) or set(t["outcome"]) not in OUTCOME_KINDS):
        raise ScenarioError(f"{where}: outcome {t['outcome']} (one of {[sorted(k) for k in OUTCOME_KINDS]})")
    if "order" in t.get("outcome", {}) and not (isinstance(t["outcome"]["order"], str)
                                                and t["outcome"]["order"].isdigit()):
        raise ScenarioError(f"{where}: outcome order {t['outcome']['order']!r} must be an order number as digits")
    for key in ("says", "must_not_say"):
        if key in t:
            if not isinstance(t[key], list):
                raise ScenarioError(f"{where}: {key} must be a list")
            for element in t[key]:
                if problem := check_element(element):
                    raise ScenarioError(f"{where}: {key}: {problem}")
    if "barge_in_after_s" in t and (i == 1 or not isinstance(t["barge_in_after_s"], int | float)
                                    or not t["barge_in_after_s"] > 0):
        raise ScenarioError(f"{where}: barge_in_after_s needs a previous reply and a positive time")
