from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    def is_wrangler() -> bool:
        # Called by the template only for logged-in users, so guests cost no query.
        from fanworks.tags.permissions import is_wrangler as check

        return check(request.user)

    def inbox_unread() -> int:
        # Also called only for logged-in users: the unread count beside "Inbox".
        from fanworks.engagement.queries import inbox_unread_count

        return inbox_unread_count(request.user)  # type: ignore[arg-type]

    return {
        "SITE_NAME": settings.SITE_NAME,
        "user_is_wrangler": is_wrangler,
        "inbox_unread": inbox_unread,
    }
