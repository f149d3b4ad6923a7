"""A user's export: the zip of everything they own, built by a background job.

One row per account (the latest request). The zip lives at `var/exports/USER_ID/TOKEN.zip`
(storage.py); a new request gets a new token, so a job still running for an older request
can never overwrite or publish the newer one.
"""

from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.downloads.storage import export_path


class ExportState(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class UserExport(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=10, choices=ExportState.choices, default=ExportState.PENDING
    )
    token = models.CharField(max_length=32)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"export of user {self.user_id} ({self.state})"

    @property
    def path(self) -> Path:
        return export_path(self.user_id, self.token)

    @property
    def expires_at(self) -> datetime | None:
        """When a finished export is deleted (EXPORT_KEEP_DAYS after it was made)."""
        if self.finished_at is None:
            return None
        return self.finished_at + timedelta(days=settings.EXPORT_KEEP_DAYS)
