"""Electronic invoices (电子发票): whether one was issued, and sending it to the email on file.

The address is only ever given masked ("w***@example.cn"): the caller recognises it, a listener cannot use it.
"""

from __future__ import annotations

from sqlalchemy import update

from dialog.actions.facts import iso, refuse
from dialog.security import authorize_order, mask_email
from dialog.shop import db
from dialog.shop.db import Shop
from dialog.types import ActionResult, CallState, Language, Slots


def check_invoice(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    access = authorize_order(shop, state, "check_invoice", slots)
    if isinstance(access, ActionResult):
        return access
    invoice = shop.invoice_of(access.order["number"])
    if invoice is None:
        return refuse("check_invoice", "no_invoice", order_number=access.order["number"],
                      status=access.order["status"])
    facts = {"order_number": access.order["number"], "issued_on": iso(invoice["issued_on"]),
             "sent": "yes" if invoice["sent_to"] else "no"}
    if invoice["sent_to"]:
        facts.update(sent_on=iso(invoice["sent_on"]), email=mask_email(invoice["sent_to"]))
    return ActionResult("check_invoice", ok=True, facts=facts)


def get_invoice(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """(Re)send the invoice to the customer's email on file; never to an address said on the phone."""
    access = authorize_order(shop, state, "get_invoice", slots)
    if isinstance(access, ActionResult):
        return access
    invoice = shop.invoice_of(access.order["number"])
    if invoice is None:
        return refuse("get_invoice", "no_invoice", order_number=access.order["number"], status=access.order["status"])
    email = access.customer["email"]
    with shop.transaction() as conn:
        conn.execute(update(db.invoices).where(db.invoices.c.id == invoice["id"])
                     .values(sent_to=email, sent_on=shop.today))
    return ActionResult("get_invoice", ok=True, changed=True, facts={
        "order_number": access.order["number"], "email": mask_email(email), "sent_on": iso(shop.today)})
