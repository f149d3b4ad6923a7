import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanworks.demo.load import DEFAULT_PASSWORD, run_demo
from fanworks.demo.world import DEMO_USERNAME


class Command(BaseCommand):
    help = (
        "Fill the archive with invented demo content: users and pseuds, made-up fandoms with "
        "their characters and relationships, and works with generated prose. The same seed "
        "always gives the same archive; running again creates only what is missing, so "
        "`--works` can grow an existing demo archive. Also creates the login `demo`, whose "
        "password comes from FANWORKS_DEMO_PASSWORD (default: fanworks-demo) and is printed "
        "at the end (-v 0 prints nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--works",
            type=int,
            default=300,
            metavar="N",
            help="How many demo works the archive should have (default 300; scales past 100,000).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Seed for the generator; each seed is its own set of works (default 1).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the archive already has any work (used by `make run`).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            metavar="N",
            help="Works written per transaction (default 500).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["works"] < 0 or options["batch_size"] < 1:
            raise CommandError("--works must be 0 or more and --batch-size at least 1.")
        password = os.environ.get("FANWORKS_DEMO_PASSWORD", "") or DEFAULT_PASSWORD
        verbose = options["verbosity"] >= 1

        def progress(message: str) -> None:
            if verbose:
                self.stdout.write(message)
                self.stdout.flush()

        try:
            result = run_demo(
                works=options["works"],
                seed=options["seed"],
                password=password,
                if_empty=options["if_empty"],
                batch_size=options["batch_size"],
                progress=progress,
            )
        except ValidationError as problem:
            raise CommandError(
                "Could not create the demo login: " + " ".join(problem.messages)
            ) from None
        if result is None:
            if verbose:
                self.stdout.write("The archive already has works; --if-empty leaves it as is.")
            return
        if not verbose:
            return
        self.stdout.write(
            f"Demo content ready in {result.seconds:.1f} s: {result.works_created:,} works "
            f"created ({result.chapters_created:,} chapters, {result.words_created:,} words), "
            f"{result.works_skipped:,} already there; {result.users_created:,} users and "
            f"{result.tags_created:,} tags created."
        )
        if result.demo_login == "taken":
            self.stdout.write(
                self.style.WARNING(
                    f"A user called “{DEMO_USERNAME}” already exists and is not a demo "
                    "account, so no demo login was set up."
                )
            )
        else:
            self.stdout.write(f"Log in as: {DEMO_USERNAME}  password: {password}")
