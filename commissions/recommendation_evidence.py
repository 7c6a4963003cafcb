"""What commissions tells the recommender (matchmaking.buyer_evidence): buyers' sales and
counted clicks per category, and the links they made lately. Registered in
CommissionsConfig.ready."""

from datetime import datetime

from django.db.models import Count, Q

from commissions.models import AffiliateLink, Click, Order, OrderLine

CATEGORY = "link__enrollment__product__category_id"


def sales(buyer_ids: list[int], since: datetime) -> list[tuple[int, int, int, int]]:
    """(buyer, category, attributed lines, lines through a recorded click), cancelled orders
    left out."""
    lines = OrderLine.objects.filter(
        link__buyer_id__in=buyer_ids, order__paid_at__gte=since
    ).exclude(order__status=Order.Status.CANCELLED)
    return list(
        lines.values_list("link__buyer_id", CATEGORY)
        .annotate(count=Count("pk"), clicked=Count("pk", filter=Q(click__isnull=False)))
        .order_by()
    )


def clicks(buyer_ids: list[int], since: datetime) -> list[tuple[int, int, int]]:
    """(buyer, category, counted clicks): no bots, no repeats, none that could not earn."""
    counted = Click.objects.filter(
        link__buyer_id__in=buyer_ids,
        clicked_at__gte=since,
        is_bot=False,
        is_duplicate=False,
        not_promotable="",
    )
    return list(
        counted.values_list("link__buyer_id", CATEGORY).annotate(count=Count("pk")).order_by()
    )


def links_made(
    buyer_ids: list[int], since: datetime, enrollment_ids: list[int] | None
) -> list[tuple[int, int, datetime]]:
    links = AffiliateLink.objects.filter(buyer_id__in=buyer_ids, created_at__gte=since)
    if enrollment_ids is not None:
        links = links.filter(enrollment_id__in=enrollment_ids)
    return list(links.values_list("buyer_id", "enrollment_id", "created_at"))
