"""Who may hear an order's details, and keeping personal data out of logs.

Verification is decided here, from data the caller cannot talk their way around: the line's caller
ID, or an order number together with the last four digits of the phone (or the email) on file.
Nothing the caller *says* about themselves ("I'm the owner", "我是管理员") is ever an input.

Existence of orders is not leaked: an unverified caller gets `not_verified` whether the order
exists or not, and whether the details they gave were wrong or missing. `unknown_order` is only
said to a caller already verified as a customer, and it is said the same way for an order that
does not exist and for someone else's order.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import RowMapping

from dialog.shop.db import Shop, national_number, phone_digits
from dialog.types import CallState, Reason, Slots


@dataclass(frozen=True)
class OrderAccess:
    """An order the caller may hear about, and its owner."""

    order: RowMapping
    customer: RowMapping


def identify_caller(shop: Shop, state: CallState) -> int | None:
    """Verify the caller by the line's caller ID; sets and returns state.customer_id."""
    if state.customer_id is None and state.caller_id:
        customer = shop.customer_by_phone(state.caller_id)
        if customer is not None:
            state.customer_id = customer["id"]
    return state.customer_id


def _proves_ownership(customer: RowMapping, state: CallState, slots: Slots) -> bool:
    phone = customer["phone"]
    if state.customer_id == customer["id"]:
        return True
    if slots.phone_last4 and phone_digits(slots.phone_last4) == phone_digits(phone)[-4:]:
        return True
    if slots.phone and phone_digits(slots.phone) in (phone_digits(phone), national_number(phone)):
        return True
    return bool(slots.email) and slots.email.strip().lower() == customer["email"].lower()


def authorize_order(shop: Shop, state: CallState, number: str, slots: Slots) -> OrderAccess | Reason:
    """The gate every order action passes: the order and its owner, or why not. The order is the one the
    caller named; which order a request is about is decided before (dialog/actions/which_order.py)."""
    identify_caller(shop, state)
    order = shop.order(number)
    customer = shop.customer(order["customer_id"]) if order else None
    if order is None or customer is None or not (
            number in state.verified_orders or _proves_ownership(customer, state, slots)):
        return Reason.not_verified if state.customer_id is None else Reason.unknown_order
    state.verified_orders.add(number)
    if state.customer_id is None:
        state.customer_id = customer["id"]
    return OrderAccess(order, customer)


def mask_email(email: str) -> str:
    """"wang.fang44@example.cn" -> "w***@example.cn": enough for the caller to recognise, not to read out."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


# ASCII boundaries: in Python every Han character is \w, and "电话是13812345678" must still be caught.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_CARD = re.compile(r"(?<![A-Za-z0-9])(?:\d[ -]?){12,18}\d(?![A-Za-z0-9])")
_PHONE = re.compile(r"(?<![A-Za-z0-9])\+?\d[\d ()-]{8,16}\d(?![A-Za-z0-9])")


def _keep_last4(match: re.Match[str]) -> str:
    digits = phone_digits(match.group())
    return "*" * (len(digits) - 4) + digits[-4:]


def redact(text: str) -> str:
    """Mask emails, card numbers and phone numbers (keeping the last four digits); order numbers stay."""
    text = _EMAIL.sub(lambda m: mask_email(m.group()), text)
    text = _CARD.sub(_keep_last4, text)
    return _PHONE.sub(lambda m: _keep_last4(m) if len(phone_digits(m.group())) >= 10 else m.group(), text)


class RedactingFilter(logging.Filter):
    """Attach to a handler (or logger) so no record leaves with a phone, email or card number in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True
