"""Write the demo shop to samples/shop/ (committed JSON), from a seeded RNG so a rerun gives the same bytes.

Dates are relative to the shop date (2026-11-28): some deliveries fall inside the 7-day return
window, some outside, and every order state appears. `python -m dialog.shop.make_demo_data`.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from dialog.shop.catalogue import FAQ, PAYMENT_METHODS, POLICIES, PRODUCTS, SHIPPING_METHODS
from dialog.shop.settings import SHOP_DATE

OUT = Path(__file__).resolve().parents[2] / "samples" / "shop"
SEED = 20261128

ZH_NAMES = [("王芳", "wang.fang"), ("李娜", "li.na"), ("张伟", "zhang.wei"), ("刘洋", "liu.yang"),
            ("陈静", "chen.jing"), ("杨磊", "yang.lei"), ("赵敏", "zhao.min"), ("黄丽", "huang.li"),
            ("周杰", "zhou.jie"), ("吴倩", "wu.qian"), ("徐涛", "xu.tao"), ("孙悦", "sun.yue"),
            ("马超", "ma.chao"), ("朱婷", "zhu.ting"), ("胡军", "hu.jun"), ("郭琳", "guo.lin"),
            ("何平", "he.ping"), ("林晓", "lin.xiao")]
EN_NAMES = ["Alice Chen", "Brian Smith", "Carol Jones", "David Miller", "Emma Brown", "Frank Wilson",
            "Grace Lee", "Henry Taylor", "Isabel Moore", "Jack Martin", "Karen White", "Liam Walker"]
ZH_CITIES = ["上海市浦东新区世纪大道100号", "北京市朝阳区建国路88号", "广州市天河区体育西路12号",
             "深圳市南山区科技园路6号", "杭州市西湖区文三路200号", "成都市武侯区人民南路9号"]
EN_CITIES = ["12 Market St, San Francisco, CA 94105", "400 Broadway, New York, NY 10013",
             "77 Pine Ave, Seattle, WA 98101", "5 Lake Shore Dr, Chicago, IL 60611"]
CARRIERS = [("SF Express", "SF"), ("JD Logistics", "JD"), ("ZTO Express", "ZT"), ("China Post EMS", "EM")]
# Every state, in fixed proportions; delivered orders are split inside/outside the return window.
STATES = (["pending"] * 10 + ["paid"] * 14 + ["shipped"] * 18 + ["delivered_recent"] * 16
          + ["delivered_old"] * 14 + ["cancelled"] * 9 + ["return_requested"] * 9 + ["refunded"] * 10)
AT_RISK = (3, 8, 21, 27)  # customers with prior complaints and returns


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def make_customers(rng: random.Random) -> list[dict]:
    customers = []
    for i in range(30):
        cid = i + 1
        zh = i % 5 < 3 and len([c for c in customers if c["language"] == "zh"]) < len(ZH_NAMES)
        if zh:
            name, handle = ZH_NAMES[sum(c["language"] == "zh" for c in customers)]
            phone = "+861" + rng.choice("3589") + "".join(rng.choices("0123456789", k=9))
            email = f"{handle}{rng.randint(10, 99)}@example.cn"
            address = rng.choice(ZH_CITIES)
        else:
            name = EN_NAMES[sum(c["language"] == "en" for c in customers)]
            phone = "+1" + rng.choice("2345679") + "".join(rng.choices("0123456789", k=9))
            email = name.lower().replace(" ", ".") + "@example.com"
            address = rng.choice(EN_CITIES)
        tier = "vip" if cid % 7 == 0 or cid == 2 else ("new" if cid % 4 == 1 else "regular")
        customers.append({"id": cid, "name": name, "tier": tier, "language": "zh" if zh else "en", "phone": phone,
                          "email": email, "address": address, "at_risk": cid in AT_RISK,
                          "newsletter": rng.random() < 0.5, "orders": []})
    return customers


def make_orders(rng: random.Random, customers: list[dict], products: list[dict]) -> list[dict]:
    states = STATES[:]
    rng.shuffle(states)
    # The at-risk customers each get a refunded and a return_requested order.
    owners = [customers[rng.randrange(30)] for _ in states]
    for k, cid in enumerate(AT_RISK):
        first_ref = [j for j, s in enumerate(states) if s == "refunded"][k]
        first_ret = [j for j, s in enumerate(states) if s == "return_requested"][k]
        owners[first_ref] = owners[first_ret] = customers[cid - 1]
    orders = []
    for n, (state, owner) in enumerate(zip(states, owners, strict=True)):
        number = str(10001 + n)
        lines = []
        for product in rng.sample(products, rng.choice((1, 1, 1, 2, 2, 3))):
            lines.append({"sku": product["sku"], "quantity": rng.choice((1, 1, 1, 2)), "price": product["price"]})
        total = round(sum(line["price"] * line["quantity"] for line in lines), 2)
        method = rng.choice(PAYMENT_METHODS)["code"] if owner["language"] == "zh" else rng.choice(
            ["card", "paypal", "alipay"])
        order = {"number": number, "customer_id": owner["id"], "status": state.split("_")[0]
                 if state.startswith("delivered") else state, "items": lines, "total": total,
                 "payment_method": method, "address": owner["address"], "placed_on": None, "paid_on": None,
                 "shipped_on": None, "carrier": None, "tracking_number": None, "eta": None, "delivered_on": None,
                 "cancelled_on": None, "payments": [], "invoice": None, "return": None, "refund": None}
        shipping = rng.choice(SHIPPING_METHODS)
        if state == "pending":
            placed = SHOP_DATE - timedelta(days=rng.randint(0, 2))
        elif state == "paid":
            placed = SHOP_DATE - timedelta(days=rng.randint(0, 3))
        elif state == "shipped":
            placed = SHOP_DATE - timedelta(days=rng.randint(1, 5))
        elif state in ("delivered_recent", "return_requested"):
            delivered = SHOP_DATE - timedelta(days=rng.randint(0, 6))
            placed = delivered - timedelta(days=rng.randint(2, 5))
        elif state in ("delivered_old", "refunded"):
            delivered = SHOP_DATE - timedelta(days=rng.randint(9, 60))
            placed = delivered - timedelta(days=rng.randint(2, 5))
        else:  # cancelled
            placed = SHOP_DATE - timedelta(days=rng.randint(1, 30))
        order["placed_on"] = iso(placed)
        order["shipping_method"] = shipping["code"]
        if state != "pending":
            paid = placed if state != "cancelled" or rng.random() < 0.5 else None
            order["paid_on"] = iso(paid)
            if paid:
                order["payments"].append({"amount": total, "method": method, "status": "captured", "on": iso(paid)})
        if state == "cancelled":
            order["cancelled_on"] = iso(placed + timedelta(days=1))
            if order["payments"]:
                order["payments"][0]["status"] = "refunded"
        if state in ("shipped", "delivered_recent", "delivered_old", "return_requested", "refunded"):
            carrier, prefix = rng.choice(CARRIERS)
            shipped = placed + timedelta(days=1)
            order.update(shipped_on=iso(shipped), carrier=carrier,
                         tracking_number=prefix + "".join(rng.choices("0123456789", k=12)),
                         eta=iso(shipped + timedelta(days=shipping["days_max"])))
            order["invoice"] = {"issued_on": iso(shipped), "sent_to": owner["email"] if rng.random() < 0.6 else None}
        if state in ("delivered_recent", "delivered_old", "return_requested", "refunded"):
            order["delivered_on"] = iso(delivered)
        if state == "return_requested":
            requested = min(SHOP_DATE, delivered + timedelta(days=rng.randint(0, 2)))
            order["return"] = {"requested_on": iso(requested), "reason": "no_reason", "status": "requested"}
            order["refund"] = {"amount": total, "status": "pending", "requested_on": iso(requested),
                               "completed_on": None, "to_account": method}
        if state == "refunded":
            requested = delivered + timedelta(days=rng.randint(1, 6))
            order["return"] = {"requested_on": iso(requested), "reason": "no_reason", "status": "received"}
            order["refund"] = {"amount": total, "status": "completed", "requested_on": iso(requested),
                               "completed_on": iso(requested + timedelta(days=rng.randint(3, 7))),
                               "to_account": method}
            order["payments"][0]["status"] = "refunded"
        orders.append(order)
        owner["orders"].append(number)
    # Two paid orders were charged twice by the payment provider (the "charged twice" case).
    for order in [o for o in orders if o["status"] == "paid"][:2]:
        order["payments"].append(dict(order["payments"][0]))
    return orders


def make_complaints(orders: list[dict]) -> list[dict]:
    complaints = []
    for cid in AT_RISK:
        order = next(o for o in orders if o["customer_id"] == cid and o["status"] == "refunded")
        complaints.append({"customer_id": cid, "order_number": order["number"], "created_on": order["delivered_on"],
                           "text": "Item arrived damaged and support was slow.", "language": "en"})
    return complaints


def make_products(rng: random.Random) -> list[dict]:
    products = []
    for i, (category, name_en, name_zh, price, desc_en, desc_zh) in enumerate(PRODUCTS):
        stock = 0 if i % 11 == 5 else rng.randint(3, 120)
        products.append({"sku": f"SKU{1001 + i}", "category": category, "name_en": name_en, "name_zh": name_zh,
                         "price": price, "stock": stock, "description_en": desc_en, "description_zh": desc_zh})
    return products


def build() -> dict[str, object]:
    rng = random.Random(SEED)
    products = make_products(rng)
    customers = make_customers(rng)
    orders = make_orders(rng, customers, products)
    return {"shop.json": {"shop_date": SHOP_DATE.isoformat(), "return_window_days": 7, "refund_days": "3-7",
                          "shipping_methods": SHIPPING_METHODS, "payment_methods": PAYMENT_METHODS},
            "products.json": products, "customers.json": customers, "orders.json": orders,
            "complaints.json": make_complaints(orders), "faq.json": FAQ, "policies.json": POLICIES}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (OUT / name).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
