"""What the assistant can do in the shop, by intent name: `ACTIONS[intent](shop, state, slots, language)`.

Every action checks what it must (the caller's verification, the order's state, the return window)
in code, changes the database in one transaction, and says what happened in `ActionResult.facts`.
Intents with no action here (greeting, goodbye, affirm, deny, out_of_scope) are the agent's alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

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
    """The order a misheard number stands for. Spoken digit strings lose or gain a digit in recognition
    ("一零零二八" -> "1028", "one zero zero zero three" -> "100003"): when the number is no order but exactly
    one order is a single digit away (dropped, added or changed; the caller's own orders first), that one is
    meant. Verification still applies to it like to any number the caller says."""
    if shop.order(number) is not None or not number.isdigit():
        return number
    digits = "0123456789"
    edits = {number[:i] + number[i + 1:] for i in range(len(number))}
    edits |= {number[:i] + d + number[i:] for i in range(len(number) + 1) for d in digits}
    edits |= {number[:i] + d + number[i + 1:] for i in range(len(number)) for d in digits}
    near = edits & shop.order_numbers()
    if customer_id is not None:
        near = (near & {o["number"] for o in shop.orders_of(customer_id)}) or near
    return near.pop() if len(near) == 1 else number
