"""The turn and barge-in rules on their own (voice/turns.py): no audio, no models, stream time only.

Each test plays what the session would observe, frame by frame on the call's clock, and checks the
decisions; both languages, backchannels in English and Mandarin."""

from __future__ import annotations

import pytest

from voice.turns import (
    Assistant,
    Draft,
    DropEarly,
    Final,
    Frame,
    Interrupt,
    Pause,
    Reprompt,
    Resume,
    Resumed,
    Silence,
    SpeechStarted,
    SpeechStopped,
    StartEarly,
    TakeTurn,
    TurnMachine,
    TurnTimings,
    Typed,
    Unheard,
    has_words,
    is_backchannel,
)

RATE = 8000
FRAME = RATE // 50
TALKING = Assistant(floor=True, busy=True)  # mid-reply
QUIET = Assistant(floor=False, busy=False)


def frames(m: TurnMachine, start: int, seconds: float, assistant: Assistant = TALKING) -> tuple[int, list]:
    """Feed `seconds` of frames from clock `start` (wall time = stream time here); the decisions in order."""
    clock, out = start, []
    for _ in range(round(seconds * RATE / FRAME)):
        clock += FRAME
        out += m.observe(Frame(clock, clock / RATE, assistant))
        out += m.observe(Silence(clock, assistant))
    return clock, out


def caller_starts(m: TurnMachine, clock: int, assistant: Assistant = TALKING) -> None:
    assert m.observe(SpeechStarted(clock, clock / RATE, assistant)) == []


@pytest.mark.parametrize("nod", ["嗯", "嗯嗯。", "对对", "好的", "Uh-huh.", "mm-hmm", "Okay.", "yeah"])
def test_a_backchannel_pauses_the_reply_then_resumes_it_and_takes_no_turn(nod):
    m = TurnMachine(RATE)
    caller_starts(m, 0)
    clock, out = frames(m, 0, 0.1)
    assert out == []  # inside the guard: the reply plays on
    clock, out = frames(m, clock, 0.1)
    assert out == [Pause(0.16)]  # 0.15 s guard, on whole 20 ms frames
    assert m.observe(Draft(nod, clock / RATE)) == [Resume(nod, paused=True)]
    assert m.observe(SpeechStopped(clock)) == []
    assert m.observe(Final(clock + 4000, nod, 1.0)) == []  # already judged a nod: nothing more
    assert m.turns == 0 and not m.barging_in


@pytest.mark.parametrize("words", ["Wait, I want to cancel my order.", "等一下，我想取消订单。"])
def test_words_over_the_reply_interrupt_it_and_take_the_turn(words):
    m = TurnMachine(RATE)
    caller_starts(m, 0)
    clock, out = frames(m, 0, 0.2)
    assert out == [Pause(0.16)]
    (interrupt,) = m.observe(Draft(words, 0.5))
    assert interrupt == Interrupt(words, paused=True, after_s=0.16)
    frames(m, clock, 1.0)  # the caller goes on past the confirm time: judged already, nothing more
    assert m.observe(Final(clock + 8000, words, 1.5)) == [TakeTurn(1, words)]


@pytest.mark.parametrize("nod, words", [("Okay", "Okay, actually I want to cancel my order."),
                                        ("嗯", "嗯，我想取消我的订单。")])
def test_a_nod_that_turns_into_words_takes_the_floor(nod, words):
    m = TurnMachine(RATE)
    caller_starts(m, 0)
    assert m.observe(Draft(nod, 0.05)) == [Resume(nod, paused=False)]  # judged before the guard: never paused
    assert m.observe(Final(16000, words, 2.0)) == [Interrupt(words, paused=False, after_s=2.0), TakeTurn(1, words)]


def test_speech_past_the_confirm_time_interrupts_without_words():
    m = TurnMachine(RATE, TurnTimings(guard_s=0.15, confirm_s=0.8))
    caller_starts(m, 0)
    _, out = frames(m, 0, 1.0)
    assert out == [Pause(0.16), Interrupt("long speech", paused=True, after_s=0.16)]
    assert out[1] == Interrupt("long speech", True, 0.16)
    m = TurnMachine(RATE)  # the boundaries are exact on the stream clock
    caller_starts(m, 0)
    decisions = [(clock, d) for clock in range(FRAME, 41 * FRAME, FRAME)
                 for d in m.observe(Frame(clock, 0.0, TALKING))]
    assert [clock for clock, _ in decisions] == [8 * FRAME, 40 * FRAME]  # 0.16 s, then 0.80 s exactly


def test_a_caller_who_stops_inside_the_guard_never_pauses_the_reply():
    m = TurnMachine(RATE)
    caller_starts(m, 0)
    frames(m, 0, 0.1)
    m.observe(SpeechStopped(800))
    _, out = frames(m, 800, 1.0)
    assert out == [] and m.barging_in  # the final text will settle it
    assert m.observe(Final(9000, "", 1.0)) == [Resume("", paused=False)]


def test_a_reply_that_ends_on_its_own_is_no_barge_in():
    m = TurnMachine(RATE)
    caller_starts(m, 0)
    _, out = frames(m, 0, 0.06, QUIET)  # the reply finished as the caller began
    assert out == [] and not m.barging_in
    assert m.observe(Final(8000, "Where is my order?", 1.0)) == [TakeTurn(1, "Where is my order?")]


@pytest.mark.parametrize("text", ["", "  ", "字幕由Amara社区提供", "Thanks for watching!"])
def test_no_words_no_turn(text):
    m = TurnMachine(RATE)
    caller_starts(m, 0, QUIET)
    assert m.observe(Final(8000, text, 1.0)) == [] and m.turns == 0


@pytest.mark.parametrize("first, second, joined", [
    ("I want to cancel my order", "number 10023", "I want to cancel my order number 10023"),
    ("我想取消订单", "订单号是10023", "我想取消订单订单号是10023"),
])
def test_a_turn_whose_reply_went_unheard_is_answered_with_the_next(first, second, joined):
    m = TurnMachine(RATE)
    assert m.observe(Final(8000, first, 1.0)) == [TakeTurn(1, first)]
    assert m.merge(first, typed=False) == (first, None)
    assert m.observe(Final(16000, second, 2.0)) == [TakeTurn(2, second)]
    m.went_unheard(Unheard(first, audio="first breath"))  # cancelling the reply to turn 1 found it unheard
    text, before = m.merge(second, typed=False)
    assert text == joined and before == Unheard(first, "first breath")
    assert m.merge("next", typed=False) == ("next", None)  # used once


def test_a_typed_turn_never_merges_but_ends_the_wait():
    m = TurnMachine(RATE)
    assert m.observe(Typed("10023")) == [TakeTurn(1, "10023", typed=True)]
    m.went_unheard(Unheard("where is my order"))
    assert m.merge("10023", typed=True) == ("10023", None) and m.unheard is None


@pytest.mark.parametrize("language, hello", [("en", "Hello?"), ("zh", "喂？")])
def test_silence_reprompts_then_says_goodbye_and_any_sound_resets_it(language, hello):
    m = TurnMachine(RATE, TurnTimings(reprompt_after_s=3.0, max_reprompts=2))
    clock, out = frames(m, 0, 2.0, Assistant(floor=False, busy=True))  # the greeting plays: no timer
    assert out == []
    clock, out = frames(m, clock, 2.98, QUIET)
    assert out == []
    clock, out = frames(m, clock, 0.02, QUIET)
    assert out == [Reprompt(1, goodbye=False)]  # 3 s of silence, ours and theirs
    caller_starts(m, clock, QUIET)  # the caller makes a sound: the timer starts again when they stop
    m.observe(SpeechStopped(clock + 800))
    assert m.observe(Final(clock + 800, "", 1.0)) == []
    clock, out = frames(m, clock + 800, 8.9, QUIET)
    assert out == [Reprompt(2, goodbye=False), Reprompt(3, goodbye=True)]
    m.observe(Final(clock, hello, 1.0))
    m.merge(hello, typed=False)  # the caller took a turn: the count starts over
    _, out = frames(m, clock, 3.0, QUIET)
    assert out == [Reprompt(1, goodbye=False)]


@pytest.mark.parametrize("text, expected", [
    ("Uh-huh.", True), ("mm-hmm", True), ("Okay.", True), ("嗯。", True), ("对对", True), ("好的", True),
    ("", True), ("No, stop.", False), ("I want to cancel", False), ("我要退货", False),
])
def test_backchannels(text, expected):
    assert is_backchannel(text) is expected
    assert has_words(text) is (bool(text.strip()))


# --- replies started early (at the caller's first pause) -------------------------------------------
@pytest.mark.parametrize("language, draft, more", [("en", "How long does delivery take?", "to Shanghai I mean"),
                                                   ("zh", "快递几天能到？", "我是说到上海")])
def test_a_first_pause_with_words_starts_a_reply_early_and_the_caller_going_on_drops_it(language, draft, more):
    m = TurnMachine(RATE)
    m.observe(SpeechStarted(0, 0.0, QUIET))
    m.observe(SpeechStopped(RATE))
    assert m.observe(Draft(draft, 1.2, QUIET, language)) == [StartEarly(draft, language)]
    assert m.observe(Resumed()) == [DropEarly()]  # the caller went on: the draft is stale
    assert m.observe(Resumed()) == []  # nothing left to drop
    assert m.observe(Draft(f"{draft} {more}", 3.0, QUIET, language)) == [StartEarly(f"{draft} {more}", language)]
    assert m.observe(Final(4 * RATE, f"{draft} {more}", 3.5)) == [TakeTurn(1, f"{draft} {more}")]
    assert m.started_early is None  # the session keeps or discards that reply with the turn


@pytest.mark.parametrize("language, draft", [("en", "How long does delivery take?"), ("zh", "快递几天能到？")])
def test_no_early_start_over_a_reply_for_a_nod_when_a_turn_went_unheard_or_when_off(language, draft):
    m = TurnMachine(RATE)
    assert m.observe(Draft(draft, 0.0, Assistant(floor=False, busy=True), language)) == []  # still synthesising
    assert m.observe(Draft("嗯" if language == "zh" else "uh-huh", 0.0, QUIET, language)) == []
    m.went_unheard(Unheard("I want to", None))  # this turn is answered together with the last: from the final
    assert m.observe(Draft(draft, 0.0, QUIET, language)) == []
    assert TurnMachine(RATE, early=False).observe(Draft(draft, 0.0, QUIET, language)) == []


def test_a_final_without_words_drops_the_early_reply():
    m = TurnMachine(RATE)
    m.observe(SpeechStarted(0, 0.0, QUIET))
    assert m.observe(Draft("What payment methods do you take?", 1.0, QUIET, "en"))
    assert m.observe(Final(RATE, "", 1.5)) == [DropEarly()]
