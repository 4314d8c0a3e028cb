"""Scoring a replayed call against its scenario: recognition, understanding, mood, outcomes, latency."""

from __future__ import annotations

import statistics
from typing import Any

from dialog.sentiment.text import label_for
from dialog.shop import db
from dialog.shop.db import Shop
from speech.scoring import error_rate
from voice.replay.scenario import Call

ORDER_ACTIONS = {"track_order", "cancel_order", "change_shipping_address", "get_refund", "track_refund",
                 "check_invoice", "get_invoice", "payment_issue"}
ORDER_DETAILS = {"status", "items", "item_1", "item_count", "total", "address", "eta", "carrier", "tracking_number",
                 "placed_on", "delivered_on", "refund_amount", "refund_status", "email", "issued_on", "charges"}
STAGES = ("endpoint", "asr", "understand", "action", "first_token", "first_sentence", "tts_first", "first_audio",
          "voice_to_voice")


def snapshot(want: dict[str, Any], shop: Shop) -> dict[str, Any]:
    """What the database says right after the turn, for the outcomes that live there."""
    state: dict[str, Any] = {"complaints": shop.count(db.complaints)}
    if "order_status" in want:
        row = shop.order(str(want["order_status"]["order"]))
        state["order_status"] = row["status"] if row else None
    return state


def outcome_problem(want: dict[str, Any], records: list[dict[str, Any]], before: dict[str, Any],
                    after: dict[str, Any]) -> str | None:
    """None when the expected outcome holds (in the turn's records and the database), else what went wrong."""
    answered = [r for r in records if "action" in r]
    action = answered[-1]["action"] if answered else {"name": None, "ok": False, "reason": None, "handoff": False}
    shown = f"{action['name']} ok={action['ok']} reason={action['reason']}"
    if "action" in want:
        if (action["name"], action["ok"]) != (want["action"], want["ok"]) or \
                ("reason" in want and action["reason"] != want["reason"]):
            return f"got {shown}, expected {want}"
    elif "order_status" in want:
        number, status = want["order_status"]["order"], want["order_status"]["status"]
        if after.get("order_status") != status:
            return f"order {number} is {after.get('order_status') or 'missing'} ({shown}), expected {status}"
    elif "handoff" in want:
        if not any(r["action"].get("handoff") for r in answered):
            return f"not handed to a person ({shown})"
    elif "ticket" in want:
        if after["complaints"] <= before["complaints"]:
            return f"no complaint logged ({shown})"
    elif "refused" in want:
        for r in answered:
            told = sorted(set(r.get("facts", {})) & ORDER_DETAILS)
            if told or (r["action"]["ok"] and r["action"]["name"] in ORDER_ACTIONS):
                return f"order details told ({r['action']['name']}, facts {told})"
    return None


def score_turn(want: dict[str, Any], records: list[dict[str, Any]], language: str, problem: str | None
               ) -> dict[str, Any]:
    answered = [r for r in records if "intent" in r]
    last = answered[-1] if answered else None
    heard_text = " ".join(r.get("text", "") for r in records).strip() if language == "en" else \
        "".join(r.get("text", "") for r in records)
    slots_want = {k: str(v) for k, v in want.get("slots", {}).items()}
    slots_got = last.get("slots", {}) if last else {}
    fused = last["mood"]["turn"] if last else None
    mood = label_for(fused) if fused is not None else None
    return {
        "say": want["say"], "recognised": heard_text,
        "error_rate": round(error_rate([want["say"]], [heard_text], language), 4),
        "intent_expected": want["intent"], "intent": last["intent"] if last else None,
        "intent_ok": bool(last) and last["intent"] == want["intent"],
        "slots_expected": slots_want, "slots": slots_got,
        "slots_ok": sum(str(slots_got.get(k)) == v for k, v in slots_want.items()), "slots_total": len(slots_want),
        "mood_expected": want["mood"], "mood": mood, "mood_score": fused, "mood_ok": mood == want["mood"],
        "outcome": want.get("outcome"), "outcome_ok": problem is None if "outcome" in want else None,
        "outcome_problem": problem,
        "action": last["action"] if last else None,
        "reply": last.get("reply") if last else None, "heard": records[-1].get("heard") if records else None,
        "interrupted": any(r.get("interrupted") for r in records),
        "handoff": any((r.get("action") or {}).get("handoff") for r in answered),
        "latency_ms": last["latency_ms"] if last else {},
        "barge_in_after_s": want.get("barge_in_after_s"),
    }


def score_call(call: Call, turns: list[dict[str, Any]]) -> dict[str, Any]:
    language = call.language
    outcomes = [t["outcome_ok"] for t in turns if t["outcome_ok"] is not None]
    slots_total = sum(t["slots_total"] for t in turns)
    return {
        "error_rate": round(error_rate([t["say"] for t in turns], [t["recognised"] for t in turns], language), 4),
        "metric": "WER" if language == "en" else "CER",
        "intent_accuracy": _ratio(sum(t["intent_ok"] for t in turns), len(turns)),
        "slot_accuracy": _ratio(sum(t["slots_ok"] for t in turns), slots_total) if slots_total else None,
        "mood_agreement": _ratio(sum(t["mood_ok"] for t in turns), len(turns)),
        "outcomes_met": _ratio(sum(outcomes), len(outcomes)) if outcomes else None,
        "task_success": all(outcomes) and all(t["intent"] is not None for t in turns),
        "handoff": any(t["handoff"] for t in turns),
        "handoff_expected": any((t["outcome"] or {}).get("handoff") for t in turns),
        "interruptions": sum(t["interrupted"] for t in turns),
    }


def summarize(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall figures across replayed calls (each item: {"call", "language", "score", "turns"})."""
    turns = [t for c in calls for t in c["turns"]]
    by_language = {}
    for language in ("en", "zh"):
        mine = [c for c in calls if c["language"] == language]
        if mine:
            ts = [t for c in mine for t in c["turns"]]
            by_language[language] = {
                "calls": len(mine), "turns": len(ts),
                "metric": "WER" if language == "en" else "CER",
                "error_rate": round(error_rate([t["say"] for t in ts], [t["recognised"] for t in ts], language), 4),
                "intent_accuracy": _ratio(sum(t["intent_ok"] for t in ts), len(ts)),
                "task_success": _ratio(sum(c["score"]["task_success"] for c in mine), len(mine)),
            }
    slots_total = sum(t["slots_total"] for t in turns)
    outcomes = [t["outcome_ok"] for t in turns if t["outcome_ok"] is not None]
    latency = {}
    for stage in STAGES:
        values = [t["latency_ms"][stage] for t in turns if t["latency_ms"].get(stage) is not None]
        if values:
            latency[stage] = {"median": round(statistics.median(values), 1), "p90": round(_p90(values), 1),
                              "n": len(values)}
    return {
        "calls": len(calls), "turns": len(turns), "by_language": by_language,
        "intent_accuracy": _ratio(sum(t["intent_ok"] for t in turns), len(turns)),
        "slot_accuracy": _ratio(sum(t["slots_ok"] for t in turns), slots_total) if slots_total else None,
        "mood_agreement": _ratio(sum(t["mood_ok"] for t in turns), len(turns)),
        "outcomes_met": _ratio(sum(outcomes), len(outcomes)) if outcomes else None,
        "task_success": _ratio(sum(c["score"]["task_success"] for c in calls), len(calls)),
        "handoffs": sum(c["score"]["handoff"] for c in calls),
        "handoffs_expected": sum(c["score"]["handoff_expected"] for c in calls),
        "interruptions": sum(c["score"]["interruptions"] for c in calls),
        "latency_ms": latency,
    }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else 0.0


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
