"""The bilingual customer-service dialogue set the reply model is tuned on, generated from templates.

Each example is one turn: an action result with varied facts, a caller line in zh or en, a mood,
and the target reply: short, spoken, in the caller's language, stating exactly the given facts
(the template sentences behind a short spoken opener). Prompts come from `dialog.generate.prompt`,
the same function the runtime uses, so the model is tuned on exactly what it will see.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from dialog.generate.prompt import build_messages
from dialog.generate.templates import template_reply
from dialog.types import ActionResult, Language, MoodLabel

CARRIERS = [("SF Express", "SF"), ("JD Logistics", "JD"), ("ZTO Express", "ZT"), ("China Post EMS", "EM"),
            ("YTO Express", "YT")]
ACCOUNTS = {"en": ["Alipay", "WeChat Pay", "card", "PayPal"], "zh": ["支付宝", "微信支付", "银行卡", "信用卡"]}
ADDRESSES = {"en": ["12 Market St, San Francisco", "400 Broadway, New York", "77 Pine Ave, Seattle",
                    "5 Lake Shore Dr, Chicago", "9 Elm Road, Boston"],
             "zh": ["上海市浦东新区世纪大道100号", "北京市朝阳区建国路88号", "广州市天河区体育西路12号",
                    "深圳市南山区科技园路6号", "杭州市西湖区文三路200号", "成都市武侯区人民南路9号"]}
PRODUCTS = [("wireless earbuds", "无线耳机"), ("desk lamp", "台灯"), ("running shoes", "跑步鞋"),
            ("thermos bottle", "保温杯"), ("phone case", "手机壳"), ("backpack", "双肩包"), ("rice cooker", "电饭煲"),
            ("yoga mat", "瑜伽垫"), ("smart watch", "智能手表"), ("coffee grinder", "咖啡研磨机")]
METHODS = {"en": ["standard delivery", "express delivery", "same-day delivery"],
           "zh": ["普通快递", "加急快递", "当日达"]}

CALLER: dict[str, dict[Language, list[str]]] = {
    "track_order": {"en": ["Where is my order {o}?", "Can you check order {o} for me?", "Has {o} shipped yet?",
                           "I'm still waiting for order {o}.", "What's the status of my order {o}?"],
                    "zh": ["我的订单{o}到哪了？", "帮我查一下订单{o}。", "订单{o}发货了吗？", "{o}这个订单怎么还没到？",
                           "我想查询订单{o}的状态。"]},
    "cancel_order": {"en": ["Please cancel order {o}.", "I want to cancel {o}.", "Cancel my order {o}, please."],
                     "zh": ["请帮我取消订单{o}。", "我要取消{o}这个订单。", "订单{o}不要了，取消吧。"]},
    "change_shipping_address": {"en": ["Can you change the address for order {o}?", "Ship {o} to my new address."],
                                "zh": ["订单{o}的地址能改一下吗？", "帮我把{o}的收货地址改了。"]},
    "return_order": {"en": ["I want to return order {o}.", "I'd like a refund for {o}.", "How do I send back {o}?"],
                     "zh": ["我想退货，订单号{o}。", "订单{o}我要退款。", "{o}这个我想退了。"]},
    "track_refund": {"en": ["Where is my refund for {o}?", "Has the refund for order {o} gone through?"],
                     "zh": ["订单{o}的退款到账了吗？", "我的退款怎么还没到，订单{o}。"]},
    "invoice": {"en": ["I need the invoice for order {o}.", "Can you send me an invoice for {o}?"],
                "zh": ["我要订单{o}的发票。", "{o}能开发票吗？"]},
    "check_payment_methods": {"en": ["How can I pay?", "Which payment methods do you take?"],
                              "zh": ["可以用什么方式付款？", "你们支持哪些支付方式？"]},
    "payment_issue": {"en": ["I was charged twice for order {o}!", "There's a double charge on {o}."],
                      "zh": ["订单{o}扣了我两次钱！", "{o}重复扣款了。"]},
    "delivery_options": {"en": ["What delivery options do you have?", "Can I get faster shipping?"],
                         "zh": ["有哪些配送方式？", "能不能快一点送？"]},
    "delivery_period": {"en": ["How long does delivery take?", "When will order {o} arrive?"],
                        "zh": ["配送要多久？", "订单{o}什么时候能到？"]},
    "return_policy": {"en": ["What's your return policy?", "How long do I have to return something?"],
                      "zh": ["退货政策是什么？", "多少天内可以退货？"]},
    "product_question": {"en": ["How much are the {p}?", "Do you have the {p} in stock?"],
                         "zh": ["{p}多少钱？", "{p}有货吗？"]},
    "recommend_product": {"en": ["Can you recommend something for {use}?", "What would you suggest as a gift?"],
                          "zh": ["有什么推荐的吗？", "送礼买什么好？"]},
    "complaint": {"en": ["This is terrible, my {p} arrived broken!", "I want to complain about order {o}."],
                  "zh": ["太差了，{p}收到就是坏的！", "我要投诉，订单{o}。"]},
}
OPENERS: dict[Language, dict[str, list[str]]] = {
    "en": {"ok": ["Sure.", "Okay.", "Let me see.", "Right."], "refused": ["I'm sorry.", "Sorry.", "Hmm, I checked."]},
    "zh": {"ok": ["好的。", "好的，我查到了。", "嗯，", "您好，"], "refused": ["抱歉，", "不好意思，", "我帮您查了，"]},
}


@dataclass(frozen=True)
class Example:
    result: dict
    language: Language
    caller_text: str
    mood: MoodLabel
    target: str

    def action_result(self) -> ActionResult:
        return ActionResult(**self.result)

    def messages(self) -> list[dict[str, str]]:
        return build_messages(self.action_result(), self.language, self.caller_text, mood=self.mood)


def _day(rng: random.Random) -> str:
    return (date(2026, 11, 28) + timedelta(days=rng.randint(-40, 12))).isoformat()


def _result(action: str, lang: Language, rng: random.Random) -> ActionResult:
    o = str(rng.randint(10001, 10999))
    carrier, prefix = rng.choice(CARRIERS)
    tracking = prefix + "".join(rng.choices("0123456789", k=12))
    amount = rng.choice([19.9, 39.0, 59.5, 88.0, 128.0, 199.0, 259.0, 349.9, 520.0, 1299.0])
    account = rng.choice(ACCOUNTS[lang])
    refund_days = rng.choice(["3-7", "3-5", "5"])
    r = rng.random()
    if action == "track_order":
        status = rng.choice(["pending", "paid", "shipped", "shipped", "delivered", "cancelled"])
        facts: dict = {"order_number": o, "status": status}
        if status in ("shipped", "delivered"):
            facts |= {"carrier": carrier, "tracking_number": tracking}
        if status == "shipped":
            facts["eta"] = _day(rng)
        if status == "delivered":
            facts["delivered_on"] = _day(rng)
        return ActionResult(action, True, facts)
    if action == "cancel_order":
        if r < 0.55:
            return ActionResult(action, True, {"order_number": o, "status": "cancelled", "refund_amount": amount,
                                               "to_account": account, "refund_days": refund_days}, changed=True)
        if r < 0.85:
            return ActionResult(action, False, {"order_number": o, "return_window_days": 7}, reason="already_shipped")
        return ActionResult(action, False, {"order_number": o}, reason="already_cancelled")
    if action == "change_shipping_address":
        if r < 0.7:
            return ActionResult(action, True, {"order_number": o, "address": rng.choice(ADDRESSES[lang])}, changed=True)
        return ActionResult(action, False, {"order_number": o, "return_window_days": 7}, reason="already_shipped")
    if action == "return_order":
        if r < 0.5:
            return ActionResult(action, True, {"order_number": o, "refund_amount": amount, "to_account": account,
                                               "refund_days": refund_days}, changed=True)
        if r < 0.85:
            return ActionResult(action, False, {"order_number": o, "delivered_on": _day(rng), "return_window_days": 7},
                                reason="outside_window")
        return ActionResult(action, False, {"order_number": o}, reason="not_delivered")
    if action == "track_refund":
        status = rng.choice(["pending", "completed"])
        facts = {"order_number": o, "refund_status": status, "refund_amount": amount, "to_account": account}
        facts |= {"completed_on": _day(rng)} if status == "completed" else {"refund_days": refund_days}
        return ActionResult(action, True, facts) if r < 0.85 else ActionResult(action, False, {"order_number": o},
                                                                               reason="no_refund")
    if action == "invoice":
        if r < 0.75:
            return ActionResult(action, True, {"order_number": o, "issued_on": _day(rng),
                                               "emailed": rng.choice([True, False])})
        return ActionResult(action, False, {"order_number": o}, reason="no_invoice")
    if action == "check_payment_methods":
        methods = {"en": "Alipay, WeChat Pay, bank cards and PayPal", "zh": "支付宝、微信支付、银行卡和PayPal"}
        return ActionResult(action, True, {f"methods_{k}": v for k, v in methods.items()})
    if action == "payment_issue":
        if r < 0.7:
            facts = {"order_number": o, "duplicate_amount": amount, "refund_days": refund_days}
            return ActionResult(action, True, facts, changed=True, ticket_id=f"T{rng.randint(1000, 9999)}")
        return ActionResult(action, False, {"order_number": o, "charges": 1}, reason="no_issue_found")
    if action == "delivery_options":
        opts = {"en": "standard delivery in 3 to 5 days and express delivery in 1 to 2 days",
                "zh": "普通快递3到5天，加急快递1到2天"}
        return ActionResult(action, True, {f"options_{k}": v for k, v in opts.items()})
    if action == "delivery_period":
        i = rng.randrange(3)
        lo, hi = [(3, 5), (1, 2), (0, 1)][i]
        facts = {"method_en": METHODS["en"][i], "method_zh": METHODS["zh"][i], "days_min": lo, "days_max": hi}
        if r < 0.4:
            facts |= {"order_number": o, "eta": _day(rng)}
        return ActionResult(action, True, facts)
    if action == "return_policy":
        return ActionResult(action, True, {"return_window_days": 7, "refund_days": refund_days})
    if action in ("product_question", "recommend_product"):
        en, zh = rng.choice(PRODUCTS)
        price = rng.choice([29.0, 49.9, 99.0, 159.0, 299.0, 699.0])
        facts = {"name_en": en, "name_zh": zh, "price": price}
        if action == "product_question":
            facts |= {"in_stock": True} if r < 0.7 else {"out_of_stock": True}
        return ActionResult(action, True, facts)
    if action == "complaint":
        return ActionResult(action, True, {"order_number": o, "response_hours": rng.choice([2, 24, 48])},
                            ticket_id=f"T{rng.randint(1000, 9999)}", changed=True)
    raise ValueError(action)


def _target(result: ActionResult, lang: Language, mood: MoodLabel, rng: random.Random) -> str:
    sentences = template_reply(result, lang, negative=mood == "negative")
    if mood != "negative" and result.action != "complaint" and rng.random() < 0.7:
        opener = rng.choice(OPENERS[lang]["ok" if result.ok else "refused"])
        first = sentences[0]
        if lang == "en" and not first.startswith("I"):
            first = first[0].lower() + first[1:] if opener.endswith(",") else first
        sentences = [opener + ("" if lang == "zh" or opener.endswith((",", "，")) else " ") + first
                     if opener.endswith(("，", ",")) else opener, first, *sentences[1:]]
        if opener.endswith(("，", ",")):
            sentences.pop(1)
    return ("" if lang == "zh" else " ").join(sentences)


def make_examples(n: int, seed: int) -> list[Example]:
    rng = random.Random(seed)
    actions = list(CALLER)
    out = []
    for _ in range(n):
        action = rng.choice(actions)
        lang: Language = rng.choice(["en", "zh"])
        result = _result(action, lang, rng)
        en, zh = rng.choice(PRODUCTS)
        text = rng.choice(CALLER[action][lang]).format(o=result.facts.get("order_number", "10001"),
                                                      p=zh if lang == "zh" else en, use="my mother")
        mood: MoodLabel = "negative" if action in ("complaint", "payment_issue") or rng.random() < 0.25 else "neutral"
        out.append(Example(asdict(result), lang, text, mood, _target(result, lang, mood, rng)))
    return out


def split(n_train: int = 640, n_test: int = 32) -> tuple[list[Example], list[Example]]:
    """Train and held-out sets from different seeds (held-out facts and combinations are unseen)."""
    return make_examples(n_train, seed=1), make_examples(n_test, seed=2)


def save_jsonl(examples: list[Example], path: Path) -> None:
    path.write_text("".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in examples), encoding="utf-8")
