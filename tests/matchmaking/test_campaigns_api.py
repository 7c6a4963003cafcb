"""`/api/v1/campaigns/`: the provider's own CRUD, the rules, open/close, who sees what."""

from datetime import date

import pytest
import time_machine

from accounts.models import Role
from matchmaking.models import Campaign
from tests.factories import CampaignFactory, category

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
URL = "/api/v1/campaigns/"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


def payload(**overrides) -> dict:
    data = {
        "name": "Spring dresses",
        "categories": ["womens-clothing"],
        "registration_start": "2026-03-01",
        "registration_end": "2026-03-10",
        "promotion_start": "2026-03-11",
        "promotion_end": "2026-04-10",
        "min_commission_rate": "0.2000",
        "service_fee_rate": "0.1000",
    }
    data.update(overrides)
    return data


def create(api, provider, **overrides):
    return api.as_member(provider).post(URL, payload(**overrides), format="json")


def own_campaign(provider, **kwargs) -> Campaign:
    return CampaignFactory(provider=provider.organisation, **kwargs)


def test_it_creates_a_draft_with_the_contract_fields_and_defaults(api, provider):
    response = create(api, provider)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id", "name", "categories", "registration_start", "registration_end", "promotion_start",
        "promotion_end", "min_commission_rate", "service_fee_rate", "settlement_delay_days",
        "attribution_window_days", "min_merchant_rating", "status",
    }  # fmt: skip
    assert body["status"] == "draft"
    assert body["categories"] == ["womens-clothing"]
    assert body["min_commission_rate"] == "0.2000"
    assert body["service_fee_rate"] == "0.1000"
    assert body["settlement_delay_days"] == 15
    assert body["attribution_window_days"] == 7
    assert body["registration_start"] == "2026-03-01"
    campaign = Campaign.objects.get(pk=body["id"])
    assert campaign.provider == provider.organisation


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"min_commission_rate": "0.5100"}, "min_commission_rate",
         "The minimum commission rate can be at most 50 %."),
        ({"service_fee_rate": "0.4100"}, "service_fee_rate",
         "The service-fee rate can be at most 40 %."),
        ({"min_commission_rate": "0.5500", "service_fee_rate": "0.4000"}, "min_commission_rate",
         "The minimum commission and the service fee together can be at most 90 %."),
        ({"registration_end": "2026-02-28"}, "registration_end",
         "Registration cannot end before it starts."),
        ({"promotion_start": "2026-04-11"}, "promotion_end",
         "The promotion cannot end before it starts."),
        ({"promotion_end": "2027-03-06"}, "promotion_end",
         "The promotion can last at most 360 days, first and last day included."),
        ({"registration_end": "2026-04-11"}, "registration_end",
         "Registration must end no later than the promotion ends (2026-04-10)."),
        ({"settlement_delay_days": 91}, "settlement_delay_days",
         "The settlement delay must be between 0 and 90 days."),
        ({"attribution_window_days": 0}, "attribution_window_days",
         "The attribution window must be between 1 and 30 days."),
        ({"attribution_window_days": 31}, "attribution_window_days",
         "The attribution window must be between 1 and 30 days."),
        ({"min_merchant_rating": "5.10"}, "min_merchant_rating",
         "A merchant rating is between 0.00 and 5.00."),
        ({"name": "  "}, "name", "This field may not be blank."),
    ],
)  # fmt: skip
def test_it_refuses_each_broken_rule_with_a_field_message(api, provider, overrides, field, message):
    response = create(api, provider, **overrides)

    assert response.status_code == 400
    assert message in response.json()[field]
    assert not Campaign.objects.exists()


def test_it_accepts_the_limits_exactly(api, provider):
    response = create(
        api,
        provider,
        min_commission_rate="0.5000",
        service_fee_rate="0.4000",
        promotion_start="2026-03-11",
        promotion_end="2027-03-05",  # 360 days, both ends included
        registration_end="2027-03-05",
        settlement_delay_days=0,
        attribution_window_days=30,
    )

    assert response.status_code == 201, response.json()


def test_it_names_every_broken_field_at_once(api, provider):
    response = create(api, provider, min_commission_rate="0.6000", attribution_window_days=40)

    assert response.status_code == 400
    assert set(response.json()) >= {"min_commission_rate", "attribution_window_days"}


def test_a_pending_provider_cannot_create(api, pending_provider):
    response = create(api, pending_provider)

    assert response.status_code == 403
    assert response.json()["detail"] == "Your organisation is pending approval by an operator."
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.BUYER])
def test_merchants_and_buyers_cannot_write_campaigns(api, member_factory, provider, role):
    campaign = own_campaign(provider)
    client = api.as_member(member_factory(role))

    assert client.post(URL, payload(), format="json").status_code == 403
    assert client.patch(f"{URL}{campaign.pk}/", {"name": "x"}, format="json").status_code == 403
    assert client.delete(f"{URL}{campaign.pk}/").status_code == 403
    assert client.post(f"{URL}{campaign.pk}/close/").status_code == 403


def test_another_provider_gets_404_for_each_campaign_endpoint(api, provider, member_factory):
    campaign = own_campaign(provider)
    client = api.as_member(member_factory(Role.PROVIDER))

    assert client.get(f"{URL}{campaign.pk}/").status_code == 404
    assert client.patch(f"{URL}{campaign.pk}/", {"name": "x"}, format="json").status_code == 404
    assert client.post(f"{URL}{campaign.pk}/close/").status_code == 404
    assert client.delete(f"{URL}{campaign.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0


def test_providers_list_only_their_own_campaigns_in_every_status(api, provider):
    mine = [own_campaign(provider, status=s) for s in ("draft", "open", "closed")]
    CampaignFactory()

    body = api.as_member(provider).get(URL).json()

    assert body["count"] == 3
    assert {row["id"] for row in body["results"]} == {c.pk for c in mine}


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.BUYER])
def test_merchants_and_buyers_see_open_and_ongoing_campaigns_only(api, member_factory, role):
    open_one = CampaignFactory()
    ongoing = CampaignFactory(promotion_start=TODAY, status="open")  # the beat has not run
    draft = CampaignFactory(status="draft")
    closed = CampaignFactory(status="closed")
    ended = CampaignFactory(
        registration_start=date(2026, 1, 1),
        registration_end=date(2026, 1, 5),
        promotion_start=date(2026, 1, 6),
        promotion_end=date(2026, 3, 1),
        status="ongoing",
    )
    client = api.as_member(member_factory(role))

    body = client.get(URL).json()

    statuses = {row["id"]: row["status"] for row in body["results"]}
    assert statuses == {open_one.pk: "open", ongoing.pk: "ongoing"}
    for hidden in (draft, closed, ended):
        assert client.get(f"{URL}{hidden.pk}/").status_code == 404


def test_the_status_filter_uses_the_effective_status(api, provider):
    own_campaign(provider)
    ongoing = own_campaign(provider, promotion_start=TODAY)

    body = api.as_member(provider).get(URL, {"status": "ongoing"}).json()

    assert [row["id"] for row in body["results"]] == [ongoing.pk]


def test_open_moves_a_draft_to_open(api, provider):
    campaign = own_campaign(provider, status="draft")

    response = api.as_member(provider).post(f"{URL}{campaign.pk}/open/")

    assert response.status_code == 200
    assert response.json()["status"] == "open"
    campaign.refresh_from_db()
    assert campaign.status == "open"
    assert campaign.opened_at is not None


def test_opening_after_the_promotion_started_shows_it_ongoing(api, provider):
    campaign = own_campaign(provider, status="draft", promotion_start=TODAY)

    response = api.as_member(provider).post(f"{URL}{campaign.pk}/open/")

    assert response.json()["status"] == "ongoing"


def test_it_refuses_to_open_a_campaign_whose_promotion_is_over(api, provider):
    campaign = own_campaign(
        provider,
        status="draft",
        registration_start=date(2026, 1, 1),
        registration_end=date(2026, 1, 2),
        promotion_start=date(2026, 1, 3),
        promotion_end=date(2026, 3, 1),
    )

    response = api.as_member(provider).post(f"{URL}{campaign.pk}/open/")

    assert response.status_code == 400
    assert response.json() == {
        "promotion_end": [
            "The promotion already ended on 2026-03-01; move its dates before opening."
        ]
    }
    campaign.refresh_from_db()
    assert campaign.status == "draft"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("open", "Only a draft campaign can be opened; this one is open."),
        ("ongoing", "Only a draft campaign can be opened; this one is ongoing."),
        ("closed", "Only a draft campaign can be opened; this one is closed."),
    ],
)
def test_opening_anything_but_a_draft_is_a_conflict(api, provider, status, message):
    start = TODAY if status == "ongoing" else date(2026, 3, 5)
    campaign = own_campaign(provider, status=status, promotion_start=start)

    response = api.as_member(provider).post(f"{URL}{campaign.pk}/open/")

    assert response.status_code == 409
    assert response.json() == {"detail": message}


@pytest.mark.parametrize("status", ["open", "ongoing"])
def test_close_moves_an_open_or_ongoing_campaign_to_closed(api, provider, status):
    campaign = own_campaign(provider, status=status)

    response = api.as_member(provider).post(f"{URL}{campaign.pk}/close/")

    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    campaign.refresh_from_db()
    assert campaign.status == "closed"
    assert campaign.closed_at is not None


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("draft", "Only an open or ongoing campaign can be closed; this one is draft."),
        ("closed", "Only an open or ongoing campaign can be closed; this one is closed."),
    ],
)
def test_closing_a_draft_or_closed_campaign_is_a_conflict(api, provider, status, message):
    campaign = own_campaign(provider, status=status)

    response = api.as_member(provider).post(f"{URL}{campaign.pk}/close/")

    assert response.status_code == 409
    assert response.json() == {"detail": message}


def test_closing_a_campaign_past_its_promotion_is_a_conflict_even_before_the_beat(api, provider):
    campaign = own_campaign(
        provider,
        status="ongoing",
        registration_start=date(2026, 1, 1),
        registration_end=date(2026, 1, 2),
        promotion_start=date(2026, 1, 3),
        promotion_end=date(2026, 3, 1),
    )

    response = api.as_member(provider).post(f"{URL}{campaign.pk}/close/")

    assert response.status_code == 409
    assert response.json()["detail"].endswith("this one is closed.")


def test_rates_and_windows_change_freely_in_draft(api, provider):
    campaign = own_campaign(provider, status="draft")

    response = api.as_member(provider).patch(
        f"{URL}{campaign.pk}/",
        {"min_commission_rate": "0.3000", "promotion_end": "2026-05-01"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["min_commission_rate"] == "0.3000"
    assert response.json()["promotion_end"] == "2026-05-01"


@pytest.mark.parametrize(
    "change",
    [
        {"min_commission_rate": "0.3000"},
        {"service_fee_rate": "0.0500"},
        {"promotion_end": "2026-05-01"},
        {"registration_end": "2026-03-20"},
        {"settlement_delay_days": 20},
        {"attribution_window_days": 3},
    ],
)
def test_rates_and_windows_are_fixed_once_opened(api, provider, change):
    campaign = own_campaign(provider)

    response = api.as_member(provider).patch(f"{URL}{campaign.pk}/", change, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Rates and dates can only change while the campaign is a draft; it is open."
    }


def test_name_categories_and_rating_stay_editable_until_closed(api, provider):
    campaign = own_campaign(provider, promotion_start=TODAY)  # ongoing
    client = api.as_member(provider)

    response = client.patch(
        f"{URL}{campaign.pk}/",
        {"name": "Renamed", "categories": ["home", "bags"], "min_merchant_rating": "4.50"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Renamed"
    assert sorted(body["categories"]) == ["bags", "home"]
    assert body["min_merchant_rating"] == "4.50"


def test_a_full_put_of_unchanged_terms_is_fine_once_opened(api, provider):
    campaign = own_campaign(provider)
    client = api.as_member(provider)
    current = client.get(f"{URL}{campaign.pk}/").json()

    response = client.put(f"{URL}{campaign.pk}/", {**current, "name": "New name"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "New name"


def test_a_closed_campaign_cannot_be_changed(api, provider):
    campaign = own_campaign(provider, status="closed")

    response = api.as_member(provider).patch(f"{URL}{campaign.pk}/", {"name": "x"}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": "A closed campaign cannot be changed."}


def test_only_a_draft_can_be_deleted(api, provider):
    draft = own_campaign(provider, status="draft")
    opened = own_campaign(provider)
    client = api.as_member(provider)

    assert client.delete(f"{URL}{draft.pk}/").status_code == 204
    response = client.delete(f"{URL}{opened.pk}/")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Only a draft campaign can be deleted; this one is open. Close it instead."
    )
    assert list(Campaign.objects.all()) == [opened]


def test_an_unknown_category_slug_is_a_field_error(api, provider):
    response = create(api, provider, categories=["no-such-thing"])

    assert response.status_code == 400
    assert "categories" in response.json()


def test_listing_campaigns_takes_a_bounded_number_of_queries(
    api, provider, merchant, django_assert_max_num_queries
):
    for _ in range(12):
        campaign = own_campaign(provider)
        campaign.categories.set([category("home"), category("bags")])
    for client_user in (provider, merchant):
        client = api.as_member(client_user)
        with django_assert_max_num_queries(6):
            body = client.get(URL).json()
        assert body["count"] == 12
        assert sorted(body["results"][0]["categories"]) == ["bags", "home"]
