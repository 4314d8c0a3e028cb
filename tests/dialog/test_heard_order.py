"""Order numbers the recogniser misheard by one digit are mapped to the order the caller meant."""

from __future__ import annotations

import pytest

from dialog.actions import run
from dialog.actions.which_order import heard_order
from dialog.types import CallState, Slots
from tests.dialog.conftest import talk


def test_a_dropped_or_doubled_digit_finds_the_one_order_meant(shop):
    assert heard_order(shop, "1028") == "10028"  # "一零零二八" heard as 1028
    assert heard_order(shop, "100003") == "10003"  # "one zero zero zero three" heard with an extra zero
    assert heard_order(shop, "0079") == "10079"
    assert heard_order(shop, "10023") == "10023"  # a real order stays itself


def test_a_known_caller_is_matched_to_their_own_orders(shop):
    owner = shop.order("10063")["customer_id"]
    assert heard_order(shop, "10633", owner) == "10063"  # a digit added and one lost: two edits, their order
    assert heard_order(shop, "10633") != "10063"  # a stranger gets no such stretch
    assert heard_order(shop, "99999", owner) == "99999"


def test_no_guess_when_the_number_is_far_or_ambiguous(shop):
    assert heard_order(shop, "1070076") == "1070076"  # two digits away: asked again, not guessed
    assert heard_order(shop, "99999") == "99999"
    assert heard_order(shop, "1001") == "1001"  # 10001, 10010, 10011... are all one digit away


def test_a_misheard_number_still_needs_verification(shop):
    owner = shop.customer(shop.order("10028")["customer_id"])
    stranger = run("track_order", shop, CallState("c1"), Slots(order_number="1028"), "zh")
    assert stranger.reason == "not_verified" and stranger.facts.values() == {}
    state = CallState("c2", caller_id=owner["phone"].lstrip("+"))
    mine = run("track_order", shop, state, Slots(order_number="1028"), "en")
    assert mine.ok and mine.facts.order_number == "10028"


def test_of_two_equally_close_orders_the_one_with_the_named_product_is_meant(shop):
    owner = shop.order("10007")["customer_id"]
    mine = {o["number"] for o in shop.orders_of(owner)}
    assert {"10007", "10074"} <= mine  # "1007" is one digit from both
    assert heard_order(shop, "1007", owner) == "1007"  # no guess between them
    lamp = shop.order_items("10007")[0]["sku"]
    assert not any(i["sku"] == lamp for i in shop.order_items("10074"))
    assert heard_order(shop, "1007", owner, lamp) == "10007"  # "the desk lamp from order 1007" (an unseen call)
    assert heard_order(shop, "1007", owner, "SKU-NOT-THERE") == "1007"
    assert heard_order(shop, "1007", None, lamp) == "1007"  # a stranger still gets no stretch


@pytest.mark.parametrize(("line", "language"), [
    ("Hi, I'd like to return the desk lamp from order one oh oh seven.", "en"),  # a zero lost: 10007 or 10074?
    ("你好，我想退订单一零零七里的LED护眼台灯。", "zh"),
])
def test_the_named_product_tells_which_order_a_misheard_number_is(agent, shop, line, language):
    caller = shop.customer(shop.order("10007")["customer_id"])["phone"]
    _, turns = talk(agent, [line], caller_id=caller)
    assert "10007" in turns[0]["reply"] and "10074" not in turns[0]["reply"], turns[0]["reply"]
    assert not turns[0]["action"]["changed"]  # matched, so read back or refused: never changed on a match
