"""One call, whatever the wire: listen, take turns, answer aloud, yield to a caller who talks over us.

A channel (Twilio, AudioSocket, SIP, the browser, the local sound card, a file) turns its bytes
into PCM16 frames and calls `feed`; the session sends PCM16 frames back through the channel. The
caller's audio is the clock: each inbound frame lets one frame of the reply out (plus a small lead),
so the session always knows what the caller has heard. That makes barge-in exact and lets the same
code run as fast as possible on recorded calls (`realtime=False`): the clock is stream time.

Per turn: the streaming recogniser gives partials and the final text; the agent understands, acts
and writes the reply sentence by sentence; each sentence is synthesised while the next is written.
Barge-in: caller speech that outlasts `barge_in_guard_s` while we talk pauses the reply and clears
the far end's queue; a backchannel ("嗯", "uh-huh") resumes it where it stopped; real words (or
speech past `barge_in_confirm_s`) cancel generation and synthesis, and the assistant's turn in the
history is cut to what was heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from dialog.agent import TurnOutcome
from dialog.security import redact
from dialog.types import CallerTurn, ReplyPart
from speech.asr.base import SAMPLE_RATE
from speech.asr.filters import is_phantom
from speech.asr.streaming import AsrEvent, LiveTranscriber, StreamingOptions
from speech.audio import float_to_pcm16, pcm16_to_float, resample
from speech.turn import EndOfTurnDetector, TurnOptions
from voice import metrics
from voice.playback import Playback, join_text
from voice.services import Services, tame_malloc

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
BACKCHANNELS = {
    "en": {"uh-huh", "uh huh", "mm-hmm", "mhm", "mm", "hmm", "hm", "ah", "aha", "oh", "yeah", "yep", "yes", "ok",
           "okay", "right", "sure", "i see", "got it", "alright", "all right", "uh", "um"},
    "zh": {"嗯", "嗯嗯", "嗯哼", "对", "对对", "对对对", "好", "好的", "是", "是的", "哦", "哦哦", "啊", "行", "明白",
           "嗯对", "喔"},
}


def is_backchannel(text: str) -> bool:
    words = re.sub(r"[^\w\s\u3400-\u9fff-]", "", text.lower()).strip()
    return not words or words in BACKCHANNELS["en"] or words in BACKCHANNELS["zh"]


class Channel(Protocol):
    """What a wire offers the session. Audio is PCM16 mono at `sample_rate`, one 20 ms frame per call."""

    name: str
    sample_rate: int
    playback_lead_s: float

    async def send_audio(self, pcm16: bytes) -> None: ...
    async def clear(self) -> None: ...  # drop what the far end has queued (Twilio `clear`)
    async def mark(self, name: str) -> None: ...  # Twilio echoes a mark once the audio before it was played
    async def send_event(self, event: dict[str, Any]) -> None: ...  # transcripts, replies, mood (the browser)
    async def hangup(self) -> None: ...


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

    def __post_init__(self) -> None:
        if self.language == "auto":  # as the settings write it
            self.language = None


@dataclass
class _BargeIn:
    clock: int  # call clock (samples) when the caller's speech was detected
    wall: float
    paused_wall: float | None = None
    verdict: str | None = None  # "backchannel" | "interrupt"


@dataclass
class _Turn:
    idx: int
    text: str
    language: str | None
    speech_end_t: float | None = None  # stream seconds
    turn_end_t: float | None = None
    turn_end_wall: float | None = None
    final_wall: float = 0.0
    asr_s: float = 0.0
    outcome: TurnOutcome | None = None
    first_audio_wall: float | None = None
    tts_first_s: float | None = None
    typed: bool = False
    marks: list[str] = field(default_factory=list)
    finished: bool = False  # its record is written (or being written): never a second one


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
        self.playback = Playback(self.rate, channel.playback_lead_s, uses_marks=getattr(channel, "uses_marks", False))
        self.call = services.agent.start_call(self.call_id, caller_id if self.caller_id_trusted else None,
                                              self.options.language or "en")
        self.turns: list[dict[str, Any]] = []  # finished turn records, also persisted
        self.replies = 0  # replies started (greeting, answers, reprompts)
        self.closed = asyncio.Event()
        self._closing: asyncio.Future | None = None
        self.end_reason: str | None = None
        self._barge: _BargeIn | None = None
        self._unheard: _Turn | None = None  # a reply cancelled before the caller heard any of it
        self._reply_task: asyncio.Task | None = None
        self._reply_turn: _Turn | None = None
        self._reply_cancel = threading.Event()
        self._computing = False  # a reply is being written or synthesised
        self._hangup_after_reply: str | None = None
        self._turn_count = 0
        self._idle_since = 0
        self._reprompts = 0
        self._dtmf = ""
        self._last_feed_wall = time.monotonic()
        self._speaking = False  # the caller, per the VAD
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: asyncio.Queue[AsrEvent] = asyncio.Queue()
        self._tasks: list[asyncio.Task] = []
        self._recorder: _Recorder | None = None
        self.live: LiveTranscriber | None = None

    # --- the channel's side -------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        o = self.options
        self.live = LiveTranscriber(self.services.engine, self._on_asr, language=o.language, sample_rate=self.rate,
                                    turn=EndOfTurnDetector(o.turn), options=o.streaming, realtime=o.realtime)
        records = self.services.records
        await asyncio.to_thread(records.open_call, self.call_id, self.channel.name, self.caller_id, o.language)
        if o.recordings_dir:
            self._recorder = _Recorder(Path(o.recordings_dir) / f"{self.call_id}.wav", self.rate)
            await asyncio.to_thread(records.update_call, self.call_id, recording=str(self._recorder.path))
        if self.caller_id:
            await asyncio.to_thread(records.add_event, self.call_id, "caller_id", number=self.caller_id,
                                    trusted=self.caller_id_trusted)
        metrics.CALLS.labels(self.channel.name).inc()
        metrics.ACTIVE_CALLS.labels(self.channel.name).inc()
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
        if self._recorder:
            self._recorder.caller(pcm)
        await self._check_barge_in()
        await self._pump()
        await self._check_silence()

    async def text(self, text: str) -> None:
        """A typed turn (the browser's text box, DTMF digits): answered like speech."""
        text = text.strip()
        if text and not self.closed.is_set():
            await self._begin_turn(_Turn(self._next_idx(), text, None, final_wall=time.monotonic(), typed=True,
                                         turn_end_wall=time.monotonic()))

    async def dtmf(self, digit: str) -> None:
        """Keypad digits gather until '#', then count as a typed turn (an order number, say). The record gets
        one event per entry, redacted like the turn (a card number keyed in is not kept digit by digit)."""
        await self.channel.send_event({"type": "dtmf", "digit": digit})
        if digit == "#":
            digits, self._dtmf = self._dtmf, ""
            await asyncio.to_thread(self.services.records.add_event, self.call_id, "dtmf", digits=digits + "#")
            await self.text(digits)
        elif digit.isdigit():
            self._dtmf += digit

    def mark_played(self, name: str) -> None:
        """The far end played everything up to this mark (Twilio echoes marks as playback reaches them,
        and those still queued when we `clear`): "<reply>:<sentence>" confirms that sentence was heard."""
        reply, _, sentence = name.partition(":")
        if self.playback.paused:  # marks Twilio returns for audio our `clear` dropped: not heard
            return
        if reply == str(self.replies) and sentence.isdigit() and self.playback.played(self.clock) > 0:
            self.playback.confirm(int(sentence))
            if self._reply_turn is not None:
                self._reply_turn.marks.append(name)

    async def close(self, reason: str = "caller hung up") -> None:
        """End the call (idempotent: a second caller waits for the first to finish closing)."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close(reason))
        await asyncio.shield(self._closing)

    async def _close(self, reason: str) -> None:
        self.closed.set()
        self.end_reason = reason
        await self._cancel_reply(reason="call ended")
        for task in self._tasks:
            task.cancel()
        if self.live is not None:
            await asyncio.to_thread(self.live.close)
        if self._recorder:
            self._recorder.close()
        state = self.call.state
        await asyncio.to_thread(self.services.records.end_call, self.call_id, reason, state.ticket_id)
        metrics.ACTIVE_CALLS.labels(self.channel.name).dec()
        log.info("call %s ended: %s (%d turns)", self.call_id, reason, len(self.turns))

    async def wait_quiet(self) -> None:
        """Until nothing is being computed: recognition events handled, no reply being written or synthesised.
        Replaying recorded calls as fast as possible uses it: compute takes no stream time."""
        while not self.closed.is_set():
            await asyncio.sleep(0)
            if self._events.empty() and not self._computing:
                return
            await asyncio.sleep(0.002)

    @property
    def turn_count(self) -> int:
        """Caller turns begun so far (turn records carry `idx` 1..turn_count)."""
        return self._turn_count

    @property
    def caller_turn_open(self) -> bool:
        """The caller has spoken and the recogniser has not given the turn's final text yet."""
        return self.live is not None and self.live.in_turn

    @property
    def assistant_busy(self) -> bool:
        return self.playback.busy(self.clock) or (self._reply_task is not None and not self._reply_task.done())

    @property
    def _has_floor(self) -> bool:
        """The assistant is mid-reply: audio playing, or some played and the rest still being written
        (a caller who starts in the gap between two sentences is barging in too)."""
        return self.playback.busy(self.clock) or self.playback.sent > 0 and self._computing

    # --- recognition events -------------------------------------------------------------------
    def _on_asr(self, event: AsrEvent) -> None:  # called on the recogniser's thread
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._events.put_nowait, event)

    async def _consume_asr(self) -> None:
        while True:
            e = await self._events.get()
            try:
                await self._handle_asr(e)
            except Exception:  # noqa: BLE001 - one bad event must not end the call
                log.exception("call %s: error handling %s", self.call_id, e.kind)
                metrics.ERRORS.labels(self.channel.name, "asr").inc()

    async def _handle_asr(self, e: AsrEvent) -> None:
        if e.kind == "speech_start":
            self._speaking = True
            self._idle_since = self.clock
            if self._has_floor and self._barge is None:
                self._barge = _BargeIn(self.clock, e.wall_t)
            await self.channel.send_event({"type": "speech_start"})
        elif e.kind == "speech_end":
            self._speaking = False
        elif e.kind == "partial":
            await self.channel.send_event({"type": "partial", "text": e.text, "stable": e.stable})
        elif e.kind == "draft" and self._barge is not None and self._barge.verdict is None:
            await self._judge_barge_in(e.text)
        elif e.kind == "final":
            self._speaking = False
            self._idle_since = self.clock
            barge, self._barge = self._barge, None
            words = bool(e.text.strip()) and not is_backchannel(e.text) and not is_phantom(e.text)
            if barge is not None and not words:  # a nod while we talk: the reply goes on
                if barge.verdict is None:
                    await self._resume(barge, e.text)
                return
            if barge is not None and barge.verdict != "interrupt":  # the draft sounded like a nod; the caller
                await self._interrupt(barge, e.text)  # said more: they have the floor
            if not e.text.strip() or is_phantom(e.text):
                return
            turn = _Turn(self._next_idx(), e.text, e.transcript.language if e.transcript else None,
                         speech_end_t=e.speech_end_t, turn_end_t=e.turn_end_t, turn_end_wall=e.turn_end_wall,
                         final_wall=e.wall_t, asr_s=e.asr_s)
            turn.audio = e.pcm  # type: ignore[attr-defined]
            await self._begin_turn(turn)

    # --- barge-in -----------------------------------------------------------------------------
    async def _check_barge_in(self) -> None:
        barge = self._barge
        if barge is None or barge.verdict is not None:
            return
        if not self._has_floor and barge.paused_wall is None:
            self._barge = None  # the reply ended on its own while the caller started
            return
        speech_s = (self.clock - barge.clock) / self.rate
        if barge.paused_wall is None and self._speaking and speech_s >= self.options.barge_in_guard_s:
            self.playback.pause(self.clock)
            await self.channel.clear()
            barge.paused_wall = time.monotonic()
            await self._record_event("barge_in_pause", after_ms=round((barge.paused_wall - barge.wall) * 1000, 1),
                                     heard=self.playback.heard_text(self.clock))
        elif barge.paused_wall is not None and self._speaking and speech_s >= self.options.barge_in_confirm_s:
            await self._interrupt(barge, "long speech")

    async def _judge_barge_in(self, text: str) -> None:
        barge = self._barge
        assert barge is not None
        if is_backchannel(text) or is_phantom(text):
            await self._resume(barge, text)
            barge.verdict = "backchannel"
        else:
            await self._interrupt(barge, text)

    async def _resume(self, barge: _BargeIn, text: str) -> None:
        if barge.paused_wall is not None:
            self.playback.resume()
        await self._record_event("backchannel", text=text)

    async def _interrupt(self, barge: _BargeIn, why: str) -> None:
        barge.verdict = "interrupt"
        if barge.paused_wall is None:
            self.playback.pause(self.clock)
            await self.channel.clear()
            barge.paused_wall = time.monotonic()
        metrics.BARGE_INS.labels(self.channel.name).inc()
        heard = self.playback.heard_text(self.clock)
        await self._record_event("barge_in", why=redact(why), heard=heard,
                                 clear_after_ms=round((barge.paused_wall - barge.wall) * 1000, 1))
        await self._cancel_reply(reason="barge-in", heard=heard)

    async def _cancel_reply(self, reason: str, heard: str | None = None) -> None:
        task, turn = self._reply_task, self._reply_turn
        if task is asyncio.current_task():  # the reply itself is ending the call
            return
        if task is None or task.done() and not self.playback.busy(self.clock):
            self.playback.reset()
            return
        self._reply_cancel.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        heard = self.playback.heard_text(self.clock) if heard is None else heard
        barely = self.playback.played(self.clock) < 0.6 * self.rate  # the reply had only just begun
        self.playback.reset()
        if turn is not None and not turn.finished:  # a turn already recorded was heard whole: nothing to undo
            self._trim_history(turn, "" if barely else heard)
            unheard = (barely and turn.outcome is not None and not turn.outcome.result.changed
                       and not self.closed.is_set())
            self._unheard = turn if unheard else None  # the caller went on before hearing a word: merge
            await self._finish_turn(turn, interrupted=True, heard=heard,
                                    reason="caller went on" if unheard else reason)

    def _trim_history(self, turn: _Turn, heard: str) -> None:
        """The history keeps what the caller heard, not what we meant to say."""
        history = self.call.state.history
        said = turn.outcome.reply.meta.text if turn.outcome is not None else None
        if history and history[-1] == ("assistant", said):
            history.pop()
        if heard:
            history.append(("assistant", heard + " …"))

    # --- turns --------------------------------------------------------------------------------
    def _next_idx(self) -> int:
        self._turn_count += 1
        return self._turn_count

    async def _begin_turn(self, turn: _Turn) -> None:
        if self._reply_task is not None and not self._reply_task.done() or self.playback.busy(self.clock):
            await self._cancel_reply(reason="caller spoke again")
        before, self._unheard = self._unheard, None
        if before is not None and not turn.typed:  # one thought said in two breaths: answer it once
            history = self.call.state.history
            if history and history[-1] == ("caller", before.text):
                history.pop()
            turn.text = join_text([before.text, turn.text])
            merged = getattr(before, "audio", None), getattr(turn, "audio", None)
            if merged[0] is not None and merged[1] is not None:
                turn.audio = np.concatenate(merged)  # type: ignore[attr-defined]
        self._reprompts = 0
        await self.channel.send_event({"type": "final", "text": turn.text, "turn": turn.idx})
        self.playback.reset()
        self.replies += 1
        self._reply_cancel = threading.Event()
        self._reply_turn = turn
        self._reply_task = asyncio.create_task(self._respond(turn), name=f"turn-{self.call_id}-{turn.idx}")

    async def _respond(self, turn: _Turn) -> None:
        agent = self.services.agent
        try:
            caller = CallerTurn(turn.text, turn.language, f"{self.call_id}-{turn.idx}",  # type: ignore[arg-type]
                                getattr(turn, "audio", None), typed=turn.typed)
            self._computing = True
            outcome = await asyncio.to_thread(agent.turn, self.call, caller)
            turn.outcome = outcome
            await self.channel.send_event({
                "type": "understood", "turn": turn.idx, "intent": outcome.intent,
                "language": outcome.understanding.language, "mood": outcome.signals.mood,
                "label": outcome.signals.label, "trend": outcome.signals.trend,
                "sentiment": round(outcome.understanding.sentiment.score, 3)})
            await self._speak(iter(outcome.reply), turn)
            self._computing = False
            if outcome.result.handoff or self.call.state.handed_off:
                self._hangup_after_reply = "handed to a person"
            elif outcome.intent == "goodbye":
                self._hangup_after_reply = "goodbye"
            await self._drained()
            await self._finish_turn(turn, interrupted=False, heard=self.playback.full_text())
        except asyncio.CancelledError:
            self._computing = False
            raise
        except Exception as e:  # noqa: BLE001 - the caller hears an apology and goes to a person
            log.error("call %s turn %d failed: %s: %s", self.call_id, turn.idx, type(e).__name__, e)
            metrics.ERRORS.labels(self.channel.name, "turn").inc()
            await self._record_event("error", turn=turn.idx, error=f"{type(e).__name__}: {e}")
            language = turn.language or self.call.state.language
            lines = [ReplyPart(LINES["error"][language], language, last=True)]  # type: ignore[arg-type]
            self.playback.reset()
            self._computing = True
            await self._speak(iter(lines), turn)
            self._computing = False
            self._hangup_after_reply = "error: handed to a person"
            await self._drained()
            await self._finish_turn(turn, interrupted=False, heard=self.playback.full_text(), reason="error")
        if self._hangup_after_reply:
            await self._hang_up(self._hangup_after_reply)

    async def _speak(self, parts: Iterator[ReplyPart], turn: _Turn | None) -> None:
        """Write and synthesise at once: the next sentence is generated while this one is spoken."""
        cancel = self._reply_cancel
        lock = threading.Lock()  # a generator must not be closed while another thread runs it
        done = object()

        def pull() -> object:
            with lock:
                return done if cancel.is_set() else next(parts, done)

        queue: asyncio.Queue[object] = asyncio.Queue()

        async def produce() -> None:
            try:
                while (part := await asyncio.to_thread(pull)) is not done:
                    await queue.put(part)
            finally:
                await queue.put(done)
                if cancel.is_set():  # stop the writer's model thread too
                    await asyncio.to_thread(close)

        def close() -> None:
            with lock:
                getattr(parts, "close", lambda: None)()

        producer = asyncio.create_task(produce())
        try:
            while (part := await queue.get()) is not done:
                assert isinstance(part, ReplyPart)
                if not part.text.strip():
                    continue
                await self.channel.send_event({"type": "reply", "text": part.text, "language": part.language,
                                               "turn": turn.idx if turn else 0})
                started = time.monotonic()
                chunks = iter(self.services.voice.stream(part.text, part.language))
                while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:  # sentence by sentence
                    if turn is not None and turn.tts_first_s is None:
                        turn.tts_first_s = time.monotonic() - started
                    if cancel.is_set():
                        return
                    rate = chunk.sample_rate
                    pcm = np.concatenate([chunk.pcm, np.zeros(int(rate * 0.12), np.float32)])  # a breath between
                    self.playback.add(chunk.text, float_to_pcm16(resample(pcm, rate, self.rate)))
                    await self._pump()
        finally:
            producer.cancel()

    def _say_lines(self, key: str, then_hang_up: str | None = None) -> None:
        language = self.options.language or ("auto" if self._turn_count == 0 else self.call.state.language)
        languages = ["zh", "en"] if language == "auto" else [language]
        parts = [ReplyPart(LINES[key][lang], lang, last=i == len(languages) - 1) for i, lang in enumerate(languages)]
        self.call.state.history.append(("assistant", " ".join(p.text for p in parts)))

        async def run() -> None:
            self._computing = True
            try:
                await self._speak(iter(parts), None)
            finally:
                self._computing = False
            if then_hang_up:
                await self._drained()
                await self._hang_up(then_hang_up)

        if self.playback.busy(self.clock):
            return  # never talk over ourselves
        self.playback.reset()
        self.replies += 1
        self._reply_cancel = threading.Event()
        self._reply_turn = None
        self._reply_task = asyncio.create_task(run(), name=f"{key}-{self.call_id}")

    async def _drained(self) -> None:
        """Until the reply has been played at the far end (the clock moves with the caller's audio)."""
        while self.playback.busy(self.clock):
            await asyncio.sleep(0.01 if self.options.realtime else 0.001)

    async def _finish_turn(self, turn: _Turn, *, interrupted: bool, heard: str, reason: str | None = None) -> None:
        if turn.finished:  # a message right after the turn ended cancels a reply whose record is being written
            return
        turn.finished = True
        record = self._turn_record(turn, interrupted, heard, reason)
        self.turns.append(record)
        # Stored first, and whole even if the caller hangs up this instant (the write is shielded from the
        # reply's cancellation): the "turn" event then means the record is there.
        await asyncio.shield(asyncio.to_thread(self.services.records.add_turn, self.call_id, turn.idx, record))
        await self.channel.send_event({"type": "turn", **{k: record[k] for k in ("idx", "latency_ms", "interrupted")}})
        await asyncio.to_thread(tame_malloc, True)  # give the turn's freed buffers back to the system
        labels = (self.channel.name,)
        metrics.TURNS.labels(*labels, record.get("language") or "?").inc()
        for stage, ms in record["latency_ms"].items():
            if ms is not None:
                metrics.STAGE_SECONDS.labels(*labels, stage).observe(ms / 1000)
        self._reply_turn = None if self._reply_turn is turn else self._reply_turn

    def _turn_record(self, turn: _Turn, interrupted: bool, heard: str, reason: str | None) -> dict[str, Any]:
        o = turn.outcome
        record: dict[str, Any] = o.record() if o is not None else {"text": redact(turn.text), "language": turn.language}
        known = turn.turn_end_t is not None and turn.speech_end_t is not None
        endpoint = turn.turn_end_t - turn.speech_end_t if known else None  # type: ignore[operator]
        start = turn.turn_end_wall or turn.final_wall
        meta = o.reply.meta if o is not None else None

        def ms(x: float | None) -> float | None:
            return None if x is None else round(x * 1000, 1)

        after_turn = o.understand_s + o.action_s if o is not None else 0.0
        v2v = None
        if turn.first_audio_wall is not None:
            v2v = (endpoint or 0.0) + (turn.first_audio_wall - start)
        record.update({
            "idx": turn.idx, "typed": turn.typed, "interrupted": interrupted, "heard": heard, "end": reason,
            "marks_played": turn.marks,
            "latency_ms": {
                "endpoint": ms(endpoint),
                "asr": ms(max(0.0, turn.final_wall - start)),
                "understand": ms(o.understand_s) if o else None,
                "action": ms(o.action_s) if o else None,
                "first_token": ms(after_turn + meta.first_token_s) if meta and meta.first_token_s is not None else None,
                "first_sentence": ms(after_turn + meta.first_sentence_s) if meta and meta.first_sentence_s else None,
                "tts_first": ms(turn.tts_first_s),
                "first_audio": ms(turn.first_audio_wall - start) if turn.first_audio_wall else None,
                "voice_to_voice": ms(v2v),
            },
        })
        return record

    async def _hang_up(self, reason: str) -> None:
        if self.closed.is_set():
            return
        await self.channel.send_event({"type": "hangup", "reason": reason})
        try:
            await self.channel.hangup()
        finally:
            await self.close(reason)

    # --- the clock ----------------------------------------------------------------------------
    async def _pump(self) -> None:
        """Send the reply frames that are due on the call's clock."""
        due = [] if self.playback.sent == 0 and self._speaking else self.playback.due(self.clock)  # never start
        # talking while the caller is; lines that expect media all the time (RTP) get silence between replies
        if not due and getattr(self.channel, "continuous_media", False) and self.playback.play_end <= self.clock:
            await self.channel.send_audio(bytes(2 * self.rate // 50))
        for frame, sentence_done in due:
            turn = self._reply_turn
            if turn is not None and turn.first_audio_wall is None:
                turn.first_audio_wall = time.monotonic()
            await self.channel.send_audio(frame.tobytes())
            if self._recorder:
                self._recorder.assistant(frame, self.playback.play_end - len(frame))
            if sentence_done is not None and getattr(self.channel, "uses_marks", False):
                await self.channel.mark(f"{self.replies}:{sentence_done}")

    async def _check_silence(self) -> None:
        if self._speaking or self.assistant_busy or self._barge is not None:
            self._idle_since = self.clock
            return
        if (self.clock - self._idle_since) / self.rate < self.options.reprompt_after_s:
            return
        self._idle_since = self.clock
        self._reprompts += 1
        await self._record_event("reprompt", count=self._reprompts)
        if self._reprompts > self.options.max_reprompts:
            self._say_lines("goodbye_silent", then_hang_up="silence")
        else:
            self._say_lines("reprompt")

    async def _tick(self) -> None:
        """Live calls: when the line goes quiet (no frames at all), time still passes."""
        frame = np.zeros(self.rate // 50, np.float32)
        while not self.closed.is_set():
            await asyncio.sleep(0.02)
            if time.monotonic() - self._last_feed_wall > 0.1:
                await self.feed(frame)
                self._last_feed_wall -= 0.08  # keep ticking every 20 ms while the line stays quiet

    async def _record_event(self, kind: str, **detail: Any) -> None:
        await asyncio.to_thread(self.services.records.add_event, self.call_id, kind, **detail)
        await self.channel.send_event({"type": kind, **detail})


class _Recorder:
    """An optional stereo recording: caller left, assistant right, written as the call goes."""

    def __init__(self, path: Path, rate: int) -> None:
        import soundfile as sf

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.file = sf.SoundFile(path, "w", samplerate=rate, channels=2, subtype="PCM_16")
        self.written = 0
        self.out = np.zeros(0, np.int16)  # assistant audio not yet written (it is scheduled ahead)
        self.out_start = 0

    def caller(self, pcm: np.ndarray) -> None:
        n = len(pcm)
        right = np.zeros(n, np.int16)
        take = self.out[:n]
        right[:len(take)] = take
        self.out = self.out[n:]
        self.out_start += n
        self.file.write(np.stack([float_to_pcm16(pcm), right], axis=1))
        self.written += n

    def assistant(self, frame: np.ndarray, at: int) -> None:
        offset = max(0, at - self.out_start)
        if len(self.out) < offset + len(frame):
            self.out = np.concatenate([self.out, np.zeros(offset + len(frame) - len(self.out), np.int16)])
        self.out[offset:offset + len(frame)] = frame

    def close(self) -> None:
        self.file.close()


__all__ = ["CallSession", "Channel", "SessionOptions", "SAMPLE_RATE", "is_backchannel", "LINES"]
