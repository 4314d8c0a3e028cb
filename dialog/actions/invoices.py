"""Electronic invoices (电子发票): whether one was issued, and sending it to the email on file.

The address is only ever given masked ("w***@example.cn"): the caller recognises it, a listener cannot use it.
"""

from __future__ import annotations

from sqlalchemy import update

from dialog.actions.facts import order_target, refuse
from dialog.actions.which_order import order_for
from dialog.contract import ActionResult, InvoiceIssued, InvoiceSent, OrderState, OrderStatus
from dialog.security import mask_email
from dialog.shop import db
from dialog.shop.db import Shop
from dialog.types import Action, CallState, Language, Reason, Slots


def check_invoice(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    action = Action.check_invoice
    found = order_for(shop, state, action, slots, language)
    if isinstance(found, ActionResult):
        return found
    number = found.order["number"]
    invoice = shop.invoice_of(number)
    if invoice is None:
        return refuse(action, Reason.no_invoice, OrderState(number, OrderStatus(found.order["status"])),
                      order_target(number))
    sent = invoice["sent_to"]
    return ActionResult(action, ok=True, target=order_target(number), offer=None if sent else Action.get_invoice,
                        facts=InvoiceIssued(
        number, invoice["issued_on"], invoice["sent_on"] if sent else None, mask_email(sent) if sent else None))


def get_invoice(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """(Re)send the invoice to the customer's email on file; never to an address said on the phone."""
    action = Action.get_invoice
    found = order_for(shop, state, action, slots, language)
    if isinstance(found, ActionResult):
        return found
    number = found.order["number"]
    invoice = shop.invoice_of(number)
    if invoice is None:
        return refuse(action, Reason.no_invoice, OrderState(number, OrderStatus(found.order["status"])),
                      order_target(number))
    email = found.customer["email"]
    with shop.transaction() as conn:
        conn.execute(update(db.invoices).where(db.invoices.c.id == invoice["id"])
                     .values(sent_to=email, sent_on=shop.today))
    return ActionResult(action, ok=True, changed=True, target=order_target(number),
                        facts=InvoiceSent(number, mask_email(email), shop.today,
                                          account_only=bool(slots.email) and slots.email.lower() != email.lower()))
