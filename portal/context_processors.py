from django.http import HttpRequest

from core.notifications import unread_count
from portal.navigation import entries_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "user_role": None}
    return {
        "nav_entries": entries_for(user.role, request.path),
        "user_role": user.role,
        "unread_notifications": unread_count(organisation=user.organisation),
    }
