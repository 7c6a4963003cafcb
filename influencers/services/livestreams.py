"""Livestreams and their lineups: at most 120 ordered slots, locked once live."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from accounts.services import ensure_can_write
from core.errors import Conflict, DomainError, ensure
from influencers.locks import lock_livestream
from influencers.models import MAX_LINEUP_SLOTS, LineupSlot, Livestream
from matchmaking.selectors.reach import sampleable_enrollments

Status = Livestream.Status


@dataclass(frozen=True)
class SlotPlan:
    enrollment_id: int
    role: str = LineupSlot.Role.TRAFFIC
    minutes: int = 5
    target_units: int = 0


def check_slots(*, by: User, slots: list[SlotPlan]) -> None:
    ensure(
        len(slots) <= MAX_LINEUP_SLOTS,
        DomainError(_("A lineup holds at most %d slots.") % MAX_LINEUP_SLOTS, field="slots"),
    )
    wanted = {slot.enrollment_id for slot in slots}
    plannable = set(
        sampleable_enrollments(buyer=by.organisation)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    bad = [
        {"position": index, "enrollment": [_("You cannot promote this item.")]}
        for index, slot in enumerate(slots, start=1)
        if slot.enrollment_id not in plannable
    ]
    if bad:
        raise DomainError(_("Some slots cannot be planned."), detail={"slots": bad})


def write_slots(*, livestream: Livestream, slots: list[SlotPlan]) -> None:
    """Replace the lineup; positions are 1..n in the given order."""
    livestream.slots.all().delete()
    LineupSlot.objects.bulk_create(
        LineupSlot(
            livestream=livestream,
            enrollment_id=slot.enrollment_id,
            position=position,
            role=slot.role,
            minutes=slot.minutes,
            target_units=slot.target_units,
        )
        for position, slot in enumerate(slots, start=1)
    )


def create_livestream(
    *, by: User, title: str, scheduled_at: datetime, slots: list[SlotPlan] | None = None
) -> Livestream:
    """A buyer plans a livestream with a lineup of items it may promote."""
    ensure_can_write(by)
    slots = slots or []
    check_slots(by=by, slots=slots)
    with transaction.atomic():
        livestream = Livestream.objects.create(
            buyer=by.organisation, title=title, scheduled_at=scheduled_at, created_by=by
        )
        write_slots(livestream=livestream, slots=slots)
    return livestream


def update_livestream(
    *,
    by: User,
    livestream_id: int,
    title: str | None = None,
    scheduled_at: datetime | None = None,
    slots: list[SlotPlan] | None = None,
) -> Livestream:
    """Edit title, time or lineup; a live or ended livestream is locked."""
    ensure_can_write(by)
    if slots is not None:
        check_slots(by=by, slots=slots)
    with transaction.atomic():
        livestream = lock_livestream(livestream_id, buyer=by.organisation)
        ensure(
            not livestream.is_locked,
            Conflict(
                _("This livestream is %s and locked.") % livestream.get_status_display().lower()
            ),
        )
        if title is not None:
            livestream.title = title
        if scheduled_at is not None:
            livestream.scheduled_at = scheduled_at
        livestream.save()
        if slots is not None:
            write_slots(livestream=livestream, slots=slots)
    return livestream


def reorder_lineup(*, by: User, livestream_id: int, slot_ids: list[int]) -> Livestream:
    """Drag and drop: the same slots in a new order."""
    ensure_can_write(by)
    with transaction.atomic():
        livestream = lock_livestream(livestream_id, buyer=by.organisation)
        ensure(not livestream.is_locked, Conflict(_("A live or ended livestream is locked.")))
        slots = {slot.pk: slot for slot in livestream.slots.all()}
        ensure(
            sorted(slot_ids) == sorted(slots),
            DomainError(_("Send every slot of the lineup exactly once."), field="slots"),
        )
        for position, slot_id in enumerate(slot_ids, start=1):
            slots[slot_id].position = position
        LineupSlot.objects.bulk_update(slots.values(), ["position"])
    return livestream


# Words for the conflict message, translated whole rather than built from the URL's verb.
ACTION_WORDS = {"confirm": _lazy("be confirmed"), "go-live": _lazy("go live"), "end": _lazy("end")}
TRANSITIONS = {
    "confirm": (Status.DRAFT, Status.CONFIRMED),
    "go-live": (Status.CONFIRMED, Status.LIVE),
    "end": (Status.LIVE, Status.ENDED),
}


def move_livestream(*, by: User, livestream_id: int, action: str) -> Livestream:
    """draft -> confirmed -> live (locked) -> ended; anything else is a conflict."""
    ensure_can_write(by)
    source, target = TRANSITIONS[action]
    with transaction.atomic():
        livestream = lock_livestream(livestream_id, buyer=by.organisation)
        ensure(
            livestream.status == source,
            Conflict(
                _("This livestream is %(status)s, so it cannot %(action)s.")
                % {
                    "status": livestream.get_status_display().lower(),
                    "action": ACTION_WORDS[action],
                }
            ),
        )
        if target == Status.CONFIRMED:
            ensure(
                livestream.slots.exists(), Conflict(_("Add at least one slot before confirming."))
            )
        livestream.status = target
        if target == Status.LIVE:
            livestream.started_at = timezone.now()
        if target == Status.ENDED:
            livestream.ended_at = timezone.now()
        livestream.save()
    return livestream


def copy_livestream(
    *, by: User, livestream_id: int, scheduled_at: datetime, title: str | None = None
) -> tuple[Livestream, list[int]]:
    """A new draft with the slots of a past one; items no longer promotable are left out."""
    source = Livestream.objects.get(pk=livestream_id, buyer=by.organisation)
    old = list(source.slots.order_by("position"))
    plannable = set(
        sampleable_enrollments(buyer=by.organisation)
        .filter(pk__in=[slot.enrollment_id for slot in old])
        .values_list("pk", flat=True)
    )
    kept = [
        SlotPlan(slot.enrollment_id, slot.role, slot.minutes, slot.target_units)
        for slot in old
        if slot.enrollment_id in plannable
    ]
    skipped = [slot.enrollment_id for slot in old if slot.enrollment_id not in plannable]
    copy = create_livestream(
        by=by, title=title or source.title, scheduled_at=scheduled_at, slots=kept
    )
    Livestream.objects.filter(pk=copy.pk).update(copied_from=source)
    copy.copied_from = source
    return copy, skipped


def delete_livestream(*, by: User, livestream_id: int) -> None:
    """Only a draft can be deleted; a confirmed or past one stays on record."""
    ensure_can_write(by)
    with transaction.atomic():
        livestream = lock_livestream(livestream_id, buyer=by.organisation)
        ensure(
            livestream.status == Status.DRAFT,
            Conflict(_("Only a draft livestream can be deleted.")),
        )
        livestream.delete()


def editable(*, by: User, livestream_id: int) -> Livestream:
    """Inside a transaction: the buyer's livestream, locked, and not live or ended."""
    ensure_can_write(by)
    livestream = lock_livestream(livestream_id, buyer=by.organisation)
    ensure(not livestream.is_locked, Conflict(_("A live or ended livestream is locked.")))
    return livestream


def add_slot(*, by: User, livestream_id: int, plan: SlotPlan) -> LineupSlot:
    """Append one item to the end of the lineup."""
    check_slots(by=by, slots=[plan])
    with transaction.atomic():
        livestream = editable(by=by, livestream_id=livestream_id)
        count = livestream.slots.count()
        ensure(
            count < MAX_LINEUP_SLOTS,
            DomainError(_("A lineup holds at most %d slots.") % MAX_LINEUP_SLOTS, field="slots"),
        )
        return LineupSlot.objects.create(
            livestream=livestream,
            enrollment_id=plan.enrollment_id,
            position=count + 1,
            role=plan.role,
            minutes=plan.minutes,
            target_units=plan.target_units,
        )


def change_slot(
    *, by: User, slot_id: int, role: str, minutes: int, target_units: int
) -> LineupSlot:
    with transaction.atomic():
        slot = LineupSlot.objects.get(pk=slot_id, livestream__buyer=by.organisation)
        editable(by=by, livestream_id=slot.livestream_id)
        ensure(role in LineupSlot.Role.values, DomainError(_("Choose a slot role."), field="role"))
        slot.role, slot.minutes, slot.target_units = role, minutes, target_units
        slot.save(update_fields=["role", "minutes", "target_units"])
    return slot


def remove_slot(*, by: User, slot_id: int) -> None:
    """Take an item out; the ones after it move up."""
    with transaction.atomic():
        slot = LineupSlot.objects.get(pk=slot_id, livestream__buyer=by.organisation)
        livestream = editable(by=by, livestream_id=slot.livestream_id)
        slot.delete()
        rest = list(livestream.slots.order_by("position"))
        for position, other in enumerate(rest, start=1):
            other.position = position
        LineupSlot.objects.bulk_update(rest, ["position"])
