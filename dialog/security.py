"""Who may hear an order's details, and keeping personal data out of logs and records.

Verification is decided here, from data the caller cannot talk their way around: the caller ID of a
line the operator trusts (the session passes it only then), or an order number together with the last
four digits of the phone (or the phone, or the email) on file. Nothing the caller *says* about
themselves ("I'm the owner", "我是管理员") is ever an input.

Existence of orders is not leaked: an unverified caller gets `not_verified` whether the order
exists or not, and whether the details they gave were wrong or missing. `unknown_order` is only
said to a caller already verified as a customer, and it is said the same way for an order that
does not exist and for someone else's order.

Guessing is stopped: every proof tried is recorded (`verification_attempts`, hashed), and after
`LIMITS.per_call` wrong ones in a call, `LIMITS.per_number` from one trusted number or
`LIMITS.per_order` against one order within `LIMITS.cooldown`, the caller gets `verification_locked`
(the agent offers a person) even if the next guess would be right.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping, func, insert, select
from sqlalchemy.engine import Engine

from dialog.shop.db import Shop, national_number, phone_digits, verification_attempts
from dialog.types import CallState, Reason, Slots


@dataclass(frozen=True)
class VerificationLimits:
    """How many wrong proofs of identity, where, before verification stops being offered."""

    per_call: int = 3  # then this call is handed to a person for the rest of it
    per_number: int = 5  # from one trusted caller number, across calls, within the cool-down
    per_order: int = 5  # against one order number, across calls (untrusted lines rotate numbers)
    cooldown: timedelta = timedelta(minutes=30)


LIMITS = VerificationLimits()
_READY: weakref.WeakSet[Engine] = weakref.WeakSet()  # shop databases whose attempts table exists


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
    caller named; which order a request is about is decided before (dialog/actions/which_order.py).
    A proof of identity (last four digits, phone, email) is counted; past the limits it is not even
    checked (`verification_locked`)."""
    identify_caller(shop, state)
    order = shop.order(number)
    customer = shop.customer(order["customer_id"]) if order else None
    known = customer is not None and (number in state.verified_orders or state.customer_id == customer["id"])
    proof = _proof(slots)
    if not known and proof is not None:
        if verification_locked(shop, state, number):
            return Reason.verification_locked
        known = customer is not None and _proves_ownership(customer, state, slots)
        _record_attempt(shop, state, number, proof, known)
    if order is None or customer is None or not known:
        return unverified(shop, state, number) if state.customer_id is None else Reason.unknown_order
    state.verified_orders.add(number)
    if state.customer_id is None:
        state.customer_id = customer["id"]
    return OrderAccess(order, customer)


def unverified(shop: Shop, state: CallState, number: str | None = None) -> Reason:
    """The refusal for a caller not (yet) verified: once locked, verification is not asked for again."""
    return Reason.verification_locked if verification_locked(shop, state, number) else Reason.not_verified


# --- counting what callers try ----------------------------------------------------------------
def salted_hash(shop: Shop, text: str) -> str:
    """A stable, salted stand-in for a value that must be matched but not read (a number, a guess)."""
    return hmac.new(shop.hash_salt, text.encode(), hashlib.sha256).hexdigest()[:32]


def _proof(slots: Slots) -> str | None:
    """What the caller offered as proof of identity this turn, normalised; None when nothing."""
    parts = [slots.phone_last4 and phone_digits(slots.phone_last4), slots.phone and phone_digits(slots.phone),
             slots.email and slots.email.strip().lower()]
    return "|".join(p or "" for p in parts) if any(parts) else None


def _attempts(shop: Shop) -> Engine:
    """The shop's engine, with the attempts table created on databases seeded before it existed."""
    if shop.engine not in _READY:
        verification_attempts.create(shop.engine, checkfirst=True)
        _READY.add(shop.engine)
    return shop.engine


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _failures(shop: Shop, where: Any, since: datetime | None = None) -> int:
    query = select(func.count()).select_from(verification_attempts).where(where, ~verification_attempts.c.ok)
    if since is not None:
        query = query.where(verification_attempts.c.at >= since)
    with _attempts(shop).connect() as db:
        return int(db.execute(query).scalar_one())


def verification_locked(shop: Shop, state: CallState, order_number: str | None = None) -> bool:
    """Too many wrong proofs: in this call, from this trusted number, or against this order, lately."""
    t = verification_attempts.c
    since = _now() - LIMITS.cooldown
    if _failures(shop, t.call_id == state.call_id) >= LIMITS.per_call:
        return True
    if state.caller_id and _failures(shop, t.caller == salted_hash(shop, phone_digits(state.caller_id)),
                                     since) >= LIMITS.per_number:
        return True
    return bool(order_number) and _failures(shop, t.order_number == order_number, since) >= LIMITS.per_order


def _record_attempt(shop: Shop, state: CallState, order_number: str, proof: str, ok: bool) -> None:
    """One row per distinct proof per call and order: a guess the caller repeats (or that waits in the
    pending slots) is one attempt, not several."""
    t, hashed = verification_attempts.c, salted_hash(shop, f"{order_number}|{proof}")
    with _attempts(shop).begin() as db:
        seen = db.execute(select(t.id).where(t.call_id == state.call_id, t.proof == hashed)).first()
        if seen is None:
            caller = salted_hash(shop, phone_digits(state.caller_id)) if state.caller_id else None
            db.execute(insert(verification_attempts).values(call_id=state.call_id, caller=caller,
                                                            order_number=order_number, proof=hashed, ok=ok, at=_now()))
    if not ok:
        logging.getLogger("voicedesk.security").info(
            "call %s: wrong proof of identity for order %s (%d in this call)", state.call_id, order_number,
            _failures(shop, t.call_id == state.call_id))


def mask_email(email: str) -> str:
    """"wang.fang44@example.cn" -> "w***@example.cn": enough for the caller to recognise, not to read out."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


# ASCII boundaries: in Python every Han character is \w, and "电话是13812345678" must still be caught.
# Digit groups as the recogniser writes them: "4111 1111", "4111-1111", "4,111,111,111,111,111", "415.555.0123".
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SEP = r"(?:[ ,.-]|, )?"
_CARD = re.compile(rf"(?<![A-Za-z0-9])(?:\d{_SEP}){{12,18}}\d(?![A-Za-z0-9]|[.,]\d)")
_PHONE = re.compile(r"(?<![A-Za-z0-9])\+?\(?\d[\d ().,-]{8,18}\d(?![A-Za-z0-9]|[.,]\d)")
_HAN_DIGITS = "零〇一二三四五六七八九幺两"
_HAN_NUMBER = re.compile(rf"[{_HAN_DIGITS}](?:[ ，,、-]?[{_HAN_DIGITS}]){{9,18}}")  # a phone or card read as words
_ADDRESS_ZH = re.compile(r"(?:[\u4e00-\u9fff]{1,8}?(?:省|市|区|县|镇))*[\u4e00-\u9fff]{1,12}?(?:路|街|大道|巷|弄)"
                         r"\s*\d+\s*号(?:[\u4e00-\u9fff\d]{0,12}?(?:栋|幢|单元|楼|层|室))*")
_ADDRESS_EN = re.compile(r"(?<![A-Za-z0-9])\d{1,5},?\s+(?:[A-Z][A-Za-z]*\.?\s+){1,4}"
                         r"(?i:road|rd|street|st|avenue|ave|lane|ln|boulevard|blvd|drive|dr|way|court|ct|place|pl)\b\.?")
_ADDRESS_US = re.compile(r"(?<![A-Za-z0-9])\d{1,5}\s+[A-Z][\w .'-]{1,40}?,\s*[A-Z][A-Za-z .]{1,30},\s*[A-Z]{2}"
                         r"\s+\d{5}(?:-\d{4})?(?!\d)")  # "400 Broadway, New York, NY 10013"
_LAST4 = re.compile(r"((?i:last\s+(?:four|4)(?:\s+digits)?(?:\s+(?:are|is))?)[\s:,]*|后四位[是为:：]?\s*)(\d{4})(?!\d)")
ADDRESS_MASK = "[address]"
_ADDRESS_CUE_ZH = re.compile(r".*(?:地址|改成|改为|换成|寄到|送到|发到|寄给|是|到|在|住)")  # Han text has no word
# boundaries: the match may start at the words before the address ("地址改成深圳市..."), which are kept


def _mask_zh_address(match: re.Match[str]) -> str:
    cue = _ADDRESS_CUE_ZH.match(match.group())
    kept = cue.group() if cue and not re.search(r"[路街巷弄]|大道", cue.group()) else ""
    return kept + ADDRESS_MASK


def _order_numbers(text: str) -> bool:
    """"10023, 10024 and 10025" or "10023 10024": a list of order numbers (five digits each), not a phone."""
    groups = re.findall(r"\d+", text)
    return len(groups) > 1 and all(len(g) == 5 for g in groups)


def _keep_last4(match: re.Match[str]) -> str:
    if _order_numbers(match.group()):
        return match.group()
    digits = phone_digits(match.group())
    return "*" * (len(digits) - 4) + digits[-4:]


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    if len(phone_digits(text)) < 10 or re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return text  # short numbers, and amounts ("1,299,000.50") are not phone numbers
    return _keep_last4(match)


def redact(text: str) -> str:
    """Mask emails, card numbers, phone numbers (keeping the last four digits) and street addresses; order
    numbers, tracking numbers, dates and amounts stay."""
    text = _EMAIL.sub(lambda m: mask_email(m.group()), text)
    text = _ADDRESS_ZH.sub(_mask_zh_address, text)
    text = _ADDRESS_US.sub(ADDRESS_MASK, text)
    text = _ADDRESS_EN.sub(ADDRESS_MASK, text)
    text = _LAST4.sub(lambda m: m.group(1) + "****", text)  # a proof of identity is not kept either
    text = _CARD.sub(_keep_last4, text)
    text = _PHONE.sub(_phone, text)
    return _HAN_NUMBER.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], text)


_PERSONAL_SLOTS = {"phone": lambda v: redact(v) if len(phone_digits(v)) >= 10 else "*" * len(v),
                   "email": mask_email, "address": lambda v: ADDRESS_MASK, "phone_last4": lambda v: "****"}


def redact_record(record: Any) -> Any:
    """A call record (a turn, an event) as it may be stored: every string redacted, the slots' phone, email
    and address masked (QA keeps the last four digits and the masked email), and every address the record
    names (a slot, a fact) scrubbed from its free text too (the reply that read it back)."""
    addresses = {str(v) for k, v in _walk(record) if "address" in k and isinstance(v, str) and len(v) >= 4}

    def clean(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: clean(v, k) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v, key) for v in value]
        if not isinstance(value, str):
            return value
        if key in _PERSONAL_SLOTS:
            return _PERSONAL_SLOTS[key](value)
        if "address" in key:
            return ADDRESS_MASK
        for address in addresses:
            value = value.replace(address, ADDRESS_MASK)
        return redact(value)

    return clean(record)


def _walk(value: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [kv for k, v in value.items() for kv in _walk(v, str(k))]
    if isinstance(value, list | tuple):
        return [kv for v in value for kv in _walk(v, key)]
    return [(key, value)]


def redact_json(text: str) -> str:
    """`redact_record` for a stored JSON document."""
    return json.dumps(redact_record(json.loads(text)), ensure_ascii=False)


class RedactingFilter(logging.Filter):
    """Attach to a handler (or logger) so no record leaves with a phone, email or card number in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def install_log_redaction() -> None:
    """Redact every log record of the process as it is made, whichever logger makes it (ours, uvicorn's,
    a library's): a filter only sees records of the logger or handler it is attached to, and a call's
    caller ID or a caller's words can reach any of them. Idempotent."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacts", False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):  # its formatter needs the args
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
            return record
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string stays logging's own error to report
            return record
        record.msg, record.args = redact(message), None
        return record

    make.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)
