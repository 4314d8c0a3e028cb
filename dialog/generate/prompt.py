"""The chat messages a reply is written from; the fine-tuning set is built with the same function.

The system prompt never changes, so a local model keeps it in its KV cache and each turn only
pays for the few tokens that follow (0.1 s instead of 1.2 s before the first word on 2 cores).
Facts are shown already rendered in the caller's language (dates, money, statuses), so the model
copies them instead of translating them. The facts shown are the ones the caller must hear (the
record's `SAY` fields that hold a value) and the ones its template speaks: every prompt token costs
~10 ms of prefill on 2 cores, so nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialog.contract import ActionResult
from dialog.generate.facts import spoken, spoken_facts
from dialog.generate.templates import template_fields
from dialog.types import Language, MoodLabel

SYSTEM_PROMPT = (
    "You are an online shop's phone customer service. 你是网店的电话客服。"
    "Reply in the caller's language, in one to three short spoken sentences, using only the given facts, "
    "copied exactly. Never invent numbers or dates."
)
INSTRUCTION: dict[Language, str] = {"en": "Reply in English.", "zh": "请用中文回答。"}
HISTORY_TURNS = 2


def facts_shown(result: ActionResult, language: Language) -> dict[str, str]:
    """The facts the reply needs, as said: what the caller must hear, then what its template speaks."""
    values = result.facts.values()
    said = spoken_facts(result.facts, language)
    needed = [name for name in result.facts.SAY if name in values]  # yes/no facts too ("in stock: no")
    names = [*needed, *sorted(template_fields(result, language) - set(needed))]
    shown = {}
    for name in names:
        if name not in values:
            continue
        shown[name] = spoken(values[name], language) if isinstance(values[name], bool) else said[name]
    return shown


def facts_block(result: ActionResult, language: Language) -> str:
    shown = facts_shown(result, language)
    return "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in shown.items()) or "(none)"


def outcome_line(result: ActionResult) -> str:
    """"cancel_order: done, saved" / "get_refund: refused, outside_window"."""
    outcome = "done" if result.ok else f"refused, {result.reason}"
    if result.ok and result.changed:
        outcome = "done, saved"
    if result.handoff:
        outcome += ", handing over to a person"
    return f"{result.action}: {outcome}"


def user_message(result: ActionResult, language: Language, caller_text: str = "", mood: MoodLabel = "neutral") -> str:
    lines = [f"Caller: {caller_text[:80] or '-'}", outcome_line(result), f"Facts: {facts_block(result, language)}"]
    if mood == "negative":
        lines.append("Mood: upset")
    lines.append(INSTRUCTION[language])
    return "\n".join(lines)


def build_messages(result: ActionResult, language: Language, caller_text: str = "", mood: MoodLabel = "neutral",
                   history: Sequence[tuple[str, str]] = ()) -> list[dict[str, str]]:
    """System prompt first (fixed), then the last few turns, then this turn's facts."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    for who, text in list(history)[-2 * HISTORY_TURNS:]:
        messages.append({"role": "assistant" if who == "assistant" else "user", "content": text})
    messages.append({"role": "user", "content": user_message(result, language, caller_text, mood)})
    return messages
