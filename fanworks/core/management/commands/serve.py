import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from fanworks.core.supervisor import Supervisor, background_argv


def default_workers() -> int:
    # Two sync-ish workers per core keeps both cores busy while one waits on the database.
    return max(2, (os.cpu_count() or 1) * 2)


class Command(BaseCommand):
    help = (
        "Serve the archive with gunicorn (the production server), static files included. "
        "HOST and PORT default to the environment variables of those names, then "
        "127.0.0.1:8000. ACCESS_LOG=0 turns the access log off. Beside gunicorn it runs one "
        "background process for jobs and the search indexer (JOBS_IN_SERVER, "
        "SEARCH_INDEXER_IN_SERVER), restarted if it dies."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_WORKERS", "0")) or default_workers(),
            help="Worker processes (default: WEB_WORKERS, else two per CPU core).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "4")),
            help="Threads per worker (default: WEB_THREADS, else 4).",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip copying static files into var/static before starting.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Fanworks is serving on http://{bind}/ (Ctrl+C stops it)")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "fanworks.wsgi:application",
            "--config",
            "python:fanworks.gunicorn_conf",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--worker-class",
            "gthread",
            "--threads",
            str(options["threads"]),
            "--graceful-timeout",
            "10",
            "--timeout",
            "60",
            # Several servers may run on one machine; gunicorn's control socket has one fixed
            # path per user, so it is left off.
            "--no-control-socket",
        ]
        if os.environ.get("ACCESS_LOG", "1") != "0":
            argv += ["--access-logfile", "-"]
        if not wants_background():
            # Nothing to supervise: become gunicorn, so signals reach it directly. argv is
            # built from our own options, never from request data.
            os.execv(sys.executable, argv)  # noqa: S606
        # Request workers only serve requests; jobs and the indexer run in one niced process
        # beside them (fanworks/core/supervisor.py).
        sys.exit(Supervisor(argv, background_argv()).run())


def wants_background() -> bool:
    indexer = settings.SEARCH_INDEXER_IN_SERVER and settings.SEARCH_BACKEND == "tantivy"
    return bool(settings.JOBS_IN_SERVER or indexer)
