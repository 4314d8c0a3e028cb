"""Order actions: track, cancel (before shipment), change the delivery address (before shipment)."""

from __future__ import annotations

from sqlalchemy import RowMapping, update

from dialog.actions.facts import (
    account_target,
    method_name,
    money,
    order_details,
    order_target,
    policy_result,
    policy_text,
    refuse,
)
from dialog.actions.which_order import order_for
from dialog.contract import (
    ActionResult,
    AddressChanged,
    CancellationFee,
    DefaultAddressSaved,
    Money,
    OrderCancelled,
    OrderRef,
    OrderState,
    OrderStatus,
)
from dialog.security import identify_caller
from dialog.shop import db
from dialog.shop.db import Shop
from dialog.types import Action, CallState, Language, Reason, Slots

NOT_SHIPPED = ("pending", "paid")


def not_changeable(shop: Shop, action: Action, order: dict) -> ActionResult:
    """Too late to change: cancelled, or it has left the warehouse (a return is the next step, if still possible)."""
    status = OrderStatus(order["status"])
    if status == OrderStatus.cancelled:
        return refuse(action, Reason.already_cancelled,
                      OrderState(order["number"], status, cancelled_on=order["cancelled_on"]),
                      order_target(order["number"]))
    window = shop.return_window_days if status in (OrderStatus.shipped, OrderStatus.delivered) else None
    return refuse(action, Reason.already_shipped, OrderState(order["number"], status, window),
                  order_target(order["number"]))


def track_order(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    found = order_for(shop, state, Action.track_order, slots, language)
    if isinstance(found, ActionResult):
        return found
    return ActionResult(Action.track_order, ok=True, facts=order_details(shop, found.order, language, found.latest),
                        target=order_target(found.order["number"]))


def cancel_order(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """Cancel and, if it was paid, refund every captured payment to the account it came from."""
    def refusal(order: RowMapping) -> ActionResult | None:
        return not_changeable(shop, Action.cancel_order, order) if order["status"] not in NOT_SHIPPED else None

    found = order_for(shop, state, Action.cancel_order, slots, language, refusal)
    if isinstance(found, ActionResult):
        return found
    order = found.order
    if (refused := refusal(order)) is not None:
        return refused
    with shop.transaction() as conn:
        shop.set_order(conn, order["number"], status="cancelled", cancelled_on=shop.today)
        captured = [p for p in shop.payments(order["number"], conn) if p["status"] == "captured"]
        refund = sum(p["amount_cents"] for p in captured)
        if refund:
            conn.execute(update(db.payments).where(db.payments.c.id.in_([p["id"] for p in captured]))
                         .values(status="refunded"))
            shop.add(conn, db.refunds, order_number=order["number"], amount_cents=refund, status="pending",
                     requested_on=shop.today, to_account=order["payment_method"])
    facts = OrderCancelled(order["number"], shop.today)
    if refund:
        facts = OrderCancelled(order["number"], shop.today, money(refund),
                               method_name(shop, order["payment_method"], language), shop.refund_days)
    return ActionResult(Action.cancel_order, ok=True, changed=True, facts=facts, target=order_target(order["number"]))


def change_shipping_address(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    action = Action.change_shipping_address
    def refusal(order: RowMapping) -> ActionResult | None:
        if order["status"] not in NOT_SHIPPED:
            return not_changeable(shop, action, order)
        if not slots.address:
            return refuse(action, Reason.missing_address, OrderRef(order["number"]), order_target(order["number"]))
        return None

    found = order_for(shop, state, action, slots, language, refusal)
    if isinstance(found, ActionResult):
        return found
    number = found.order["number"]
    if (refused := refusal(found.order)) is not None:
        return refused
    with shop.transaction() as conn:
        shop.set_order(conn, number, address=slots.address)
    return ActionResult(action, ok=True, changed=True, facts=AddressChanged(number, slots.address),
                        target=order_target(number))


def set_up_shipping_address(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """The default address for future orders (orders already placed keep theirs)."""
    action = Action.set_up_shipping_address
    if identify_caller(shop, state) is None:
        return refuse(action, Reason.not_verified)
    if not slots.address:
        return refuse(action, Reason.missing_address, target=account_target(state.customer_id))
    with shop.transaction() as conn:
        conn.execute(update(db.customers).where(db.customers.c.id == state.customer_id)
                     .values(address=slots.address))
    return ActionResult(action, ok=True, changed=True, facts=DefaultAddressSaved(slots.address),
                        target=account_target(state.customer_id))


def change_order(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, Action.change_order, "order_changes", language)


def check_cancellation_fee(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """The policy; asked about an order the caller named that can still be cancelled, the reply offers to."""
    facts = CancellationFee(policy_text(shop, "cancellation", language), Money(0))
    found = order_for(shop, state, Action.check_cancellation_fee, slots, language) if slots.order_number else None
    if found is None or isinstance(found, ActionResult) or found.order["status"] not in NOT_SHIPPED:
        return ActionResult(Action.check_cancellation_fee, ok=True, facts=facts)
    return ActionResult(Action.check_cancellation_fee, ok=True, facts=facts, offer=Action.cancel_order,
                        target=order_target(found.order["number"]))


def place_order(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, Action.place_order, "ordering", language)


def review(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, Action.review, "reviews", language)
