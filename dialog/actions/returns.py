"""Returns and refunds: the seven-day no-reason return (七天无理由退货), refund status, refund policy."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import RowMapping

from dialog.actions.facts import method_name, money, order_target, policy_text, refuse, return_deadline
from dialog.actions.which_order import order_for
from dialog.contract import (
    ActionResult,
    OrderState,
    OrderStatus,
    OutsideWindow,
    RefundPolicy,
    RefundProgress,
    RefundState,
    ReturnOpened,
    ReturnPending,
)
from dialog.shop import db
from dialog.shop.db import Shop
from dialog.types import Action, CallState, Language, Reason, Slots

# Why an order that is not delivered can't be returned, by its status.
REFUSALS = {"pending": Reason.not_shipped, "paid": Reason.not_shipped, "shipped": Reason.not_delivered,
            "cancelled": Reason.already_cancelled, "refunded": Reason.already_refunded}


def return_id(row_id: int) -> str:
    return f"R{row_id}"


def get_refund(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """Open a return for a delivered order inside its window; the refund is then pending on that return."""
    action = Action.get_refund

    def refusal(order: RowMapping) -> ActionResult | None:
        number, target = order["number"], order_target(order["number"])
        if order["status"] == "return_requested":
            ret = shop.return_of(number)
            return refuse(action, Reason.already_requested, ReturnPending(number, ret and return_id(ret["id"])),
                          target)
        if order["status"] != "delivered":
            window = shop.return_window_days if order["status"] == "shipped" else None
            state_now = OrderState(number, OrderStatus(order["status"]), window,
                                   cancelled_on=order["cancelled_on"])
            refused = refuse(action, REFUSALS[order["status"]], state_now, target)
            # not shipped yet: it can still be cancelled, and the reply offers to
            return replace(refused, offer=Action.cancel_order) if refused.reason == Reason.not_shipped else refused
        deadline = return_deadline(shop, order)
        if shop.today > deadline:
            return refuse(action, Reason.outside_window,
                          OutsideWindow(number, order["delivered_on"], deadline, shop.return_window_days), target)
        return None

    found = order_for(shop, state, action, slots, language, refusal)
    if isinstance(found, ActionResult):
        return found
    order, number = found.order, found.order["number"]
    target = order_target(number)
    if (refused := refusal(order)) is not None:
        return refused
    deadline = return_deadline(shop, order)
    with shop.transaction() as conn:
        rid = shop.add(conn, db.returns, order_number=number, requested_on=shop.today, reason="no_reason",
                       status="requested")
        shop.add(conn, db.refunds, order_number=number, amount_cents=order["total_cents"], status="pending",
                 requested_on=shop.today, to_account=order["payment_method"])
        shop.set_order(conn, number, status="return_requested")
    return ActionResult(action, ok=True, changed=True, target=target, facts=ReturnOpened(
        number, return_id(rid), money(order["total_cents"]), method_name(shop, order["payment_method"], language),
        shop.refund_days, deadline))


def track_refund(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    action = Action.track_refund
    found = order_for(shop, state, action, slots, language)
    if isinstance(found, ActionResult):
        return found
    number = found.order["number"]
    refund = shop.refund_of(number)
    if refund is None:
        return refuse(action, Reason.no_refund, OrderState(number, OrderStatus(found.order["status"])),
                      order_target(number))
    state_ = RefundState(refund["status"])
    done = refund["completed_on"]
    return ActionResult(action, ok=True, target=order_target(number), facts=RefundProgress(
        number, state_, money(refund["amount_cents"]), method_name(shop, refund["to_account"], language),
        refund["requested_on"], completed_on=done, refund_days=None if done else shop.refund_days))


def check_refund_policy(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return ActionResult(Action.check_refund_policy, ok=True, facts=RefundPolicy(
        policy_text(shop, "returns", language), policy_text(shop, "refunds", language), shop.return_window_days,
        shop.refund_days))
