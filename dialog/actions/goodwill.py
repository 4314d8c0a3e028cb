"""Goodwill: a voucher for a VIP or at-risk customer the shop let down, where policy allows, once a call."""

from __future__ import annotations

from dialog.contract import Money
from dialog.shop import db
from dialog.shop.db import Shop, to_yuan
from dialog.types import CallState


def grant_voucher(shop: Shop, state: CallState, reason: str) -> Money | None:
    """Give the verified caller a voucher (one transaction) and return its value to say; None when not allowed."""
    if state.customer_id is None or state.goodwill_given or shop.goodwill_voucher_cents <= 0:
        return None
    with shop.transaction() as conn:
        shop.add(conn, db.vouchers, customer_id=state.customer_id, amount_cents=shop.goodwill_voucher_cents,
                 reason=reason, call_id=state.call_id, created_at=shop.now())
    state.goodwill_given = True
    return Money(to_yuan(shop.goodwill_voucher_cents))
