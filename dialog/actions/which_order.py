"""Which order a request is about, decided before any action touches one. A change is never run on a guess.

- The caller named the order (any spoken form; a misheard number is matched to the nearest order, see
  `heard_order`): that order, once verification allows. A change runs only on an order in
  `state.named_orders` (the agent adds each number the caller says, and each read-back they confirm): a
  number that had to be matched, or one carried over from earlier in the call, is read back first
  ("Did you mean order 10046, the air fryer from November 20?").
- No number: the caller's newest order with the product they named in it ("the one with the robot vacuum"),
  else their latest order. A read-only question (tracking, invoices) may use it, and the reply says which
  one; a change reads that order back and waits for a yes ("Your most recent order is
  10046 ... Shall I cancel it?"). A "yes" adds it to `state.named_orders`, and the change runs once.
- A change that could not run on that order anyway (it has shipped, it was cancelled, its return window
  closed: the action's own `refusal`) is refused with its reason at once, naming the order, instead of
  being read back: nothing is changed either way, and the caller is not asked to confirm something
  that cannot be done.
- Anyone not yet verified is asked to verify (nothing is read back to them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from rapidfuzz.distance import Levenshtein
from sqlalchemy import RowMapping

from dialog.actions.facts import order_brief, order_target, recent_orders, refuse
from dialog.contract import ActionResult, ConfirmOrder, UnknownOrder
from dialog.security import OrderAccess, authorize_order, identify_caller, unverified
from dialog.shop.db import Shop
from dialog.types import CHANGES, Action, CallState, Language, Reason, Slots


@dataclass(frozen=True)
class OrderInQuestion:
    order: RowMapping
    customer: RowMapping
    latest: bool = False  # no number was given: the caller's latest order (read-only requests only)


def order_for(shop: Shop, state: CallState, action: Action, slots: Slots, language: Language,
              refusal: Callable[[RowMapping], ActionResult | None] | None = None) -> OrderInQuestion | ActionResult:
    """The order this request is about, or the refusal or question to answer instead. `refusal` is a change's
    own check of the order (why it cannot be done, or None), run before a read-back."""
    change = action in CHANGES
    identify_caller(shop, state)
    said = slots.order_number
    if not said:
        if state.customer_id is None:
            return refuse(action, unverified(shop, state))
        mine = shop.orders_of(state.customer_id)
        if not mine:
            return refuse(action, Reason.no_orders)
        described = order_with(shop, mine, slots.product) if slots.product else None
        number, latest = (described, False) if described else (mine[0]["number"], True)
    else:
        number, latest = heard_order(shop, said, state.customer_id, slots.product), False
    access = authorize_order(shop, state, number, replace(slots, order_number=number))
    if not isinstance(access, OrderAccess):
        if access == Reason.unknown_order:
            return refuse(action, Reason.unknown_order, UnknownOrder(said or number,
                                                                    recent_orders(shop, state.customer_id, language)))
        return refuse(action, access)
    if change and number not in state.named_orders:  # the latest order, or a misheard number's nearest match
        refused = refusal(access.order) if refusal is not None else None
        if refused is not None:
            return refused
        brief = order_brief(shop, access.order, language)
        return refuse(action, Reason.needs_confirmation, ConfirmOrder(brief, latest=latest), order_target(number))
    return OrderInQuestion(access.order, access.customer, latest)


def order_with(shop: Shop, orders: list[RowMapping], sku: str) -> str | None:
    """The newest of these orders with this product in it ("the one with the robot vacuum"), or None."""
    return next((o["number"] for o in orders if _has(shop, o["number"], sku)), None)


def _has(shop: Shop, number: str, sku: str) -> bool:
    return any(i["sku"] == sku for i in shop.order_items(number))


def heard_order(shop: Shop, number: str, customer_id: int | None = None, product: str | None = None) -> str:
    """The order a misheard number stands for. Spoken digit strings lose, gain or swap digits in recognition
    ("一零零二八" -> "1028", "一零零零四" -> "10040", "one zero zero zero three" -> "100003"). When the number
    is no order: for a caller known by caller ID, the one of their own orders within two digit edits
    (closest, and only if unambiguous; of two equally close, the one with the `product` the caller named in
    it: "the desk lamp from order 1007" is 10007, not 10074); for anyone else, the one order of the shop
    within a single edit. Verification still applies to whatever number results, like to any number the
    caller says."""
    if not number.isdigit() or shop.order(number) is not None:
        return number
    if customer_id is not None:
        mine = [o["number"] for o in shop.orders_of(customer_id)]
        with_it = (lambda n: _has(shop, n, product)) if product else None
        return _closest(number, mine, 2, with_it) or number
    return _closest(number, shop.order_numbers(), 1) or number


def _closest(number: str, candidates: Iterable[str], most: int, prefer: Callable[[str], bool] | None = None
             ) -> str | None:
    """The one candidate closest to `number` (at most `most` edits); of several equally close, the one
    `prefer` picks if it picks exactly one; else None."""
    scored = sorted((Levenshtein.distance(number, c), c) for c in candidates)
    best = [c for d, c in scored if d <= most and d == scored[0][0]]
    if len(best) > 1 and prefer is not None:
        best = [c for c in best if prefer(c)]
    return best[0] if len(best) == 1 else None
