"""Spoken numbers to digits, in both languages, so that slot patterns only ever see digits.

Decisions (callers read identifiers digit by digit, but not always):
- English digit words, "oh"/"o" for zero (only next to another digit), "double four" -> 44,
  "triple zero" -> 000, tens ("twenty three" -> 23, "ten" -> 10) inside a digit run.
- Mandarin digits 零〇洞 0, 一幺 1, 二两 2 ... concatenate ("幺三八" -> 138). A run with
  units (十百千万亿) is a quantity read as a number: "一万零二十三" -> 10023 (cn2an).
- "ten thousand and twelve" -> 10012: a number read as a quantity, in English too.
- After "order" / 订单, groups split by a comma join ("order 10,037", "order 1, 007"; slots.py), nowhere else:
  a ZIP code "98,101" is not an order number.
- Digit groups split by spaces, dashes, dots or brackets join up ("138 0013 8000", "(415) 555-1234",
  "1 2 3 4 5"), so the caller's grouping never matters.
"""

from __future__ import annotations

import re

import cn2an

_EN_DIGITS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}
_EN_TEENS = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}
_EN_TENS = {"twenty": 2, "thirty": 3, "forty": 4, "fifty": 5, "sixty": 6, "seventy": 7, "eighty": 8, "ninety": 9}
_EN_ZERO_LETTERS = {"oh", "o"}
_REPEAT = {"double": 2, "triple": 3}

_ZH_DIGITS = {
    "零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}
_ZH_UNITS = "十百千万亿"
_ZH_RUN = re.compile(f"[{''.join(_ZH_DIGITS)}{_ZH_UNITS}0-9]+")
_TOKEN = re.compile(r"[A-Za-z']+|\d+|\s+|.", re.S)
_JOIN_GROUPS = re.compile(r"(?<=\d)[ \t\-.()（）]+(?=\(?\d)")
# "ten thousand and forty seven" (after the words became "10 thousand and 47"): a number read as a quantity.
_THOUSANDS = re.compile(r"\b(\d{1,3}) thousand\b(?:(?:,? and)? (\d) hundred\b)?(?:(?:,? and)? (\d{1,2})\b)?", re.I)


def _zh_run(run: str) -> str:
    if not any(u in run for u in _ZH_UNITS):
        return "".join(_ZH_DIGITS.get(c, c) for c in run)
    if len(run) == 1 and run != "十":
        return run  # a lone unit character (百, 千) is a word, not a number
    try:
        return str(cn2an.cn2an(run.replace("幺", "一").replace("洞", "零"), "smart"))
    except (ValueError, KeyError):
        return "".join(_ZH_DIGITS.get(c, c) for c in run)


def _is_digitish(word: str) -> bool:
    return word in _EN_DIGITS or word in _EN_TEENS or word in _EN_TENS or word.isdigit()


def _en_words(text: str) -> str:
    tokens = _TOKEN.findall(text)
    out: list[str] = []
    i = 0
    words = [t.lower() for t in tokens]

    def neighbour_is_digit(j: int, step: int) -> bool:
        """A digit word next to this one, past spaces and other "oh"s ("one oh oh oh seven")."""
        k = j + step
        while 0 <= k < len(words) and (words[k].isspace() or words[k] in "-," or words[k] in _EN_ZERO_LETTERS):
            k += step
        return 0 <= k < len(words) and (_is_digitish(words[k]) or words[k] in _REPEAT)

    while i < len(tokens):
        w = words[i]
        if w in _EN_DIGITS:
            out.append(_EN_DIGITS[w])
        elif w in _EN_TEENS:
            out.append(_EN_TEENS[w])
        elif w in _EN_TENS:
            tens = _EN_TENS[w]
            j = i + 1
            if j + 1 < len(tokens) and words[j] in (" ", "-") and words[j + 1] in _EN_DIGITS and words[j + 1] != "zero":
                out.append(f"{tens}{_EN_DIGITS[words[j + 1]]}")
                i = j + 2
                continue
            out.append(f"{tens}0")
        elif w in _EN_ZERO_LETTERS and (neighbour_is_digit(i, -1) or neighbour_is_digit(i, 1)):
            out.append("0")
        elif w in _REPEAT and i + 2 < len(tokens) and (words[i + 1].isspace() or words[i + 1] == "-"):  # double-oh
            nxt = words[i + 2]
            digit = _EN_DIGITS.get(nxt) or ("0" if nxt in _EN_ZERO_LETTERS else None)
            if digit is None and nxt.isdigit() and len(nxt) == 1:
                digit = nxt
            if digit is None:
                out.append(tokens[i])
            else:
                out.append(digit * _REPEAT[w])
                i += 3
                continue
        else:
            out.append(tokens[i])
        i += 1
    return "".join(out)


def zh_digits(text: str) -> str:
    """Only the Mandarin numbers in digits ("幺二三四五六七八艾特qq" -> "12345678艾特qq")."""
    return _ZH_RUN.sub(lambda m: _zh_run(m.group()), text)


def digitise(text: str) -> str:
    """The text with every spoken number written in digits and digit groups joined."""
    text = zh_digits(text)
    text = _THOUSANDS.sub(_thousands, _en_words(text))
    return _JOIN_GROUPS.sub("", text)


def _thousands(m: re.Match[str]) -> str:
    hundreds, rest = m.group(2), m.group(3)
    return str(int(m.group(1)) * 1000 + int(hundreds or 0) * 100 + int(rest or 0))


def small_number(word: str) -> int | None:
    """A quantity as a caller says it: "two", "3", "两", "十二" (1..999), else None."""
    w = word.strip().lower()
    if w.isdigit():
        return int(w)
    if w in _EN_DIGITS:
        return int(_EN_DIGITS[w])
    if w in _EN_TEENS:
        return int(_EN_TEENS[w])
    if w in _EN_TENS:
        return _EN_TENS[w] * 10
    if w in ("a", "an", "single"):
        return 1
    if w and all(c in _ZH_DIGITS or c in _ZH_UNITS for c in w):
        value = _zh_run(w)
        return int(value) if value.isdigit() else None
    return None
