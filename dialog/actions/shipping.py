"""Delivery options and times, from the shop's shipping methods (never from the model's imagination)."""

from __future__ import annotations

from dialog.actions.facts import order_target, policy_text
from dialog.actions.which_order import order_for
from dialog.contract import ActionResult, DeliveryOptions, DeliveryTimes, OrderStatus
from dialog.shop.db import Shop
from dialog.types import Action, CallState, Language, Slots


def _options(shop: Shop, language: Language) -> tuple[str, ...]:
    return tuple(m["name_zh" if language == "zh" else "name_en"] for m in shop.shipping_methods())


def delivery_options(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return ActionResult(Action.delivery_options, ok=True,
                        facts=DeliveryOptions(policy_text(shop, "shipping", language), _options(shop, language)))


def delivery_period(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """Times in general; with a verified, shipped order also its expected delivery date."""
    policy = policy_text(shop, "shipping", language)
    if not slots.order_number:
        return ActionResult(Action.delivery_period, ok=True, facts=DeliveryTimes(policy))
    found = order_for(shop, state, Action.delivery_period, slots, language)
    if isinstance(found, ActionResult):
        return found
    order = found.order
    status = OrderStatus(order["status"])
    eta = order["eta"] if status == OrderStatus.shipped else None
    return ActionResult(Action.delivery_period, ok=True, target=order_target(order["number"]), facts=DeliveryTimes(
        policy, order["number"], status, eta, late=eta is not None and eta < shop.today))
