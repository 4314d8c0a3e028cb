"""Shop words a Mandarin recogniser wrote with other characters of the same sound, put back ("我要住销账户" ->
"我要注销账户", "手机为号" -> "手机尾号"), before the intent model and the context rules read the turn.

A stretch of characters is replaced when it reads exactly like a shop word (toneless pinyin, each character's
usual reading) and is not that word already. The words are data (`data/shop-words.yaml`); words with an everyday
homophone a caller might mean (发货 / 发火) are not in it. Slots are read from the words as heard.
"""

from __future__ import annotations

from functools import cache, lru_cache

from pydantic import BaseModel, ConfigDict
from pypinyin import lazy_pinyin

from dialog.data import read_yaml
from dialog.nlu.data import HERE


class _ShopWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: list[str]


@lru_cache(maxsize=8192)
def _sound(char: str) -> str | None:
    return lazy_pinyin(char)[0] if "\u4e00" <= char <= "\u9fff" else None


@cache
def _words() -> tuple[tuple[tuple[str | None, ...], str], ...]:
    """(the sound of each character, the word), longest words first."""
    words = read_yaml(HERE / "shop-words.yaml", _ShopWords).zh
    return tuple(sorted(((tuple(_sound(c) for c in w), w) for w in words), key=lambda x: -len(x[1])))


def shop_words_restored(text: str) -> str:
    """`text` with every stretch that sounds like a shop word written as that word."""
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
