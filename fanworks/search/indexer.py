"""Keeping the tantivy index up to date from the search outbox, inside the server processes.

Every gunicorn worker runs `start_indexer_thread()`. Tantivy allows one writer per directory, so
workers sharing an index directory take turns through a lock file in it (``fcntl.flock``,
non-blocking): whoever gets the lock applies the outbox, the others reload their searcher and
try again next round. The lock is dropped after each round, so if its holder dies another
worker carries on. `fanworks manage reindex` takes the same lock, waiting for it.
"""

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections

from fanworks.search.tantivy_index import TantivyIndex

log = logging.getLogger(__name__)

LOCK_FILE = "writer.lock"
POLL_SECONDS = 1.0
ROUND_BATCH = 500

_indexes: dict[Path, TantivyIndex] = {}
_indexes_lock = threading.Lock()


def get_index(path: Path | None = None) -> TantivyIndex:
    """This process's open index for `path` (default SEARCH_INDEX_DIR), opened once."""
    key = Path(path or settings.SEARCH_INDEX_DIR).resolve()
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None:
            index = _indexes[key] = TantivyIndex(key)
        return index


@contextmanager
def writer_lock(path: Path, *, wait: bool) -> Iterator[bool]:
    """Hold the index directory's writer lock; yields False when `wait` is off and it is taken."""
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
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


def run_round(index: TantivyIndex, batch_size: int = ROUND_BATCH) -> int | None:
    """One indexer round: apply the outbox if this process gets the lock (returns the rows
    applied), otherwise reload the searcher to see what the lock holder committed (None)."""
    applied = None
    with writer_lock(index.path, wait=False) as mine:
        if mine:
            applied = index.catch_up(batch_size=batch_size)
    # Also after our own round: another process (reindex) may have committed.
    index.index.reload()
    return applied


def run_forever(
    stop: threading.Event | None = None,
    poll_seconds: float = POLL_SECONDS,
    path: Path | None = None,
) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            run_round(get_index(path))
        except Exception:
            log.exception("Search indexer round failed")
        finally:
            close_old_connections()
        stop.wait(poll_seconds)


def start_indexer_thread(
    stop: threading.Event | None = None, path: Path | None = None
) -> threading.Thread:
    """A daemon thread keeping this process's index current (see fanworks/gunicorn_conf.py)."""
    thread = threading.Thread(
        target=run_forever,
        kwargs={"stop": stop, "path": path},
        name="fanworks-search-indexer",
        daemon=True,
    )
    thread.start()
    return thread
