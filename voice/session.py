"""One call, whatever the wire: listen, take turns, answer aloud, yield to a caller who talks over us.

This file is the conductor; each part it conducts has a file of its own:

    channel --feed--> recogniser --> turn machine --TakeTurn--> agent --sentences--> voice --> player
    telephony/        speech/asr/    voice/turns.py             dialog/agent.py      speech/tts/ voice/player.py

and everything the call tells the world (the call record, metrics, the browser page) is a typed event
(voice/events.py) published to observers (voice/observers.py).

A channel (Twilio, AudioSocket, SIP, the browser, the local sound card, a file) turns its bytes into PCM16
frames and calls `feed`; the player sends PCM16 frames back through the channel. The caller's audio is the
clock: each inbound frame lets one frame of the reply out (plus a small lead), so the session always knows
what the caller has heard. That makes barge-in exact and lets the same code run as fast as possible on
recorded calls (`realtime=False`): the clock is stream time.

Per turn: the streaming recogniser gives partials and the final text; the turn machine decides whose turn
it is; the agent understands, acts and writes the reply sentence by sentence; each sentence is synthesised
while the next is written. When the caller talks over the reply, the turn machine pauses it, resumes it
for a backchannel, or interrupts it; an interrupted reply is cut, in the agent's history, to what was heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dialog.security import redact
from dialog.speculation import Speculation, adopt, speculate
from dialog.types import CallerTurn, ReplyPart
from speech.asr.base import SAMPLE_RATE
from speech.asr.streaming import AsrEvent, LiveTranscriber, StreamingOptions
from speech.audio import float_to_pcm16, pcm16_to_float, resample
from speech.turn import EndOfTurnDetector, TurnOptions
from voice.bridge import in_thread
from voice.channel import Channel
from voice.events import (
    Backchannel,
    BargeIn,
    CallEnded,
    CallerSpeaking,
    CallStarted,
    DigitsEntered,
    Events,
    HangingUp,
    KeyPressed,
    RecognitionFailed,
    ReplyPaused,
    ReplySentence,
    Reprompted,
    TranscriptPartial,
    TurnFailed,
    TurnRecorded,
    TurnTaken,
    Understood,
)
from voice.observers import MemoryObserver, MetricsObserver, PageObserver, RecordObserver
from voice.playback import Playback
from voice.player import Player
from voice.recording import Recording
from voice.records import TurnAccount
from voice.services import Services
from voice.turns import (
    WENT_ON,
    Assistant,
    Decision,
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
    is_backchannel,
)

log = logging.getLogger("voicedesk.session")

LINES = {  # what the session itself says (the agent says everything else)
    "greeting": {"en": "Thanks for calling. How can I help you today?",
                 "zh": "您好，欢迎致电，请问有什么可以帮您？"},
    "reprompt": {"en": "Are you still there? I'm listening.", "zh": "您还在吗？请讲，我在听。"},
    "goodbye_silent": {"en": "I can't hear anything, so I'll end the call now. Goodbye.",
                       "zh": "我听不到您的声音，先挂断了，再见。"},
    "error": {"en": "Sorry, something went wrong on our side. Let me put you through to a colleague.",
              "zh": "抱歉，系统出了点问题，我为您转接人工客服。"},
}


@dataclass
class SessionOptions:
    realtime: bool = True  # False: stream time, decoding inline (replaying recorded calls as fast as possible)
    greeting: bool = True
    language: str | None = None  # the caller's language when the line knows it; None: detect per turn
    reprompt_after_s: float = 8.0  # silence (ours and theirs) before "are you still there?"
    max_reprompts: int = 2  # then say goodbye and hang up
    barge_in_guard_s: float = 0.15  # caller speech past the VAD's start before the reply pauses
    barge_in_confirm_s: float = 0.8  # speech this long interrupts whatever it says
    turn: TurnOptions = field(default_factory=TurnOptions)
    streaming: StreamingOptions = field(default_factory=StreamingOptions)
    recordings_dir: str = ""  # "" records no audio; a folder gets one stereo WAV per call (caller L, assistant R)
    early_replies: bool = True  # at the caller's first pause, start a reply that only reads (dialog/speculation.py)

    def __post_init__(self) -> None:
        if self.language == "auto":  # as the settings write it
            self.language = None

    def timings(self) -> TurnTimings:
        return TurnTimings(self.barge_in_guard_s, self.barge_in_confirm_s, self.reprompt_after_s, self.max_reprompts)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _discard(task: asyncio.Task[Speculation | None]) -> None:
    if not task.cancelled() and task.exception() is None and (speculation := task.result()) is not None:
        speculation.discard()


class CallSession:
    """`caller_id` is the number the line presents; it identifies the caller to the agent only when
    `caller_id_trusted` (a line the operator vouches for: Twilio's signed webhook, a listed SIP trunk, a
    replayed scenario, the local console). Otherwise the caller verifies in the call, and the number is kept,
    redacted, for the record only."""

    def __init__(self, services: Services, channel: Channel, *, caller_id: str | None = None,
                 caller_id_trusted: bool = False, call_id: str | None = None,
                 options: SessionOptions | None = None) -> None:
        self.services, self.channel = services, channel
        self.options = options or SessionOptions()
        self.call_id = call_id or uuid.uuid4().hex[:16]
        self.caller_id, self.caller_id_trusted = caller_id, bool(caller_id and caller_id_trusted)
        self.rate = channel.sample_rate
        self.clock = 0  # samples of caller audio received: the call's clock
        self.floor = TurnMachine(self.rate, self.options.timings(), early=self.options.early_replies)
        self.player = Player(channel)
        self.call = services.agent.start_call(self.call_id, caller_id if self.caller_id_trusted else None,
                                              self.options.language or "en")
        self.events = Events(self.call_id)
        for observer in (RecordObserver(services.records, self.call_id), MetricsObserver(channel.name),
                         PageObserver(channel), MemoryObserver()):  # the record first: then the others are told
            self.events.subscribe(observer)
        self.turns: list[dict[str, Any]] = []  # finished turn records, also persisted
        self.closed = asyncio.Event()
        self._closing: asyncio.Future | None = None
        self.end_reason: str | None = None
        self._reply_task: asyncio.Task | None = None
        self._reply_turn: TurnAccount | None = None
        self._reply_cancel = threading.Event()
        self._early: asyncio.Task[Speculation | None] | None = None  # a reply started on the draft
        self._computing = False  # a reply is being written or synthesised
        self._handling = False  # a recognition event is being acted on
        self._draining = False  # the reply task waits for its audio to play out (on the call's clock)
        self._hangup_after_reply: str | None = None
        self._dtmf = ""
        self._last_feed_wall = time.monotonic()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._asr: asyncio.Queue[AsrEvent] = asyncio.Queue()
        self._tasks: list[asyncio.Task] = []
        self.live: LiveTranscriber | None = None

    # --- the channel's side -------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        o = self.options
        turn = EndOfTurnDetector(o.turn, self.services.turn_model)
        self.live = LiveTranscriber(self.services.engine, self._on_asr, language=o.language, sample_rate=self.rate,
                                    turn=turn, options=o.streaming, realtime=o.realtime)
        await self._expect_words()
        # Opened here, not by an observer: a call ID already on the record refuses the call (telephony/calls.py).
        await asyncio.to_thread(self.services.records.open_call, self.call_id, self.channel.name, self.caller_id,
                                o.language)
        if o.recordings_dir:
            self.player.recording = Recording(Path(o.recordings_dir) / f"{self.call_id}.wav", self.rate)
        recording = str(self.player.recording.path) if self.player.recording else None
        await self.events.publish(CallStarted(self.call_id, self.channel.name, self.caller_id, self.caller_id_trusted,
                                              o.language, recording))
        self._tasks.append(asyncio.create_task(self._consume_asr(), name=f"asr-{self.call_id}"))
        if o.realtime:
            self._tasks.append(asyncio.create_task(self._tick(), name=f"tick-{self.call_id}"))
        log.info("call %s started on %s (caller %s, %s)", self.call_id, self.channel.name,
                 redact(self.caller_id or "-"), "trusted line" if self.caller_id_trusted else "unverified")
        if o.greeting:
            self._say_lines("greeting")

    async def feed(self, pcm16: bytes | np.ndarray) -> None:
        """One inbound frame (PCM16 at the channel's rate). Drives the clock: playback and timers follow it."""
        if self.closed.is_set():
            return
        pcm = pcm16_to_float(pcm16) if isinstance(pcm16, bytes | bytearray) else pcm16.astype(np.float32)
        self._last_feed_wall = time.monotonic()
        assert self.live is not None
        if self.options.realtime:
            self.live.feed(pcm)
        else:
            await asyncio.to_thread(self.live.feed, pcm)
        self.clock += len(pcm)
        if self.player.recording:
            self.player.recording.caller(pcm)
        await self._act(self.floor.observe(Frame(self.clock, time.monotonic(), self._assistant())))
        await self._pump()
        await self._act(self.floor.observe(Silence(self.clock, self._assistant())))

    async def text(self, text: str) -> None:
        """A typed turn (the browser's text box, DTMF digits): answered like speech."""
        text = text.strip()
        if text and not self.closed.is_set():
            await self._act(self.floor.observe(Typed(text)))

    async def dtmf(self, digit: str) -> None:
        """Keypad digits gather until '#', then count as a typed turn (an order number, say). The record gets
        one event per entry, redacted like the turn (a card number keyed in is not kept digit by digit)."""
        await self.events.publish(KeyPressed(digit))
        if digit == "#":
            digits, self._dtmf = self._dtmf, ""
            await self.events.publish(DigitsEntered(digits + "#"))
            await self.text(digits)
        elif digit.isdigit():
            self._dtmf += digit

    def mark_played(self, name: str) -> None:
        """The far end played everything up to this mark (Twilio echoes marks as playback reaches them,
        and those still queued when we `clear`): "<reply>:<sentence>" confirms that sentence was heard."""
        if self.player.mark_played(name, self.clock) and self._reply_turn is not None:
            self._reply_turn.marks.append(name)

    async def close(self, reason: str = "caller hung up") -> None:
        """End the call (idempotent: a second caller waits for the first to finish closing)."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close(reason))
        await asyncio.shield(self._closing)

    async def _close(self, reason: str) -> None:
        self.closed.set()
        self.end_reason = reason
        self._drop_early()
        await self._cancel_reply(reason="call ended")
        for task in self._tasks:
            task.cancel()
        if self.live is not None:
            await asyncio.to_thread(self.live.close)
        if self.player.recording:
            self.player.recording.close()
        await self.events.publish(CallEnded(reason, self.call.state.ticket_id, len(self.turns)))
        log.info("call %s ended: %s (%d turns)", self.call_id, reason, len(self.turns))

    async def wait_quiet(self) -> None:
        """Until nothing is being computed: recognition events handled, no reply being written or synthesised,
        and the reply task either done or waiting for its audio to play out. Replaying recorded calls as fast
        as possible uses it: compute takes no stream time, so the same call gives the same frames and the
        same words however busy the machine is (recording a turn, say, no longer lets frames through)."""
        while not self.closed.is_set():
            await asyncio.sleep(0)
            if self._quiet():
                return
            await asyncio.sleep(0.002)

    def _quiet(self) -> bool:
        reply = self._reply_task
        on_clock = reply is None or reply.done() or self._draining and self.player.busy(self.clock)
        return (self._asr.empty() and not self._handling and not self._computing and on_clock
                and (self._early is None or self._early.done()))

    # --- what the call looks like from outside ------------------------------------------------
    @property
    def playback(self) -> Playback:
        """The reply's audio and the words heard so far (voice/playback.py)."""
        return self.player.playback

    @property
    def replies(self) -> int:
        """Replies begun so far (greeting, answers, reprompts)."""
        return self.player.replies

    @property
    def turn_count(self) -> int:
        """Caller turns begun so far (turn records carry `idx` 1..turn_count)."""
        return self.floor.turns

    @property
    def caller_turn_open(self) -> bool:
        """The caller has spoken and the recogniser has not given the turn's final text yet."""
        return self.live is not None and self.live.in_turn

    @property
    def assistant_busy(self) -> bool:
        return self.player.busy(self.clock) or (self._reply_task is not None and not self._reply_task.done())

    def _assistant(self) -> Assistant:
        """What the turn machine needs of us. We hold the floor mid-reply: audio playing, or some played and
        the rest still being written (a caller who starts in the gap between two sentences barges in too)."""
        playing = self.player.busy(self.clock)
        return Assistant(floor=playing or self.playback.sent > 0 and self._computing, busy=self.assistant_busy)

    # --- recognition events -------------------------------------------------------------------
    def _on_asr(self, event: AsrEvent) -> None:  # called on the recogniser's thread
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._asr.put_nowait, event)

    async def _consume_asr(self) -> None:
        while True:
            e = await self._asr.get()
            self._handling = True
            try:
                await self._handle_asr(e)
            except Exception:  # noqa: BLE001 - one bad event must not end the call
                log.exception("call %s: error handling %s", self.call_id, e.kind)
                await self.events.publish(RecognitionFailed())
            finally:
                self._handling = False

    async def _handle_asr(self, e: AsrEvent) -> None:
        if e.kind == "speech_start":
            self.floor.observe(SpeechStarted(self.clock, e.wall_t, self._assistant()))
            await self.events.publish(CallerSpeaking())
        elif e.kind == "speech_end":
            self.floor.observe(SpeechStopped(self.clock))
        elif e.kind == "partial":
            await self.events.publish(TranscriptPartial(e.text, e.stable))
        elif e.kind == "draft":
            language = e.transcript.language if e.transcript else None
            await self._act(self.floor.observe(Draft(e.text, time.monotonic(), self._assistant(), language)))
        elif e.kind == "resumed":
            await self._act(self.floor.observe(Resumed()))
        elif e.kind == "final":
            await self._act(self.floor.observe(Final(self.clock, e.text, time.monotonic())), e)

    # --- the turn machine's decisions ---------------------------------------------------------
    async def _act(self, decisions: list[Decision], final: AsrEvent | None = None) -> None:
        for decision in decisions:
            match decision:
                case Pause(after_s):
                    await self.player.pause(self.clock)
                    await self.events.publish(ReplyPaused(_ms(after_s), self.player.heard(self.clock)))
                case Resume(text, paused):
                    if paused:
                        self.player.resume()
                    await self.events.publish(Backchannel(text))
                case Interrupt(why, paused, after_s):
                    if not paused:
                        await self.player.pause(self.clock)
                    heard = self.player.heard(self.clock)
                    await self.events.publish(BargeIn(redact(why), heard, _ms(after_s)))
                    await self._cancel_reply(reason="barge-in", heard=heard)
                case TakeTurn(idx, text, typed=True):
                    now = time.monotonic()
                    await self._begin_turn(TurnAccount(idx, text, None, final_wall=now, typed=True, turn_end_wall=now))
                case TakeTurn(idx, text):
                    assert final is not None
                    language = final.transcript.language if final.transcript else None
                    await self._begin_turn(TurnAccount(idx, text, language, speech_end_t=final.speech_end_t,
                                                 turn_end_t=final.turn_end_t, turn_end_wall=final.turn_end_wall,
                                                 final_wall=final.wall_t, asr_s=final.asr_s, audio=final.pcm,
                                                 end_of_turn=asdict(final.verdict) if final.verdict else None))
                case StartEarly(text, language):
                    self._start_early(text, language)
                case DropEarly():
                    self._drop_early()
                case Reprompt(count, goodbye):
                    await self.events.publish(Reprompted(count))
                    if goodbye:
                        self._say_lines("goodbye_silent", then_hang_up="silence")
                    else:
                        self._say_lines("reprompt")

    async def _cancel_reply(self, reason: str, heard: str | None = None) -> None:
        task, turn = self._reply_task, self._reply_turn
        if task is asyncio.current_task():  # the reply itself is ending the call
            return
        if task is None or task.done() and not self.player.busy(self.clock):
            self.player.reset()
            return
        self._reply_cancel.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        heard = self.player.heard(self.clock) if heard is None else heard
        barely = self.playback.played(self.clock) < 0.6 * self.rate  # the reply had only just begun
        self.player.reset()
        if turn is not None and not turn.finished:  # a turn already recorded was heard whole: nothing to undo
            self.call.heard(turn.outcome.reply.meta.text if turn.outcome is not None else None,
                            "" if barely else heard)
            unheard = (barely and turn.outcome is not None and not turn.outcome.result.changed
                       and not self.closed.is_set())  # the caller went on before hearing a word: merge
            self.floor.went_unheard(Unheard(turn.text, turn.audio) if unheard else None)
            await self._finish_turn(turn, interrupted=True, heard=heard,
                                    reason=WENT_ON if unheard else reason)

    # --- a reply started early ------------------------------------------------------------------
    def _start_early(self, text: str, language: str | None) -> None:
        """Understand the draft and, if it only reads, start its reply on a copy of the call (dialog/speculation.py)."""
        self._drop_early()
        caller = CallerTurn(text, language, f"{self.call_id}-early")  # type: ignore[arg-type]
        self._early = asyncio.create_task(asyncio.to_thread(speculate, self.services.agent, self.call, caller))

    def _drop_early(self) -> None:
        """The caller went on: stop that reply's model now; nothing of it was said or recorded."""
        task, self._early = self._early, None
        if task is not None:
            task.add_done_callback(_discard)

    async def _take_early(self) -> Speculation | None:
        task, self._early = self._early, None
        if task is None:
            return None
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.add_done_callback(_discard)
            raise
        except Exception as e:  # noqa: BLE001 - the turn is answered the usual way
            log.warning("call %s: the early reply failed (%s: %s); answering from the final", self.call_id,
                        type(e).__name__, e)
            return None

    # --- turns --------------------------------------------------------------------------------
    async def _begin_turn(self, turn: TurnAccount) -> None:
        if self._reply_task is not None and not self._reply_task.done() or self.player.busy(self.clock):
            await self._cancel_reply(reason="caller spoke again")
        turn.text, before = self.floor.merge(turn.text, turn.typed)  # one thought said in two breaths: answer
        if before is not None:  # it once
            self.call.retract(before.text)
            if before.audio is not None and turn.audio is not None:
                turn.audio = np.concatenate([before.audio, turn.audio])
        await self.events.publish(TurnTaken(turn.idx, turn.text))
        self.player.begin()
        self._reply_cancel = threading.Event()
        self._reply_turn = turn
        self._reply_task = asyncio.create_task(self._respond(turn), name=f"turn-{self.call_id}-{turn.idx}")

    async def _expect_words(self) -> None:
        """The recogniser is told the words this caller is likely to say (their orders' products), once the
        agent knows who they are: at the start on a trusted line, after the turn that verified them otherwise.
        Asked only until then, and when a turn is over, so no reply waits on it."""
        if self.live is not None and not self.live.hints:
            self.live.hints = await asyncio.to_thread(self.services.agent.vocabulary, self.call)

    async def _respond(self, turn: TurnAccount) -> None:
        agent = self.services.agent
        early: Speculation | None = None
        try:
            caller = CallerTurn(turn.text, turn.language, f"{self.call_id}-{turn.idx}",  # type: ignore[arg-type]
                                turn.audio, typed=turn.typed)
            self._computing = True
            if turn.typed:  # typed words are the final words: nothing was drafted from them
                self._drop_early()
            else:
                early = await self._take_early()
            kept = await asyncio.to_thread(adopt, agent, self.call, early, caller) if early is not None else None
            outcome = kept or await asyncio.to_thread(agent.turn, self.call, caller)
            turn.outcome, turn.early = outcome, kept is not None
            await self.events.publish(Understood(
                turn.idx, outcome.intent, outcome.understanding.language, outcome.signals.mood,
                outcome.signals.label, outcome.signals.trend, round(outcome.understanding.sentiment.score, 3)))
            await self._speak(early.parts() if early is not None and kept is not None else iter(outcome.reply), turn)
            self._computing = False
            if outcome.result.handoff or self.call.state.handed_off:
                self._hangup_after_reply = "handed to a person"
            elif outcome.intent == "goodbye":
                self._hangup_after_reply = "goodbye"
            await self._drained()
            await self._finish_turn(turn, interrupted=False, heard=self.playback.full_text())
        except asyncio.CancelledError:
            self._computing = False
            if early is not None and not turn.early:
                early.discard()
            raise
        except Exception as e:  # noqa: BLE001 - the caller hears an apology and goes to a person
            log.error("call %s turn %d failed: %s: %s", self.call_id, turn.idx, type(e).__name__, e)
            await self.events.publish(TurnFailed(turn.idx, f"{type(e).__name__}: {e}"))
            language = turn.language or self.call.state.language
            lines = [ReplyPart(LINES["error"][language], language, last=True)]  # type: ignore[arg-type]
            self.player.reset()
            self._computing = True
            await self._speak(iter(lines), turn)
            self._computing = False
            self._hangup_after_reply = "error: handed to a person"
            await self._drained()
            await self._finish_turn(turn, interrupted=False, heard=self.playback.full_text(), reason="error")
        if self._hangup_after_reply:
            await self._hang_up(self._hangup_after_reply)

    async def _speak(self, parts: Iterator[ReplyPart], turn: TurnAccount | None) -> None:
        """Write and synthesise at once: the next sentence is generated while this one is spoken."""
        cancel = self._reply_cancel
        async with contextlib.aclosing(in_thread(parts, cancel)) as sentences:
            async for part in sentences:
                if not part.text.strip():
                    continue
                await self.events.publish(ReplySentence(turn.idx if turn else 0, part.text, part.language))
                started = time.monotonic()
                chunks = iter(self.services.voice.stream(part.text, part.language))
                while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:  # sentence by sentence
                    if turn is not None and turn.tts_first_s is None:
                        turn.tts_first_s = time.monotonic() - started
                    if cancel.is_set():
                        return
                    rate = chunk.sample_rate
                    pcm = np.concatenate([chunk.pcm, np.zeros(int(rate * 0.12), np.float32)])  # a breath between
                    self.player.add(chunk.text, float_to_pcm16(resample(pcm, rate, self.rate)))
                    await self._pump()

    def _say_lines(self, key: str, then_hang_up: str | None = None) -> None:
        language = self.options.language or ("auto" if self.floor.turns == 0 else self.call.state.language)
        languages = ["zh", "en"] if language == "auto" else [language]
        parts = [ReplyPart(LINES[key][lang], lang, last=i == len(languages) - 1) for i, lang in enumerate(languages)]
        self.call.said(" ".join(p.text for p in parts))

        async def run() -> None:
            self._computing = True
            try:
                await self._speak(iter(parts), None)
            finally:
                self._computing = False
            if then_hang_up:
                await self._drained()
                await self._hang_up(then_hang_up)

        if self.player.busy(self.clock):
            return  # never talk over ourselves
        self.player.begin()
        self._reply_cancel = threading.Event()
        self._reply_turn = None
        self._reply_task = asyncio.create_task(run(), name=f"{key}-{self.call_id}")

    async def _drained(self) -> None:
        """Until the reply has been played at the far end (the clock moves with the caller's audio)."""
        self._draining = True
        try:
            while self.player.busy(self.clock):
                await asyncio.sleep(0.01 if self.options.realtime else 0.001)
        finally:
            self._draining = False

    async def _finish_turn(self, turn: TurnAccount, *, interrupted: bool, heard: str,
                           reason: str | None = None) -> None:
        if turn.finished:  # a message right after the turn ended cancels a reply whose record is being written
            return
        turn.finished = True
        record = turn.record(interrupted, heard, reason)
        self.turns.append(record)
        await self.events.publish(TurnRecorded(turn.idx, record))  # stored first, then the page is told
        self._reply_turn = None if self._reply_turn is turn else self._reply_turn
        await self._expect_words()  # the turn may have verified the caller (heard in full or interrupted)

    async def _hang_up(self, reason: str) -> None:
        if self.closed.is_set():
            return
        await self.events.publish(HangingUp(reason))
        try:
            await self.channel.hangup()
        finally:
            await self.close(reason)

    # --- the clock ----------------------------------------------------------------------------
    async def _pump(self) -> None:
        """Send the reply frames due on the call's clock (never starting a reply while the caller talks)."""
        await self.player.pump(self.clock, hold=self.floor.speaking)
        turn = self._reply_turn
        if turn is not None and turn.first_audio_wall is None:
            turn.first_audio_wall = self.player.first_frame_wall

    async def _tick(self) -> None:
        """Live calls: when the line goes quiet (no frames at all), time still passes."""
        frame = np.zeros(self.rate // 50, np.float32)
        while not self.closed.is_set():
            await asyncio.sleep(0.02)
            if time.monotonic() - self._last_feed_wall > 0.1:
                await self.feed(frame)
                self._last_feed_wall -= 0.08  # keep ticking every 20 ms while the line stays quiet


__all__ = ["CallSession", "Channel", "SessionOptions", "SAMPLE_RATE", "is_backchannel", "LINES"]
