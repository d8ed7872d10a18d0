"""Demo logins: one user per role with the documented password, a staff account for every
demo cooperative and an officer account for every county with cooperatives. Idempotent:
an account is looked up by e-mail and created only when missing."""

from django.contrib.auth import get_user_model
from django.db import transaction

from marketplace.users import roles
from marketplace.users.services import user_assign_role
from producers.models import Cooperative

User = get_user_model()

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
# Signs in with this mobile number as well (手机号或邮箱).
DEMO_MOBILES = {"consumer@dongxi.demo": "13900000001"}


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
                mobile=DEMO_MOBILES.get(email),
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
            staff[key] = account_load(
                email=f"coop.{key.replace('_', '-')}@dongxi.demo",
                first_name=cooperative.contact_name[1:],
                last_name=cooperative.contact_name[:1],
                role=roles.COOPERATIVE_STAFF,
            )
        county = cooperative.county
        if county.code not in officers:
            officers[county.code] = account_load(
                email=f"county.{county.code}@dongxi.demo",
                first_name="扶贫办",
                last_name=county.name,
                role=roles.COUNTY_OFFICER,
            )
    return staff, officers


def account_load(*, email: str, first_name: str, last_name: str, role) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name)
        user.set_password(DEMO_PASSWORD)
        user.save()
        user_assign_role(user=user, role=role)
    return user
