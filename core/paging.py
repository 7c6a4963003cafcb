from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The list's current filters as a query string, for the pager to add its own page."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
