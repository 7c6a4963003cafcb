"""Reads of sample requests, scoped through ``visible_to``: the buyer that asked, and the
merchant and provider of the enrollment."""

from django.db.models import QuerySet

from accounts.models import Organisation
from accounts.scoping import visible_to
from influencers.models import SampleRequest


def samples_for(*, organisation: Organisation | None) -> QuerySet[SampleRequest]:
    return visible_to(
        SampleRequest.objects.select_related(
            "buyer__buyer_profile__follower_verification",
            "enrollment__product",
            "enrollment__campaign",
            "livestream",
        ),
        organisation,
    )
