from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """htmx marks its requests; such a request wants a partial, not the whole page."""
    return request.headers.get("HX-Request") == "true"
