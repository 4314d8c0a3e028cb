"""Slot values from what the caller said: order number, phone, last four digits, email, product,
quantity, address. Every number is digitised first (`numbers.digitise`), so one pattern per slot
covers "12345", "one two three four five", "幺二三四五" and "一万零二十三".
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import fuzz

from dialog.nlu.numbers import digitise, small_number, zh_digits
from dialog.types import Language, Slots

Catalogue = Sequence[tuple[str, Sequence[str]]]  # (product_id, names in any language)

_ORDER_CUE = re.compile(r"order|订单|单号|编号|订单号|number is|号码是|号是", re.I)
_PHONE_CUE = re.compile(r"phone|mobile|cell|call me|reach me|电话|手机|联系方式", re.I)
_LAST4 = re.compile(
    r"(?:last\s*(?:4|four)(?:\s*digits?)?|ends?\s*(?:in|with)|ending\s*(?:in|with)|尾号|后\s*4\s*位|后四位|末\s*4\s*位|末四位)"
    r"\D{0,20}?(\d{4})(?!\d)",
    re.I,
)
_DIGIT_RUN = re.compile(r"(?<!\d)\d{4,13}(?!\d)")
# "order 1, 007", "订单1、0047": an order number Whisper wrote in comma groups (a short first group, four to six
# digits in all: "order 10037, 2 items" stays apart)
_ORDER_GROUPS = re.compile(r"((?:order|订单|单号)\D{0,12}?)(\d{1,3}(?:[,，、]\s*\d{1,5})+)(?!\d|[,，、]\s*\d)", re.I)

_EMAIL = re.compile(r"[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
_EMAIL_WORDS = [
    (re.compile(r"\s*(?:\bdot\b|点|點)\s*", re.I), "."),
    (re.compile(r"\s*(?:\bat\b|艾特|圈a)\s*", re.I), "@"),
    (re.compile(r"\s*(?:\bunderscore\b|下划线|下划杠)\s*", re.I), "_"),
    (re.compile(r"\s*(?:\bdash\b|\bhyphen\b|横杠|中划线)\s*", re.I), "-"),
    (re.compile(r"小写的?|大写的?|字母", re.I), " "),
]
_SPELLED = re.compile(r"\b([a-z0-9])\s+(?=[a-z0-9]\b)")

_EN_QTY = re.compile(
    r"\b(\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty)\s+(?:more\s+)?"
    r"(?:of\s+(?:the|those|these|them)\b|([a-z]+))",
    re.I,
)
_EN_QTY_SET = re.compile(
    r"\b(?:quantity|qty|amount)\s+(?:to|of|is)?\s*(\d{1,3}|[a-z]+)\b|\bmake\s+it\s+(\d{1,3}|[a-z]+)\b", re.I
)
_NOT_ITEMS = {
    "digits", "digit", "numbers", "number", "days", "day", "weeks", "week", "times", "time", "minutes", "minute",
    "hours", "hour", "years", "year", "months", "month", "dollars", "dollar", "bucks", "percent", "am", "pm",
    "o", "oh", "and", "or", "to", "is", "was", "at", "in", "on", "for", "ago", "more", "less", "dot", "point",
    "second", "seconds", "star", "stars", "business", "working", "calls", "emails", "questions", "question",
    "double", "triple", "zero", "thing", "things", "moment", "bit", "lot", "refund", "problem", "issue", "account",
    "email", "address",
}
_ZH_QTY = re.compile(
    r"(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:件|个|台|双|盒|瓶|份|只|条|套|包|本|箱|袋|支|部|副|张)"
)
_ZH_NOT_ITEMS = re.compile(r"[一二两三四五六七八九十\d]+\s*个(?:月|星期|小时|工作日|问题)")

_ADDRESS = re.compile(
    r"(?:send|ship|deliver|mail)\s+(?:it|them|the\s+\w+|my\s+\w+|this|everything)?\s*(?:over\s+)?to\s+"
    r"|(?:new\s+|shipping\s+|delivery\s+)*address\s+(?:is|to|should\s+be|will\s+be)\s+"
    r"|change\s+(?:my\s+|the\s+)?(?:shipping\s+|delivery\s+)?address\s+to\s+"
    r"|(?:it|they|that|this|the\s+\w+)\s+should\s+(?:go|be\s+sent|be\s+delivered)\s+to\s+"
    r"|地址(?:改成|改为|换成|变成|更新为|是|填)|(?:寄到|送到|发到|改寄到|改送到|配送到)"
    r"|改到(?=[^，,。？?]*[省市区县路街道号巷村镇栋楼室])",
    re.I,
)
_ADDRESS_END = re.compile(
    r"\s*(?:,?\s*(?:please|thanks|thank you|instead|if you can|ok|okay)\b.*"
    r"|[。！？!?]|吧|吗|可以吗|谢谢.*|好吗|行吗).*$",
    re.I,
)


def order_and_phone(text: str, language: Language) -> tuple[str | None, str | None, str | None]:
    """(order_number, phone, phone_last4) from digit runs and the words before them."""
    digits = _ORDER_GROUPS.sub(_joined_order, digitise(text))
    last4_match = _LAST4.search(digits)
    last4 = last4_match.group(1) if last4_match else None
    order = phone = None
    order_end = 0
    for m in _DIGIT_RUN.finditer(digits):
        if last4_match and last4_match.start(1) <= m.start() < last4_match.end(1):
            continue
        run = m.group()
        if re.match(r"\s*(?:@|艾特|at\s+[a-z0-9-]+\s*(?:dot|点|\.)\s*[a-z]{2,})", digits[m.end():], re.I):
            continue  # the name of an email address ("12345678 at qq dot com"), not an order or a phone
        before = digits[max(0, m.start() - 25):m.start()]
        phone_cue = _PHONE_CUE.search(before)
        order_cue = _ORDER_CUE.search(before)
        if phone_cue and not (order_cue and order_cue.start() > phone_cue.start()):
            phone = phone or _phone_digits(run, language) or run
        elif _phone_digits(run, language) and not (order_cue and "order" in order_cue.group().lower() + "订单单号"):
            phone = phone or _phone_digits(run, language)
        elif 4 <= len(run) <= 12 and (order is None or _SELF_CORRECTION.fullmatch(digits[order_end:m.start()])):
            order, order_end = run, m.end()  # "一零零五……不对，是一零零五五": the number said last
    return order, phone, last4


# Between two numbers, the caller takes the first back ("1005... no, sorry, 10055", "一零零五……不对，是一零零五五").
# Only the take-back between them: "10064，不是10063" means 10064 (not 10063), "10046, and also 10044" both.
_TAKE_BACK = r"sorry|no|wait|i mean|correction"
_SELF_CORRECTION = re.compile(rf"\W*(?:(?:不对|错了|说错了)\W*是?|不是\W+是"
                              rf"|(?:{_TAKE_BACK})(?:\W+(?:{_TAKE_BACK}|it's|its|it is|order))*)\W*", re.I)


def _joined_order(m: re.Match[str]) -> str:
    run = re.sub(r"\D", "", m.group(2))
    return m.group(1) + run if 4 <= len(run) <= 6 else m.group()


def _phone_digits(run: str, language: Language) -> str | None:
    """A CN mobile (1[3-9] + 9 digits) or a US number (10 digits, or 11 with the leading 1)."""
    if re.fullmatch(r"1[3-9]\d{9}", run) and language == "zh":
        return run
    if len(run) == 11 and run.startswith("1") and language == "en":
        return run[1:]
    if len(run) == 10 and run[0] in "23456789":
        return run
    if re.fullmatch(r"1[3-9]\d{9}", run):
        return run
    return None


def email(text: str) -> str | None:
    """An email address, written or spelled aloud ("john dot smith at gmail dot com", "j o h n at qq dot com")."""
    s = text.lower()
    m = _EMAIL.search(s)
    if m:
        return m.group().rstrip(".")
    if not re.search(r"\bat\b|@|艾特", s):
        return None
    s = zh_digits(s)  # "幺二三四五六七八艾特qq点com": a QQ mailbox is its number
    for pattern, repl in _EMAIL_WORDS:
        s = pattern.sub(repl, s)
    s = re.sub(r"[\u4e00-\u9fff，。,:：]+", " ", s)
    s = _SPELLED.sub(r"\1", s)
    s = re.sub(r"\s*([.@_-])\s*", r"\1", s)
    m = _EMAIL.search(s)
    return m.group().rstrip(".") if m else None


def quantity(text: str, language: Language) -> int | None:
    """How many items: "two of them", "3 pairs", "两件", "quantity to 4"."""
    lowered = text.lower()
    m = _EN_QTY_SET.search(lowered)
    if m:
        value = small_number(m.group(1) or m.group(2))
        if value:
            return value
    zh_text = _ZH_NOT_ITEMS.sub(" ", text)
    m = _ZH_QTY.search(zh_text)
    if m:
        value = small_number(m.group(1))
        if value:
            return value
    if language == "zh" and not re.search(r"[a-z]{3,}", lowered):
        return None
    for m in _EN_QTY.finditer(lowered):
        noun = m.group(2)
        if noun is not None and (noun in _NOT_ITEMS or small_number(noun) is not None):
            continue
        if m.group(1) in ("a", "an") and noun is not None and not noun.endswith(("pair", "box", "set", "pack")):
            continue
        value = small_number(m.group(1))
        if value and value < 1000:
            return value
    return None


def address(text: str) -> str | None:
    """What follows "send it to", "address is", "地址改成"..., without the polite tail."""
    m = _ADDRESS.search(text)
    if not m:
        return None
    rest = _ADDRESS_END.sub("", text[m.end():]).strip(" ,，:：。.")
    if re.search(r"邮箱|邮件|\be-?mail\b|@|艾特", rest, re.I):
        return None  # "发到我QQ邮箱", "send it to my email": a mailbox, not a delivery address
    return rest or None


_NAME_NOISE = {"the", "and", "for", "with", "pro", "max", "mini", "plus", "men", "women", "kids", "set", "new"}


def _en_name_score(name: str, said: list[str]) -> float:
    """Share of the name's words the caller said (a misheard word still counts); saying the head noun
    of a short name ("the earbuds" for "Wireless Earbuds Pro") is enough."""
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if len(w) > 2 and w not in _NAME_NOISE]
    if not words:
        return 0.0
    hits = [any(w in (t, t[:-1]) or (len(w) >= 4 and fuzz.ratio(w, t) >= 80) for t in said) for w in words]
    score = sum(hits) / len(words)
    return max(score, 0.75) if hits[-1] and len(words) <= 2 else score


def _zh_name_score(name: str, text: str) -> float:
    """Share of the name's Han characters the caller said, in order ("无线耳机" for "无线降噪耳机")."""
    chars = re.findall(r"[\u4e00-\u9fff]", name)
    said = re.findall(r"[\u4e00-\u9fff]", text)
    if len(chars) < 2 or not said:
        return 0.0
    prev = [0] * (len(said) + 1)
    for c in chars:  # longest common subsequence
        row = [0]
        for j, d in enumerate(said):
            row.append(prev[j] + 1 if c == d else max(prev[j + 1], row[j]))
        prev = row
    return prev[-1] / len(chars) if prev[-1] >= 2 else 0.0


def product(text: str, catalogue: Catalogue | None) -> str | None:
    """The product id whose name the caller said, matched loosely (ASR misspellings, partial names).

    None when nothing reaches 0.6 of a name, or when two products match equally well (ask instead)."""
    if not catalogue:
        return None
    lowered = text.lower()
    said = re.findall(r"[a-z]+", lowered)
    scored = []
    for product_id, names in catalogue:
        best = 0.0
        for name in names:
            n = name.lower().strip()
            if len(n) >= 2 and n in lowered:
                best = max(best, 2.0 + len(n) / 100)  # said in full: beats any partial match, longer is surer
            else:
                best = max(best, _en_name_score(n, said), _zh_name_score(n, lowered))
        scored.append((best, product_id))
    scored.sort(reverse=True)
    if scored[0][0] < 0.6 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


def extract_slots(text: str, language: Language, catalogue: Catalogue | None = None) -> Slots:
    where = address(text)
    rest = text.replace(where, " ") if where else text  # a house number or a ZIP code is not a quantity or an order
    order, phone, last4 = order_and_phone(rest, language)
    return Slots(
        order_number=order, phone=phone, phone_last4=last4, email=email(text),
        product=product(rest, catalogue), quantity=quantity(rest, language), address=where,
    )


def load_catalogue(path: Path) -> list[tuple[str, list[str]]]:
    """The shop's products as (id, names): tolerant of the field names, since the shop data is its own module."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data.get("products", data) if isinstance(data, dict) else data
    catalogue = []
    for item in items:
        pid = str(item.get("id") or item.get("sku") or item.get("product_id"))
        names = [v for k, v in item.items() if k.startswith(("name", "title")) and isinstance(v, str)]
        for key in ("aliases", "names", "keywords"):
            value = item.get(key)
            if isinstance(value, dict):
                value = [x for v in value.values() for x in (v if isinstance(v, list) else [v])]
            if isinstance(value, list):
                names.extend(str(v) for v in value)
        catalogue.append((pid, names))
    return catalogue
