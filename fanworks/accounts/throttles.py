"""The login limits, built from settings at call time so tests and deployments can change them.

Failed logins count per client IP and per account. Keys for known accounts use the lower-cased
username (so "Alice", "alice" and alice's e-mail address share one counter); anything else is
hashed, so a password typed into the login box by mistake never lands in the database.
"""

import hashlib

from django.conf import settings

from fanworks.core.ratelimit import Limit

# AO3 allows 3 reset mails per 12 hours per address (PASSWORD_RESET_LIMIT/COOLDOWN).
PASSWORD_RESET_MAX = 3
PASSWORD_RESET_WINDOW_SECONDS = 12 * 60 * 60


def login_ip_limit(ip: str) -> Limit:
    return Limit(
        key=f"login:ip:{ip}"[:200],
        max_hits=settings.LOGIN_THROTTLE_PER_IP,
        window_seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS,
    )


def login_account_key(*, username: str | None, attempted: str) -> str:
    """The per-account key: the real username when the login names an account."""
    if username is not None:
        return f"login:user:{username.lower()}"
    digest = hashlib.sha256(attempted.strip().lower().encode("utf-8")).hexdigest()[:40]
    return f"login:unknown:{digest}"


def login_account_limit(key: str) -> Limit:
    return Limit(
        key=key,
        max_hits=settings.LOGIN_THROTTLE_PER_USERNAME,
        window_seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS,
    )


def password_reset_limit(email: str) -> Limit:
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:40]
    return Limit(
        key=f"password_reset:{digest}",
        max_hits=PASSWORD_RESET_MAX,
        window_seconds=PASSWORD_RESET_WINDOW_SECONDS,
    )
