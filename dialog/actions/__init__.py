"""What the assistant can do in the shop, by intent name: `ACTIONS[intent](shop, state, slots, language)`.

Every action checks what it must (the caller's verification, the order's state, the return window)
in code, changes the database in one transaction, and says what happened in `ActionResult.facts`.
Intents with no action here (greeting, goodbye, affirm, deny, out_of_scope) are the agent's alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from rapidfuzz.distance import Levenshtein

from dialog.actions import account, handoff, invoices, orders, payments, products, returns, shipping
from dialog.shop.db import Shop
from dialog.types import ActionResult, CallState, Language, Slots

Action = Callable[[Shop, CallState, Slots, Language], ActionResult]

ACTIONS: dict[str, Action] = {
    "track_order": orders.track_order,
    "cancel_order": orders.cancel_order,
    "change_order": orders.change_order,
    "change_shipping_address": orders.change_shipping_address,
    "set_up_shipping_address": orders.set_up_shipping_address,
    "check_cancellation_fee": orders.check_cancellation_fee,
    "place_order": orders.place_order,
    "review": orders.review,
    "get_refund": returns.get_refund,
    "track_refund": returns.track_refund,
    "check_refund_policy": returns.check_refund_policy,
    "check_invoice": invoices.check_invoice,
    "get_invoice": invoices.get_invoice,
    "check_payment_methods": payments.check_payment_methods,
    "payment_issue": payments.payment_issue,
    "delivery_options": shipping.delivery_options,
    "delivery_period": shipping.delivery_period,
    "recover_password": account.recover_password,
    "create_account": account.create_account,
    "delete_account": account.delete_account,
    "edit_account": account.edit_account,
    "switch_account": account.switch_account,
    "registration_problems": account.registration_problems,
    "newsletter_subscription": account.newsletter_subscription,
    "complaint": handoff.complaint,
    "contact_human_agent": handoff.contact_human_agent,
    "contact_customer_service": handoff.contact_customer_service,
    "product_question": products.product_question,
    "recommend_product": products.recommend_product,
}


def run(intent: str, shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult | None:
    """The intent's action, or None for intents the agent answers by itself."""
    action = ACTIONS.get(intent)
    if action is None:
        return None
    if slots.order_number:
        slots = replace(slots, order_number=heard_order(shop, slots.order_number, state.customer_id))
    return action(shop, state, slots, language)


def heard_order(shop: Shop, number: str, customer_id: int | None = None) -> str:
    """The order a misheard number stands for. Spoken digit strings lose, gain or swap digits in recognition
    ("一零零二八" -> "1028", "一零零零四" -> "10040", "one zero zero zero three" -> "100003"). When the number
    is no order: for a caller known by caller ID, the one of their own orders within two digit edits
    (closest, and only if unambiguous); for anyone else, the one order of the shop within a single edit.
    Verification still applies to whatever number results, like to any number the caller says."""
    if not number.isdigit() or shop.order(number) is not None:
        return number
    if customer_id is not None:
        mine = [o["number"] for o in shop.orders_of(customer_id)]
        return _closest(number, mine, 2) or number
    return _closest(number, shop.order_numbers(), 1) or number


def _closest(number: str, candidates: Iterable[str], most: int) -> str | None:
    scored = sorted((Levenshtein.distance(number, c), c) for c in candidates)
    scored = [(d, c) for d, c in scored if d <= most]
    if not scored or len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]
