"""End of turn: when has the caller finished speaking?

Two signals, both already at hand when the caller pauses:
- the words: the transcript the recogniser prepared during the pause. A finished sentence
  ("...my order 10023.") may end the turn; words that trail off ("and", "um", "然后") may not.
- the sound, when an audio model is given (Smart Turn, `speech/smart_turn.py`): intonation and
  rhythm can tell "一零零…" read in groups, or "um… and also…", from a caller who is done, where
  Whisper puts a full stop after either. How well it does, on real and on synthetic voices, is
  measured by `bench/turn.py` (README, "End of turn"): well on real voices, poorly on synthetic ones.

Without a model the rule is today's: 0.55 s of silence after a finished sentence, 1.2 s otherwise.
With one, a short silence (0.2 s) plus "complete" from the model (and words that do not trail off)
ends the turn; otherwise the turn waits, asking the model again every 0.5 s as the pause grows, up to
2 s. The threshold (0.7) and the 0.5 s were chosen on `bench/turn.py`'s sets (README, "End of turn").
The model runs only in pauses, at most once per `rescore_every_s`; every decision leaves a
`TurnVerdict` (probability, which rule fired, the waits) for the turn record.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

_FINISHED = re.compile(r"[.?!。？！]\s*$")
_CONTINUING = re.compile(
    r"(\b(and|but|so|or|because|um+|uh+|er+|like|the|a|my|to|of)|(然后|还有|但是|所以|因为|那个|就是|嗯|呃|我想|我的))[,，]?\s*$",
    re.IGNORECASE,
)

log = logging.getLogger("voicedesk.turn")

Rule = Literal["waiting", "finished-words", "max-silence", "complete", "timeout"]


@dataclass
class TurnOptions:
    # words only (no audio model), the rule the detector falls back to
    min_silence_s: float = 0.55  # after a finished sentence (a comma pause runs ~0.45 s)
    max_silence_s: float = 1.2  # whatever the words say
    max_turn_s: float = 25.0  # longest single caller turn before we take it anyway
    # with the audio model
    complete_silence_s: float = 0.2  # silence before the model is first asked; "complete" then ends the turn
    incomplete_silence_s: float = 2.0  # the longest wait, when the model keeps hearing more to come
    threshold: float = 0.7  # model probability above which the turn sounds complete (Pipecat uses 0.5)
    rescore_every_s: float = 0.5  # ask the model again while the pause grows (it hears the silence too)


class TurnModel(Protocol):
    def probability(self, pcm: np.ndarray) -> float: ...


@dataclass(frozen=True)
class TurnVerdict:
    """What the detector decided at one moment of a pause, and why: the turn record keeps the last."""

    end: bool
    rule: Rule
    silence_s: float
    wait_s: float  # the silence this pause needs, given what is known now
    probability: float | None = None  # the model's latest "complete" probability in this pause
    scored_at_s: float | None = None  # the silence it heard when asked
    model_calls: int = 0  # model runs in this pause
    model_s: float = 0.0  # seconds those runs took


class EndOfTurnDetector:
    """`is_end(silence_s, text)` as before; pass `audio` (the turn so far, called only when the model runs)
    to let a model given here decide. The detector keeps one pause's state: a new pause starts when
    `silence_s` goes down, or at `reset()`."""

    def __init__(self, options: TurnOptions | None = None, model: TurnModel | None = None) -> None:
        self.options = options or TurnOptions()
        self.model = model
        self.verdict: TurnVerdict | None = None
        self.reset()

    def reset(self) -> None:
        """Forget the current pause (a new turn, or the caller spoke again)."""
        self._last_silence = -1.0
        self._probability: float | None = None
        self._scored_at: float | None = None
        self._calls = 0
        self._model_s = 0.0
        self._failed = False

    def looks_finished(self, text: str | None) -> bool:
        if not text:
            return False
        return bool(_FINISHED.search(text)) and not self.trails_off(text)

    def trails_off(self, text: str | None) -> bool:
        """Words that promise more: "and", "um", "我的", "然后"..."""
        return bool(text) and bool(_CONTINUING.search(text.rstrip(".?!。？！ ")))

    def is_end(self, silence_s: float, text: str | None,
               audio: Callable[[], np.ndarray] | None = None) -> bool:
        """`text` is the transcript of the turn so far, or None while it is being computed;
        `audio` returns the turn's 16 kHz audio up to now (pause included)."""
        return self.decide(silence_s, text, audio).end

    def decide(self, silence_s: float, text: str | None,
               audio: Callable[[], np.ndarray] | None = None) -> TurnVerdict:
        if silence_s < self._last_silence:
            self.reset()
        self._last_silence = silence_s
        if self.model is None or audio is None or self._failed:
            verdict = self._by_words(silence_s, text)
        else:
            verdict = self._by_sound(silence_s, text, audio)
        self.verdict = verdict
        return verdict

    def _by_words(self, silence_s: float, text: str | None) -> TurnVerdict:
        o = self.options
        finished = self.looks_finished(text)
        wait = o.min_silence_s if finished else o.max_silence_s
        if silence_s >= o.max_silence_s:
            return TurnVerdict(True, "max-silence", silence_s, wait)
        if silence_s >= o.min_silence_s and finished:
            return TurnVerdict(True, "finished-words", silence_s, wait)
        return TurnVerdict(False, "waiting", silence_s, wait)

    def _by_sound(self, silence_s: float, text: str | None, audio: Callable[[], np.ndarray]) -> TurnVerdict:
        o = self.options
        due = silence_s >= o.complete_silence_s and (
            self._scored_at is None or silence_s - self._scored_at >= o.rescore_every_s - 1e-9)
        if due:
            assert self.model is not None
            started = time.perf_counter()
            try:
                self._probability = self.model.probability(audio())
            except Exception as e:  # a model failure must not stop the call: the words decide
                log.warning("end-of-turn model failed (%s: %s): words and silence decide this pause",
                            type(e).__name__, e)
                self._failed = True
                return self._by_words(silence_s, text)
            finally:
                self._model_s += time.perf_counter() - started
            self._calls += 1
            self._scored_at = silence_s
        # "complete" waits for the words (the final text needs them anyway), so a trailing "and" can still veto it
        complete = (self._probability is not None and self._probability > o.threshold
                    and text is not None and not self.trails_off(text))
        wait = o.complete_silence_s if complete else o.incomplete_silence_s

        def verdict(end: bool, rule: Rule) -> TurnVerdict:
            return TurnVerdict(end, rule, silence_s, wait, self._probability, self._scored_at, self._calls,
                               self._model_s)

        if complete:
            return verdict(True, "complete")
        if silence_s >= o.incomplete_silence_s:
            return verdict(True, "timeout")
        return verdict(False, "waiting")
