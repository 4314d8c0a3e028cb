"""Facts as a caller hears them: dates, money, statuses, lists, orders and products, rendered once per language.

The prompt, the templates and the fact check all go through these functions, so the words the
model is shown are exactly the words the check accepts. Rendering goes by the value's type (the
contract's records are typed), never by guessing from a key's name.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from dialog.contract import Facts, Money, OrderBrief, OrderStatus, ProductBrief, RefundState, brief_text
from dialog.types import Language

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

# Order states: code -> (English, Chinese), as said after "Your order 10023 is ..." / "您的订单10023...".
STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("awaiting payment", "待付款"),
    "paid": ("paid and being prepared", "已付款，正在备货"),
    "shipped": ("shipped", "已发货"),
    "delivered": ("delivered", "已签收"),
    "cancelled": ("cancelled", "已取消"),
    "return_requested": ("waiting for the return", "退货处理中"),
    "refunded": ("refunded", "已退款"),
}
# A refund's own states.
REFUND_STATES: dict[str, tuple[str, str]] = {"pending": ("being processed", "正在处理"),
                                             "completed": ("completed", "已完成")}


def as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    m = _ISO_DATE.match(str(value))
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def spoken_date(d: date, language: Language) -> str:
    return f"{d.month}月{d.day}日" if language == "zh" else f"{MONTHS_EN[d.month - 1]} {d.day}"


def spoken_money(value: float, language: Language) -> str:
    text = f"{value:.2f}".removesuffix(".00")
    return f"{text}元" if language == "zh" else f"{text} yuan"


def spoken_list(items: list[str], language: Language) -> str:
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "和" + items[-1] if language == "zh" else ", ".join(items[:-1]) + " and " + items[-1]


def spoken(value: Any, language: Language) -> str:
    """One fact value as it should be said in `language`."""
    zh = language == "zh"
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if isinstance(value, Money):
        return spoken_money(value, language)
    if isinstance(value, date):
        return spoken_date(value, language)
    if isinstance(value, RefundState):
        return REFUND_STATES[value][zh]
    if isinstance(value, OrderStatus):
        return STATUSES[value][zh]
    if isinstance(value, OrderBrief | ProductBrief):
        return brief_text(value, language, spoken)
    if isinstance(value, tuple):
        return spoken_list([spoken(v, language) for v in value], language)
    return str(value)


def spoken_facts(facts: Facts, language: Language) -> dict[str, str]:
    """Every field with a value, as said; booleans stay flags ("1" when true) for the templates' [flag]s."""
    out: dict[str, str] = {}
    for name, value in facts.values().items():
        out[name] = ("1" if value else "") if isinstance(value, bool) else spoken(value, language)
    return out
