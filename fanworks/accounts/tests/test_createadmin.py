import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from fanworks.accounts.management.commands.createadmin import Command
from fanworks.accounts.models import User

GOOD_PASSWORD = "keeper-of-the-lighthouse-9"


@pytest.mark.django_db
def test_createadmin_makes_a_superuser_with_a_default_pseud(capsys):
    call_command(
        "createadmin",
        "--username=keeper",
        "--email=keeper@example.org",
        f"--password={GOOD_PASSWORD}",
        "--no-input",
    )
    admin = User.objects.get(username="keeper")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(GOOD_PASSWORD)
    assert list(admin.pseuds.values_list("name", "is_default")) == [("keeper", True)]
    assert "Created administrator keeper" in capsys.readouterr().out


@pytest.mark.django_db
def test_createadmin_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("FANWORKS_ADMIN_PASSWORD", GOOD_PASSWORD)
    call_command("createadmin", "--username=keeper", "--email=keeper@example.org", "--no-input")
    assert User.objects.get(username="keeper").check_password(GOOD_PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username=bad name", "--email=k@example.org"], "letters, digits and underscores"),
        (["--username=keeper", "--email=not-an-email"], "valid email"),
        (["--username=keeper", "--email=k@example.org", "--password=password"], "too common"),
    ],
)
def test_createadmin_reports_bad_input_and_creates_nothing(monkeypatch, args, message):
    monkeypatch.delenv("FANWORKS_ADMIN_PASSWORD", raising=False)
    if not any(arg.startswith("--password") for arg in args):
        args = [*args, f"--password={GOOD_PASSWORD}"]
    with pytest.raises(CommandError, match=message):
        call_command("createadmin", *args, "--no-input")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_createadmin_refuses_an_existing_username(monkeypatch):
    args = ["--username=keeper", "--email=keeper@example.org", f"--password={GOOD_PASSWORD}"]
    call_command("createadmin", *args, "--no-input")
    args[1] = "--email=other@example.org"
    with pytest.raises(CommandError, match="already taken"):
        call_command("createadmin", *args, "--no-input")
    assert User.objects.count() == 1


def test_createadmin_without_a_password_exits_non_zero(monkeypatch, capsys):
    monkeypatch.delenv("FANWORKS_ADMIN_PASSWORD", raising=False)
    argv = ["fanworks", "createadmin", "--username=keeper", "--email=k@example.org", "--no-input"]
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(argv)
    assert exit_info.value.code != 0
    assert "FANWORKS_ADMIN_PASSWORD" in capsys.readouterr().err


def test_createadmin_help_works():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fanworks.settings"}
    result = subprocess.run(
        [sys.executable, "-m", "django", "createadmin", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for option in ("--username", "--email", "--password", "FANWORKS_ADMIN_PASSWORD"):
        assert option in result.stdout
