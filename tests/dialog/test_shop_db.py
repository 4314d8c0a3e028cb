"""The demo shop data and its SQLite database: coverage of every case, idempotent seeding, WAL and foreign keys."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from dialog.shop import db
from dialog.shop.db import Shop, segment
from dialog.shop.make_demo_data import build
from dialog.shop.seed import SAMPLES, main, seed

STATES = {"pending", "paid", "shipped", "delivered", "cancelled", "return_requested", "refunded"}


def test_shipped_samples_are_what_the_generator_makes():
    for name, data in build().items():
        assert json.loads((SAMPLES / name).read_text(encoding="utf-8")) == json.loads(json.dumps(data)), name


def test_demo_data_covers_every_case(shop_data):
    orders, customers, products = shop_data["orders"], shop_data["customers"], shop_data["products"]
    assert len(products) >= 50 and len(customers) == 30 and len(orders) == 100
    assert [o["number"] for o in orders] == [str(n) for n in range(10001, 10101)]
    assert {o["status"] for o in orders} == STATES
    assert all(p["name_zh"] and p["name_en"] and p["description_zh"] and p["description_en"] for p in products)
    assert any(p["stock"] == 0 for p in products)
    for c in customers:
        pattern = r"\+861[3-9]\d{9}" if c["language"] == "zh" else r"\+1[2-9]\d{9}"
        assert re.fullmatch(pattern, c["phone"]), c["phone"]
        assert c["orders"] == [o["number"] for o in orders if o["customer_id"] == c["id"]]
    assert {c["tier"] for c in customers} == {"new", "regular", "vip"} and {c["language"] for c in customers} == {
        "zh", "en"}
    for o in orders:
        if o["status"] in ("shipped", "delivered", "return_requested", "refunded"):
            assert o["carrier"] and o["tracking_number"] and o["shipped_on"]
        if o["status"] in ("delivered", "return_requested", "refunded"):
            assert o["delivered_on"]
    ages = [(date(2026, 11, 28) - date.fromisoformat(o["delivered_on"])).days
            for o in orders if o["status"] == "delivered"]
    assert min(ages) <= 7 < max(ages)
    at_risk = [c for c in customers if c["at_risk"]]
    assert at_risk and all(any(o["customer_id"] == c["id"] and o["status"] == "refunded" for o in orders)
                           for c in at_risk)
    assert any(len(o["payments"]) == 2 for o in orders)


def test_faq_and_policies_in_both_languages(shop):
    for key in ("shipping", "returns", "refunds", "invoices", "payments", "account"):
        assert shop.policy(key, "zh") and shop.policy(key, "en")
    assert "七天无理由退货" in shop.policy("returns", "zh") and "电子发票" in shop.policy("invoices", "zh")
    for method in ("Alipay", "WeChat Pay", "UnionPay", "PayPal"):
        assert method in shop.policy("payments", "en")
    assert {row["language"] for row in shop.faq()} == {"zh", "en"}


def test_seed_loads_everything_and_is_idempotent(tmp_path):
    shop = Shop(f"sqlite:///{tmp_path / 'data' / 'shop.db'}")
    assert seed(shop)
    counts = {t.name: shop.count(t) for t in (db.products, db.customers, db.orders, db.order_items, db.payments)}
    assert counts["products"] >= 50 and counts["customers"] == 30 and counts["orders"] == 100
    with shop.transaction() as conn:
        shop.add(conn, db.tickets, call_id="c1", kind="handoff", priority="normal", summary="s", mood="neutral",
                 transcript="", created_at=shop.now(), status="open")
    assert not seed(shop)
    assert {t.name: shop.count(t) for t in (db.products, db.customers, db.orders, db.order_items,
                                            db.payments)} == counts
    assert shop.count(db.tickets) == 1  # calls' tickets survive a second `make setup`
    assert seed(shop, reset=True) and shop.count(db.tickets) == 0 and shop.count(db.orders) == 100
    shop.close()


def test_seed_command(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    main(["--url", url])
    main(["--url", url])
    assert capsys.readouterr().out.splitlines() == [f"seeded: {url}", f"already seeded: {url}"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(shop):
    with shop.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with pytest.raises(IntegrityError), shop.transaction() as conn:
        shop.add(conn, db.order_items, order_number="10001", sku="NO-SUCH-SKU", quantity=1, price_cents=100)


def test_money_is_exact(shop, shop_data):
    order = shop_data["orders"][0]
    assert shop.order(order["number"])["total_cents"] == round(order["total"] * 100)
    with shop.engine.connect() as conn:
        totals = conn.execute(select(db.order_items.c.order_number, db.order_items.c.quantity,
                                     db.order_items.c.price_cents)).all()
    by_order: dict[str, int] = {}
    for number, quantity, price in totals:
        by_order[number] = by_order.get(number, 0) + quantity * price
    assert all(shop.order(n)["total_cents"] == cents for n, cents in by_order.items())


def test_today_is_a_setting(monkeypatch, tmp_path):
    from voicedesk.settings import Settings

    assert Shop(f"sqlite:///{tmp_path / 'a.db'}").today == date(2026, 11, 28)
    monkeypatch.setenv("VOICEDESK_SHOP__TODAY", "2026-12-25")
    assert Shop(f"sqlite:///{tmp_path / 'a.db'}", settings=Settings().shop).today == date(2026, 12, 25)
    assert Shop(f"sqlite:///{tmp_path / 'a.db'}", today=date(2027, 1, 1)).today == date(2027, 1, 1)


def test_customer_by_phone_accepts_both_forms(shop, shop_data):
    customer = shop_data["customers"][0]
    digits = customer["phone"].lstrip("+")
    assert shop.customer_by_phone(digits)["id"] == customer["id"]
    assert shop.customer_by_phone(digits[2:])["id"] == customer["id"]  # +86 dropped
    assert shop.customer_by_phone("12345") is None


def test_segment(shop, shop_data):
    at_risk = next(c for c in shop_data["customers"] if c["at_risk"])
    vip = next(c for c in shop_data["customers"] if c["tier"] == "vip" and not c["at_risk"])
    assert segment(shop.customer(at_risk["id"])) == "at_risk"
    assert segment(shop.customer(vip["id"])) == "vip"
