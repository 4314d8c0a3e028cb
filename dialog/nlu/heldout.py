"""Hand-written caller utterances, five per intent and language, never used for training or model choice.

Written as callers talk (and as ASR writes them), deliberately unlike the templates: they are the
honest test of whether the intent model generalises beyond its own paraphrase families.
"""

from __future__ import annotations

HELDOUT: dict[str, dict[str, list[str]]] = {
    "cancel_order": {
        "en": [
            "Hi, I just ordered something by mistake and need to undo it.",
            "scrap order 55012 please",
            "I don't need the blender anymore, kill the order",
            "um can I still back out of my purchase",
            "Cancel it. The whole order.",
        ],
        "zh": [
            "我刚下的单不要了，帮我取消吧",
            "那个订单五五零幺二给我撤了",
            "买错了，这单别发了",
            "嗯 可以把订单作废吗",
            "我后悔了，不买了，帮我取消",
        ],
    },
    "change_order": {
        "en": [
            "I need to make a change to what I ordered",
            "can I get the blue one instead of the black in my order",
            "I'd like one more pair of socks added to order 77310",
            "the size I picked is wrong, can you update it",
            "um modify my order please",
        ],
        "zh": [
            "我订单里的东西想改一下",
            "能把黑色换成蓝色吗 订单还没发",
            "在订单七七三幺零里再加一双袜子",
            "我尺码选错了 帮我改成L码",
            "订单内容能调整吗",
        ],
    },
    "change_shipping_address": {
        "en": [
            "I gave you my old address, can you fix it before it ships",
            "ship it to my work instead, 500 Market Street",
            "the package needs to go to a different address",
            "update the address on my order to 9 Hill Road",
            "wrong street on my order, please correct it",
        ],
        "zh": [
            "我填的是旧地址 发货前能改吗",
            "别寄家里了 寄到公司去",
            "收货地址要换一个",
            "地址改成上海市静安区南京西路1号",
            "订单上的门牌号写错了 帮我改一下",
        ],
    },
    "check_cancellation_fee": {
        "en": [
            "if I cancel now do I lose any money",
            "what does it cost me to back out of an order",
            "any charges for cancelling?",
            "is cancelling free or do you take a fee",
            "will you keep part of my money if I cancel",
        ],
        "zh": [
            "现在取消会扣我钱吗",
            "取消订单收不收费",
            "退订有没有费用",
            "取消的话要付违约金吗",
            "撤单是免费的吗",
        ],
    },
    "check_invoice": {
        "en": [
            "I'd like to review the invoice I got last month",
            "the total on my invoice seems off",
            "where do I look up my past invoices",
            "can you go over my invoice with me",
            "check my billing statement please",
        ],
        "zh": [
            "上个月的发票我想看一下",
            "发票上的金额好像不对",
            "历史发票在哪里查",
            "帮我看看发票写的什么",
            "核对一下账单发票",
        ],
    },
    "check_payment_methods": {
        "en": [
            "how can I pay you",
            "do you guys accept paypal",
            "is there a pay later option",
            "can I use my debit card to pay",
            "which cards work on your site",
        ],
        "zh": [
            "我可以怎么付钱",
            "能用微信支付吗",
            "支持先用后付吗",
            "借记卡能付款吗",
            "你们网站能用什么卡",
        ],
    },
    "check_refund_policy": {
        "en": [
            "what happens if I want to send something back",
            "how long is the return window",
            "do I get all my money back on returns",
            "can opened items be returned",
            "explain your refund rules to me",
        ],
        "zh": [
            "东西不想要了可以退吗 规则是什么",
            "退货期限是多久",
            "退货能全额退款吗",
            "拆封了还能退吗",
            "说一下你们的退款规定",
        ],
    },
    "complaint": {
        "en": [
            "this is absolutely ridiculous I've been waiting for weeks",
            "I'm fed up with your company",
            "nobody has helped me and I'm calling for the third time",
            "the driver threw my parcel over the fence",
            "I want to report how badly I was treated",
        ],
        "zh": [
            "等了好几个星期了 太离谱了",
            "你们公司真让人受够了",
            "打了三次电话都没人解决",
            "快递员把包裹直接扔门口",
            "我要反映一下你们的服务态度",
        ],
    },
    "contact_customer_service": {
        "en": [
            "what number do I call for help",
            "is there an email for support",
            "when is your help desk open",
            "how do I get in touch with you guys",
            "do you have live chat",
        ],
        "zh": [
            "有问题打哪个电话",
            "客服有邮箱吗",
            "你们客服几点下班",
            "我怎么联系你们",
            "有在线聊天吗",
        ],
    },
    "contact_human_agent": {
        "en": [
            "I want to talk to an actual person",
            "representative",
            "stop, get me a human",
            "can you transfer me to somebody real",
            "I need a live agent please",
        ],
        "zh": [
            "我要找人工",
            "转人工",
            "别让机器人回答 找个真人",
            "帮我接一下客服人员",
            "我要跟你们的工作人员说",
        ],
    },
    "create_account": {
        "en": [
            "I want to become a member",
            "how do I make an account with you",
            "I'd like to register please",
            "set me up with a new login",
            "can I sign up using my phone number",
        ],
        "zh": [
            "我想成为会员",
            "怎么开个账户",
            "我要注册",
            "帮我弄个新账号",
            "能用手机号开户吗",
        ],
    },
    "delete_account": {
        "en": [
            "please remove my account completely",
            "I want to close my profile for good",
            "how can I get rid of my account",
            "delete everything you have on me",
            "I'd like my membership terminated",
        ],
        "zh": [
            "帮我把账户彻底删了",
            "我想永久注销",
            "账号怎么销户",
            "把我的资料全部删除",
            "会员我不要了 注销掉",
        ],
    },
    "delivery_options": {
        "en": [
            "can I get it faster if I pay more",
            "do you deliver on weekends",
            "is in-store pickup possible",
            "which shipping companies do you work with",
            "do you deliver overseas",
        ],
        "zh": [
            "多付钱能快点送吗",
            "周末送货吗",
            "能去门店自提吗",
            "你们合作的快递公司有哪些",
            "能寄到美国吗",
        ],
    },
    "delivery_period": {
        "en": [
            "how soon can I expect it",
            "when's it going to get here",
            "is three days a normal wait",
            "what's the ETA on my package",
            "will it be here before Christmas",
        ],
        "zh": [
            "大概多久能收到",
            "什么时候到货",
            "一般要等几天",
            "包裹预计几号到",
            "过年前能到吗",
        ],
    },
    "edit_account": {
        "en": [
            "I need to change my name on the account",
            "my phone number changed, can you update it",
            "how do I edit my profile details",
            "update my email to amy at example dot com",
            "fix the birthday on my account",
        ],
        "zh": [
            "账户上的名字要改",
            "我换手机号了 帮我更新",
            "怎么修改个人信息",
            "邮箱改成amy@example.com",
            "账号里的生日写错了",
        ],
    },
    "get_invoice": {
        "en": [
            "I need a receipt for my expense report",
            "send the invoice for order 10023 to my email",
            "can I get a tax invoice for my company",
            "where can I download my receipt",
            "please issue me an invoice",
        ],
        "zh": [
            "报销需要发票 帮我开一下",
            "订单一万零二十三的发票发我邮箱",
            "能开公司抬头的发票吗",
            "电子发票在哪下载",
            "我还没拿到发票 给我开一张",
        ],
    },
    "get_refund": {
        "en": [
            "I want my money back",
            "the headphones broke after a day, refund me",
            "I'm sending it back, I want a refund",
            "please process a refund for order 40420",
            "how do I get reimbursed",
        ],
        "zh": [
            "把钱退给我",
            "耳机用了一天就坏了 我要退款",
            "我要退货 钱退回来",
            "订单四零四二零申请退款",
            "怎么才能拿回我的钱",
        ],
    },
    "newsletter_subscription": {
        "en": [
            "take me off your mailing list",
            "I want to get your weekly deals email",
            "stop spamming me with promos",
            "how do I subscribe to updates",
            "unsubscribe me please",
        ],
        "zh": [
            "别再给我发邮件了",
            "我想每周收到优惠邮件",
            "你们的广告短信太多了 退订",
            "怎么订阅你们的消息",
            "帮我退订",
        ],
    },
    "payment_issue": {
        "en": [
            "my card got declined at checkout",
            "you charged me two times for the same thing",
            "the payment went through but there's no order",
            "checkout keeps erroring when I pay",
            "I see a charge I don't recognise from you",
        ],
        "zh": [
            "结账的时候卡被拒了",
            "同一个东西扣了我两次钱",
            "钱付了但是订单没生成",
            "付款一直报错",
            "我卡上有一笔你们的扣款不对",
        ],
    },
    "place_order": {
        "en": [
            "I'd like to buy two yoga mats",
            "can I order a coffee maker over the phone",
            "I want to get the smart watch",
            "put in an order for three phone cases",
            "how do I purchase something",
        ],
        "zh": [
            "我要买两个瑜伽垫",
            "电话里能下单咖啡机吗",
            "我想买那个智能手表",
            "帮我订三个手机壳",
            "怎么买东西",
        ],
    },
    "recover_password": {
        "en": [
            "I can't remember my login password",
            "reset my password please",
            "I'm locked out of my account",
            "send me a link to change my password",
            "my password doesn't work anymore",
        ],
        "zh": [
            "登录密码想不起来了",
            "帮我重置一下密码",
            "账号被锁住登不进去",
            "给我发个改密码的链接",
            "密码不对了登不上",
        ],
    },
    "registration_problems": {
        "en": [
            "the sign up page keeps giving me an error",
            "I'm trying to register but it won't let me",
            "it says my email is already taken",
            "the verification code never arrives when I sign up",
            "I can't finish creating my account",
        ],
        "zh": [
            "注册页面一直报错",
            "我想注册但是注册不上",
            "说我的邮箱已经被用了",
            "注册的验证码一直收不到",
            "账号创建到一半卡住了",
        ],
    },
    "review": {
        "en": [
            "I want to rate the kettle I bought",
            "where do I leave feedback",
            "I'd like to write a review of the shoes",
            "how can I post a rating for my order",
            "I want to tell others how great this lamp is",
        ],
        "zh": [
            "我想给买的水壶打个分",
            "在哪里留评论",
            "我要给这双鞋写个评价",
            "怎么给订单评分",
            "这个台灯太好了 想写个好评",
        ],
    },
    "set_up_shipping_address": {
        "en": [
            "I want to save a new address to my account",
            "how do I add a delivery address",
            "make 9 Hill Road my default address",
            "I need another address on file",
            "where do I put in my home address",
        ],
        "zh": [
            "我想在账户里存个新地址",
            "怎么添加收货地址",
            "把文三路5号设为默认地址",
            "我要再加一个地址",
            "家庭住址在哪里填",
        ],
    },
    "switch_account": {
        "en": [
            "I'm signed into the wrong account",
            "how do I use my other account",
            "switch me to my business account",
            "log me into a different profile",
            "I have two accounts and want to change between them",
        ],
        "zh": [
            "我登的不是我的账号",
            "怎么用另一个账号",
            "切换到我的企业账户",
            "换个账号登录",
            "我有两个账号 想来回切换",
        ],
    },
    "track_order": {
        "en": [
            "where's my stuff",
            "order 10023, has it shipped yet",
            "I still haven't got my package",
            "can you tell me where my delivery is",
            "what's happening with order one oh oh two three",
        ],
        "zh": [
            "我的东西到哪儿了",
            "订单一万零二十三发货了没",
            "包裹一直没收到",
            "帮我看看快递现在在哪",
            "幺零零二三这个订单什么情况",
        ],
    },
    "track_refund": {
        "en": [
            "I still haven't seen my refund",
            "what's going on with my money back",
            "when does the refund hit my card",
            "was my refund approved",
            "it's been two weeks and no refund",
        ],
        "zh": [
            "退款一直没看到",
            "我的退款怎么样了",
            "退款几天能到卡上",
            "退款审核通过了吗",
            "都两个星期了钱还没退回来",
        ],
    },
    "greeting": {
        "en": [
            "hello",
            "hi there",
            "good morning",
            "hey, is anyone there?",
            "hello, customer service?",
        ],
        "zh": [
            "你好",
            "喂 你好",
            "早上好",
            "有人在吗",
            "您好 是客服吗",
        ],
    },
    "goodbye": {
        "en": [
            "bye now",
            "thanks, that's everything",
            "ok goodbye",
            "have a good one",
            "I'll let you go, bye",
        ],
        "zh": [
            "拜拜",
            "好的 没事了 再见",
            "那就这样 再见",
            "谢谢 挂了",
            "好 先这样吧",
        ],
    },
    "affirm": {
        "en": [
            "yes",
            "yeah that's right",
            "correct",
            "sure, go ahead",
            "yep",
        ],
        "zh": [
            "是的",
            "对",
            "没错",
            "好的 就这样",
            "嗯 对的",
        ],
    },
    "deny": {
        "en": [
            "no",
            "nope",
            "that's not right",
            "no thanks",
            "no, don't do that",
        ],
        "zh": [
            "不是",
            "不对",
            "不用了",
            "不要",
            "没有",
        ],
    },
    "product_question": {
        "en": [
            "is the smart watch waterproof",
            "how much are the running shoes",
            "do you have the backpack in red",
            "does the desk lamp come with a bulb",
            "are the wireless earbuds in stock",
        ],
        "zh": [
            "智能手表防水吗",
            "跑鞋多少钱一双",
            "双肩包有红色的吗",
            "台灯带灯泡吗",
            "无线耳机现在有货吗",
        ],
    },
    "recommend_product": {
        "en": [
            "what would make a good birthday present",
            "I need something for my new kitchen, any ideas",
            "which headphones do you recommend",
            "what's popular right now",
            "help me choose a laptop bag",
        ],
        "zh": [
            "生日礼物送什么好",
            "新厨房需要点东西 有推荐吗",
            "哪款耳机比较好",
            "现在什么最火",
            "帮我挑个电脑包",
        ],
    },
    "out_of_scope": {
        "en": [
            "what time is it in Tokyo",
            "can you help me with my math homework",
            "who is the president",
            "sing me a song",
            "asdf qwerty zxcv",
        ],
        "zh": [
            "东京现在几点",
            "帮我写作业",
            "总统是谁",
            "给我唱首歌",
            "啊啊啊 呃 哈哈",
        ],
    },
}
