"""The purchase statement's period is checked before anything is read: a date out of range,
an end before the start or a period over five years gets the page with the reason (400 for
a download), never a server error and never a document of another period."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.invoicing.forms import PaymentRecordForm
from tests.factories import PASSWORD, OrganisationFactory
from tests.marketplace.organisations.builders import member

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def buyer_client(client):
    buyer = member(OrganisationFactory())
    client.login(email=buyer.email, password=PASSWORD)
    client.organisation = buyer.memberships.get().organisation
    return client


def statement(client, start: str, end: str, format: str | None = None):
    if format:
        url = reverse(
            "organisations:statement-export",
            kwargs={"pk": client.organisation.pk, "format": format},
        )
    else:
        url = reverse("organisations:statement", kwargs={"pk": client.organisation.pk})
    return client.get(url, {"start": start, "end": end})


@pytest.mark.parametrize("format", ["pdf", "xlsx"])
def test_a_download_of_a_period_out_of_range_is_refused_with_the_reason(buyer_client, format):
    response = statement(buyer_client, "1900-01-01", "9999-12-31", format)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "日期应在2000-01-01至" in response.content.decode()


def test_the_page_with_a_period_out_of_range_shows_the_reason(buyer_client):
    response = statement(buyer_client, "2024-01-01", "9999-12-31")

    assert response.status_code == 200
    assert f"日期应在2000-01-01至{THIS_YEAR}-12-31之间。" in response.content.decode()


def test_a_period_over_five_years_is_refused(buyer_client):
    response = statement(buyer_client, f"{THIS_YEAR - 6}-01-01", f"{THIS_YEAR}-12-31", "pdf")

    assert response.status_code == 400
    assert "统计期间最长五年" in response.content.decode()


def test_a_whole_five_year_period_downloads(buyer_client):
    start = datetime.date(THIS_YEAR - 4, 1, 1)

    response = statement(buyer_client, start.isoformat(), f"{THIS_YEAR}-12-31", "xlsx")

    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_a_download_with_an_end_before_the_start_is_refused(buyer_client):
    response = statement(buyer_client, f"{THIS_YEAR}-03-01", f"{THIS_YEAR}-02-01", "pdf")

    assert response.status_code == 400
    assert "开始日期不能晚于结束日期。" in response.content.decode()


def _download_only(client, format: str, **period):
    url = reverse(
        "organisations:statement-export", kwargs={"pk": client.organisation.pk, "format": format}
    )
    return client.get(url, period)


def test_a_download_with_only_an_end_out_of_range_is_refused_with_the_reason(buyer_client):
    response = _download_only(buyer_client, "pdf", end="1999-06-30")

    assert response.status_code == 400
    assert "日期应在2000-01-01至" in response.content.decode()


def test_a_download_with_only_an_end_is_that_years_statement_up_to_the_end(buyer_client):
    response = _download_only(buyer_client, "xlsx", end="2019-06-30")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-20190101-20190630.xlsx"')


def test_a_download_with_only_a_start_is_that_years_statement_from_the_start(buyer_client):
    response = _download_only(buyer_client, "xlsx", start="2019-03-01")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-20190301-20191231.xlsx"')


def test_the_date_boxes_show_iso_dates_that_are_accepted_back(buyer_client):
    """Under the Chinese UI the boxes are date pickers holding YYYY-MM-DD (the locale's
    2026/01/01 is discarded by a type="date" input, leaving mm/dd/yyyy), and the values the
    page gives are accepted when submitted as they are."""
    page = statement(buyer_client, f"{THIS_YEAR}-02-01", f"{THIS_YEAR}-03-15").content.decode()
    boxes = dict(re.findall(r'<input type="date" name="(start|end)" value="([^"]*)"', page))
    first = buyer_client.get(
        reverse("organisations:statement", kwargs={"pk": buyer_client.organisation.pk})
    ).content.decode()
    defaults = dict(re.findall(r'<input type="date" name="(start|end)" value="([^"]*)"', first))

    assert boxes == {"start": f"{THIS_YEAR}-02-01", "end": f"{THIS_YEAR}-03-15"}
    assert defaults["start"] == f"{THIS_YEAR}-01-01"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", defaults["end"])
    again = statement(buyer_client, defaults["start"], defaults["end"]).content.decode()
    assert "errorlist" not in again
    assert f"{defaults['start']} — {defaults['end']}" in again


def test_every_date_picker_holds_an_iso_date_in_chinese():
    with translation.override("zh-hans"):
        html = str(PaymentRecordForm(initial={"booked_on": datetime.date(2026, 1, 5)}))

    assert 'type="date"' in html
    assert 'value="2026-01-05"' in html
