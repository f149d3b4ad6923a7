"""Fixtures for account tests: a controllable clock and a count of password hashing."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.utils import timezone


@dataclass
class Clock:
    now: datetime

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze `timezone.now()` a few seconds into a 5-minute window; tests move it on."""
    frozen = Clock(datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@dataclass
class HashCalls:
    calls: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.calls)

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture
def hash_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[HashCalls]:
    """Count every password hash the test hasher computes.

    Checking a password (`verify`) and hashing a new one both go through `encode`, and Django
    hashes once even for unknown usernames (to hide which names exist), so counting `encode`
    counts all the work a login attempt costs.
    """
    seen = HashCalls()
    encode = MD5PasswordHasher.encode

    def counting_encode(self: MD5PasswordHasher, password: str, salt: str) -> str:
        seen.calls.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    yield seen


@pytest.fixture
def tight_login_limits(settings: Any) -> None:
    settings.LOGIN_THROTTLE_PER_IP = 5
    settings.LOGIN_THROTTLE_PER_USERNAME = 3
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 300
