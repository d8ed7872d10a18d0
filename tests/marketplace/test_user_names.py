"""People are named as they write their names: 林晓雯, not 晓雯 林."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first_name", "last_name", "full_name"),
    [
        ("晓雯", "林", "林晓雯"),
        ("建国", "欧阳", "欧阳建国"),
        ("", "林", "林"),
        ("Anna", "Schmidt", "Anna Schmidt"),
        ("", "", ""),
    ],
)
def test_full_names_follow_the_names_own_order(first_name, last_name, full_name):
    user = UserFactory(first_name=first_name, last_name=last_name)

    assert user.get_full_name() == full_name
