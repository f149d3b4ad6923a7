"""Built files, kept once per version of a work under the var directory.

A file is named by its work and the signature of its content, so an edit (which changes the
signature) builds a new one and the next request finds it. Files are written to a temporary
name and renamed into place, so two first requests at once both serve a whole file.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings

from fanworks.downloads.content import WorkFile
from fanworks.downloads.renderers import render


def cache_dir(work_id: int) -> Path:
    return Path(settings.VAR_DIR) / "downloads" / str(work_id)


BUILDING_PREFIX = ".building-"


def _drop_older(folder: Path, keep: Path, fmt: str) -> None:
    for old in folder.glob(f"*.{fmt}"):
        # pathlib's "*" matches dot files too: another request's file still being written
        # (".building-…") is not an older version, and removing it would fail its rename.
        if old != keep and not old.name.startswith(BUILDING_PREFIX):
            # Another request may be reading it or building its own; missing is fine.
            old.unlink(missing_ok=True)


def built_file(file: WorkFile, fmt: str) -> bytes:
    """The file in `fmt` for this version of the work, built now if not built before."""
    folder = cache_dir(file.work_id)
    path = folder / f"{file.signature()}.{fmt}"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    content = render(file, fmt)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=BUILDING_PREFIX, suffix=f".{fmt}")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _drop_older(folder, path, fmt)
    return content
