"""Delivery options and times, from the shop's shipping methods (never from the model's imagination)."""

from __future__ import annotations

from dialog.actions.facts import Facts, iso, policy_result
from dialog.security import authorize_order
from dialog.shop.db import Shop, to_yuan
from dialog.types import ActionResult, CallState, Language, Slots


def _options(shop: Shop, language: Language) -> Facts:
    facts: Facts = {"currency": "CNY"}
    for i, m in enumerate(shop.shipping_methods(), 1):
        facts[f"option_{i}"] = m["name_zh" if language == "zh" else "name_en"]
        facts[f"option_{i}_days"] = f"{m['days_min']}-{m['days_max']}"
        facts[f"option_{i}_cost"] = to_yuan(m["cost_cents"])
        if m["free_over_cents"]:
            facts[f"option_{i}_free_over"] = to_yuan(m["free_over_cents"])
    return facts


def delivery_options(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, "delivery_options", "shipping", language, **_options(shop, language))


def delivery_period(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """Times in general; with a verified, shipped order also its expected delivery date."""
    facts = _options(shop, language)
    if slots.order_number:
        access = authorize_order(shop, state, "delivery_period", slots)
        if isinstance(access, ActionResult):
            return access
        facts.update(order_number=access.order["number"], status=access.order["status"])
        if access.order["status"] == "shipped":
            facts["eta"] = iso(access.order["eta"])
    return policy_result(shop, "delivery_period", "shipping", language, **facts)
