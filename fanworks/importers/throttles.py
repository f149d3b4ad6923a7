"""How many files an account may upload at /works/import. Each upload is parsed and may
build a whole work, so the numbers (IMPORT_UPLOAD_THROTTLE*) bound that cost; they are read
at call time so a deployment or a test can change them."""

from django.conf import settings

from fanworks.accounts.models import User
from fanworks.core.ratelimit import Limit


def upload_limit(user: User) -> Limit:
    """The limit every upload by `user` counts against; admins, who fill the archive, get a
    larger allowance."""
    if user.is_superuser:
        allowance = settings.IMPORT_UPLOAD_THROTTLE_ADMIN
    else:
        allowance = settings.IMPORT_UPLOAD_THROTTLE
    return Limit(
        key=f"import:user:{user.pk}",
        max_hits=allowance,
        window_seconds=settings.IMPORT_UPLOAD_THROTTLE_WINDOW_SECONDS,
    )
