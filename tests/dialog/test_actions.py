"""Every action's success and refusal paths, on the real seeded database, in both languages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dialog.actions import ACTIONS, run
from dialog.contract import ActionResult, ConfirmOrder, OrderStatus
from dialog.shop import db
from dialog.shop.db import Shop
from dialog.types import CHANGES, Action, Intent, Slots
from tests.dialog.conftest import caller_id_of, caller_state

SHOP_DATE = date(2026, 11, 28)


def act(shop: Shop, intent: str, order: dict | None = None, customer: dict | None = None, language: str = "en",
        said: str = "", **slots: object) -> ActionResult:
    """Run an intent as the order's owner calling from their own phone (or as an anonymous caller)."""
    state = caller_state(caller_id_of(customer) if customer else None, language, said)
    if order is not None:
        slots.setdefault("order_number", order["number"])
        state.named_orders.add(order["number"])  # the caller said the number (the agent does the same)
    return run(intent, shop, state, Slots(**slots), language)


def test_registry_covers_every_shop_intent():
    shop_intents = set(list(Intent)[:27]) | {Intent.product_question, Intent.recommend_product}
    assert set(ACTIONS) == {Action(i) for i in shop_intents}
    assert run("greeting", None, caller_state(), Slots(), "en") is None


@pytest.mark.parametrize(("status", "extra"), [
    ("shipped", {"carrier", "tracking_number", "eta"}), ("delivered", {"delivered_on", "return_deadline"}),
    ("pending", set()), ("cancelled", {"cancelled_on"})])
def test_track_order_states_the_facts_of_each_state(shop, find_order, owner, status, extra):
    order = find_order(status)
    result = act(shop, "track_order", order, owner(order))
    assert result.ok and not result.changed
    assert result.facts.status == status and result.facts.order_number == order["number"]
    assert extra <= set(result.facts.values()) and result.target == f"order:{order['number']}"
    if status == "shipped":
        assert result.facts.tracking_number == order["tracking_number"]
        assert result.facts.eta.isoformat() == order["eta"]


def test_track_order_names_items_in_the_callers_language(shop, find_order, owner):
    order = find_order("shipped")
    zh = act(shop, "track_order", order, owner(order), language="zh").facts.items[0]
    en = act(shop, "track_order", order, owner(order), language="en").facts.items[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii()


def test_track_order_without_a_number_gives_a_verified_callers_latest_order(shop, shop_data):
    customer = shop_data["customers"][0]
    result = act(shop, "track_order", customer=customer)
    latest = max((o for o in shop_data["orders"] if o["customer_id"] == customer["id"]),
                 key=lambda o: (o["placed_on"], o["number"]))
    assert result.ok and result.facts.order_number == latest["number"] and result.facts.latest


@pytest.mark.parametrize("status", ["pending", "paid"])
def test_cancel_before_shipment_refunds_what_was_charged(shop, find_order, owner, status):
    order = find_order(status)
    result = act(shop, "cancel_order", order, owner(order))
    assert result.ok and result.changed
    assert result.facts.cancelled_on == SHOP_DATE
    charged = sum(p["amount"] for p in order["payments"])
    assert (result.facts.refund_amount or 0) == pytest.approx(charged)
    assert (result.facts.refund_to is not None) == bool(charged)
    stored = shop.order(order["number"])
    assert stored["status"] == "cancelled" and stored["cancelled_on"] == SHOP_DATE
    assert all(p["status"] == "refunded" for p in shop.payments(order["number"]))
    if charged:
        assert shop.refund_of(order["number"])["status"] == "pending"


@pytest.mark.parametrize(("status", "reason"), [("shipped", "already_shipped"), ("delivered", "already_shipped"),
                                                 ("cancelled", "already_cancelled")])
def test_cancel_after_shipment_is_refused(shop, find_order, owner, status, reason):
    order = find_order(status)
    result = act(shop, "cancel_order", order, owner(order))
    assert not result.ok and result.reason == reason and not result.changed
    assert shop.order(order["number"])["status"] == status


def test_change_address_before_shipment(shop, find_order, owner):
    order = find_order("paid")
    result = act(shop, "change_shipping_address", order, owner(order), language="zh", address="上海市静安区南京西路1号")
    assert result.ok and result.changed and result.facts.address == "上海市静安区南京西路1号"
    assert shop.order(order["number"])["address"] == "上海市静安区南京西路1号"


def test_change_address_refusals(shop, find_order, owner):
    shipped = find_order("shipped")
    assert act(shop, "change_shipping_address", shipped, owner(shipped), address="9 Hill Road").reason == \
        "already_shipped"
    assert shop.order(shipped["number"])["address"] == shipped["address"]
    paid = find_order("paid")
    assert act(shop, "change_shipping_address", paid, owner(paid)).reason == "missing_address"


def test_set_up_shipping_address_saves_the_default(shop, shop_data):
    customer = shop_data["customers"][4]
    result = act(shop, "set_up_shipping_address", customer=customer, address="9 Hill Road")
    assert result.ok and result.changed and shop.customer(customer["id"])["address"] == "9 Hill Road"
    assert act(shop, "set_up_shipping_address", address="9 Hill Road").reason == "not_verified"


def test_return_inside_the_window_opens_a_return_and_a_pending_refund(shop, find_order, owner):
    order = find_order("delivered", lambda o: o["delivered_on"] >= "2026-11-22")
    result = act(shop, "get_refund", order, owner(order), language="zh")
    assert result.ok and result.changed
    deadline = date.fromisoformat(order["delivered_on"]) + timedelta(days=7)
    assert result.facts.return_deadline == deadline
    assert result.facts.refund_amount == pytest.approx(order["total"])
    names = {"alipay": "支付宝", "wechat": "微信支付", "card": "银联卡或信用卡", "paypal": "PayPal"}
    assert result.facts.return_id.startswith("R") and result.facts.refund_to == names[order["payment_method"]]
    assert shop.order(order["number"])["status"] == "return_requested"
    assert shop.return_of(order["number"])["status"] == "requested"
    assert shop.refund_of(order["number"])["amount_cents"] == round(order["total"] * 100)


def test_the_window_ends_seven_days_after_delivery(shop, find_order, owner):
    order = find_order("delivered", lambda o: o["delivered_on"] >= "2026-11-22")
    delivered = date.fromisoformat(order["delivered_on"])
    day8 = Shop(shop.url, today=delivered + timedelta(days=8))
    day7 = Shop(shop.url, today=delivered + timedelta(days=7))
    assert act(day8, "get_refund", order, owner(order)).reason == "outside_window"
    assert act(day7, "get_refund", order, owner(order)).ok
    day8.close()
    day7.close()


def test_return_outside_the_window_is_refused_with_the_deadline(shop, find_order, owner):
    order = find_order("delivered", lambda o: o["delivered_on"] < "2026-11-21")
    result = act(shop, "get_refund", order, owner(order))
    assert not result.ok and result.reason == "outside_window" and not result.changed
    assert result.facts.delivered_on.isoformat() == order["delivered_on"]
    assert shop.order(order["number"])["status"] == "delivered" and shop.return_of(order["number"]) is None


@pytest.mark.parametrize(("status", "reason"), [
    ("pending", "not_shipped"), ("shipped", "not_delivered"), ("cancelled", "already_cancelled"),
    ("return_requested", "already_requested"), ("refunded", "already_refunded")])
def test_return_refused_by_state(shop, find_order, owner, status, reason):
    order = find_order(status)
    result = act(shop, "get_refund", order, owner(order))
    assert not result.ok and result.reason == reason and result.facts.order_number == order["number"]
    assert getattr(result.facts, "status", status) == status


def test_track_refund_pending_and_completed(shop, find_order, owner):
    pending = find_order("return_requested")
    result = act(shop, "track_refund", pending, owner(pending))
    assert result.ok and result.facts.refund_status == "pending" and result.facts.refund_days == "3-7"
    done = find_order("refunded")
    result = act(shop, "track_refund", done, owner(done), language="zh")
    assert result.facts.refund_status == "completed"
    assert result.facts.completed_on.isoformat() == done["refund"]["completed_on"]
    assert result.facts.refund_amount == pytest.approx(done["refund"]["amount"])
    assert result.facts.refund_to == "微信支付" if done["refund"]["to_account"] == "wechat" else True
    shipped = find_order("shipped")
    assert act(shop, "track_refund", shipped, owner(shipped)).reason == "no_refund"


def test_invoice_check_masks_the_email(shop, find_order, owner):
    order = find_order("delivered", lambda o: o["invoice"]["sent_to"] is not None)
    result = act(shop, "check_invoice", order, owner(order))
    email = owner(order)["email"]
    assert result.ok and result.facts.sent_on is not None
    assert result.facts.email == email[0] + "***@" + email.split("@")[1]
    assert all(email not in str(v) for v in result.facts.values().values())


def test_get_invoice_sends_to_the_email_on_file(shop, find_order, owner):
    order = find_order("shipped", lambda o: o["invoice"]["sent_to"] is None)
    result = act(shop, "get_invoice", order, owner(order), email=None)
    assert result.ok and result.changed and "***@" in result.facts.email
    assert shop.invoice_of(order["number"])["sent_to"] == owner(order)["email"]
    pending = find_order("pending")
    assert act(shop, "get_invoice", pending, owner(pending)).reason == "no_invoice"
    assert act(shop, "check_invoice", pending, owner(pending)).reason == "no_invoice"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_payment_methods(shop, language):
    result = act(shop, "check_payment_methods", language=language)
    names = set(result.facts.methods)
    assert result.ok and len(names) == 4 and "PayPal" in names
    assert ("支付宝" if language == "zh" else "Alipay") in names


def test_charged_twice_marks_the_extra_charge_and_opens_a_ticket(shop, find_order, owner):
    order = find_order("paid", lambda o: len(o["payments"]) == 2)
    result = act(shop, "payment_issue", order, owner(order))
    assert result.ok and result.changed and result.facts.charges == 2 and result.facts.duplicate_charges == 1
    assert result.facts.disputed_amount == pytest.approx(order["total"])
    assert [p["status"] for p in shop.payments(order["number"])] == ["captured", "disputed"]
    ticket = shop.ticket(result.ticket_id)
    assert ticket["kind"] == "payment_issue" and ticket["order_number"] == order["number"]
    assert ticket["priority"] == "high"  # money taken twice is urgent whoever the customer is


def test_payment_issue_with_one_charge_still_opens_a_ticket(shop, find_order, owner):
    order = find_order("paid", lambda o: len(o["payments"]) == 1)
    result = act(shop, "payment_issue", order, owner(order))
    assert result.ok and result.facts.charges == 1 and result.facts.duplicate_charges == 0
    assert shop.ticket(result.ticket_id) is not None


@pytest.mark.parametrize("language", ["en", "zh"])
def test_delivery_options_come_from_the_shipping_methods(shop, language):
    facts = act(shop, "delivery_options", language=language).facts
    assert len(facts.options) == 3 and ("普通快递" if language == "zh" else "Standard delivery") in facts.options
    assert ("顺丰" if language == "zh" else "SF Express") in facts.policy


def test_delivery_period_of_a_shipped_order_has_its_eta(shop, find_order, owner):
    order = find_order("shipped")
    assert act(shop, "delivery_period", order, owner(order)).facts.eta.isoformat() == order["eta"]
    assert act(shop, "delivery_period", order).reason == "not_verified"


def test_recover_password_sends_a_link_and_tells_no_secret(shop, shop_data):
    customer = shop_data["customers"][1]
    result = act(shop, "recover_password", customer=customer)
    assert result.ok and result.changed and result.facts.email.startswith(customer["email"][0] + "***@")
    with shop.engine.connect() as conn:
        reset = conn.execute(select(db.password_resets)).mappings().one()
    assert reset["sent_to"] == customer["email"]
    said = " ".join(str(v) for v in result.facts.values().values())
    assert reset["token"] not in said and customer["email"] not in said and "http" not in said
    assert act(shop, "recover_password", said="I am the account owner, send the link to me").reason == "not_verified"


def test_delete_account_opens_a_ticket_for_a_verified_caller_who_confirmed(shop, shop_data):
    customer = shop_data["customers"][2]
    asked = act(shop, "delete_account", customer=customer, language="zh")
    assert not asked.ok and asked.reason == "needs_confirmation" and not asked.changed
    state = caller_state(caller_id_of(customer), "zh")
    state.confirmed = True  # the caller said yes to the read-back
    result = run("delete_account", shop, state, Slots(), "zh")
    assert result.ok and result.changed and shop.ticket(result.ticket_id)["kind"] == "account"
    assert "注销" in result.facts.policy and result.target == f"account:{customer['id']}"
    anonymous = act(shop, "delete_account")
    assert anonymous.ok and not anonymous.changed and anonymous.ticket_id is None


@pytest.mark.parametrize(("intent", "word_en", "word_zh"), [
    ("create_account", "Settings", "设置"), ("edit_account", "Settings", "设置"),
    ("switch_account", "Settings", "设置"), ("registration_problems", "verification code", "验证码"),
    ("newsletter_subscription", "newsletter", "订阅"), ("check_cancellation_fee", "free", "免费"),
    ("check_refund_policy", "7 days", "七天"), ("contact_customer_service", "9 am", "9点"),
    ("change_order", "cannot be changed", "不能修改"), ("place_order", "30 minutes", "30分钟"),
    ("review", "review", "评价")])
def test_policy_answers_in_both_languages(shop, intent, word_en, word_zh):
    assert word_en in act(shop, intent, language="en").facts.policy
    assert word_zh in act(shop, intent, language="zh").facts.policy


def test_newsletter_tells_a_verified_caller_their_subscription(shop, shop_data):
    customer = shop_data["customers"][0]
    facts = act(shop, "newsletter_subscription", customer=customer).facts
    assert facts.subscribed == bool(customer["newsletter"])


def test_complaint_is_logged_and_marks_the_customer_at_risk(shop, shop_data):
    customer = next(c for c in shop_data["customers"] if not c["at_risk"] and c["tier"] != "vip")
    before = shop.count(db.complaints)
    result = act(shop, "complaint", customer=customer, said="The kettle leaks and nobody answered my email!")
    assert result.ok and result.changed and shop.count(db.complaints) == before + 1
    assert shop.customer(customer["id"])["at_risk"]
    assert shop.ticket(result.ticket_id)["priority"] == "high"


@pytest.mark.parametrize(("who", "priority"), [("vip", "high"), ("at_risk", "high"), ("plain", "normal")])
def test_handoff_ticket_carries_summary_mood_transcript_and_priority(shop, shop_data, who, priority):
    customer = next(c for c in shop_data["customers"] if (
        c["tier"] == "vip" if who == "vip" else c["at_risk"] if who == "at_risk"
        else c["tier"] != "vip" and not c["at_risk"]))
    state = caller_state(caller_id_of(customer), "zh", "我要找人工客服，我的电话是13812345678")
    result = ACTIONS["contact_human_agent"](shop, state, Slots(), "zh")
    assert result.ok and result.handoff and result.changed and state.handed_off and state.ticket_id == result.ticket_id
    ticket = shop.ticket(result.ticket_id)
    assert ticket["priority"] == priority and ticket["mood"] == "neutral"
    assert "人工客服" in ticket["summary"] and "caller: 我要找人工客服" in ticket["transcript"]
    assert "13812345678" not in ticket["transcript"] and "*******5678" in ticket["transcript"]


def test_handoff_takes_the_tracked_mood(shop):
    from dialog.actions.handoff import contact_human_agent

    result = contact_human_agent(shop, caller_state(said="this is useless"), Slots(), "en", mood="negative",
                                 summary="Angry about a late parcel")
    ticket = shop.ticket(result.ticket_id)
    assert (ticket["mood"], ticket["priority"], ticket["summary"]) == ("negative", "high", "Angry about a late parcel")


def test_a_failure_mid_action_rolls_the_whole_change_back(shop, find_order, owner, monkeypatch):
    order = find_order("paid", lambda o: len(o["payments"]) == 1)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    refunds_before = shop.count(db.refunds)
    monkeypatch.setattr(Shop, "add", staticmethod(fail))  # the refund row, after status and payments changed
    with pytest.raises(RuntimeError):
        act(shop, "cancel_order", order, owner(order))
    assert shop.order(order["number"])["status"] == "paid"
    assert [p["status"] for p in shop.payments(order["number"])] == ["captured"]
    assert shop.count(db.refunds) == refunds_before


@pytest.mark.parametrize("action", sorted(CHANGES))
@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_change_without_a_named_order_is_read_back_never_guessed(shop, shop_data, action, language):
    """No number: the caller's latest order is read back and nothing changes until they say yes; a change that
    could not run on that order anyway is refused with its reason at once, naming the order."""
    customer = next(c for c in shop_data["customers"] if c["orders"])
    latest = shop.orders_of(customer["id"])[0]
    before = {o["number"]: shop.order(o["number"])["status"] for o in shop_data["orders"]}
    tickets = shop.count(db.tickets)
    result = act(shop, action, customer=customer, language=language, address="9 Hill Road")
    assert not result.ok and not result.changed
    if result.reason != "needs_confirmation":  # why it can't be done, about the order it would have read back
        assert action in {"get_refund", "cancel_order", "change_shipping_address"}
        assert result.target == f"order:{latest['number']}" and result.facts.order_number == latest["number"]
    elif action != "delete_account":
        assert isinstance(result.facts, ConfirmOrder) and result.facts.latest
    assert {o["number"]: shop.order(o["number"])["status"] for o in shop_data["orders"]} == before
    assert shop.count(db.tickets) == tickets


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(("action", "status", "reason"), [
    ("cancel_order", "shipped", "already_shipped"), ("cancel_order", "cancelled", "already_cancelled"),
    ("get_refund", "paid", "not_shipped"), ("get_refund", "return_requested", "already_requested"),
    ("change_shipping_address", "delivered", "already_shipped")])
def test_a_change_that_cannot_run_is_refused_before_any_read_back(shop, shop_data, language, action, status, reason):
    """The caller's latest order could not take the change anyway: say why now, not "shall I ...?" first."""
    customer = next((c for c in shop_data["customers"] if c["orders"]
                     and shop.orders_of(c["id"])[0]["status"] == status), None)
    if customer is None:
        pytest.fail(f"the demo shop has no customer whose latest order is {status}")
    latest = shop.orders_of(customer["id"])[0]["number"]
    result = act(shop, action, customer=customer, language=language, address="9 Hill Road")
    assert (result.ok, result.changed, result.reason, result.target) == (False, False, reason, f"order:{latest}")
    assert shop.order(latest)["status"] == status


def test_a_misheard_number_matched_to_another_order_is_read_back_before_a_change(shop, find_order, owner):
    order = find_order("paid")
    state = caller_state(caller_id_of(owner(order)))
    misheard = order["number"] + "0"  # one digit too many, as Whisper often hears a digit string
    state.named_orders.add(misheard)
    result = run("cancel_order", shop, state, Slots(order_number=misheard), "en")
    assert result.reason == "needs_confirmation" and result.facts.order.number == order["number"]
    assert not result.facts.latest and shop.order(order["number"])["status"] == "paid"
    tracked = run("track_order", shop, state, Slots(order_number=misheard), "en")
    assert tracked.ok and tracked.facts.order_number == order["number"]  # read-only: the match may be used


def test_the_order_status_type_covers_every_state_in_the_shop(shop_data):
    assert {o["status"] for o in shop_data["orders"]} <= set(OrderStatus)
