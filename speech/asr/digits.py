"""Digit strings as callers say them: one unbroken run of digits, whatever Whisper's formatting.

A caller reads a phone number, an order number, the last four digits or a code digit by digit, and
Whisper writes it down in pieces: "8864 8573", "1362-866-930", "R24-0-3-0", "1, 0, 0, 2, 9", "one
zero zero two nine", "幺三八 5823 1743". Slots and scoring need "88648573". This module joins such
pieces, in the recogniser's own text post-processing, so nothing downstream sees the formatting.

What counts as one digit string (and what does not):
- English: three or more single digits in a row ("1 0 0 2 9", "one oh oh two nine", "double five"
  counts two), or digit groups adding up to five digits or more ("8864 8573", "555-1234"),
  separated only by spaces, hyphens or commas that are no thousands separator, or groups of four digits
  or more separated by spaces only ("12 34", as "twelve thirty-four" is written). "oh"/"o" is zero
  only next to another digit; "double"/"triple" repeat the next digit. A letter code's prefix joins
  too ("R24-0-3-0" -> "R24030"). Lists and ranges stay: "4 or 6", "1, 2", "10-20", "2-3 days".
- Mandarin: three or more digit characters with no unit (十百千万) beside them are a string read
  digit by digit (零〇洞 0, 一幺 1, 二两 2: "幺三八" -> "138"); "一百零五" is a quantity and stays.
  Arabic groups separated by spaces or hyphens join ("138 5823 1743").
- Both: digits Whisper wrote with dots between them, as it does with "one oh oh four oh" -> "1.0040" or
  "one oh oh oh oh oh seven" -> "1.0.0.0.0.0.7": three or more dotted groups (not a date such as 2026.12.02),
  or a "decimal" whose fraction has three digits or more and starts with a zero (no amount is written so).
Dates (2026-12-02), times (10:30), decimals (28.8) and amounts with a thousands comma (1,299) are left alone.
"""

from __future__ import annotations

import re

_EN_DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                   "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_EN_REPEAT = {"double": 2, "triple": 3}
_ZH_DIGITS = {"零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_ZH_UNITS = "十百千万亿点"

# A token is a word, a digit group (a letter code may lead it), or what lies between two of them.
_TOKEN = re.compile(r"[A-Za-z]{1,3}\d+|\d+|[A-Za-z]+(?:'[a-z]+)?|[^\w]+|\w", re.UNICODE)
_SEPARATOR = re.compile(r"^(?:\s+|\s*-\s*|,\s*)$")
_DOTTED = re.compile(r"(?<![\d.])(?:\d+(?:\.\d+){2,}|\d{1,3}\.0\d{2,})(?![\d]|\.\d)")
_DATE = re.compile(r"(?:19|20)\d\d\.\d{1,2}\.\d{1,2}")
_KEEP = re.compile(r"(?<!\d)(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}:\d{2}|\d+\.\d+|\d{1,3}(?:,\d{3})+(?:\.\d+)?)(?![\d,])")


def _word_digits(words: list[str], i: int) -> tuple[str, int] | None:
    """The digits the word(s) at `i` stand for, and how many tokens they take ("double five" = 55, 3 tokens)."""
    w = words[i].lower()
    if w in _EN_REPEAT and i + 2 < len(words) and words[i + 1] in (" ", "-"):
        nxt = _word_digits(words, i + 2)
        if nxt and len(nxt[0]) == 1:
            return nxt[0] * _EN_REPEAT[w], 2 + nxt[1]
        return None
    if w in _EN_DIGIT_WORDS:
        return _EN_DIGIT_WORDS[w], 1
    if re.fullmatch(r"[A-Za-z]{0,3}\d+", words[i]):
        return words[i], 1
    return None


def _join_english(text: str) -> str:
    tokens = _TOKEN.findall(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        run: list[str] = []  # the digits (or code) of each piece
        j = i
        while j < len(tokens):
            piece = _word_digits(tokens, j)
            if piece is None:
                break
            run.append(piece[0])
            j += piece[1]
            if j + 1 < len(tokens) and _SEPARATOR.match(tokens[j]) and _word_digits(tokens, j + 1):
                if tokens[j].strip() == "," and re.fullmatch(r"\d{3}", tokens[j + 1]) and run[-1].isdigit():
                    break  # 1,000: a thousands separator, not a pause between digits
                j += 1
            else:
                break
        if _is_digit_string(run, tokens[i:j]):
            out.append("".join(run))
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return "".join(out)


def _is_digit_string(run: list[str], tokens: list[str]) -> bool:
    words = [t.lower() for t in tokens if t.strip(" ,-")]
    if len(run) < 2 and not (words and words[0] in _EN_REPEAT):
        return False
    if any(w in ("oh", "o") for w in words) and not any(w not in ("oh", "o") for w in words):
        return False
    digits = sum(len(re.sub(r"\D", "", r)) for r in run)
    singles = all(len(r) == 1 for r in run)
    spelled = sum(1 for w in words if w in _EN_DIGIT_WORDS or w in _EN_REPEAT)
    if spelled and digits < 3:
        return False
    spaced = all(t.isspace() for t in tokens if not t.strip(" ,-") and t) and len(run) > 1
    return (singles and digits >= 3) or digits >= 5 or (spelled > 0 and digits >= 3) or (spaced and digits >= 4)


def _join_mandarin(text: str) -> str:
    def chars(m: re.Match) -> str:
        run = m.group(0)
        before, after = text[max(0, m.start() - 1):m.start()], text[m.end():m.end() + 1]
        if len(run) < 3 or (before and before in _ZH_UNITS) or (after and after in _ZH_UNITS):
            return run
        return "".join(_ZH_DIGITS[c] for c in run)

    text = re.sub(f"[{''.join(_ZH_DIGITS)}]+", chars, text)
    return re.sub(r"(?<=\d)(?:\s*[-–]\s*|\s+|,(?!\d{3}\b))(?=\d)", "", text)


def join_digit_strings(text: str, language: str) -> str:
    """Every digit string in `text` as one run of digits (see the module docstring for what counts)."""
    kept: list[str] = []

    def hold(m: re.Match) -> str:  # dates, times, decimals and amounts go through untouched
        kept.append(m.group(0))
        return chr(0xE000 + len(kept) - 1)  # a private-use character: no word, no digit

    text = _DOTTED.sub(lambda m: m.group(0) if _DATE.fullmatch(m.group(0)) else m.group(0).replace(".", ""), text)
    text = _KEEP.sub(hold, text)
    text = _join_mandarin(text) if language == "zh" else _join_english(text)
    return re.sub("[\ue000-\uf8ff]", lambda m: kept[ord(m.group(0)) - 0xE000], text)
