"""The figures on each role's home page: counts that say what needs doing, each one query."""

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Organisation
from influencers.models import Livestream, SampleRequest
from matchmaking.models import Assortment, Campaign, ChangeRequest, Enrollment, RosterMembership
from matchmaking.selectors.campaigns import effectively
from matchmaking.selectors.reach import promotable_enrollments
from merchants.models import Product


def provider_figures(organisation: Organisation) -> dict[str, int]:
    status = Campaign.Status
    campaigns = Campaign.objects.filter(provider=organisation).aggregate(
        draft=Count("id", filter=effectively(status.DRAFT)),
        open=Count("id", filter=effectively(status.OPEN)),
        ongoing=Count("id", filter=effectively(status.ONGOING)),
    )
    roster = RosterMembership.objects.filter(provider=organisation).aggregate(
        buyers=Count("id", filter=Q(status="active")),
        invited=Count("id", filter=Q(status="invited")),
    )
    return {
        **{f"campaigns_{key}": value for key, value in campaigns.items()},
        "enrollments_to_review": Enrollment.objects.filter(
            campaign__provider=organisation, status="pending"
        ).count(),
        "change_requests_to_decide": ChangeRequest.objects.filter(
            enrollment__campaign__provider=organisation, status="pending"
        ).count(),
        "roster_buyers": roster["buyers"],
        "roster_invited": roster["invited"],
        "assortments": Assortment.objects.filter(provider=organisation).count(),
    }


def merchant_figures(organisation: Organisation) -> dict[str, int]:
    products = Product.objects.filter(merchant=organisation).aggregate(
        active=Count("id", filter=Q(status="active")),
        draft=Count("id", filter=Q(status="draft")),
        out_of_stock=Count("id", filter=Q(status="active", stock=0)),
    )
    enrollments = Enrollment.objects.filter(product__merchant=organisation).aggregate(
        pending=Count("id", filter=Q(status="pending")),
        approved=Count("id", filter=Q(status="approved")),
    )
    samples = SampleRequest.objects.filter(enrollment__product__merchant=organisation).aggregate(
        to_approve=Count("id", filter=Q(status="requested")),
        to_ship=Count("id", filter=Q(status="approved")),
    )
    return {
        **{f"products_{key}": value for key, value in products.items()},
        **{f"enrollments_{key}": value for key, value in enrollments.items()},
        **{f"samples_{key}": value for key, value in samples.items()},
    }


def buyer_figures(organisation: Organisation) -> dict[str, int]:
    samples = SampleRequest.objects.filter(buyer=organisation).aggregate(
        waiting=Count("id", filter=Q(status__in=["requested", "approved", "shipped"])),
        to_take_live=Count("id", filter=Q(status="received")),
    )
    return {
        "promotable_items": promotable_enrollments(buyer=organisation).count(),
        "shared_assortments": Assortment.objects.filter(buyers=organisation).count(),
        "providers": RosterMembership.objects.filter(buyer=organisation, status="active").count(),
        "roster_invitations": RosterMembership.objects.filter(
            buyer=organisation, status="invited"
        ).count(),
        "upcoming_livestreams": Livestream.objects.filter(
            buyer=organisation, scheduled_at__gte=timezone.now()
        ).count(),
        "samples_waiting": samples["waiting"],
        "samples_to_take_live": samples["to_take_live"],
    }


FIGURES = {"provider": provider_figures, "merchant": merchant_figures, "buyer": buyer_figures}


def figures_for(organisation: Organisation | None) -> dict[str, int]:
    if organisation is None:
        return {}
    return FIGURES[organisation.role](organisation)
