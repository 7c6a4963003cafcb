"""config.urls plus ``GET /bare/<code>``: a Django view that only answers 302.

The baseline of bench/bench_redirect.py. It runs in the same gunicorn, through the same
middleware and the same URL resolver as ``/l/<code>``, with the same decorators, so the
difference between the two is the redirect's own work: the cached code lookup, recording the
click and building the destination.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.urls import handler403, handler404, handler500  # noqa: F401  (root urlconf's)
from config.urls import urlpatterns as project_urlpatterns

BARE_DESTINATION = "https://shop.example.com/item/bench?click_id=bare"


@never_cache
@require_safe
def bare_redirect(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponseRedirect(BARE_DESTINATION)


urlpatterns = [path("bare/<str:code>", bare_redirect), *project_urlpatterns]
