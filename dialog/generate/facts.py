"""Facts as a caller hears them: dates, money and statuses rendered once, in each language.

The prompt, the templates and the fact check all go through these functions, so the words the
model is shown are exactly the words the check accepts.
"""

from __future__ import annotations

import re
from datetime import date

from dialog.types import Language

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

# Order, return and refund states: code -> (English, Chinese).
STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("awaiting payment", "待付款"),
    "paid": ("paid and being prepared", "已付款，正在备货"),
    "shipped": ("shipped", "已发货"),
    "delivered": ("delivered", "已签收"),
    "cancelled": ("cancelled", "已取消"),
    "return_requested": ("waiting for the return", "退货处理中"),
    "refunded": ("refunded", "已退款"),
    "requested": ("requested", "已申请"),
    "received": ("received", "已收到"),
    "completed": ("completed", "已完成"),
    "captured": ("charged", "已扣款"),
    "failed": ("failed", "失败"),
    "processing": ("being processed", "处理中"),
}
# A refund's or return's own states read differently from an order's.
PROCESS_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("being processed", "正在处理"), "requested": ("requested", "已申请"),
    "received": ("received", "已收到"), "completed": ("completed", "已完成"), "failed": ("failed", "失败"),
}
# Keys whose values are sums of money.
MONEY_KEYS = ("amount", "total", "price", "fee", "refund_amount", "charged", "duplicate_amount")


def as_date(value: object) -> date | None:
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


def is_money_key(key: str) -> bool:
    return key in MONEY_KEYS or key.endswith(("_amount", "_price", "_fee"))


def spoken(key: str, value: str | int | float, language: Language) -> str:
    """One fact value as it should be said in `language`."""
    if isinstance(value, float | int) and not isinstance(value, bool) and is_money_key(key):
        return spoken_money(float(value), language)
    d = as_date(value)
    if d is not None:
        return spoken_date(d, language)
    if isinstance(value, str) and key.endswith("_status") and value in PROCESS_STATUSES:
        return PROCESS_STATUSES[value][1 if language == "zh" else 0]
    if isinstance(value, str) and (key == "status" or key.endswith("_status")) and value in STATUSES:
        return STATUSES[value][1 if language == "zh" else 0]
    return str(value)


def spoken_facts(facts: dict[str, str | int | float], language: Language) -> dict[str, str]:
    return {k: spoken(k, v, language) for k, v in facts.items()}
