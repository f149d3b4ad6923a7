"""The `fanworks` command: the archive's own verbs, plus every Django management command.

fanworks serve        run the production server (gunicorn) with static files
fanworks migrate      create or update the database tables
fanworks createadmin  create an administrator account
fanworks demo         fill the archive with invented demo content
fanworks reindex      rebuild the search index beside the live one, then switch to it
fanworks send_digests send waiting notification e-mails (kudos, subscriptions) now
fanworks import PATH…  import works from AO3 HTML/EPUB downloads, text and Markdown files
fanworks manage ...   any other Django management command
"""

import argparse
import os
import sys

COMMANDS = {
    "serve": "Run the archive with the production server (gunicorn) and its static files.",
    "migrate": "Create or update the database tables.",
    "createadmin": "Create an administrator account.",
    "demo": "Fill the archive with invented demo content.",
    "reindex": "Rebuild the search index while the server keeps answering from the old one.",
    "send_digests": "Send waiting notification e-mails (kudos, subscription updates) now.",
    "import": "Import works from AO3 HTML/EPUB downloads, .txt/.md files, folders and zips.",
    "manage": "Run any Django management command (fanworks manage help lists them).",
}


def _django_command(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanworks.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fanworks", *argv])


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="fanworks",
        description="Fanworks, a self-hostable archive for fan works.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(f"  {name:<12} {text}" for name, text in COMMANDS.items())
        + "\n\nRun `fanworks COMMAND --help` for a command's options.",
    )
    parser.add_argument("command", choices=sorted(COMMANDS), metavar="COMMAND")
    if not argv or argv[0] in {"-h", "--help"}:
        parser.print_help()
        sys.exit(0 if argv else 2)
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        parser.parse_args(argv[:1])  # prints the usage error and exits 2
    if command == "manage":
        _django_command(rest or ["help"])
    else:
        # Each verb is a management command of the same name (serve, createadmin, demo,
        # reindex, send_digests and import are ours; migrate is Django's), so `--help` comes from
        # the command itself.
        _django_command([command, *rest])


if __name__ == "__main__":
    main()
