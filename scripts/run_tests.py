"""Run the test suite once per database named in TEST_DATABASES ("sqlite postgres" by default).

The PostgreSQL pass needs a server (POSTGRES_TEST_URL, default
postgres://postgres@127.0.0.1:5432/fanworks). Without one it is skipped with a one-line reason,
and with CI=true that skip fails the run, as does a skipped browser journey or AO3 client test
(tests/clients: it needs PyPI to install the pinned clients into a throwaway venv).
"""

import os
import subprocess
import sys
import tempfile
from urllib.parse import urlparse

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/fanworks"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def postgres_unreachable_reason(url: str) -> str | None:
    import psycopg

    parts = urlparse(url)
    try:
        with psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            connect_timeout=3,
        ):
            return None
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return f"no PostgreSQL server at {parts.hostname}:{parts.port or 5432} ({first_line})"


def run_pass(name: str, extra_env: dict[str, str], pytest_args: list[str]) -> int:
    print(f"\n=== Test suite on {name} ===", flush=True)
    # Generated files (secret key, static files, mail) go to a scratch var/, not the archive's.
    scratch = tempfile.mkdtemp(prefix="fanworks-test-var-")
    env = {**os.environ, "FANWORKS_VAR_DIR": scratch, **extra_env}
    return subprocess.call([sys.executable, "-m", "pytest", *pytest_args], env=env)  # noqa: S603


def main() -> int:
    pytest_args = sys.argv[1:]
    databases = os.environ.get("TEST_DATABASES", "sqlite postgres").split()
    failures = 0
    for database in databases:
        if database == "sqlite":
            env = {"DATABASE_URL": ""}
            failures += run_pass("SQLite", env, pytest_args) != 0
        elif database == "postgres":
            url = os.environ.get("POSTGRES_TEST_URL", DEFAULT_POSTGRES_URL)
            reason = postgres_unreachable_reason(url)
            if reason:
                print(f"SKIPPED PostgreSQL suite: {reason}", flush=True)
                if in_ci():
                    print("CI=true: the PostgreSQL suite must run; failing.", flush=True)
                    failures += 1
                continue
            # Browser journeys and the AO3 client suite exercise pages through a server with its
            # own SQLite archive, not this database; they run in the SQLite pass.
            args = (
                [*pytest_args, "-m", "not browser and not clients"]
                if "-m" not in pytest_args
                else pytest_args
            )
            failures += run_pass("PostgreSQL", {"DATABASE_URL": url}, args) != 0
        else:
            print(f"Unknown database {database!r} in TEST_DATABASES", flush=True)
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
