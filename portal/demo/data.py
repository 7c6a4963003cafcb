"""The demo marketplace's content: organisations, products, buyers, campaigns.

Plain data, read by ``core.demo.people`` and ``core.demo.marketplace``. Names are natural
keys: re-running the seed looks them up and skips what exists.
"""

from decimal import Decimal

from accounts.models import Role

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (the documented demo password)

# (username, role, organisation name): the logins printed at the end.
DEMO_ORGANISATIONS = [
    ("merchant", Role.MERCHANT, "杭州云裳服饰 Yunshang Apparel"),
    ("buyer", Role.BUYER, "小鹿直播间 Little Deer Live"),
    ("provider", Role.PROVIDER, "优选团长 Youxuan Selection"),
    ("pending_provider", Role.PROVIDER, "新星选品 Xinxing Selection"),
]

# Service providers: username, name, field (category slug), campaign rates (min, fee).
PROVIDERS = [
    ("provider", "优选团长 Youxuan Selection", "womens-clothing", "0.1500", "0.0600"),
    ("demo-provider-home", "安居好物团 Anju Home Picks", "home", "0.1200", "0.0500"),
    ("demo-provider-jewelry", "闪耀珠宝团 Shine Jewelry Group", "jewelry", "0.2000", "0.0800"),
    ("demo-provider-bags", "行囊选品 Xingnang Bag Selection", "bags", "0.1500", "0.0600"),
    (
        "demo-provider-accessories",
        "小饰界 Little Accessory World",
        "accessories",
        "0.1800",
        "0.0700",
    ),
]

# Merchants: username, name, store rating, sku prefix, the provider field it sells in.
MERCHANTS = [
    ("merchant", "杭州云裳服饰 Yunshang Apparel", "4.86", "YS", "womens-clothing"),
    ("demo-merchant-home", "义乌家居优品 Yiwu Home Goods", "4.72", "YW", "home"),
    ("demo-merchant-textiles", "苏州锦绣家纺 Jinxiu Textiles", "4.90", "JX", "home"),
    ("demo-merchant-jewelry", "深圳珠光饰品 Zhuguang Jewelry", "4.81", "ZG", "jewelry"),
    ("demo-merchant-bags", "广州皮匠箱包 Pijiang Leather", "4.67", "PJ", "bags"),
    ("demo-merchant-accessories", "温州小物配饰 Xiaowu Accessories", "4.78", "XW", "accessories"),
]

# Products per merchant username: sku suffix, title, category slug, brand, price, stock, samples.
PRODUCTS = {
    "merchant": [
        (
            "001",
            "羊毛混纺高领毛衣 Wool-blend turtleneck sweater",
            "knitwear",
            "云裳",
            "259.00",
            420,
            6,
        ),
        ("002", "法式碎花连衣裙 French floral midi dress", "dresses", "云裳", "199.00", 380, 5),
        (
            "003",
            "双面羊绒大衣 Double-faced cashmere coat",
            "womens-clothing",
            "云裳",
            "599.00",
            120,
            3,
        ),
        ("004", "真丝衬衫 Mulberry silk blouse", "tops", "云裳", "329.00", 260, 4),
        ("005", "针织开衫 Cropped knit cardigan", "knitwear", "云裳", "149.00", 500, 6),
        (
            "006",
            "高腰阔腿裤 High-waist wide-leg trousers",
            "womens-clothing",
            "云裳",
            "179.00",
            450,
            5,
        ),
        ("007", "纯棉基础T恤 Cotton essential tee", "tops", "云裳", "59.90", 900, 8),
        ("008", "丝绒吊带裙 Velvet slip dress", "dresses", "云裳", "239.00", 210, 3),
    ],
    "demo-merchant-home": [
        ("101", "陶瓷餐具四件套 Ceramic dinnerware set of 4", "kitchen", "素陶", "129.00", 600, 5),
        ("102", "不锈钢保温壶 Stainless steel thermos", "kitchen", "素陶", "89.00", 800, 6),
        ("103", "可折叠收纳箱 Foldable storage box", "storage", "整洁家", "39.90", 1500, 8),
        ("104", "香薰蜡烛礼盒 Scented candle gift box", "home", "素陶", "99.00", 700, 6),
        ("105", "竹制砧板 Bamboo chopping board", "kitchen", "素陶", "49.90", 900, 6),
        ("106", "桌面收纳架 Desk organiser shelf", "storage", "整洁家", "69.00", 650, 5),
    ],
    "demo-merchant-textiles": [
        ("201", "长绒棉四件套 Long-staple cotton bedding set", "bedding", "锦绣", "399.00", 300, 4),
        ("202", "蚕丝被 Mulberry silk duvet", "bedding", "锦绣", "599.00", 150, 2),
        ("203", "乳胶枕 Natural latex pillow", "bedding", "锦绣", "159.00", 500, 5),
        ("204", "珊瑚绒毯 Coral fleece throw", "home", "锦绣", "79.00", 800, 6),
        ("205", "棉麻靠垫 Linen cushion cover", "home", "锦绣", "39.90", 1000, 6),
    ],
    "demo-merchant-jewelry": [
        ("301", "淡水珍珠项链 Freshwater pearl necklace", "necklaces", "珠光", "299.00", 240, 4),
        ("302", "925银耳钉 Sterling silver stud earrings", "earrings", "珠光", "89.00", 700, 6),
        ("303", "锆石锁骨链 Zircon collarbone chain", "necklaces", "珠光", "129.00", 500, 5),
        ("304", "珍珠耳环 Pearl drop earrings", "earrings", "珠光", "159.00", 400, 5),
        ("305", "和田玉手链 Hetian jade bracelet", "jewelry", "珠光", "459.00", 90, 2),
        ("306", "金色圈圈耳环 Gold-tone hoop earrings", "earrings", "珠光", "69.00", 800, 6),
    ],
    "demo-merchant-bags": [
        ("401", "头层牛皮托特包 Leather tote bag", "handbags", "皮匠", "459.00", 180, 3),
        ("402", "通勤双肩包 Commuter backpack", "backpacks", "皮匠", "199.00", 400, 5),
        ("403", "链条斜挎包 Chain crossbody bag", "handbags", "皮匠", "269.00", 260, 4),
        ("404", "帆布购物袋 Canvas shopper", "bags", "皮匠", "59.00", 900, 8),
        ("405", "迷你腋下包 Mini shoulder bag", "handbags", "皮匠", "229.00", 300, 4),
        ("406", "旅行收纳包 Travel pouch set", "bags", "皮匠", "79.00", 700, 6),
    ],
    "demo-merchant-accessories": [
        ("501", "羊绒围巾 Cashmere scarf", "scarves", "小物", "199.00", 350, 5),
        ("502", "真丝方巾 Silk square scarf", "scarves", "小物", "129.00", 420, 5),
        ("503", "珍珠发夹套装 Pearl hair clip set", "hair-accessories", "小物", "29.90", 1500, 10),
        (
            "504",
            "大肠发圈 Satin scrunchies (5 pack)",
            "hair-accessories",
            "小物",
            "39.90",
            1200,
            10,
        ),
        ("505", "羊皮手套 Lambskin gloves", "accessories", "小物", "169.00", 280, 4),
        ("506", "复古墨镜 Retro sunglasses", "accessories", "小物", "149.00", 380, 5),
    ],
}

# Buyers: username, name, handle, platform, followers, price band, units per livestream,
# categories, and the providers whose roster it is on (usernames).
BUYERS = [
    (
        "buyer",
        "小鹿直播间 Little Deer Live",
        "xiaolu_live",
        "douyin",
        860_000,
        ("49", "599"),
        300,
        ["womens-clothing", "home"],
        ["provider", "demo-provider-home"],
    ),
    (
        "demo-buyer-mia",
        "米娅穿搭 Mia Styles",
        "mia.styles",
        "xiaohongshu",
        320_000,
        ("59", "399"),
        150,
        ["womens-clothing", "accessories"],
        ["provider", "demo-provider-accessories"],
    ),
    (
        "demo-buyer-laoli",
        "老李好物 Lao Li Finds",
        "laoli_haowu",
        "kuaishou",
        1_250_000,
        ("29", "199"),
        800,
        ["home", "bags"],
        ["demo-provider-home", "demo-provider-bags"],
    ),
    (
        "demo-buyer-jade",
        "玉见美好 Jade Moments",
        "jade_moments",
        "taobao_live",
        210_000,
        ("89", "599"),
        90,
        ["jewelry"],
        ["demo-provider-jewelry"],
    ),
    (
        "demo-buyer-sunny",
        "阳光小铺 Sunny Corner",
        "sunny_corner",
        "wechat_channels",
        95_000,
        ("29", "159"),
        60,
        ["accessories", "jewelry"],
        ["demo-provider-accessories", "demo-provider-jewelry"],
    ),
    (
        "demo-buyer-travel",
        "背包客阿杰 Backpacker Jie",
        "backpacker_jie",
        "douyin",
        540_000,
        ("59", "459"),
        200,
        ["bags"],
        ["demo-provider-bags"],
    ),
    (
        "demo-buyer-nest",
        "小窝日记 Cosy Nest Diary",
        "cosy_nest",
        "xiaohongshu",
        180_000,
        ("39", "599"),
        120,
        ["home"],
        ["demo-provider-home"],
    ),
    (
        "demo-buyer-chic",
        "都市丽人 City Chic",
        "city_chic",
        "douyin",
        2_100_000,
        ("99", "599"),
        1000,
        ["womens-clothing", "jewelry"],
        ["provider", "demo-provider-jewelry"],
    ),
]

AUDIENCE_NOTE = "25-40岁城市女性为主 Mostly urban women aged 25-40; evening sessions 20:00-23:00."

# Campaign kinds: name suffix, registration and promotion windows in days from today,
# settlement delay. "ongoing" carries the sales (up to 83 days back: core/demo/sales.py);
# "closed" is opened then closed by hand.
CAMPAIGN_KINDS = {
    "ongoing": ("冬季好物节 Winter Goods Festival", (-95, 20), (-90, 55), 7),
    "open": ("双十二大促 Double-12 Sale", (-5, 12), (14, 40), 15),
    "draft": ("年货节 New Year Goods Fair", (20, 45), (50, 80), 15),
    "closed": ("秋季清仓 Autumn Clearance", (-80, 0), (-75, 5), 15),
}
CAMPAIGN_STATUSES = ("ongoing", "open", "draft", "closed")

COMMISSION_RATES = [Decimal("0.2000"), Decimal("0.2500"), Decimal("0.1800"), Decimal("0.3000")]
CARRIERS = ["顺丰速运 SF Express", "中通快递 ZTO Express", "京东物流 JD Logistics"]

# The operator's incentive programmes for service providers: name, kind, tiers of
# (settled GMV of the month, reward in yuan or traffic credits). The lowest tiers are within
# reach of the demo's first, partly settled month.
INCENTIVE_PROGRAMMES = [
    (
        "月度达标奖 Monthly GMV bonus",
        "cash",
        [("1000.00", "50.00"), ("5000.00", "300.00"), ("15000.00", "1000.00")],
    ),
    ("流量扶持计划 Traffic boost", "traffic", [("500.00", "200.00"), ("5000.00", "1000.00")]),
]
