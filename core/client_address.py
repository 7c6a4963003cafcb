"""Who is asking: the client's address behind our proxies, and the salted hash that is all we
keep of it. Rate limits, the duplicate-click rule and the sign-up limit key on these, so a
client must not be able to choose them."""

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind our proxies the X-Forwarded-For entry the outermost of them
    added. Entries further left come from the client and could be forged to dodge the
    duplicate rule, so TRUSTED_PROXY_COUNT (default 1) says how many hops are ours."""
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        count = max(1, getattr(settings, "TRUSTED_PROXY_COUNT", 1))
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def hash_ip(ip: str) -> str:
    """HMAC-SHA256 under ``CLICK_IP_SALT``: the same address always gives the same hash, and
    rotating the salt unlinks old hashes from new ones."""
    salt = settings.CLICK_IP_SALT.encode()
    return hmac.new(salt, ip.encode(), hashlib.sha256).hexdigest()
