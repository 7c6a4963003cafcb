"""Match proposals through the API: propose, answer, withdraw, and who may do what."""

from decimal import Decimal

import pytest

from accounts.models import Role
from core.models import Notification
from matchmaking.models import Assortment, AssortmentItem, MatchProposal
from matchmaking.selectors.proposals import acceptance_rate
from tests.factories import CampaignFactory, EnrollmentFactory, RosterMembershipFactory

URL = "/api/v1/match-proposals/"


@pytest.fixture
def setup(provider, buyer):
    """A provider with two approved enrollments and a buyer on its active roster."""
    campaign = CampaignFactory(provider=provider.organisation)
    first = EnrollmentFactory(campaign=campaign, status="approved")
    second = EnrollmentFactory(campaign=campaign, status="approved")
    RosterMembershipFactory(provider=provider.organisation, buyer=buyer.organisation)
    return campaign, first, second


def propose(api, user, buyer, enrollments, note="Sells well in autumn"):
    return api.as_member(user).post(
        URL, {"buyer": buyer.pk, "enrollments": [e.pk for e in enrollments], "note": note},
        format="json",
    )  # fmt: skip


def proposed(provider, buyer, enrollment, status="proposed"):
    return MatchProposal.objects.create(
        provider=provider.organisation, buyer=buyer.organisation, enrollment=enrollment,
        note="Try it", status=status,
    )  # fmt: skip


def test_it_proposes_many_enrollments_at_once_and_tells_the_buyer(api, provider, buyer, setup):
    _campaign, first, second = setup
    response = propose(api, provider, buyer.organisation, [first, second])
    assert response.status_code == 201, response.data
    created = response.data["created"]
    assert [row["enrollment"] for row in created] == [first.pk, second.pk]
    assert {row["status"] for row in created} == {"proposed"}
    assert created[0]["note"] == "Sells well in autumn"
    assert created[0]["buyer"] == buyer.organisation.pk
    assert created[0]["campaign_price"] == "159.00"
    assert response.data["skipped"] == []
    notice = Notification.objects.get(organisation=buyer.organisation)
    assert f"{provider.organisation.name} proposes 2 item(s) to you." == notice.message


def test_it_skips_and_reports_an_enrollment_already_open_for_the_buyer(api, provider, buyer, setup):
    _campaign, first, second = setup
    proposed(provider, buyer, first)
    response = propose(api, provider, buyer.organisation, [first, second])
    assert response.status_code == 201
    assert [row["enrollment"] for row in response.data["created"]] == [second.pk]
    assert response.data["skipped"] == [
        {
            "index": 0,
            "enrollment": first.pk,
            "reason": "An open proposal of this enrollment to this buyer already exists.",
        }
    ]
    assert MatchProposal.objects.filter(enrollment=first).count() == 1


def test_it_names_the_index_of_each_enrollment_that_cannot_be_proposed(api, provider, buyer, setup):
    campaign, first, _second = setup
    pending = EnrollmentFactory(campaign=campaign)
    someone_elses = EnrollmentFactory(status="approved")
    response = propose(api, provider, buyer.organisation, [first, pending, someone_elses, first])
    assert response.status_code == 400
    message = "Choose an approved enrollment of one of your campaigns."
    assert response.data == {
        "enrollments": {"1": [message], "2": [message], "3": ["This enrollment is listed twice."]}
    }
    assert not MatchProposal.objects.exists()


def test_it_proposes_only_to_buyers_on_the_active_roster(api, provider, member_factory, setup):
    _campaign, first, _second = setup
    stranger = member_factory(Role.BUYER).organisation
    invited = member_factory(Role.BUYER).organisation
    RosterMembershipFactory(provider=provider.organisation, buyer=invited, status="invited")
    for buyer in (stranger, invited):
        response = propose(api, provider, buyer, [first])
        assert response.status_code == 400
        assert response.data == {"buyer": ["Choose a buyer on your active roster."]}


def test_it_refuses_a_pending_provider_and_a_buyer(api, pending_provider, buyer, setup):
    _campaign, first, _second = setup
    assert propose(api, pending_provider, buyer.organisation, [first]).status_code == 403
    assert propose(api, buyer, buyer.organisation, [first]).status_code == 403


def test_it_adds_an_accepted_item_to_the_shared_assortment_exactly_once(
    api, provider, buyer, setup
):
    _campaign, first, second = setup
    one, two = proposed(provider, buyer, first), proposed(provider, buyer, second)
    response = api.as_member(buyer).post(f"{URL}{one.pk}/accept/")
    assert response.status_code == 200
    assert response.data["status"] == "accepted"
    assert api.as_member(buyer).post(f"{URL}{two.pk}/accept/").status_code == 200
    # proposed again later and accepted again: still one item
    again = proposed(provider, buyer, first)
    assert api.as_member(buyer).post(f"{URL}{again.pk}/accept/").status_code == 200

    assortment = Assortment.objects.get(provider=provider.organisation)
    assert assortment.name == f"Proposals for {buyer.organisation.name}"
    assert list(assortment.buyers.all()) == [buyer.organisation]
    items = list(AssortmentItem.objects.filter(assortment=assortment).order_by("position"))
    assert [(i.enrollment_id, i.position, i.note) for i in items] == [
        (first.pk, 1, "Try it"),
        (second.pk, 2, "Try it"),
    ]
    notice = Notification.objects.filter(organisation=provider.organisation).first()
    assert "accepted your proposal of" in notice.message


def test_it_declines_and_the_provider_is_told(api, provider, buyer, setup):
    _campaign, first, _second = setup
    proposal = proposed(provider, buyer, first)
    response = api.as_member(buyer).post(f"{URL}{proposal.pk}/decline/")
    assert response.status_code == 200
    assert response.data["status"] == "declined"
    assert response.data["answered_at"] is not None
    assert not Assortment.objects.exists()
    assert Notification.objects.filter(organisation=provider.organisation).count() == 1


@pytest.mark.parametrize("state", ["accepted", "declined", "withdrawn"])
@pytest.mark.parametrize("verb", ["accept", "decline"])
def test_it_answers_only_an_open_proposal(api, provider, buyer, setup, state, verb):
    proposal = proposed(provider, buyer, setup[1], status=state)
    response = api.as_member(buyer).post(f"{URL}{proposal.pk}/{verb}/")
    assert response.status_code == 409
    assert response.data["detail"].startswith("This proposal is already")


@pytest.mark.parametrize("verb", ["accept", "decline"])
def test_it_lets_only_the_buyer_answer(api, provider, buyer, setup, verb):
    proposal = proposed(provider, buyer, setup[1])
    response = api.as_member(provider).post(f"{URL}{proposal.pk}/{verb}/")
    assert response.status_code == 403
    assert response.data == {"detail": "Only the buyer a proposal was made to can answer it."}


def test_it_withdraws_an_open_proposal_and_not_an_answered_one(api, provider, buyer, setup):
    proposal = proposed(provider, buyer, setup[1])
    assert api.as_member(buyer).post(f"{URL}{proposal.pk}/withdraw/").status_code == 403
    response = api.as_member(provider).post(f"{URL}{proposal.pk}/withdraw/")
    assert response.status_code == 200
    assert response.data["status"] == "withdrawn"
    response = api.as_member(provider).post(f"{URL}{proposal.pk}/withdraw/")
    assert response.status_code == 409
    assert response.data == {"detail": "Only an open proposal can be withdrawn."}


def test_it_refuses_acceptance_once_the_roster_has_ended(api, provider, buyer, setup):
    proposal = proposed(provider, buyer, setup[1])
    provider.organisation.roster.update(status="ended")
    response = api.as_member(buyer).post(f"{URL}{proposal.pk}/accept/")
    assert response.status_code == 409
    assert MatchProposal.objects.get(pk=proposal.pk).status == "proposed"
    assert not AssortmentItem.objects.exists()


@pytest.mark.parametrize("verb", ["accept", "decline", "withdraw"])
def test_it_hides_other_organisations_proposals(api, provider, buyer, member_factory, setup, verb):
    proposal = proposed(provider, buyer, setup[1])
    for role in (Role.BUYER, Role.PROVIDER):
        outsider = member_factory(role)
        assert api.as_member(outsider).post(f"{URL}{proposal.pk}/{verb}/").status_code == 404
        assert api.as_member(outsider).get(f"{URL}{proposal.pk}/").status_code == 404


def test_it_refuses_merchants(api, merchant):
    assert api.as_member(merchant).get(URL).status_code == 403


def test_it_lists_each_sides_proposals_in_bounded_queries(
    api, provider, buyer, setup, django_assert_max_num_queries
):
    for _ in range(6):
        proposed(provider, buyer, EnrollmentFactory(campaign=setup[0], status="approved"))
    for user in (provider, buyer):
        with django_assert_max_num_queries(8):
            response = api.as_member(user).get(URL)
        assert response.data["count"] == 6


def test_it_computes_the_acceptance_rate_over_answered_proposals(api, provider, buyer, setup):
    campaign = setup[0]
    for status in ["accepted", "accepted", "declined", "withdrawn", "proposed"]:
        proposed(provider, buyer, EnrollmentFactory(campaign=campaign, status="approved"), status)
    response = api.as_member(provider).get(f"{URL}stats/")
    assert response.status_code == 200
    assert response.data == [
        {
            "provider": provider.organisation.pk,
            "provider_name": provider.organisation.name,
            "proposed": 1,
            "accepted": 2,
            "declined": 1,
            "withdrawn": 1,
            "acceptance_rate": "0.6667",
        }
    ]
    assert api.as_member(buyer).get(f"{URL}stats/").data[0]["acceptance_rate"] == "0.6667"


def test_it_has_no_rate_before_any_answer():
    assert acceptance_rate(0, 0) is None
    assert acceptance_rate(3, 0) == Decimal("1.0000")
    assert acceptance_rate(1, 2) == Decimal("0.3333")
    assert acceptance_rate(2, 1) == Decimal("0.6667")


def test_each_proposal_keeps_the_recommenders_score_for_that_buyer(api, provider, buyer, setup):
    from matchmaking.selectors.recommendations import recommend_for_buyer

    _campaign, first, second = setup
    propose(api, provider, buyer.organisation, [first, second])

    expected = {
        rec.enrollment.pk: rec.score
        for rec in recommend_for_buyer(
            buyer=buyer.organisation,
            candidates=type(first).objects.filter(pk__in=[first.pk, second.pk]),
            limit=None,
        )
    }
    kept = dict(MatchProposal.objects.values_list("enrollment_id", "score"))
    assert kept == {first.pk: expected[first.pk], second.pk: expected[second.pk]}
    assert all(score is not None for score in kept.values())
