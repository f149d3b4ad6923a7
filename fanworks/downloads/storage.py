"""Where download files and exports live under the var directory, and their removal.

Built download files: `var/downloads/WORK_ID/SIGNATURE.FORMAT` (see cache.py). Exports:
`var/exports/USER_ID/TOKEN.zip`, outside anything the web server serves; only the export
view hands one out, to its owner. This module imports nothing of the apps, so the write paths
that delete works and accounts (works, accounts) can use it.
"""

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction

# Files still being written start with this; they are renamed into place when whole.
BUILDING_PREFIX = ".building-"


def downloads_root() -> Path:
    return Path(settings.VAR_DIR) / "downloads"


def cache_dir(work_id: int) -> Path:
    return downloads_root() / str(work_id)


def exports_root() -> Path:
    return Path(settings.VAR_DIR) / "exports"


def export_dir(user_id: int) -> Path:
    return exports_root() / str(user_id)


def export_path(user_id: int, token: str) -> Path:
    return export_dir(user_id) / f"{token}.zip"


def _temporary_beside(path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return tempfile.mkstemp(dir=path.parent, prefix=BUILDING_PREFIX, suffix=path.suffix)
    except FileNotFoundError:
        # The sweep removed the (empty) folder between mkdir and here: make it again.
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=path.parent, prefix=BUILDING_PREFIX, suffix=path.suffix)


def write_whole(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Make `path` with `write`, through a temporary name in the same folder renamed into
    place: a reader (another request, a download) sees the whole file or none."""
    handle, temporary = _temporary_beside(path)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_tree(folder: Path) -> None:
    # A request may be building a file in it right now; what it leaves the sweep takes.
    shutil.rmtree(folder, ignore_errors=True)


def work_files_remove_after_commit(*, work_ids: Iterable[int]) -> None:
    """Remove the built files of works being deleted, once the deletion commits (a rollback
    keeps the works, and their files with them)."""
    folders = [cache_dir(work_id) for work_id in work_ids]

    def remove() -> None:
        for folder in folders:
            remove_tree(folder)

    transaction.on_commit(remove)


def user_exports_remove_after_commit(*, user_id: int) -> None:
    """Remove an account's exports once its deletion commits."""
    folder = export_dir(user_id)
    transaction.on_commit(lambda: remove_tree(folder))
