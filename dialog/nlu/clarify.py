"""Clarifying questions when the intent model is unsure, in the caller's language."""

from __future__ import annotations

from dialog.types import Language

# What each intent means, as the caller would say it back: "Do you want to <en>?" / "您是想<zh>？"
INTENT_PHRASES: dict[str, tuple[str, str]] = {
    "cancel_order": ("cancel an order", "取消订单"),
    "change_order": ("change an order", "修改订单"),
    "change_shipping_address": ("change the delivery address", "修改收货地址"),
    "check_cancellation_fee": ("ask about the cancellation fee", "了解取消费用"),
    "check_invoice": ("check an invoice", "查看发票"),
    "check_payment_methods": ("know how you can pay", "了解付款方式"),
    "check_refund_policy": ("know our refund policy", "了解退款政策"),
    "complaint": ("make a complaint", "投诉"),
    "contact_customer_service": ("know how to reach customer service", "了解客服联系方式"),
    "contact_human_agent": ("speak to a person", "转人工客服"),
    "create_account": ("create an account", "注册账号"),
    "delete_account": ("delete your account", "注销账号"),
    "delivery_options": ("know the delivery options", "了解配送方式"),
    "delivery_period": ("know when it will arrive", "了解送达时间"),
    "edit_account": ("change your account details", "修改账户信息"),
    "get_invoice": ("get an invoice", "开发票"),
    "get_refund": ("get a refund", "申请退款"),
    "newsletter_subscription": ("change your newsletter subscription", "订阅或退订邮件"),
    "payment_issue": ("sort out a payment problem", "解决付款问题"),
    "place_order": ("place an order", "下单购买"),
    "recover_password": ("reset your password", "找回密码"),
    "registration_problems": ("fix a sign-up problem", "解决注册问题"),
    "review": ("leave a review", "写评价"),
    "set_up_shipping_address": ("add a delivery address", "添加收货地址"),
    "switch_account": ("switch accounts", "切换账号"),
    "track_order": ("track your order", "查询订单"),
    "track_refund": ("check on a refund", "查询退款进度"),
    "greeting": ("say hello", "打个招呼"),
    "goodbye": ("end the call", "结束通话"),
    "affirm": ("say yes", "确认"),
    "deny": ("say no", "否认"),
    "product_question": ("ask about a product", "咨询商品"),
    "recommend_product": ("get a recommendation", "让我推荐商品"),
    "out_of_scope": ("ask about something else", "问别的事情"),
}

_NOT_HEARD = {
    "en": "Sorry, I didn't catch that. How can I help you with your order or account?",
    "zh": "抱歉，我没听清楚。请问您需要订单或账户方面的什么帮助？",
}
# Yes/no and small talk make poor options in a question: fall back to asking openly.
_NOT_OFFERED = {"greeting", "goodbye", "affirm", "deny", "out_of_scope"}


def clarifying_question(language: Language, options: list[str]) -> str:
    """ "Do you want to track your order or cancel it?" from the first two real options among the
    most likely intents (`options`, best first); an open question when there are none."""
    options = [o for o in options if o not in _NOT_OFFERED][:2]
    if not options:
        return _NOT_HEARD[language]
    if language == "zh":
        phrases = [INTENT_PHRASES[o][1] for o in options]
        return f"您是想{phrases[0]}还是{phrases[1]}？" if len(phrases) == 2 else f"您是想{phrases[0]}吗？"
    phrases = [INTENT_PHRASES[o][0] for o in options]
    return f"Do you want to {phrases[0]} or {phrases[1]}?" if len(phrases) == 2 else f"Do you want to {phrases[0]}?"
