"""The merchant portal's product pages: list with live filters, forms, CSV import and export."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.csv_upload import csv_response
from core.errors import DomainError
from core.htmx import is_htmx
from core.import_views import CsvImportPostMixin, ImportProgressMixin
from merchants import csv_import, selectors, services, tasks
from merchants.forms import ProductForm, ProductImportForm

PAGE_SIZE = 25


class MerchantView(MemberRequiredMixin, View):
    allowed_roles = (Role.MERCHANT,)

    def own_product(self, pk: int):
        return get_object_or_404(
            selectors.products_of(merchant=self.request.user.organisation), pk=pk
        )


class ProductListView(MerchantView):
    """Search and filters re-render only the table (htmx), and the URL follows them."""

    def get(self, request: HttpRequest) -> HttpResponse:
        found = selectors.filtered_products(merchant=request.user.organisation, params=request.GET)
        page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"filter": found, "page": page, "low_stock_max": selectors.LOW_STOCK_MAX}
        if is_htmx(request):
            return render(request, "merchants/partials/product_table.html", context)
        context["category_options"] = selectors.category_options()
        return render(request, "merchants/product_list.html", context)


class ProductFormView(MerchantView):
    """Create (no pk) or edit a product; the service applies the product rules."""

    def form(self, pk: int | None, data=None) -> ProductForm:
        instance = self.own_product(pk) if pk else None
        return ProductForm(data, instance=instance, merchant=self.request.user.organisation)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        return self.page(self.form(pk))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        form = self.form(pk, request.POST)
        if form.is_valid():
            merchant = request.user.organisation
            try:
                if pk:
                    product = services.update_product(
                        product_id=pk, merchant=merchant, changes=form.values()
                    )
                else:
                    product = services.create_product(merchant=merchant, values=form.values())
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, _("Saved %(sku)s.") % {"sku": product.sku})
                return redirect("merchant-products")
        return self.page(form)

    def page(self, form: ProductForm) -> HttpResponse:
        return render(self.request, "merchants/product_form.html", {"form": form})


class ArchiveProductView(MerchantView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = self.own_product(pk)
        try:
            services.archive_product(product_id=product.pk, merchant=request.user.organisation)
            messages.success(request, _("Archived %(sku)s.") % {"sku": product.sku})
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("merchant-products")


class StorefrontDomainsView(MerchantView):
    """The host names the shop sells on: with any declared, product addresses stay on them."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page()

    def post(self, request: HttpRequest) -> HttpResponse:
        domain = request.POST.get("domain", "")
        try:
            declared = services.declare_domain(merchant=request.user.organisation, domain=domain)
        except DomainError as error:
            return self.page(error=error.message, typed=domain, status=400)
        messages.success(request, _("Declared %(domain)s.") % {"domain": declared.domain})
        return redirect("merchant-storefront-domains")

    def page(self, *, error: str = "", typed: str = "", status: int = 200) -> HttpResponse:
        context = {
            "domains": selectors.storefront_domains_of(merchant=self.request.user.organisation),
            "error": error,
            "typed": typed,
        }
        return render(self.request, "merchants/storefront_domains.html", context, status=status)


class RemoveStorefrontDomainView(MerchantView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        domain = get_object_or_404(
            selectors.storefront_domains_of(merchant=request.user.organisation), pk=pk
        )
        try:
            services.remove_domain(merchant=request.user.organisation, domain_id=domain.pk)
            messages.success(request, _("Removed %(domain)s.") % {"domain": domain.domain})
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("merchant-storefront-domains")


class ProductImportView(CsvImportPostMixin, MerchantView):
    """Upload a CSV: small files land at once, large ones show a progress page."""

    form_class = ProductImportForm
    progress_route = "merchant-product-import-progress"
    done_route = "merchant-products"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(ProductImportForm())

    def run_import(self, **upload) -> object:
        return csv_import.import_products(**upload, enqueue=tasks.run_product_import.delay)

    def done_message(self, outcome) -> str:
        return _("Import done: %(created)d created, %(updated)d updated.") % {
            "created": outcome.created,
            "updated": outcome.updated,
        }

    def page(
        self, form: ProductImportForm, errors: list | None = None, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "errors": errors,
            "columns": csv_import.COLUMNS,
            "required_columns": csv_import.REQUIRED_COLUMNS,
            "imports": selectors.imports_of(merchant=self.request.user.organisation)[:10],
        }
        return render(self.request, "merchants/product_import.html", context, status=status)


class ProductImportProgressView(ImportProgressMixin, MerchantView):
    template_name = "merchants/import_progress.html"
    context_name = "product_import"

    def imports(self, merchant):
        return selectors.imports_of(merchant=merchant)


class ProductImportStatusView(ProductImportProgressView):
    template_name = "merchants/partials/import_status.html"


class ProductExportView(MerchantView):
    """The listed products (filters apply) as the import's CSV; it re-imports unchanged."""

    def get(self, request: HttpRequest) -> HttpResponse:
        found = selectors.filtered_products(merchant=request.user.organisation, params=request.GET)
        rows = selectors.product_csv_rows(found.qs)
        return csv_response("products.csv", csv_import.COLUMNS, rows)
