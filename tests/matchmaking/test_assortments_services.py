import pytest

from accounts.models import Role
from core.errors import DomainError
from matchmaking.models import Assortment, AssortmentItem
from matchmaking.services.assortments import (
    ItemInput,
    add_item,
    create_assortment,
    move_item,
    remove_item,
    set_item_note,
    update_assortment,
)
from tests.factories import EnrollmentFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db


def approved(provider):
    return EnrollmentFactory(status="approved", campaign__provider=provider.organisation)


def positions(assortment):
    return list(assortment.items.order_by("position").values_list("enrollment_id", "position"))


@pytest.fixture
def filled(provider):
    enrollments = [approved(provider) for _ in range(4)]
    assortment = create_assortment(
        by=provider,
        name="  Autumn  ",
        items=[ItemInput(enrollment_id=e.pk, note=f"  n{i}  ") for i, e in enumerate(enrollments)],
    )
    return assortment, enrollments


def test_it_trims_the_name_and_notes_and_numbers_items_from_one(filled):
    assortment, enrollments = filled

    assert assortment.name == "Autumn"
    assert positions(assortment) == [(e.pk, i) for i, e in enumerate(enrollments, start=1)]
    assert list(assortment.items.values_list("note", flat=True)) == ["n0", "n1", "n2", "n3"]


def test_removing_and_adding_keep_positions_one_to_n(provider, filled):
    assortment, (a, b, c, d) = filled
    extra = approved(provider)

    remove_item(assortment_id=assortment.pk, by=provider, enrollment_id=b.pk)
    add_item(assortment_id=assortment.pk, by=provider, enrollment_id=extra.pk, note="new")

    assert positions(assortment) == [(a.pk, 1), (c.pk, 2), (d.pk, 3), (extra.pk, 4)]


def test_moving_past_either_end_stays_in_bounds(provider, filled):
    assortment, (a, b, c, d) = filled

    move_item(assortment_id=assortment.pk, by=provider, enrollment_id=d.pk, offset=1)
    move_item(assortment_id=assortment.pk, by=provider, enrollment_id=b.pk, offset=-1)

    assert positions(assortment) == [(b.pk, 1), (a.pk, 2), (c.pk, 3), (d.pk, 4)]


def test_a_note_is_at_most_500_characters(provider, filled):
    assortment, (a, *_rest) = filled

    with pytest.raises(DomainError) as error:
        set_item_note(assortment_id=assortment.pk, by=provider, enrollment_id=a.pk, note="x" * 501)

    assert error.value.as_payload() == {"note": ["Keep the note under 500 characters."]}
    assert assortment.items.get(enrollment=a).note == "n0"


def test_an_item_outside_the_assortment_is_named(provider, filled):
    assortment, _ = filled
    stranger = approved(provider)

    with pytest.raises(DomainError) as error:
        remove_item(assortment_id=assortment.pk, by=provider, enrollment_id=stranger.pk)

    assert error.value.as_payload() == {"enrollment": ["This enrollment is not in the assortment."]}


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.BUYER, Role.MERCHANT])
def test_only_the_owning_provider_changes_an_assortment(member_factory, filled, role):
    assortment, (a, *_rest) = filled
    outsider = member_factory(role)

    for change in (
        lambda: update_assortment(assortment_id=assortment.pk, by=outsider, name="Mine"),
        lambda: remove_item(assortment_id=assortment.pk, by=outsider, enrollment_id=a.pk),
    ):
        with pytest.raises(DomainError) as error:
            change()
        assert error.value.status_code == 403
    assert Assortment.objects.get().name == "Autumn"
    assert AssortmentItem.objects.count() == 4


def test_a_pending_provider_cannot_create(pending_provider):
    with pytest.raises(DomainError) as error:
        create_assortment(by=pending_provider, name="Autumn")

    assert error.value.status_code == 403
    assert not Assortment.objects.exists()


def test_a_bad_buyer_leaves_the_items_as_they_were(provider, filled):
    assortment, enrollments = filled
    invited = RosterMembershipFactory(provider=provider.organisation, status="invited").buyer

    with pytest.raises(DomainError):
        update_assortment(
            assortment_id=assortment.pk,
            by=provider,
            items=[ItemInput(enrollment_id=enrollments[0].pk)],
            buyer_ids=[invited.pk],
        )

    assert len(positions(assortment)) == 4
    assert not assortment.buyers.exists()
