"""Turning rows into the facts a reply may state: ISO dates, amounts in yuan, names in the caller's language."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import RowMapping

from dialog.shop.db import Shop, to_yuan
from dialog.types import ActionResult, CallState, Language

Facts = dict[str, str | int | float]


def refuse(action: str, reason: str, **facts: str | int | float) -> ActionResult:
    return ActionResult(action, ok=False, reason=reason, facts=facts)


def iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def return_deadline(shop: Shop, order: RowMapping) -> date | None:
    """The last day of the seven-day no-reason return window, counted from delivery."""
    delivered = order["delivered_on"]
    return delivered + timedelta(days=shop.return_window_days) if delivered else None


def order_facts(shop: Shop, order: RowMapping, language: Language) -> Facts:
    facts: Facts = {"order_number": order["number"], "status": order["status"], "placed_on": iso(order["placed_on"]),
                    "total": to_yuan(order["total_cents"]), "currency": "CNY"}
    items = shop.order_items(order["number"])
    facts["item_count"] = sum(item["quantity"] for item in items)
    for i, item in enumerate(items, 1):
        facts[f"item_{i}"] = item["name_zh" if language == "zh" else "name_en"]
    if order["shipped_on"]:
        facts.update(carrier=order["carrier"], tracking_number=order["tracking_number"],
                     shipped_on=iso(order["shipped_on"]))
        if order["status"] == "shipped":
            facts["eta"] = iso(order["eta"])
    if order["delivered_on"]:
        facts.update(delivered_on=iso(order["delivered_on"]), return_deadline=iso(return_deadline(shop, order)))
    if order["cancelled_on"]:
        facts["cancelled_on"] = iso(order["cancelled_on"])
    return facts


def method_name(shop: Shop, code: str, language: Language) -> str:
    """A payment method as the caller knows it ("微信支付", "WeChat Pay"), for "refunded to your ..."."""
    row = next((m for m in shop.payment_methods() if m["code"] == code), None)
    return row["name_zh" if language == "zh" else "name_en"] if row else code


def last_caller_text(state: CallState) -> str:
    """What the caller said last (the question product and complaint actions work on)."""
    return next((text for who, text in reversed(state.history) if who == "caller"), "")


def policy_result(shop: Shop, action: str, key: str, language: Language, **facts: str | int | float) -> ActionResult:
    """A policy answer: the shop's own text in the caller's language, and any figures alongside."""
    return ActionResult(action, ok=True, facts={"policy": shop.policy(key, language) or "", **facts})
