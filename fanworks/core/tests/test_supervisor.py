"""`fanworks serve` runs jobs and the indexer in one supervised background process.

These start real processes: the supervisor with small stand-in programs (it starts, restarts
and stops them), and the real `fanworks serve` on a fresh SQLite archive (the background
process indexes a posted work that the request workers then find, comes back when killed, and
goes away with the server).
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from fanworks.search.tantivy_index import REFRESH_SECONDS

ROOT = Path(__file__).resolve().parents[3]
T = TypeVar("T")


def wait_for(condition: Callable[[], T | None], timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up after {timeout} s waiting for {condition}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def read_pid(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text else None


SUPERVISE = textwrap.dedent(
    """
    import sys
    from fanworks.core import supervisor
    supervisor.FIRST_DELAY = 0.1
    main = [sys.executable, "-c", {main!r}]
    background = [sys.executable, "-c", {background!r}]
    sys.exit(supervisor.Supervisor(main, background, stop_timeout=5).run())
    """
)
# Each stand-in writes its pid to a file, then sleeps until a signal ends it.
STAND_IN = "import os, time; open({path!r}, 'w').write(str(os.getpid())); time.sleep(600)"


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[tuple["subprocess.Popen[str]", Path, Path]]:
    main_pid, background_pid = tmp_path / "main.pid", tmp_path / "background.pid"
    code = SUPERVISE.format(
        main=STAND_IN.format(path=str(main_pid)),
        background=STAND_IN.format(path=str(background_pid)),
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    yield process, main_pid, background_pid
    if process.poll() is None:
        process.kill()
        process.wait()
    for path in (main_pid, background_pid):
        pid = read_pid(path)
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_supervisor_starts_both_restarts_the_background_and_stops_everything(supervised):
    process, main_pid, background_pid = supervised
    main = wait_for(lambda: read_pid(main_pid))
    first = wait_for(lambda: read_pid(background_pid))
    assert isinstance(main, int) and isinstance(first, int)
    assert alive(main) and alive(first)

    background_pid.write_text("")
    os.kill(first, signal.SIGKILL)
    second = wait_for(lambda: read_pid(background_pid))
    assert second != first and alive(second) and not alive(first)
    assert alive(main), "the request server is not touched when the background process dies"

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) != 0  # the stand-in died of the forwarded SIGTERM
    assert not alive(main) and not alive(second)
    out = process.stdout.read() if process.stdout else ""
    assert f"background process started (pid {first})" in out
    assert f"background process {first} exited" in out
    assert f"background process started (pid {second})" in out


def test_when_the_request_server_exits_the_background_process_is_stopped(supervised):
    process, main_pid, background_pid = supervised
    main = wait_for(lambda: read_pid(main_pid))
    background = wait_for(lambda: read_pid(background_pid))
    assert isinstance(main, int) and isinstance(background, int)
    os.kill(main, signal.SIGKILL)
    process.wait(timeout=20)
    assert not alive(background)


# ---------------------------------------------------------------------------------------------
# The real server.

POST_WORK = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.contrib.auth import get_user_model
    from fanworks.accounts.actions import user_create
    from fanworks.works.actions import ChapterData, WorkData, work_create
    user = get_user_model().objects.filter(username="author").first() or user_create(
        username="author", email="a@example.org", password="a-long-password-1"
    )
    work_create(
        user=user,
        data=WorkData(
            title=sys.argv[1], rating="General Audiences",
            warnings=["No Archive Warnings Apply"], fandoms=["Test Fandom"], language="en",
            pseud_ids=[user.pseuds.get(is_default=True).pk], categories=["Gen"],
        ),
        chapter=ChapterData(content="Some text."),
        post=True,
    )
    """
)


def thread_nices(pid: int) -> list[int]:
    nices = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            nices.append(int((task / "stat").read_text().rsplit(")", 1)[1].split()[16]))
        except FileNotFoundError:
            continue  # the thread ended meanwhile
    return nices


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def search_finds(port: int, word: str, title: str) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", f"/works/search?work_search%5Bquery%5D={word}")
        response = connection.getresponse()
        return response.status == 200 and title in response.read().decode()
    except OSError:
        return False


def background_children(server_pid: int) -> list[int]:
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    found = []
    for child in map(int, children):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        if b"background" in cmdline and alive(child):
            found.append(child)
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_fanworks_serve_indexes_in_its_background_process(tmp_path: Path):
    env = {
        **os.environ,
        "FANWORKS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "fanworks.settings",
        "ACCESS_LOG": "0",
        "JOBS_EAGER": "0",
        "SEARCH_BACKEND": "tantivy",
        "SEARCH_INDEXER_IN_SERVER": "1",
        "JOBS_IN_SERVER": "1",
    }
    cli = [sys.executable, "-m", "fanworks.cli"]
    migrate = [*cli, "migrate", "--noinput"]
    subprocess.run(migrate, env=env, cwd=ROOT, check=True, timeout=120, capture_output=True)
    port = free_port()
    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "2", "--threads", "1"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        first = wait_for(lambda: background_children(server.pid), timeout=60)
        assert isinstance(first, list) and len(first) == 1
        # The indexer runs at a lower priority than the server, so requests win the CPU; the
        # job runner does not (its jobs write, and a descheduled writer would hold SQLite's
        # lock while requests wait for it).
        assert wait_for(lambda: max(thread_nices(first[0])) >= 10)
        assert min(thread_nices(first[0])) == 0
        post = [sys.executable, "-c", POST_WORK]
        subprocess.run([*post, "Zanzibarian Lighthouse"], env=env, cwd=ROOT, check=True)
        # The background process builds the index (searches are answered from SQL until then).
        index_dir = tmp_path / "search-index"
        wait_for(lambda: (index_dir / "CURRENT").exists(), timeout=60)
        assert wait_for(lambda: search_finds(port, "zanzibarian", "Zanzibarian Lighthouse"))
        # Workers look for a new generation at most once a REFRESH_SECONDS.
        time.sleep(REFRESH_SECONDS + 0.5)
        # With the index ready, a new work can only be found through it: indexed by the
        # background process, seen by the request workers, within seconds.
        subprocess.run([*post, "Quokkaesque Harbour"], env=env, cwd=ROOT, check=True)
        posted = time.monotonic()
        assert wait_for(lambda: search_finds(port, "quokkaesque", "Quokkaesque Harbour"))
        # Seconds, not minutes; the bound is loose because the indexer runs niced and the
        # test suite keeps both cores busy around it.
        assert time.monotonic() - posted < 15

        os.kill(first[0], signal.SIGKILL)
        second = wait_for(
            lambda: [pid for pid in background_children(server.pid) if pid != first[0]],
            timeout=30,
        )
        assert isinstance(second, list) and len(second) == 1
        subprocess.run([*post, "Wombatine Quay"], env=env, cwd=ROOT, check=True)
        assert wait_for(lambda: search_finds(port, "wombatine", "Wombatine Quay"))

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert not alive(second[0])
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.seek(0)
        output = log.read()
        log.close()
    assert re.search(r"background process started \(pid \d+\)", output)
    assert f"background process {first[0]} exited" in output
