"""The contract from action to spoken reply, checked on every action's real output.

For every (action, outcome) the contract allows, a situation on the demo shop produces it for real
(a caller, an order in the right state, what they said); then, in both languages, the template reply
and the prompt must carry every fact the caller needs (the record's SAY fields), and every template
sentence must pass the reply check against that same result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from dialog.actions import handoff, run
from dialog.actions.facts import recent_orders
from dialog.contract import DONE, ActionResult, FaqAnswer, ProductInfo, Question, WhichOrder, all_outcomes
from dialog.generate.check import check_sentence
from dialog.generate.facts import spoken_facts
from dialog.generate.prompt import user_message
from dialog.generate.templates import template_reply
from dialog.nlu.clarify import clarifying_question
from dialog.shop import db
from dialog.shop.db import Shop
from dialog.types import Action, CallState, Slots
from tests.dialog.conftest import caller_id_of, caller_state

Order = dict[str, Any]
RECENT = "2026-11-21"  # delivered on or after this day: inside the 7-day return window on 2026-11-28


@dataclass(frozen=True)
class Situation:
    """Who calls about what: the order (a test on the shop's orders), the caller, what they named and said."""

    order: Callable[[Order], bool] | None = None
    caller: str = "owner"  # owner (by caller ID) | nobody (withheld) | other (another verified customer) | empty
    named: bool = True  # the caller says the order number
    slots: dict[str, Any] = field(default_factory=dict)
    said: str = ""
    confirmed: bool = False
    wrong_proofs: int = 0  # wrong last-four digits tried earlier in the call


def status(*states: str, when: Callable[[Order], bool] = lambda o: True) -> Callable[[Order], bool]:
    return lambda o: o["status"] in states and when(o)


ANY = status("shipped")
_ORDERS = json.loads((Path(__file__).parents[2] / "samples" / "shop" / "orders.json").read_text())


def latest(*states: str, when: Callable[[Order], bool] = lambda o: True) -> Callable[[Order], bool]:
    """The caller's most recent order (what a change without a number reads back), in one of `states`."""
    def test(o: Order) -> bool:
        theirs = [x for x in _ORDERS if x["customer_id"] == o["customer_id"]]
        return o["number"] == max(theirs, key=lambda x: (x["placed_on"], x["number"]))["number"] \
            and o["status"] in states and when(o)
    return test
DEFAULT_REFUSALS = {
    "not_verified": Situation(order=ANY, caller="nobody"),
    "unknown_order": Situation(order=ANY, caller="other"),
    "no_orders": Situation(caller="empty", named=False),
    "needs_confirmation": Situation(order=ANY, named=False),
    "verification_locked": Situation(order=ANY, caller="nobody", wrong_proofs=3, slots={"phone_last4": "0000"}),
}
SITUATIONS: dict[tuple[str, str], Situation] = {
    ("track_order", DONE): Situation(order=ANY),
    ("cancel_order", DONE): Situation(order=status("paid")),
    ("cancel_order", "already_shipped"): Situation(order=status("shipped")),
    ("cancel_order", "already_cancelled"): Situation(order=status("cancelled")),
    ("change_shipping_address", DONE): Situation(order=status("paid"), slots={"address": "上海市静安区南京西路1号"}),
    ("change_shipping_address", "missing_address"): Situation(order=status("paid")),
    ("change_shipping_address", "already_shipped"): Situation(order=status("delivered"), slots={"address": "9 Elm"}),
    ("change_shipping_address", "already_cancelled"): Situation(order=status("cancelled"), slots={"address": "9 Elm"}),
    ("set_up_shipping_address", DONE): Situation(slots={"address": "9 Hill Road"}),
    ("set_up_shipping_address", "not_verified"): Situation(caller="nobody", slots={"address": "9 Hill Road"}),
    ("set_up_shipping_address", "missing_address"): Situation(),
    ("get_refund", DONE): Situation(order=status("delivered", when=lambda o: o["delivered_on"] >= RECENT)),
    ("get_refund", "not_shipped"): Situation(order=status("paid")),
    ("get_refund", "not_delivered"): Situation(order=status("shipped")),
    ("get_refund", "already_cancelled"): Situation(order=status("cancelled")),
    ("get_refund", "already_requested"): Situation(order=status("return_requested")),
    ("get_refund", "already_refunded"): Situation(order=status("refunded")),
    ("get_refund", "outside_window"): Situation(order=status("delivered", when=lambda o: o["delivered_on"] < RECENT)),
    ("track_refund", DONE): Situation(order=status("refunded")),
    ("track_refund", "no_refund"): Situation(order=status("shipped")),
    ("check_invoice", DONE): Situation(order=status("delivered", when=lambda o: bool(o["invoice"]))),
    ("check_invoice", "no_invoice"): Situation(order=status("paid")),
    ("get_invoice", DONE): Situation(order=status("shipped", when=lambda o: bool(o["invoice"]))),
    ("get_invoice", "no_invoice"): Situation(order=status("paid")),
    ("payment_issue", DONE): Situation(order=status("paid", when=lambda o: len(o["payments"]) == 2)),
    ("delivery_period", DONE): Situation(order=status("shipped")),
    ("recover_password", DONE): Situation(),
    ("recover_password", "not_verified"): Situation(caller="nobody"),
    ("delete_account", DONE): Situation(confirmed=True),
    ("delete_account", "needs_confirmation"): Situation(),
    # a read-back is for a change that could run: the caller's latest order must be able to take it
    ("cancel_order", "needs_confirmation"): Situation(order=latest("paid"), named=False),
    ("change_shipping_address", "needs_confirmation"): Situation(order=latest("paid"), named=False,
                                                                 slots={"address": "9 Elm"}),
    ("get_refund", "needs_confirmation"): Situation(
        order=latest("delivered", when=lambda o: o["delivered_on"] >= RECENT), named=False),
    ("payment_issue", "needs_confirmation"): Situation(order=latest("paid"), named=False),
    ("complaint", DONE): Situation(said="The kettle arrived broken and nobody answered my email."),
    ("product_question", DONE): Situation(slots={"product": "SKU1022"}),
    ("product_question", "missing_question"): Situation(),
    ("product_question", "no_answer"): Situation(said="qwzx plmk vbnj"),
    ("recommend_product", DONE): Situation(),
    ("recommend_product", "no_profile"): Situation(caller="nobody"),
}
AGENTS_OWN = {Action.greeting, Action.goodbye, Action.out_of_scope, Action.clarify, Action.keep_as_is,
              Action.hear_out}


def produce(shop: Shop, shop_data: dict, action: Action, outcome: str, language: str) -> ActionResult:
    """The real result of `action` in the situation that should give `outcome`."""
    situation = SITUATIONS.get((action, outcome)) or DEFAULT_REFUSALS.get(outcome) or Situation()
    customers = shop_data["customers"]
    order = next((o for o in shop_data["orders"] if situation.order(o)), None) if situation.order else None
    owner = next(c for c in customers if c["id"] == order["customer_id"]) if order else \
        next(c for c in customers if c["orders"])
    caller = {"owner": owner, "nobody": None, "empty": None,
              "other": next(c for c in customers if c["id"] != owner["id"])}[situation.caller]
    state = caller_state(caller_id_of(caller) if caller else None, language, situation.said)
    if situation.caller == "empty":  # a verified customer with no orders yet
        with shop.transaction() as conn:
            shop.add(conn, db.customers, name="New Caller", tier="new", language=language, phone="+8613000000001",
                     email="new.caller@example.cn", address="", at_risk=False, newsletter=False)
        state = caller_state("13000000001", language)
    slots = Slots(**situation.slots)
    if order is not None and situation.named:
        slots = replace(slots, order_number=order["number"])
        state.named_orders.add(order["number"])
    state.confirmed = situation.confirmed
    for guess in range(situation.wrong_proofs):
        run(action, shop, state, replace(slots, phone_last4=f"{guess:04d}9"[-4:]), language)
    return own_result(shop, state, action, language) if action in AGENTS_OWN else \
        run(action, shop, state, slots, language) if action != Action.contact_human_agent else \
        handoff.contact_human_agent(shop, state, slots, language)


def own_result(shop: Shop, state: CallState, action: Action, language: str) -> ActionResult:
    """The agent's own outcomes, built the way dialog/agent.py builds them."""
    if action == Action.clarify:
        return ActionResult(action, True, Question(clarifying_question(language, ["cancel_order", "get_refund"])))
    if action == Action.keep_as_is:
        state.caller_id = state.caller_id or "13189326975"
        from dialog.security import identify_caller
        identify_caller(shop, state)
        return ActionResult(action, True, WhichOrder(recent_orders(shop, state.customer_id, language)))
    return ActionResult(action, True)


CASES = [(str(a), str(o)) for a, o in all_outcomes()] + [("product_question", "done:faq")]
SEARCHES = {("product_question", "no_answer"), ("product_question", "done:faq"), ("recommend_product", DONE),
            ("recommend_product", "no_profile")}  # these search the catalogue by meaning (the e5 model)
CASES = [pytest.param(*case, marks=pytest.mark.models) if case in SEARCHES else case for case in CASES]


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(("action", "outcome"), CASES)
def test_every_outcome_says_what_the_caller_needs(shop, shop_data, action, outcome, language):
    faq = outcome == "done:faq"
    if faq:
        SITUATIONS[("product_question", "faq")] = Situation(said="How do I return an item?" if language == "en"
                                                            else "怎么退货？")
        result = produce(shop, shop_data, Action.product_question, "faq", language)
        assert isinstance(result.facts, FaqAnswer)
    else:
        result = produce(shop, shop_data, Action(action), outcome, language)
        assert (str(result.action), str(result.outcome)) == (action, outcome), result
    if action == "product_question" and outcome == DONE:
        assert isinstance(result.facts, ProductInfo)
    reply = template_reply(result, language)
    text = ("" if language == "zh" else " ").join(reply)
    spoken = spoken_facts(result.facts, language)
    prompt = user_message(result, language, "caller")
    for name in result.facts.must_say():
        assert spoken[name] in text, f"{name}={spoken[name]!r} not in the reply {text!r}"
        assert spoken[name] in prompt, f"{name}={spoken[name]!r} not in the prompt {prompt!r}"
    if result.ticket_id:
        assert result.ticket_id in text
    for sentence in reply:
        assert check_sentence(sentence, result, language) == [], sentence
    if result.changed:
        assert result.target, "a change names what it ran on"


def test_every_outcome_has_a_situation_here():
    """A new outcome in the contract needs a situation above that produces it for real."""
    covered = set(SITUATIONS) | {(a, o) for a, o in all_outcomes() if o in DEFAULT_REFUSALS}
    missing = [(str(a), str(o)) for a, o in all_outcomes()
               if (a, o) not in covered and not (o == DONE and (a in AGENTS_OWN or a == Action.contact_human_agent
                                                                or not _needs_situation(a)))]
    assert missing == []


def _needs_situation(action: Action) -> bool:
    """Policy answers need none: any caller gets the same text."""
    from dialog.contract import DONE_FACTS, ShopPolicy

    return DONE_FACTS[action] != (ShopPolicy,) and action not in (
        Action.check_cancellation_fee, Action.check_refund_policy, Action.check_payment_methods,
        Action.delivery_options, Action.newsletter_subscription)
