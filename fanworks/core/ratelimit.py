"""Fixed-window rate limits shared by all server processes through the database."""

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from fanworks.core.models import RateLimitCounter


@dataclass(frozen=True)
class Limit:
    key: str
    max_hits: int
    window_seconds: int


def _window_start(now: datetime, window_seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_seconds, tz=now.tzinfo)


def retry_after(limit: Limit, *, now: datetime | None = None) -> int | None:
    """Seconds until `limit` lets another hit through, or None when it is not reached."""
    now = now or timezone.now()
    start = _window_start(now, limit.window_seconds)
    hits = (
        RateLimitCounter.objects.filter(key=limit.key, window_start=start)
        .values_list("hits", flat=True)
        .first()
    )
    if hits is None or hits < limit.max_hits:
        return None
    remaining = (start + timedelta(seconds=limit.window_seconds) - now).total_seconds()
    return max(1, math.ceil(remaining))


def record_hit(limit: Limit, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    start = _window_start(now, limit.window_seconds)
    with transaction.atomic():
        updated = RateLimitCounter.objects.filter(key=limit.key, window_start=start).update(
            hits=F("hits") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(key=limit.key, window_start=start, hits=1)
            except IntegrityError:
                # Another process created the row between our update and insert.
                RateLimitCounter.objects.filter(key=limit.key, window_start=start).update(
                    hits=F("hits") + 1
                )
    # Old windows are useless; sweep them now and then rather than on every hit.
    if random.random() < 0.01:
        RateLimitCounter.objects.filter(window_start__lt=now - timedelta(days=1)).delete()


def wait_text(seconds: int) -> str:
    """When someone who hit a limit may try again, e.g. "5 minutes (at 22:41 UTC)"."""
    at = timezone.now() + timedelta(seconds=seconds)
    # Rounded up: never tell someone to come back too early.
    if seconds < 60:
        amount = f"{seconds} second{'s' * (seconds != 1)}"
    elif seconds < 2 * 60 * 60:
        minutes = -(-seconds // 60)
        amount = f"{minutes} minute{'s' * (minutes != 1)}"
    else:
        amount = f"{-(-seconds // 3600)} hours"
    return f"{amount} (at {at.astimezone(UTC):%H:%M} UTC)"


def clear(key: str) -> None:
    RateLimitCounter.objects.filter(key=key).delete()


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only for configured proxies."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return remote
