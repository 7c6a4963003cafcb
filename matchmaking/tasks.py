"""Celery tasks of matchmaking: thin shells over services, safe to run twice."""

from celery import shared_task

from matchmaking.services import campaigns as campaign_services
from matchmaking.services import change_requests as change_request_services

# --- campaigns and enrollments ---------------------------------------------


@shared_task(name="matchmaking.tasks.advance_campaigns")
def advance_campaigns() -> dict:
    """Persist open -> ongoing -> closed by date and expire approved enrollments of closed
    campaigns; conditional UPDATEs, so a second run (or worker) changes nothing."""
    return campaign_services.advance_campaigns().__dict__


# --- change requests --------------------------------------------------------


@shared_task(name="matchmaking.tasks.auto_accept_change_requests")
def auto_accept_change_requests() -> int:
    """Accept change requests left undecided for 7 days; a second run does nothing."""
    return change_request_services.auto_accept_due_change_requests()


# --- recommendations --------------------------------------------------------


@shared_task(name="matchmaking.tasks.precompute_recommendations")
def precompute_recommendations() -> int:
    """Nightly: score the candidates of every buyer on an active roster; returns the buyers
    done. Safe to run twice: each buyer's rows are upserted and pruned to the same set."""
    from matchmaking.models import RosterMembership

    buyer_ids = (
        RosterMembership.objects.filter(status=RosterMembership.Status.ACTIVE)
        .values_list("buyer_id", flat=True)
        .distinct()
        .order_by("buyer_id")
    )
    from matchmaking.services.recommendations import store_recommendation_scores

    done = 0
    for buyer_id in buyer_ids:
        store_recommendation_scores(buyer_id=buyer_id)
        done += 1
    return done
