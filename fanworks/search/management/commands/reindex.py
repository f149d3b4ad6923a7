from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanworks.search.index_build import BUILD_BATCH, BuildRunning, build_generation
from fanworks.search.progress import Progress


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


class Command(BaseCommand):
    help = (
        "Rebuild the work search index (SEARCH_INDEX_DIR) from the database. Safe while the "
        "server runs: the new index is built beside the live one, which keeps answering and "
        "receiving changes, then replaces it at once; changes made meanwhile are applied from "
        "the search outbox before the switch. Progress goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--index-dir",
            type=Path,
            default=None,
            help="Index directory (default: SEARCH_INDEX_DIR).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BUILD_BATCH,
            help=f"Works read from the database per round trip (default {BUILD_BATCH}).",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="If another rebuild is running, wait for it and then rebuild (default: stop).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError(f"--batch-size must be at least 1 (got {batch_size}).")
        path = Path(options["index_dir"] or settings.SEARCH_INDEX_DIR)
        if path.exists() and not path.is_dir():
            raise CommandError(f"{path} is a file, not an index directory.")
        # The raw stream: Django's wrapper would end every write with a newline (and colour
        # stderr red), which breaks a bar redrawn in place.
        stream = getattr(self.stderr, "_out", self.stderr)
        progress = Progress(stream) if options["verbosity"] > 0 else None
        try:
            result = build_generation(
                path, batch_size=batch_size, progress=progress, wait=options["wait"]
            )
        except BuildRunning as error:
            message = f"{error}. Try again when it has finished, or pass --wait."
            raise CommandError(message) from None
        finally:
            if progress is not None:
                progress.finish()
        rate = result.works / result.index_seconds if result.index_seconds else 0.0
        self.stdout.write(
            f"Rebuilt the index of {result.works:,} works in {result.seconds:.1f} s "
            f"({rate:,.0f} works/s); {_megabytes(result.size_bytes)} in {path / result.generation}."
        )
        if options["verbosity"] > 1:
            late = result.caught_up_to - result.started_at_outbox
            self.stdout.write(
                f"Changes during the build: {late} outbox rows, applied before the switch. "
                f"Removed: {', '.join(result.removed) or 'no old generation'}."
            )
