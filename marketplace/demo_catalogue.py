"""The demo catalogue: 40 products of the demo cooperatives, in the categories a buyer expects."""

# (slug, name, English name)
CATEGORIES = [
    ("grain-oil", "粮油米面", "Grain, oil and noodles"),
    ("meat-eggs", "肉禽蛋品", "Meat and eggs"),
    ("nuts-dried", "干果坚果", "Nuts and dried fruit"),
    ("tea-drinks", "茶叶冲饮", "Tea and drinks"),
    ("vegetables-fungi", "蔬菜菌菇", "Vegetables and mushrooms"),
    ("honey-specialties", "蜂蜜特产", "Honey and specialties"),
    ("handicrafts", "民族手工艺", "Ethnic handicrafts"),
]

# cooperative key -> [(upc, title, category slug, price in yuan, stock)]
PRODUCTS = {
    "huopu": [
        ("DX-HP-001", "凉山高山马铃薯 5千克", "vegetables-fungi", "39.90", 120),
        ("DX-HP-002", "昭觉苦荞米 2.5千克", "grain-oil", "58.00", 80),
        ("DX-HP-003", "火普村土鸡蛋 30枚", "meat-eggs", "45.00", 60),
        ("DX-HP-004", "彝家腊肉 1千克", "meat-eggs", "128.00", 40),
    ],
    "butuo_qiao": [
        ("DX-BT-001", "大凉山黑苦荞茶 500克", "tea-drinks", "68.00", 150),
        ("DX-BT-002", "苦荞挂面 2千克", "grain-oil", "36.00", 100),
        ("DX-BT-003", "苦荞麦粉 2.5千克", "grain-oil", "42.00", 90),
        ("DX-BT-004", "苦荞饼干 400克", "grain-oil", "32.00", 80),
    ],
    "meigu_walnut": [
        ("DX-MG-001", "美姑薄壳核桃 2千克", "nuts-dried", "76.00", 70),
        ("DX-MG-002", "大红袍花椒 250克", "honey-specialties", "59.00", 85),
        ("DX-MG-003", "核桃仁 500克", "nuts-dried", "69.00", 50),
    ],
    "weining_beef": [
        ("DX-WN-001", "威宁草饲牛腱子 1千克", "meat-eggs", "158.00", 45),
        ("DX-WN-002", "高原牛肉干 250克", "meat-eggs", "66.00", 120),
        ("DX-WN-003", "威宁荞酥 礼盒", "honey-specialties", "48.00", 80),
        ("DX-WN-004", "威宁洋芋 5千克", "vegetables-fungi", "32.00", 110),
    ],
    "zhenxiong_honey": [
        ("DX-ZX-001", "乌蒙山土蜂蜜 500克", "honey-specialties", "88.00", 90),
        ("DX-ZX-002", "百花蜜 1千克", "honey-specialties", "128.00", 40),
        ("DX-ZX-003", "镇雄竹荪 100克", "vegetables-fungi", "98.00", 35),
        ("DX-ZX-004", "乌蒙山天麻 250克", "honey-specialties", "118.00", 30),
    ],
    "laomudeng_tea": [
        ("DX-LM-001", "老姆登高山绿茶 250克", "tea-drinks", "120.00", 60),
        ("DX-LM-002", "怒江草果 500克", "honey-specialties", "45.00", 75),
        ("DX-LM-003", "老姆登红茶 250克", "tea-drinks", "110.00", 55),
    ],
    "bulenggou_mutton": [
        ("DX-BL-001", "东乡手抓羊肉 2千克", "meat-eggs", "238.00", 30),
        ("DX-BL-002", "东乡羊排 1.5千克", "meat-eggs", "198.00", 25),
        ("DX-BL-003", "东乡土豆粉条 1千克", "grain-oil", "29.90", 100),
    ],
    "xiji_starch": [
        ("DX-XJ-001", "西吉马铃薯淀粉 2.5千克", "grain-oil", "45.00", 130),
        ("DX-XJ-002", "西吉手工粉条 2千克", "grain-oil", "39.00", 110),
        ("DX-XJ-003", "宁夏中宁枸杞 500克", "nuts-dried", "79.00", 95),
        ("DX-XJ-004", "西吉西芹 3千克", "vegetables-fungi", "26.00", 60),
    ],
    "xijiang_embroidery": [
        ("DX-XJE-001", "苗绣手工零钱包", "handicrafts", "88.00", 40),
        ("DX-XJE-002", "蜡染方巾", "handicrafts", "128.00", 30),
        ("DX-XJE-003", "苗绣抱枕套", "handicrafts", "168.00", 20),
        ("DX-XJE-004", "银饰挂件", "handicrafts", "198.00", 15),
    ],
    "jiaoyao_tea": [
        ("DX-JY-001", "雷山银球茶 100克", "tea-drinks", "96.00", 50),
        ("DX-JY-002", "雷山毛尖 250克", "tea-drinks", "138.00", 40),
    ],
    "shidong_rice": [
        ("DX-SD-001", "台江稻田鱼香米 5千克", "grain-oil", "69.00", 80),
        ("DX-SD-002", "台江糯米 2.5千克", "grain-oil", "42.00", 70),
        ("DX-SD-003", "苗家酸汤 500克", "honey-specialties", "28.00", 90),
    ],
    "yuangudui_herbs": [
        ("DX-YG-001", "渭源白条党参 250克", "honey-specialties", "86.00", 40),
        ("DX-YG-002", "党参切片 100克", "honey-specialties", "39.00", 60),
    ],
}
