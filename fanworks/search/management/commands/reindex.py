import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from fanworks.search.indexer import writer_lock
from fanworks.search.tantivy_index import TantivyIndex


class Command(BaseCommand):
    help = (
        "Rebuild the work search index (SEARCH_INDEX_DIR) from the database. Safe while the "
        "server runs: it waits for the index's writer lock, and changes made meanwhile are "
        "applied afterwards from the search outbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--index-dir",
            type=Path,
            default=None,
            help="Index directory (default: SEARCH_INDEX_DIR).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Works written per commit (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["index_dir"] or settings.SEARCH_INDEX_DIR)
        interactive = self.stdout.isatty()
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            line = f"Indexed {done}/{total} works"
            if interactive:
                self.stdout.write(f"\r{line}", ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)

        with writer_lock(path, wait=True):
            total = TantivyIndex(path).rebuild(batch_size=options["batch_size"], progress=progress)
        if interactive:
            self.stdout.write("")
        if total == 0:
            self.stdout.write("Indexed 0/0 works")
        self.stdout.write(
            f"Rebuilt the index of {total} works in {time.monotonic() - started:.1f} s."
        )
