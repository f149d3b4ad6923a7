"""Exports: asked for on /users/NAME/export, built by a background job, downloaded by their
owner, deleted EXPORT_KEEP_DAYS later by the sweep (sweep_actions.py).

A request never builds the zip itself: a user with many works would hold a request worker for
as long as their works take to render. One export at a time per account, and EXPORT_THROTTLE
requests per window; a failed export does not count.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.core import jobs, ratelimit
from fanworks.downloads.export import write_export
from fanworks.downloads.models import ExportState, UserExport
from fanworks.downloads.storage import export_path, write_whole
from fanworks.downloads.throttles import export_limit, export_limit_key

EXPORT_JOB = "downloads.export"
# A request still being prepared after this is taken as lost (its job gave up, or the runner
# that held it died on its last attempt): a new one may be asked for, and the sweep marks it
# failed.
EXPORT_GIVE_UP = timedelta(hours=6)


class ExportRefused(Exception):
    """Why a new export cannot be asked for now; `retry_after` (seconds) when it is the
    rate limit."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


BEING_PREPARED = (
    "Your export is still being prepared. This page shows it as soon as it is ready; you "
    "can ask for a new one after that."
)


def export_request(*, user: User) -> UserExport:
    """Ask for a new export of everything `user` owns; it replaces their previous one.

    Raises ExportRefused, changing nothing, while an export is being prepared or when the
    rate limit is reached. The build runs as a job once this commits (at once with
    JOBS_EAGER)."""
    limit = export_limit(user.pk)
    now = timezone.now()
    with transaction.atomic():
        current = UserExport.objects.select_for_update().filter(user=user).first()
        if (
            current is not None
            and current.state == ExportState.PENDING
            and current.requested_at > now - EXPORT_GIVE_UP
        ):
            raise ExportRefused(BEING_PREPARED)
        wait = ratelimit.retry_after(limit, now=now)
        if wait is not None:
            raise ExportRefused(
                "You have asked for an export recently. You can ask for a new one in "
                f"{ratelimit.wait_text(wait)}.",
                retry_after=wait,
            )
        token = secrets.token_hex(16)
        if current is None:
            try:
                with transaction.atomic():
                    export = UserExport.objects.create(user=user, token=token, requested_at=now)
            except IntegrityError:
                raise ExportRefused(BEING_PREPARED) from None  # a request at the same moment
        else:
            replaced = current.path
            export = current
            export.state = ExportState.PENDING
            export.token = token
            export.requested_at = now
            export.finished_at = None
            export.size = 0
            export.save(update_fields=["state", "token", "requested_at", "finished_at", "size"])
            transaction.on_commit(lambda: replaced.unlink(missing_ok=True))
        ratelimit.record_hit(limit, now=now)
        jobs.enqueue_after_commit(EXPORT_JOB, {"export_id": export.pk, "token": token})
    return export


def _pending(export_id: int, token: str) -> QuerySet[UserExport]:
    return UserExport.objects.filter(pk=export_id, token=token, state=ExportState.PENDING)


def export_build(
    *, export_id: int, token: str, progress: Callable[[], object] | None = None
) -> UserExport | None:
    """Write the zip of export `export_id` and mark it ready (`progress` is called after
    each work). Does nothing (returns None) when that request was replaced by a newer one,
    expired, or was built already, so a job that runs twice is harmless."""
    export = _pending(export_id, token).select_related("user").first()
    if export is None:
        return None
    path = export_path(export.user_id, token)
    write_whole(path, lambda out: write_export(export.user, out, progress=progress))
    finished = timezone.now()
    size = path.stat().st_size
    if not _pending(export_id, token).update(
        state=ExportState.READY, size=size, finished_at=finished
    ):
        if not UserExport.objects.filter(pk=export_id, token=token).exists():
            path.unlink(missing_ok=True)  # replaced while it was being built: nobody's zip
        # Otherwise another run of this job finished first; its zip (this path) stands.
        return None
    export.state, export.size, export.finished_at = ExportState.READY, size, finished
    return export


def export_give_up(*, export_id: int, token: str) -> bool:
    """Mark a pending export failed; the attempt no longer counts against the rate limit,
    so its owner may ask again at once. Returns whether it was pending."""
    user_id = _pending(export_id, token).values_list("user_id", flat=True).first()
    if user_id is None:
        return False
    failed = _pending(export_id, token).update(state=ExportState.FAILED, finished_at=timezone.now())
    if failed:
        ratelimit.clear(export_limit_key(user_id))
    return bool(failed)
