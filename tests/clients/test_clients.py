"""Real AO3 clients (FanFicFare, ao3-api, ao3-py) read a local Fanworks archive.

The clients are third-party code: they are pip-installed at pinned versions into a throwaway
venv (cached under var/tmp by a hash of the pins) and only ever run there, as subprocesses.
A prepared archive (seed_archive.py) is served by the production server (`fanworks serve`)
on 127.0.0.1; the client shims refuse any request that is not for that server, so nothing
reaches the internet. Each client must see the metadata and chapter text the archive holds.

Without network to install the clients the suite skips with the reason; with CI=true that
skip fails the run (conftest.MUST_RUN_IN_CI).
"""

import hashlib
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.clients

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
# The versions the suite pins; changing one makes a new venv (the cache key is their hash).
CLIENT_PINS = ("fanficfare==4.62.0", "ao3-api==2.3.1", "ao3-py==2026.10.18")
CLIENT_TIMEOUT = 180


def normalise(text_or_html: str) -> str:
    """Chapter text as words: tags become spaces, entities are decoded, whitespace collapses."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text_or_html or ""))
    return " ".join(text.split())


def _venv_root() -> Path:
    configured = os.environ.get("CLIENTS_VENV_DIR", "").strip()
    if configured:
        return Path(configured)
    key = hashlib.sha256("\n".join((*CLIENT_PINS, sys.version)).encode()).hexdigest()[:16]
    return REPO / "var" / "tmp" / f"client-venv-{key}"


@pytest.fixture(scope="session")
def client_python() -> Path:
    """The throwaway venv's python with the pinned clients; skip if it cannot be built."""
    root = _venv_root()
    python = root / "bin" / "python"
    stamp = root / ".installed"
    if stamp.exists() and python.exists():
        return python
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *CLIENT_PINS,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if install.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        last = (install.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"could not install the AO3 clients from PyPI (offline?): {last}")
    stamp.write_text("\n".join(CLIENT_PINS) + "\n")
    return python


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"fanworks serve exited early:\n{log.read_text()[-3000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"fanworks serve did not listen on {port}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def archive(client_python: Path) -> Iterator[dict[str, Any]]:
    """A prepared archive served by the production server; yields the seed's description."""
    var_dir = Path(tempfile.mkdtemp(prefix="fanworks-clients-var-"))
    env = {
        **os.environ,
        "FANWORKS_VAR_DIR": str(var_dir),
        "DATABASE_URL": "",  # always its own SQLite archive, whichever suite pass runs this
        "ACCESS_LOG": "0",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "4",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    seeded = subprocess.run(
        [sys.executable, str(HERE / "seed_archive.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    seed = json.loads(seeded.stdout)
    port = _free_port()
    log = var_dir / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "fanworks.cli", "serve", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_port(port, server, log)
        seed["host"] = f"127.0.0.1:{port}"
        seed["base"] = f"http://127.0.0.1:{port}"
        seed["scratch"] = var_dir / "client-output"
        seed["scratch"].mkdir()
        yield seed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(var_dir, ignore_errors=True)


def _run(
    python: Path, args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), *args],
        env={**os.environ, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
        check=False,
    )


def fanficfare(
    python: Path, archive: dict[str, Any], *args: str
) -> subprocess.CompletedProcess[str]:
    return _run(
        python,
        [
            str(HERE / "run_fanficfare.py"),
            "--non-interactive",
            "-o",
            "slow_down_sleep_time=0",
            *args,
        ],
        env={"AO3_LOCAL": archive["host"]},
        cwd=archive["scratch"],
    )


def work_url(archive: dict[str, Any], key: str) -> str:
    return f"{archive['base']}/works/{archive['works'][key]['id']}"


def tag_names(work: dict[str, Any], tag_type: str) -> list[str]:
    return list(work["tags"].get(tag_type, []))


def chapters_field(work: dict[str, Any]) -> str:
    total = work["expected_chapters"] or "?"
    return f"{len(work['chapters'])}/{total}"


# ---------------------------------------------------------------------------------------------
# FanFicFare


PUBLIC = ("oneshot", "multi", "sequel", "explicit")


@pytest.mark.parametrize("key", PUBLIC)
def test_fanficfare_reads_the_metadata(
    client_python: Path, archive: dict[str, Any], key: str
) -> None:
    work = archive["works"][key]
    done = fanficfare(
        client_python, archive, "-o", "is_adult=true", "-m", "-j", work_url(archive, key)
    )
    assert done.returncode == 0, done.stderr + done.stdout
    meta = json.loads(done.stdout[done.stdout.index("{") :])
    joined = ", ".join
    assert meta["title"] == work["title"]
    assert meta["author"] == joined(work["creators"])
    assert meta["authorUrl"] == (
        f"https://{archive['host']}/users/{work['users'][0]}/pseuds/{work['creators'][0]}"
    )
    assert meta["rating"] == joined(tag_names(work, "rating"))
    assert meta["warnings"] == joined(tag_names(work, "warning"))
    assert meta["ao3categories"] == joined(tag_names(work, "category"))
    assert meta["fandoms"] == joined(tag_names(work, "fandom"))
    assert meta["ships"] == joined(tag_names(work, "relationship"))
    assert meta["characters"] == joined(tag_names(work, "character"))
    assert meta["freeformtags"] == joined(tag_names(work, "freeform"))
    assert meta["language"] == "English"
    assert normalise(meta["description"]) == normalise(work["summary"])
    assert meta["numWords"] == str(work["words"])
    assert meta["numChapters"] == str(len(work["chapters"]))
    assert meta["chapterslashtotal"] == chapters_field(work)
    assert meta["status"] == ("Completed" if work["complete"] else "In-Progress")
    assert meta["datePublished"] == work["published"]
    assert meta["dateUpdated"] == work["updated"]
    expected_series = [f"{part['title']} [{part['position']}]" for part in work["series"]]
    assert meta["series"] == (expected_series[0] if expected_series else "")
    chapters = [entry for _, entry in meta["zchapters"]]
    assert [entry["url"] for entry in chapters] == [
        f"https://{archive['host']}/works/{work['id']}/chapters/{chapter['id']}"
        for chapter in work["chapters"]
    ]
    if len(work["chapters"]) > 1:
        assert [entry["date"] for entry in chapters] == [c["date"] for c in work["chapters"]]
        assert [entry["title"] for entry in chapters] == [
            f"{c['position']}. {c['title']}" for c in work["chapters"]
        ]
    else:  # FanFicFare titles a oneshot's only chapter with the work's title
        assert [entry["title"] for entry in chapters] == [work["title"]]


def test_fanficfare_reads_chapter_text_and_notes(
    client_python: Path, archive: dict[str, Any]
) -> None:
    work = archive["works"]["multi"]
    done = fanficfare(
        client_python,
        archive,
        "-f",
        "html",
        "-o",
        "output_filename=multi.html",
        work_url(archive, "multi"),
    )
    assert done.returncode == 0, done.stderr + done.stdout
    text = normalise((archive["scratch"] / "multi.html").read_text())
    for piece in (work["notes"], work["endnotes"], work["summary"]):
        assert normalise(piece) in text
    for chapter in work["chapters"]:
        for piece in (chapter["html"], chapter["notes"], chapter["endnotes"]):
            assert normalise(piece) in text
    # The work's end notes come after the last chapter's text, as on the archive.
    last = work["chapters"][-1]
    assert text.index(normalise(work["endnotes"])) > text.index(normalise(last["html"]))


def _epub_text(path: Path) -> tuple[str, str]:
    with zipfile.ZipFile(path) as book:
        assert book.read("mimetype") == b"application/epub+zip"
        names = book.namelist()
        opf = next(name for name in names if name.endswith(".opf"))
        pages = " ".join(
            book.read(name).decode() for name in names if name.endswith((".xhtml", ".html"))
        )
        return book.read(opf).decode(), normalise(pages)


@pytest.mark.parametrize("key", ["multi", "explicit"])
def test_fanficfare_builds_an_epub(client_python: Path, archive: dict[str, Any], key: str) -> None:
    work = archive["works"][key]
    done = fanficfare(
        client_python,
        archive,
        "-o",
        "is_adult=true",
        "-f",
        "epub",
        "-o",
        f"output_filename={key}.epub",
        work_url(archive, key),
    )
    assert done.returncode == 0, done.stderr + done.stdout
    opf, pages = _epub_text(archive["scratch"] / f"{key}.epub")
    assert f">{html.escape(work['title'])}</dc:title>" in opf
    assert f">{work['creators'][0]}</dc:creator>" in opf
    for chapter in work["chapters"]:
        assert normalise(chapter["html"]) in pages


def test_fanficfare_stops_at_the_adult_check_without_is_adult(
    client_python: Path, archive: dict[str, Any]
) -> None:
    done = fanficfare(client_python, archive, "-m", "-j", work_url(archive, "explicit"))
    assert "Adult check required" in done.stdout + done.stderr


def test_fanficfare_reads_a_restricted_work_only_after_logging_in(
    client_python: Path, archive: dict[str, Any]
) -> None:
    work = archive["works"]["restricted"]
    url = work_url(archive, "restricted")
    anonymous = fanficfare(
        client_python, archive, "-f", "epub", "-o", "output_filename=anonymous.epub", url
    )
    assert "Login Failed" in anonymous.stdout + anonymous.stderr
    assert not (archive["scratch"] / "anonymous.epub").exists()
    member = fanficfare(
        client_python,
        archive,
        "-o",
        f"username={archive['login']}",
        "-o",
        f"password={archive['password']}",
        "-f",
        "epub",
        "-o",
        "output_filename=member.epub",
        url,
    )
    assert member.returncode == 0, member.stderr + member.stdout
    opf, pages = _epub_text(archive["scratch"] / "member.epub")
    assert f">{html.escape(work['title'])}</dc:title>" in opf
    assert normalise(work["chapters"][0]["html"]) in pages


def test_fanficfare_lists_the_works_of_a_series(
    client_python: Path, archive: dict[str, Any]
) -> None:
    done = fanficfare(
        client_python, archive, "-l", f"{archive['base']}/series/{archive['series']['id']}"
    )
    assert done.returncode == 0, done.stderr + done.stdout
    listed = [line.strip() for line in done.stdout.splitlines() if "/works/" in line]
    assert listed == [
        f"https://{archive['host']}/works/{archive['works'][key]['id']}"
        for key in ("multi", "sequel")
    ]


# ---------------------------------------------------------------------------------------------
# ao3-api and ao3-py


def _probe(python: Path, archive: dict[str, Any], script: str) -> dict[str, Any]:
    ids = [str(archive["works"][key]["id"]) for key in (*PUBLIC, "restricted")]
    done = _run(
        python, [str(HERE / script), archive["base"], archive["login"], archive["password"], *ids]
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="session")
def ao3_api_view(client_python: Path, archive: dict[str, Any]) -> dict[str, Any]:
    return _probe(client_python, archive, "run_ao3_api.py")


@pytest.fixture(scope="session")
def ao3_py_view(client_python: Path, archive: dict[str, Any]) -> dict[str, Any]:
    return _probe(client_python, archive, "run_ao3_py.py")


def _check_library_view(work: dict[str, Any], seen: dict[str, Any]) -> None:
    """What ao3-api and ao3-py read (their shims print the same shape) against the seed."""
    assert "error" not in seen, seen
    assert seen["title"] == work["title"]
    assert seen["creators"] == work["creators"]
    for field, tag_type in (
        ("ratings", "rating"),
        ("warnings", "warning"),
        ("categories", "category"),
        ("fandoms", "fandom"),
        ("relationships", "relationship"),
        ("characters", "character"),
        ("freeforms", "freeform"),
    ):
        assert seen[field] == tag_names(work, tag_type), field
    assert normalise(seen["summary"]) == normalise(work["summary"])
    assert seen["words"] == work["words"]
    assert seen["chapters_posted"] == len(work["chapters"])
    assert seen["chapters_expected"] == work["expected_chapters"]
    assert seen["complete"] == work["complete"]
    assert seen["restricted"] == work["restricted"]
    assert seen["published"] == work["published"]
    assert seen["updated"] == work["updated"]
    assert seen["series"] == [part["title"] for part in work["series"]]
    assert [normalise(c["text"]) for c in seen["chapters"]] == [
        normalise(c["html"]) for c in work["chapters"]
    ]


def _check_ao3_api(work: dict[str, Any], seen: dict[str, Any]) -> None:
    _check_library_view(work, seen)
    assert seen["language"] == "English"
    # ao3-api titles a oneshot's chapter with the work's title, as it does on AO3.
    assert [c["title"] for c in seen["chapters"]] == [
        c["title"] or work["title"] for c in work["chapters"]
    ]


@pytest.mark.parametrize("key", PUBLIC)
def test_ao3_api_reads_the_work(
    ao3_api_view: dict[str, Any], archive: dict[str, Any], key: str
) -> None:
    work = archive["works"][key]
    _check_ao3_api(work, ao3_api_view[str(work["id"])])


def test_ao3_api_reads_a_restricted_work_only_in_a_session(
    ao3_api_view: dict[str, Any], archive: dict[str, Any]
) -> None:
    work = archive["works"]["restricted"]
    assert "error" in ao3_api_view[str(work["id"])]  # anonymous: the login page, no text
    assert ao3_api_view["session_logged_in"] is True
    _check_ao3_api(work, ao3_api_view["restricted_with_login"][str(work["id"])])


@pytest.mark.parametrize("key", PUBLIC)
def test_ao3_api_downloads_html_and_epub_from_the_work_page(
    ao3_api_view: dict[str, Any], archive: dict[str, Any], key: str
) -> None:
    work = archive["works"][key]
    got = ao3_api_view["downloads"][str(work["id"])]
    assert "error" not in got, got
    assert got["epub_starts"] == "PK\x03\x04" and got["epub_bytes"] > 1000
    html_text = normalise(got["html"])
    assert normalise(work["title"]) in html_text
    for chapter in work["chapters"]:
        assert normalise(chapter["html"]) in html_text


def test_ao3_api_cannot_download_a_restricted_work_anonymously(
    ao3_api_view: dict[str, Any], archive: dict[str, Any]
) -> None:
    work = archive["works"]["restricted"]
    assert "error" in ao3_api_view["downloads"][str(work["id"])]


def _check_ao3_py(work: dict[str, Any], seen: dict[str, Any]) -> None:
    _check_library_view(work, seen)
    # ao3-py reads the work's page without view_full_work, so the head notes (chapter 1) and,
    # per chapter, the notes and end notes; the work's end notes sit on the last chapter.
    assert normalise(seen["notes"] or "") == normalise(work["notes"])
    if len(work["chapters"]) > 1:
        assert [c["title"] for c in seen["chapters"]] == [c["title"] for c in work["chapters"]]
        assert [normalise(c["notes"] or "") for c in seen["chapters"]] == [
            normalise(c["notes"]) for c in work["chapters"]
        ]
        assert [normalise(c["endnotes"] or "") for c in seen["chapters"]] == [
            normalise(c["endnotes"]) for c in work["chapters"]
        ]


@pytest.mark.parametrize("key", PUBLIC)
def test_ao3_py_reads_the_work(
    ao3_py_view: dict[str, Any], archive: dict[str, Any], key: str
) -> None:
    work = archive["works"][key]
    _check_ao3_py(work, ao3_py_view[str(work["id"])])


def test_ao3_py_reads_a_restricted_work_only_after_logging_in(
    ao3_py_view: dict[str, Any], archive: dict[str, Any]
) -> None:
    work = archive["works"]["restricted"]
    assert "AO3AuthenticationError" in ao3_py_view[str(work["id"])]["error"]
    _check_ao3_py(work, ao3_py_view["restricted_with_login"][str(work["id"])])


def test_ao3_api_searches_and_lists_a_users_works(
    ao3_api_view: dict[str, Any], archive: dict[str, Any]
) -> None:
    works = archive["works"]
    # "storm" is in the multi-chapter work's summary and the sequel's title: listing blurbs.
    found = {entry["title"]: entry for entry in ao3_api_view["search"]["works"]}
    assert ao3_api_view["search"]["total"] == 2
    assert set(found) == {works["multi"]["title"], works["sequel"]["title"]}
    for key in ("multi", "sequel"):
        work, seen = works[key], found[works[key]["title"]]
        assert seen["authors"] == work["creators"]
        assert seen["rating"] == tag_names(work, "rating")[0]
        assert seen["categories"] == (tag_names(work, "category") or ["No category"])
        assert seen["fandoms"] == tag_names(work, "fandom")
        assert seen["relationships"] == tag_names(work, "relationship")
        assert seen["freeforms"] == tag_names(work, "freeform")
        assert seen["words"] == work["words"]
        assert seen["nchapters"] == len(work["chapters"])
        assert seen["series"] == [part["title"] for part in work["series"]]
    # The user's works page: the public works, never the restricted one to a guest.
    assert ao3_api_view["user"]["works"] == len(PUBLIC)
    assert sorted(ao3_api_view["user"]["titles"]) == sorted(works[key]["title"] for key in PUBLIC)
