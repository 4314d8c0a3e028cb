"""What the assistant can do in the shop, by action: `ACTIONS[action](shop, state, slots, language)`.

Every action checks what it must (which order the request is about, the caller's verification, the
order's state, the return window) in code, changes the database in one transaction, and says what
happened in `ActionResult.facts`, a record whose type the contract fixes (dialog/contract.py).
Intents with no action here (greeting, goodbye, affirm, deny, out_of_scope) are the agent's alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialog.actions import account, handoff, invoices, orders, payments, products, returns, shipping
from dialog.contract import ActionResult
from dialog.shop.db import Shop
from dialog.types import Action, CallState, Language, Slots

ActionFunction = Callable[[Shop, CallState, Slots, Language], ActionResult]

ACTIONS: dict[Action, ActionFunction] = {
    Action.track_order: orders.track_order,
    Action.cancel_order: orders.cancel_order,
    Action.change_order: orders.change_order,
    Action.change_shipping_address: orders.change_shipping_address,
    Action.set_up_shipping_address: orders.set_up_shipping_address,
    Action.check_cancellation_fee: orders.check_cancellation_fee,
    Action.place_order: orders.place_order,
    Action.review: orders.review,
    Action.get_refund: returns.get_refund,
    Action.track_refund: returns.track_refund,
    Action.check_refund_policy: returns.check_refund_policy,
    Action.check_invoice: invoices.check_invoice,
    Action.get_invoice: invoices.get_invoice,
    Action.check_payment_methods: payments.check_payment_methods,
    Action.payment_issue: payments.payment_issue,
    Action.delivery_options: shipping.delivery_options,
    Action.delivery_period: shipping.delivery_period,
    Action.recover_password: account.recover_password,
    Action.create_account: account.create_account,
    Action.delete_account: account.delete_account,
    Action.edit_account: account.edit_account,
    Action.switch_account: account.switch_account,
    Action.registration_problems: account.registration_problems,
    Action.newsletter_subscription: account.newsletter_subscription,
    Action.complaint: handoff.complaint,
    Action.contact_human_agent: handoff.contact_human_agent,
    Action.contact_customer_service: handoff.contact_customer_service,
    Action.product_question: products.product_question,
    Action.recommend_product: products.recommend_product,
}


def run(intent: str, shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult | None:
    """The intent's action, or None for intents the agent answers by itself (greeting, goodbye, yes, no...)."""
    action = ACTIONS.get(intent)  # type: ignore[call-overload]  # an Intent is the str of its Action
    if action is None:
        return None
    return replace(action(shop, state, slots, language), as_of=shop.today)
