"""Portal pages of assortments: providers curate and reorder, buyers read what is shared."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.errors import DomainError
from core.htmx import is_htmx
from matchmaking.models import Assortment
from matchmaking.selectors import assortments as selectors
from matchmaking.selectors.roster import active_roster_buyers
from matchmaking.services import assortments as services

app_name = "assortments"

OPTIONS_LIMIT = 50


class AssortmentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=160)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BuyerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class BuyersForm(forms.Form):
    buyers = BuyerChoiceField(
        label=gettext_lazy("Shared with"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyers"].queryset = active_roster_buyers(provider=provider)


def own_assortment(request: HttpRequest, pk: int) -> Assortment:
    return get_object_or_404(
        selectors.visible_assortments(organisation=request.user.organisation),
        pk=pk,
        provider=request.user.organisation,
    )


def enrollment_options(request: HttpRequest, assortment: Assortment, search: str = ""):
    return selectors.addable_enrollments(
        provider=request.user.organisation, assortment=assortment, search=search
    )[:OPTIONS_LIMIT]


def render_items(request: HttpRequest, assortment: Assortment, **extra) -> HttpResponse:
    context = {
        "assortment": assortment,
        "items": selectors.items_of(assortment=assortment),
        "editable": True,
        **extra,
    }
    return render(request, "matchmaking/assortments/partials/items.html", context)


class AssortmentListView(MemberRequiredMixin, View):
    """Provider: its assortments and a form to start one. Buyer: those shared with it."""

    allowed_roles = (Role.PROVIDER, Role.BUYER)

    def get(self, request, form: AssortmentForm | None = None):
        organisation = request.user.organisation
        context = {
            "organisation": organisation,
            "assortments": selectors.assortment_summaries(organisation=organisation)[:200],
            "form": form or AssortmentForm(),
        }
        template = "provider_list" if request.user.role == Role.PROVIDER else "buyer_list"
        return render(request, f"matchmaking/assortments/{template}.html", context)

    def post(self, request):
        if request.user.role != Role.PROVIDER:
            return redirect("assortments:index")
        form = AssortmentForm(request.POST)
        if form.is_valid():
            try:
                assortment = services.create_assortment(by=request.user, **form.cleaned_data)
                messages.success(request, _("Assortment “%s” created.") % assortment.name)
                return redirect("assortments:detail", pk=assortment.pk)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        return self.get(request, form=form)


class AssortmentDetailView(MemberRequiredMixin, View):
    """Provider: the editing page. Buyer: the shared assortment, read only."""

    allowed_roles = (Role.PROVIDER, Role.BUYER)

    def get(self, request, pk: int):
        organisation = request.user.organisation
        assortment = get_object_or_404(selectors.assortments_for(organisation=organisation), pk=pk)
        if request.user.role == Role.BUYER:
            return render(
                request, "matchmaking/assortments/buyer_detail.html", {"assortment": assortment}
            )
        search = request.GET.get("q", "")
        context = {
            "organisation": organisation,
            "assortment": assortment,
            "items": assortment.items.all(),
            "editable": organisation.is_active,
            "form": AssortmentForm(
                initial={"name": assortment.name, "description": assortment.description}
            ),
            "buyers_form": BuyersForm(
                provider=organisation, initial={"buyers": list(assortment.buyers.all())}
            ),
            "options": enrollment_options(request, assortment, search),
            "search": search,
        }
        return render(request, "matchmaking/assortments/provider_detail.html", context)


class ProviderPostView(MemberRequiredMixin, View):
    """A change to one of the provider's assortments: htmx gets the items back, others a page."""

    allowed_roles = (Role.PROVIDER,)

    def change(self, request: HttpRequest, assortment: Assortment, **kwargs) -> str:
        raise NotImplementedError

    def post(self, request, pk: int, **kwargs):
        assortment = own_assortment(request, pk)
        try:
            done = self.change(request, assortment, **kwargs)
            error = ""
        except DomainError as exc:
            done, error = "", exc.message
        if is_htmx(request):
            return render_items(request, assortment, item_error=error, item_done=done, **kwargs)
        if error:
            messages.error(request, error)
        elif done:
            messages.success(request, done)
        return redirect("assortments:detail", pk=assortment.pk)


class EditView(ProviderPostView):
    def change(self, request, assortment):
        form = AssortmentForm(request.POST)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise DomainError(errors[0], field=field)
        services.update_assortment(
            assortment_id=assortment.pk, by=request.user, **form.cleaned_data
        )
        return _("Saved.")


class BuyersView(ProviderPostView):
    def change(self, request, assortment):
        form = BuyersForm(request.POST, provider=request.user.organisation)
        if not form.is_valid():
            raise DomainError(_("Choose buyers from your active roster."), field="buyers")
        buyer_ids = [buyer.pk for buyer in form.cleaned_data["buyers"]]
        services.update_assortment(
            assortment_id=assortment.pk, by=request.user, buyer_ids=buyer_ids
        )
        return _("Sharing saved.")


class DeleteView(ProviderPostView):
    def post(self, request, pk: int):
        assortment = own_assortment(request, pk)
        services.delete_assortment(assortment_id=assortment.pk, by=request.user)
        messages.success(request, _("Assortment “%s” deleted.") % assortment.name)
        return redirect("assortments:index")


def posted_id(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise DomainError(_("Choose an enrollment to add."), field=name) from None


class AddItemView(ProviderPostView):
    def change(self, request, assortment):
        services.add_item(
            assortment_id=assortment.pk,
            by=request.user,
            enrollment_id=posted_id(request, "enrollment"),
            note=request.POST.get("note", ""),
        )
        return _("Item added.")


class NoteView(ProviderPostView):
    def change(self, request, assortment, enrollment_id: int):
        services.set_item_note(
            assortment_id=assortment.pk,
            by=request.user,
            enrollment_id=enrollment_id,
            note=request.POST.get("note", ""),
        )
        return _("Note saved.")


class MoveView(ProviderPostView):
    def change(self, request, assortment, enrollment_id: int):
        offset = -1 if request.POST.get("direction") == "up" else 1
        services.move_item(
            assortment_id=assortment.pk, by=request.user, enrollment_id=enrollment_id, offset=offset
        )
        return ""


class RemoveView(ProviderPostView):
    def change(self, request, assortment, enrollment_id: int):
        services.remove_item(
            assortment_id=assortment.pk, by=request.user, enrollment_id=enrollment_id
        )
        return _("Item removed.")


class ReorderView(ProviderPostView):
    """The drop of a drag: the enrollments in their new order; answers the refreshed list."""

    def change(self, request, assortment):
        try:
            ids = [int(value) for value in request.POST.getlist("enrollments")]
        except ValueError:
            ids = []
        services.reorder_assortment(
            assortment_id=assortment.pk, by=request.user, enrollment_ids=ids
        )
        return ""


class EnrollmentOptionsView(MemberRequiredMixin, View):
    """htmx: the options of the add-item select, narrowed by what the provider typed."""

    allowed_roles = (Role.PROVIDER,)

    def get(self, request, pk: int):
        assortment = own_assortment(request, pk)
        options = enrollment_options(request, assortment, request.GET.get("q", ""))
        return render(
            request,
            "matchmaking/assortments/partials/enrollment_options.html",
            {"options": options},
        )


urlpatterns = [
    path("assortments/", AssortmentListView.as_view(), name="index"),
    path("assortments/<int:pk>/", AssortmentDetailView.as_view(), name="detail"),
    path("assortments/<int:pk>/edit/", EditView.as_view(), name="edit"),
    path("assortments/<int:pk>/buyers/", BuyersView.as_view(), name="buyers"),
    path("assortments/<int:pk>/delete/", DeleteView.as_view(), name="delete"),
    path("assortments/<int:pk>/reorder/", ReorderView.as_view(), name="reorder"),
    path("assortments/<int:pk>/items/", AddItemView.as_view(), name="add-item"),
    path(
        "assortments/<int:pk>/enrollments/",
        EnrollmentOptionsView.as_view(),
        name="enrollment-options",
    ),
    path("assortments/<int:pk>/items/<int:enrollment_id>/note/", NoteView.as_view(), name="note"),
    path("assortments/<int:pk>/items/<int:enrollment_id>/move/", MoveView.as_view(), name="move"),
    path(
        "assortments/<int:pk>/items/<int:enrollment_id>/remove/",
        RemoveView.as_view(),
        name="remove",
    ),
]
