"""How often guests and new accounts may comment (AO3 rate-limits comments since its 2024
guest-spam flood). The numbers are settings (COMMENT_THROTTLE_*), read at call time so a
deployment or a test can change them."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.core.ratelimit import Limit

# Accounts younger than this are limited (most comment spam comes from fresh accounts).
NEW_ACCOUNT_AGE = timedelta(days=3)


def comment_limit(user: User | None, visitor_hash: str) -> Limit | None:
    """The limit a comment from `user` (or the guest `visitor_hash`) counts against, or None
    for an established account."""
    window = settings.COMMENT_THROTTLE_WINDOW_SECONDS
    if user is None:
        return Limit(
            key=f"comment:guest:{visitor_hash}",
            max_hits=settings.COMMENT_THROTTLE_GUEST,
            window_seconds=window,
        )
    if timezone.now() - user.date_joined < NEW_ACCOUNT_AGE:
        return Limit(
            key=f"comment:user:{user.pk}",
            max_hits=settings.COMMENT_THROTTLE_NEW_ACCOUNT,
            window_seconds=window,
        )
    return None
