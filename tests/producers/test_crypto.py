"""Household personal data is encrypted at rest and found through a blind index."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from producers import crypto
from producers.models import Household
from tests.factories import HouseholdFactory, VillageFactory

REGISTER_NUMBER = "5134310101000123"
HEAD_NAME = "阿西木呷"
PHONE = "13912345678"


def raw_columns(household: Household) -> tuple[str, str, str]:
    """The stored values of the encrypted columns, read past the ORM."""
    table = connection.ops.quote_name(Household._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT register_number, head_name, phone FROM {table} WHERE id = %s",  # noqa: S608
            [household.pk],
        )
        return cursor.fetchone()


def test_encrypted_value_reads_back_as_the_plaintext():
    assert crypto.decrypt(crypto.encrypt(HEAD_NAME)) == HEAD_NAME


def test_encrypting_the_same_value_twice_gives_different_ciphertexts():
    assert crypto.encrypt(REGISTER_NUMBER) != crypto.encrypt(REGISTER_NUMBER)


def test_value_encrypted_under_another_key_cannot_be_read():
    # Given a value encrypted under one key
    with override_settings(FIELD_ENCRYPTION_KEY="key-of-another-deployment"):
        token = crypto.encrypt(REGISTER_NUMBER)

    # When / then it cannot be read under the configured key
    with pytest.raises(ValueError, match="configured key"):
        crypto.decrypt(token)


def test_blind_index_ignores_case_and_surrounding_spaces():
    assert crypto.blind_index(" 5134ab01 ") == crypto.blind_index("5134AB01")


def test_blind_index_differs_for_different_values():
    assert crypto.blind_index("5134310101000123") != crypto.blind_index("5134310101000124")


def test_blind_index_depends_on_the_key():
    with override_settings(FIELD_ENCRYPTION_KEY="key-of-another-deployment"):
        other = crypto.blind_index(REGISTER_NUMBER)

    assert crypto.blind_index(REGISTER_NUMBER) != other


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("5223270101000123", "5223**********23"),
        ("1234567", "1234*67"),
        ("123456", "******"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_keeps_only_the_first_four_and_last_two_characters(value, masked):
    assert crypto.mask(value) == masked


def test_mask_can_keep_other_lengths():
    assert crypto.mask("13912345678", keep_start=3, keep_end=4) == "139****5678"


@pytest.mark.django_db
def test_household_personal_data_is_stored_as_ciphertext():
    # Given a household with its register number, head's name and phone
    household = HouseholdFactory(register_number=REGISTER_NUMBER, head_name=HEAD_NAME, phone=PHONE)

    # When the database columns are read directly
    stored = raw_columns(household)

    # Then none of them holds the plaintext, or any recognisable part of it
    for plaintext, column in zip((REGISTER_NUMBER, HEAD_NAME, PHONE), stored, strict=True):
        assert plaintext not in column
        assert plaintext[-6:] not in column
        assert crypto.decrypt(column) == plaintext


@pytest.mark.django_db
def test_household_reads_its_personal_data_back_as_plaintext():
    household = HouseholdFactory(register_number=REGISTER_NUMBER, head_name=HEAD_NAME, phone=PHONE)

    fresh = Household.objects.get(pk=household.pk)

    assert (fresh.register_number, fresh.head_name, fresh.phone) == (
        REGISTER_NUMBER,
        HEAD_NAME,
        PHONE,
    )


@pytest.mark.django_db
def test_household_without_a_phone_stores_an_empty_phone():
    household = HouseholdFactory(phone="")

    assert raw_columns(household)[2] == ""
    assert Household.objects.get(pk=household.pk).phone == ""


@pytest.mark.django_db
def test_household_is_found_by_its_register_number():
    # Given two households
    household = HouseholdFactory(register_number=REGISTER_NUMBER)
    HouseholdFactory(register_number="5134310101000999")

    # When one is looked up by its register number, typed carelessly
    found = Household.objects.with_register_number(f" {REGISTER_NUMBER.lower()} ")

    # Then exactly that household is found
    assert list(found) == [household]


@pytest.mark.django_db
def test_filtering_on_an_encrypted_field_is_refused():
    with pytest.raises(NotImplementedError, match="blind index"):
        Household.objects.filter(register_number=REGISTER_NUMBER)


@pytest.mark.django_db
def test_filtering_an_encrypted_field_for_null_is_allowed():
    HouseholdFactory()

    assert Household.objects.filter(phone__isnull=True).count() == 0


@pytest.mark.django_db
def test_household_shows_its_register_number_masked():
    household = HouseholdFactory(register_number=REGISTER_NUMBER)

    assert household.masked_register_number == "5134**********23"
    assert str(household) == "5134**********23"


@pytest.mark.django_db
def test_clean_rejects_a_register_number_already_registered():
    # Given a registered household
    existing = HouseholdFactory(register_number=REGISTER_NUMBER)

    # When another household is entered with the same number, in other case and spacing
    duplicate = HouseholdFactory.build(
        register_number=f" {REGISTER_NUMBER.lower()} ", village=existing.village
    )

    # Then validation rejects it on the register number
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "register_number" in excinfo.value.message_dict


@pytest.mark.django_db
def test_clean_accepts_the_household_own_register_number_on_edit():
    household = HouseholdFactory(register_number=REGISTER_NUMBER)

    household.size = 5
    household.full_clean()


@pytest.mark.django_db
def test_clean_normalises_the_register_number():
    household = HouseholdFactory.build(register_number=" 5134ab01 ", village=VillageFactory())

    household.full_clean()

    assert household.register_number == "5134AB01"


@pytest.mark.django_db
def test_database_rejects_a_duplicate_register_number_that_skipped_validation():
    # Given a registered household
    HouseholdFactory(register_number=REGISTER_NUMBER)

    # When the same number is saved again without clean()
    # Then the unique blind index refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFactory(register_number=f"{REGISTER_NUMBER.lower()} ")
