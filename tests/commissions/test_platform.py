"""Platform settings: the operator's platform rate."""

from decimal import Decimal

import pytest

from commissions.models import PlatformSettings
from commissions.services.platform_settings import current_settings

pytestmark = pytest.mark.django_db
URL = "/api/v1/platform/settings/"
RATE_MESSAGE = "The platform rate is a number from 0.0000 to 0.5000, with at most four decimals."


def test_the_default_platform_rate_is_ten_percent(api, operator):
    body = api.as_member(operator).get(URL).json()

    assert body["platform_rate"] == "0.1000"
    assert body["updated_by"] is None


def test_an_operator_sets_the_rate_and_who_did_is_kept(api, operator):
    response = api.as_member(operator).patch(URL, {"platform_rate": "0.1250"}, format="json")

    assert response.status_code == 200
    assert response.json()["platform_rate"] == "0.1250"
    assert response.json()["updated_by"] == operator.username
    row = PlatformSettings.objects.get()
    assert (row.platform_rate, row.updated_by) == (Decimal("0.1250"), operator)
    assert api.get(URL).json()["platform_rate"] == "0.1250"


@pytest.mark.parametrize("rate", ["0.0000", "0.5000", "0.05"])
def test_the_bounds_are_accepted(api, operator, rate):
    response = api.as_member(operator).patch(URL, {"platform_rate": rate}, format="json")

    assert response.status_code == 200
    assert Decimal(response.json()["platform_rate"]) == Decimal(rate)


@pytest.mark.parametrize("rate", ["0.5001", "-0.0001", "0.12345", "1", "12", "ten percent", ""])
def test_a_rate_outside_0_to_0_5_or_past_four_decimals_is_refused(api, operator, rate):
    response = api.as_member(operator).patch(URL, {"platform_rate": rate}, format="json")

    assert response.status_code == 400
    assert response.json() == {"platform_rate": [RATE_MESSAGE]}
    assert current_settings().platform_rate == Decimal("0.1000")


def test_an_empty_patch_changes_nothing(api, operator):
    response = api.as_member(operator).patch(URL, {}, format="json")

    assert response.status_code == 200
    assert response.json()["platform_rate"] == "0.1000"


def test_members_cannot_read_or_change_platform_settings(
    api, merchant, buyer, provider, pending_provider
):
    for member in (merchant, buyer, provider, pending_provider):
        client = api.as_member(member)
        assert client.get(URL).status_code == 403
        assert client.patch(URL, {"platform_rate": "0.2000"}, format="json").status_code == 403
    assert not PlatformSettings.objects.filter(platform_rate=Decimal("0.2000")).exists()


def test_anonymous_callers_are_refused(api):
    assert api.get(URL).status_code in (401, 403)
    assert api.patch(URL, {"platform_rate": "0.2000"}, format="json").status_code in (401, 403)


def test_the_service_refuses_a_rate_out_of_range_too(operator):
    from commissions.services.platform_settings import update_platform_settings
    from core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        update_platform_settings(platform_rate=Decimal("0.6000"), by=operator)

    assert refused.value.field == "platform_rate"
