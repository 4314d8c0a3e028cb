"""The call session with the real models, on files (stream time): turns, barge-in, backchannels,
reprompts, a failing turn; and the playback clock on its own."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time

import numpy as np
import pytest

from speech.asr.streaming import AsrEvent
from speech.audio import resample
from speech.turn import TurnOptions
from voice.local import CallerTurnAudio, Driver, MemoryChannel
from voice.playback import Playback, join_text
from voice.session import CallSession, SessionOptions, is_backchannel

RATE = 16000


# --- the playback clock (no models) ---------------------------------------------------------------
def test_playback_is_paced_by_the_call_clock_with_a_small_lead():
    p = Playback(8000, lead_s=0.04)
    p.add("Hello there.", np.ones(1600, np.int16))  # 0.2 s
    assert len(p.due(0)) == 3  # the frame playing now and 40 ms ahead, no more
    assert p.due(0) == []
    assert len(p.due(160)) == 1  # then one frame out per frame in
    assert p.busy(160)
    sent = sum(len(p.due(clock)) for clock in range(320, 2000, 160))
    assert sent == 6 and not p.busy(2000)  # all ten frames out, and played by the far end


def test_pause_rewinds_to_what_was_heard_and_heard_text_follows_playback():
    p = Playback(8000, lead_s=0.2)
    p.add("One two three four.", np.ones(800, np.int16))
    p.add("Five six seven eight.", np.ones(800, np.int16))
    p.due(0)
    assert p.heard_text(0) == ""
    p.due(1000)
    assert p.heard_text(1000) == "One two three four. Five"  # a quarter of the second sentence
    p.pause(1000)
    assert p.sent == 1000 and p.due(1200) == []  # nothing goes out while paused
    p.resume()
    assert p.due(1000)[0][0].shape == (160,)
    assert join_text(["好的。", "您的订单", "OK.", "Bye."]) == "好的。您的订单OK. Bye."


@pytest.mark.parametrize("text, expected", [
    ("Uh-huh.", True), ("mm-hmm", True), ("Okay.", True), ("嗯。", True), ("对对", True), ("好的", True),
    ("", True), ("No, stop.", False), ("I want to cancel", False), ("我要退货", False),
])
def test_backchannels(text, expected):
    assert is_backchannel(text) is expected


# --- whole calls on files -------------------------------------------------------------------------
def _speak(voice, text: str, language: str, rate: int = RATE) -> np.ndarray:
    chunks = list(voice.stream(text, language))
    pcm = np.concatenate([c.pcm for c in chunks])
    return np.concatenate([resample(pcm, chunks[0].sample_rate, rate), np.zeros(rate // 4, np.float32)])


def _call(services, turns, *, caller_id=None, language=None, rate=RATE, options=None):
    async def run():
        channel = MemoryChannel(sample_rate=rate)
        session = CallSession(services, channel, caller_id=caller_id,
                              options=options or SessionOptions(realtime=False, language=language))
        channel.clock = lambda: session.clock
        await session.start()
        driver = Driver(session)
        await driver.settle()
        marks = []
        for i, turn in enumerate(turns):
            marks.append(session.clock)
            await driver.turn(turn.pcm, turns[i + 1].barge_in_after_s if i + 1 < len(turns) else None)
        await driver.settle()
        await session.close("test over")
        return session, channel, marks

    return asyncio.run(run())


@pytest.mark.parametrize("language, question, expect", [
    ("en", "What payment methods do you accept?", ("paypal", "alipay", "wechat", "credit")),
    ("zh", "你们支持哪些付款方式？", ("支付宝", "微信", "银联", "信用卡")),
])
def test_a_call_answers_aloud_and_is_recorded(call_services, voice, transcriber, language, question, expect):
    session, channel, _ = _call(call_services, [CallerTurnAudio(_speak(voice, question, language))],
                                language=language)
    (turn,) = session.turns
    assert turn["intent"] == "check_payment_methods" and not turn["interrupted"]
    assert turn["heard"] == turn["reply"]  # the caller heard all of it
    said = transcriber.transcribe(channel.output().astype(np.float32) / 32768, language).text  # greeting + reply
    assert any(e in said.lower() for e in expect), said
    lat = turn["latency_ms"]
    assert lat["endpoint"] > 0 and lat["first_audio"] > 0 and lat["voice_to_voice"] >= lat["first_audio"]
    record = call_services.records.get_call(session.call_id)
    assert record["end_reason"] == "test over" and record["turns"][0]["intent"] == "check_payment_methods"
    assert record["recording"] is None or record["recording"].endswith(".wav")


def test_barge_in_stops_the_reply_and_trims_the_history(call_services, voice):
    question = _speak(voice, "你们支持哪些付款方式？", "zh")
    interruption = _speak(voice, "等一下，我想取消我的订单。", "zh")
    onset = int(np.argmax(np.abs(interruption) > 0.02))
    session, channel, marks = _call(call_services, [CallerTurnAudio(question),
                                                    CallerTurnAudio(interruption, barge_in_after_s=1.0)],
                                    language="zh")
    first, second = session.turns[0], session.turns[-1]
    assert first["interrupted"] and 0 < len(first["heard"]) < len(first["reply"])
    assert second["intent"] == "cancel_order"
    speech_at = marks[1] + onset
    clears = [c for c, _ in channel.clears if c >= speech_at]
    assert clears and (clears[0] - speech_at) / RATE <= 0.45, "paused within VAD detection + the guard"
    after = [t for t, _ in channel.audio if clears[0] <= t < clears[0] + 0.3 * RATE]
    assert not after, "no reply audio goes out once the caller has the floor"
    history = [text for who, text in session.call.state.history if who == "assistant"]
    assert any(text.endswith("…") and text[:-2] in first["reply"] for text in history)


class _SlowSecondSentence:
    """The real voice, except that every sentence after a reply's first waits for `go`: a slow machine,
    where the caller hears the first sentence, then a gap while the next is still being written."""

    def __init__(self, voice) -> None:
        self.voice, self.go, self.sentences = voice, threading.Event(), 0

    def stream(self, text, language):
        for chunk in self.voice.stream(text, language):
            self.sentences += 1
            if self.sentences > 1:
                self.go.wait(30)
            yield chunk


@pytest.mark.parametrize("language, question, interruption", [
    ("en", "What payment methods do you accept?", "Sorry, actually I want to cancel my order please."),
    ("zh", "你们支持哪些付款方式？", "等一下，我想取消我的订单。"),
])
def test_talking_in_the_gap_between_two_sentences_is_a_barge_in(call_services, voice, language, question,
                                                                  interruption):
    slow = _SlowSecondSentence(voice)
    services = dataclasses.replace(call_services, voice=slow)
    question, interruption = _speak(voice, question, language), _speak(voice, interruption, language)

    async def run():
        channel = MemoryChannel(sample_rate=RATE)
        session = CallSession(services, channel, options=SessionOptions(realtime=False, greeting=False,
                                                                        language=language))
        channel.clock = lambda: session.clock
        await session.start()
        driver = Driver(session)
        await driver.feed(question)  # stream time stops while a reply is computed, until the first sentence
        frame, silence = RATE // 50, np.zeros(RATE // 50, np.float32)
        while session.playback.sent == 0 or session.playback.busy(session.clock):  # the first sentence plays
            await session.feed(silence)
            await asyncio.sleep(0.002)
        assert session.assistant_busy, "the rest of the reply is still on its way"
        for i in range(0, len(interruption), frame):  # the caller talks in the gap
            await session.feed(interruption[i:i + frame])
            await asyncio.sleep(0.002)
        slow.go.set()
        await driver.settle()
        await session.close("test over")
        return session, channel

    session, channel = asyncio.run(run())
    kinds = [e["type"] for e in channel.events]
    assert "barge_in" in kinds and channel.clears, kinds
    first, second = session.turns[0], session.turns[-1]
    assert first["interrupted"] and second["intent"] == "cancel_order", [(t["text"], t["end"]) for t in session.turns]


@pytest.mark.parametrize("language, nod, words", [
    ("en", "Okay", "Okay, actually I want to cancel my order."), ("zh", "嗯", "嗯，我想取消我的订单。")])
def test_a_nod_that_turns_into_words_takes_the_floor(call_services, language, nod, words):
    """The recogniser's first-pause text sounded like a nod, so the reply resumed; the final says more."""

    async def run():
        channel = MemoryChannel(sample_rate=RATE)
        session = CallSession(call_services, channel,
                              options=SessionOptions(realtime=False, greeting=False, language=language))
        channel.clock = lambda: session.clock
        await session.start()
        session.playback.add("We accept Alipay, WeChat Pay and PayPal.", np.full(RATE * 3, 1000, np.int16))
        await session.feed(np.zeros(RATE // 50, np.float32))  # the reply is playing
        t = session.clock / RATE
        await session._handle_asr(AsrEvent("speech_start", t, time.monotonic()))
        await session._handle_asr(AsrEvent("draft", t + 0.3, time.monotonic(), text=nod))
        await session._handle_asr(AsrEvent("final", t + 2.0, time.monotonic(), text=words))
        turns = session.turn_count
        await session.wait_quiet()
        await session.close("test over")
        return session, channel, turns

    session, channel, turns = asyncio.run(run())
    kinds = [e["type"] for e in channel.events]
    assert kinds.index("backchannel") < kinds.index("barge_in") and channel.clears
    assert turns == 1 and session.turns[-1]["intent"] == "cancel_order"


def test_a_backchannel_does_not_interrupt(call_services, voice):
    question = _speak(voice, "What payment methods do you accept?", "en")
    nod = _speak(voice, "Okay.", "en")
    session, channel, _ = _call(call_services, [CallerTurnAudio(question), CallerTurnAudio(nod, barge_in_after_s=1.0)],
                                language="en")
    assert len(session.turns) == 1, [t["text"] for t in session.turns]
    assert not session.turns[0]["interrupted"] and session.turns[0]["heard"] == session.turns[0]["reply"]
    kinds = [e["type"] for e in channel.events]
    assert "backchannel" in kinds and "barge_in" not in kinds


def test_silence_gets_reprompts_then_a_goodbye(call_services):
    options = SessionOptions(realtime=False, language="en", reprompt_after_s=3.0, max_reprompts=2)

    async def run():
        channel = MemoryChannel(sample_rate=8000)
        session = CallSession(call_services, channel, options=options)
        channel.clock = lambda: session.clock
        await session.start()
        await Driver(session).feed(np.zeros(8000 * 40, np.float32))
        await session.close("test over")  # waits for the hang-up already under way
        return session, channel

    session, channel = asyncio.run(run())
    assert [e["type"] for e in channel.events].count("reprompt") == 3  # two reprompts, then the goodbye
    assert channel.hung_up and session.end_reason == "silence"
    assert call_services.records.get_call(session.call_id)["end_reason"] == "silence"


@pytest.mark.parametrize("language, first, second", [
    ("en", "What payment methods do you accept?", "Do you ship to Shanghai?"),
    ("zh", "你们支持哪些付款方式？", "能送到上海吗？"),
])
def test_a_replay_is_timed_by_its_audio_not_by_how_busy_the_machine_is(call_services, voice, monkeypatch, language,
                                                                        first, second):
    # after a reply has played, the session records the turn and asks the shop for the caller's words (in
    # threads): a replay that fed the caller's next frames meanwhile started the next turn later on a slow
    # machine, and its recogniser then heard the same recording differently
    turns = [CallerTurnAudio(_speak(voice, text, language)) for text in (first, second)]
    _, _, quick = _call(call_services, turns, language=language)
    vocabulary = call_services.agent.vocabulary

    def slow(*args, **kwargs):
        time.sleep(0.4)
        return vocabulary(*args, **kwargs)

    monkeypatch.setattr(call_services.agent, "vocabulary", slow)
    session, _, busy = _call(call_services, turns, language=language)
    assert busy == quick and len(session.turns) == 2


def test_a_failing_turn_apologises_and_hands_over(call_services, voice, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the shop database is gone")

    monkeypatch.setattr(call_services.agent, "turn", broken)
    session, channel, _ = _call(call_services, [CallerTurnAudio(_speak(voice, "Where is my order?", "en"))],
                                language="en")
    assert session.end_reason == "error: handed to a person" and channel.hung_up
    replies = [e["text"] for e in channel.events if e["type"] == "reply"]
    assert any("colleague" in r for r in replies)
    record = call_services.records.get_call(session.call_id)
    assert any(e["kind"] == "error" and "database is gone" in e["error"] for e in record["events"])
    assert record["turns"] and record["turns"][0]["end"] == "error"


def test_marks_decide_which_sentences_were_heard():
    p = Playback(8000, lead_s=0.2, uses_marks=True)
    p.add("One two three four.", np.ones(800, np.int16))
    p.add("Five six seven eight.", np.ones(800, np.int16))
    p.due(0)
    assert p.heard_text(1000) == "One two three"  # by the clock the first sentence is over, but unconfirmed
    p.confirm(0)  # Twilio echoed the first sentence's mark
    assert p.heard_text(1000) == "One two three four. Five"


# --- replies started at the first pause -----------------------------------------------------------
EARLY = {
    "en": ("How long does delivery take?", "I want to cancel my order one zero zero two three.",
           "What payment methods do you accept?", "Actually, I want to cancel my order."),
    "zh": ("快递一般几天能到？", "我要取消订单一零零二三。", "你们支持哪些付款方式？", "算了，我要取消订单。"),
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_question_that_only_reads_is_answered_by_the_reply_started_at_the_first_pause(call_services, voice,
                                                                                         language):
    question, change, _, _ = EARLY[language]
    session, _, _ = _call(call_services, [CallerTurnAudio(_speak(voice, question, language)),
                                          CallerTurnAudio(_speak(voice, change, language))], language=language)
    first, second = session.turns
    assert first["intent"] == "delivery_period" and first["early"] and not first["interrupted"]
    assert not second["early"], "a change never starts before the turn is final"
    said = [text for who, text in session.call.state.history if who == "assistant"]
    assert said[-2:] == [first["reply"], second["reply"]], "each reply is in the history once"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_reply_started_on_words_the_caller_goes_on_from_is_dropped_unsaid(call_services, voice, language,
                                                                             monkeypatch):
    from voice import session as session_module

    started = []

    def spy(agent, call, turn):
        speculation = speculate(agent, call, turn)
        started.append((turn.text, speculation))
        return speculation

    speculate = session_module.speculate
    monkeypatch.setattr(session_module, "speculate", spy)
    _, _, question, more = EARLY[language]
    gap = np.zeros(int(0.5 * RATE), np.float32)  # a pause the recogniser drafts at; this line waits 1.5 s to end
    pcm = np.concatenate([_speak(voice, question, language), gap, _speak(voice, more, language)])
    patient = SessionOptions(realtime=False, language=language, turn=TurnOptions(min_silence_s=1.5))
    session, _, _ = _call(call_services, [CallerTurnAudio(pcm)], language=language, options=patient)
    (turn,) = session.turns
    first_text, first = started[0]
    assert first is not None and first.understanding.intent == "check_payment_methods", started
    assert first.outcome.reply.cancel.is_set(), "the reply begun at the first pause was not stopped"
    assert len(turn["text"]) > len(first_text)  # the turn answered is the whole of what was said
    said = [text for who, text in session.call.state.history if who == "assistant"]
    assert said[-1] == turn["reply"] and said.count(turn["reply"]) == 1
    record = call_services.records.get_call(session.call_id)
    assert len(record["turns"]) == 1  # nothing of the dropped start is on the record


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_trusted_callers_products_are_hinted_to_the_recogniser(call_services, language):
    shop = call_services.agent.shop
    customer = shop.customer(shop.order("10003")["customer_id"])

    async def hints(trusted: bool) -> dict:
        channel = MemoryChannel(sample_rate=RATE)
        session = CallSession(call_services, channel, caller_id=customer["phone"], caller_id_trusted=trusted,
                              options=SessionOptions(realtime=False, language=language))
        channel.clock = lambda: session.clock
        await session.start()
        await Driver(session).settle()
        heard = dict(session.live.hints)
        await session.close("test over")
        return heard

    names = {row[f"name_{language}"] for row in shop.order_items("10003")}
    assert names <= set(asyncio.run(hints(True))[language])
    assert asyncio.run(hints(False)) == {}  # a caller ID nobody vouches for tells the recogniser nothing
