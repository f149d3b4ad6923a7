from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fanworks.core import jobs


class Command(BaseCommand):
    help = (
        "Run background jobs (re-filtering after wrangling, …). `fanworks serve` already runs "
        "them in its background process; use this for separate job processes (set "
        "JOBS_IN_SERVER=0)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run the waiting jobs, then stop.")
        parser.add_argument("--poll", type=float, default=2.0, help="Seconds between polls.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            ran = jobs.run_pending()
            self.stdout.write(f"Ran {ran} job(s).")
            return
        self.stdout.write("Running background jobs (Ctrl+C stops).")
        jobs.run_forever(poll_seconds=options["poll"])
