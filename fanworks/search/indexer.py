"""Keeping the tantivy index up to date from the search outbox.

`fanworks serve`'s background process runs `start_indexer_thread()` (request workers do not:
they only search, and `get_index` reloads their searcher as they do). Tantivy allows one writer
per directory, so indexers sharing an index directory (several servers on one disk, a test's
threads) take turns through a lock file in it (``fcntl.flock``, non-blocking): whoever gets the
lock applies the outbox, the others reload their searcher and try again next round. The lock is
dropped after each round, so if its holder dies another indexer carries on.

The index directory holds generations (see generations.py). Each round first follows CURRENT,
so every worker switches to a generation that a rebuild (`fanworks reindex`) made current. When
the directory has no generation of this schema version, because it is new or the document
shape changed with an upgrade, the round builds one the way `fanworks reindex` does; searches
are answered from SQL until it is ready (queries.search_backend).
"""

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections

from fanworks.search import generations
from fanworks.search.tantivy_index import SCHEMA_VERSION, TantivyIndex

log = logging.getLogger(__name__)

LOCK_FILE = generations.WRITER_LOCK
# A posted or edited work is searchable on every worker within about two rounds (one for the
# lock holder to apply it, one for the others to reload): 0.25 s keeps that well under the
# two seconds promised, for one cheap outbox query per worker and round.
POLL_SECONDS = 0.25
# After a round that applied at least BUSY_ROWS outbox rows the next one waits
# BUSY_POLL_SECONDS instead: under a stream of writes (every kudos and comment rewrites its
# work's document) each round then gathers a second's worth into one commit, rather than paying
# a commit, a merge and a searcher reload four times a second. Still within the two seconds
# promised; a round of a few rows (someone posting or editing a work) keeps the short poll, so
# their next change shows as quickly as the first.
BUSY_ROWS = 5
BUSY_POLL_SECONDS = 1.0
ROUND_BATCH = 500

_indexes: dict[Path, TantivyIndex] = {}
_indexes_lock = threading.Lock()
# When each index of this process last reloaded its searcher in get_index.
_reloaded: dict[Path, float] = {}


def get_index(path: Path | None = None) -> TantivyIndex:
    """This process's open index for `path` (default SEARCH_INDEX_DIR), opened once and
    switched to a new generation when a rebuild made one current (checked at most once a
    second). It may not be `ready`; the indexer round builds it then.

    It also reloads the searcher at most every POLL_SECONDS, so a request worker sees what the
    background process's indexer committed without an indexer thread of its own (tantivy's
    own reload on commit watches the generation too; this is the guarantee, and costs tens of
    microseconds)."""
    key = Path(path or settings.SEARCH_INDEX_DIR).resolve()
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None:
            index = _indexes[key] = TantivyIndex(key, create=False)
    index.refresh()
    now = time.monotonic()
    if now - _reloaded.get(key, 0.0) >= POLL_SECONDS:
        _reloaded[key] = now
        index.reload()
    return index


@contextmanager
def writer_lock(path: Path, *, wait: bool) -> Iterator[bool]:
    """Hold the index directory's writer lock; yields False when `wait` is off and it is taken."""
    with generations.file_lock(Path(path) / LOCK_FILE, wait=wait) as held:
        yield held


def build_if_missing(index: TantivyIndex) -> bool:
    """Build a generation when the directory has none of this version. Returns True if this
    call built one; False when it was not needed or another process is building it."""
    from fanworks.search.index_build import BuildRunning, build_generation

    index.refresh(force=True)
    if index.ready:
        return False
    try:
        result = build_generation(index.path, wait=False, on_start=_announce_build)
    except BuildRunning:
        # Another worker (or `fanworks reindex`) is building it; this one follows CURRENT.
        return False
    index.refresh(force=True)
    log.warning(
        "Search index %s: built %s (%d works in %.1f s)",
        index.path,
        result.generation,
        result.works,
        result.seconds,
    )
    return True


def _announce_build(root: Path) -> None:
    log.warning(
        "Search index %s has no index of version %s: building one; searches use SQL meanwhile",
        root,
        SCHEMA_VERSION,
    )


def run_round(index: TantivyIndex, batch_size: int = ROUND_BATCH) -> int | None:
    """One indexer round: apply the outbox if this process gets the lock (returns the rows
    applied), otherwise reload the searcher to see what the lock holder committed (None)."""
    if not index.ready:
        build_if_missing(index)
    applied = None
    with writer_lock(index.path, wait=False) as mine:
        if mine:
            # Under the lock CURRENT cannot change (a swap takes this lock), so the rows go to
            # the generation every other process will read, never to one being retired.
            index.refresh(force=True)
            if index.ready:
                applied = index.catch_up(batch_size=batch_size)
    # Also after our own round: another process (a rebuild's catch-up) may have committed.
    index.refresh()
    index.reload()
    return applied


def remove_stale_generations(path: Path) -> list[str]:
    """Remove generations that are not current, unless a build is under way (it owns them)."""
    with generations.build_lock(path, wait=False) as held:
        if not held:
            return []
        return generations.remove_other_generations(path, keep=generations.current_generation(path))


def run_forever(
    stop: threading.Event | None = None,
    poll_seconds: float = POLL_SECONDS,
    path: Path | None = None,
    busy_poll_seconds: float = BUSY_POLL_SECONDS,
) -> None:
    stop = stop or threading.Event()
    try:
        # A build killed half-way left its directory behind; nobody else removes it.
        remove_stale_generations(Path(path or settings.SEARCH_INDEX_DIR))
    except OSError:
        log.exception("Could not remove stale search index generations")
    while not stop.is_set():
        applied = None
        try:
            applied = run_round(get_index(path))
        except Exception:
            log.exception("Search indexer round failed")
        finally:
            close_old_connections()
        busy = applied is not None and applied >= BUSY_ROWS
        stop.wait(max(poll_seconds, busy_poll_seconds) if busy else poll_seconds)


def start_indexer_thread(
    stop: threading.Event | None = None, path: Path | None = None, *, nice: int = 0
) -> threading.Thread:
    """A daemon thread keeping this process's index current (`fanworks manage background`).

    With `nice` (Linux, where a thread has a priority of its own) the thread runs that much
    below the process: indexing is CPU work that requests should win, and it writes nothing
    to the database, so a descheduled indexer holds no lock that a request waits for."""

    def run() -> None:
        if nice:
            me = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, me, os.getpriority(os.PRIO_PROCESS, me) + nice)
        run_forever(stop=stop, path=path)

    thread = threading.Thread(
        target=run,
        name="fanworks-search-indexer",
        daemon=True,
    )
    thread.start()
    return thread
