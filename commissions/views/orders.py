"""Portal pages of orders: each role's orders with their lines; merchants see every line's
attribution (or why not) and upload the storefront's order export."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from commissions import order_csv
from commissions.models import OrderImport
from commissions.selectors.orders import filtered_orders, imports_of
from core.csv_upload import CsvFileField, CsvRejected
from core.errors import DomainError
from core.htmx import is_htmx

app_name = "orders"
PAGE_SIZE = 25
MEMBERS = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)


class OrderImportForm(forms.Form):
    file = CsvFileField(
        label=gettext_lazy("Order export (CSV)"),
        help_text=gettext_lazy(
            "UTF-8 or GB18030 (Excel's CSV), first line the header, at most 20 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class OrderListView(MemberRequiredMixin, View):
    """Filters re-render only the table (htmx); the merchant also gets the CSV upload."""

    allowed_roles = MEMBERS

    def get(self, request: HttpRequest) -> HttpResponse:
        return order_page(request)


def order_page(
    request: HttpRequest,
    form: OrderImportForm | None = None,
    errors: list | None = None,
    status: int = 200,
) -> HttpResponse:
    organisation = request.user.organisation
    found = filtered_orders(organisation=organisation, params=request.GET)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": found, "page": page, "is_merchant": request.user.role == Role.MERCHANT}
    if is_htmx(request):
        return render(request, "commissions/orders/partials/table.html", context)
    if context["is_merchant"]:
        context.update(
            form=form or OrderImportForm(),
            errors=errors,
            columns=order_csv.COLUMNS,
            required_columns=order_csv.REQUIRED_COLUMNS,
            imports=imports_of(merchant=organisation)[:5],
        )
    return render(request, "commissions/orders/index.html", context, status=status)


class OrderImportView(MemberRequiredMixin, View):
    """Upload the storefront's export: small files apply at once, large ones show progress."""

    allowed_roles = (Role.MERCHANT,)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OrderImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return order_page(request, form=form, status=400)
        upload = form.cleaned_data["file"]
        try:
            outcome = order_csv.import_orders(
                merchant=request.user.organisation,
                by=request.user,
                data=upload.content,
                filename=upload.name,
            )
        except CsvRejected as rejected:
            errors = [error.as_dict() for error in rejected.errors]
            return order_page(request, form=form, errors=errors)
        except DomainError as error:
            form.add_error("file", error.message)
            return order_page(request, form=form, status=400)
        if isinstance(outcome, OrderImport):
            return redirect("orders:import-progress", pk=outcome.pk)
        messages.success(
            request,
            _("Import done: %(orders)d orders, %(events)d new events applied.")
            % {"orders": outcome.orders, "events": outcome.applied_events},
        )
        return redirect("orders:index")


class OrderImportProgressView(MemberRequiredMixin, View):
    """A large import's page; its status partial polls itself every second until done."""

    allowed_roles = (Role.MERCHANT,)
    template_name = "commissions/orders/import_progress.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        imports = imports_of(merchant=request.user.organisation)
        context = {"order_import": get_object_or_404(imports, pk=pk)}
        return render(request, self.template_name, context)


class OrderImportStatusView(OrderImportProgressView):
    template_name = "commissions/orders/partials/import_status.html"


urlpatterns = [
    path("orders/", OrderListView.as_view(), name="index"),
    path("orders/import/", OrderImportView.as_view(), name="import"),
    path("orders/imports/<int:pk>/", OrderImportProgressView.as_view(), name="import-progress"),
    path("orders/imports/<int:pk>/status/", OrderImportStatusView.as_view(), name="import-status"),
]
