"""Guests are told apart by a keyed hash of their address: enough to allow one kudos per visitor,
without keeping the address itself (it cannot be recovered from the hash without the key)."""

import hashlib
import hmac
import re

from django.conf import settings
from django.http import HttpRequest

from fanworks.core.ratelimit import client_ip


def visitor_hash(request: HttpRequest, purpose: str) -> str:
    """64 hex characters standing for this client's address, different for each `purpose`
    (so the kudos table cannot be joined with anything else keyed the same way)."""
    key = hashlib.sha256(f"fanworks-visitor:{settings.SECRET_KEY}".encode()).digest()
    message = f"{purpose}:{client_ip(request)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# User agents that announce a crawler, a link previewer or an uptime check: their page views
# are not readers' hits.
_BOT_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor",
    re.IGNORECASE,
)


def is_bot(request: HttpRequest) -> bool:
    return bool(_BOT_AGENT.search(request.META.get("HTTP_USER_AGENT", "")))


def hit_visitor(request: HttpRequest) -> str:
    """Who a hit is from: the registered reader, else the guest's hashed address."""
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    return visitor_hash(request, "hits")
