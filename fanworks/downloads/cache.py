"""Built files, kept once per version of a work under the var directory.

A file is named by its work and the signature of its content, so an edit (which changes the
signature) builds a new one and the next request finds it. Files are written to a temporary
name and renamed into place, so two first requests at once both serve a whole file.

Callers check who may download the work first (queries.downloadable_work): a cached file is
never a reason to serve a work. The files of a deleted work go when its deletion commits;
the sweep (sweep.py) removes those of works that are gone or hidden, and files nobody has
fetched for DOWNLOAD_CACHE_KEEP_DAYS (a served file's modification time is moved forward at
most once a day, so it marks the last use; an old version is never served again and ages
out).
"""

import contextlib
import os
import time
from pathlib import Path

from fanworks.downloads.content import WorkFile
from fanworks.downloads.renderers import render
from fanworks.downloads.storage import BUILDING_PREFIX, cache_dir, write_whole

__all__ = ["BUILDING_PREFIX", "built_file", "cache_dir"]

# How stale a served file's modification time may get before it is moved to now.
USE_MARK_SECONDS = 24 * 60 * 60


def _drop_older(folder: Path, keep: Path, fmt: str) -> None:
    for old in folder.glob(f"*.{fmt}"):
        # pathlib's "*" matches dot files too: another request's file still being written
        # (".building-…") is not an older version, and removing it would fail its rename.
        if old != keep and not old.name.startswith(BUILDING_PREFIX):
            # Another request may be reading it or building its own; missing is fine.
            old.unlink(missing_ok=True)


def _read_cached(path: Path) -> bytes | None:
    try:
        with path.open("rb") as handle:
            content = handle.read()
            modified = os.fstat(handle.fileno()).st_mtime
    except FileNotFoundError:
        return None
    if time.time() - modified > USE_MARK_SECONDS:
        # Removed meanwhile (a newer version, the sweep) is fine: it was read whole.
        with contextlib.suppress(OSError):
            os.utime(path)
    return content


def built_file(file: WorkFile, fmt: str) -> bytes:
    """The file in `fmt` for this version of the work, built now if not built before."""
    folder = cache_dir(file.work_id)
    path = folder / f"{file.signature()}.{fmt}"
    cached = _read_cached(path)
    if cached is not None:
        return cached
    content = render(file, fmt)
    write_whole(path, lambda out: out.write(content))
    _drop_older(folder, path, fmt)
    return content
