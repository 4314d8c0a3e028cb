"""The end-of-turn decision: today's words + silence rule, and the audio model's rules around it.

The model here is a stand-in that answers a fixed probability, so each rule is checked alone;
`test_turn_model.py` runs the real Smart Turn. Time is the silence the caller has left, as the
live transcriber passes it: no clocks.
"""

from __future__ import annotations

import numpy as np
import pytest

from speech.turn import EndOfTurnDetector, TurnOptions

NUMBER = TurnOptions().number_silence_s


class FixedModel:
    def __init__(self, p: float) -> None:
        self.p = p
        self.heard: list[int] = []

    def probability(self, pcm: np.ndarray) -> float:
        self.heard.append(len(pcm))
        return self.p


def audio(seconds: float = 2.0):
    return lambda: np.zeros(int(seconds * 16000), np.float32)


def run(detector: EndOfTurnDetector, text: str | None, up_to: float = 3.0, tick: float = 0.02) -> float | None:
    """Feed one pause in 20 ms ticks, as the live transcriber does; the silence at which the turn ends."""
    t = 0.128  # the VAD reports the pause after 128 ms of silence
    while t <= up_to:
        if detector.is_end(round(t, 3), text, audio=audio()):
            return round(t, 3)
        t += tick
    return None


@pytest.mark.parametrize(("text", "ends_at"), [
    ("My order number is 10023.", 0.55),
    ("我的订单号是一零零二三。", 0.55),
    ("I want to return it and", 1.2),
    ("我想退货，然后", 1.2),
    (None, 1.2),
])
def test_without_a_model_the_words_and_silence_rule_is_unchanged(text, ends_at):
    detector = EndOfTurnDetector()
    assert not detector.is_end(ends_at - 0.01, text)
    assert detector.is_end(ends_at, text)
    assert detector.verdict.rule == ("finished-words" if ends_at == 0.55 else "max-silence")


@pytest.mark.parametrize(("text", "ends_at"), [
    ("My order number is 100.", NUMBER),  # "one zero zero… two three": read in groups
    ("My order number is 10023.", 0.55),
    ("我的订单号是一零零。", NUMBER),
    ("我的订单号是100。", NUMBER),
    ("My phone number is 138, 1234, 5678.", 0.55),  # groups Whisper wrote apart count together
    ("我的手机号是138、1234、5678。", 0.55),
    ("我的订单号是10023。", 0.55),
    ("The last four digits are 88.", NUMBER),
    ("The last four digits are 8812.", 0.55),
    ("Sure, the last four digits of my phone are 7125.", 0.55),
    ("我的手机尾号是88。", NUMBER),
    ("My phone number is 555 123.", NUMBER),
    ("My phone number is 5551234456.", 0.55),
    ("我的手机号是138。", NUMBER),
    ("我的手机号是13812345678。", 0.55),
    ("I want 2.", 0.55),  # a digit no words announce as a number says nothing
    ("我要买2个。", 0.55),
])
def test_a_number_read_only_in_part_is_waited_for(text, ends_at):
    """A caller reading a number off a card or a screen pauses between its groups: they get the long wait."""
    detector = EndOfTurnDetector()
    assert not detector.is_end(ends_at - 0.01, text)
    assert detector.is_end(ends_at, text)


@pytest.mark.parametrize(("text", "ends_at"), [
    # words that promise more get the long wait, whatever full stop Whisper put after them
    ("My address is...", 1.2),  # Whisper's own mark of a voice that trailed off
    ("I paid with my…", 1.2),
    ("The problem is.", 1.2),
    ("我的地址是。", 1.2),
    ("我要退货，或者。", 1.2),
    ("The tracking code is SF.", NUMBER),  # a number announced and not begun
    ("快递单号是顺风。", NUMBER),
    # short answers and questions are finished
    ("Yes, it is.", 0.55),
    ("Can you tell me where my order is?", 0.55),
    ("What is it for?", 0.55),
    ("I forgot my order number.", 0.55),
    ("是。", 0.55),
    ("不是。", 0.55),
    ("怎么修改账户绑定的手机号？", 0.55),
])
def test_words_that_trail_off_wait_and_short_answers_do_not(text, ends_at):
    detector = EndOfTurnDetector()
    assert not detector.is_end(ends_at - 0.01, text)
    assert detector.is_end(ends_at, text)


@pytest.mark.parametrize("text", ["My order number is 100.", "我的订单号是一零零。"])
def test_a_number_read_only_in_part_vetoes_a_complete_sound(text):
    detector = EndOfTurnDetector(model=FixedModel(0.95))
    assert run(detector, text, up_to=1.9) is None


def test_audio_is_ignored_when_no_model_was_given():
    detector = EndOfTurnDetector()
    assert run(detector, "Where is my order?") == pytest.approx(0.568)


@pytest.mark.parametrize("text", ["Where is my order?", "我的快递到哪儿了？", "10023"])
def test_complete_after_a_short_silence_ends_the_turn(text):
    model = FixedModel(0.9)
    detector = EndOfTurnDetector(model=model)
    assert run(detector, text) == pytest.approx(0.208)
    v = detector.verdict
    assert (v.end, v.rule, v.probability, v.model_calls, v.wait_s) == (True, "complete", 0.9, 1, 0.2)
    assert model.heard == [32000]  # the audio is fetched only when the model runs


@pytest.mark.parametrize("text", ["一零零", "um"])
def test_incomplete_waits_up_to_the_long_silence_asking_again_as_the_pause_grows(text):
    model = FixedModel(0.1)
    detector = EndOfTurnDetector(TurnOptions(rescore_every_s=0.3), model=model)
    assert run(detector, text) == pytest.approx(2.008)
    v = detector.verdict
    assert (v.rule, v.wait_s, v.probability) == ("timeout", 2.0, 0.1)
    assert v.model_calls == 7  # at 0.2, 0.5, ... 2.0 s of silence: not on every 20 ms tick
    assert v.scored_at_s == pytest.approx(2.008, abs=0.03)


@pytest.mark.parametrize("text", ["I'd like to change the address and", "我的订单号是那个", "So um,"])
def test_words_that_trail_off_veto_a_complete_sound(text):
    detector = EndOfTurnDetector(model=FixedModel(0.95))
    assert run(detector, text) == pytest.approx(2.008)
    assert detector.verdict.rule == "timeout"


def test_complete_waits_for_the_words_which_the_final_text_needs_anyway():
    detector = EndOfTurnDetector(model=FixedModel(0.95))
    assert not detector.is_end(0.3, None, audio=audio())
    assert detector.verdict.rule == "waiting"
    assert detector.is_end(0.32, "Thanks.", audio=audio())


def test_a_new_pause_starts_afresh():
    model = FixedModel(0.1)
    detector = EndOfTurnDetector(model=model)
    assert not detector.is_end(0.9, "one zero zero", audio=audio())
    assert detector.verdict.model_calls == 1
    model.p = 0.9  # the caller spoke again, then paused after the last digits
    assert detector.is_end(0.2, "one zero zero two three.", audio=audio())
    assert detector.verdict.model_calls == 1  # counted for this pause alone


def test_every_wait_is_a_setting():
    o = TurnOptions(complete_silence_s=0.4, incomplete_silence_s=1.0, threshold=0.8, rescore_every_s=0.5)
    assert run(EndOfTurnDetector(o, model=FixedModel(0.85)), "Yes.") == pytest.approx(0.408)
    assert run(EndOfTurnDetector(o, model=FixedModel(0.75)), "Yes.") == pytest.approx(1.008)


def test_a_failing_model_is_one_log_line_and_the_words_decide(caplog):
    class Broken:
        def probability(self, pcm: np.ndarray) -> float:
            raise RuntimeError("onnxruntime: bad input")

    detector = EndOfTurnDetector(model=Broken())
    with caplog.at_level("WARNING", logger="voicedesk.turn"):
        assert run(detector, "Where is my order?") == pytest.approx(0.568)
    assert detector.verdict.rule == "finished-words"
    assert [r.getMessage() for r in caplog.records] == [
        "end-of-turn model failed (RuntimeError: onnxruntime: bad input): words and silence decide this pause"]
