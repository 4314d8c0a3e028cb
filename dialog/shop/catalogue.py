"""The demo shop's hand-written content: products, FAQ, policies, shipping and payment methods.

Kept apart from make_demo_data.py so the text can be reviewed (and translated) without reading the
generator. Some FAQ entries exist in one language only, on purpose: retrieval must cross languages.
"""

from __future__ import annotations

# (category, name_en, name_zh, price CNY, description_en, description_zh)
PRODUCTS: list[tuple[str, str, str, float, str, str]] = [
    ("electronics", "Wireless Earbuds Pro", "无线降噪耳机Pro", 599.0,
     "Active noise cancelling earbuds, 30-hour battery with the case.", "主动降噪，配合充电盒续航30小时。"),
    ("electronics", "Bluetooth Speaker Mini", "迷你蓝牙音箱", 199.0,
     "Waterproof pocket speaker with 12-hour playtime.", "防水便携音箱，连续播放12小时。"),
    ("electronics", "Fast Charger 65W", "65W快速充电器", 149.0,
     "USB-C GaN charger for laptops and phones.", "氮化镓USB-C充电器，笔记本和手机都能用。"),
    ("electronics", "Power Bank 20000mAh", "20000毫安充电宝", 179.0,
     "High-capacity power bank, charges a phone four times.", "大容量移动电源，可为手机充电四次。"),
    ("electronics", "Smart Watch S2", "智能手表S2", 899.0,
     "Heart rate, sleep tracking and NFC payments.", "心率监测、睡眠追踪和NFC支付。"),
    ("electronics", "Mechanical Keyboard", "机械键盘", 459.0,
     "Hot-swappable switches, white backlight, wired and Bluetooth.", "热插拔轴体，白色背光，有线蓝牙双模。"),
    ("electronics", "Wireless Mouse", "无线鼠标", 99.0,
     "Silent clicks, one AA battery lasts a year.", "静音按键，一节五号电池用一年。"),
    ("electronics", "4K Webcam", "4K网络摄像头", 399.0,
     "4K video calls with a built-in privacy shutter.", "4K视频通话，自带隐私遮挡盖。"),
    ("electronics", "E-reader Paper 7", "电子书阅读器7英寸", 999.0,
     "Glare-free 7-inch screen, weeks of battery.", "7英寸护眼墨水屏，续航数周。"),
    ("electronics", "USB-C Hub 7-in-1", "七合一USB-C扩展坞", 229.0,
     "HDMI, SD card, three USB ports and power pass-through.", "HDMI、SD卡槽、三个USB口和充电直通。"),
    ("kitchen", "Electric Kettle 1.7L", "1.7升电热水壶", 159.0,
     "Stainless steel kettle with temperature presets for tea.", "不锈钢电水壶，泡茶温度预设。"),
    ("kitchen", "Rice Cooker Smart 4L", "智能电饭煲4升", 499.0,
     "Fuzzy-logic rice cooker with a porridge mode.", "智能电饭煲，有煮粥模式。"),
    ("kitchen", "Air Fryer 5L", "空气炸锅5升", 399.0,
     "Crispy food with little oil, dishwasher-safe basket.", "少油也酥脆，炸篮可进洗碗机。"),
    ("kitchen", "Pour-over Coffee Set", "手冲咖啡套装", 269.0,
     "Ceramic dripper, gooseneck kettle and glass server.", "陶瓷滤杯、细口壶和玻璃分享壶。"),
    ("kitchen", "Chef Knife 8 inch", "8英寸主厨刀", 329.0,
     "Forged German steel chef knife.", "德国钢锻造主厨刀。"),
    ("kitchen", "Non-stick Wok", "不粘炒锅", 259.0,
     "32 cm wok that works on induction hobs.", "32厘米炒锅，电磁炉可用。"),
    ("kitchen", "Soy Milk Maker", "豆浆机", 349.0,
     "Fresh soy milk in 25 minutes, self-cleaning.", "25分钟现磨豆浆，自动清洗。"),
    ("kitchen", "Glass Food Containers (5 pack)", "玻璃保鲜盒五件套", 119.0,
     "Oven and microwave safe containers with locking lids.", "可进烤箱和微波炉，锁扣密封盖。"),
    ("kitchen", "Tea Gift Box Longjing", "龙井茶礼盒", 288.0,
     "West Lake Longjing green tea, 250 g gift box.", "西湖龙井绿茶，250克礼盒装。"),
    ("home", "Memory Foam Pillow", "记忆棉枕头", 189.0,
     "Ergonomic pillow for neck support.", "人体工学设计，支撑颈椎。"),
    ("home", "Silk Duvet Queen", "蚕丝被双人", 1299.0,
     "Mulberry silk duvet, light and warm.", "桑蚕丝被，轻盈保暖。"),
    ("home", "Robot Vacuum X1", "扫地机器人X1", 1599.0,
     "Laser mapping robot vacuum with mopping.", "激光导航扫拖一体机器人。"),
    ("home", "Air Purifier 300", "空气净化器300", 1199.0,
     "HEPA filter for rooms up to 40 square metres.", "HEPA滤网，适用40平方米房间。"),
    ("home", "LED Desk Lamp", "LED护眼台灯", 169.0,
     "Flicker-free lamp with adjustable colour temperature.", "无频闪，色温可调。"),
    ("home", "Aroma Diffuser", "香薰加湿器", 139.0,
     "Quiet ultrasonic diffuser with night light.", "静音超声波香薰机，带小夜灯。"),
    ("home", "Cotton Bath Towel Set", "纯棉浴巾套装", 129.0,
     "Two bath towels and two hand towels, long-staple cotton.", "长绒棉，两条浴巾两条毛巾。"),
    ("home", "Storage Boxes (3 pack)", "收纳箱三件套", 89.0,
     "Foldable fabric storage boxes.", "可折叠布艺收纳箱。"),
    ("clothing", "Down Jacket Men", "男士羽绒服", 899.0,
     "90% duck down, water-repellent shell.", "90%鸭绒，防泼水面料。"),
    ("clothing", "Down Jacket Women", "女士羽绒服", 899.0,
     "Long down coat with a detachable hood.", "长款羽绒服，帽子可拆卸。"),
    ("clothing", "Cashmere Scarf", "羊绒围巾", 399.0,
     "Pure cashmere scarf, soft and warm.", "纯羊绒围巾，柔软保暖。"),
    ("clothing", "Running Shoes Air", "气垫跑鞋", 599.0,
     "Cushioned running shoes for road running.", "缓震气垫跑鞋，适合路跑。"),
    ("clothing", "Cotton T-shirt (3 pack)", "纯棉T恤三件装", 149.0,
     "Plain crew-neck T-shirts in white, grey and black.", "白灰黑三色圆领纯棉T恤。"),
    ("clothing", "Wool Socks (5 pairs)", "羊毛袜五双装", 99.0,
     "Merino wool socks for winter.", "美利奴羊毛袜，冬季保暖。"),
    ("clothing", "Rain Jacket", "冲锋衣", 499.0,
     "Waterproof breathable shell jacket for hiking.", "防水透气，适合徒步。"),
    ("beauty", "Hydrating Face Cream", "保湿面霜", 259.0,
     "Hyaluronic acid cream for dry skin.", "玻尿酸面霜，适合干性肌肤。"),
    ("beauty", "Sunscreen SPF50", "防晒霜SPF50", 129.0,
     "Light, water-resistant sunscreen.", "轻薄防水防晒霜。"),
    ("beauty", "Electric Toothbrush", "电动牙刷", 299.0,
     "Sonic toothbrush with two-minute timer.", "声波电动牙刷，两分钟计时。"),
    ("beauty", "Hair Dryer Ionic", "负离子吹风机", 399.0,
     "Fast-drying ionic hair dryer with cool shot.", "负离子速干吹风机，带冷风档。"),
    ("beauty", "Lip Balm Set", "润唇膏套装", 69.0,
     "Three nourishing lip balms.", "三支滋润润唇膏。"),
    ("sports", "Yoga Mat 6mm", "6毫米瑜伽垫", 129.0,
     "Non-slip TPE yoga mat with carry strap.", "防滑TPE瑜伽垫，附背带。"),
    ("sports", "Adjustable Dumbbells", "可调节哑铃", 699.0,
     "Pair of dumbbells from 2 to 24 kg.", "一对哑铃，2到24公斤可调。"),
    ("sports", "Fitness Tracker Band", "运动手环", 249.0,
     "Step counter, heart rate and sleep tracking band.", "计步、心率和睡眠监测手环。"),
    ("sports", "Insulated Water Bottle", "保温水杯", 119.0,
     "Keeps drinks hot for 12 hours.", "保温12小时。"),
    ("sports", "Camping Tent 2P", "双人帐篷", 599.0,
     "Two-person tent, sets up in 3 minutes.", "双人帐篷，三分钟搭好。"),
    ("sports", "Badminton Racket Pair", "羽毛球拍一对", 199.0,
     "Carbon rackets with three shuttlecocks.", "碳素球拍，附三个羽毛球。"),
    ("books", "The Three-Body Problem", "三体", 68.0,
     "Liu Cixin's science-fiction novel.", "刘慈欣科幻小说。"),
    ("books", "Chinese Cooking Basics", "中式家常菜入门", 58.0,
     "100 home-style recipes with photos.", "100道家常菜，配步骤图。"),
    ("books", "Learn Python in 30 Days", "30天学会Python", 79.0,
     "Beginner programming book with exercises.", "编程入门，附练习题。"),
    ("books", "Children's Picture Book Set", "儿童绘本套装", 128.0,
     "Ten bilingual picture books for ages 3 to 6.", "十本中英双语绘本，适合3到6岁。"),
    ("toys", "Building Blocks City", "城市积木套装", 359.0,
     "1000-piece building set for ages 8 and up.", "1000块积木，适合8岁以上。"),
    ("toys", "Remote Control Car", "遥控赛车", 239.0,
     "Fast off-road RC car with rechargeable battery.", "越野遥控车，充电电池。"),
    ("toys", "Jigsaw Puzzle 1000", "1000片拼图", 79.0,
     "Landscape jigsaw puzzle of the Great Wall.", "长城风景拼图。"),
    ("pets", "Cat Scratching Post", "猫抓板爬架", 159.0,
     "Sisal scratching post with a top perch.", "剑麻猫抓柱，顶部可趴。"),
    ("pets", "Automatic Pet Feeder", "自动喂食器", 299.0,
     "Scheduled feeder with a 4-litre hopper.", "定时喂食器，4升粮仓。"),
]

SHIPPING_METHODS: list[dict] = [
    {"code": "standard", "name_en": "Standard delivery", "name_zh": "普通快递", "days_min": 3, "days_max": 5,
     "cost": 10.0, "free_over": 99.0},
    {"code": "express", "name_en": "Express (SF Express)", "name_zh": "顺丰特快", "days_min": 1, "days_max": 2,
     "cost": 20.0, "free_over": None},
    {"code": "same_day", "name_en": "Same-day delivery (Shanghai, Beijing)", "name_zh": "当日达（上海、北京）",
     "days_min": 0, "days_max": 1, "cost": 30.0, "free_over": None},
]

PAYMENT_METHODS: list[dict] = [
    {"code": "alipay", "name_en": "Alipay", "name_zh": "支付宝"},
    {"code": "wechat", "name_en": "WeChat Pay", "name_zh": "微信支付"},
    {"code": "card", "name_en": "UnionPay or credit card", "name_zh": "银联卡或信用卡"},
    {"code": "paypal", "name_en": "PayPal", "name_zh": "PayPal"},
]

# key -> {language: text}; the text a reply may quote.
POLICIES: dict[str, dict[str, str]] = {
    "shipping": {
        "en": "Standard delivery takes 3 to 5 days and costs 10 yuan, free over 99 yuan. Express by SF Express "
              "takes 1 to 2 days for 20 yuan. Same-day delivery in Shanghai and Beijing costs 30 yuan.",
        "zh": "普通快递3到5天送达，运费10元，满99元包邮。顺丰特快1到2天送达，运费20元。"
              "上海和北京支持当日达，运费30元。"},
    "returns": {
        "en": "Seven-day no-reason returns: you can return most items within 7 days of delivery without giving a "
              "reason, unused and in the original packaging.",
        "zh": "七天无理由退货：大部分商品签收后7天内可无理由退货，商品需未使用并保持原包装。"},
    "refunds": {
        "en": "Refunds go back to the original payment account within 3 to 7 business days after we receive "
              "the return.",
        "zh": "我们收到退货后，退款会在3到7个工作日内原路退回到您的支付账户。"},
    "invoices": {
        "en": "We issue electronic invoices (fapiao) when an order ships and email them to the address on your "
              "account.",
        "zh": "订单发货后我们开具电子发票，并发送到您账户绑定的邮箱。"},
    "payments": {
        "en": "We accept Alipay, WeChat Pay, UnionPay and credit cards, and PayPal.",
        "zh": "我们支持支付宝、微信支付、银联卡和信用卡，以及PayPal。"},
    "cancellation": {
        "en": "Orders can be cancelled free of charge until they ship. After shipping, please use a return.",
        "zh": "订单发货前可免费取消。发货后请申请退货。"},
    "account": {
        "en": "You can create, edit, switch or delete your account in the app under Me, then Settings. "
              "Deleting an account is permanent and takes effect after 15 days.",
        "zh": "您可以在App的“我的”-“设置”中注册、修改、切换或注销账户。注销账户不可恢复，15天后生效。"},
    "registration": {
        "en": "If the verification code does not arrive, wait 60 seconds and request a new one, or register with "
              "your email instead.",
        "zh": "如果收不到验证码，请等待60秒后重新获取，或改用邮箱注册。"},
    "newsletter": {
        "en": "You can subscribe to or leave our newsletter in the app under Settings, then Notifications.",
        "zh": "您可以在App的“设置”-“消息通知”中订阅或退订我们的新闻邮件。"},
    "customer_service": {
        "en": "Our agents are available every day from 9 am to 9 pm Beijing time.",
        "zh": "人工客服每天早上9点到晚上9点（北京时间）在线。"},
    "reviews": {
        "en": "You can review a product in the app under My Orders once it has been delivered.",
        "zh": "订单签收后，可在App“我的订单”中评价商品。"},
    "ordering": {
        "en": "You can order in the app or on our website; pay within 30 minutes or the order is cancelled.",
        "zh": "您可以在App或网站下单；请在30分钟内付款，否则订单会自动取消。"},
    "order_changes": {
        "en": "Items in an order cannot be changed once it is placed. Before it ships you can cancel it and "
              "order again, or change the delivery address.",
        "zh": "订单提交后不能修改商品。发货前可以取消后重新下单，也可以修改收货地址。"},
}

# (topic, language, question, answer). Entries in one language only are deliberate (cross-lingual search).
FAQ: list[dict[str, str]] = [
    {"topic": "returns", "language": "en", "question": "How do I return an item?",
     "answer": POLICIES["returns"]["en"]},
    {"topic": "returns", "language": "zh", "question": "怎么退货？", "answer": POLICIES["returns"]["zh"]},
    {"topic": "refunds", "language": "en", "question": "When will I get my refund?",
     "answer": POLICIES["refunds"]["en"]},
    {"topic": "refunds", "language": "zh", "question": "退款多久到账？", "answer": POLICIES["refunds"]["zh"]},
    {"topic": "invoices", "language": "en", "question": "How do I get an invoice?",
     "answer": POLICIES["invoices"]["en"]},
    {"topic": "invoices", "language": "zh", "question": "怎么开发票？", "answer": POLICIES["invoices"]["zh"]},
    {"topic": "payments", "language": "en", "question": "Which payment methods do you accept?",
     "answer": POLICIES["payments"]["en"]},
    {"topic": "payments", "language": "zh", "question": "支持哪些付款方式？", "answer": POLICIES["payments"]["zh"]},
    {"topic": "shipping", "language": "en", "question": "How long does delivery take and how much is shipping?",
     "answer": POLICIES["shipping"]["en"]},
    {"topic": "shipping", "language": "zh", "question": "多久能送到？运费多少？", "answer": POLICIES["shipping"]["zh"]},
    {"topic": "password", "language": "en", "question": "I forgot my password.",
     "answer": "Ask us for a reset link: we email it to the address on your account."},
    {"topic": "password", "language": "zh", "question": "忘记密码怎么办？",
     "answer": "我们可以把重置密码的链接发送到您账户绑定的邮箱。"},
    {"topic": "gift_wrap", "language": "en", "question": "Do you offer gift wrapping?",
     "answer": "Yes, gift wrapping with a greeting card is available at checkout for 5 yuan."},
    {"topic": "store_pickup", "language": "en", "question": "Can I pick up my order in a store?",
     "answer": "No, we are an online shop only and do not have physical stores."},
    {"topic": "price_protection", "language": "zh", "question": "商品降价了可以保价吗？",
     "answer": "支持7天价格保护：签收后7天内降价，可申请退还差价。"},
    {"topic": "vat_invoice", "language": "zh", "question": "可以开增值税专用发票吗？",
     "answer": "企业客户可以申请增值税专用发票，请提供公司名称和税号。"},
    {"topic": "warranty", "language": "en", "question": "What warranty do electronics have?",
     "answer": "Electronics come with a one-year manufacturer warranty."},
    {"topic": "warranty", "language": "zh", "question": "电子产品保修多久？", "answer": "电子产品享受一年厂家保修。"},
    {"topic": "international", "language": "en", "question": "Do you ship abroad?",
     "answer": "We deliver within mainland China and to the United States."},
]
