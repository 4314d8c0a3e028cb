"""Scoring a replayed call against its scenario: recognition, understanding, mood, outcomes, replies, actions.

Task success: every turn answered, every expected outcome met, every reply correct (`replies.py`: the facts
stated, nothing forbidden, no contradiction of its action) and no false action. A false action is a change
to an order the caller neither named nor confirmed: an order that no `slots.order_number` and no outcome
`order` of this or an earlier turn of the scenario names. Hand-offs, complaints and invoices sent by email
carry an order number without changing the order, so they are not judged.
"""

from __future__ import annotations

import statistics
from typing import Any

from dialog.sentiment.text import label_for
from dialog.shop import db
from dialog.shop.db import Shop
from speech.scoring import error_rate
from voice.replay.replies import judge
from voice.replay.scenario import Call
from voice.turns import WENT_ON

ORDER_ACTIONS = {"track_order", "cancel_order", "change_shipping_address", "get_refund", "track_refund",
                 "check_invoice", "get_invoice", "payment_issue"}
ORDER_DETAILS = {"status", "items", "item_1", "item_count", "total", "address", "eta", "carrier", "tracking_number",
                 "placed_on", "delivered_on", "refund_amount", "refund_status", "email", "issued_on", "charges"}
NOT_ORDER_CHANGES = {"contact_human_agent", "complaint", "get_invoice"}  # change a ticket or send mail, not the order
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
        if "order" in want and (target := action_target(answered[-1])) != f"order:{want['order']}":
            return f"{action['name']} ran on {target or 'no order'}, expected order:{want['order']}"
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


def action_target(record: dict[str, Any]) -> str | None:
    """What an action ran on: the record's explicit target ("order:10020", "account:12"), else its order fact."""
    action = record.get("action") or {}
    if action.get("target"):
        return str(action["target"])
    number = (record.get("facts") or {}).get("order_number")
    return f"order:{number}" if number else None


def grounded_orders(turns: list[dict[str, Any]]) -> list[set[str]]:
    """Per scenario turn, the orders the caller has named or confirmed by then (the scenario's ground truth)."""
    seen: set[str] = set()
    out = []
    for t in turns:
        if number := t.get("slots", {}).get("order_number"):
            seen.add(str(number))
        if number := (t.get("outcome") or {}).get("order"):
            seen.add(str(number))
        out.append(set(seen))
    return out


def is_false_action(record: dict[str, Any], grounded: set[str]) -> bool:
    """A change made on an order outside `grounded` (the orders the caller named or confirmed)."""
    action = record.get("action") or {}
    target = action_target(record) or ""
    return bool(action.get("changed")) and action.get("name") not in NOT_ORDER_CHANGES \
        and target.startswith("order:") and target.removeprefix("order:") not in grounded


def action_report(record: dict[str, Any], grounded: set[str]) -> dict[str, Any]:
    """What one action did, for the report: name, ok / reason, what it changed and ran on, its facts."""
    a = record["action"]
    return {"name": a.get("name"), "ok": a.get("ok"), "reason": a.get("reason"), "changed": a.get("changed"),
            "target": action_target(record), "facts": record.get("facts") or {},
            "false": is_false_action(record, grounded)}


def said_once(records: list[dict[str, Any]]) -> list[str]:
    """The caller's words in this turn's records, each once: a turn the caller went on from before hearing its
    reply is answered with the next one, whose text begins with it (`voice/turns.py`, `WENT_ON`)."""
    texts = [r.get("text", "") for r in records]
    return [t for i, t in enumerate(texts) if not (
        records[i].get("end") == WENT_ON and i + 1 < len(texts) and texts[i + 1].startswith(t))]


def score_turn(want: dict[str, Any], records: list[dict[str, Any]], language: str, problem: str | None,
               grounded: set[str] | None = None, heard_audio: str | None = None) -> dict[str, Any]:
    """`grounded`: the orders the caller has named or confirmed so far; `heard_audio`: the product ASR's
    transcript of the assistant's audio in this turn, when the replay made one."""
    answered = [r for r in records if "intent" in r]
    last = answered[-1] if answered else None
    spoken = " ".join(r.get("reply") or "" for r in answered).strip() or None
    acted = [r for r in answered if r.get("action")]
    heard_text = (" " if language == "en" else "").join(said_once(records)).strip()
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
        "actions": (actions := [action_report(r, grounded or set()) for r in acted]),
        "false_actions": [f"{a['name']} on {a['target']}" for a in actions if a["false"]],
        "says": want.get("says", []), "must_not_say": want.get("must_not_say", []),
        "reply_check": (check := judge(spoken, want, acted, language)), "reply_ok": check["correct"],
        "heard_audio": heard_audio,
        "heard_check": (heard := judge(heard_audio, want, acted, language, own_replies=False)
                        if heard_audio is not None else None),
        "heard_ok": heard["correct"] if heard else None,
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
    heard = [t["heard_ok"] for t in turns if t.get("heard_ok") is not None]
    false = [a for t in turns for a in t["false_actions"]]
    return {
        "error_rate": round(error_rate([t["say"] for t in turns], [t["recognised"] for t in turns], language), 4),
        "metric": "WER" if language == "en" else "CER",
        "intent_accuracy": _ratio(sum(t["intent_ok"] for t in turns), len(turns)),
        "slot_accuracy": _ratio(sum(t["slots_ok"] for t in turns), slots_total) if slots_total else None,
        "mood_agreement": _ratio(sum(t["mood_ok"] for t in turns), len(turns)),
        "outcomes_met": _ratio(sum(outcomes), len(outcomes)) if outcomes else None,
        "replies_correct": _ratio(sum(t["reply_ok"] for t in turns), len(turns)),
        "heard_correct": _ratio(sum(heard), len(heard)) if heard else None,
        "false_actions": len(false),
        "task_success": all(outcomes) and all(t["intent"] is not None for t in turns)
        and all(t["reply_ok"] for t in turns) and not false,
        "failed_because": _failed_because(turns, false),
        "handoff": any(t["handoff"] for t in turns),
        "handoff_expected": any((t["outcome"] or {}).get("handoff") for t in turns),
        "interruptions": sum(t["interrupted"] for t in turns),
    }


def _failed_because(turns: list[dict[str, Any]], false: list[str]) -> list[str]:
    why = [f"turn {i}: {t['outcome_problem']}" for i, t in enumerate(turns, 1) if t["outcome_ok"] is False]
    why += [f"turn {i}: no answer" for i, t in enumerate(turns, 1) if t["intent"] is None]
    why += [f"false action: {a}" for a in false]
    for i, t in enumerate(turns, 1):
        c = t["reply_check"]
        if not c["correct"]:
            parts = ([f"missing {m}" for m in c["missing"]] + [f"forbidden {m}" for m in c["forbidden"]]
                     + c["contradictions"])
            why.append(f"turn {i} reply: " + "; ".join(map(str, parts)))
    return why


def language_figures(calls: list[dict[str, Any]], language: str) -> dict[str, Any]:
    """The `make eval` row set of one language: every figure of the table, for its calls only."""
    ts = [t for c in calls for t in c["turns"]]
    slots_total = sum(t["slots_total"] for t in ts)
    outcomes = [t["outcome_ok"] for t in ts if t["outcome_ok"] is not None]
    heard = [t["heard_ok"] for t in ts if t.get("heard_ok") is not None]
    v2v = [t["latency_ms"]["voice_to_voice"] for t in ts if t["latency_ms"].get("voice_to_voice") is not None]
    right = [t for t in ts if t["intent_ok"]]
    return {
        "calls": len(calls), "turns": len(ts), "metric": "WER" if language == "en" else "CER",
        "error_rate": round(error_rate([t["say"] for t in ts], [t["recognised"] for t in ts], language), 4),
        "intent_accuracy": _ratio(sum(t["intent_ok"] for t in ts), len(ts)),
        "slot_accuracy": _ratio(sum(t["slots_ok"] for t in ts), slots_total) if slots_total else None,
        "slots": (sum(t["slots_ok"] for t in ts), slots_total),
        "mood_agreement": _ratio(sum(t["mood_ok"] for t in ts), len(ts)),
        "outcomes": (sum(outcomes), len(outcomes)),
        "replies_correct": (sum(t["reply_ok"] for t in ts), len(ts)),
        "heard_correct": (sum(heard), len(heard)),
        # the caller was understood and still asked "this or that?" / "say more" (issue 13's target: <= 5%)
        "asked_back": (sum((t.get("action") or {}).get("name") == "clarify" for t in right), len(right)),
        "false_actions": sum(c["score"]["false_actions"] for c in calls),
        "task_success": _ratio(sum(c["score"]["task_success"] for c in calls), len(calls)),
        "tasks": (sum(c["score"]["task_success"] for c in calls), len(calls)),
        "voice_to_voice": {"median": round(statistics.median(v2v), 1), "p90": round(_p90(v2v), 1)} if v2v else None,
    }


def summarize(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall figures across replayed calls (each item: {"call", "language", "score", "turns"})."""
    turns = [t for c in calls for t in c["turns"]]
    by_language = {}
    for language in ("en", "zh"):
        mine = [c for c in calls if c["language"] == language]
        if mine:
            by_language[language] = language_figures(mine, language)
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
        "replies_correct": _ratio(sum(t["reply_ok"] for t in turns), len(turns)),
        "false_actions": sum(c["score"]["false_actions"] for c in calls),
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
