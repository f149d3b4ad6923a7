"""The promises of the README: settings from the environment, the `fanworks` command, headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "fanworks.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("command", ["serve", "migrate", "createadmin", "demo"])
def test_each_fanworks_command_has_help(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_fanworks_without_arguments_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("serve", "migrate", "createadmin", "demo"):
        assert command in result.stdout


def test_unknown_command_is_a_clear_error():
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_secret_key_is_generated_once_into_var(tmp_path):
    env = {"FANWORKS_VAR_DIR": str(tmp_path), "SECRET_KEY": ""}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
            f"'fanworks.settings'; django.setup(); {code}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        timeout=60,
    )
    second = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
            f"'fanworks.settings'; django.setup(); {code}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        timeout=60,
    )
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    assert first.stdout.strip() == second.stdout.strip() == key_file.read_text().strip()
    assert len(first.stdout.strip()) >= 50


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting; this pass runs on " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


@pytest.mark.django_db
def test_postgresql_has_a_statement_timeout():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only setting; this pass runs on " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "0"


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_argon2_is_the_password_hasher_in_production_settings():
    from fanworks import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_double_leading_slash_is_served_like_one(client):
    assert client.get("//works").status_code == 200


@pytest.mark.django_db
def test_worker_once_runs_waiting_jobs(settings):
    from io import StringIO

    from django.core.management import call_command

    from fanworks.core import jobs
    from fanworks.core.models import Job

    ran = []
    jobs.handler("test.record")(lambda job: ran.append(job.payload["n"]))
    settings.JOBS_EAGER = False
    jobs.enqueue("test.record", {"n": 1})
    jobs.enqueue("test.record", {"n": 2})
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert ran == [1, 2] and "Ran 2 job(s)" in out.getvalue()
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.DONE}


@pytest.mark.django_db
def test_failing_job_is_retried_then_marked_failed(settings):
    from fanworks.core import jobs
    from fanworks.core.models import Job

    def explode(job):
        raise RuntimeError("boom")

    jobs.handler("test.explode")(explode)
    settings.JOBS_EAGER = False
    job = jobs.enqueue("test.explode", {})
    for _ in range(jobs.MAX_ATTEMPTS + 1):
        jobs.run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "boom" in job.error
