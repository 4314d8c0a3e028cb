"""Order actions: track, cancel (before shipment), change the delivery address (before shipment)."""

from __future__ import annotations

from sqlalchemy import update

from dialog.actions.facts import iso, method_name, order_facts, policy_result, refuse
from dialog.security import authorize_order, identify_caller
from dialog.shop import db
from dialog.shop.db import Shop, to_yuan
from dialog.types import ActionResult, CallState, Language, Slots

NOT_SHIPPED = ("pending", "paid")


def _not_changeable(action: str, status: str) -> ActionResult:
    return refuse(action, "already_cancelled" if status == "cancelled" else "already_shipped", status=status)


def track_order(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    access = authorize_order(shop, state, "track_order", slots)
    if isinstance(access, ActionResult):
        return access
    return ActionResult("track_order", ok=True, facts=order_facts(shop, access.order, language))


def cancel_order(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """Cancel and, if it was paid, refund every captured payment to the account it came from."""
    access = authorize_order(shop, state, "cancel_order", slots)
    if isinstance(access, ActionResult):
        return access
    order = access.order
    if order["status"] not in NOT_SHIPPED:
        return _not_changeable("cancel_order", order["status"])
    with shop.transaction() as conn:
        shop.set_order(conn, order["number"], status="cancelled", cancelled_on=shop.today)
        captured = [p for p in shop.payments(order["number"], conn) if p["status"] == "captured"]
        refund = sum(p["amount_cents"] for p in captured)
        if refund:
            conn.execute(update(db.payments).where(db.payments.c.id.in_([p["id"] for p in captured]))
                         .values(status="refunded"))
            shop.add(conn, db.refunds, order_number=order["number"], amount_cents=refund, status="pending",
                     requested_on=shop.today, to_account=order["payment_method"])
    facts = {"order_number": order["number"], "status": "cancelled", "cancelled_on": iso(shop.today),
             "refund_amount": to_yuan(refund), "currency": "CNY"}
    if refund:
        facts.update(refund_to=method_name(shop, order["payment_method"], language), refund_days="3-7")
    return ActionResult("cancel_order", ok=True, changed=True, facts=facts)


def change_shipping_address(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    access = authorize_order(shop, state, "change_shipping_address", slots)
    if isinstance(access, ActionResult):
        return access
    if not slots.address:
        return refuse("change_shipping_address", "missing_address")
    if access.order["status"] not in NOT_SHIPPED:
        return _not_changeable("change_shipping_address", access.order["status"])
    with shop.transaction() as conn:
        shop.set_order(conn, access.order["number"], address=slots.address)
    return ActionResult("change_shipping_address", ok=True, changed=True,
                        facts={"order_number": access.order["number"], "address": slots.address})


def set_up_shipping_address(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """The default address for future orders (orders already placed keep theirs)."""
    if identify_caller(shop, state) is None:
        return refuse("set_up_shipping_address", "not_verified")
    if not slots.address:
        return refuse("set_up_shipping_address", "missing_address")
    with shop.transaction() as conn:
        conn.execute(update(db.customers).where(db.customers.c.id == state.customer_id)
                     .values(address=slots.address))
    return ActionResult("set_up_shipping_address", ok=True, changed=True, facts={"address": slots.address})


def change_order(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, "change_order", "order_changes", language)


def check_cancellation_fee(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, "check_cancellation_fee", "cancellation", language, cancellation_fee=0.0,
                         currency="CNY")


def place_order(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, "place_order", "ordering", language)


def review(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, "review", "reviews", language)
