"""Portal pages of orders: each role's orders with their lines; merchants see every line's
attribution (or why not) and upload the storefront's order export."""

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from commissions import order_csv, tasks
from commissions.selectors.orders import filtered_orders, imports_of
from core.csv_upload import CsvFileField
from core.htmx import is_htmx
from core.import_views import CsvImportPostMixin, ImportProgressMixin

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


class OrderImportView(CsvImportPostMixin, MemberRequiredMixin, View):
    """Upload the storefront's export: small files apply at once, large ones show progress."""

    allowed_roles = (Role.MERCHANT,)
    form_class = OrderImportForm
    progress_route = "orders:import-progress"
    done_route = "orders:index"

    def run_import(self, **upload) -> object:
        return order_csv.import_orders(**upload, enqueue=tasks.run_order_import.delay)

    def done_message(self, outcome) -> str:
        return _("Import done: %(orders)d orders, %(events)d new events applied.") % {
            "orders": outcome.orders,
            "events": outcome.applied_events,
        }

    def page(self, form: OrderImportForm, errors: list | None = None, status: int = 200):
        return order_page(self.request, form=form, errors=errors, status=status)


class OrderImportProgressView(ImportProgressMixin, MemberRequiredMixin, View):
    allowed_roles = (Role.MERCHANT,)
    template_name = "commissions/orders/import_progress.html"
    context_name = "order_import"

    def imports(self, merchant):
        return imports_of(merchant=merchant)


class OrderImportStatusView(OrderImportProgressView):
    template_name = "commissions/orders/partials/import_status.html"


urlpatterns = [
    path("orders/", OrderListView.as_view(), name="index"),
    path("orders/import/", OrderImportView.as_view(), name="import"),
    path("orders/imports/<int:pk>/", OrderImportProgressView.as_view(), name="import-progress"),
    path("orders/imports/<int:pk>/status/", OrderImportStatusView.as_view(), name="import-status"),
]
