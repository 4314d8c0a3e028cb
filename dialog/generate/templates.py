"""Template replies: one per action outcome and refusal reason, in both languages, filled from facts.

They are the fallback whenever the model is late, fails or states something the facts do not
hold, so they must cover every action and can never invent: a sentence is said only when every
fact it names is present (`[flag]` at the start of a piece: said only when that fact is truthy).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dialog.generate.facts import spoken_facts
from dialog.types import ActionResult, Language

Pieces = dict[Language, tuple[str, ...]]

# What each action (or intent) is called in the template table.
ALIASES: dict[str, str] = {
    "track": "track_order", "order_status": "track_order", "lookup_order": "track_order",
    "cancel": "cancel_order", "change_order": "change_order",
    "change_address": "change_shipping_address", "set_up_shipping_address": "change_shipping_address",
    "return": "return_order", "get_refund": "return_order", "start_return": "return_order",
    "open_return": "return_order",
    "refund_status": "track_refund",
    "check_invoice": "invoice", "get_invoice": "invoice", "send_invoice": "invoice",
    "payment_methods": "check_payment_methods",
    "charged_twice": "payment_issue",
    "shipping_options": "delivery_options", "delivery_time": "delivery_period",
    "check_refund_policy": "return_policy", "refund_policy": "return_policy",
    "check_cancellation_fee": "cancellation_fee",
    "create_account": "account_help", "delete_account": "account_help", "edit_account": "account_help",
    "recover_password": "account_help", "registration_problems": "account_help", "switch_account": "account_help",
    "newsletter_subscription": "account_help", "account": "account_help",
    "product_answer": "product_question", "product": "product_question", "faq": "product_question",
    "recommend": "recommend_product", "recommendation": "recommend_product",
    "contact_human_agent": "handoff", "contact_customer_service": "handoff", "transfer": "handoff",
    "verify": "verification_needed", "verification": "verification_needed",
    "place_order": "place_order", "review": "review",
}

TEMPLATES: dict[str, Pieces] = {
    "track_order": {
        "en": ("Your order {order_number} is {status}.",
               "It went out with {carrier}, tracking number {tracking_number}.",
               "It was delivered on {delivered_on}.", "It should arrive by {eta}."),
        "zh": ("您的订单{order_number}{status}。", "承运商是{carrier}，运单号{tracking_number}。",
               "已于{delivered_on}签收。", "预计{eta}前送达。"),
    },
    "cancel_order": {
        "en": ("Done, order {order_number} is cancelled.",
               "{refund_amount} will go back to your {to_account} within {refund_days} days."),
        "zh": ("好的，订单{order_number}已经取消了。", "{refund_amount}会在{refund_days}天内退回您的{to_account}。"),
    },
    "change_order": {
        "en": ("Order {order_number} has been updated.", "The new total is {total}."),
        "zh": ("订单{order_number}已经修改好了。", "新的总价是{total}。"),
    },
    "change_shipping_address": {
        "en": ("The delivery address for order {order_number} is now {address}.",),
        "zh": ("订单{order_number}的收货地址已改为{address}。",),
    },
    "return_order": {
        "en": ("I've opened a return for order {order_number}.",
               "Once we receive it, {refund_amount} goes back to your {to_account} within {refund_days} days."),
        "zh": ("已为订单{order_number}办理退货。",
               "我们收到商品后，{refund_amount}会在{refund_days}天内退回您的{to_account}。"),
    },
    "track_refund": {
        "en": ("The refund for order {order_number} is {refund_status}.", "It is {refund_amount} to your {to_account}.",
               "It was completed on {completed_on}.", "[pending]It should arrive within {refund_days} days."),
        "zh": ("订单{order_number}的退款{refund_status}。", "金额是{refund_amount}，退回您的{to_account}。",
               "已于{completed_on}完成。", "[pending]预计{refund_days}天内到账。"),
    },
    "invoice": {
        "en": ("The invoice for order {order_number} was issued on {issued_on}.",
               "[emailed]I've emailed it to the address on your account."),
        "zh": ("订单{order_number}的发票已于{issued_on}开具。", "[emailed]已发送到您账户的邮箱。"),
    },
    "check_payment_methods": {
        "en": ("We accept {methods}.",),
        "zh": ("我们支持{methods}。",),
    },
    "payment_issue": {
        "en": ("I can see a duplicate charge of {duplicate_amount} on order {order_number}.",
               "It will be refunded within {refund_days} days.", "Your ticket number is {ticket_id}."),
        "zh": ("我看到订单{order_number}重复扣款{duplicate_amount}。", "会在{refund_days}天内退回。",
               "您的工单号是{ticket_id}。"),
    },
    "delivery_options": {
        "en": ("We offer {options}.",),
        "zh": ("我们提供{options}。",),
    },
    "delivery_period": {
        "en": ("{method} takes {days_min} to {days_max} days.", "Order {order_number} should arrive by {eta}."),
        "zh": ("{method}一般{days_min}到{days_max}天送达。", "订单{order_number}预计{eta}前送达。"),
    },
    "return_policy": {
        "en": ("You can return items within {return_window_days} days of delivery.",
               "Refunds arrive within {refund_days} days.", "{answer}"),
        "zh": ("签收后{return_window_days}天内可以退货。", "退款会在{refund_days}天内到账。", "{answer}"),
    },
    "cancellation_fee": {
        "en": ("{answer}", "Cancelling costs {fee}."),
        "zh": ("{answer}", "取消订单的费用是{fee}。"),
    },
    "account_help": {
        "en": ("{answer}",),
        "zh": ("{answer}",),
    },
    "place_order": {
        "en": ("{answer}",),
        "zh": ("{answer}",),
    },
    "review": {
        "en": ("Thank you, your feedback has been recorded.",),
        "zh": ("谢谢，您的评价已经记录了。",),
    },
    "product_question": {
        "en": ("{name} costs {price}.", "[in_stock]It is in stock.", "[out_of_stock]It is out of stock right now.",
               "{answer}"),
        "zh": ("{name}的价格是{price}。", "[in_stock]目前有货。", "[out_of_stock]目前缺货。", "{answer}"),
    },
    "recommend_product": {
        "en": ("I'd suggest the {name}, at {price}.", "{answer}"),
        "zh": ("推荐您{name}，价格{price}。", "{answer}"),
    },
    "complaint": {
        "en": ("I'm really sorry about this.", "I've logged your complaint, ticket number {ticket_id}.",
               "A colleague will call you back within {response_hours} hours."),
        "zh": ("真的很抱歉给您带来不好的体验。", "已经为您登记投诉，工单号{ticket_id}。",
               "同事会在{response_hours}小时内回电。"),
    },
    "handoff": {
        "en": ("I'm transferring you to a colleague now.", "Your ticket number is {ticket_id}."),
        "zh": ("现在为您转接人工客服。", "您的工单号是{ticket_id}。"),
    },
    "verification_needed": {
        "en": ("To protect your account, I need to check it's you first.",
               "Could you tell me the last four digits of the phone number on the order?"),
        "zh": ("为了保护您的账户安全，需要先核实一下身份。", "请告诉我下单手机号的后四位。"),
    },
    "unknown_order": {
        "en": ("I couldn't find order {order_number}.", "Could you read me the order number again?"),
        "zh": ("没有找到订单{order_number}。", "麻烦您再说一遍订单号。"),
    },
    "clarify": {
        "en": ("Sorry, I didn't quite catch that.", "Could you tell me a bit more about what you need?"),
        "zh": ("不好意思，我没太听清楚。", "能再具体说一下您需要什么帮助吗？"),
    },
    "greeting": {
        "en": ("Hello, thanks for calling. How can I help you today?",),
        "zh": ("您好，感谢来电，请问有什么可以帮您？",),
    },
    "goodbye": {
        "en": ("Thank you for calling. Goodbye!",),
        "zh": ("感谢您的来电，再见！",),
    },
    "out_of_scope": {
        "en": ("Sorry, I can only help with orders, deliveries, returns and your account.",),
        "zh": ("不好意思，我只能帮您处理订单、配送、退货和账户的问题。",),
    },
    # Refusals, by reason (an action's own "action:reason" entry wins when there is one).
    "already_shipped": {
        "en": ("Order {order_number} has already shipped, so I can't change it now.",
               "Once it arrives, you can return it within {return_window_days} days."),
        "zh": ("订单{order_number}已经发货了，现在没办法修改。", "收到后{return_window_days}天内可以申请退货。"),
    },
    "cancel_order:already_shipped": {
        "en": ("Order {order_number} has already shipped, so it can't be cancelled.",
               "Once it arrives, you can return it within {return_window_days} days."),
        "zh": ("订单{order_number}已经发货，无法取消了。", "收到后{return_window_days}天内可以申请退货。"),
    },
    "already_cancelled": {
        "en": ("Order {order_number} was already cancelled.",),
        "zh": ("订单{order_number}已经取消过了。",),
    },
    "outside_window": {
        "en": ("Order {order_number} was delivered on {delivered_on}.",
               "That's more than {return_window_days} days ago, so it's outside the return window.",
               "[not_window]Sorry, it's outside the return window."),
        "zh": ("订单{order_number}是{delivered_on}签收的。", "已经超过{return_window_days}天的退货期限了。",
               "[not_window]抱歉，已经超过退货期限了。"),
    },
    "not_delivered": {
        "en": ("Order {order_number} hasn't been delivered yet, so it can't be returned yet.",),
        "zh": ("订单{order_number}还没有签收，暂时不能退货。",),
    },
    "no_invoice": {
        "en": ("The invoice for order {order_number} isn't ready yet; it's issued when the order ships.",),
        "zh": ("订单{order_number}的发票还没有开具，发货时才会开。",),
    },
    "no_refund": {
        "en": ("There is no refund on order {order_number}.",),
        "zh": ("订单{order_number}没有退款记录。",),
    },
    "no_issue_found": {
        "en": ("I checked order {order_number} and it was charged {charges} time.", "I don't see a duplicate charge."),
        "zh": ("我查了订单{order_number}，只扣款{charges}次。", "没有看到重复扣款。"),
    },
    "out_of_stock": {
        "en": ("Sorry, {name} is out of stock right now.",),
        "zh": ("抱歉，{name}目前缺货。",),
    },
    "needs_confirmation": {
        "en": ("Just to confirm: shall I go ahead with order {order_number}? Please say yes or no.",),
        "zh": ("跟您确认一下，订单{order_number}要继续办理吗？请说是或者不是。",),
    },
    "cancel_order:needs_confirmation": {
        "en": ("Just to confirm: shall I cancel order {order_number}? Please say yes or no.",),
        "zh": ("跟您确认一下，要取消订单{order_number}吗？请说是或者不是。",),
    },
    "not_verified": {
        "en": ("To protect your account, I need to check it's you first.",
               "Could you tell me the last four digits of the phone number on the order?"),
        "zh": ("为了保护您的账户安全，需要先核实一下身份。", "请告诉我下单手机号的后四位。"),
    },
    "verification_locked": {  # too many wrong proofs of identity (dialog/security.py): a person takes over
        "en": ("I'm sorry, I can't verify your identity over the phone after several attempts.",),
        "zh": ("抱歉，多次核实都没有通过，这次通话中无法再为您核实身份。",),
    },
    "missing_order_number": {
        "en": ("Could you tell me the order number?",),
        "zh": ("请告诉我您的订单号。",),
    },
    "missing_address": {
        "en": ("What address should I send it to?",),
        "zh": ("请告诉我新的收货地址。",),
    },
    "failed": {
        "en": ("Sorry, I couldn't do that just now.", "Your ticket number is {ticket_id}.",
               "[no_ticket]Would you like me to put you through to a colleague?"),
        "zh": ("抱歉，这个操作暂时没能完成。", "您的工单号是{ticket_id}。", "[no_ticket]需要为您转接人工客服吗？"),
    },
}
REASON_ALIASES = {"unverified": "not_verified", "verification_required": "not_verified",
                  "not_found": "unknown_order", "order_not_found": "unknown_order",
                  "return_window_closed": "outside_window", "too_late": "outside_window",
                  "confirm": "needs_confirmation", "awaiting_confirmation": "needs_confirmation",
                  "shipped": "already_shipped", "cancelled": "already_cancelled"}
EMPATHY: dict[Language, str] = {"en": "I'm sorry for the trouble.", "zh": "非常抱歉给您带来不便。"}

_FIELD = re.compile(r"\{(\w+)\}")
_FLAG = re.compile(r"^\[(\w+)\]")


def canonical_action(action: str) -> str:
    return ALIASES.get(action, action)


def template_key(result: ActionResult) -> str:
    """Which table entry answers this result: `action:reason`, then the reason, then the action."""
    action = canonical_action(result.action)
    if result.handoff and action != "complaint":
        return "handoff"
    if not result.ok:
        reason = REASON_ALIASES.get(result.reason or "", result.reason or "failed")
        for key in (f"{action}:{reason}", reason):
            if key in TEMPLATES:
                return key
        return "failed"
    return action if action in TEMPLATES else "failed"


def template_facts(result: ActionResult, language: Language) -> dict[str, str]:
    """The result's facts as spoken in `language`, with `name_zh`/`name_en` picked for the caller."""
    facts: dict[str, str | int | float] = {}
    for key, value in result.facts.items():
        base, _, lang = key.rpartition("_")
        if lang in ("en", "zh") and base:
            if lang == language:
                facts[base] = value
            continue
        facts.setdefault(key, value)
    if result.ticket_id and "ticket_id" not in facts:
        facts["ticket_id"] = result.ticket_id
    spoken = spoken_facts(facts, language)
    for field, prefix in (("methods", "method"), ("options", "option")):  # method_1, method_2... as one list
        items = [spoken[k] for k in sorted(spoken) if re.fullmatch(prefix + r"_\d+", k)]
        if items and field not in spoken:
            spoken[field] = _spoken_list(items, language)
    status = str(facts.get("refund_status", ""))
    if status in ("pending", "requested", "processing"):
        spoken.setdefault("pending", "1")
    if "ticket_id" not in spoken:
        spoken["no_ticket"] = "1"
    if "return_window_days" not in spoken:
        spoken["not_window"] = "1"
    return spoken


def template_fields(result: ActionResult, language: Language) -> set[str]:
    """The facts the result's template speaks: what a reply to it needs."""
    return set(_FIELD.findall(" ".join(TEMPLATES.get(template_key(result), {}).get(language, ()))))


def _spoken_list(items: list[str], language: Language) -> str:
    if len(items) == 1:
        return items[0]
    return "、".join(items[:-1]) + "和" + items[-1] if language == "zh" else ", ".join(items[:-1]) + " and " + items[-1]


def fill(pieces: tuple[str, ...], facts: Mapping[str, str]) -> list[str]:
    """Sentences whose every named fact is present (and whose flag, if any, is truthy)."""
    out = []
    for piece in pieces:
        flag = _FLAG.match(piece)
        if flag:
            if str(facts.get(flag[1], "")).lower() in ("", "0", "false", "no", "none"):
                continue
            piece = piece[flag.end():]
        if all(facts.get(name) not in (None, "") for name in _FIELD.findall(piece)):
            out.append(_FIELD.sub(lambda m: str(facts[m[1]]), piece))
    return out


OFFER_HUMAN = {"en": "Would you like me to put you through to a colleague?", "zh": "需要为您转接人工客服吗？"}
GOODWILL = {"en": "As an apology, I've added a {goodwill_voucher} voucher to your account.",
            "zh": "为表歉意，已为您的账户发放一张{goodwill_voucher}的优惠券。"}


def template_reply(result: ActionResult, language: Language, negative: bool = False,
                   clarify: str | None = None) -> list[str]:
    """The reply as sentences; never empty."""
    key = template_key(result)
    if key == "clarify" and clarify:
        return [clarify]
    facts = template_facts(result, language)
    sentences = fill(TEMPLATES[key][language], facts)
    if not sentences and result.ok and (answer := facts.get("policy") or facts.get("answer")):
        sentences = [str(answer)]  # the shop's own policy text, when no finer template fits the facts
    if not sentences:
        sentences = fill(TEMPLATES["failed"][language], facts)
    if negative and key not in ("complaint", "greeting", "goodbye"):
        sentences.insert(0, EMPATHY[language])
    return sentences
