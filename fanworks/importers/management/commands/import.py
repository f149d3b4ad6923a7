"""`fanworks import PATH…`: import AO3 HTML/EPUB downloads, text and Markdown files."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanworks.accounts.models import User
from fanworks.importers.bulk import import_paths


class Command(BaseCommand):
    help = (
        "Import works from AO3 HTML or EPUB downloads, .txt or .md files, folders of them or "
        ".zip files. Works are posted with their original dates, credited to the archivist "
        "and bylined to their original creators, who can claim them later."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--archivist",
            help="username of the account that archives the works (default: the first superuser)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["archivist"]:
            user = User.objects.filter(username=options["archivist"]).first()
            if user is None:
                raise CommandError(f"No user is called {options['archivist']!r}.")
        else:
            user = User.objects.filter(is_superuser=True).order_by("pk").first()
            if user is None:
                raise CommandError(
                    "Name the archivist with --archivist USERNAME (or run createadmin first)."
                )
        tty = self.stdout.isatty()

        def progress(index: int, total: int, line: str) -> None:
            if tty:
                filled = int(30 * index / total)
                bar = "#" * filled + "-" * (30 - filled)
                # One redrawn line; failures stay on screen below the bar.
                if line.startswith("FAILED"):
                    self.stdout.write("\r\033[K" + line)
                self.stdout.write(f"\r[{bar}] {index}/{total}", ending="")
                self.stdout.flush()
            else:
                self.stdout.write(f"[{index}/{total}] {line}")

        summary = import_paths(options["paths"], user, progress)
        if tty:
            self.stdout.write("")
        self.stdout.write(
            f"{len(summary.imported)} imported, {len(summary.skipped)} skipped, "
            f"{len(summary.failed)} failed."
        )
        for label, reason in summary.failed:
            self.stderr.write(f"failed: {label}: {reason}")
        if summary.failed:
            sys.exit(1)
