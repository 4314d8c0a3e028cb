"""Shop words the recogniser wrote wrongly, put back before the intent model and the context rules read the turn.

Mandarin: a stretch of characters is replaced when it reads exactly like a shop word (toneless pinyin, each
character's usual reading) and is not that word already ("我要住销账户" -> "我要注销账户", "手机为号" -> "手机尾号");
words with an everyday homophone a caller might mean (发货 / 发火) are not in the list. English: a short table of
the recogniser's spellings ("in voice" -> "invoice"). Both are data (`data/shop-words.yaml`). Slots are read from
the words as heard.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from pydantic import BaseModel, ConfigDict
from pypinyin import lazy_pinyin

from dialog.data import read_yaml
from dialog.nlu.data import HERE


class _ShopWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: list[str]
    en: dict[str, str]


@cache
def _file() -> _ShopWords:
    return read_yaml(HERE / "shop-words.yaml", _ShopWords)


@lru_cache(maxsize=8192)
def _sound(char: str) -> str | None:
    return lazy_pinyin(char)[0] if "\u4e00" <= char <= "\u9fff" else None


@cache
def _words() -> tuple[tuple[tuple[str | None, ...], str], ...]:
    """(the sound of each character, the word), longest words first."""
    words = _file().zh
    return tuple(sorted(((tuple(_sound(c) for c in w), w) for w in words), key=lambda x: -len(x[1])))


@cache
def _spellings() -> tuple[re.Pattern[str], dict[str, str]]:
    table = {heard.lower(): meant for heard, meant in _file().en.items()}
    words = sorted(table, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b", re.I), table


def shop_words_restored(text: str, language: str = "zh") -> str:
    """`text` with every shop word the recogniser wrote wrongly written as that word."""
    if language == "en":
        pattern, table = _spellings()
        return pattern.sub(lambda m: table[re.sub(r"\s+", " ", m.group(0).lower())], text)
    sounds = [_sound(c) for c in text]
    out, i = [], 0
    while i < len(text):
        for sound, word in _words():
            if sounds[i] is not None and tuple(sounds[i:i + len(word)]) == sound:
                out.append(word)
                i += len(word)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
