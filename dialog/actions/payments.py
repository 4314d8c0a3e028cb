"""Payments: which methods we take, and problems with a charge (checked against the payment records)."""

from __future__ import annotations

from sqlalchemy import update

from dialog.actions.facts import policy_result
from dialog.actions.handoff import open_ticket
from dialog.security import authorize_order
from dialog.shop import db
from dialog.shop.db import Shop, to_yuan
from dialog.types import ActionResult, CallState, Language, Slots


def check_payment_methods(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    methods = {f"method_{i}": m["name_zh" if language == "zh" else "name_en"]
               for i, m in enumerate(shop.payment_methods(), 1)}
    return policy_result(shop, "check_payment_methods", "payments", language, **methods)


def payment_issue(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """A charge looks wrong: count the captured payments; extra ones are marked disputed and a ticket opened."""
    access = authorize_order(shop, state, "payment_issue", slots)
    if isinstance(access, ActionResult):
        return access
    order = access.order
    with shop.transaction() as conn:
        captured = [p for p in shop.payments(order["number"], conn) if p["status"] == "captured"]
        extra = captured[1:]
        if extra:
            conn.execute(update(db.payments).where(db.payments.c.id.in_([p["id"] for p in extra]))
                         .values(status="disputed"))
            summary = f"Order {order['number']} charged {len(captured)} times; extra charges marked disputed."
        else:
            summary = f"Order {order['number']}: caller reports a payment problem; {len(captured)} charge on record."
        tid, priority = open_ticket(conn, shop, state, "payment_issue", summary, order_number=order["number"],
                                    urgent=bool(extra))
    return ActionResult("payment_issue", ok=True, changed=True, ticket_id=tid, facts={
        "order_number": order["number"], "charges": len(captured),
        "charged_amount": to_yuan(sum(p["amount_cents"] for p in captured)), "order_total": to_yuan(
            order["total_cents"]), "currency": "CNY", "duplicate_charges": len(extra),
        "disputed_amount": to_yuan(sum(p["amount_cents"] for p in extra)), "ticket_id": tid, "priority": priority})
