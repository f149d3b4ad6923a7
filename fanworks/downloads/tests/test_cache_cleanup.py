"""Built download files never outlive their work, are never served past the access check,
and are swept when unused (old versions included)."""

import io
import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from fanworks.accounts.deletion_actions import DELETE, ORPHAN, account_delete
from fanworks.core import jobs
from fanworks.core.testing import make_user, make_work
from fanworks.downloads.cache import USE_MARK_SECONDS, cache_dir
from fanworks.downloads.content import file_name
from fanworks.downloads.storage import downloads_root, export_dir
from fanworks.downloads.sweep_actions import downloads_sweep
from fanworks.downloads.tasks import SWEEP_JOB
from fanworks.works.actions import ChapterData, chapter_update, work_delete
from fanworks.works.models import Work
from fanworks.works.tests.series_helpers import logged_in

pytestmark = pytest.mark.django_db

DAY = 24 * 60 * 60


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def url(work: Work, fmt: str = "html") -> str:
    return f"/downloads/{work.pk}/{file_name(work.pk, work.title)}.{fmt}"


def cached(work: Work, client: Client | None = None) -> list[Path]:
    """Download the work's HTML and EPUB (so both are built) and list its cached files."""
    for fmt in ("html", "epub"):
        assert (client or Client()).get(url(work, fmt)).status_code == 200
    return sorted(cache_dir(work.pk).iterdir())


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_deleting_a_work_removes_its_files_once_the_deletion_commits(
    django_capture_on_commit_callbacks,
) -> None:
    author = make_user("writer")
    work, kept = make_work(author, title="Going"), make_work(author, title="Staying")
    assert cached(work) and cached(kept)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(author).post(f"/works/{work.pk}/delete")
    assert response.status_code == 302
    assert not cache_dir(work.pk).exists()
    assert len(list(cache_dir(kept.pk).iterdir())) == 2


def test_a_deletion_rolled_back_keeps_the_files(django_capture_on_commit_callbacks) -> None:
    work = make_work(title="Almost Gone")
    files = cached(work)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        work_delete(work=work)
        raise RuntimeError("changed my mind")
    assert Work.objects.filter(pk=work.pk).exists()
    assert all(path.is_file() for path in files)


def test_deleting_an_account_removes_its_deleted_works_files_and_its_exports(
    django_capture_on_commit_callbacks,
) -> None:
    leaving = make_user("leaving")
    deleted = make_work(leaving, title="Deleted With Me")
    orphaned = make_work(leaving, title="Left Behind")
    cached(deleted), cached(orphaned)
    exports = export_dir(leaving.pk)
    exports.mkdir(parents=True)
    (exports / "0123456789abcdef0123456789abcdef.zip").write_bytes(b"zip")
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(
            user=leaving,
            choices={deleted.pk: DELETE, orphaned.pk: ORPHAN},
            keep_names=True,
            keep_comments=True,
        )
    assert not cache_dir(deleted.pk).exists()
    assert cache_dir(orphaned.pk).is_dir()  # the orphaned work is still downloadable
    assert not exports.exists()


@pytest.mark.parametrize("change", ["back to a draft", "hidden by an admin"])
def test_a_cached_file_is_never_served_past_the_access_check(change: str) -> None:
    author, reader = make_user("author"), make_user("reader")
    work = make_work(author, title="Once Public", content="<p>once public words</p>")
    files = cached(work)
    if change == "back to a draft":
        Work.objects.filter(pk=work.pk).update(posted=False)
    else:
        Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    for client in (Client(), logged_in(reader)):
        for fmt in ("html", "epub"):
            response = client.get(url(work, fmt))
            assert response.status_code == 404
            assert b"once public words" not in response.content
    assert all(path.is_file() for path in files)  # they were there to be served, and were not
    creator = logged_in(author).get(url(work))
    assert creator.status_code == (200 if change == "back to a draft" else 404)


def test_the_sweep_removes_files_of_gone_and_hidden_works_and_unused_ones() -> None:
    author = make_user("author")
    gone = make_work(author, title="Deleted Elsewhere")
    hidden = make_work(author, title="Hidden")
    draft = make_work(author, title="Draft Now")
    fresh = make_work(author, title="Fresh")
    stale = make_work(author, title="Stale")
    for work in (gone, hidden, draft, fresh, stale):
        cached(work)
    # Deleted without work_delete (the admin site's bulk delete): only the sweep sees it.
    Work.objects.filter(pk=gone.pk).delete()
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    Work.objects.filter(pk=draft.pk).update(posted=False)  # its creator still downloads it
    for path in cache_dir(stale.pk).iterdir():
        age(path, 31 * DAY)
    crashed = cache_dir(fresh.pk) / ".building-x.html"
    crashed.write_bytes(b"half a file")
    age(crashed, 2 * 60 * 60)
    building = cache_dir(fresh.pk) / ".building-y.epub"
    building.write_bytes(b"being written now")
    not_ours = downloads_root() / "README"
    not_ours.write_text("left alone")

    summary = downloads_sweep()

    assert not cache_dir(gone.pk).exists() and not cache_dir(hidden.pk).exists()
    assert summary.cache_folders_removed == 2
    assert len(list(cache_dir(draft.pk).iterdir())) == 2
    assert not cache_dir(stale.pk).exists()  # both files unused for 31 days; folder emptied
    assert not crashed.exists() and building.is_file()
    assert len(list(cache_dir(fresh.pk).iterdir())) == 3
    assert summary.cache_files_removed == 3
    assert not_ours.is_file()
    assert downloads_sweep().cache_files_removed == 0  # nothing left to do


def test_an_old_version_ages_out_while_the_current_one_is_kept_fresh() -> None:
    work = make_work(title="Edited", content="<p>first text</p>")
    files = cached(work)
    old_html = next(p for p in files if p.suffix == ".html")
    old_epub = next(p for p in files if p.suffix == ".epub")
    chapter = work.chapters.get()
    chapter_update(
        chapter=chapter,
        data=ChapterData(content="<p>second text</p>"),
        expected_version=chapter.version,
    )
    Client().get(url(work, "html"))  # the new HTML version replaces the old one at once
    new_html = next(p for p in cache_dir(work.pk).glob("*.html"))
    assert not old_html.exists() and old_epub.is_file()  # nobody asked for the new EPUB yet
    # A month on, the current HTML was served yesterday; the old EPUB was not.
    age(old_epub, 31 * DAY)
    age(new_html, 31 * DAY)
    assert b"second text" in Client().get(url(work, "html")).content
    assert time.time() - new_html.stat().st_mtime < 60  # served: marked as used
    downloads_sweep()
    assert not old_epub.exists() and new_html.is_file()


def test_a_recently_marked_file_is_not_written_on_every_download() -> None:
    work = make_work(title="Popular")
    path = next(p for p in cached(work) if p.suffix == ".html")
    age(path, USE_MARK_SECONDS - 60)
    marked = path.stat().st_mtime
    Client().get(url(work))
    assert path.stat().st_mtime == marked


def test_the_sweep_is_a_periodic_job_and_a_command() -> None:
    kinds = {job.kind for job in jobs.schedule_periodic()}
    assert SWEEP_JOB in kinds
    work = make_work(title="Removed")
    cached(work)
    Work.objects.filter(pk=work.pk).delete()
    out = io.StringIO()
    call_command("sweep_downloads", stdout=out)
    assert "1 download folders" in out.getvalue()
    assert not cache_dir(work.pk).exists()
