import getpass
import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from fanworks.accounts.actions import user_create

PASSWORD_ENV = "FANWORKS_ADMIN_PASSWORD"  # noqa: S105 (a variable name)


class Command(BaseCommand):
    help = (
        "Create an administrator: a superuser account with its default pseud. The password "
        f"comes from --password, else the {PASSWORD_ENV} environment variable, else a prompt "
        "(when run in a terminal). Passing --password on the command line leaves it in your "
        "shell history; prefer the variable or the prompt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="3 to 40 letters, digits or underscores.")
        parser.add_argument("--email", help="The administrator's e-mail address.")
        parser.add_argument("--password", help=f"The password (or set {PASSWORD_ENV}).")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Never prompt; fail if a value is missing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = bool(options["interactive"]) and self._stdin_is_terminal()
        username = options["username"] or self._ask("Username", interactive, "--username")
        email = options["email"] or self._ask("E-mail address", interactive, "--email")
        password = options["password"] or os.environ.get(PASSWORD_ENV, "")
        if not password:
            password = self._ask_password(interactive)
        try:
            user = user_create(username=username, email=email, password=password, is_superuser=True)
        except ValidationError as problem:
            lines: list[str] = []
            for field, messages in problem.message_dict.items():
                label = "" if field == "__all__" else f"{field}: "
                lines.extend(f"  {label}{message}" for message in messages)
            raise CommandError("Could not create the administrator:\n" + "\n".join(lines)) from None
        except DatabaseError as error:
            raise CommandError(
                f"Could not write to the database ({error}). Has `fanworks migrate` been run?"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created administrator {user.username} (pseud {user.username}).")
        )

    def _stdin_is_terminal(self) -> bool:
        return sys.stdin is not None and sys.stdin.isatty()

    def _ask(self, label: str, interactive: bool, option: str) -> str:
        if not interactive:
            raise CommandError(f"{option} is required.")
        value = input(f"{label}: ").strip()
        if not value:
            raise CommandError(f"{label} is required.")
        return value

    def _ask_password(self, interactive: bool) -> str:
        if not interactive:
            raise CommandError(f"Give a password with --password or the {PASSWORD_ENV} variable.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords don't match.")
        if not password:
            raise CommandError("The password can't be empty.")
        return password
