"""Load the demo shop (samples/shop/*.json) into a database: `python -m dialog.shop.seed [--url URL] [--reset]`.

Idempotent: a database that already holds the shop is left alone (tickets and complaints made by
calls survive `make setup`); `--reset` drops every table and loads the samples again.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path

from dialog.shop import db
from dialog.shop.db import Shop, to_cents

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "shop"


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _read(folder: Path, name: str) -> object:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def seed(shop: Shop, folder: Path = SAMPLES, reset: bool = False) -> bool:
    """Load the samples in one transaction; False when the shop was already there (and nothing changed)."""
    if reset:
        shop.drop_schema()
    shop.create_schema()
    if shop.count(db.products):
        return False
    meta = _read(folder, "shop.json")
    with shop.transaction() as conn:
        conn.execute(db.products.insert(), [
            {**{k: v for k, v in p.items() if k != "price"}, "price_cents": to_cents(p["price"])}
            for p in _read(folder, "products.json")])
        conn.execute(db.customers.insert(), [
            {k: v for k, v in c.items() if k != "orders"} for c in _read(folder, "customers.json")])
        conn.execute(db.shipping_methods.insert(), [
            {"code": m["code"], "name_en": m["name_en"], "name_zh": m["name_zh"], "days_min": m["days_min"],
             "days_max": m["days_max"], "cost_cents": to_cents(m["cost"]),
             "free_over_cents": to_cents(m["free_over"]) if m["free_over"] else None}
            for m in meta["shipping_methods"]])
        conn.execute(db.payment_methods.insert(), meta["payment_methods"])
        conn.execute(db.policies.insert(), [
            {"key": key, "language": lang, "text": text}
            for key, texts in _read(folder, "policies.json").items() for lang, text in texts.items()])
        conn.execute(db.faq.insert(), _read(folder, "faq.json"))
        for o in _read(folder, "orders.json"):
            _add_order(conn, o)
        for c in _read(folder, "complaints.json"):
            Shop.add(conn, db.complaints, customer_id=c["customer_id"], order_number=c["order_number"],
                     created_at=datetime.combine(_day(c["created_on"]), datetime.min.time()),
                     language=c["language"], text=c["text"])
    return True


def _add_order(conn: db.Connection, o: dict) -> None:
    dates = ("placed_on", "paid_on", "shipped_on", "eta", "delivered_on", "cancelled_on")
    Shop.add(conn, db.orders, number=o["number"], customer_id=o["customer_id"], status=o["status"],
             total_cents=to_cents(o["total"]), payment_method=o["payment_method"],
             shipping_method=o["shipping_method"], address=o["address"], carrier=o["carrier"],
             tracking_number=o["tracking_number"], **{k: _day(o[k]) for k in dates})
    for item in o["items"]:
        Shop.add(conn, db.order_items, order_number=o["number"], sku=item["sku"], quantity=item["quantity"],
                 price_cents=to_cents(item["price"]))
    for p in o["payments"]:
        Shop.add(conn, db.payments, order_number=o["number"], amount_cents=to_cents(p["amount"]), method=p["method"],
                 status=p["status"], paid_on=_day(p["on"]))
    if inv := o["invoice"]:
        Shop.add(conn, db.invoices, order_number=o["number"], issued_on=_day(inv["issued_on"]),
                 sent_to=inv["sent_to"], sent_on=_day(inv["issued_on"]) if inv["sent_to"] else None)
    if ret := o["return"]:
        Shop.add(conn, db.returns, order_number=o["number"], requested_on=_day(ret["requested_on"]),
                 reason=ret["reason"], status=ret["status"])
    if ref := o["refund"]:
        Shop.add(conn, db.refunds, order_number=o["number"], amount_cents=to_cents(ref["amount"]),
                 status=ref["status"], requested_on=_day(ref["requested_on"]),
                 completed_on=_day(ref["completed_on"]), to_account=ref["to_account"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: VOICEDESK_SHOP_DB_URL or sqlite:///data/shop.db)")
    parser.add_argument("--reset", action="store_true", help="drop every table and load the samples again")
    args = parser.parse_args(argv)
    shop = Shop(args.url)
    loaded = seed(shop, reset=args.reset)
    print(f"{'seeded' if loaded else 'already seeded'}: {shop.engine.url.render_as_string(hide_password=True)}")
    shop.close()


if __name__ == "__main__":
    main()
