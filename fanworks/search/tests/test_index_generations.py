"""Rebuilding the search index beside the live one: builds, swaps, crashes, version changes and
the progress report."""

import io
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import tantivy
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from fanworks.cli import COMMANDS
from fanworks.core.testing import make_user, make_work
from fanworks.search import generations, index_build, indexer
from fanworks.search.index_build import BuildRunning, build_generation
from fanworks.search.indexer import get_index, run_round
from fanworks.search.parser import parse
from fanworks.search.progress import Progress, format_duration
from fanworks.search.queries import search_backend
from fanworks.search.query import SqlBackend, WorkSearch
from fanworks.search.tantivy_index import (
    SCHEMA_VERSION,
    STATE_FILE,
    TantivyBackend,
    TantivyIndex,
    build_schema,
)
from fanworks.works.actions import work_delete

pytestmark = pytest.mark.django_db


def found(index: TantivyIndex, query: str) -> list[int]:
    request = WorkSearch(
        text=parse(query, now=timezone.now()).root, per_page=100, viewer_is_registered=True
    )
    return sorted(TantivyBackend(index).search(request).work_ids)


def generation_dirs(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob(generations.PREFIX + "*"))


def test_rebuild_keeps_the_live_index_complete_while_it_builds(tmp_path: Path) -> None:
    user = make_user()
    works = [make_work(user, title=f"Orrilan tale {n}") for n in range(5)]
    live = TantivyIndex(tmp_path)
    live.catch_up()
    # Another process's view of the same directory, as a second server would have it.
    server = TantivyIndex(tmp_path, create=False)
    live_generation = server.generation
    seen_during_build: list[tuple[str | None, list[int]]] = []
    late: list[int] = []

    def progress(done: int, total: int) -> None:
        if done == 2:
            # Mid-build: a new work is posted and the server's indexer applies it to the
            # live generation, which still holds every work.
            late.append(make_work(user, title="Orrilan latecomer").pk)
            assert run_round(server) is not None
        if done >= 2:
            seen_during_build.append((server.generation, found(server, "orrilan")))

    result = build_generation(tmp_path, batch_size=2, progress=progress)
    everything = sorted([w.pk for w in works] + late)
    assert seen_during_build
    for generation, ids in seen_during_build:
        assert generation == live_generation
        assert ids == everything
    # The latecomer was in no batch of the build; the catch-up before the swap added it.
    assert result.works == 5
    assert result.caught_up_to > result.started_at_outbox
    server.refresh(force=True)
    assert server.generation == result.generation != live_generation
    assert found(server, "orrilan") == everything
    assert generation_dirs(tmp_path) == [result.generation]


def test_every_reader_follows_the_swap_and_old_generations_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = make_work(make_user(), title="Pellucine harbour")
    first = TantivyIndex(tmp_path)
    first.catch_up()
    monkeypatch.setattr("fanworks.search.tantivy_index.REFRESH_SECONDS", 3600.0)
    reader = TantivyIndex(tmp_path, create=False)
    old = reader.generation
    assert found(reader, "pellucine") == [work.pk]
    assert first.rebuild() == 1
    assert first.generation != old
    assert not (tmp_path / str(old)).exists()
    # The reader still answers from its (deleted, still mapped) generation until it looks.
    assert found(reader, "pellucine") == [work.pk]
    assert reader.refresh() is False  # looked less than REFRESH_SECONDS ago
    monkeypatch.setattr("fanworks.search.tantivy_index.REFRESH_SECONDS", 0.0)
    assert reader.refresh() is True
    assert reader.generation == first.generation
    assert found(reader, "pellucine") == [work.pk]
    # Writing after the swap goes to the new generation, seen by both.
    second = make_work(make_user(), title="Pellucine lighthouse")
    assert run_round(reader)
    first.reload()
    assert found(first, "pellucine") == sorted([work.pk, second.pk])


def test_a_failed_build_leaves_the_live_index_and_removes_its_directory(tmp_path: Path) -> None:
    works = [make_work(make_user(), title=f"Quessard {n}") for n in range(3)]
    live = TantivyIndex(tmp_path)
    live.catch_up()
    before = generation_dirs(tmp_path)

    def explode(done: int, total: int) -> None:
        if done:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        build_generation(tmp_path, batch_size=1, progress=explode)
    assert generation_dirs(tmp_path) == before
    assert generations.current_generation(tmp_path) == live.generation
    assert found(TantivyIndex(tmp_path, create=False), "quessard") == sorted(w.pk for w in works)


def test_a_build_killed_half_way_is_cleaned_up_next_time(tmp_path: Path) -> None:
    make_work(make_user(), title="Rhosyn")
    live = TantivyIndex(tmp_path)
    live.catch_up()
    # What a killed build leaves: a generation directory that CURRENT does not name.
    crashed = generations.new_generation(tmp_path)
    (crashed / "half-written.idx").write_bytes(b"\0" * 100)
    assert indexer.remove_stale_generations(tmp_path) == [crashed.name]
    assert generation_dirs(tmp_path) == [live.generation]
    crashed = generations.new_generation(tmp_path)
    result = build_generation(tmp_path)
    assert crashed.name in result.removed
    assert generation_dirs(tmp_path) == [result.generation]


def test_stale_generations_stay_while_a_build_holds_the_lock(tmp_path: Path) -> None:
    TantivyIndex(tmp_path)
    building = generations.new_generation(tmp_path)
    with generations.build_lock(tmp_path, wait=False) as held:
        assert held
        assert indexer.remove_stale_generations(tmp_path) == []
        with pytest.raises(BuildRunning, match="already rebuilding"):
            build_generation(tmp_path, wait=False)
    assert building.exists()


def test_another_index_version_falls_back_to_sql_until_rebuilt(
    tmp_path: Path, settings: Any
) -> None:
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_INDEX_DIR = tmp_path
    work = make_work(make_user(), title="Sorrowmere")
    old = TantivyIndex(tmp_path)
    old.catch_up()
    # An index written by another version of Fanworks: the server must not fail on it.
    state = old.read_state()
    state_path = tmp_path / str(old.generation) / STATE_FILE
    state_path.write_text(json.dumps({**state, "schema": SCHEMA_VERSION + 1}))
    index = get_index()
    assert not index.ready
    assert isinstance(search_backend(), SqlBackend)
    assert found(index, "sorrowmere") == []  # an empty index, not an error
    # The indexer round builds the missing version, then the index answers again.
    run_round(index)
    assert index.ready and index.generation != old.generation
    assert isinstance(search_backend(), TantivyBackend)
    assert found(index, "sorrowmere") == [work.pk]
    assert generation_dirs(tmp_path) == [index.generation]


def test_a_server_without_an_index_builds_one(tmp_path: Path, settings: Any) -> None:
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_INDEX_DIR = tmp_path / "new"
    work = make_work(make_user(), title="Tamberlin")
    index = get_index()
    assert not index.ready
    assert isinstance(search_backend(), SqlBackend)
    run_round(index)
    assert found(index, "tamberlin") == [work.pk]
    assert index.last_applied() > 0


def test_deleted_work_leaves_the_rebuilt_index(tmp_path: Path) -> None:
    keep = make_work(make_user(), title="Umbrial keep")
    gone = make_work(make_user(), title="Umbrial gone")
    index = TantivyIndex(tmp_path)
    index.catch_up()
    work_delete(work=gone)
    index.rebuild(batch_size=1)
    assert found(index, "umbrial") == [keep.pk]


def test_reindex_command_reports_progress_on_stderr(tmp_path: Path, settings: Any) -> None:
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    user = make_user()
    works = [make_work(user, title=f"Vessaline {n}") for n in range(3)]
    out, err = StringIO(), StringIO()
    call_command("reindex", "--batch-size", "2", stdout=out, stderr=err)
    assert "3/3 works  100.0%" in err.getvalue()
    assert "done" in err.getvalue()
    assert out.getvalue().startswith("Rebuilt the index of 3 works in ")
    assert found(TantivyIndex(tmp_path / "index"), "vessaline") == sorted(w.pk for w in works)


def test_reindex_command_rejects_bad_input(tmp_path: Path, settings: Any) -> None:
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("reindex", "--batch-size", "0")
    afile = tmp_path / "file"
    afile.write_text("")
    with pytest.raises(CommandError, match="is a file, not an index directory"):
        call_command("reindex", "--index-dir", str(afile))
    with (
        generations.build_lock(tmp_path / "index", wait=False),
        pytest.raises(CommandError, match=r"already rebuilding .* pass --wait"),
    ):
        call_command("reindex", stderr=StringIO())


def test_reindex_is_a_top_level_command() -> None:
    assert "reindex" in COMMANDS


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_lines_in_a_log() -> None:
    clock, out = FakeClock(), StringIO()
    progress = Progress(out, every=5, clock=clock)
    progress(0, 1000)  # nothing done yet: no line
    clock.now += 2
    progress(100, 1000)  # less than `every` since the start of the log: shown (first line)
    clock.now += 1
    progress(150, 1000)  # too soon after the last line
    clock.now += 7
    progress(500, 1000)
    clock.now += 1
    progress(1000, 1000)  # the last line always shows
    progress.finish()
    assert out.getvalue().splitlines() == [
        "100/1,000 works   10.0%  50 works/s  ETA 18s",
        "500/1,000 works   50.0%  50 works/s  ETA 10s",
        "1,000/1,000 works  100.0%  91 works/s  done",
    ]


def test_progress_bar_on_a_terminal() -> None:
    clock, out = FakeClock(), Terminal()
    progress = Progress(out, clock=clock)
    clock.now += 60
    progress(250_000, 1_000_000)
    progress.finish()
    assert out.getvalue() == (
        "\r[#####···············] 250,000/1,000,000 works   25.0%  4,167 works/s  ETA 3m00s\x1b[K\n"
    )


def test_format_duration() -> None:
    assert [format_duration(s) for s in (0, 59.6, 61, 3600 * 2 + 65)] == [
        "0s",
        "1m00s",
        "1m01s",
        "2h01m",
    ]


def test_index_build_module_uses_one_writer_heap_bound() -> None:
    # tantivy refuses a heap under 15 MB per thread or over 4 GB.
    assert index_build.MIN_HEAP_PER_THREAD >= 15_000_000
    assert index_build.WRITER_HEAP < 4_000_000_000


def test_an_index_from_before_generations_is_replaced(tmp_path: Path) -> None:
    work = make_work(make_user(), title="Wychelm")
    # How an older version kept its index: tantivy's files right in SEARCH_INDEX_DIR.
    tantivy.Index(build_schema(), path=str(tmp_path))
    (tmp_path / STATE_FILE).write_text(json.dumps({"schema": 1, "last_outbox_id": 0}))
    index = TantivyIndex(tmp_path, create=False)
    assert not index.ready
    run_round(index)
    assert found(index, "wychelm") == [work.pk]
    assert not (tmp_path / "meta.json").exists()
    assert not (tmp_path / STATE_FILE).exists()
    assert generation_dirs(tmp_path) == [index.generation]
