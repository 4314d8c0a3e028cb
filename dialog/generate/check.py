"""Check one reply sentence against the action before it is spoken: its facts, its deed, its outcome, its tense.

A small model can drop a digit, invent a date, slip into the other language, or say "I've placed an
order" after a cancel; a caller hears that as the shop's word. So every number, date, code and status a
sentence states must come from the ActionResult; a deed it claims ("I've cancelled", "已为您退货") must be
the action that ran and succeeded; it may not say the request failed when it was done, or was done when
it was refused; a shipped or delivered order never "will ship", a delivered one is not on its way, and a
delivery day already past is said as late. The sentence must be in the caller's language, and no raw
e-mail address or phone number may be read out. Anything else falls back to the template reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from dialog.contract import ActionResult, Facts, OrderBrief, ProductBrief
from dialog.generate.facts import MONTHS_EN, as_date, spoken
from dialog.types import Action, Language, Reason

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


def fact_texts(facts: Facts) -> Iterator[str]:
    """Every value a record holds, as text (and as said in both languages), nested orders and products too."""
    def walk(value: Any) -> Iterator[Any]:
        if isinstance(value, tuple):
            for v in value:
                yield from walk(v)
        elif isinstance(value, OrderBrief | ProductBrief):
            yield from walk(tuple(vars(value).values()))
        else:
            yield value
    for value in walk(tuple(facts.values().values())):
        if isinstance(value, bool):
            continue
        yield value.isoformat() if isinstance(value, date) else str(value)
        if not isinstance(value, str):
            yield spoken(value, "en")
            yield spoken(value, "zh")


def allowed_values(result: ActionResult, extra: Iterable[str] = ()
                   ) -> tuple[set[float], set[str], set[tuple[int, int]]]:
    """Numbers, codes and (month, day) pairs the facts hold; `extra` is text the reply may echo."""
    numbers: set[float] = set()
    codes: set[str] = set()
    dates: set[tuple[int, int]] = set()
    values = [*fact_texts(result.facts), *extra]
    if result.ticket_id:
        values.append(result.ticket_id)
    if result.voucher:
        values.append(str(result.voucher))
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


# The order states a result's outcome implies: a refusal's reason, the events it dates, a change it made.
_BY_REASON = {Reason.already_cancelled: "cancelled", Reason.not_delivered: "shipped",
              Reason.outside_window: "delivered", Reason.already_refunded: "refunded"}
_BY_DEED = {Action.cancel_order: "cancelled", Action.get_refund: "return_requested"}


def statuses_in_facts(result: ActionResult) -> set[str]:
    values = result.facts.values()
    codes = {str(v) for k, v in values.items() if k in ("status", "refund_status")}
    if "order" in values:  # a read-back
        codes.add(str(values["order"].status))
    if result.reason in _BY_REASON:
        codes.add(_BY_REASON[result.reason])
    for key, status in (("shipped_on", "shipped"), ("delivered_on", "delivered"), ("cancelled_on", "cancelled"),
                        ("completed_on", "refunded")):
        if key in values:
            codes.add(status)
    if result.ok and result.changed and result.action in _BY_DEED:
        codes.add(_BY_DEED[result.action])
    return codes


# Deeds a sentence may claim ("I've cancelled it", "已为您取消"), and the actions that do them. A deed is
# claimed only when that action ran and changed something (or handed over); no action ever places an order.
_DEEDS: dict[str, set[Action]] = {
    "cancel": {Action.cancel_order}, "place": set(),
    "return": {Action.get_refund}, "refund": {Action.get_refund, Action.cancel_order, Action.payment_issue},
    "change": {Action.change_shipping_address, Action.set_up_shipping_address},
    "send": {Action.get_invoice, Action.recover_password}, "log": {Action.complaint, Action.contact_human_agent},
    "transfer": {Action.contact_human_agent}, "ticket": {Action.complaint, Action.contact_human_agent,
                                                          Action.payment_issue, Action.delete_account},
    "reset": {Action.recover_password}, "delete": {Action.delete_account},
}
_EN_DEED_WORDS = (("cancel", r"cancell?ed"), ("place", r"placed|put in"),
                  ("return", r"(?:opened|started|processed) (?:a |the |your )?return"),
                  ("refund", r"refunded|issued (?:a |the |your )?refund"), ("change", r"changed|updated"),
                  ("send", r"sent|e-?mailed"), ("log", r"logged|recorded|filed"), ("transfer", r"transferred"),
                  ("ticket", r"opened|created"), ("reset", r"reset"), ("delete", r"deleted|closed your account"))
_EN_DEED = re.compile(r"\b(?:i'?ve|i have|we'?ve|we have|i just|i)\s+(?:now\s+|just\s+|already\s+|gone ahead and\s+)?"
                      r"(?:" + "|".join(f"(?P<{d}>{w})" for d, w in _EN_DEED_WORDS) + r")\b"
                      r"|\b(?:i'?m|i am) (?:now )?(?P<transfer_now>transferring|connecting)", re.I)
_ZH_DEED_WORDS = (("cancel", "取消"), ("place", "下单|下了单"), ("return", "退货"), ("refund", "退款"),
                  ("change", "修改|更改|改"), ("send", "发送|发到"), ("log", "登记"), ("transfer", "转接"),
                  ("ticket", "创建|提交"), ("reset", "重置"), ("delete", "注销"))
# "已为您取消" claims it; "我可以为您取消" / "需要为您转接吗？" only offers it.
_ZH_DEED = re.compile(r"(?<!可以)(?<!需要)(?<!能)(?<!要)(?<!会)(?:已|已经)?(?:为您|帮您|给您|替您)"
                      r"(?:把[^，。？]{0,12})?(?:办理了?)?"
                      r"(?:" + "|".join(f"(?P<{d}>{w})" for d, w in _ZH_DEED_WORDS) + r")(?![^，。]*[吗？?])")
# "I couldn't ...", "没能完成": said after a success, it is false.
_FAILED = re.compile(r"\b(?:i|we)\s+(?:couldn'?t|could not|wasn'?t able to|was not able to|am unable to|"
                     r"was unable to|were unable to)\b|\bsomething went wrong\b"
                     r"|\b(?:that|it) (?:wasn'?t|was not) done\b"
                     r"|没能|未能|操作失败|没有成功|出了点问题|无法完成", re.I)
# "Done", "已经办好了": said after a refusal, it is false.
_SUCCEEDED = re.compile(r"^\W*(?:done|all done|all set)\b|\bsuccessfully\b|\bi'?ve (?:gone ahead|done that|taken care)"
                        r"|办好了|办理成功|操作成功|已成功", re.I)
# Tense: a parcel that left never "will ship"; a delivered one is not still coming.
_EN_WILL_SHIP = re.compile(r"\bwill (?:be )?(?:ship(?:ped)?|sent out|dispatched)\b|\b(?:hasn'?t|has not|not yet|"
                           r"isn'?t|is not) (?:yet )?(?:been )?(?:shipped|dispatched|sent out)\b", re.I)
_ZH_WILL_SHIP = re.compile(r"(?:会|将|将会|即将|准备)[^，。]{0,10}(?:发货|发出)|(?:还没|还没有|尚未|未)发货")
_EN_COMING = re.compile(r"\b(?:will|should|is expected to|is going to) (?:arrive|be delivered|get to you)\b"
                        r"|\bon (?:its|the) way\b|\bin transit\b|\barrive by\b", re.I)
_ZH_COMING = re.compile(r"(?:预计|将|会|即将)[^，。]{0,10}(?:送达|到货|送到|签收)|运输中|配送中|派送中|在路上")
_FUTURE = re.compile(r"\b(?:will|should|expected|by|due|arrive|arriving)\b|预计|将|会|前送达|之前", re.I)
_LATE = re.compile(r"\b(?:late|delayed|overdue|behind|was due|were due)\b|晚了|延误|逾期|原定|推迟|超时", re.I)
_SHIPPED_OR_LATER = {"shipped", "delivered", "return_requested", "refunded"}
_DELIVERED_OR_LATER = {"delivered", "return_requested", "refunded"}


def action_problems(sentence: str, result: ActionResult) -> list[str]:
    """What the sentence says about the deed, the outcome and the order's state that the result contradicts."""
    problems: list[str] = []
    did = result.ok and (result.changed or result.handoff)
    for m in [*_EN_DEED.finditer(sentence), *_ZH_DEED.finditer(sentence)]:
        deed = next(name for name, g in m.groupdict().items() if g).removesuffix("_now")
        if deed == "ticket" and result.ticket_id:
            continue
        if not did or result.action not in _DEEDS[deed]:
            outcome = "done" if result.ok else f"refused: {result.reason}"
            problems.append(f"claims {deed!r} but the action was {result.action} ({outcome})")
    if result.ok and _FAILED.search(sentence):
        problems.append(f"says it failed, but {result.action} was done")
    if not result.ok and _SUCCEEDED.search(sentence):
        problems.append(f"says it was done, but {result.action} was refused ({result.reason})")
    values = result.facts.values()
    now = str(values.get("status") or (values["order"].status if "order" in values else "")) or None
    statuses = {now} if now else statuses_in_facts(result)
    if statuses & _SHIPPED_OR_LATER and (_EN_WILL_SHIP.search(sentence) or _ZH_WILL_SHIP.search(sentence)):
        problems.append(f"says it will ship, but it is {'/'.join(sorted(statuses))}")
    if statuses & _DELIVERED_OR_LATER and "shipped" not in statuses and (
            _EN_COMING.search(sentence) or _ZH_COMING.search(sentence)):
        problems.append(f"says it is still coming, but it is {'/'.join(sorted(statuses))}")
    if result.as_of is not None and _FUTURE.search(sentence) and not _LATE.search(sentence):
        for _, (month, day), keys in told_dates(sentence):
            if keys and keys != ("eta",):
                continue  # told as a past event ("shipped on"), not as what is to come
            when = _nearest(result.as_of, month, day)
            if when < result.as_of:
                problems.append(f"gives {when.isoformat()} as still to come (today is {result.as_of.isoformat()})")
    return problems


# A date is said as the date of something: "shipped on November 25", "11月25日发货". The event it is told as must
# be the event the facts date so (the model once said "shipped on November 24", the day the order was placed).
# English names the event before the date, Mandarin after it (or "预计" before it); the nearest cue wins.
_EN_EVENT_BEFORE = [(re.compile(rf"\b(?:{words})\b[^.,;]*$", re.I), keys) for words, keys in (  # cue, then the date
    ("arrive|arriving|due|expected|should|will|estimated", ("eta",)),
    ("return(?:ed)?|send (?:it )?back", ("return_deadline",)),
    ("shipped|dispatched|sent out|went out|left", ("shipped_on",)),
    ("delivered", ("delivered_on",)),
    ("placed|ordered|bought|purchased|from", ("placed_on",)),
    ("cancell?ed", ("cancelled_on",)),
    ("issued", ("issued_on",)),
    ("e-?mailed|sent", ("sent_on",)),
    ("requested", ("requested_on",)),
    ("completed|refunded|processed|went through", ("completed_on",)),
)]
_ZH_EVENT_AFTER = [  # the date, then the cue (first match wins)
    (re.compile(r"^[日号]?之?前[^，。]{0,4}(?:退货|退回|寄回|退)"), ("return_deadline",)),
    (re.compile(r"^[日号]?之?前"), ("eta",)),
    *((re.compile(rf"^[日号]?[^，。]{{0,3}}(?:{words})"), keys) for words, keys in (
        ("发货|发出|寄出", ("shipped_on",)),
        ("发送|发到", ("sent_on",)),  # before "送到"
        ("签收|送达|(?<!发)送到", ("delivered_on",)),
        ("下的|下单|购买|买的", ("placed_on",)),
        ("取消", ("cancelled_on",)),
        ("开具", ("issued_on",)),
        ("申请|提交", ("requested_on",)),
        ("完成|到账|退款", ("completed_on",)),
    )),
]
_ZH_FUTURE_BEFORE = re.compile(r"(?:预计|原定|将|会|应该)[^，。]{0,3}$")
_EVENT_NAMES = {"eta": "the delivery due date", "return_deadline": "the return deadline",
                "shipped_on": "the shipping date", "delivered_on": "the delivery date",
                "placed_on": "the order date", "cancelled_on": "the cancellation date", "issued_on": "the invoice date",
                "sent_on": "the sending date", "requested_on": "the request date", "completed_on": "the refund date"}


def _fact_dates(result: ActionResult) -> dict[str, set[tuple[int, int]]]:
    """(month, day) of each dated fact, by its name; an order brief's date is its `placed_on`."""
    out: dict[str, set[tuple[int, int]]] = {}

    def add(key: str, value: object) -> None:
        if (d := as_date(value)) is not None:
            out.setdefault(key, set()).add((d.month, d.day))

    for key, value in result.facts.values().items():
        for v in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(v, OrderBrief):
                add("placed_on", v.placed_on)
            else:
                add(key, v)
    return out


def told_dates(sentence: str) -> list[tuple[str, tuple[int, int], tuple[str, ...] | None]]:
    """Each date the sentence says, as (text, (month, day), the fact names of the event it is told as, or None)."""
    found = [(m, (MONTHS_EN.index(m[1].capitalize()) + 1, int(m[2])), "en") for m in _MONTH_DAY.finditer(sentence)]
    found += [(m, (int(m[1]), int(m[2])), "zh") for m in _ZH_MONTH_DAY.finditer(sentence)]
    out = []
    for m, pair, lang in found:
        if lang == "en":
            before = sentence[max(0, m.start() - 40):m.start()]
            hits = [(c.start(), k) for cue, k in _EN_EVENT_BEFORE if (c := cue.search(before))]
            keys = max(hits)[1] if hits else None  # the cue nearest the date
        elif _ZH_FUTURE_BEFORE.search(sentence[max(0, m.start() - 8):m.start()]):
            keys = ("eta",)
        else:
            after = sentence[m.end() - 1:m.end() + 8]  # from the date's own 日/号
            keys = next((k for cue, k in _ZH_EVENT_AFTER if cue.search(after)), None)
        out.append((m[0], pair, keys))
    return out


def misdated(sentence: str, result: ActionResult) -> list[str]:
    """Dates told as the date of an event the facts date otherwise ("shipped on" the order date)."""
    known = _fact_dates(result)
    return [f"date {text!r} said as {_EVENT_NAMES[keys[0]]}, which the facts give as "
            f"{sorted(known.get(keys[0], ())) or 'nothing'}"
            for text, pair, keys in told_dates(sentence) if keys and not any(pair in known.get(k, ()) for k in keys)]


def _nearest(today: date, month: int, day: int) -> date:
    """A month and day without a year, in the year that puts it nearest to today."""
    options = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: abs((d - today).days)) if options else today


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


_WORDY = re.compile(r"[A-Za-z\u4e00-\u9fff]")  # a fact in words (a name, an address), not a bare figure


def _reads_the_facts_list(sentence: str, result: ActionResult) -> bool:
    """The prompt's facts line parroted ("order 10040; delivered on October 7; return window days 7"): a list in
    semicolons, or a fact's own name with a colon ("return window days: 7")."""
    if len(re.findall(r"[;；]", sentence)) >= 2:
        return True
    names = [name.replace("_", " ") for name in result.facts.values()]
    return any(re.search(rf"\b{re.escape(name)}\s*[:：]", sentence, re.I) for name in names)


def check_sentence(sentence: str, result: ActionResult, language: Language, extra: Iterable[str] = ()) -> list[str]:
    """Why this sentence may not be said (empty: it may)."""
    problems: list[str] = []
    extra = list(extra)
    numbers, codes, dates = allowed_values(result, extra)
    texts = [*fact_texts(result.facts), *extra]
    facts_text = " ".join(texts)
    quoted = sentence.strip()
    if len(quoted) >= 12 and any(quoted in text for text in texts):  # the shop's own words (a policy, an answer)
        return [] if language_ok(sentence, language, facts_text) else [f"not in {language}"]
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
    # numbers inside the facts' own words are theirs ("玻璃保鲜盒五件套", "Rice Cooker Smart 4L")
    named = sentence
    for text in sorted({t for t in texts if len(t) >= 2 and _WORDY.search(t)}, key=len, reverse=True):
        named = named.replace(text, " ")
    bare = _CODE.sub(" ", named)
    for m in _NUMBER.finditer(bare):
        v = _as_float(m[0].rstrip(".,"))
        if v is not None and v not in numbers and not any(_as_float(p) in numbers for p in m[0].split(",")):
            problems.append(f"number {m[0]} not in facts")
    for m in _EN_WORD.finditer(named):
        if float(_EN_NUMBER_WORDS[m[1].lower()]) not in numbers:
            problems.append(f"number {m[1]!r} not in facts")
    for m in _ZH_NUMBER.finditer(named):
        v = _zh_number(m[1])
        if v is not None and float(v) not in numbers and not (v == 1 and m[1] == "一"):
            problems.append(f"number {m[1]!r} not in facts")
    allowed_status = statuses_in_facts(result)
    for m in [*_EN_STATUS.finditer(sentence), *_ZH_STATUS.finditer(sentence)]:
        stated = _STATUS_OF[(m[1] or m[2]).lower()]
        if not _STATUS_OK[stated] & allowed_status:
            problems.append(f"status {m[0]!r} not in facts")
    problems += action_problems(sentence, result)
    problems += misdated(sentence, result)
    if _REFUSAL.search(sentence):
        problems.append("refusal")
    if _reads_the_facts_list(sentence, result):
        problems.append("reads out the facts list")
    if not language_ok(sentence, language, facts_text):
        problems.append(f"not in {language}")
    return problems
