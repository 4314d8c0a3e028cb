"""Goodwill: a VIP or at-risk customer with a complaint gets a voucher, once a call, said aloud and saved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialog.shop import db
from tests.dialog.conftest import talk


def vouchers(shop) -> list:
    with shop.engine.connect() as conn:
        return list(conn.execute(select(db.vouchers)).mappings())


@pytest.mark.parametrize("caller_id, lines, said", [
    ("8619850490387", ["我要投诉，你们的快递太慢了，太差劲了！", "我还要投诉客服态度！"], "20元的优惠券"),  # at risk
    ("14266674749", ["I want to file a complaint, the delivery was a disaster and nobody helped!",
                     "And I want to complain about your support too!"], "20 yuan voucher"),  # VIP, upset
])
def test_a_let_down_vip_or_at_risk_caller_gets_one_voucher(agent, shop, caller_id, lines, said):
    call, turns = talk(agent, lines, caller_id=caller_id)
    assert turns[0]["action"]["name"] == "complaint" and said in turns[0]["reply"]
    assert said not in turns[1]["reply"]  # once a call
    (voucher,) = vouchers(shop)
    assert voucher["customer_id"] == call.state.customer_id and voucher["amount_cents"] == 2000


def test_a_regular_customer_gets_no_voucher(agent, shop):
    regular = next(c for c in shop.engine.connect().execute(select(db.customers)).mappings()
                   if c["tier"] == "regular" and not c["at_risk"])
    _, turns = talk(agent, ["I want to file a complaint about the late delivery!"], caller_id=regular["phone"][1:])
    assert turns[0]["action"]["name"] == "complaint" and "voucher" not in turns[0]["reply"]
    assert vouchers(shop) == []
