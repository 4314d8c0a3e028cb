"""Account help. Password recovery emails a reset link to the address on file; the link, the token and
the full address never reach the facts. Everything else is the shop's policy, or a ticket where a
person must act (deleting an account, after the caller confirmed it)."""

from __future__ import annotations

import secrets

from dialog.actions.facts import account_target, policy_result, policy_text, refuse
from dialog.actions.handoff import open_ticket
from dialog.contract import ActionResult, DeletionRequested, Newsletter, ResetLinkSent
from dialog.security import identify_caller, mask_email
from dialog.shop import db
from dialog.shop.db import Shop
from dialog.types import Action, CallState, Language, Reason, Slots


def recover_password(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    if identify_caller(shop, state) is None:
        return refuse(Action.recover_password, Reason.not_verified)
    customer = shop.customer(state.customer_id)
    with shop.transaction() as conn:
        shop.add(conn, db.password_resets, customer_id=customer["id"], token=secrets.token_urlsafe(32),
                 sent_to=customer["email"], created_at=shop.now())
    return ActionResult(Action.recover_password, ok=True, changed=True, target=account_target(customer["id"]),
                        facts=ResetLinkSent(mask_email(customer["email"])))


def delete_account(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """Deletion is irreversible, so a person does it, and only after the caller said yes to a read-back: the
    caller gets the policy and a ticket number. A caller not verified gets the policy alone."""
    action = Action.delete_account
    if identify_caller(shop, state) is None:
        return policy_result(shop, action, "account", language)
    target = account_target(state.customer_id)
    if not state.confirmed:  # the agent sets it when the caller says yes to this read-back
        return refuse(action, Reason.needs_confirmation, target=target)
    with shop.transaction() as conn:
        tid, _ = open_ticket(conn, shop, state, "account", "Caller asks to delete their account.")
    return ActionResult(action, ok=True, changed=True, ticket_id=tid, target=target,
                        facts=DeletionRequested(policy_text(shop, "account", language), tid))


def create_account(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, Action.create_account, "account", language)


def edit_account(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, Action.edit_account, "account", language)


def switch_account(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, Action.switch_account, "account", language)


def registration_problems(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    return policy_result(shop, Action.registration_problems, "registration", language)


def newsletter_subscription(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    subscribed = None
    if identify_caller(shop, state) is not None:
        subscribed = bool(shop.customer(state.customer_id)["newsletter"])
    return ActionResult(Action.newsletter_subscription, ok=True,
                        facts=Newsletter(policy_text(shop, "newsletter", language), subscribed))
