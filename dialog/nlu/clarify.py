"""Asking back when understanding is unsure, in the caller's language, and saying which kind of question it is.

- "choice": two intents are close: name both ("Do you want to cancel the order, or return it for a
  refund?" / "您是想取消订单，还是退货退款？");
- "confirm": one intent is likely but not sure: "Do you want to track your order?";
- "noise": nothing could be made of the turn: the generic "Sorry, I didn't catch that ...".
When the intent is clear no question is set: if the request still lacks a slot (an order number), the
agent asks for that. Wording lives in `data/clarify.yaml`.
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict

from dialog.data import read_yaml
from dialog.nlu.data import HERE, Intent
from dialog.types import ClarifyKind, Language

# Yes/no and small talk make poor options in a question.
NOT_OFFERED = frozenset({"greeting", "goodbye", "affirm", "deny", "out_of_scope"})
OPTION_MIN = 0.1  # an intent this unlikely is not offered as an option


class _Frames(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    choice: str
    confirm: str
    noise: str
    declined: str


class _Phrase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str
    zh: str


class _ClarifyFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    frames: dict[Language, _Frames]
    phrases: dict[Intent, _Phrase]


@cache
def _wording() -> _ClarifyFile:
    return read_yaml(HERE / "clarify.yaml", _ClarifyFile)


def clarifying_question(language: Language, options: list[str]) -> str:
    """The question naming the first two real options (best first); the generic one when there are none."""
    return clarification(language, [(o, 1.0) for o in options])[1]


def after_no(language: Language) -> str:
    """What the agent asks after the caller said no to its offer: anything else? (a next "no" is a goodbye)."""
    return _wording().frames[language].declined


def clarification(language: Language, ranked: list[tuple[str, float]], noise: bool = False
                  ) -> tuple[ClarifyKind, str]:
    """(kind, question) for an unsure turn, from the intents ranked best first with their probabilities."""
    wording = _wording()
    frames = wording.frames[language]
    options = [] if noise else [name for name, p in ranked[:3] if name not in NOT_OFFERED and p >= OPTION_MIN]
    phrases = [getattr(wording.phrases[o], language) for o in options[:2]]
    if len(phrases) == 2:
        return "choice", frames.choice.format(a=phrases[0], b=phrases[1])
    if phrases:
        return "confirm", frames.confirm.format(a=phrases[0])
    return "noise", frames.noise


def can_offer(ranked: list[tuple[str, float]]) -> bool:
    """Whether a question could name at least one real request (otherwise small talk is acted on as is)."""
    return any(name not in NOT_OFFERED and p >= OPTION_MIN for name, p in ranked[:3])
