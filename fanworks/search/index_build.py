"""Building a whole new generation of the search index while the live one keeps serving.

`build_generation` takes the directory's build lock, removes generations left half-built by a
crash, records the outbox position, indexes every posted work into a fresh generation with one
writer kept open throughout, catches the new generation up from the recorded position, and
then, holding the writer lock for only the last few outbox rows, points CURRENT at it. The old
generation keeps answering queries and receiving outbox rows until that moment; every process
switches at its next refresh (see TantivyIndex.refresh) and the old generation is removed.

Speed: in a command of its own (`fanworks reindex`) on an archive of some size, worker
processes, one per core, turn id ranges of works into documents, each sent back as one line of
JSON, while this process hands the lines to tantivy's writer and tantivy's indexing thread
indexes them: Python's document building and tantivy's indexing share the cores. A small
archive, or a build in a server's thread, turns rows into documents in this thread. The writer
is opened once with a large heap, so that a big archive ends up in as few segments as possible
(see WRITER_HEAP).
"""

import gc
import multiprocessing
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from django.db import connections

from fanworks.engagement.models import Bookmark
from fanworks.search import build_worker, generations
from fanworks.search.bookmark_documents import bookmark_documents_between
from fanworks.search.bookmark_index import bookmark_tantivy
from fanworks.search.documents import TagNames, work_documents_between
from fanworks.search.indexer import writer_lock
from fanworks.search.models import SearchOutbox
from fanworks.search.tantivy_index import (
    TantivyIndex,
    _to_tantivy,
    build_schema,
    write_state,
)
from fanworks.works.models import Work


def physical_memory() -> int:
    """Bytes of RAM on this machine (4 GB where the system will not say)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4_000_000_000


# Works turned into documents per database round trip.
BUILD_BATCH = 2000
# Longest wait for one batch from a document worker before the build gives up.
WORKER_BATCH_TIMEOUT = 600
# One indexing thread with as much heap as the machine can spare: tantivy writes a segment each
# time a thread's heap fills, and every segment adds a fixed cost to each facet aggregation
# (at 1M works the filtered listing's facets took 19.5 ms p50 over 6 segments, 15.5 ms over
# one), while the Python writer cannot merge segments for us. One thread keeps up with the
# document workers about as well as two: 1M works took 455 s with one (1 segment) and 447 s
# with two (6 segments). About 4 KB of heap per work holds a million works in one segment;
# tantivy wants less than 4 GB per thread, and we take at most a quarter of the machine's RAM.
WRITER_THREADS = 1
WRITER_HEAP = min(3_900_000_000, physical_memory() // 4)
# When a server worker builds the index itself (a new server, an upgrade), it shares the
# machine with the other workers: a smaller heap, at the price of more merging.
SERVER_WRITER_HEAP = 256_000_000
MIN_HEAP_PER_THREAD = 20_000_000
HEAP_PER_WORK = 20_000
# From this many works up, a build in a command of its own builds documents in worker processes
# (below it, starting them costs more than they save, and tests stay in one process).
PARALLEL_MIN_WORKS = 5_000
# Batches handed to the workers ahead of the writer, per worker: enough to keep them busy,
# few enough that documents waiting for the writer do not pile up in memory.
BATCHES_AHEAD = 3

ProgressFn = Callable[[int, int], None]


class BuildRunning(Exception):
    """Another process holds the directory's build lock."""

    def __init__(self, root: Path, pid: int | None) -> None:
        who = f"process {pid}" if pid else "another process"
        super().__init__(f"{who} is already rebuilding the search index in {root}")
        self.root = root
        self.pid = pid


@dataclass
class BuildResult:
    generation: str
    works: int
    # Outbox position when the build started, and after the catch-up that preceded the swap.
    started_at_outbox: int
    caught_up_to: int
    seconds: float
    index_seconds: float
    size_bytes: int
    removed: list[str]


def last_outbox_id() -> int:
    return SearchOutbox.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def build_generation(
    root: Path,
    *,
    batch_size: int | None = None,
    progress: ProgressFn | None = None,
    wait: bool = True,
    on_start: Callable[[Path], None] | None = None,
) -> BuildResult:
    """Build a complete new generation of index directory `root` and make it current.

    With `wait` off, raises BuildRunning at once when another build holds the lock; with it
    on, waits for that build to finish and then builds again. `on_start` is called once the
    lock is taken. A failure (or a crash) leaves CURRENT and the live generation untouched.
    """
    root = Path(root)
    began = time.monotonic()
    with generations.build_lock(root, wait=wait) as held:
        if not held:
            raise BuildRunning(root, generations.builder_pid(root))
        if on_start is not None:
            on_start(root)
        live = generations.current_generation(root)
        # Whatever else is here was left by a build that crashed: only a build removes these.
        removed = generations.remove_other_generations(root, keep=live)
        gen = generations.new_generation(root)
        try:
            # The position is taken before the first work is read: a change made after this
            # point is applied again by the catch-up below, which is harmless.
            position = last_outbox_id()
            works = fill_generation(gen, batch_size=batch_size or BUILD_BATCH, progress=progress)
            index_seconds = time.monotonic() - began
            write_state(gen, position)
            staged = TantivyIndex.pinned(root, gen.name)
            # Most of what changed during the build is applied without the writer lock, so
            # the live generation's indexers are held up only for the last few rows.
            staged.catch_up()
            with writer_lock(root, wait=True):
                staged.catch_up()
                generations.set_current(root, gen.name)
            caught_up_to = staged.last_applied()
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        removed += generations.remove_other_generations(root, keep=gen.name)
        generations.remove_flat_index(root)
    return BuildResult(
        generation=gen.name,
        works=works,
        started_at_outbox=position,
        caught_up_to=caught_up_to,
        seconds=time.monotonic() - began,
        index_seconds=index_seconds,
        size_bytes=generations.directory_size(gen),
        removed=removed,
    )


def document_workers() -> int:
    """Worker processes for a build's documents: one per core."""
    return max(os.cpu_count() or 1, 1)


def fill_generation(
    path: Path, *, batch_size: int, progress: ProgressFn | None, workers: int | None = None
) -> int:
    """Index every posted work into the empty generation at `path`. Returns the works added.

    `workers` worker processes build the documents (0: this thread does); by default, one per
    core for an archive of PARALLEL_MIN_WORKS works or more in a command of its own."""
    index = tantivy.Index(build_schema(), path=str(path), reuse=False)
    ids = list(Work.objects.filter(posted=True).order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    in_command = threading.current_thread() is threading.main_thread()
    if workers is None:
        workers = document_workers() if in_command and total >= PARALLEL_MIN_WORKS else 0
    # A small archive does not need the large heap (allocating it costs time in tests).
    heap = min(
        WRITER_HEAP if in_command else SERVER_WRITER_HEAP,
        max(MIN_HEAP_PER_THREAD * WRITER_THREADS, total * HEAP_PER_WORK),
    )
    writer = index.writer(heap_size=heap, num_threads=WRITER_THREADS)
    done = added = 0
    ranges = [
        (chunk[0], chunk[-1], len(chunk))
        for start in range(0, total, batch_size)
        if (chunk := ids[start : start + batch_size])
    ]
    if progress is not None:
        progress(0, total)
    # The documents hold no reference cycles, so the cyclic collector would only walk the
    # ever larger heap of live objects again and again (about 20% of the Python time). Only
    # in a command of its own, though: in a server thread, request garbage must still go.
    collecting = gc.isenabled() and in_command
    if collecting:
        gc.disable()
    try:
        if workers > 0:
            for lines, works in _documents_from_workers(ranges, workers):
                for line in lines:
                    writer.add_json(line)
                added += len(lines)
                done += works
                if progress is not None:
                    progress(done, total)
        else:
            tags = TagNames()
            for first, last, works in ranges:
                for doc in work_documents_between(first, last, tags):
                    writer.add_document(_to_tantivy(doc))
                    added += 1
                done += works
                if progress is not None:
                    progress(done, total)
        add_bookmarks(writer, batch_size)
        writer.commit()
    except BaseException:
        # Stop tantivy's threads before the caller removes the directory under them.
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()
        if collecting:
            gc.enable()
    return added


def add_bookmarks(writer: tantivy.IndexWriter, batch_size: int) -> int:
    """Add every bookmark's document (bookmark_documents.py), in id ranges, in this thread:
    a bookmark document is a few ids, so a hundred thousand take seconds, not minutes. Work
    documents of a build carry no bookmark signature, so the first outbox row of each work
    rewrites its bookmarks once (TantivyIndex._bookmarks_to_rewrite). Returns the count."""
    ids = list(Bookmark.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        for doc in bookmark_documents_between(chunk[0], chunk[-1]):
            writer.add_document(bookmark_tantivy(doc))
    return len(ids)


def _documents_from_workers(
    ranges: list[tuple[int, int, int]], workers: int
) -> Iterator[tuple[list[str], int]]:
    """(JSON lines of the documents, works in the range) for each (first id, last id, works)
    range, in order, built by `workers` fresh processes with database connections of their
    own. At most BATCHES_AHEAD ranges per worker wait for the caller."""
    database = dict(connections["default"].settings_dict)
    # A fresh interpreter ("spawn") rather than a fork: a forked child would share this
    # process's database connection and tantivy's threads would not be in it.
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        workers, initializer=build_worker.start, initargs=(database["NAME"],)
    ) as pool:
        pending: deque[Any] = deque()
        queued = iter(ranges)
        for first, last, works in queued:
            pending.append((pool.apply_async(build_worker.batch, (first, last)), works))
            if len(pending) >= workers * BATCHES_AHEAD:
                break
        while pending:
            result, works = pending.popleft()
            try:
                # A worker killed mid-batch is replaced by the pool, but its batch never
                # arrives: give up rather than wait forever (the live index is untouched).
                lines = result.get(timeout=WORKER_BATCH_TIMEOUT)
            except multiprocessing.TimeoutError:
                raise RuntimeError(
                    f"a document worker sent nothing for {WORKER_BATCH_TIMEOUT} s; "
                    "was it killed? The rebuild stopped, the live index is unchanged."
                ) from None
            for first, last, more in queued:
                pending.append((pool.apply_async(build_worker.batch, (first, last)), more))
                break
            yield lines, works
