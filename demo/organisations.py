"""Demo buyer organisations (a budget unit in Hangzhou, a union in Fuzhou) and what they
show: members per role, yearly budgets, and a year of organisation orders shipped, accepted
and invoiced, most paid, one overdue, the latest awaiting acceptance. Idempotent: an
organisation that already has accepted orders gets none added."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from marketplace.invoicing.models import Acceptance, Invoice
from marketplace.invoicing.services import acceptance_record, invoice_settle
from marketplace.order.services import shipment_create
from marketplace.organisations.models import Membership, Organisation, ProcurementBudget
from marketplace.organisations.services import (
    OrganisationCheckoutError,
    membership_request,
    organisation_order_place,
)
from marketplace.users import roles
from producers.models import Region

from .producers import credit_code_for
from .users import account_load

User = get_user_model()
Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Shipment = get_model("order", "Shipment")
StockRecord = get_model("partner", "StockRecord")
Selector = get_class("partner.strategy", "Selector")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")

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


# organisation index, email, first name, last name, role
MEMBERS = [
    (0, "approver@dongxi.demo", "丽华", "赵", Membership.Role.APPROVER),
    (0, "orgadmin@dongxi.demo", "伟", "孙", Membership.Role.ADMIN),
    (1, "buyer.fz@dongxi.demo", "海燕", "郑", Membership.Role.BUYER),
    (1, "approver.fz@dongxi.demo", "振华", "黄", Membership.Role.APPROVER),
]
PENDING_JOIN = (0, "newbuyer@dongxi.demo", "晨", "何", Membership.Role.BUYER)
# organisation index -> canteen food budget for the current and the previous year
BUDGETS = {0: Decimal("600000.00"), 1: Decimal("240000.00")}
# organisation index -> orders, one every `step` days back from today
ORDER_PLAN = {0: (12, 30), 1: (6, 60)}
# organisation index -> orders (counted back, 0 the latest) left unpaid: with a 30-day term
# the first is still within it and the second is overdue.
UNPAID = {0: {1, 2}, 1: set()}

ADDRESSES = [
    {
        "last_name": "陈建国",
        "line1": "保俶路 18 号 机关食堂",
        "line3": "西湖区",
        "line4": "杭州市",
        "state": "浙江省",
        "postcode": "310007",
        "country_id": "CN",
        "phone_number": "+8613805710001",
    },
    {
        "last_name": "郑海燕",
        "line1": "五四路 158 号 工会食堂",
        "line3": "鼓楼区",
        "line4": "福州市",
        "state": "福建省",
        "postcode": "350003",
        "country_id": "CN",
        "phone_number": "+8613905910002",
    },
]


def _buyer_account(*, email: str, first_name: str, last_name: str) -> User:
    return account_load(
        email=email, first_name=first_name, last_name=last_name, role=roles.INSTITUTIONAL_BUYER
    )


def members_load(*, organisations: list[Organisation], buyer: User) -> dict[int, dict]:
    """Buyer, approver and admin accounts per organisation, plus one pending join request."""
    people: dict[int, dict] = {0: {Membership.Role.BUYER: buyer}}
    for index, email, first_name, last_name, role in MEMBERS:
        user = _buyer_account(email=email, first_name=first_name, last_name=last_name)
        Membership.objects.get_or_create(
            organisation=organisations[index],
            user=user,
            defaults={"role": role, "state": Membership.State.APPROVED},
        )
        people.setdefault(index, {})[role] = user
    index, email, first_name, last_name, role = PENDING_JOIN
    newcomer = _buyer_account(email=email, first_name=first_name, last_name=last_name)
    if not Membership.objects.filter(organisation=organisations[index], user=newcomer).exists():
        membership_request(user=newcomer, organisation=organisations[index], role=role)
    return people


def budgets_load(*, organisations: list[Organisation], year: int) -> None:
    for index, amount in BUDGETS.items():
        organisation = organisations[index]
        for budget_year in (year - 1, year):
            ProcurementBudget.objects.get_or_create(
                organisation=organisation,
                year=budget_year,
                defaults={
                    "canteen_food_budget": amount,
                    "reserved_share": organisation.reserved_share,
                },
            )


def _basket(*, user: User, rng: random.Random, records: list) -> Basket:
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for record in rng.sample(records, k=min(3, len(records))):
        quantity = rng.randint(2, 6)
        info = basket.strategy.fetch_for_product(record.product)
        if info.availability.is_purchase_permitted(quantity)[0]:
            basket.add_product(record.product, quantity)
    return basket


def _backdate(*, order, placed: datetime.datetime) -> None:
    Order.objects.filter(pk=order.pk).update(date_placed=placed)
    Shipment.objects.filter(order=order).update(shipped_at=placed + datetime.timedelta(days=1))
    Acceptance.objects.filter(order=order).update(recorded_at=placed + datetime.timedelta(days=5))


def _order_history(
    *, organisation: Organisation, index: int, people: dict, staff: User, records: list
) -> int:
    count, step = ORDER_PLAN[index]
    buyer = people[Membership.Role.BUYER]
    rng = random.Random(f"dongxi-invoices-{organisation.credit_code}")  # noqa: S311  demo data
    now = timezone.now()
    placed_count = 0
    for number in range(count, -1, -1):
        placed = now - datetime.timedelta(days=number * step + 3)
        basket = _basket(user=buyer, rng=rng, records=records)
        if basket.is_empty:
            continue
        try:
            order = organisation_order_place(
                basket=basket,
                user=buyer,
                organisation=organisation,
                shipping_address=ADDRESSES[index],
                shipping_method_code="free-shipping",
                order_number=OrderNumberGenerator().order_number(basket),
            )
        except OrganisationCheckoutError:
            continue
        placed_count += 1
        for cooperative_id in sorted(set(order.lines.values_list("cooperative_id", flat=True))):
            shipment_create(
                order=order,
                cooperative=order.lines.filter(cooperative_id=cooperative_id).first().cooperative,
                carrier=rng.choice(["顺丰速运", "中国邮政 EMS", "京东物流"]),
                tracking_number=f"DX{order.number}{cooperative_id:03d}",
                actor=staff,
                shipped_at=placed + datetime.timedelta(days=1),
                notify=False,
            )
        if number == 0:  # the latest order: shipped, waiting for the buyer's acceptance
            _backdate(order=order, placed=placed)
            continue
        accepted_on = timezone.localtime(placed).date() + datetime.timedelta(days=5)
        acceptance_record(order=order, user=buyer, accepted=True, on=accepted_on)
        _backdate(order=order, placed=placed)
        invoice = Invoice.objects.get(order=order)
        if number in UNPAID[index]:
            continue
        paid_on = accepted_on + datetime.timedelta(days=rng.randint(8, 25))
        invoice_settle(
            invoice=invoice,
            amount=invoice.amount,
            bank_reference=f"DEMO-{invoice.number}",
            booked_on=paid_on,
            recorded_by=staff,
            payer=organisation.name,
            settled_at=timezone.make_aware(datetime.datetime.combine(paid_on, datetime.time(10))),
        )
    return placed_count


@transaction.atomic
def institutional_buyers_load(
    *, organisations: list[Organisation], buyer: User, staff: User
) -> int:
    """Members, budgets and order history of the demo organisations; returns how many
    orders were created (none on a second run)."""
    people = members_load(organisations=organisations, buyer=buyer)
    budgets_load(organisations=organisations, year=timezone.localdate().year)
    records = list(
        StockRecord.objects.filter(
            product__cooperative__state="certified",
            product__certificates__state="certified",
            num_in_stock__gt=20,
        )
        .select_related("product")
        .distinct()
        .order_by("pk")
    )
    created = 0
    for index, organisation in enumerate(organisations):
        invoiced = Acceptance.objects.filter(order__organisation=organisation).exists()
        if index not in ORDER_PLAN or invoiced:
            continue
        created += _order_history(
            organisation=organisation,
            index=index,
            people=people[index],
            staff=staff,
            records=records,
        )
    return created
