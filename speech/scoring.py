"""Word and character error rates that count what was said, not how it was written.

"10023", "1-0-0-2-3" and "one zero zero two three" are the same words to a caller, and so
are "十二元" and "12元": both sides are normalised before counting. English uses Whisper's
own text normaliser; Chinese is compared character by character after Traditional ->
Simplified, numerals -> digits and punctuation removal.
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache

import cn2an
import jiwer

from speech.asr.filters import to_simplified
from speech.tts.text import normalize_for_speech

_ZH_DROP = re.compile(r"[^\w]|_", re.UNICODE)
_DIGIT_RUN = re.compile(r"(?<![\d.])\d(?:(?:,\s|[\s-])+\d(?![\d.])){2,}")  # "1-0-0-2-3", "1, 2, 3"
_LETTER_RUN = re.compile(r"\b[a-z](?: [a-z]\b)+")  # "s f" -> "sf"


@lru_cache(maxsize=1)
def _english():
    from whisper.normalizers import EnglishTextNormalizer

    return EnglishTextNormalizer()


def _join_runs(text: str) -> str:
    text = _DIGIT_RUN.sub(lambda m: re.sub(r"\D", "", m.group(0)), text)
    return _LETTER_RUN.sub(lambda m: m.group(0).replace(" ", ""), text)


def normalize_en(text: str) -> str:
    """Both sides go through the same spoken form first, so "2026-12-02" meets "December 2nd, 2026"."""
    return _join_runs(_english()(_join_runs(normalize_for_speech(text, "en"))))  # "1 0 0 2 3" -> "10023"


def normalize_zh(text: str) -> str:
    text = normalize_for_speech(to_simplified(text), "zh")
    text = re.sub(r"[零〇一二两三四五六七八九幺]{3,}",
                  lambda m: "".join(str("零一二三四五六七八九".find(c)) if c in "零一二三四五六七八九"
                                    else {"〇": "0", "两": "2", "幺": "1"}[c] for c in m.group(0)), text)
    with contextlib.suppress(ValueError, KeyError):
        text = cn2an.transform(text, "cn2an")
    return _ZH_DROP.sub("", text).lower()


def normalize(text: str, language: str) -> str:
    return normalize_zh(text) if language == "zh" else normalize_en(text)


def error_rate(references: list[str], hypotheses: list[str], language: str) -> float:
    """WER for English, CER for Chinese, over a whole set (errors / reference length)."""
    refs = [normalize(r, language) for r in references]
    hyps = [normalize(h, language) for h in hypotheses]
    if language == "zh":
        return jiwer.cer(refs, hyps)
    pairs = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    return jiwer.wer([r for r, _ in pairs], [h for _, h in pairs]) if pairs else 0.0
