"""Cut a stream of text into sentences as it arrives, so the first one can be spoken early.

A sentence ends at 。！？!? , at a "." followed by a space (not 25.50 or 3.5), or at a comma
once the sentence is already long: a long first clause would hold back the voice. With
`first_clause`, the very first piece ends at its first comma (as the TTS cuts it anyway), so the
caller hears "好的，" or "Sure," while the rest is still being written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_END = "。！？!?；;"
_COMMAS = "，,、"
LONG_EN = 60  # characters before a comma may end a sentence
LONG_ZH = 18


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


class SentenceSplitter:
    """Feed text deltas, get whole sentences back; `flush()` returns the rest at the end."""

    def __init__(self, long_en: int = LONG_EN, long_zh: int = LONG_ZH, first_clause: bool = False) -> None:
        self.buffer = ""
        self.long_en = long_en
        self.long_zh = long_zh
        self.first_clause = first_clause
        self.count = 0

    def feed(self, delta: str) -> list[str]:
        self.buffer += delta
        out: list[str] = []
        while (cut := self._cut()) is not None:
            sentence, self.buffer = self.buffer[:cut].strip(), self.buffer[cut:]
            if sentence:
                out.append(sentence)
                self.count += 1
        return out

    def flush(self) -> list[str]:
        rest, self.buffer = self.buffer.strip(), ""
        return [rest] if rest else []

    def _cut(self) -> int | None:
        text = self.buffer
        cjk = sum(map(_is_cjk, text)) * 2 > len(text.strip() or "x")
        for i, ch in enumerate(text):
            nxt = text[i + 1] if i + 1 < len(text) else None
            if ch in _END or ch == "…":
                # keep closing quotes/brackets and repeated marks with their sentence
                j = i + 1
                while j < len(text) and text[j] in _END + "」』”\"')）":
                    j += 1
                if j == len(text) and ch in "!?" and not cjk:
                    return None if nxt is None else j  # "?" then maybe more marks: wait one delta
                return j
            if ch == ".":
                if nxt is None:
                    return None  # a decimal point or a sentence end: wait for the next character
                if nxt.isspace() and not re.search(r"\b(?:Mr|Mrs|Ms|Dr|St|No|e\.g|i\.e)$", text[:i]):
                    return i + 1
            if ch in _COMMAS:
                if ch == "," and (nxt is None or not nxt.isspace()):
                    if nxt is None:
                        return None
                    continue  # 1,299
                size = len(text[:i].strip())
                if self.first_clause and self.count == 0 and size >= 2:
                    return i + 1
                if (cjk and size >= self.long_zh) or (not cjk and size >= self.long_en):
                    return i + 1
        return None


def split_sentences(text: str | Iterable[str], first_clause: bool = False) -> Iterator[str]:
    """All sentences of a whole text (or an iterable of deltas)."""
    splitter = SentenceSplitter(first_clause=first_clause)
    for delta in [text] if isinstance(text, str) else text:
        yield from splitter.feed(delta)
    yield from splitter.flush()
