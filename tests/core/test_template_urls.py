"""Portal templates link to portal pages. The API router names its routes like the portal's
(campaign-detail, enrollment-approve, ...), so a `{% url %}` whose portal route is missing
silently points a portal form at the API, which answers JSON: that shipped once, with the
lineup copy form. Every name a template reverses must reach a portal route first."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import get_resolver

URL_TAG = re.compile(r"\{%\s*url\s+['\"]([\w:-]+)['\"]")


def template_url_names() -> set[str]:
    names = set()
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(folder).rglob("*.html"):
            names.update(URL_TAG.findall(path.read_text(encoding="utf-8")))
    return names


def routes_named(name: str) -> list[str]:
    resolver = get_resolver()
    *namespaces, url_name = name.split(":")
    for namespace in namespaces:
        _prefix, resolver = resolver.namespace_dict[namespace]
    return [route[0][0][0] for route in resolver.reverse_dict.getlist(url_name)]


def test_every_url_a_template_reverses_reaches_a_portal_route_first():
    names = template_url_names()
    assert len(names) > 50
    to_the_api = {
        name: routes[0]
        for name in sorted(names)
        if (routes := routes_named(name)) and routes[0].startswith("api/")
    }
    missing = sorted(name for name in names if not routes_named(name))
    assert to_the_api == {}
    assert missing == []
