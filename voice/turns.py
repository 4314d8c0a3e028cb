"""Who holds the floor: the turn and barge-in rules of a call, as plain state, no audio and no models.

The session feeds what it observes, on the call's clock (samples of caller audio received), and acts on
the decisions it gets back. Nothing here waits, sends or synthesises, so every rule is testable in
milliseconds (tests/voice/test_turns.py):
- the caller starts talking while the assistant holds the floor: a barge-in is under way;
- speech that outlasts `guard_s` pauses the reply (`Pause`); the first-pause text ("draft") or the
  final text judges it: a backchannel ("嗯", "uh-huh") resumes the reply where it stopped (`Resume`),
  real words, or speech past `confirm_s`, interrupt it (`Interrupt`);
- a final with words is the caller's turn (`TakeTurn`); a reply the caller went on over before hearing a
  word of it is answered together with the next turn (`merge`): one thought said in two breaths;
- silence (ours and theirs) past `reprompt_after_s` asks "are you still there?" (`Reprompt`), up to
  `max_reprompts`, then says goodbye.

- the caller's first pause with words, while nobody else holds the floor: a reply may be started early on
  those words (`StartEarly`; dialog/speculation.py decides whether it is safe and, at the final, whether it
  still fits); the caller going on drops it (`DropEarly`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from speech.asr.filters import is_phantom
from voice.playback import join_text

# How a turn answered together with the next one ends in the call record (its words begin the next turn's text).
WENT_ON = "caller went on"

BACKCHANNELS = {
    "en": {"uh-huh", "uh huh", "mm-hmm", "mhm", "mm", "hmm", "hm", "ah", "aha", "oh", "yeah", "yep", "yes", "ok",
           "okay", "right", "sure", "i see", "got it", "alright", "all right", "uh", "um"},
    "zh": {"嗯", "嗯嗯", "嗯哼", "对", "对对", "对对对", "好", "好的", "是", "是的", "哦", "哦哦", "啊", "行", "明白",
           "嗯对", "喔"},
}


def is_backchannel(text: str) -> bool:
    """A nod ("uh-huh", "嗯", nothing at all): the caller is listening, not taking the floor."""
    words = re.sub(r"[^\w\s\u3400-\u9fff-]", "", text.lower()).strip()
    return not words or words in BACKCHANNELS["en"] or words in BACKCHANNELS["zh"]


def has_words(text: str) -> bool:
    """Text that can be a turn: not empty and not one of the recogniser's phantoms ("Thank you.")."""
    return bool(text.strip()) and not is_phantom(text)


@dataclass(frozen=True)
class TurnTimings:
    guard_s: float = 0.15  # caller speech past the VAD's start before the reply pauses
    confirm_s: float = 0.8  # speech this long interrupts whatever it says
    reprompt_after_s: float = 8.0  # silence (ours and theirs) before "are you still there?"
    max_reprompts: int = 2  # then say goodbye and hang up


# --- what the session observes ----------------------------------------------------------------
@dataclass(frozen=True)
class Assistant:
    """What the assistant is doing now, as the player and the writer tell it."""

    floor: bool  # mid-reply: audio playing, or some played and the rest still being written
    busy: bool  # anything playing, or a reply being written or synthesised


@dataclass(frozen=True)
class SpeechStarted:
    clock: int
    wall: float  # time.monotonic(), for the records' "paused after" figures only
    assistant: Assistant


@dataclass(frozen=True)
class SpeechStopped:
    clock: int


@dataclass(frozen=True)
class Draft:
    """The recogniser's text at the first pause: enough to tell a nod from words."""

    text: str
    wall: float
    assistant: Assistant | None = None
    language: str | None = None


@dataclass(frozen=True)
class Resumed:
    """The caller went on after the first pause: the draft is stale."""


@dataclass(frozen=True)
class Final:
    clock: int
    text: str
    wall: float


@dataclass(frozen=True)
class Typed:
    """A turn typed (the browser's text box) or keyed (DTMF): answered like speech, no barge-in rules."""

    text: str


@dataclass(frozen=True)
class Frame:
    """A frame of caller audio was received (or the line's quiet tick): the barge-in timers run on it."""

    clock: int
    wall: float
    assistant: Assistant


@dataclass(frozen=True)
class Silence:
    """After a frame, once the reply audio due on it went out: the reprompt timer runs on it."""

    clock: int
    assistant: Assistant


Observed = SpeechStarted | SpeechStopped | Draft | Resumed | Final | Typed | Frame | Silence


# --- what the session is told to do -----------------------------------------------------------
@dataclass(frozen=True)
class Pause:
    """Stop the reply where the caller is and drop what the far end queued; the caller may only be nodding."""

    after_s: float  # wall seconds from the caller's speech start


@dataclass(frozen=True)
class Resume:
    """A backchannel: the reply goes on (from where it was paused, if it was)."""

    text: str
    paused: bool


@dataclass(frozen=True)
class Interrupt:
    """The caller has the floor: stop the reply (pausing it first if it still plays) and cancel the rest."""

    why: str
    paused: bool  # the reply was already paused
    after_s: float  # wall seconds from the caller's speech start to the pause


@dataclass(frozen=True)
class TakeTurn:
    idx: int
    text: str
    typed: bool = False


@dataclass(frozen=True)
class Reprompt:
    count: int
    goodbye: bool  # the last one: say goodbye and hang up


@dataclass(frozen=True)
class StartEarly:
    """Start answering the draft now (if that is safe); the final keeps or discards it."""

    text: str
    language: str | None


@dataclass(frozen=True)
class DropEarly:
    """The reply started early was on words the caller went on from: stop it, say nothing of it."""


Decision = Pause | Resume | Interrupt | TakeTurn | Reprompt | StartEarly | DropEarly


@dataclass
class _BargeIn:
    clock: int  # call clock when the caller's speech was detected
    wall: float
    paused_wall: float | None = None
    verdict: Literal["backchannel", "interrupt"] | None = None


@dataclass(frozen=True)
class Unheard:
    """A caller turn whose reply was cut before the caller heard any of it: answered with the next turn."""

    text: str
    audio: Any = None  # the turn's audio, carried along for the session (never looked at here)


class TurnMachine:
    """One call's turn-taking state. `rate` converts the clock (samples) to seconds."""

    def __init__(self, rate: int, timings: TurnTimings | None = None, early: bool = True) -> None:
        self.rate, self.timings, self.early = rate, timings or TurnTimings(), early
        self.speaking = False  # the caller, per the VAD
        self.turns = 0  # caller turns taken (their idx run 1..turns)
        self.reprompts = 0  # since the caller last took a turn
        self.unheard: Unheard | None = None
        self.started_early: str | None = None  # the draft a reply was started on, until the final or the caller
        self._barge: _BargeIn | None = None
        self._idle_since = 0

    @property
    def barging_in(self) -> bool:
        """The caller started over the assistant and the final text has not settled it yet."""
        return self._barge is not None

    def observe(self, event: Observed) -> list[Decision]:
        match event:
            case SpeechStarted(clock, wall, assistant):
                self.speaking, self._idle_since = True, clock
                if assistant.floor and self._barge is None:
                    self._barge = _BargeIn(clock, wall)
                return []
            case SpeechStopped():
                self.speaking = False
                return []
            case Draft(text, wall, assistant, language):
                barge = self._barge
                if barge is None:
                    return self._start_early(text, language, assistant)
                if barge.verdict is not None:
                    return []
                if is_backchannel(text) or is_phantom(text):
                    barge.verdict = "backchannel"
                    return [Resume(text, barge.paused_wall is not None)]
                return [self._interrupt(barge, text, wall)]
            case Resumed():
                return self._drop_early()
            case Final(clock, text, wall):
                return self._final(clock, text, wall)
            case Typed(text):
                return [self._take(text, typed=True)]
            case Frame(clock, wall, assistant):
                return self._barge_timers(clock, wall, assistant)
            case Silence(clock, assistant):
                return self._silence(clock, assistant)
        raise TypeError(f"not an observation: {event!r}")

    def went_unheard(self, turn: Unheard | None) -> None:
        """The reply to this turn was cut before the caller heard a word (None: it was heard, or changed
        something): the caller went on, so the next spoken turn answers both."""
        self.unheard = turn

    def merge(self, text: str, typed: bool) -> tuple[str, Unheard | None]:
        """The text to answer for a turn now beginning, and the unheard turn it continues (if any).
        Called once the previous reply is cancelled: cancelling it is what can leave it unheard."""
        before, self.unheard = self.unheard, None
        self.reprompts = 0
        if before is None or typed:
            return text, None
        return join_text([before.text, text]), before

    # --- the rules ----------------------------------------------------------------------------
    def _start_early(self, text: str, language: str | None, assistant: Assistant | None) -> list[Decision]:
        idle = assistant is not None and not assistant.busy and not assistant.floor
        if not self.early or not idle or self.unheard is not None or not has_words(text) or is_backchannel(text):
            return []  # a turn merged with an unheard one, or one over a reply, is answered from its final
        self.started_early = text
        return [StartEarly(text, language)]

    def _drop_early(self) -> list[Decision]:
        if self.started_early is None:
            return []
        self.started_early = None
        return [DropEarly()]

    def _final(self, clock: int, text: str, wall: float) -> list[Decision]:
        self.speaking, self._idle_since = False, clock
        # a reply started early: the turn taken keeps or discards it (the session decides); no turn drops it
        out: list[Decision] = [] if has_words(text) else self._drop_early()
        self.started_early = None
        barge, self._barge = self._barge, None
        words = has_words(text) and not is_backchannel(text)
        if barge is not None and not words:  # a nod while we talk: the reply goes on
            return out + ([Resume(text, barge.paused_wall is not None)] if barge.verdict is None else [])
        if barge is not None and barge.verdict != "interrupt":  # the draft sounded like a nod; the caller said
            out.append(self._interrupt(barge, text, wall))  # more: they have the floor
        if has_words(text):
            out.append(self._take(text))
        return out

    def _take(self, text: str, typed: bool = False) -> TakeTurn:
        self.turns += 1
        return TakeTurn(self.turns, text, typed)

    def _interrupt(self, barge: _BargeIn, why: str, wall: float) -> Interrupt:
        barge.verdict = "interrupt"
        paused = barge.paused_wall is not None
        if barge.paused_wall is None:
            barge.paused_wall = wall
        return Interrupt(why, paused, barge.paused_wall - barge.wall)

    def _barge_timers(self, clock: int, wall: float, assistant: Assistant) -> list[Decision]:
        barge = self._barge
        if barge is None or barge.verdict is not None:
            return []
        if not assistant.floor and barge.paused_wall is None:
            self._barge = None  # the reply ended on its own while the caller started
            return []
        speech_s = (clock - barge.clock) / self.rate
        if barge.paused_wall is None and self.speaking and speech_s >= self.timings.guard_s:
            barge.paused_wall = wall
            return [Pause(wall - barge.wall)]
        if barge.paused_wall is not None and self.speaking and speech_s >= self.timings.confirm_s:
            return [self._interrupt(barge, "long speech", wall)]
        return []

    def _silence(self, clock: int, assistant: Assistant) -> list[Decision]:
        if self.speaking or assistant.busy or self._barge is not None:
            self._idle_since = clock
            return []
        if (clock - self._idle_since) / self.rate < self.timings.reprompt_after_s:
            return []
        self._idle_since = clock
        self.reprompts += 1
        return [Reprompt(self.reprompts, goodbye=self.reprompts > self.timings.max_reprompts)]
