"""Tickets for people: handing the call over, complaints, anything an action cannot settle alone.

VIP and at-risk customers (and anyone who sounds upset) get high priority. Transcripts are
stored redacted: the agent who picks the ticket up sees the customer record, not the caller's card number.
"""

from __future__ import annotations

from sqlalchemy import Connection, update

from dialog.actions.facts import account_target, last_caller_text, policy_result
from dialog.contract import ActionResult, ComplaintLogged, HandedOver
from dialog.security import identify_caller, redact
from dialog.shop import db
from dialog.shop.db import Shop, segment
from dialog.types import Action, CallState, Language, MoodLabel, Slots


def ticket_id(row_id: int) -> str:
    return f"T{row_id}"


def priority_for(shop: Shop, state: CallState, mood: MoodLabel, conn: Connection | None = None,
                 urgent: bool = False) -> str:
    customer = shop.customer(state.customer_id, conn) if state.customer_id is not None else None
    urgent = urgent or (customer is not None and segment(customer) in ("vip", "at_risk"))
    return "high" if urgent or mood == "negative" else "normal"


def transcript(state: CallState) -> str:
    return "\n".join(f"{who}: {redact(text)}" for who, text in state.history)


def open_ticket(conn: Connection, shop: Shop, state: CallState, kind: str, summary: str, mood: MoodLabel = "neutral",
                order_number: str | None = None, urgent: bool = False) -> tuple[str, str]:
    """Insert a ticket inside the caller's transaction; returns (ticket id, priority)."""
    priority = priority_for(shop, state, mood, conn, urgent)
    row = shop.add(conn, db.tickets, call_id=state.call_id, customer_id=state.customer_id, order_number=order_number,
                   kind=kind, priority=priority, summary=redact(summary), mood=mood, transcript=transcript(state),
                   created_at=shop.now(), status="open")
    return ticket_id(row), priority


def contact_human_agent(shop: Shop, state: CallState, slots: Slots, language: Language,
                        mood: MoodLabel = "neutral", summary: str | None = None,
                        complaint_ticket_id: str | None = None) -> ActionResult:
    """Hand the call to a person; the agent passes the mood it tracked and its own summary when it has them."""
    identify_caller(shop, state)
    order = slots.order_number if slots.order_number in state.verified_orders else None
    with shop.transaction() as conn:
        tid, priority = open_ticket(conn, shop, state, "handoff", summary or last_caller_text(state), mood, order)
    state.handed_off, state.ticket_id = True, tid
    return ActionResult(Action.contact_human_agent, ok=True, changed=True, handoff=True, ticket_id=tid,
                        target=account_target(state.customer_id),
                        facts=HandedOver(tid, priority, complaint_ticket_id))


def complaint(shop: Shop, state: CallState, slots: Slots, language: Language,
              mood: MoodLabel = "negative") -> ActionResult:
    """Log the complaint, mark the customer at risk, and open a ticket so someone follows it up."""
    identify_caller(shop, state)
    text = last_caller_text(state)
    order = slots.order_number if slots.order_number in state.verified_orders else None
    with shop.transaction() as conn:
        shop.add(conn, db.complaints, customer_id=state.customer_id, order_number=order, created_at=shop.now(),
                 language=language, text=redact(text))
        if state.customer_id is not None:
            conn.execute(update(db.customers).where(db.customers.c.id == state.customer_id).values(at_risk=True))
        tid, priority = open_ticket(conn, shop, state, "complaint", text, mood, order)
    state.ticket_id = tid
    return ActionResult(Action.complaint, ok=True, changed=True, ticket_id=tid,
                        target=account_target(state.customer_id), facts=ComplaintLogged(tid, priority))


def contact_customer_service(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, Action.contact_customer_service, "customer_service", language)
