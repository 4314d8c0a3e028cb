"""Clarifying questions: which kind applies, and the wording in both languages."""

from __future__ import annotations

import pytest

from dialog.nlu.clarify import _wording as wording
from dialog.nlu.clarify import clarification, clarifying_question
from dialog.types import INTENTS


def test_every_intent_can_be_named_in_both_languages():
    phrases = wording().phrases
    assert set(INTENTS) <= set(phrases)
    assert all(p.en and p.zh for p in phrases.values())


@pytest.mark.parametrize(("language", "question"), [
    ("en", "Do you want to cancel the order, or return it for a refund?"),
    ("zh", "您是想取消订单，还是退货退款？"),
])
def test_two_close_intents_are_named(language, question):
    assert clarification(language, [("cancel_order", 0.41), ("get_refund", 0.38), ("track_order", 0.1)]) == (
        "choice", question)


def test_one_likely_intent_is_confirmed():
    assert clarification("en", [("track_order", 0.45), ("greeting", 0.2), ("deny", 0.1)]) == (
        "confirm", "Do you want to track your order?")
    assert clarification("zh", [("track_order", 0.45), ("out_of_scope", 0.3)])[0] == "confirm"


def test_unlikely_options_are_not_offered():
    kind, question = clarification("en", [("track_order", 0.45), ("get_refund", 0.05)])
    assert kind == "confirm" and "refund" not in question


@pytest.mark.parametrize("language", ["en", "zh"])
def test_noise_gets_the_generic_question(language):
    kind, question = clarification(language, [("track_order", 0.9)], noise=True)
    assert kind == "noise" and ("didn't catch" in question or "没听清" in question)
    assert clarifying_question(language, []) == question
