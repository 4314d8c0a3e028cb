"""Account help. Password recovery emails a reset link to the address on file; the link, the token and
the full address never reach the facts. Everything else is the shop's policy, or a ticket where a
person must act (deleting an account)."""

from __future__ import annotations

import secrets

from dialog.actions.facts import policy_result, refuse
from dialog.actions.handoff import open_ticket
from dialog.security import identify_caller, mask_email
from dialog.shop import db
from dialog.shop.db import Shop
from dialog.types import ActionResult, CallState, Language, Slots


def recover_password(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    if identify_caller(shop, state) is None:
        return refuse("recover_password", "not_verified")
    customer = shop.customer(state.customer_id)
    with shop.transaction() as conn:
        shop.add(conn, db.password_resets, customer_id=customer["id"], token=secrets.token_urlsafe(32),
                 sent_to=customer["email"], created_at=shop.now())
    return ActionResult("recover_password", ok=True, changed=True,
                        facts={"reset_link_sent": "yes", "email": mask_email(customer["email"])})


def delete_account(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """Deletion is irreversible, so a person does it: the caller gets the policy and a ticket number."""
    if identify_caller(shop, state) is None:
        return policy_result(shop, "delete_account", "account", language)
    with shop.transaction() as conn:
        tid, priority = open_ticket(conn, shop, state, "account", "Caller asks to delete their account.")
    return ActionResult("delete_account", ok=True, changed=True, ticket_id=tid,
                        facts={"policy": shop.policy("account", language) or "", "ticket_id": tid})


def create_account(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, "create_account", "account", language)


def edit_account(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, "edit_account", "account", language)


def switch_account(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, "switch_account", "account", language)


def registration_problems(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, "registration_problems", "registration", language)


def newsletter_subscription(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    facts = {}
    if identify_caller(shop, state) is not None:
        facts["subscribed"] = "yes" if shop.customer(state.customer_id)["newsletter"] else "no"
    return policy_result(shop, "newsletter_subscription", "newsletter", language, **facts)
