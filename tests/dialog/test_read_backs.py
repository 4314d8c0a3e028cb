"""A change runs only on what the caller named or confirmed: read-backs, yes once, a bare no, corrections.

Real understanding model and shop database, template replies, both languages.
"""

from __future__ import annotations

import pytest

from dialog.shop import db
from tests.dialog.conftest import caller_id_of, talk


def latest_order_of(shop_data: dict, customer: dict) -> dict:
    return max((o for o in shop_data["orders"] if o["customer_id"] == customer["id"]),
               key=lambda o: (o["placed_on"], o["number"]))


def customer_whose_latest_is(shop_data: dict, status: str) -> dict:
    return next(c for c in shop_data["customers"] if c["orders"] and latest_order_of(shop_data, c)["status"] == status)


@pytest.mark.parametrize(("lines", "language"), [
    (["I'd like to cancel my order.", "Yes, please.", "Yes."], "en"),
    (["我想取消订单。", "是的。", "对。"], "zh"),
])
def test_no_number_reads_the_latest_order_back_and_yes_cancels_it_once(agent, shop, shop_data, lines, language):
    customer = customer_whose_latest_is(shop_data, "paid")
    latest = latest_order_of(shop_data, customer)
    _, turns = talk(agent, lines[:1], caller_id_of(customer))
    asked = turns[0]
    assert asked["action"]["reason"] == "needs_confirmation" and not asked["action"]["changed"]
    assert latest["number"] in asked["reply"] and shop.order(latest["number"])["status"] == "paid"
    item = shop.order_items(latest["number"])[0]["name_zh" if language == "zh" else "name_en"]
    assert item in asked["reply"]  # read back by item and date, so the caller knows which one it is
    call, turns = talk(agent, lines, caller_id_of(customer))
    assert turns[1]["action"]["name"] == "cancel_order" and turns[1]["action"]["ok"]
    assert turns[1]["action"]["target"] == f"order:{latest['number']}"
    assert shop.order(latest["number"])["status"] == "cancelled"
    assert turns[2]["action"]["name"] != "cancel_order"  # a second yes does not run it again


@pytest.mark.parametrize(("lines", "language"), [
    (["Cancel my order please.", "No."], "en"),
    (["帮我取消订单。", "不是。"], "zh"),
])
def test_a_bare_no_to_the_read_back_changes_nothing_and_offers_the_recent_orders(agent, shop, shop_data, lines,
                                                                                  language):
    customer = customer_whose_latest_is(shop_data, "paid")
    before = {n: shop.order(n)["status"] for n in customer["orders"]}
    _, turns = talk(agent, lines, caller_id_of(customer))
    assert turns[1]["action"]["name"] == "keep_as_is" and not turns[1]["action"]["changed"]
    assert {n: shop.order(n)["status"] for n in customer["orders"]} == before
    recent = sorted(customer["orders"])[-1]
    assert recent in turns[1]["reply"]


@pytest.mark.parametrize(("lines", "language"), [
    (["I want to cancel my order.", "No, it's the other one, {other}."], "en"),
    (["我要取消订单。", "不是不是，是{other}。"], "zh"),
])
def test_another_number_in_answer_to_the_read_back_runs_on_that_number(agent, shop, shop_data, lines, language):
    customer = next(c for c in shop_data["customers"] if c["orders"]
                    and latest_order_of(shop_data, c)["status"] in ("paid", "pending")
                    and any(shop.order(n)["status"] in ("paid", "pending") and n != latest_order_of(shop_data, c)[
                        "number"] for n in c["orders"]))
    latest = latest_order_of(shop_data, customer)["number"]
    other = next(n for n in customer["orders"] if n != latest and shop.order(n)["status"] in ("paid", "pending"))
    _, turns = talk(agent, [lines[0], lines[1].format(other=other)], caller_id_of(customer))
    assert turns[1]["action"]["target"] == f"order:{other}" and turns[1]["action"]["ok"]
    assert shop.order(other)["status"] == "cancelled" and shop.order(latest)["status"] != "cancelled"


@pytest.mark.parametrize(("lines", "language"), [
    (["Where is order {first}?", "No, no, you misheard, it's {second}."], "en"),
    (["帮我查一下订单{first}。", "不是不是，你听错了，是{second}。"], "zh"),
])
def test_a_correction_re_runs_the_request_with_the_corrected_number(agent, shop_data, lines, language):
    customer = next(c for c in shop_data["customers"] if len(c["orders"]) >= 2)
    first, second = customer["orders"][:2]
    _, turns = talk(agent, [lines[0].format(first=first), lines[1].format(second=second)], caller_id_of(customer))
    assert turns[0]["action"]["target"] == f"order:{first}"
    assert turns[1]["action"]["name"] == "track_order" and turns[1]["action"]["target"] == f"order:{second}"
    assert second in turns[1]["reply"]


@pytest.mark.parametrize(("lines", "language"), [
    (["Where's my parcel?", "Cancel it."], "en"),
    (["我的快递到哪了？", "那帮我取消吧。"], "zh"),
])
def test_an_order_the_assistant_picked_is_read_back_before_a_change(agent, shop, shop_data, lines, language):
    customer = customer_whose_latest_is(shop_data, "paid")
    latest = latest_order_of(shop_data, customer)["number"]
    _, turns = talk(agent, lines, caller_id_of(customer))
    assert turns[0]["action"]["target"] == f"order:{latest}"  # a read-only answer may use the obvious order
    assert turns[1]["action"]["reason"] == "needs_confirmation"
    assert shop.order(latest)["status"] == "paid"


@pytest.mark.parametrize(("lines", "language"), [
    (["Please delete my account.", "Yes."], "en"),
    (["我要注销账户。", "是的。"], "zh"),
])
def test_account_deletion_waits_for_a_yes(agent, shop, shop_data, lines, language):
    customer = shop_data["customers"][3]
    tickets = shop.count(db.tickets)
    _, turns = talk(agent, lines[:1], caller_id_of(customer))
    assert turns[0]["action"]["reason"] == "needs_confirmation" and shop.count(db.tickets) == tickets
    _, turns = talk(agent, lines, caller_id_of(customer))
    assert turns[1]["action"]["name"] == "delete_account" and turns[1]["action"]["ok"]
    assert shop.count(db.tickets) == tickets + 1


@pytest.mark.parametrize(("lines", "language"), [
    (["I'd like to cancel my order.", "Thank you guys.", "Yes."], "en"),  # "Yes." as the recogniser once heard it
    (["我想取消订单。", "号灯。谢谢你。", "是的。"], "zh"),  # as the recogniser once heard "好的，谢谢"
])
def test_a_goodbye_reading_without_closing_words_asks_the_read_back_again(agent, shop, shop_data, lines, language):
    """A change waits on the answer: a turn read as goodbye that is not a whole closing neither hangs up nor runs."""
    customer = customer_whose_latest_is(shop_data, "paid")
    latest = latest_order_of(shop_data, customer)
    _, turns = talk(agent, lines[:2], caller_id_of(customer))
    assert turns[1]["understood_intent"] == "goodbye"  # the reading the rule is for
    assert turns[1]["action"]["name"] == "clarify" and shop.order(latest["number"])["status"] == "paid"
    _, turns = talk(agent, lines, caller_id_of(customer))
    assert turns[2]["action"]["name"] == "cancel_order" and turns[2]["action"]["ok"]
