"""Background jobs of downloads: building an export, and the hourly sweep."""

from datetime import timedelta

from django.utils import timezone

from fanworks.core import jobs
from fanworks.core.models import Job
from fanworks.downloads.export_actions import EXPORT_JOB, export_build, export_give_up
from fanworks.downloads.sweep_actions import downloads_sweep

SWEEP_JOB = "downloads.sweep"
SWEEP_EVERY = timedelta(hours=1)


# A lease is renewed at most this often while an export is being written.
KEEP_ALIVE_EVERY = timedelta(seconds=30)


def _keep_alive(job: Job) -> None:
    """Renew the job's lease (so no other runner takes it over) now and then."""
    now = timezone.now()
    if job.lease_until is None or job.lease_until - now < jobs.LEASE - KEEP_ALIVE_EVERY:
        jobs.save_progress(job)


@jobs.handler(EXPORT_JOB)
def run_export_build(job: Job) -> None:
    export_id, token = int(job.payload["export_id"]), str(job.payload["token"])
    try:
        export_build(export_id=export_id, token=token, progress=lambda: _keep_alive(job))
    except Exception:
        # The runner tries again until MAX_ATTEMPTS; after the last one, the page says it
        # failed and its owner may ask again.
        if job.attempts >= jobs.MAX_ATTEMPTS:
            export_give_up(export_id=export_id, token=token)
        raise


@jobs.handler(SWEEP_JOB)
def run_downloads_sweep(job: Job) -> None:
    downloads_sweep()


jobs.periodic(SWEEP_JOB, SWEEP_EVERY)
