"""JSON request bodies, read with a bound on how deeply they nest.

Python's json module recurses once per ``[`` or ``{``: a body of 50,000 ``[`` raises
RecursionError, which DRF's parser does not catch (it turns ValueError into a 400), so every
JSON endpoint, anonymous ones included, answered 500. ``loads`` turns that into
``TooDeeplyNested``, a ValueError like any other malformed JSON, and refuses as well a body that
parsed but nests deeper than ``MAX_JSON_DEPTH``: no request of the API nests more than four
levels (a webhook's order lines), and code walking a deeper structure could reach the recursion
limit itself.

``core.middleware.JsonNestingMiddleware`` applies it to every JSON request before a view (or a
parser the view chose, such as DRF's token view's) reads the body; views that read the raw body
themselves (the order webhook, which checks its signature first) call ``loads``.
"""

import json
from typing import Any

from django.utils.translation import gettext as _

MAX_JSON_DEPTH = 32


class TooDeeplyNested(ValueError):
    def __init__(self):
        super().__init__(
            _("The JSON nests deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}
        )


def may_nest_too_deeply(body: bytes) -> bool:
    """Cheap and conservative: a body with at most ``MAX_JSON_DEPTH`` brackets cannot."""
    return body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH


def nests_too_deeply(data: Any) -> bool:
    """Whether parsed JSON nests deeper than ``MAX_JSON_DEPTH``; a loop, not recursion."""
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` raising ``TooDeeplyNested`` for JSON nested deeper than
    ``MAX_JSON_DEPTH``, however deep (no RecursionError)."""
    try:
        data = json.loads(text, **kwargs)
    except RecursionError:
        raise TooDeeplyNested() from None
    if nests_too_deeply(data):
        raise TooDeeplyNested()
    return data
