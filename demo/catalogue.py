"""Demo store: an Oscar partner for every cooperative, 40 products in the categories a
buyer expects, with generated images, stock and certificates. Idempotent."""

import datetime
import io
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model
from PIL import Image, ImageDraw

from producers.models import Cooperative

User = get_user_model()
Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
ProductCertificate = get_model("catalogue", "ProductCertificate")
CertificateEvent = get_model("catalogue", "CertificateEvent")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

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

CATEGORY_COLOURS = {
    "grain-oil": (214, 170, 84),
    "meat-eggs": (178, 60, 52),
    "nuts-dried": (140, 98, 57),
    "tea-drinks": (76, 128, 72),
    "vegetables-fungi": (110, 150, 60),
    "honey-specialties": (230, 168, 40),
    "handicrafts": (40, 70, 140),
}


@transaction.atomic
def partners_load(
    *, cooperatives: dict[str, Cooperative], staff: dict[str, User]
) -> dict[str, Partner]:
    """Every cooperative is one Oscar partner, staffed by its cooperative's account."""
    partners = {}
    for key, cooperative in cooperatives.items():
        partner, _ = Partner.objects.get_or_create(
            cooperative=cooperative, defaults={"name": cooperative.legal_name}
        )
        partner.users.add(staff[key])
        partners[key] = partner
    return partners


@transaction.atomic
def catalogue_load(*, partners: dict[str, Partner]) -> list[Product]:
    product_class, _ = ProductClass.objects.get_or_create(
        slug="poverty-alleviation-product",
        defaults={"name": "扶贫产品", "requires_shipping": True, "track_stock": True},
    )
    categories = {}
    for slug, name, _name_en in CATEGORIES:
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            category = Category.add_root(name=name, slug=slug)
        categories[slug] = category

    products = []
    for key, items in PRODUCTS.items():
        partner = partners[key]
        cooperative = partner.cooperative
        for upc, title, category_slug, price, stock in items:
            product = Product.objects.filter(upc=upc).first()
            if product is None:
                product = Product.objects.create(
                    cooperative=cooperative,
                    upc=upc,
                    title=title,
                    product_class=product_class,
                    structure=Product.STANDALONE,
                    is_public=True,
                    description=f"<p>{title}，产自{_origin(cooperative)}，"
                    f"由{cooperative.legal_name}组织生产和发货。</p>"
                    f"<p>{cooperative.description}</p>",
                )
                ProductCategory.objects.create(product=product, category=categories[category_slug])
                _image_attach(product=product, colour=CATEGORY_COLOURS[category_slug])
            StockRecord.objects.get_or_create(
                product=product,
                partner=partner,
                defaults={
                    "partner_sku": upc,
                    "price": Decimal(price),
                    "price_currency": "CNY",
                    "num_in_stock": stock,
                },
            )
            products.append(product)
    return products


@transaction.atomic
def certificates_load(*, products: list[Product], officers: dict[str, User]) -> int:
    """Certificates for the products of certified cooperatives, valid from last year to
    next year; a few products show the other states (pending, suspended, expired)."""
    today = timezone.localdate()
    created = 0
    for index, product in enumerate(products):
        cooperative = product.cooperative
        if not cooperative.is_certified or product.certificates.exists():
            continue
        state = _DEMO_CERTIFICATE_STATES.get(product.upc, ProductCertificate.State.CERTIFIED)
        officer = officers[cooperative.county.code]
        certificate = ProductCertificate(product=product, state=state, requested_by=officer)
        if state != ProductCertificate.State.PENDING:
            expired = state == ProductCertificate.State.EXPIRED
            certificate.number = f"{cooperative.county.code}-{today.year - 1}-{index + 1:03d}"
            certificate.valid_from = datetime.date(today.year - (3 if expired else 1), 1, 1)
            certificate.valid_to = datetime.date(today.year - (1 if expired else -1), 12, 31)
            certificate.households_involved = (
                cooperative.benefit_links.values("household").distinct().count()
            )
            certificate.issued_by = officer
            certificate.issued_at = timezone.now()
        certificate.full_clean()
        certificate.save()
        CertificateEvent.objects.create(
            certificate=certificate, from_state="", to_state=state, actor=officer
        )
        created += 1
    return created


# Products that show the other certificate states in the demo.
_DEMO_CERTIFICATE_STATES = {
    "DX-HP-004": ProductCertificate.State.PENDING,
    "DX-WN-003": ProductCertificate.State.PENDING,
    "DX-BT-004": ProductCertificate.State.SUSPENDED,
    "DX-ZX-004": ProductCertificate.State.EXPIRED,
}


def _origin(cooperative: Cooperative) -> str:
    county = cooperative.county
    return f"{county.parent.parent.name}{county.name}{cooperative.village.name}"


def _image_attach(*, product: Product, colour: tuple[int, int, int]) -> None:
    """A product photo stand-in drawn offline: a soft gradient and a still life of shapes."""
    rng = random.Random(product.upc)  # noqa: S311  demo images, not security
    size = 640
    image = Image.new("RGB", (size, size), (250, 246, 238))
    draw = ImageDraw.Draw(image)
    for y in range(size):
        shade = int(18 * y / size)
        draw.line([(0, y), (size, y)], fill=(250 - shade, 244 - shade, 232 - shade))
    draw.ellipse([80, 470, 560, 560], fill=(225, 215, 200))
    for _ in range(rng.randint(3, 6)):
        radius = rng.randint(60, 120)
        cx, cy = rng.randint(160, 480), rng.randint(220, 440)
        tint = tuple(max(0, min(255, c + rng.randint(-30, 30))) for c in colour)
        draw.ellipse(
            [cx - radius, cy - radius, cx + radius, cy + radius],
            fill=tint,
            outline=(255, 255, 255),
            width=4,
        )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    ProductImage.objects.create(
        product=product,
        display_order=0,
        original=ContentFile(buffer.getvalue(), name=f"{product.upc.lower()}.jpg"),
        caption=product.title,
    )
