"""Does a reply state a fact (`says`) or something forbidden (`must_not_say`)? The matching rules, in one place.

A scenario turn's `says` is a list; each element is a string or a list of alternative strings, and the
reply must contain every element (any one of its alternatives). `must_not_say` has the same form and the
reply must contain none of them. Each alternative is matched by its kind:

- **A date**, written `YYYY-MM-DD`: any written or spoken form of that day in the call's language.
  English: "November 30", "Nov. 30th", "30 November", "the 30th of November", "November thirtieth",
  "11/30", "2026-11-30" (a year, when given, must be the right one). Mandarin: "11月30日", "11月30号",
  "十一月三十日", "2026年11月30日", "二零二六年十一月三十号", "2026-11-30". Relative words ("today",
  "tomorrow") are not dates: a writer who accepts them lists them as alternatives.
- **A number or amount** (digits, maybe with a decimal part, thousands commas, a currency sign or unit:
  "299", "299.00", "¥299", "299元", "1,599"): some number in the reply has the same value. Numbers in the
  reply are read in any grouping: "10033", "10,033", "1 0 0 3 3", "one zero zero three three", "one
  double-oh three three", "2 9 9", "299.00", "二百九十九", "一零零三三", "幺零零三三". Currency signs and units are
  ignored on both sides; a number inside a longer one does not count ("299" is not in "1299").
- **Anything else** is text: both sides are normalised (Unicode NFKC, case folded, punctuation and symbols
  to spaces, spaces collapsed, spaces next to Chinese characters dropped, runs of single spaced digits
  joined) and the text must appear in the reply; an end of it that is a Latin letter or digit must fall on
  a word boundary ("shipped" is not found in "unshipped", "已发货" is found in "您的订单已发货了").

Written for QA, apart from the product: nothing here comes from the reply writer or its checks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import cn2an

Element = str | list[str]

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NUMBER = re.compile(r"^(?:[¥￥$]|rmb|cny|usd)?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
                     r"\s*(?:元|块|块钱|yuan|rmb|dollars?)?$", re.IGNORECASE)
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_EN_DIGITS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
              "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_ZH_DIGITS = {"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}


@dataclass(frozen=True)
class Miss:
    """One `says` element the reply lacks, or one `must_not_say` element it contains."""

    element: Element
    kind: str  # "missing" | "forbidden"


def kind_of(alternative: str) -> str:
    """'date', 'number' or 'text': which rule an alternative is matched by."""
    if _ISO.match(alternative.strip()):
        return "date"
    return "number" if _NUMBER.match(alternative.strip()) else "text"


def check_element(element: object) -> str | None:
    """Why a `says` / `must_not_say` element is malformed, or None (scenario validation)."""
    alternatives = element if isinstance(element, list) else [element]
    if not alternatives or not all(isinstance(a, str) and a.strip() for a in alternatives):
        return f"{element!r}: each element is a non-empty string or a non-empty list of them"
    for a in alternatives:
        if (m := _ISO.match(a.strip())) is not None:
            try:
                date(*map(int, m.groups()))
            except ValueError:
                return f"{a!r} is not a date"
    return None


def states(reply: str, element: Element, language: str) -> bool:
    """The reply states the element (any one of its alternatives)."""
    alternatives = element if isinstance(element, list) else [element]
    return any(_states_one(reply, a.strip(), language) for a in alternatives)


def misses(reply: str, says: list[Element], must_not_say: list[Element], language: str) -> list[Miss]:
    return ([Miss(e, "missing") for e in says if not states(reply, e, language)]
            + [Miss(e, "forbidden") for e in must_not_say if states(reply, e, language)])


def _states_one(reply: str, alternative: str, language: str) -> bool:
    kind = kind_of(alternative)
    if kind == "date":
        return _has_date(reply, date(*map(int, _ISO.match(alternative).groups())), language)  # type: ignore[union-attr]
    if kind == "number":
        return _value(alternative) in numbers_in(reply)
    needle = normalise(alternative)
    if not needle:
        return False
    left = r"(?<![a-z0-9])" if re.match(r"[a-z0-9]", needle) else ""
    right = r"(?![a-z0-9])" if re.search(r"[a-z0-9]$", needle) else ""
    return re.search(left + re.escape(needle) + right, normalise(reply)) is not None


# --- text ------------------------------------------------------------------------------------------
def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"(?<=\d)\s*[-~–]\s*(?=\d)", " to ", text)  # a range: "3-7天" states "3-7" and "7天"
    text = "".join(c if c.isalnum() or c.isspace() else " " for c in text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(rf"(?<=[{_CJK}]) | (?=[{_CJK}])", "", text)
    return re.sub(r"(?<![\w.])\d(?: \d(?![\w]))+", lambda m: m.group(0).replace(" ", ""), text)


# --- numbers ---------------------------------------------------------------------------------------
def _value(text: str) -> Decimal:
    m = _NUMBER.match(text.strip())
    assert m is not None
    return Decimal(m.group(1).replace(",", "") + ("." + m.group(2) if m.group(2) else ""))


def numbers_in(reply: str) -> set[Decimal]:
    """Every number the reply states, as values, whichever way it is written or spoken."""
    text = unicodedata.normalize("NFKC", reply).casefold()
    text = _zh_numbers(text)
    text = _en_digit_words(text)
    text = _en_number_words(text)
    found: set[Decimal] = set()
    # digits in groups: "1 0 0 3 3", "1-0-0-3-3", "10,033", "299.00"; a word or a ", " ends a number
    for m in re.finditer(r"(?<![\d.])\d+(?:(?:,\d{3})+|(?:[ -]\d+)*)(?:\.\d+)?(?![\d])", text):
        raw = m.group(0)
        if re.fullmatch(r"\d+(?:[ -]\d+)+", raw):  # spaced groups: each group; three or more also joined
            groups = re.split(r"[ -]", raw)
            found.update(Decimal(g) for g in groups)
            if len(groups) >= 3:
                found.add(Decimal("".join(groups)))
        else:
            try:
                found.add(Decimal(raw.replace(",", "")))
            except InvalidOperation:
                continue
    return found


def _zh_numbers(text: str) -> str:
    """一零零三三 / 幺零零三三 digit by digit; 二百九十九, 一万零二十三 as numbers (cn2an)."""
    text = re.sub(r"[零〇一二两三四五六七八九幺]{3,}(?![十百千万亿])",
                  lambda m: "".join(_ZH_DIGITS[c] for c in m.group(0)) if not re.search("[十百千万]", m.group(0))
                  else m.group(0), text)
    try:
        return cn2an.transform(text, "cn2an")
    except (ValueError, KeyError, IndexError):
        return text


def _en_digit_words(text: str) -> str:
    """Two or more digit words in a row: "one oh oh three three", "one double-oh three three" -> digits."""
    word = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)"
    run = re.compile(rf"\b(?:(?:double|triple)[ -]?)?{word}(?:[ ,-]+(?:(?:double|triple)[ -]?)?{word})+\b")

    def digits(m: re.Match[str]) -> str:
        out, repeat = [], 1
        for token in re.findall(r"[a-z]+", m.group(0)):
            if token in ("double", "triple"):
                repeat = 2 if token == "double" else 3
                continue
            out.append(_EN_DIGITS[token] * repeat)
            repeat = 1
        return "".join(out)

    return run.sub(digits, text)


_EN_SMALL = {w: i for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_EN_TENS = {w: 10 * i for i, w in enumerate(
    ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2)}
_EN_SCALES = {"thousand": 1000, "million": 1_000_000}
_EN_NUMBER_RUN = re.compile(r"\b(?:{0})(?:(?:\s+|-|\s+and\s+)(?:{0}|hundred|thousand|million))*\b".format(
    "|".join([*_EN_SMALL, *_EN_TENS])))


def _en_number_words(text: str) -> str:
    """"two hundred and ninety-nine" -> 299, "ten thousand and thirty-seven" -> 10037, "fifteen" -> 15."""

    def value(m: re.Match[str]) -> str:
        total, current = 0, 0
        for w in re.findall(r"[a-z]+", m.group(0)):
            if w in _EN_SMALL or w in _EN_TENS:
                current += _EN_SMALL.get(w, 0) + _EN_TENS.get(w, 0)
            elif w == "hundred":
                current = max(current, 1) * 100
            elif w in _EN_SCALES:
                total, current = total + max(current, 1) * _EN_SCALES[w], 0
        return str(total + current)

    return _EN_NUMBER_RUN.sub(value, text)


# --- dates -----------------------------------------------------------------------------------------
def _has_date(reply: str, day: date, language: str) -> bool:
    text = unicodedata.normalize("NFKC", reply).casefold()
    iso = rf"{day.year}[-/.]0?{day.month}[-/.]0?{day.day}(?!\d)"
    if re.search(rf"(?<!\d){iso}", text):
        return True
    if language == "zh" or re.search(f"[{_CJK}]", text):
        zh = _zh_numbers(re.sub(r"[零〇一二三四五六七八九]{4}(?=年)",
                                lambda m: "".join(_ZH_DIGITS[c] for c in m.group(0)), text))
        zh = re.sub(r"\s+", "", zh)
        year = r"(?:(\d{4})年)?"
        for m in re.finditer(rf"{year}(\d{{1,2}})月(\d{{1,2}})[日号]?", zh):
            if (int(m.group(2)), int(m.group(3))) == (day.month, day.day) and (
                    m.group(1) is None or int(m.group(1)) == day.year):
                return True
        if language == "zh":
            return False
    return _has_en_date(text, day)


def _has_en_date(text: str, day: date) -> bool:
    text = re.sub(r"[,.]", " ", text)
    text = _en_number_words(_ordinal_words(text))
    month = _MONTHS[day.month - 1]
    months = rf"(?:{month}|{month[:3]}{'t' if month == 'september' else ''}?)"
    d = rf"0?{day.day}(?:st|nd|rd|th)?(?!\d)"
    year = r"(?:\s+(\d{4}))?"
    patterns = [rf"\b{months}\s+(?:the\s+)?{d}{year}", rf"(?<!\d){d}\s+(?:of\s+)?{months}\b{year}",
                rf"(?<![\d/]){day.month}/{day.day}(?:/(\d{{4}}))?(?![\d/])"]
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            if m.group(1) is None or int(m.group(1)) == day.year:
                return True
    return False


_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
             "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
             "twentieth": 20, "thirtieth": 30}


def _ordinal_words(text: str) -> str:
    """"thirtieth" -> 30th, "twenty-first" -> 21st (dates spoken aloud)."""
    tens = {"twenty": 20, "thirty": 30}

    def one(m: re.Match[str]) -> str:
        n = tens.get(m.group(1) or "", 0) + _ORDINALS[m.group(2)]
        return f"{n}th"

    return re.sub(rf"\b(?:(twenty|thirty)[ -])?({'|'.join(_ORDINALS)})\b", one, text)
