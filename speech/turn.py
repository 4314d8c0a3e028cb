"""End of turn: when has the caller finished speaking?

Two signals, both already at hand when the caller pauses:
- the words: the transcript the recogniser prepared during the pause. A finished sentence
  ("...my order 10023.") may end the turn; words that trail off ("and", "um", "然后") may not.
- the sound, when an audio model is given (Smart Turn, `speech/smart_turn.py`): intonation and
  rhythm can tell "一零零…" read in groups, or "um… and also…", from a caller who is done, where
  Whisper puts a full stop after either. How well it does, on real and on synthetic voices, is
  measured by `bench/turn.py` (docs/turn-taking.md): well on real voices, poorly on synthetic ones.

Without a model the rule is the words': 0.55 s of silence after a finished sentence, 1.2 s otherwise,
2.0 s while a number is read in groups ("my order number is 100…": fewer digits than its words announce).
With one, a short silence (0.2 s) plus "complete" from the model (and words that do not trail off)
ends the turn; otherwise the turn waits, asking the model again every 0.5 s as the pause grows, up to
2 s. The threshold (0.7) and the 0.5 s were chosen on `bench/turn.py`'s sets (docs/turn-taking.md).
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
# Words a sentence cannot end on: a conjunction or a filler, an article, a possessive, a verb still waiting for
# what it announces ("my address is…", "我的地址是…"). A short answer is finished ("yes, it is", "是", "不是"), and
# so is a question ending in a preposition ("what is it for?"), so "to" and "of" are the only prepositions here.
_CONTINUING = re.compile(
    r"(\b(and|but|so|or|because|um+|uh+|er+|like|the|a|an|my|your|our|their|to|of|plus|if)"
    r"|(然后|还有|但是|所以|因为|那个|就是|嗯|呃|我想|我的|或者|而且|另外|比如|应该|(?<=[\u4e00-\u9fff])(?<![不都就])是))"
    r"[,，]?\s*$",
    re.IGNORECASE,
)
# "My address is…": the verb waits for what it announces, unless the sentence is a question ("where my order is?")
_AWAITING = re.compile(r"(?<!\bit )(?<!\bthat )(?<!\bthis )(?<!\bthere )(?<!\bhe )(?<!\bshe )(?<!\bthey )"
                       r"(?<!\bwe )(?<!\byou )(?<!\bi )\b(is|are|was|were|am)[,，]?\s*[.。]?\s*$", re.IGNORECASE)
_TRAILING_OFF = re.compile(r"(\.\.\.|…+)\s*$")  # Whisper's own mark of a voice that trailed off
# "The tracking code is SF…", "快递单号是顺风…": a number announced and not begun (at most a short word so far)
_NUMBER_ANNOUNCED = re.compile(r"(\b(number|code)\s+(is|was|are)|(单号|号码|手机号|尾号|订单号|编号)(是|为|：))"
                               r"\s*([A-Za-z\u4e00-\u9fff]{0,3})\s*$", re.IGNORECASE)

# A number read in groups ("一零零… 五幺", "one zero zero… two three"): the text so far ends in fewer digits than
# the number its words announce. Order numbers are five digits, a card's or phone's last four are four, a phone
# number ten (US) or eleven (China). Digits may be Arabic (speech/asr/digits.py joins them) or still spoken, and
# groups Whisper wrote apart ("138、1234", "1-0. 0-4", "8.812") count together.
_DIGIT = "0-9零〇一二三四五六七八九幺两"
_TRAILING_DIGITS = re.compile(f"([{_DIGIT}](?:[\\s,，、.\\-]*[{_DIGIT}])*)$")  # groups as Whisper writes them
_NUMBER_CUES = [  # (what the caller is reading, digits it has): the first that matches the words before
    (re.compile(r"last (four|4)|后四位|尾号|末四位", re.IGNORECASE), 4),
    (re.compile(r"\b(phone|mobile)\b|手机|电话", re.IGNORECASE), 0),  # 10 or 11 digits, by language
    (re.compile(r"\b(number|order|code|account|extension)\b|订单|单号|号|码", re.IGNORECASE), 5),
]

log = logging.getLogger("voicedesk.turn")

Rule = Literal["waiting", "finished-words", "max-silence", "complete", "timeout"]


@dataclass
class TurnOptions:
    # words only (no audio model), the rule the detector falls back to
    min_silence_s: float = 0.55  # after a finished sentence (a comma pause runs ~0.45 s)
    max_silence_s: float = 1.2  # whatever the words say
    number_silence_s: float = 2.0  # while a number is read in groups ("一零零… 五幺"): a caller reading it off a card
    max_turn_s: float = 25.0  # longest single caller turn before we take it anyway
    # with the audio model (Smart Turn). Off by default: on the unseen sample calls it heard the pauses between a
    # caller's sentences as the end of the turn (42 barge-ins in 143 turns; docs/turn-taking.md)
    audio_model: bool = False
    complete_silence_s: float = 0.2  # silence before the model is first asked; "complete" then ends the turn
    incomplete_silence_s: float = 2.0  # the longest wait, when the model keeps hearing more to come
    threshold: float = 0.7  # model probability above which the turn sounds complete (Pipecat uses 0.5)
    rescore_every_s: float = 0.5  # ask the model again while the pause grows (it hears the silence too)


def number_unfinished(text: str) -> bool:
    """The text ends in a digit string shorter than the number its words announce ("My order number is 100",
    "我的手机号是138"), or announces one not begun ("the tracking code is SF"). A digit string no words announce
    ("I want 2") says nothing."""
    bare = text.rstrip(".?!。？！,，、… ")
    if _NUMBER_ANNOUNCED.search(bare):
        return True
    m = _TRAILING_DIGITS.search(bare)
    if m is None:
        return False
    digits = len(re.findall(f"[{_DIGIT}]", m.group(1)))
    before = text[max(0, m.start() - 40): m.start()]  # "the last four digits of my phone are 7125"
    for cue, wanted in _NUMBER_CUES:
        if cue.search(before):
            if wanted == 0:
                wanted = 11 if re.search("[\u4e00-\u9fff]", text) else 10
            return digits < wanted
    return False


def _continues(text: str) -> bool:
    """The words promise more: they end on "and", "um", "我的", "my address is", or trail off ("...")."""
    bare = text.rstrip(".?!。？！ ")
    return bool(_CONTINUING.search(bare) or _TRAILING_OFF.search(text) or _AWAITING.search(text))


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
        self._asked_at: float | None = None
        self._calls = 0
        self._model_s = 0.0
        self._failed = False

    def trails_off(self, text: str | None) -> bool:
        """Words that promise more: "and", "um", "我的", "然后"..., or a number read only in part."""
        if not text:
            return False
        return _continues(text) or number_unfinished(text.rstrip(".?!。？！ "))

    def is_end(self, silence_s: float, text: str | None,
               audio: Callable[[], np.ndarray] | None = None) -> bool:
        """`text` is the transcript of the turn so far, or None while it is being computed;
        `audio` returns the turn's 16 kHz audio up to now (pause included)."""
        return self.decide(silence_s, text, audio).end

    def decide(self, silence_s: float, text: str | None,
               audio: Callable[[], np.ndarray] | None = None) -> TurnVerdict:
        """With a model: given `audio`, the model runs here when due; without it, the verdict rests on
        the scores handed in by `scored` (the model run on another thread, off the audio path)."""
        self._track(silence_s)
        if self.model is None or self._failed:
            verdict = self._by_words(silence_s, text)
        else:
            if audio is not None and self.due(silence_s):
                self.asked(silence_s)
                self.score(audio(), silence_s)
            verdict = self._by_words(silence_s, text) if self._failed else self._by_sound(silence_s, text)
        self.verdict = verdict
        return verdict

    def due(self, silence_s: float) -> bool:
        """The model should hear this pause now: first at `complete_silence_s`, then every `rescore_every_s`."""
        self._track(silence_s)
        o = self.options
        return (self.model is not None and not self._failed and silence_s >= o.complete_silence_s
                and (self._asked_at is None or silence_s - self._asked_at >= o.rescore_every_s - 1e-9))

    def asked(self, silence_s: float) -> None:
        """The model was started on the pause as it was at `silence_s` (not asked again until its next due time)."""
        self._asked_at = silence_s

    def score(self, pcm: np.ndarray, silence_s: float) -> float | None:
        """Run the model on the turn's audio heard at `silence_s` into the pause; None if it failed."""
        assert self.model is not None
        started = time.perf_counter()
        try:
            probability = self.model.probability(pcm)
        except Exception as e:
            self.failed(e)
            return None
        finally:
            self._model_s += time.perf_counter() - started
        self.scored(probability, silence_s)
        return probability

    def scored(self, probability: float, silence_s: float, model_s: float = 0.0) -> None:
        """A model score for the current pause, computed at `silence_s` (`model_s`: its cost, if run elsewhere)."""
        self._probability, self._scored_at = probability, silence_s
        self._calls += 1
        self._model_s += model_s

    def failed(self, error: Exception) -> None:
        """The model failed on this pause: one log line, and the words and silence decide it (a call never stops)."""
        log.warning("end-of-turn model failed (%s: %s): words and silence decide this pause",
                    type(error).__name__, error)
        self._failed = True

    def _track(self, silence_s: float) -> None:
        if silence_s < self._last_silence:  # the silence went down: a new pause
            self.reset()
        self._last_silence = silence_s

    def words_wait(self, text: str | None) -> float:
        """The silence the words rule waits for after `text`: short after a finished sentence, long otherwise,
        longer while a number is being read in groups."""
        return self._words(text)[0]

    def _words(self, text: str | None) -> tuple[float, Rule]:
        """The words rule's wait for `text` and the rule that ends the turn when it has passed (one look at the text:
        this runs on every tick of a pause)."""
        o = self.options
        if not text:
            return o.max_silence_s, "max-silence"
        bare = text.rstrip(".?!。？！ ")
        if number_unfinished(bare):
            return o.number_silence_s, "max-silence"
        if _FINISHED.search(text) and not _continues(text):
            return o.min_silence_s, "finished-words"
        return o.max_silence_s, "max-silence"

    def _by_words(self, silence_s: float, text: str | None) -> TurnVerdict:
        wait, rule = self._words(text)
        if silence_s >= wait:
            return TurnVerdict(True, rule, silence_s, wait)
        return TurnVerdict(False, "waiting", silence_s, wait)

    def _by_sound(self, silence_s: float, text: str | None) -> TurnVerdict:
        o = self.options
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
