"""Building a whole new generation of the search index while the live one keeps serving.

`build_generation` takes the directory's build lock, removes generations left half-built by a
crash, records the outbox position, indexes every posted work into a fresh generation with one
writer kept open throughout, catches the new generation up from the recorded position, and
then, holding the writer lock for only the last few outbox rows, points CURRENT at it. The old
generation keeps answering queries and receiving outbox rows until that moment; every process
switches at its next refresh (see TantivyIndex.refresh) and the old generation is removed.

Speed: one Python thread turns rows into documents while tantivy's own threads index them, so
the two cores are both busy. The writer is opened once with a large heap: tantivy writes a
segment whenever a thread's share of the heap fills, and fewer, bigger segments mean less
merging at the end.
"""

import gc
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tantivy

from fanworks.search import generations
from fanworks.search.documents import TagNames, work_documents_between
from fanworks.search.indexer import writer_lock
from fanworks.search.models import SearchOutbox
from fanworks.search.tantivy_index import TantivyIndex, _to_tantivy, build_schema, write_state
from fanworks.works.models import Work

# Works turned into documents per database round trip.
BUILD_BATCH = 2000
# tantivy's indexing threads and their shared memory budget (each thread gets an equal share;
# tantivy wants at least 15 MB per thread and less than 4 GB).
WRITER_THREADS = 2
WRITER_HEAP = 1_000_000_000
# When a server worker builds the index itself (a new server, an upgrade), it shares the
# machine with the other workers: a smaller heap, at the price of more merging.
SERVER_WRITER_HEAP = 256_000_000
MIN_HEAP_PER_THREAD = 20_000_000
HEAP_PER_WORK = 20_000

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


def fill_generation(path: Path, *, batch_size: int, progress: ProgressFn | None) -> int:
    """Index every posted work into the empty generation at `path`. Returns the works added."""
    index = tantivy.Index(build_schema(), path=str(path), reuse=False)
    ids = list(Work.objects.filter(posted=True).order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    in_command = threading.current_thread() is threading.main_thread()
    # A small archive does not need the large heap (allocating it costs time in tests).
    heap = min(
        WRITER_HEAP if in_command else SERVER_WRITER_HEAP,
        max(MIN_HEAP_PER_THREAD * WRITER_THREADS, total * HEAP_PER_WORK),
    )
    writer = index.writer(heap_size=heap, num_threads=WRITER_THREADS)
    done = added = 0
    tags = TagNames()
    if progress is not None:
        progress(0, total)
    # The documents hold no reference cycles, so the cyclic collector would only walk the
    # ever larger heap of live objects again and again (about 20% of the Python time). Only
    # in a command of its own, though: in a server thread, request garbage must still go.
    collecting = gc.isenabled() and in_command
    if collecting:
        gc.disable()
    try:
        for start in range(0, total, batch_size):
            chunk = ids[start : start + batch_size]
            for doc in work_documents_between(chunk[0], chunk[-1], tags):
                writer.add_document(_to_tantivy(doc))
                added += 1
            done += len(chunk)
            if progress is not None:
                progress(done, total)
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
