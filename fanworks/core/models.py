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
