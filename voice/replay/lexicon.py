"""QA's own words for "done", "couldn't", each action and each order status, in both languages.

The replay uses these to catch a reply that contradicts what its action did. They are written for QA,
apart from the product: nothing is taken from the reply templates or the reply writer's checks
(`dialog/generate/`), so the instrument does not share the product's blind spots. They are matched
with `says.states` (normalised text, word boundaries at Latin ends), so an entry is a plain phrase.

Claims are the completed forms ("I've cancelled", "已为您取消"), not the bare words: a refusal may
well say "cancelled" when the order already was.
"""

from __future__ import annotations

Lexicon = dict[str, list[str]]

# the reply says it could not do what was asked: wrong after an action that succeeded
FAILURE: Lexicon = {
    "en": ["sorry i couldn't", "sorry i could not", "i couldn't do that", "i could not do that", "i wasn't able to",
           "i was not able to", "i'm unable to", "i am unable to", "something went wrong", "didn't go through",
           "did not go through", "that didn't work", "it failed", "i can't do that right now",
           "i cannot do that right now", "couldn't complete", "could not complete", "couldn't process",
           "could not process"],
    "zh": ["暂时无法", "暂时没能", "没能完成", "没能办", "没能为您", "没有办成", "办理失败", "操作失败",
           "出了点问题", "出现了问题", "系统出错", "系统故障", "处理失败", "没有成功", "未能成功", "未能为您",
           "无法完成", "没办法处理"],
}

# the reply says a change was made, whatever it was: wrong after a refusal
DONE: Lexicon = {
    "en": ["successfully", "all done", "all set", "it's done", "that's done", "i've done that", "i have done that",
           "done for you", "taken care of"],
    "zh": ["办好了", "搞定了", "处理好了", "弄好了", "操作成功", "办理成功", "已成功", "已经成功"],
}

# what each change is called once it is done; a claim of any other action's change contradicts the one taken
ACTION_CLAIMS: dict[str, Lexicon] = {
    "cancel_order": {
        "en": ["i've cancelled", "i have cancelled", "i've canceled", "i have canceled", "i cancelled",
               "i canceled", "has now been cancelled", "has now been canceled", "is now cancelled", "is now canceled",
               "cancelled it for you", "canceled it for you", "cancellation is confirmed", "cancelled successfully",
               "canceled successfully"],
        "zh": ["已为您取消", "已经为您取消", "已帮您取消", "已经帮您取消", "取消成功", "成功取消", "已经取消成功",
               "帮您取消了", "为您取消了", "给您取消了"],
    },
    "change_shipping_address": {
        "en": ["i've changed the address", "i have changed the address", "i've updated the address",
               "i have updated the address", "address has been changed", "address has been updated",
               "address is now updated", "updated the delivery address", "changed the delivery address",
               "updated your address", "changed your address", "will now be delivered to", "will now ship to"],
        "zh": ["地址已修改", "地址已经修改", "地址已更新", "地址已经更新", "已为您修改", "已经为您修改", "已帮您修改",
               "地址改好了", "已改为", "已经改为", "已改成", "已经改成", "修改成功"],
    },
    "get_refund": {
        "en": ["i've started the return", "i have started the return", "i've opened a return",
               "i have opened a return",
               "i've opened the return", "i have opened the return", "return has been opened",
               "return has been created", "return request has been created", "i've submitted the return",
               "i have submitted the return", "i've registered the return", "i have registered the return",
               "return is approved", "return has been approved", "i've arranged the return",
               "i have arranged the return" ],
        "zh": ["已为您办理退货", "已经为您办理退货", "已帮您办理退货", "退货申请已提交", "退货申请已经提交",
               "已为您申请退货",
               "已为您提交退货", "已帮您提交退货", "退货已受理", "退货申请已受理", "已为您办理退款"],
    },
    "payment_issue": {
        "en": ["i've opened a dispute", "i have opened a dispute", "i've raised a dispute", "i have raised a dispute",
               "dispute has been opened", "dispute has been raised", "i've flagged the duplicate",
               "i have flagged the duplicate", "i've disputed", "i have disputed"],
        "zh": ["已为您提交争议", "已为您发起", "已经为您发起", "已提交申诉", "已为您申诉", "已为您反馈重复扣款",
               "已为您登记重复扣款"],
    },
    "get_invoice": {
        "en": ["i've sent the invoice", "i have sent the invoice", "i've emailed the invoice",
               "i have emailed the invoice",
               "invoice has been sent", "invoice has been emailed", "sent the invoice to", "emailed the invoice to"],
        "zh": ["发票已发送", "发票已经发送", "已将发票发送", "已经将发票发送", "已把发票发", "发票已发到",
               "发票已经发到",
               "已为您发送发票"],
    },
    "recover_password": {
        "en": ["i've sent a reset link", "i have sent a reset link", "i've sent a password reset",
               "i have sent a password reset", "reset link has been sent", "reset link is on its way",
               "sent you a reset link", "sent a link to reset"],
        "zh": ["重置链接已发送", "重置链接已经发送", "已发送重置", "已经发送重置", "已将重置链接", "已把重置链接",
               "重置链接已发到" ],
    },
    "delete_account": {
        "en": ["i've deleted your account", "i have deleted your account", "account has been deleted",
               "account is now deleted", "i've closed your account", "i have closed your account",
               "account has been closed"],
        "zh": ["账户已删除", "账号已删除", "账户已经删除", "账号已经删除", "已为您删除账", "已经为您删除账",
               "账户已注销",
               "账号已注销", "已为您注销"],
    },
    "place_order": {
        "en": ["i've placed the order", "i have placed the order", "i've placed an order", "i have placed an order",
               "order has been placed", "i've ordered", "i have ordered"],
        "zh": ["已为您下单", "已经为您下单", "已帮您下单", "下单成功", "已为您下了单"],
    },
    "change_order": {
        "en": ["i've changed your order", "i have changed your order", "i've updated your order",
               "i have updated your order", "order has been changed", "order has been updated", "i've swapped",
               "i have swapped"],
        "zh": ["订单已修改", "订单已经修改", "已为您修改订单", "已经为您修改订单", "已为您更换", "已帮您更换"],
    },
}

# a status said in the wrong tense: words that must not describe an order in that status
WRONG_TENSE: dict[str, Lexicon] = {
    "delivered": {
        "en": ["will ship", "will be shipped", "will be sent", "is on its way", "is on the way", "still on its way",
               "in transit", "will arrive", "should arrive", "expected to arrive", "hasn't been delivered",
               "has not been delivered", "not yet delivered", "not shipped yet", "hasn't shipped"],
        "zh": ["即将发货", "将会发货", "会尽快发货", "还没发货", "尚未发货", "正在配送", "运输中", "还在路上",
               "预计", "将于", "还没送达", "尚未送达", "还没签收", "尚未签收"],
    },
    "shipped": {
        "en": ["has been delivered", "was delivered", "has already been delivered", "has arrived", "was signed for",
               "will ship", "will be shipped", "hasn't shipped", "has not shipped", "not shipped yet",
               "hasn't been shipped", "has not been shipped"],
        "zh": ["已签收", "已经签收", "已送达", "已经送达", "即将发货", "还没发货", "尚未发货", "还未发货", "未发货"],
    },
    "not_shipped": {  # pending, paid
        "en": ["has shipped", "has been shipped", "was shipped", "has been dispatched", "is on its way",
               "is on the way", "in transit", "has been delivered", "was delivered", "has arrived"],
        "zh": ["已发货", "已经发货", "已发出", "已经发出", "运输中", "已签收", "已经签收", "已送达", "已经送达",
               "正在配送" ],
    },
    "cancelled": {
        "en": ["will ship", "will be shipped", "has shipped", "is on its way", "in transit", "will arrive",
               "has been delivered", "was delivered"],
        "zh": ["即将发货", "已发货", "已经发货", "运输中", "正在配送", "已签收", "已送达", "预计送达"],
    },
}
STATUS_TENSE = {"delivered": "delivered", "shipped": "shipped", "pending": "not_shipped", "paid": "not_shipped",
                "cancelled": "cancelled"}
