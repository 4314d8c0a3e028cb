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
    r"(and )?you('ll| will)? (can )?find (a|the) links? (to .{0,40})?in the description( below)?[.!]?",
    r"(please )?(check out|see) (the )?links? in the description.*",
    r"see you (in the )?next (time|video)[.!]?",
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


_GAP = r"[\s,，。.!?！？、]*"
_REPEAT = re.compile(r"(\S.{3,}?)(?:" + _GAP + r"\1)+")
# A caller repeats words with others between them ("press 1 to record your greeting, or press 2 to erase your
# greeting"); only a decoding loop says a phrase again back to back, or faster than anyone speaks.
_BACK_TO_BACK = {"en": re.compile(r"(\S.{7,}?)(?:" + _GAP + r"\1)+", re.IGNORECASE),
                 "zh": re.compile(r"(\S.{2,}?)(?:" + _GAP + r"\1)+")}
# a digit string is not a phrase: "100100" or "一零零一零零" is an order number, not a loop
_DIGITS_ONLY = re.compile(r"[\d零〇一二三四五六七八九幺两\s,，。.!?！？、-]+")
MAX_CHARS_PER_S = {"en": 22.0, "zh": 8.0}  # faster than this is no caller: the decoder said something twice
MIN_COPY_CHARS = {"en": 16, "zh": 6}


def looks_looped(text: str) -> bool:
    """The same phrase twice in a row: how Whisper fails on too little audio."""
    return bool(_REPEAT.search(text))


def loop_start(text: str, min_chars: int) -> int | None:
    """Where the text's tail starts saying again, verbatim, what it already said (`min_chars` or more)."""
    low = text.lower()
    for m in re.finditer(r"(?:^|(?<=[\s,，。.!?！？]))\S|[\u3400-\u9fff]", low):
        i = m.start()
        tail = low[i:].strip(" ,，。.!?！？")
        if len(tail) >= min_chars and tail in low[:i]:
            return i
    return None


def said_once(text: str, language: str) -> str:
    """A phrase said again back to back ("我的退款到哪一步了？我的退款到哪一步了？") is said once."""
    pattern = _BACK_TO_BACK["zh" if language == "zh" else "en"]
    return pattern.sub(lambda m: m.group(0) if _DIGITS_ONLY.fullmatch(m.group(1)) else m.group(1), text)


def without_loops(text: str, language: str, seconds: float) -> str:
    """`text` heard over `seconds` of audio, with what the decoder said twice taken out: a phrase repeated
    back to back is said once; text denser than speech whose tail copies what came before loses the tail."""
    lang = "zh" if language == "zh" else "en"
    text = said_once(text, lang)
    if len(text) > MAX_CHARS_PER_S[lang] * max(seconds, 0.5):
        cut = loop_start(text, MIN_COPY_CHARS[lang])
        text = text[:cut].strip() if cut is not None else text
    return text


def _key(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower())


def drop_repeats(segments: list[Segment], language: str) -> list[Segment]:
    """Undo decoding loops: inside a segment (`without_loops`), and a segment that only says again what
    the one before it said (the doubled outputs of a loop, or of two windows that both heard it)."""
    kept: list[Segment] = []
    for seg in segments:
        text = without_loops(seg.text, language, seg.end - seg.start)
        if not text:
            continue
        if kept and _key(text) and _key(text) in _key(kept[-1].text) and (
                _key(text) == _key(kept[-1].text)
                or len(kept[-1].text + text) > MAX_CHARS_PER_S["zh" if language == "zh" else "en"]
                * max(seg.end - kept[-1].start, 0.5)):
            continue
        kept.append(replace(seg, text=text))
    return kept


_ZH_LIST = re.compile(r"[、，,。：:.!?！？\s]+")
_EN_WORD = re.compile(r"[a-z0-9']+")
PROMPT_RUN_WORDS = 3  # an English segment that opens with this many of the prompt's words in a row reads it back


def echoes_prompt(text: str, prompt: str, language: str) -> bool:
    """Whisper given little to hear (a noise burst after the caller stopped) reads its prompt back: "邮箱、优惠券。"
    from the shop's word list, "The caller's orders are the same, but" from the line that introduces the caller's
    products. Mandarin: the segment is two or more of the prompt's listed words and nothing else; English: it opens
    with `PROMPT_RUN_WORDS` of the prompt's words in a row. `prompt` is the shop's part only: a caller may well
    name their own products."""
    if not text.strip() or not prompt:
        return False
    if language == "zh":
        pieces = [p for p in _ZH_LIST.split(text) if p]
        return len(pieces) >= 2 and all(p in _prompt_units(prompt, "zh") for p in pieces)
    words = _EN_WORD.findall(text.lower())
    return len(words) >= PROMPT_RUN_WORDS and tuple(words[:PROMPT_RUN_WORDS]) in _prompt_units(prompt, "en")


@lru_cache(maxsize=16)
def _prompt_units(prompt: str, language: str) -> frozenset:
    """What of the prompt a read-back repeats: its listed words (Mandarin), its runs of `PROMPT_RUN_WORDS` words
    (English). Worked out once per prompt, not once a segment."""
    if language == "zh":
        return frozenset(_ZH_LIST.split(prompt)) - {""}
    said, n = _EN_WORD.findall(prompt.lower()), PROMPT_RUN_WORDS
    return frozenset(tuple(said[i:i + n]) for i in range(len(said) - n + 1))


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
    # and a loop can run across two segments (the second starts with all of the first): undo it once more
    text = join_digit_strings(said_once(join_text([s.text for s in segments], t.language), t.language), t.language)
    return replace(t, segments=segments, text=text)


def join_text(parts: list[str], language: str) -> str:
    parts = [p.strip() for p in parts if p.strip()]
    return ("" if language == "zh" else " ").join(parts)
