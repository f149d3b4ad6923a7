import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from fanworks.core import jobs
from fanworks.core.supervisor import parent_alive

# How often the main thread looks whether its threads and its parent are still alive.
WATCH_SECONDS = 1.0


class Command(BaseCommand):
    help = (
        "Run the background work of one app server in one process: the job runner "
        "(JOBS_IN_SERVER) and the search indexer (SEARCH_INDEXER_IN_SERVER), the indexer at a "
        "lower CPU priority. `fanworks serve` starts and supervises it; SIGTERM or SIGINT "
        "stops it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--nice",
            type=int,
            default=settings.BACKGROUND_NICE,
            help="Added to the indexer's nice value (default: BACKGROUND_NICE).",
        )
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="Stop when the process that started this one is gone (`fanworks serve`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        nice = max(0, options["nice"])
        per_thread = sys.platform.startswith("linux")
        if nice and not per_thread and not settings.JOBS_IN_SERVER:
            os.nice(nice)
        stop = threading.Event()

        def on_signal(_signum: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        threads = []
        if settings.SEARCH_INDEXER_IN_SERVER and settings.SEARCH_BACKEND == "tantivy":
            from fanworks.search.indexer import start_indexer_thread

            threads.append(start_indexer_thread(stop=stop, nice=nice if per_thread else 0))
        if settings.JOBS_IN_SERVER:
            threads.append(
                threading.Thread(
                    target=jobs.run_forever, kwargs={"stop": stop}, name="fanworks-jobs"
                )
            )
            threads[-1].start()
        names = ", ".join(thread.name for thread in threads) or "nothing to run"
        self.stdout.write(f"Background process {os.getpid()}: {names}")
        self.stdout.flush()
        parent = os.getppid() if options["exit_with_parent"] else None
        while not stop.wait(WATCH_SECONDS):
            if parent is not None and not parent_alive(parent):
                # The server was killed without stopping us: do not run on unsupervised.
                stop.set()
            elif not all(thread.is_alive() for thread in threads):
                # A loop died of something it does not survive; exit so the supervisor
                # starts a fresh process.
                stop.set()
                raise SystemExit(1)
        for thread in threads:
            thread.join(timeout=30)
