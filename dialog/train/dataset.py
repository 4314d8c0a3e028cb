"""The bilingual customer-service dialogue set the reply model is tuned on: real action results, template targets.

Each example is one turn: what an action really returned on the demo shop (every order in every
state, every product, every policy, as the owner calling from their own phone), a caller line in zh or
en, a mood, and the target reply: short, spoken, in the caller's language, stating exactly the given
facts (the template sentences behind a short spoken opener). The results are the contract's typed
records, and the prompts come from `dialog.generate.prompt`, the same function the runtime uses, so the
model is tuned on exactly what it will see and no fact name can drift between them.

Scripted outcomes (read-backs, verification, hand-offs, clarifying questions) are never written by the
model, so they are not in the set. The caller lines are this file's own; no sentence of an evaluation
set (the sample calls, the held-out replies) is used (tests/test_eval_sets.py checks it).
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dialog.actions import run
from dialog.contract import ActionResult
from dialog.generate.prompt import build_messages
from dialog.generate.templates import template_reply
from dialog.generate.writer import scripted
from dialog.knowledge import cache_path_for
from dialog.shop import db
from dialog.shop.db import Shop, national_number
from dialog.shop.seed import seed
from dialog.types import Action, CallState, Language, MoodLabel, Slots

ADDRESSES = {"en": ["12 Market St, San Francisco", "400 Broadway, New York", "9 Elm Road, Boston"],
             "zh": ["上海市浦东新区世纪大道100号", "北京市朝阳区建国路88号", "成都市武侯区人民南路9号"]}
ORDER_ACTIONS = (Action.track_order, Action.cancel_order, Action.change_shipping_address, Action.get_refund,
                 Action.track_refund, Action.check_invoice, Action.get_invoice, Action.payment_issue,
                 Action.delivery_period)
OTHER_ACTIONS = (Action.change_order, Action.check_cancellation_fee, Action.place_order, Action.review,
                 Action.check_refund_policy, Action.check_payment_methods, Action.delivery_options,
                 Action.create_account, Action.edit_account, Action.switch_account, Action.registration_problems,
                 Action.newsletter_subscription, Action.contact_customer_service, Action.recover_password,
                 Action.set_up_shipping_address, Action.complaint, Action.recommend_product)

CALLER: dict[Action, dict[Language, list[str]]] = {
    Action.track_order: {"en": ["Can you tell me where order {o} is?", "Can you check order {o} for me?",
                                "Has {o} shipped yet?", "I'm still waiting for order {o}.",
                                "What's the status of my order {o}?"],
                         "zh": ["我的订单{o}到哪了？", "帮我查查{o}这个订单。", "订单{o}发货了吗？",
                                "{o}这个订单怎么还没到？", "我想查询订单{o}的状态。"]},
    Action.cancel_order: {"en": ["Please cancel order {o}.", "I want to cancel {o}.", "Cancel my order {o}, please."],
                          "zh": ["请帮我取消订单{o}。", "我要取消{o}这个订单。", "订单{o}不要了，取消吧。"]},
    Action.change_shipping_address: {"en": ["Can you change the address for order {o}?", "Ship {o} to {a}."],
                                     "zh": ["订单{o}的地址能改一下吗？", "帮我把{o}的收货地址改成{a}。"]},
    Action.get_refund: {"en": ["I want to return order {o}.", "I'd like my money back for {o}.",
                               "How do I send back {o}?"],
                        "zh": ["我想退货，订单号{o}。", "订单{o}我要退款。", "{o}这个我想退了。"]},
    Action.track_refund: {"en": ["Where is my refund for {o}?", "Has the refund for order {o} gone through?"],
                          "zh": ["订单{o}的退款到账了吗？", "我的退款怎么还没到，订单{o}。"]},
    Action.check_invoice: {"en": ["Did you issue an invoice for {o}?", "Was the invoice for order {o} sent?"],
                           "zh": ["订单{o}开发票了吗？", "订单{o}的发票开了没有？"]},
    Action.get_invoice: {"en": ["I need the invoice for order {o}.", "Can you send me an invoice for {o}?"],
                         "zh": ["我要订单{o}的发票。", "把{o}的发票发给我。"]},
    Action.payment_issue: {"en": ["I was charged twice for order {o}!", "There's a double charge on {o}."],
                           "zh": ["订单{o}扣了我两次钱！", "{o}重复扣款了。"]},
    Action.delivery_period: {"en": ["When will order {o} arrive?", "How long until {o} gets here?"],
                             "zh": ["订单{o}什么时候能到？", "{o}还要几天到？"]},
    Action.change_order: {"en": ["Can I change the size on my order?"], "zh": ["下单后能改商品吗？"]},
    Action.check_cancellation_fee: {"en": ["Does cancelling cost anything?"], "zh": ["取消订单要收费吗？"]},
    Action.place_order: {"en": ["How do I place an order?"], "zh": ["怎么下单？"]},
    Action.review: {"en": ["How can I leave a review?"], "zh": ["怎么写评价？"]},
    Action.check_refund_policy: {"en": ["What's your return policy?", "How long do I have to return something?"],
                                 "zh": ["退货政策是什么？", "多少天内可以退货？"]},
    Action.check_payment_methods: {"en": ["How can I pay?", "Which payment methods do you take?"],
                                   "zh": ["可以用什么方式付款？", "你们支持哪些支付方式？"]},
    Action.delivery_options: {"en": ["What delivery options do you have?", "Can I get faster shipping?"],
                              "zh": ["有哪些配送方式？", "能不能快一点送？"]},
    Action.create_account: {"en": ["How do I open an account?"], "zh": ["怎么注册账号？"]},
    Action.edit_account: {"en": ["I need to change my account details."], "zh": ["我想改一下账户信息。"]},
    Action.switch_account: {"en": ["How do I switch to my other account?"], "zh": ["怎么切换到另一个账号？"]},
    Action.registration_problems: {"en": ["I can't sign up, the code never comes."], "zh": ["注册收不到验证码。"]},
    Action.newsletter_subscription: {"en": ["Please stop the marketing emails."], "zh": ["我不想再收推广邮件了。"]},
    Action.contact_customer_service: {"en": ["What are your opening hours?"], "zh": ["你们客服几点上班？"]},
    Action.recover_password: {"en": ["I forgot my password."], "zh": ["我忘记密码了。"]},
    Action.set_up_shipping_address: {"en": ["Please save {a} as my address."], "zh": ["帮我把{a}设为默认地址。"]},
    Action.complaint: {"en": ["This is terrible, my parcel arrived broken!", "I want to make a complaint."],
                       "zh": ["太差了，东西收到就是坏的！", "我要投诉。"]},
    Action.product_question: {"en": ["How much is the {p}?", "Is the {p} in stock at the moment?"],
                              "zh": ["{p}多少钱？", "{p}有货吗？"]},
    Action.recommend_product: {"en": ["Can you recommend something?", "What would you suggest as a gift?"],
                               "zh": ["有什么推荐的吗？", "送礼买什么好？"]},
}
OPENERS: dict[Language, dict[str, list[str]]] = {
    "en": {"ok": ["Sure.", "Okay.", "Let me see.", "Right."], "refused": ["I'm sorry.", "Sorry.", "Hmm, I checked."]},
    "zh": {"ok": ["好的。", "好的，我查到了。", "嗯，", "您好，"], "refused": ["抱歉，", "不好意思，", "我帮您查了，"]},
}


@dataclass(frozen=True)
class Example:
    result: ActionResult
    language: Language
    caller_text: str
    mood: MoodLabel
    target: str

    def messages(self) -> list[dict[str, str]]:
        return build_messages(self.result, self.language, self.caller_text, mood=self.mood)

    def to_json(self) -> dict:
        return {"action": self.result.record(), "facts_type": type(self.result.facts).__name__,
                "facts": self.result.facts.as_dict(), "language": self.language, "caller": self.caller_text,
                "mood": self.mood, "target": self.target}


@dataclass(frozen=True)
class _Situation:
    action: Action
    language: Language
    caller_id: str | None
    slots: Slots
    said: str


def _situations(shop: Shop, language: Language, rng: random.Random, stride: int) -> Iterator[_Situation]:
    customers = {c["id"]: c for c in shop.all_rows(db.customers)}
    for number in sorted(shop.order_numbers())[::stride]:
        owner = customers[shop.order(number)["customer_id"]]
        for action in ORDER_ACTIONS:
            yield _Situation(action, language, national_number(owner["phone"]),
                             Slots(order_number=number, address=rng.choice(ADDRESSES[language])), "")
    for customer in list(customers.values())[::stride]:
        for action in OTHER_ACTIONS:
            yield _Situation(action, language, national_number(customer["phone"]),
                             Slots(address=rng.choice(ADDRESSES[language])), _said(action, language, rng))
    for product in shop.products()[::stride]:
        name = product["name_zh" if language == "zh" else "name_en"]
        yield _Situation(Action.product_question, language, None, Slots(product=product["sku"]), name)
    for row in shop.faq():
        if row["language"] == language:
            yield _Situation(Action.product_question, language, None, Slots(), row["question"])


def _said(action: Action, language: Language, rng: random.Random) -> str:
    return rng.choice(CALLER[action][language]).format(o="", a=rng.choice(ADDRESSES[language]), p="")


def real_results(seed_: int = 0, stride: int = 1) -> list[tuple[ActionResult, Language]]:
    """What the actions really return on a fresh demo shop, for every order, customer and product (every
    `stride`-th one); the shop is restored after each change, so every result starts from the shop as seeded."""
    rng = random.Random(seed_)
    out: list[tuple[ActionResult, Language]] = []
    with tempfile.TemporaryDirectory() as folder:
        seeded, work = Path(folder) / "seeded.db", Path(folder) / "work.db"
        shop = Shop(f"sqlite:///{seeded}")
        seed(shop)
        kept = cache_path_for(Shop())  # the catalogue's embeddings, made once at set-up
        if kept.exists():
            shutil.copy(kept, cache_path_for(shop))
        shop.close()
        shutil.copy(seeded, work)
        if kept.exists():
            shutil.copy(kept, cache_path_for(Shop(f"sqlite:///{work}")))
        shop = Shop(f"sqlite:///{work}")
        for language in ("en", "zh"):
            for s in list(_situations(shop, language, rng, stride)):
                state = CallState(call_id="train", caller_id=s.caller_id, language=language)
                if s.said:
                    state.history.append(("caller", s.said))
                if s.slots.order_number:
                    state.named_orders.add(s.slots.order_number)
                result = run(s.action, shop, state, s.slots, language)
                if result is not None and not scripted(result):
                    out.append((result, language))
                if result is not None and result.changed:
                    shop.close()
                    shutil.copy(seeded, work)
                    shop = Shop(f"sqlite:///{work}")
        shop.close()
    return out


def _target(result: ActionResult, lang: Language, mood: MoodLabel, rng: random.Random) -> str:
    sentences = template_reply(result, lang, negative=mood == "negative")
    if mood != "negative" and result.action != Action.complaint and rng.random() < 0.7:
        opener = rng.choice(OPENERS[lang]["ok" if result.ok else "refused"])
        first = sentences[0]
        if lang == "en" and not first.startswith("I"):
            first = first[0].lower() + first[1:] if opener.endswith(",") else first
        sentences = [opener + ("" if lang == "zh" or opener.endswith((",", "，")) else " ") + first
                     if opener.endswith(("，", ",")) else opener, first, *sentences[1:]]
        if opener.endswith(("，", ",")):
            sentences.pop(1)
    return ("" if lang == "zh" else " ").join(sentences)


def _caller_line(result: ActionResult, lang: Language, rng: random.Random) -> str:
    values = result.facts.values()
    product = values.get("name", "")
    return rng.choice(CALLER[result.action][lang]).format(o=values.get("order_number", ""), p=product,
                                                          a=values.get("address", ""))


def make_examples(n: int, seed_: int, pool: list[tuple[ActionResult, Language]] | None = None) -> list[Example]:
    """`n` turns drawn evenly over (action, outcome) from the real results, then at random within each."""
    rng = random.Random(seed_)
    groups: dict[tuple[str, str], list[tuple[ActionResult, Language]]] = defaultdict(list)
    for result, language in pool if pool is not None else real_results():
        groups[(str(result.action), str(result.outcome))].append((result, language))
    keys = sorted(groups)
    out = []
    for i in range(n):
        result, lang = rng.choice(groups[keys[i % len(keys)]])
        mood: MoodLabel = "negative" if result.action in (Action.complaint, Action.payment_issue) or \
            rng.random() < 0.25 else "neutral"
        out.append(Example(result, lang, _caller_line(result, lang, rng), mood, _target(result, lang, mood, rng)))
    rng.shuffle(out)
    return out


def save_jsonl(examples: list[Example], path: Path) -> None:
    path.write_text("".join(json.dumps(e.to_json(), ensure_ascii=False) + "\n" for e in examples), encoding="utf-8")
