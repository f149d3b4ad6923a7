import threading
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone

from fanworks.core.testing import make_user, make_work
from fanworks.search import indexer
from fanworks.search.indexer import run_round, start_indexer_thread, writer_lock
from fanworks.search.models import SearchOutbox
from fanworks.search.parser import parse
from fanworks.search.query import WorkSearch
from fanworks.search.tantivy_index import HOLE_SECONDS, TantivyBackend, TantivyIndex
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db


def found(index: TantivyIndex, query: str) -> list[int]:
    request = WorkSearch(
        text=parse(query, now=timezone.now()).root, per_page=100, viewer_is_registered=True
    )
    return TantivyBackend(index).search(request).work_ids


def last_outbox_id() -> int:
    return SearchOutbox.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_reindex_command_rebuilds_with_progress(tmp_path: Path, settings: Any) -> None:
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    user = make_user()
    works = [make_work(user, title=f"Quorxian tale {n}") for n in range(3)]
    make_work(user, post=False, title="Quorxian draft")
    out, err = StringIO(), StringIO()
    call_command("reindex", "--batch-size", "2", stdout=out, stderr=err)
    assert "3/3 works  100.0%" in err.getvalue()
    assert "Rebuilt the index of 3 works in" in out.getvalue()
    index = TantivyIndex(tmp_path / "index")
    assert sorted(found(index, "quorxian")) == sorted(w.pk for w in works)
    assert index.last_applied() == last_outbox_id()


def test_reindex_command_on_empty_archive(tmp_path: Path, settings: Any) -> None:
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    out, err = StringIO(), StringIO()
    call_command("reindex", stdout=out, stderr=err)
    assert "0/0 works  100.0%" in err.getvalue()
    assert "Rebuilt the index of 0 works in" in out.getvalue()


def test_reindex_help() -> None:
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("reindex", "--help", stdout=out)
    assert exit_info.value.code == 0


def test_posted_work_is_searchable_after_one_round(tmp_path: Path) -> None:
    index = TantivyIndex(tmp_path)
    run_round(index)
    work = make_work(make_user(), title="Blimtish harbour")
    assert found(index, "blimtish") == []
    assert run_round(index) is not None
    assert found(index, "blimtish") == [work.pk]
    assert index.last_applied() == last_outbox_id()


def test_round_without_the_lock_only_reloads(tmp_path: Path) -> None:
    writer = TantivyIndex(tmp_path)
    reader = TantivyIndex(tmp_path)
    work = make_work(make_user(), title="Zendoic lights")
    with writer_lock(tmp_path, wait=False) as held:
        assert held
        # Someone else (this lock) holds the directory: the reader must not write.
        assert run_round(reader) is None
        assert reader.last_applied() == 0
        writer.catch_up()
    assert run_round(reader) == 0  # the writer already applied everything
    assert found(reader, "zendoic") == [work.pk]
    assert found(writer, "zendoic") == [work.pk]


def test_round_errors_are_logged_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    stop = threading.Event()

    def broken(path: Path | None = None) -> TantivyIndex:
        stop.set()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(indexer, "get_index", broken)
    indexer.run_forever(stop=stop, poll_seconds=0)
    assert "Search indexer round failed" in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_indexer_threads_on_one_directory_stay_consistent(tmp_path: Path) -> None:
    # Two "workers": their own TantivyIndex objects, their own threads, one directory.
    user = make_user()
    first = [make_work(user, title=f"Vartokian saga {n}") for n in range(5)]
    indexes = [TantivyIndex(tmp_path), TantivyIndex(tmp_path)]
    errors: list[BaseException] = []
    stop = threading.Event()

    def worker(index: TantivyIndex) -> None:
        try:
            while not stop.is_set():
                run_round(index, batch_size=2)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(i,)) for i in indexes]
    for thread in threads:
        thread.start()
    second = [make_work(user, title=f"Vartokian sequel {n}") for n in range(5)]
    expected = sorted(w.pk for w in first + second)
    try:
        for _ in range(200):
            if all(sorted(found(i, "vartokian")) == expected for i in indexes):
                break
            stop.wait(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors
    for index in indexes:
        run_round(index)
        assert sorted(found(index, "vartokian")) == expected
        assert index.last_applied() == last_outbox_id()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_indexer_thread_picks_up_new_work(tmp_path: Path) -> None:
    work = make_work(make_user(), title="Plumexian dawn")
    stop = threading.Event()
    thread = start_indexer_thread(stop=stop, path=tmp_path)
    try:
        index = indexer.get_index(tmp_path)
        for _ in range(100):
            if found(index, "plumexian") == [work.pk]:
                break
            stop.wait(0.05)
        assert found(index, "plumexian") == [work.pk]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_an_outbox_row_committed_late_below_the_position_is_still_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = TantivyIndex(tmp_path / "index")
    user = make_user()
    early, late = make_work(user, title="Plain one"), make_work(user, title="Plain two")
    index.catch_up()
    start = last_outbox_id()
    # Two transactions take ids start+1 and start+2; the second commits first and is applied.
    Work.objects.filter(pk=late.pk).update(title="Vantablue harbour")
    SearchOutbox.objects.create(pk=start + 2, work_id=late.pk)
    index.catch_up()
    assert found(index, "vantablue") == [late.pk]
    assert index.read_state()["holes"] == {str(start + 1): pytest.approx(time.time(), abs=60)}
    # The first commits afterwards, below the position already reached.
    Work.objects.filter(pk=early.pk).update(title="Vantablue lighthouse")
    SearchOutbox.objects.create(pk=start + 1, work_id=early.pk)
    assert index.catch_up() == 1
    assert sorted(found(index, "vantablue")) == sorted([early.pk, late.pk])
    assert "holes" not in index.read_state()


def test_a_hole_left_by_a_rollback_is_forgotten_after_a_while(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = TantivyIndex(tmp_path / "index")
    work = make_work(make_user())
    index.catch_up()
    SearchOutbox.objects.create(pk=last_outbox_id() + 5, work_id=work.pk)
    index.catch_up()
    assert len(index.read_state()["holes"]) == 4
    later = time.time() + HOLE_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert index.catch_up() == 0
    assert "holes" not in index.read_state()


def test_a_round_that_applied_changes_waits_longer_before_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Under a stream of writes the rounds gather a second's worth each; a quiet round, or one
    # of a few rows (a lone edit), polls again soon.
    results = iter([indexer.BUSY_ROWS, None, 0, indexer.BUSY_ROWS - 1, 40])
    waits: list[float] = []

    class CountingStop(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            waits.append(timeout or 0.0)
            if len(waits) == 5:
                self.set()
            return self.is_set()

    monkeypatch.setattr(indexer, "get_index", lambda path=None: None)
    monkeypatch.setattr(indexer, "run_round", lambda index: next(results))
    indexer.run_forever(stop=CountingStop(), poll_seconds=0.25, busy_poll_seconds=1.0)
    assert waits == [1.0, 0.25, 0.25, 0.25, 1.0]
