"""State changes of assortments (选品池): a provider's ordered, annotated lists of enrollments.

Rules: only the provider that owns an assortment changes it; items are
approved enrollments of the provider's own campaigns, each at most once,
at positions 1..n; an assortment is shared only with buyers on the
provider's active roster. Row locks: matchmaking.locks, in the order of
docs/architecture.md.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from core.errors import DomainError, Forbidden, ensure
from matchmaking.locks import lock_active_memberships, lock_assortment
from matchmaking.models import Assortment, AssortmentItem, Enrollment

NOTE_MAX_LENGTH = AssortmentItem._meta.get_field("note").max_length
NAME_MAX_LENGTH = Assortment._meta.get_field("name").max_length


@dataclass(frozen=True)
class ItemInput:
    enrollment_id: int
    note: str = ""
    position: int | None = None


def check_curator(user: User) -> Organisation:
    organisation = user.organisation
    ensure(
        organisation is not None and organisation.role == Role.PROVIDER,
        Forbidden(_("Only the service provider that curates an assortment can change it.")),
    )
    ensure(
        organisation.is_active,
        Forbidden(_("Your organisation is pending approval by an operator.")),
    )
    return organisation


def check_name(name: str) -> str:
    name = (name or "").strip()
    ensure(bool(name), DomainError(_("Give the assortment a name."), field="name"))
    ensure(
        len(name) <= NAME_MAX_LENGTH,
        DomainError(_("Keep the name under %d characters.") % NAME_MAX_LENGTH, field="name"),
    )
    return name


def check_note(note: str) -> str:
    note = (note or "").strip()
    ensure(
        len(note) <= NOTE_MAX_LENGTH,
        DomainError(_("Keep the note under %d characters.") % NOTE_MAX_LENGTH, field="note"),
    )
    return note


def check_own_assortment(*, assortment_id: int, by: User) -> Assortment:
    """The assortment, locked, if ``by`` is the active provider that curates it."""
    provider = check_curator(by)
    assortment = lock_assortment(assortment_id)
    ensure(
        assortment is not None and assortment.provider_id == provider.pk,
        Forbidden(_("Only the service provider that curates an assortment can change it.")),
    )
    return assortment


def eligible_enrollment_ids(*, provider: Organisation, ids: Sequence[int]) -> set[int]:
    """Approved enrollments of the provider's own campaigns among ``ids``."""
    return set(
        Enrollment.objects.filter(
            pk__in=ids, status=Enrollment.Status.APPROVED, campaign__provider=provider
        ).values_list("pk", flat=True)
    )


def check_items(*, provider: Organisation, items: Sequence[ItemInput]) -> list[ItemInput]:
    """Every item valid or a 400 naming each bad item by its index; returns them in order."""
    eligible = eligible_enrollment_ids(provider=provider, ids=[i.enrollment_id for i in items])
    errors: dict[str, dict[str, list[str]]] = {}
    seen: set[int] = set()
    for index, item in enumerate(items):
        if item.enrollment_id not in eligible:
            message = _("Choose an approved enrollment of one of your campaigns.")
            errors[str(index)] = {"enrollment": [message]}
        elif item.enrollment_id in seen:
            message = _("This enrollment is already in the assortment.")
            errors[str(index)] = {"enrollment": [message]}
        elif len(item.note or "") > NOTE_MAX_LENGTH:
            message = _("Keep the note under %d characters.") % NOTE_MAX_LENGTH
            errors[str(index)] = {"note": [message]}
        seen.add(item.enrollment_id)
    if errors:
        raise DomainError(_("Some items cannot be added."), detail={"items": errors})
    # Positions only order the items; they are stored as 1..n.
    ranked = sorted(enumerate(items), key=lambda pair: (pair[1].position or pair[0] + 1, pair[0]))
    return [item for _index, item in ranked]


def replace_items(*, assortment: Assortment, items: Sequence[ItemInput]) -> None:
    """Inside the caller's transaction, with the assortment locked."""
    ordered = check_items(provider=assortment.provider, items=items)
    assortment.items.all().delete()
    AssortmentItem.objects.bulk_create(
        AssortmentItem(
            assortment=assortment,
            enrollment_id=item.enrollment_id,
            position=position,
            note=(item.note or "").strip(),
        )
        for position, item in enumerate(ordered, start=1)
    )


def share_with(*, assortment: Assortment, buyer_ids: Sequence[int]) -> None:
    """Inside the caller's transaction: shares only with buyers on the active roster.

    The memberships are locked so that a roster end cannot slip between the
    check and the share (it would leave the assortment shared after the end).
    """
    wanted = list(dict.fromkeys(buyer_ids))
    active = {
        membership.buyer_id
        for membership in lock_active_memberships(
            provider_id=assortment.provider_id, buyer_ids=wanted
        )
    }
    missing = [buyer_id for buyer_id in wanted if buyer_id not in active]
    if missing:
        messages = [
            _("Buyer %(id)s is not on your active roster.") % {"id": buyer_id}
            for buyer_id in missing
        ]
        raise DomainError(messages[0], detail={"buyers": messages})
    assortment.buyers.set(wanted)


def create_assortment(
    *,
    by: User,
    name: str,
    description: str = "",
    buyer_ids: Sequence[int] = (),
    items: Sequence[ItemInput] = (),
) -> Assortment:
    """A provider curates a new assortment of its approved enrollments for its active buyers."""
    provider = check_curator(by)
    name = check_name(name)
    with transaction.atomic():
        assortment = Assortment.objects.create(
            provider=provider, name=name, description=(description or "").strip()
        )
        share_with(assortment=assortment, buyer_ids=buyer_ids)
        replace_items(assortment=assortment, items=items)
    return assortment


def update_assortment(
    *,
    assortment_id: int,
    by: User,
    name: str | None = None,
    description: str | None = None,
    buyer_ids: Sequence[int] | None = None,
    items: Sequence[ItemInput] | None = None,
) -> Assortment:
    """Changes what is given; ``items`` replaces the whole list at once, or nothing changes."""
    with transaction.atomic():
        assortment = check_own_assortment(assortment_id=assortment_id, by=by)
        if name is not None:
            assortment.name = check_name(name)
        if description is not None:
            assortment.description = description.strip()
        assortment.save()
        if buyer_ids is not None:
            share_with(assortment=assortment, buyer_ids=buyer_ids)
        if items is not None:
            replace_items(assortment=assortment, items=items)
    return assortment


def delete_assortment(*, assortment_id: int, by: User) -> None:
    """The owning provider deletes an assortment; buyers stop seeing it."""
    with transaction.atomic():
        assortment = check_own_assortment(assortment_id=assortment_id, by=by)
        assortment.delete()


def current_order(assortment: Assortment) -> list[AssortmentItem]:
    return list(assortment.items.order_by("position", "pk"))


def store_order(*, assortment: Assortment, items: Sequence[AssortmentItem]) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position
    AssortmentItem.objects.bulk_update(items, ["position"])
    assortment.save(update_fields=["updated_at"])


def reorder_assortment(
    *, assortment_id: int, by: User, enrollment_ids: Sequence[int]
) -> Assortment:
    """Puts the items in the given order; the list must be exactly the current enrollments."""
    with transaction.atomic():
        assortment = check_own_assortment(assortment_id=assortment_id, by=by)
        by_enrollment = {item.enrollment_id: item for item in current_order(assortment)}
        ids = list(enrollment_ids)
        ensure(
            len(ids) == len(set(ids)) and set(ids) == set(by_enrollment),
            DomainError(
                _("Send every enrollment of the assortment exactly once."), field="enrollments"
            ),
        )
        store_order(assortment=assortment, items=[by_enrollment[pk] for pk in ids])
    return assortment


def move_item(*, assortment_id: int, by: User, enrollment_id: int, offset: int) -> Assortment:
    """Moves one item up (negative offset) or down; the keyboard alternative to dragging."""
    with transaction.atomic():
        assortment = check_own_assortment(assortment_id=assortment_id, by=by)
        items = current_order(assortment)
        index = item_index(items, enrollment_id)
        target = min(max(index + offset, 0), len(items) - 1)
        items.insert(target, items.pop(index))
        store_order(assortment=assortment, items=items)
    return assortment


def item_index(items: Sequence[AssortmentItem], enrollment_id: int) -> int:
    for index, item in enumerate(items):
        if item.enrollment_id == enrollment_id:
            return index
    raise DomainError(_("This enrollment is not in the assortment."), field="enrollment")


def add_item(*, assortment_id: int, by: User, enrollment_id: int, note: str = "") -> Assortment:
    """Appends one approved enrollment of the provider's campaigns at the end."""
    with transaction.atomic():
        assortment = check_own_assortment(assortment_id=assortment_id, by=by)
        items = current_order(assortment)
        ensure(
            all(item.enrollment_id != enrollment_id for item in items),
            DomainError(_("This enrollment is already in the assortment."), field="enrollment"),
        )
        eligible = eligible_enrollment_ids(provider=assortment.provider, ids=[enrollment_id])
        ensure(
            enrollment_id in eligible,
            DomainError(
                _("Choose an approved enrollment of one of your campaigns."), field="enrollment"
            ),
        )
        AssortmentItem.objects.create(
            assortment=assortment,
            enrollment_id=enrollment_id,
            position=len(items) + 1,
            note=check_note(note),
        )
        assortment.save(update_fields=["updated_at"])
    return assortment


def remove_item(*, assortment_id: int, by: User, enrollment_id: int) -> Assortment:
    """Takes one item out; the others close up to positions 1..n."""
    with transaction.atomic():
        assortment = check_own_assortment(assortment_id=assortment_id, by=by)
        items = current_order(assortment)
        removed = items.pop(item_index(items, enrollment_id))
        removed.delete()
        store_order(assortment=assortment, items=items)
    return assortment


def set_item_note(*, assortment_id: int, by: User, enrollment_id: int, note: str) -> AssortmentItem:
    """The provider's note on one item, shown to the buyers it shares the assortment with."""
    with transaction.atomic():
        assortment = check_own_assortment(assortment_id=assortment_id, by=by)
        items = current_order(assortment)
        item = items[item_index(items, enrollment_id)]
        item.note = check_note(note)
        item.save(update_fields=["note"])
        assortment.save(update_fields=["updated_at"])
    return item


def unshare_provider_assortments(*, provider_id: int, buyer_id: int) -> int:
    """Inside the caller's transaction (a roster end): the buyer loses every shared assortment."""
    shares = Assortment.buyers.through.objects.filter(
        assortment__provider_id=provider_id, organisation_id=buyer_id
    )
    deleted, _rows = shares.delete()
    return deleted
