"""Turning rows into the contract's facts records: dates, amounts in yuan, names in the caller's language."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import RowMapping

from dialog.contract import ActionResult, Facts, Money, NoFacts, OrderBrief, OrderDetails, OrderStatus, ShopPolicy
from dialog.shop.db import Shop, to_yuan
from dialog.types import Action, CallState, Language, Reason

RECENT_ORDERS = 3  # how many orders a caller is offered when the one they meant is unclear
HEARD_ORDERS = 6  # whose product names the recogniser is told to expect (`products_of`)


def refuse(action: Action, reason: Reason, facts: Facts | None = None, target: str | None = None) -> ActionResult:
    return ActionResult(action, ok=False, reason=reason, facts=facts or NoFacts(), target=target)


def money(cents: int) -> Money:
    return Money(to_yuan(cents))


def return_deadline(shop: Shop, order: RowMapping) -> date | None:
    """The last day of the seven-day no-reason return window, counted from delivery."""
    delivered = order["delivered_on"]
    return delivered + timedelta(days=shop.return_window_days) if delivered else None


def item_names(shop: Shop, number: str, language: Language) -> tuple[str, ...]:
    return tuple(item["name_zh" if language == "zh" else "name_en"] for item in shop.order_items(number))


def order_details(shop: Shop, order: RowMapping, language: Language, latest: bool = False) -> OrderDetails:
    status = OrderStatus(order["status"])
    shipped = order["shipped_on"] is not None
    eta = order["eta"] if status == OrderStatus.shipped else None
    return OrderDetails(
        order_number=order["number"], status=status, placed_on=order["placed_on"], total=money(order["total_cents"]),
        items=item_names(shop, order["number"], language),
        carrier=order["carrier"] if shipped else None, tracking_number=order["tracking_number"] if shipped else None,
        shipped_on=order["shipped_on"], eta=eta, late=eta is not None and eta < shop.today,
        delivered_on=order["delivered_on"], return_deadline=return_deadline(shop, order),
        cancelled_on=order["cancelled_on"], latest=latest)


def order_brief(shop: Shop, order: RowMapping, language: Language) -> OrderBrief:
    items = item_names(shop, order["number"], language)
    return OrderBrief(order["number"], items[0] if items else "", order["placed_on"], OrderStatus(order["status"]))


def recent_orders(shop: Shop, customer_id: int | None, language: Language) -> tuple[OrderBrief, ...]:
    """The caller's latest orders, newest first (none for a caller not yet verified)."""
    if customer_id is None:
        return ()
    return tuple(order_brief(shop, o, language) for o in shop.orders_of(customer_id)[:RECENT_ORDERS])


def products_of(shop: Shop, customer_id: int | None, most: int = HEARD_ORDERS) -> dict[Language, list[str]]:
    """The product names of the caller's latest orders, per language, newest first: the words a caller is
    likely to say that the recogniser may not know ("扫地机器人X1"). None for a caller not yet identified."""
    if customer_id is None:
        return {}
    rows = [item for o in shop.orders_of(customer_id)[:most] for item in shop.order_items(o["number"])]
    return {lang: list(dict.fromkeys(row[f"name_{lang}"] for row in rows)) for lang in ("en", "zh")}


def method_name(shop: Shop, code: str, language: Language) -> str:
    """A payment method as the caller knows it ("微信支付", "WeChat Pay"), for "refunded to your ..."."""
    row = next((m for m in shop.payment_methods() if m["code"] == code), None)
    return row["name_zh" if language == "zh" else "name_en"] if row else code


def last_caller_text(state: CallState) -> str:
    """What the caller said last (the question product and complaint actions work on)."""
    return next((text for who, text in reversed(state.history) if who == "caller"), "")


def policy_text(shop: Shop, key: str, language: Language) -> str:
    return shop.policy(key, language) or ""


def policy_result(shop: Shop, action: Action, key: str, language: Language) -> ActionResult:
    """A policy answer: the shop's own text in the caller's language."""
    return ActionResult(action, ok=True, facts=ShopPolicy(policy_text(shop, key, language)))


def order_target(number: str) -> str:
    return f"order:{number}"


def account_target(customer_id: int | None) -> str | None:
    return f"account:{customer_id}" if customer_id is not None else None
