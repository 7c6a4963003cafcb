from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.htmx import is_htmx
from core.paging import query_without_page
from influencers.forms import CatalogueFilterForm
from influencers.models import Livestream
from influencers.selectors.catalogue import CatalogueFilters, catalogue
from influencers.selectors.livestreams import livestreams_of

PAGE_SIZE = 24


class CatalogueView(MemberRequiredMixin, View):
    """Cards of everything the buyer may promote, filtered live with htmx."""

    allowed_roles = (Role.BUYER,)

    def get(self, request):
        form = CatalogueFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        filters = CatalogueFilters(**{k: v for k, v in data.items() if v not in (None, "")})
        page = Paginator(catalogue(buyer=request.user.organisation, filters=filters), PAGE_SIZE)
        context = {
            "form": form,
            "page": page.get_page(request.GET.get("page")),
            "drafts": livestreams_of(buyer=request.user.organisation).filter(
                status__in=[Livestream.Status.DRAFT, Livestream.Status.CONFIRMED]
            )[:20],
            "query": query_without_page(request),
        }
        template = (
            "influencers/partials/catalogue_cards.html"
            if is_htmx(request)
            else "influencers/catalogue.html"
        )
        return render(request, template, context)


urlpatterns = [path("catalogue/", CatalogueView.as_view(), name="catalogue")]
