"""Bulk import: walk files, folders and zips, import each file on its own, and count.

Each file is its own transaction (works.actions), so a bad file leaves nothing behind and the
rest still import. Symbolic links are never followed.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fanworks.accounts.models import User
from fanworks.importers.actions import work_import
from fanworks.importers.parsers import IMPORTABLE_SUFFIXES, parse_file
from fanworks.importers.safety import ImportRefused, read_bounded, zip_members


@dataclass
class Source:
    """One file to import, or a problem found while looking for files."""

    label: str
    data: bytes | None = None
    problem: str = ""


@dataclass
class Summary:
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def _read(path: Path) -> Source:
    try:
        with path.open("rb") as stream:
            return Source(str(path), read_bounded(stream, str(path)))
    except ImportRefused as refusal:
        return Source(str(path), problem=str(refusal))
    except OSError as error:
        return Source(str(path), problem=f"can't be read ({error.strerror or error}).")


def _from_zip(path: Path, data: bytes) -> Iterator[Source]:
    try:
        members = list(zip_members(data, str(path)))
    except ImportRefused as refusal:
        yield Source(str(path), problem=str(refusal))
        return
    for member in members:
        label = f"{path}:{member.name}"
        if member.name.lower().endswith(IMPORTABLE_SUFFIXES):
            yield Source(label, member.data)


def sources(paths: list[str]) -> Iterator[Source]:
    """The importable files under `paths`, in a stable order; problems come as sources too."""
    for raw in paths:
        path = Path(raw)
        if path.is_symlink():
            yield Source(raw, problem="is a symbolic link; links are not followed.")
        elif path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    child = Path(root) / name
                    if child.is_symlink():
                        yield Source(str(child), problem="is a symbolic link; not followed.")
                    elif name.lower().endswith((*IMPORTABLE_SUFFIXES, ".zip")):
                        yield from _expand(child)
        elif path.exists():
            yield from _expand(path)
        else:
            yield Source(raw, problem="does not exist.")


def _expand(path: Path) -> Iterator[Source]:
    source = _read(path)
    if source.data is not None and path.name.lower().endswith(".zip"):
        yield from _from_zip(path, source.data)
    else:
        yield source


def import_one(source: Source, user: User, summary: Summary) -> str:
    """Import one source, record its fate in `summary` and return a line about it."""
    if source.data is None:
        summary.failed.append((source.label, source.problem))
        return f"FAILED {source.label}: {source.problem}"
    try:
        # A zip member's label ends with the member's name, so its suffix picks the parser.
        parsed = parse_file(source.label, source.data)
        outcome = work_import(parsed=parsed, user=user, archive=True)
    except ImportRefused as refusal:
        reason = str(refusal)
        summary.failed.append((source.label, reason))
        return f"FAILED {source.label}: {reason}"
    if outcome.imported:
        summary.imported.append(source.label)
        return f"imported {source.label} (work {outcome.work_id})"
    summary.skipped.append(source.label)
    return f"skipped {source.label}: already imported (work {outcome.work_id})"


def import_paths(
    paths: list[str], user: User, progress: Callable[[int, int, str], None] | None = None
) -> Summary:
    summary = Summary()
    found = list(sources(paths))
    for index, source in enumerate(found, start=1):
        line = import_one(source, user, summary)
        if progress is not None:
            progress(index, len(found), line)
    return summary
