"""Portal pages of tracked links: the buyer's list, a link from a catalogue card, a lineup's
links in one click, and a QR code to download."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from commissions.qr import qr_svg_document
from commissions.selectors.links import counted_clicks, link_url, links_for
from commissions.services.links import get_or_create_link, links_for_livestream
from core.errors import DomainError
from core.fields import parse_id
from core.htmx import is_htmx
from influencers.selectors.livestreams import livestreams_of

PAGE_SIZE = 50
MEMBERS = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)


class BuyerView(MemberRequiredMixin, View):
    allowed_roles = (Role.BUYER,)


class LinkListView(BuyerView):
    """The buyer's links with their counted clicks (three queries whatever the page size)."""

    def get(self, request):
        links = links_for(organisation=request.user.organisation)
        page = Paginator(links, PAGE_SIZE).get_page(request.GET.get("page"))
        clicks = counted_clicks(link_ids=[link.pk for link in page])
        now = timezone.now()
        for link in page:
            link.url = link_url(request, link.code)
            link.counted_clicks = clicks.get(link.pk, 0)
            link.expired = link.expires_at <= now
        return render(request, "commissions/links/index.html", {"page": page, "query": ""})


class LinkCreateView(BuyerView):
    """From a catalogue card (or to renew an expired link): the buyer's link of an enrollment."""

    def post(self, request):
        enrollment = request.POST.get("enrollment", "")
        link, error = None, None
        try:
            link, _created = get_or_create_link(
                by=request.user, enrollment_id=parse_id(enrollment) or 0
            )
        except DomainError as exc:
            error = exc.message
        if is_htmx(request):
            context = {"link": link, "error": error}
            if link is not None:
                context["url"] = link_url(request, link.code)
            return render(request, "commissions/links/partials/link_created.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Your link is ready: %s") % link_url(request, link.code))
        return redirect("links")


class LineupLinksView(BuyerView):
    """The "Generate links" button of a lineup."""

    def post(self, request, pk: int):
        livestream = get_object_or_404(livestreams_of(buyer=request.user.organisation), pk=pk)
        try:
            result = links_for_livestream(by=request.user, livestream_id=livestream.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("livestream", pk=livestream.pk)
        ready = len(result.slots) - len(result.skipped)
        messages.success(request, _("Links are ready for %d slot(s).") % ready)
        if result.skipped:
            positions = ", ".join(f"#{slot.position}" for slot in result.skipped)
            messages.warning(
                request, _("No link for %s: you cannot promote these items any more.") % positions
            )
        return redirect("livestream", pk=livestream.pk)


class LinkQrView(MemberRequiredMixin, View):
    """The link's QR code as an SVG file; anyone who may see the link may download it."""

    allowed_roles = MEMBERS

    def get(self, request, pk: int):
        link = get_object_or_404(links_for(organisation=request.user.organisation), pk=pk)
        response = HttpResponse(
            qr_svg_document(link_url(request, link.code)), content_type="image/svg+xml"
        )
        response["Content-Disposition"] = f'inline; filename="link-{link.code}.svg"'
        return response


urlpatterns = [
    path("links/", LinkListView.as_view(), name="links"),
    path("links/create/", LinkCreateView.as_view(), name="link-create"),
    path("links/<int:pk>/qr.svg", LinkQrView.as_view(), name="link-qr"),
    # Not under livestreams/<pk>/<action>/: the livestream pages already answer that pattern.
    path(
        "links/livestreams/<int:pk>/generate/",
        LineupLinksView.as_view(),
        name="lineup-generate-links",
    ),
]
