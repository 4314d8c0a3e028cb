"""Text as it should be spoken: sentences to stream, numbers read the way a person reads them.

Order and phone numbers are read digit by digit ("one zero zero two three", "一零零二三"),
prices as money ("twelve dollars and fifty cents", "九十九元五角"), dates naturally
("November twenty-eighth, twenty twenty-six", "十一月二十八日"), in each language.
"""

from __future__ import annotations

import re
from datetime import date

import cn2an
from num2words import num2words

_BOUNDARY = re.compile(r"[。！？!?；;]+[”\"']?|\.(?=\s|$)")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "no", "st", "vs", "etc", "e.g", "i.e", "approx"}
EN_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ZH_DIGITS = "零一二三四五六七八九"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_ZH_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]")
# Codes mixing capitals and digits, like the tracking number SF1234567890.
_CODE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{2,}(?:-[A-Z0-9]+)*(?![A-Za-z0-9])")
# "3-7 days", "3-7天": a range, said "three to seven" / "三到七" (a voice reads the dash as nothing or "minus").
# Only with a unit after it: "5-302室", "Flat 5-302", "11-27" are addresses and dates, not ranges.
_RANGE = re.compile(r"(?<![\d.\-])(\d{1,3})\s?[-~–]\s?(\d{1,3})(?=\s?(?:个?工作日|天|个?小时|周|分钟|个?月|"
                    r"(?:business |working )?days?\b|hours?\b|weeks?\b|minutes?\b|months?\b|%))")
_LONG_DIGITS = re.compile(r"(?<![\d.])\d{5,}(?![\d.])")  # order, phone and tracking numbers
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)")
_USD = re.compile(r"\$\s?(\d+(?:,\d{3})*(?:\.\d{1,2})?)")
_CNY_PREFIX = re.compile(r"[¥￥]\s?(\d+(?:,\d{3})*(?:\.\d{1,2})?)")
_CNY_SUFFIX_EN = re.compile(r"\b(\d+(?:\.\d{1,2})?)\s?(?:yuan|RMB|CNY)\b", re.IGNORECASE)
_CNY_SUFFIX_ZH = re.compile(r"(\d+(?:\.\d{1,2})?)\s?(?:元|块钱|块)")
_USD_ZH = re.compile(r"(\d+(?:\.\d{1,2})?)\s?美元")
_ORDINAL = re.compile(r"(?<![\d.])(\d+)(st|nd|rd|th)\b")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Sentences in speaking order, each keeping its punctuation; pieces with no words dropped."""
    pieces, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if m.group(0) == ".":
            word = re.search(r"([\w.]+)$", text[start:m.start()])
            if word and word.group(1).lower() in _ABBREVIATIONS:
                continue
        pieces.append(text[start:m.end()])
        start = m.end()
    pieces.append(text[start:])
    return [p.strip() for piece in pieces for p in piece.splitlines() if re.search(r"\w", p)]


def digits(number: str, language: str) -> str:
    if language == "zh":
        return "".join(ZH_DIGITS[int(d)] for d in number if d.isdigit())
    return " ".join(EN_DIGITS[int(d)] for d in number if d.isdigit())


def _money_en(amount: str, unit: str, cents_unit: str) -> str:
    whole, _, frac = amount.replace(",", "").partition(".")
    plural = "s" if unit == "dollar" and int(whole) != 1 else ""
    words = f"{num2words(int(whole))} {unit}{plural}"
    cents = int((frac + "0")[:2]) if frac else 0
    if cents:
        plural = "" if cents == 1 or cents_unit == "fen" else "s"
        words += f" and {num2words(cents)} {cents_unit}{plural}"
    return words


def _money_zh(amount: str, unit: str = "元") -> str:
    whole, _, frac = amount.replace(",", "").partition(".")
    words = cn2an.an2cn(whole) + unit
    frac = (frac + "00")[:2]
    if unit == "元" and frac != "00":
        jiao, fen = int(frac[0]), int(frac[1])
        words += (ZH_DIGITS[jiao] + "角" if jiao else "零") + (ZH_DIGITS[fen] + "分" if fen else "")
    elif frac != "00":
        words += cn2an.an2cn(str(int(frac))) + "美分"
    return words


def _date_en(y: str, m: str, d: str) -> str:
    try:
        date(int(y), int(m), int(d))
    except ValueError:
        return f"{y} {m} {d}"
    return f"{MONTHS[int(m) - 1]} {num2words(int(d), to='ordinal')}, {num2words(int(y), to='year')}"


def _date_zh(y: str, m: str, d: str) -> str:
    return f"{digits(y, 'zh')}年{cn2an.an2cn(str(int(m)))}月{cn2an.an2cn(str(int(d)))}日"


def _code(match: re.Match[str], language: str) -> str:
    sep = "" if language == "zh" else " "
    out = []
    for ch in match.group(0).replace("-", ""):
        out.append(digits(ch, language) if ch.isdigit() else ch)
    return sep.join(out)


def _number_en(text: str) -> str:
    value = text.replace(",", "")
    if "." in value:
        whole, frac = value.split(".")
        return f"{num2words(int(whole))} point {' '.join(EN_DIGITS[int(c)] for c in frac)}"
    return num2words(int(value))


def normalize_for_speech(text: str, language: str = "en") -> str:
    """Spell out what a TTS voice would misread. Idempotent on text with no digits."""
    if language == "zh":
        text = _ISO_DATE.sub(lambda m: _date_zh(*m.groups()), text)
        text = _ZH_DATE.sub(lambda m: _date_zh(*m.groups()), text)
        text = _CODE.sub(lambda m: _code(m, "zh"), text)
        text = _RANGE.sub(r"\1到\2", text)
        text = _LONG_DIGITS.sub(lambda m: digits(m.group(0), "zh"), text)
        text = _CNY_PREFIX.sub(lambda m: _money_zh(m.group(1)), text)
        text = _USD.sub(lambda m: _money_zh(m.group(1), "美元"), text)
        text = _USD_ZH.sub(lambda m: _money_zh(m.group(1), "美元"), text)
        text = _CNY_SUFFIX_ZH.sub(lambda m: _money_zh(m.group(1)), text)
        text = _TIME.sub(lambda m: f"{cn2an.an2cn(str(int(m.group(1))))}点"
                                   + (f"{cn2an.an2cn(str(int(m.group(2))))}分" if int(m.group(2)) else ""), text)
        text = _PERCENT.sub(lambda m: "百分之" + cn2an.an2cn(m.group(1)), text)
        return _NUMBER.sub(lambda m: cn2an.an2cn(m.group(0).replace(",", "")), text)
    text = _ISO_DATE.sub(lambda m: _date_en(*m.groups()), text)
    text = _CODE.sub(lambda m: _code(m, "en"), text)
    text = _RANGE.sub(r"\1 to \2", text)
    text = _LONG_DIGITS.sub(lambda m: digits(m.group(0), "en"), text)
    text = _USD.sub(lambda m: _money_en(m.group(1), "dollar", "cent"), text)
    text = _CNY_PREFIX.sub(lambda m: _money_en(m.group(1), "yuan", "fen"), text)
    text = _CNY_SUFFIX_EN.sub(lambda m: _money_en(m.group(1), "yuan", "fen"), text)
    text = _TIME.sub(lambda m: num2words(int(m.group(1)))
                     + (f" {num2words(int(m.group(2)))}" if int(m.group(2)) else " o'clock"), text)
    text = _PERCENT.sub(lambda m: _number_en(m.group(1)) + " percent", text)
    text = _ORDINAL.sub(lambda m: num2words(int(m.group(1)), to="ordinal"), text)
    return _NUMBER.sub(lambda m: _number_en(m.group(0)), text)


_CLAUSE = re.compile(r"(?<=[,，、:：])\s*")


def speech_pieces(text: str, language: str, first_max_chars: int = 40) -> list[str]:
    """Sentences to synthesise one by one. A long first sentence is cut at its first comma, so
    the caller hears the start of the answer sooner; later ones stay whole and sound natural."""
    sentences = split_sentences(text, language)
    if sentences and len(sentences[0]) > first_max_chars:
        clauses = [c for c in _CLAUSE.split(sentences[0]) if c]
        if len(clauses) > 1:
            sentences[:1] = [clauses[0], "".join(clauses[1:]) if language == "zh" else " ".join(clauses[1:])]
    return sentences
