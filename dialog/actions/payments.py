"""Payments: which methods we take, and problems with a charge (checked against the payment records)."""

from __future__ import annotations

from sqlalchemy import update

from dialog.actions.facts import method_name, money, order_target, policy_text
from dialog.actions.handoff import open_ticket
from dialog.actions.which_order import order_for
from dialog.contract import ActionResult, PaymentChecked, PaymentMethods
from dialog.shop import db
from dialog.shop.db import Shop
from dialog.types import Action, CallState, Language, Slots


def check_payment_methods(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    methods = tuple(m["name_zh" if language == "zh" else "name_en"] for m in shop.payment_methods())
    return ActionResult(Action.check_payment_methods, ok=True,
                        facts=PaymentMethods(policy_text(shop, "payments", language), methods))


def payment_issue(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """A charge looks wrong: count the captured payments; extra ones are marked disputed and a ticket opened."""
    action = Action.payment_issue
    found = order_for(shop, state, action, slots, language)
    if isinstance(found, ActionResult):
        return found
    order = found.order
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
    disputed = sum(p["amount_cents"] for p in extra)
    return ActionResult(action, ok=True, changed=True, ticket_id=tid, target=order_target(order["number"]),
                        facts=PaymentChecked(
                            order["number"], len(captured), money(sum(p["amount_cents"] for p in captured)),
                            money(order["total_cents"]), len(extra), tid, priority,
                            money(disputed) if extra else None, shop.refund_days if extra else None,
                            method_name(shop, extra[0]["method"], language) if extra else None))
