"""How often an account may ask for an export (EXPORT_THROTTLE per
EXPORT_THROTTLE_WINDOW_SECONDS): each one renders every work they own. Read at call time so a
deployment or a test can change them."""

from django.conf import settings

from fanworks.core.ratelimit import Limit


def export_limit_key(user_id: int) -> str:
    return f"export:user:{user_id}"


def export_limit(user_id: int) -> Limit:
    return Limit(
        key=export_limit_key(user_id),
        max_hits=settings.EXPORT_THROTTLE,
        window_seconds=settings.EXPORT_THROTTLE_WINDOW_SECONDS,
    )
