import time
from typing import Any

from django.core.management.base import BaseCommand

from fanworks.tags.filters import rebuild_all_filters


class Command(BaseCommand):
    help = "Recompute every work's filter rows from the tag graph (safe to run at any time)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        done = rebuild_all_filters()
        self.stdout.write(f"Re-filtered {done} works in {time.monotonic() - started:.1f} s.")
