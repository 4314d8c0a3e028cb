"""Where two decoding windows meet: the units the text is compared in, and the seam between overlaps.

A stretch of speech with no pause in it is decoded in windows that overlap by a couple of seconds,
so no word is cut in half at a window's edge. The overlap is heard twice: the seam keeps the first
window's words up to where both windows say the same thing, then the second window's words. Words
are compared as a caller would say them (case, punctuation and digit formatting do not count).
"""

from __future__ import annotations

import re
from dataclasses import replace

from speech.asr.base import Segment

_CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"  # Han characters and CJK punctuation
_UNITS = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")
_IS_CJK = re.compile(f"[{_CJK}]")


def units(text: str) -> list[str]:
    """Words for English, characters for Chinese: what LocalAgreement and the seams compare."""
    return _UNITS.findall(text)


def join_units(parts: list[str]) -> str:
    out = ""
    for p in parts:
        glue = not out or _IS_CJK.match(p) or _IS_CJK.match(out[-1])
        out += p if glue else " " + p
    return out


def _key(unit: str) -> str:
    return re.sub(r"[^\w]", "", unit.lower())


def common_run(a: list[str], b: list[str]) -> tuple[int, int, int]:
    """The longest run of units found in both lists (position in a, position in b, length), compared by `_key`;
    among runs of the same length, the one latest in `a`."""
    ka, kb = [_key(u) for u in a], [_key(u) for u in b]
    best = (0, 0, 0)
    lengths = [0] * (len(kb) + 1)
    for i in range(1, len(ka) + 1):
        previous = 0
        for j in range(1, len(kb) + 1):
            current = lengths[j]
            lengths[j] = previous + 1 if ka[i - 1] and ka[i - 1] == kb[j - 1] else 0
            previous = current
            if lengths[j] and lengths[j] >= best[2]:
                best = (i - lengths[j], j - lengths[j], lengths[j])
    return best


def splice(first: list[Segment], second: list[Segment], overlap: tuple[float, float],
           min_match: int = 2) -> list[Segment]:
    """Join two windows' segments that both heard `overlap` (start, end in seconds of the recording).

    Where the two texts of the overlap agree on `min_match` or more units in a row, the first window's
    words run up to the end of that agreement and the second's take over after it. Where they do not
    (one window heard a word the other missed), the seam falls in the middle of the overlap, by time.
    """
    start, end = overlap
    tail = [s for s in first if s.end > start - 0.5]
    head = [s for s in second if s.start < end + 0.5]
    keep_first, keep_second = first[:len(first) - len(tail)], second[len(head):]
    a, b = units(join_units([s.text for s in tail])), units(join_units([s.text for s in head]))
    i, j, n = common_run(a, b)
    if n >= min_match:
        joined_tail = join_units(a[:i + n])
        joined_head = join_units(b[j + n:])
        middle = []
        if tail and joined_tail:
            middle.append(replace(tail[0], end=tail[-1].end, text=joined_tail))
        if head and joined_head:
            middle.append(replace(head[-1], start=max(head[0].start, tail[-1].end if tail else start),
                                  text=joined_head))
        return keep_first + middle + keep_second
    mid = (start + end) / 2
    return ([s for s in first if (s.start + s.end) / 2 < mid]
            + [s for s in second if (s.start + s.end) / 2 >= mid])
