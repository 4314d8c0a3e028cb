"""Is a reply correct? It states every expected fact, says nothing forbidden, and does not contradict its action.

A reply contradicts its action when it
- says it could not do something after the action succeeded (a failure line after a success);
- says a change was made after the action was refused (a success line after a refusal);
- claims a change other than the one the action made (cancelled when the action was a return, or any
  change when no action changed anything);
- puts the order's status in the wrong tense (a delivered order "will arrive", a paid one "has shipped").
The words are QA's own (`lexicon.py`); the facts are matched by `says.py`.
"""

from __future__ import annotations

from typing import Any

from voice.replay.lexicon import ACTION_CLAIMS, DONE, FAILURE, STATUS_TENSE, WRONG_TENSE
from voice.replay.says import misses, states


def said(text: str, phrases: list[str], language: str) -> list[str]:
    return [p for p in phrases if states(text, p, language)]


def contradictions(reply: str, action: dict[str, Any] | None, facts: dict[str, Any], language: str) -> list[str]:
    """What in the reply contradicts the action that ran in its turn (None: no action ran)."""
    found = []
    name, ok = (action or {}).get("name"), bool((action or {}).get("ok"))
    if name and ok and (hit := said(reply, FAILURE[language], language)):
        found.append(f"failure line after {name} succeeded: {hit[0]!r}")
    if name and not ok:
        hit = said(reply, DONE[language] + ACTION_CLAIMS.get(name, {}).get(language, []), language)
        if hit:
            found.append(f"success line after {name} was refused ({(action or {}).get('reason')}): {hit[0]!r}")
    for other, claims in ACTION_CLAIMS.items():
        if other != name and (hit := said(reply, claims[language], language)):
            found.append(f"claims {other} ({hit[0]!r}) but the action was {name or 'none'}")
    tense = STATUS_TENSE.get(str(facts.get("status")))
    if tense and (hit := said(reply, WRONG_TENSE[tense][language], language)):
        found.append(f"order is {facts['status']} but the reply says {hit[0]!r}")
    return found


def judge(text: str | None, want: dict[str, Any], answers: list[dict[str, Any]], language: str, *,
          own_replies: bool = True) -> dict[str, Any]:
    """One caller turn: `text` is what the assistant said in it (all its answers), `answers` the turn records
    with their actions. Each action is held against its own record's reply (`own_replies`), or against `text`
    when that is all there is (the transcript of the assistant's audio). No reply at all is never correct."""
    if not text:
        return {"correct": False, "missing": list(want.get("says", [])), "forbidden": [],
                "contradictions": ["no reply"]}
    missed = misses(text, want.get("says", []), want.get("must_not_say", []), language)
    found = [c for r in answers for c in contradictions((r.get("reply") if own_replies else None) or text,
                                                         r.get("action"), r.get("facts") or {}, language)]
    missing = [m.element for m in missed if m.kind == "missing"]
    forbidden = [m.element for m in missed if m.kind == "forbidden"]
    return {"correct": not (missing or forbidden or found), "missing": missing, "forbidden": forbidden,
            "contradictions": found}
