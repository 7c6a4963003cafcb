"""The scoping function itself: every path, no duplicates, nothing without an organisation."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.models import Role
from accounts.scoping import visible_to
from matchmaking.models import Assortment, Enrollment
from merchants.models import Category
from tests.factories import EnrollmentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_a_row_is_visible_through_any_of_its_paths():
    enrollment = EnrollmentFactory()
    merchant, provider = enrollment.product.merchant, enrollment.campaign.provider
    stranger = OrganisationFactory(role=Role.MERCHANT)

    assert list(visible_to(Enrollment.objects.all(), merchant)) == [enrollment]
    assert list(visible_to(Enrollment.objects.all(), provider)) == [enrollment]
    assert list(visible_to(Enrollment.objects.all(), stranger)) == []


def test_many_valued_paths_do_not_repeat_rows():
    provider = OrganisationFactory(role=Role.PROVIDER)
    buyers = [OrganisationFactory(role=Role.BUYER) for _ in range(3)]
    assortment = Assortment.objects.create(provider=provider, name="Autumn")
    assortment.buyers.set(buyers)

    assert list(visible_to(Assortment.objects.all(), provider)) == [assortment]
    assert list(visible_to(Assortment.objects.all(), buyers[1])) == [assortment]
    assert visible_to(Assortment.objects.all(), OrganisationFactory(role=Role.BUYER)).count() == 0


def test_no_organisation_sees_nothing():
    EnrollmentFactory()

    assert visible_to(Enrollment.objects.all(), None).count() == 0


def test_a_model_without_paths_is_refused():
    with pytest.raises(ImproperlyConfigured):
        visible_to(Category.objects.all(), OrganisationFactory())
