"""Rates are typed, read and checked in one place (matchmaking.rates): the same typed percent
gives the same rate on every form, and every page and message reads a rate the same way."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from matchmaking.models import Enrollment
from matchmaking.rates import percent, plain_percent, rate_from_percent
from matchmaking.views.campaign_forms import PercentField
from matchmaking.views.change_requests import ChangeRequestForm

pytestmark = pytest.mark.django_db


def test_a_typed_percent_is_a_rate_rounded_half_up():
    assert rate_from_percent(Decimal("20")) == Decimal("0.2000")
    assert rate_from_percent(Decimal("20.125")) == Decimal("0.2013")  # half-even said 0.2012
    assert rate_from_percent(Decimal("8.505")) == Decimal("0.0851")


def test_the_campaign_form_and_the_change_request_form_read_a_percent_alike():
    campaign_field = PercentField()
    form = ChangeRequestForm(
        {"kind": "rate_change", "commission_rate": "20.125"},
        enrollments=Enrollment.objects.none(),
    )
    form.is_valid()

    assert (
        campaign_field.clean("20.125") == form.cleaned_data["commission_rate"] == Decimal("0.2013")
    )


@pytest.mark.parametrize(
    ("rate", "read"),
    [(Decimal("0.2000"), "20 %"), (Decimal("0.0850"), "8.5 %"), (Decimal("0.1234"), "12.34 %"),
     (None, "—")],
)  # fmt: skip
def test_a_rate_reads_the_same_in_messages_and_pages(rate, read):
    page = Template("{% load rates %}{{ rate|percent }}").render(Context({"rate": rate}))

    assert percent(rate) == page == read


def test_a_rate_is_offered_back_to_a_form_as_typed():
    assert plain_percent(Decimal("0.0850")) == "8.5"
