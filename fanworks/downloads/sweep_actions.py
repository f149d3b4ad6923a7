"""The downloads sweep: what must not stay under var/downloads and var/exports.

Run hourly as a periodic job (tasks.py) and by `fanworks manage sweep_downloads`. It removes
- the built files of works that no longer exist (deleted outside work_delete, e.g. in the
  admin site) or that nobody may download (hidden by an admin);
- built files nobody fetched for DOWNLOAD_CACHE_KEEP_DAYS, which includes every old version;
- half-written files a crashed build left behind;
- exports older than EXPORT_KEEP_DAYS, and export files no export names any more (a
  replaced export, a deleted account);
and marks exports that have been "being prepared" for too long as failed.

Safe to run at any time and twice at once: it only removes what no request may still want.
"""

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from fanworks.downloads.export_actions import EXPORT_GIVE_UP, export_give_up
from fanworks.downloads.models import ExportState, UserExport
from fanworks.downloads.storage import (
    BUILDING_PREFIX,
    downloads_root,
    exports_root,
    remove_tree,
)
from fanworks.works.models import Work

# A file still being written is left alone until it has not grown for this long.
ABANDONED_BUILD = timedelta(hours=1)
BATCH = 500
_ID = re.compile(r"[1-9][0-9]{0,17}")


@dataclass
class SweepSummary:
    cache_folders_removed: int = 0
    cache_files_removed: int = 0
    exports_failed: int = 0
    exports_removed: int = 0
    export_files_removed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.cache_folders_removed} download folders and {self.cache_files_removed} "
            f"download files removed; {self.exports_removed} expired exports and "
            f"{self.export_files_removed} export files removed; {self.exports_failed} "
            "stuck exports marked failed."
        )


def _numbered_folders(root: Path) -> dict[int, Path]:
    """Folders named by an id under `root` (anything else there is not the sweep's)."""
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return {}
    return {
        int(entry.name): Path(entry.path)
        for entry in entries
        if _ID.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)
    }


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _files(folder: Path) -> list[os.DirEntry[str]]:
    try:
        return [entry for entry in os.scandir(folder) if entry.is_file(follow_symlinks=False)]
    except FileNotFoundError:
        return []


def _modified_before(entry: os.DirEntry[str], moment: datetime) -> bool:
    try:
        return entry.stat(follow_symlinks=False).st_mtime < moment.timestamp()
    except FileNotFoundError:
        return False  # gone already


def _abandoned(entry: os.DirEntry[str], now: datetime) -> bool:
    return entry.name.startswith(BUILDING_PREFIX) and _modified_before(entry, now - ABANDONED_BUILD)


def _remove_if_empty(folder: Path) -> None:
    # Not empty (a request is building a file in it) or gone already: left as it is.
    with contextlib.suppress(OSError):
        folder.rmdir()


def _sweep_cache(now: datetime, summary: SweepSummary) -> None:
    folders = _numbered_folders(downloads_root())
    unused_since = now - timedelta(days=settings.DOWNLOAD_CACHE_KEEP_DAYS)
    for batch in _batches(sorted(folders)):
        downloadable = set(
            Work.objects.filter(pk__in=batch, hidden_by_admin=False).values_list("pk", flat=True)
        )
        for work_id in batch:
            folder = folders[work_id]
            if work_id not in downloadable:
                remove_tree(folder)
                summary.cache_folders_removed += 1
                continue
            for entry in _files(folder):
                building = entry.name.startswith(BUILDING_PREFIX)
                if _abandoned(entry, now) or (
                    not building and _modified_before(entry, unused_since)
                ):
                    Path(entry.path).unlink(missing_ok=True)
                    summary.cache_files_removed += 1
            _remove_if_empty(folder)


def _sweep_exports(now: datetime, summary: SweepSummary) -> None:
    for export_id, token in UserExport.objects.filter(
        state=ExportState.PENDING, requested_at__lt=now - EXPORT_GIVE_UP
    ).values_list("pk", "token"):
        summary.exports_failed += export_give_up(export_id=export_id, token=token)
    # The rows go first; their files are then named by no export and go below.
    cutoff = now - timedelta(days=settings.EXPORT_KEEP_DAYS)
    finished = Q(state=ExportState.READY) | Q(state=ExportState.FAILED)
    summary.exports_removed, _ = UserExport.objects.filter(
        finished, finished_at__lt=cutoff
    ).delete()
    folders = _numbered_folders(exports_root())
    for batch in _batches(sorted(folders)):
        # Files are listed before the tokens are read: a file listed was made for a request
        # that had committed by then, so a token read afterwards is as new as that file.
        listed = {user_id: _files(folders[user_id]) for user_id in batch}
        tokens = dict(UserExport.objects.filter(user_id__in=batch).values_list("user_id", "token"))
        for user_id, entries in listed.items():
            for entry in entries:
                if entry.name.startswith(BUILDING_PREFIX):
                    stale = _abandoned(entry, now)
                else:
                    stale = entry.name != f"{tokens.get(user_id)}.zip"
                if stale:
                    Path(entry.path).unlink(missing_ok=True)
                    summary.export_files_removed += 1
            _remove_if_empty(folders[user_id])


def downloads_sweep(*, now: datetime | None = None) -> SweepSummary:
    """Remove what must not stay under var/downloads and var/exports (see the module)."""
    now = now or timezone.now()
    summary = SweepSummary()
    _sweep_cache(now, summary)
    _sweep_exports(now, summary)
    return summary
