"""Demo world for the store: one user per role, partners for the cooperatives, a
catalogue with generated images and stock, and two buyer organisations. Idempotent."""

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

from producers.demo import credit_code_for
from producers.models import Cooperative, Region

from .demo_catalogue import CATEGORIES, PRODUCTS
from .organisations.models import Membership, Organisation
from .users import roles
from .users.services import user_assign_role

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

DEMO_PASSWORD = "dongxi-demo"  # noqa: S105  documented demo logins, refused outside DEBUG

# email, first name, last name, role, is_staff
DEMO_USERS = [
    ("admin@dongxi.demo", "平台", "管理员", roles.PLATFORM_ADMIN, True),
    ("consumer@dongxi.demo", "晓雯", "林", roles.CONSUMER, False),
    ("buyer@dongxi.demo", "建国", "陈", roles.INSTITUTIONAL_BUYER, False),
    ("coop@dongxi.demo", "阿呷", "吉克", roles.COOPERATIVE_STAFF, False),
    ("county@dongxi.demo", "志刚", "沙马", roles.COUNTY_OFFICER, False),
    ("evaluator@dongxi.demo", "敏", "周", roles.EVALUATOR, False),
    ("editor@dongxi.demo", "悦", "许", roles.EDITOR, False),
    ("moderator@dongxi.demo", "静", "蒋", roles.MODERATOR, False),
]

ORGANISATIONS = [
    # name, kind, credit code prefix + region code + org code, home region code, reserved share
    (
        "杭州市西湖区机关事务服务中心（演示）",
        Organisation.Kind.BUDGET_UNIT,
        "12",
        "330106",
        "DX0HG0001",
        "3301",
        Decimal("0.150"),
    ),
    (
        "福州市总工会（演示）",
        Organisation.Kind.UNION,
        "81",
        "350102",
        "DX0FJ0002",
        "3501",
        Decimal("0.100"),
    ),
]

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
def users_load() -> dict[str, User]:
    users = {}
    for email, first_name, last_name, role, is_staff in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(
                email=email,
                first_name=first_name,
                last_name=last_name,
                is_staff=is_staff,
                is_superuser=role is roles.PLATFORM_ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user_assign_role(user=user, role=role)
        users[role.code] = user
    return users


@transaction.atomic
def workforce_load(
    *, users: dict[str, User], cooperatives: dict[str, Cooperative]
) -> tuple[dict[str, User], dict[str, User]]:
    """A staff account for every cooperative and an officer account for every county
    with cooperatives. The documented logins staff Huopu and Zhaojue county."""
    staff = {"huopu": users[roles.COOPERATIVE_STAFF.code]}
    officers = {"513431": users[roles.COUNTY_OFFICER.code]}
    for key, cooperative in sorted(cooperatives.items()):
        if key not in staff:
            staff[key] = _account(
                email=f"coop.{key.replace('_', '-')}@dongxi.demo",
                first_name=cooperative.contact_name[1:],
                last_name=cooperative.contact_name[:1],
                role=roles.COOPERATIVE_STAFF,
            )
        county = cooperative.county
        if county.code not in officers:
            officers[county.code] = _account(
                email=f"county.{county.code}@dongxi.demo",
                first_name="扶贫办",
                last_name=county.name,
                role=roles.COUNTY_OFFICER,
            )
    return staff, officers


def _account(*, email: str, first_name: str, last_name: str, role) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name)
        user.set_password(DEMO_PASSWORD)
        user.save()
        user_assign_role(user=user, role=role)
    return user


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


@transaction.atomic
def organisations_load(*, regions: dict[str, Region], buyer: User) -> list[Organisation]:
    organisations = []
    for name, kind, registration, area, org_code, region_code, share in ORGANISATIONS:
        credit_code = credit_code_for(
            registration=registration, county_code=area, org_code=org_code
        )
        organisation, _ = Organisation.objects.get_or_create(
            credit_code=credit_code,
            defaults={
                "name": name,
                "kind": kind,
                "home_region": regions[region_code],
                "reserved_share": share,
            },
        )
        organisations.append(organisation)
    Membership.objects.get_or_create(
        organisation=organisations[0],
        user=buyer,
        defaults={"role": Membership.Role.BUYER, "state": Membership.State.APPROVED},
    )
    return organisations


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
