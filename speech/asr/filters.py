"""What Whisper says that the caller did not: Traditional characters and invented text.

Whisper base writes Mandarin in Traditional characters about half the time, and on
silence or noise it "hears" subtitle credits it saw in training. Both are fixed here,
once, for every backend.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import opencc

from speech.asr.base import Segment, Transcript
from speech.asr.digits import join_digit_strings

# Phrases Whisper invents on silence, music or noise (seen in its training subtitles).
PHANTOM_PATTERNS = [
    r"字幕\s*(by|由|製作|制作|提供)?.{0,12}",
    r"(请|請)?不吝(点赞|點讚).*",
    r"(点赞|點讚).{0,4}(订阅|訂閱).*",
    r"(谢谢|謝謝|感谢|感謝)(大家)?(收看|观看|觀看|收听|收聽)[。！!]?",
    r"明镜与点点.*|明鏡與點點.*",
    r"优优独播剧场.*|優優獨播劇場.*",
    r"(中文)?字幕(组|組)?.{0,8}",
    r"(thanks?|thank you) (so much )?for watching[.!]?",
    r"(please )?(like and )?subscribe.*",
    r"subtitles? by.*",
    r"amara\.org.*",
    r"transcribed by.*",
]
_PHANTOM = re.compile(r"^\s*(" + "|".join(PHANTOM_PATTERNS) + r")\s*$", re.IGNORECASE)

NO_SPEECH_PROB = 0.6  # Whisper's own rule: silent when no_speech_prob is high *and* the text unlikely
LOGPROB_FLOOR = -1.0


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def is_phantom(text: str) -> bool:
    return bool(_PHANTOM.match(text.strip()))


_REPEAT = re.compile(r"(\S.{3,}?)(?:[\s,，。.!?！？]*\1)+")


def looks_looped(text: str) -> bool:
    """The same phrase twice in a row: how Whisper fails on too little audio."""
    return bool(_REPEAT.search(text))


def loop_start(text: str, min_chars: int) -> int | None:
    """Where the text starts saying again, verbatim, `min_chars` or more characters it already said:
    the decoder looping (into the padding after the audio, or on a short stretch of audio)."""
    low = text.lower()
    for m in re.finditer(r"(?:^|(?<=[\s,，。.!?！？]))\S", low):
        i = m.start()
        chunk = low[i:i + min_chars]
        if len(chunk) >= min(min_chars, 8) and chunk in low[:i]:
            return i
    return None


def drop_repeats(segments: list[Segment], language: str) -> list[Segment]:
    """Cut what repeats, word for word, 16+ characters (8 in Chinese) said just before. A caller
    rarely does that within one window; a Whisper decoding loop always does."""
    min_chars = 8 if language == "zh" else 16
    kept: list[Segment] = []
    for seg in segments:
        before = kept[-1].text + " " if kept else ""
        cut = loop_start(before + seg.text, min_chars)
        if cut is not None and cut < len(before):
            continue  # this whole segment repeats the previous one
        text = (before + seg.text)[:cut].strip()[len(before.strip()):].strip() if cut is not None else seg.text
        if text:
            kept.append(replace(seg, text=text))
    return kept


def keep_segment(seg: Segment) -> bool:
    if not seg.text.strip() or is_phantom(seg.text):
        return False
    return not (seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOGPROB_FLOOR)


def clean_transcript(t: Transcript) -> Transcript:
    """Drop invented segments, undo decoding loops, write Chinese in Simplified characters, digit strings whole."""
    segments = drop_repeats([s for s in t.segments if keep_segment(s)], t.language)
    if t.language == "zh":
        segments = [replace(s, text=to_simplified(s.text)) for s in segments]
    segments = [replace(s, text=join_digit_strings(s.text, t.language)) for s in segments]
    # a digit string can run across two segments ("8864" | "8573"): join the whole text once more
    text = join_digit_strings(join_text([s.text for s in segments], t.language), t.language)
    return replace(t, segments=segments, text=text)


def join_text(parts: list[str], language: str) -> str:
    parts = [p.strip() for p in parts if p.strip()]
    return ("" if language == "zh" else " ").join(parts)
