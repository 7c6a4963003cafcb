from django.urls import path

from merchants import views

# Portal names start with "merchant-": the API router already owns "product-...".
urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="merchant-products"),
    path("products/new/", views.ProductFormView.as_view(), name="merchant-product-create"),
    path("products/<int:pk>/edit/", views.ProductFormView.as_view(), name="merchant-product-edit"),
    path(
        "products/<int:pk>/archive/",
        views.ArchiveProductView.as_view(),
        name="merchant-product-archive",
    ),
    path("products/import/", views.ProductImportView.as_view(), name="merchant-product-import"),
    path(
        "products/imports/<int:pk>/",
        views.ProductImportProgressView.as_view(),
        name="merchant-product-import-progress",
    ),
    path(
        "products/imports/<int:pk>/status/",
        views.ProductImportStatusView.as_view(),
        name="merchant-product-import-status",
    ),
    path("products/export/", views.ProductExportView.as_view(), name="merchant-product-export"),
    path(
        "products/domains/",
        views.StorefrontDomainsView.as_view(),
        name="merchant-storefront-domains",
    ),
    path(
        "products/domains/<int:pk>/remove/",
        views.RemoveStorefrontDomainView.as_view(),
        name="merchant-storefront-domain-remove",
    ),
]
