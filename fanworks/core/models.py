from django.db import models


class RateLimitCounter(models.Model):
    """Hits for one key (e.g. "login:ip:203.0.113.9") in one fixed time window.

    Kept in the database rather than a per-process cache so that every server process and
    every app server counts the same attempts.
    """

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_key_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M:%S}: {self.hits}"


class Job(models.Model):
    """A unit of background work, kept in the database so no broker is needed.

    Handlers record progress in `done`/`total` and where they got to in `cursor`; a job that
    was interrupted (its lease ran out) is claimed again and carries on from the cursor.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    cursor = models.JSONField(default=dict)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Not claimed before this time (digests wait for the end of their period).
    run_after = models.DateTimeField(null=True, blank=True)
    # At most one job per key, decided by the database: several server processes scheduling
    # the same hourly digest make one job ("digest.subscriptions@2026-01-01T10:00").
    unique_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        indexes = [models.Index(fields=["status", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))
