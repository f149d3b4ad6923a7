"""Generations of a search index directory, so that a rebuild never touches the live index.

An index directory (SEARCH_INDEX_DIR) holds::

    CURRENT       the name of the live generation, replaced atomically with os.replace
    writer.lock   held by whoever writes the live generation (an indexer round, a swap)
    build.lock    held by whoever builds a new generation; names the builder's pid
    gen-…/        one tantivy index each, with its own state.json (schema, outbox position)

A rebuild fills a fresh ``gen-…`` directory while the servers keep answering from, and
applying the outbox to, the current one; then it points CURRENT at the new generation. Readers
compare CURRENT's inode and mtime with what they last saw, which costs one stat. Only the
holder of the build lock removes generations, so a half-built directory left by a crash is
removed by the next build, never while a build is filling it.

Nothing here knows about tantivy: it is files, names and locks.
"""

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POINTER_FILE = "CURRENT"
WRITER_LOCK = "writer.lock"
BUILD_LOCK = "build.lock"
PREFIX = "gen-"


def current_generation(root: Path) -> str | None:
    """The live generation's directory name, or None when there is none yet."""
    try:
        name = (root / POINTER_FILE).read_text().strip()
    except FileNotFoundError:
        return None
    # A pointer naming something other than a generation of this directory (edited by hand,
    # or a stray file) counts as no index: the server rebuilds rather than opening it.
    if not name.startswith(PREFIX) or "/" in name or not (root / name).is_dir():
        return None
    return name


def pointer_stamp(root: Path) -> tuple[int, int] | None:
    """What changes whenever CURRENT is replaced (inode and mtime); None when it is missing."""
    try:
        st = os.stat(root / POINTER_FILE)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def new_generation(root: Path) -> Path:
    """Create an empty, uniquely named generation directory (not yet current)."""
    root.mkdir(parents=True, exist_ok=True)
    # Time first so that `ls` lists generations in the order they were started.
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = root / f"{PREFIX}{stamp}-{os.getpid()}-{time.time_ns() % 10**6:06d}"
    path.mkdir()
    return path


def set_current(root: Path, name: str) -> None:
    """Point CURRENT at generation `name`, atomically: a reader sees the old name or the new."""
    tmp = root / f"{POINTER_FILE}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / POINTER_FILE)
    # Make the rename itself durable, so that a power cut cannot bring back the old pointer
    # after the old generation was deleted.
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_other_generations(root: Path, keep: str | None) -> list[str]:
    """Delete every generation but `keep` (call with the build lock held). Returns the names.

    Processes still reading an old generation keep working: tantivy maps its files, and on
    Linux a deleted file stays readable while it is open. They switch at their next refresh.
    """
    removed = []
    for entry in sorted(root.glob(PREFIX + "*")):
        if entry.name != keep and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    for tmp in root.glob(f"{POINTER_FILE}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return removed


# What tantivy keeps in an index directory, for removing an index that an older Fanworks kept
# directly in SEARCH_INDEX_DIR, before there were generations.
_FLAT_INDEX_NAMES = frozenset({"meta.json", ".managed.json", "state.json", "state.json.tmp"})
_FLAT_INDEX_SUFFIXES = frozenset({".idx", ".pos", ".term", ".store", ".fast", ".fieldnorm", ".del"})


def remove_flat_index(root: Path) -> int:
    """Remove an index kept directly in `root` by an older version (call with the build lock
    held, once a generation is current). Returns the files removed."""
    if not (root / "meta.json").is_file():
        return 0
    removed = 0
    for entry in root.iterdir():
        if entry.is_file() and (
            entry.name in _FLAT_INDEX_NAMES or entry.suffix in _FLAT_INDEX_SUFFIXES
        ):
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


def directory_size(path: Path) -> int:
    """Bytes in the files under `path`."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


@contextmanager
def file_lock(path: Path, *, wait: bool) -> Iterator[bool]:
    """Hold an exclusive flock on `path`; yields False when `wait` is off and it is taken.

    flock belongs to the open file, so two threads of one process exclude each other too. The
    kernel drops it when its holder dies, so a crashed holder never leaves it stuck.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def build_lock(root: Path, *, wait: bool) -> Iterator[bool]:
    """The build lock of index directory `root`; while held, the file names this process."""
    with file_lock(root / BUILD_LOCK, wait=wait) as held:
        if held:
            (root / BUILD_LOCK).write_text(f"{os.getpid()}\n")
        yield held


def builder_pid(root: Path) -> int | None:
    """The pid of the process that last took the build lock (meaningful while it is held)."""
    try:
        return int((root / BUILD_LOCK).read_text().strip() or 0) or None
    except (FileNotFoundError, ValueError):
        return None
