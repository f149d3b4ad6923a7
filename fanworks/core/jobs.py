"""Background jobs kept in the database: no broker to run, and they survive restarts.

`enqueue` records a job and either runs it at once (`JOBS_EAGER`, used by tests) or leaves it for
a runner: the background process of `fanworks serve`, or `fanworks worker` processes at scale.
Actions queue their jobs once their transaction commits (`transaction.on_commit`), or, on
the busiest write paths (a comment's e-mail), with `enqueue_after_commit`, which writes the job
in that same transaction; either way a runner sees a job only once the action committed.
Runners claim a job with a lease; a runner that dies lets the lease run out and another carries
on from the job's cursor.
"""

import logging
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from fanworks.core.models import Job

log = logging.getLogger(__name__)

Handler = Callable[[Job], None]
_HANDLERS: dict[str, Handler] = {}
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind`."""

    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def enqueue(
    kind: str,
    payload: dict[str, Any],
    *,
    total: int = 0,
    run_after: datetime | None = None,
    unique_key: str | None = None,
) -> Job:
    """Queue a job. With `run_after` it waits until then (and is never run eagerly); with a
    `unique_key` a second enqueue of the same key returns the first job instead."""
    if unique_key is not None:
        # Usually the job exists already (every runner schedules every minute): look first
        # rather than fail an insert each time.
        queued = Job.objects.filter(unique_key=unique_key).first()
        if queued is not None:
            return queued
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    payload=payload,
                    total=total,
                    run_after=run_after,
                    unique_key=unique_key,
                )
        except IntegrityError:
            return Job.objects.get(unique_key=unique_key)
    else:
        job = Job.objects.create(kind=kind, payload=payload, total=total, run_after=run_after)
    if settings.JOBS_EAGER and run_after is None:
        # Run now, inside the caller's transaction: it sees the caller's changes and the
        # result is deterministic (tests, tiny archives).
        run_job_by_id(job.pk)
        job.refresh_from_db()
    return job


def enqueue_after_commit(
    kind: str, payload: dict[str, Any], *, unique_key: str | None = None
) -> None:
    """Queue a job for the work the caller's transaction is doing: no runner sees it before
    that transaction commits, and none at all if it rolls back.

    Inside a transaction (and not eager) the job's row is written in that same transaction:
    one commit instead of a second one after it, and no moment after the commit at which a
    crash could lose the job. Eager jobs (tests) and callers outside a transaction run it
    through `transaction.on_commit`, so an eager job still sees only committed data."""
    if settings.JOBS_EAGER or not transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: enqueue(kind, payload, unique_key=unique_key))
    else:
        enqueue(kind, payload, unique_key=unique_key)


def save_progress(job: Job) -> None:
    """Record the cursor and counts, and extend the lease: the job is alive."""
    job.lease_until = timezone.now() + LEASE
    Job.objects.filter(pk=job.pk).update(
        cursor=job.cursor, done=job.done, lease_until=job.lease_until, updated_at=timezone.now()
    )


def claim_next() -> Job | None:
    """Take the oldest job that is waiting or whose runner stopped renewing its lease."""
    now = timezone.now()
    claimable = Q(status=Job.Status.PENDING) | Q(status=Job.Status.RUNNING, lease_until__lt=now)
    claimable &= Q(run_after__isnull=True) | Q(run_after__lte=now)
    for candidate in Job.objects.filter(claimable).order_by("pk").values_list("pk", flat=True)[:5]:
        claimed = (
            Job.objects.filter(claimable, pk=candidate)
            .filter(attempts__lt=MAX_ATTEMPTS)
            .update(
                status=Job.Status.RUNNING,
                lease_until=now + LEASE,
                updated_at=now,
                attempts=F("attempts") + 1,
            )
        )
        if claimed:
            return Job.objects.get(pk=candidate)
    return None


def run_job(job: Job) -> None:
    function = _HANDLERS.get(job.kind)
    if function is None:
        _finish(job, Job.Status.FAILED, f"No handler for job kind {job.kind!r}")
        return
    try:
        function(job)
    except Exception:
        log.exception("Job %s failed", job)
        status = Job.Status.FAILED if job.attempts >= MAX_ATTEMPTS else Job.Status.PENDING
        _finish(job, status, traceback.format_exc(limit=20))
        return
    if job.total:
        job.done = job.total
    _finish(job, Job.Status.DONE, "")


def _finish(job: Job, status: str, error: str) -> None:
    finished = timezone.now() if status in {Job.Status.DONE, Job.Status.FAILED} else None
    Job.objects.filter(pk=job.pk).update(
        status=status,
        error=error,
        done=job.done,
        cursor=job.cursor,
        lease_until=None,
        finished_at=finished,
        updated_at=timezone.now(),
    )


def run_job_by_id(job_id: int) -> None:
    job = claim_specific(job_id)
    if job is not None:
        run_job(job)


def claim_specific(job_id: int) -> Job | None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, lease_until=now + LEASE, attempts=1, updated_at=now
    )
    return Job.objects.get(pk=job_id) if claimed else None


def run_pending(limit: int | None = None) -> int:
    """Run waiting jobs until none is left (or `limit` ran). Returns how many ran."""
    ran = 0
    while limit is None or ran < limit:
        job = claim_next()
        if job is None:
            return ran
        run_job(job)
        ran += 1
    return ran


# ---------------------------------------------------------------------------------------------
# Periodic jobs (digests): each runner makes sure the job of the current period exists, waiting
# for the period's end. The job's unique key makes that idempotent across processes and servers.

_PERIODIC: dict[str, timedelta] = {}
SCHEDULE_EVERY = timedelta(minutes=1)
_last_scheduled: datetime | None = None


def periodic(kind: str, every: timedelta) -> None:
    """Run jobs of `kind` (registered with @handler) once every `every`, at the period's end."""
    _PERIODIC[kind] = every


def period_bounds(moment: datetime, every: timedelta) -> tuple[datetime, datetime]:
    """The period of length `every` holding `moment`, counted from midnight UTC 2000-01-01 (so
    hourly periods start on the hour and daily ones at midnight UTC)."""
    origin = datetime(2000, 1, 1, tzinfo=UTC)
    periods = (moment - origin) // every
    start = origin + periods * every
    return start, start + every


def schedule_periodic(now: datetime | None = None) -> list[Job]:
    """Make sure each periodic kind has its job for the current period. Returns the jobs."""
    now = now or timezone.now()
    scheduled = []
    for kind, every in sorted(_PERIODIC.items()):
        start, end = period_bounds(now, every)
        scheduled.append(
            enqueue(
                kind,
                {"period_start": start.isoformat(), "period_end": end.isoformat()},
                run_after=end,
                unique_key=f"{kind}@{start.isoformat()}",
            )
        )
    return scheduled


def _schedule_now_and_then() -> None:
    """schedule_periodic at most once a SCHEDULE_EVERY per process (it costs a few queries)."""
    global _last_scheduled
    now = timezone.now()
    if _last_scheduled is None or now - _last_scheduled >= SCHEDULE_EVERY:
        schedule_periodic(now)
        _last_scheduled = now


def run_forever(poll_seconds: float = 2.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            _schedule_now_and_then()
            ran = run_pending(limit=10)
        except Exception:
            log.exception("Job runner error")
            ran = 0
        finally:
            close_old_connections()
        if not ran:
            stop.wait(poll_seconds)


def start_background_runner() -> threading.Thread:
    """A daemon thread running jobs inside a server process (see fanworks/gunicorn_conf.py)."""
    thread = threading.Thread(target=run_forever, name="fanworks-jobs", daemon=True)
    thread.start()
    return thread
