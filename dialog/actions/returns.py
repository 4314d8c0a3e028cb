"""Returns and refunds: the seven-day no-reason return (七天无理由退货), refund status, refund policy."""

from __future__ import annotations

from dialog.actions.facts import iso, method_name, policy_result, refuse, return_deadline
from dialog.security import authorize_order
from dialog.shop import db
from dialog.shop.db import Shop, to_yuan
from dialog.types import ActionResult, CallState, Language, Slots

REFUSALS = {"pending": "not_shipped", "paid": "not_shipped", "shipped": "not_delivered",
            "cancelled": "already_cancelled", "return_requested": "already_requested", "refunded": "already_refunded"}


def return_id(row_id: int) -> str:
    return f"R{row_id}"


def get_refund(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """Open a return for a delivered order inside its window; the refund is then pending on that return."""
    access = authorize_order(shop, state, "get_refund", slots)
    if isinstance(access, ActionResult):
        return access
    order = access.order
    if order["status"] != "delivered":
        facts = {"order_number": order["number"], "status": order["status"]}
        if order["status"] == "return_requested" and (ret := shop.return_of(order["number"])):
            facts["return_id"] = return_id(ret["id"])
        return refuse("get_refund", REFUSALS[order["status"]], **facts)
    deadline = return_deadline(shop, order)
    if shop.today > deadline:
        return refuse("get_refund", "outside_window", order_number=order["number"],
                      delivered_on=iso(order["delivered_on"]), return_deadline=iso(deadline))
    with shop.transaction() as conn:
        rid = shop.add(conn, db.returns, order_number=order["number"], requested_on=shop.today, reason="no_reason",
                       status="requested")
        shop.add(conn, db.refunds, order_number=order["number"], amount_cents=order["total_cents"], status="pending",
                 requested_on=shop.today, to_account=order["payment_method"])
        shop.set_order(conn, order["number"], status="return_requested")
    return ActionResult("get_refund", ok=True, changed=True, facts={
        "order_number": order["number"], "status": "return_requested", "return_id": return_id(rid),
        "refund_amount": to_yuan(order["total_cents"]), "currency": "CNY",
        "refund_to": method_name(shop, order["payment_method"], language),
        "refund_days": "3-7", "return_deadline": iso(deadline)})


def track_refund(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    access = authorize_order(shop, state, "track_refund", slots)
    if isinstance(access, ActionResult):
        return access
    refund = shop.refund_of(access.order["number"])
    if refund is None:
        return refuse("track_refund", "no_refund", order_number=access.order["number"],
                      status=access.order["status"])
    facts = {"order_number": access.order["number"], "refund_status": refund["status"],
             "refund_amount": to_yuan(refund["amount_cents"]), "currency": "CNY",
             "refund_to": method_name(shop, refund["to_account"], language),
             "requested_on": iso(refund["requested_on"])}
    if refund["completed_on"]:
        facts["completed_on"] = iso(refund["completed_on"])
    else:
        facts["refund_days"] = "3-7"
    return ActionResult("track_refund", ok=True, facts=facts)


def check_refund_policy(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    refunds = shop.policy("refunds", language) or ""
    return policy_result(shop, "check_refund_policy", "returns", language, refund_policy=refunds,
                         return_window_days=shop.return_window_days, refund_days="3-7")
