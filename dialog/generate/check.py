"""Check one reply sentence against the action's facts before it is spoken.

A small model can drop a digit, invent a date or slip into the other language; a caller hears
that as the shop's word. So every number, date, code and status a sentence states must come
from the ActionResult, the sentence must be in the caller's language, and no raw e-mail address
or phone number may be read out. Anything else falls back to the template reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dialog.generate.facts import MONTHS_EN, as_date
from dialog.types import ActionResult, Language

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<![A-Za-z0-9])(?:\+?\d[\d\- ]{9,}\d)(?![A-Za-z0-9])")
_CODE = re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6,}\b")  # tracking numbers, SKUs
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_EN_NUMBER_WORDS = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"))}
_EN_WORD = re.compile(r"\b(" + "|".join(_EN_NUMBER_WORDS) + r")\b(?=\s+(?:days?|hours?|weeks?|times?|yuan|items?))",
                      re.I)
_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_NUMBER = re.compile(r"([零一二两三四五六七八九十]+)(?=[天元块个件次小时周号日月])")
_MONTH_DAY = re.compile(r"\b(" + "|".join(MONTHS_EN) + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.I)
_ZH_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})[日号]")
_WEEKDAYS = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|yesterday)\b|"
                       r"(?:星期|周)[一二三四五六日天]|明天|后天|昨天", re.I)
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# A model refusing or talking about itself is no answer: say the template instead.
_REFUSAL = re.compile(r"can(?:no|')t (?:assist|help)|unable to (?:assist|help)|as an ai|language model|"
                      r"无法协助|无法帮助|我无法|作为(?:一个)?(?:ai|人工智能)", re.I)
# A sentence asserting a status ("has shipped", "已取消") needs a fact (or the refusal's reason) saying so.
_EN_STATUS = re.compile(r"\b(?:is|has|was|have|are|were|'s)\s+(?:already\s+|now\s+|just\s+)?(?:been\s+)?"
                        r"(shipped|delivered|cancell?ed|refunded|in transit)\b|\b(on its way)\b", re.I)
_ZH_STATUS = re.compile(r"已(?:经)?(发货|发出|签收|送达|取消|退款)|(运输中|配送中|派送中)")
_STATUS_OF = {"shipped": "shipped", "in transit": "shipped", "on its way": "shipped", "发货": "shipped",
              "发出": "shipped", "运输中": "shipped", "配送中": "shipped", "派送中": "shipped",
              "delivered": "delivered", "签收": "delivered", "送达": "delivered",
              "cancelled": "cancelled", "canceled": "cancelled", "取消": "cancelled",
              "refunded": "refunded", "退款": "refunded"}
# What each stated status is consistent with (a delivered order has also shipped).
_STATUS_OK = {"shipped": {"shipped", "delivered", "return_requested", "refunded"},
              "delivered": {"delivered", "return_requested", "refunded"}, "cancelled": {"cancelled"},
              "refunded": {"refunded", "completed"}}


def _zh_number(text: str) -> int | None:
    """一..九十九 as an int (enough for days, hours and counts)."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
    if len(text) == 1:
        return _ZH_DIGITS.get(text)
    return None


def _as_float(token: str) -> float | None:
    token = re.sub(r"(?<=\d),(?=\d{3}\b)", "", token)
    try:
        return float(token.replace(",", "."))
    except ValueError:
        return None


def allowed_values(result: ActionResult, extra: Iterable[str] = ()
                   ) -> tuple[set[float], set[str], set[tuple[int, int]]]:
    """Numbers, codes and (month, day) pairs the facts hold; `extra` is text the reply may echo."""
    numbers: set[float] = set()
    codes: set[str] = set()
    dates: set[tuple[int, int]] = set()
    values = [*map(str, result.facts.values()), *(str(k) for k in result.facts), *extra]
    if result.ticket_id:
        values.append(result.ticket_id)
    for text in values:
        d = as_date(text)
        if d is not None:
            dates.add((d.month, d.day))
        for m in _NUMBER.finditer(text):
            for part in re.split(r"[,]", m[0]) + [m[0]]:
                if (v := _as_float(part)) is not None:
                    numbers.add(v)
        for m in re.finditer(r"[A-Za-z0-9-]+", text):
            codes.add(m[0].upper())
    return numbers, codes, dates


def statuses_in_facts(result: ActionResult) -> set[str]:
    codes = {str(v) for k, v in result.facts.items() if k == "status" or k.endswith("_status")}
    # a refusal's reason and dated events state a status too ("already shipped", delivered_on)
    by_reason = {"already_shipped": "shipped", "already_cancelled": "cancelled", "not_delivered": "delivered",
                 "outside_window": "delivered"}
    if result.reason in by_reason:
        codes.add(by_reason[result.reason])
    for key, status in (("shipped_on", "shipped"), ("delivered_on", "delivered"), ("cancelled_on", "cancelled"),
                        ("completed_on", "refunded")):
        if key in result.facts:
            codes.add(status)
    if result.ok and result.changed:
        implied = {"cancel_order": "cancelled", "cancel": "cancelled", "refund": "refunded"}
        if result.action in implied:
            codes.add(implied[result.action])
    return codes


def language_ok(sentence: str, language: Language, facts_text: str = "") -> bool:
    """Chinese sentences are Han characters; English ones have none. Words taken from the facts don't count."""
    if language == "zh":
        known = {w.lower() for w in _LATIN_WORD.findall(facts_text)}
        latin = [w for w in _LATIN_WORD.findall(sentence) if w.lower() not in known]
        han = len(re.findall(r"[\u4e00-\u9fff]", sentence))
        return han >= 1 and len(latin) <= max(1, han // 8)
    stripped = sentence
    for run in sorted(set(re.findall(r"[\u4e00-\u9fff]+", facts_text)), key=len, reverse=True):
        stripped = stripped.replace(run, " ")
    return not re.search(r"[\u4e00-\u9fff]", stripped) and bool(re.search(r"[A-Za-z]", sentence))


def check_sentence(sentence: str, result: ActionResult, language: Language, extra: Iterable[str] = ()) -> list[str]:
    """Why this sentence may not be said (empty: it may)."""
    problems: list[str] = []
    extra = list(extra)
    numbers, codes, dates = allowed_values(result, extra)
    facts_text = " ".join([*map(str, result.facts.values()), *extra])
    if _EMAIL.search(sentence):
        problems.append("email address")
    for m in _PHONE.finditer(sentence):
        if re.sub(r"\D", "", m[0]) not in re.sub(r"[^\d ]", " ", facts_text).split():
            problems.append(f"phone number {m[0]!r}")
    for m in _CODE.finditer(sentence):
        if m[0].upper() not in codes:
            problems.append(f"code {m[0]!r} not in facts")
    for m in _MONTH_DAY.finditer(sentence):
        pair = (MONTHS_EN.index(m[1].capitalize()) + 1, int(m[2]))
        if pair not in dates:
            problems.append(f"date {m[0]!r} not in facts")
    for m in _ZH_MONTH_DAY.finditer(sentence):
        if (int(m[1]), int(m[2])) not in dates:
            problems.append(f"date {m[0]!r} not in facts")
    if _WEEKDAYS.search(sentence):
        problems.append("relative date or weekday")
    bare = _CODE.sub(" ", sentence)
    for m in _NUMBER.finditer(bare):
        v = _as_float(m[0].rstrip(".,"))
        if v is not None and v not in numbers and not any(_as_float(p) in numbers for p in m[0].split(",")):
            problems.append(f"number {m[0]} not in facts")
    for m in _EN_WORD.finditer(sentence):
        if float(_EN_NUMBER_WORDS[m[1].lower()]) not in numbers:
            problems.append(f"number {m[1]!r} not in facts")
    for m in _ZH_NUMBER.finditer(sentence):
        v = _zh_number(m[1])
        if v is not None and float(v) not in numbers and not (v == 1 and m[1] == "一"):
            problems.append(f"number {m[1]!r} not in facts")
    allowed_status = statuses_in_facts(result)
    for m in [*_EN_STATUS.finditer(sentence), *_ZH_STATUS.finditer(sentence)]:
        stated = _STATUS_OF[(m[1] or m[2]).lower()]
        if not _STATUS_OK[stated] & allowed_status:
            problems.append(f"status {m[0]!r} not in facts")
    if _REFUSAL.search(sentence):
        problems.append("refusal")
    if not language_ok(sentence, language, facts_text):
        problems.append(f"not in {language}")
    return problems
