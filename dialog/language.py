"""Which language a line of text is in: Mandarin or English, also when the caller mixes them."""

from __future__ import annotations

import re

from dialog.types import Language

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def detect_language(text: str, default: Language = "en") -> Language:
    """Mandarin when Han characters carry the sentence.

    Code-switched Mandarin ("我想cancel我的order") is still Mandarin: a Han character is worth
    about 0.6 of an English word, so a few English nouns in a Chinese sentence do not flip it,
    while "cancel my 订单" stays English. No letters at all: `default` (the call's language).
    """
    han = len(_HAN.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if han == 0 and words == 0:
        return default
    return "zh" if han * 0.6 >= words else "en"
