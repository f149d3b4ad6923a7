from typing import Any

from django.core.management.base import BaseCommand

from fanworks.downloads.sweep_actions import downloads_sweep


class Command(BaseCommand):
    help = (
        "Remove now what the hourly downloads sweep removes: built download files of deleted "
        "or hidden works and files unused for DOWNLOAD_CACHE_KEEP_DAYS (old versions too), "
        "exports older than EXPORT_KEEP_DAYS and export files no export names."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(downloads_sweep()))
