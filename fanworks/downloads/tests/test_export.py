"""/users/NAME/export: the owner asks for a zip of their works, bookmarks, comments and
profile; a background job builds it; only they download it, until it expires."""

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fanworks.accounts.models import User
from fanworks.core import jobs
from fanworks.core.models import Job, RateLimitCounter
from fanworks.core.testing import make_work
from fanworks.downloads.export_actions import EXPORT_GIVE_UP, export_build
from fanworks.downloads.models import ExportState, UserExport
from fanworks.downloads.storage import export_dir, exports_root
from fanworks.downloads.sweep_actions import downloads_sweep
from fanworks.downloads.tasks import _keep_alive
from fanworks.engagement.actions import BookmarkData, bookmark_save, subscription_create
from fanworks.engagement.comment_actions import comment_create
from fanworks.engagement.tests.comment_helpers import by, established
from fanworks.works.tests.gift_helpers import snapshot
from fanworks.works.tests.series_helpers import logged_in

pytestmark = pytest.mark.django_db

PAGE = "/users/exporter/export"
DOWNLOAD = "/users/exporter/export/download"


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run what a request queues after its commit (the export job, with JOBS_EAGER)."""

    def capture() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return capture


def archive_owner() -> tuple[User, User]:
    owner = established("exporter")
    other = established("neighbour")
    theirs = make_work(other, title="Neighbour's Tale", content="<p>not yours</p>")
    make_work(owner, title="Posted Tale", content="<p>posted words</p>")
    make_work(owner, title="Draft Tale", post=False, content="<p>draft words</p>")
    make_work(other, title="Secret Draft", post=False, content="<p>their draft</p>")
    bookmark_save(
        user=owner,
        pseud=owner.pseuds.get(),
        data=BookmarkData(notes="So good", tag_names=["comfort"], private=True),
        work=theirs,
    )
    comment_create(
        work=theirs, chapter=theirs.chapters.get(), by=by(owner), content="Lovely ending"
    )
    comment_create(
        work=theirs, chapter=theirs.chapters.get(), by=by(other), content="Not the owner's"
    )
    subscription_create(user=owner, target_user=other)
    return owner, other


def state() -> dict[str, Any]:
    """Everything an export request may write: a refusal must leave all of it as it was."""
    return {
        **snapshot(),
        "exports": list(UserExport.objects.values_list("pk", "state", "token", "finished_at")),
        "jobs": Job.objects.count(),
        "limits": list(RateLimitCounter.objects.values_list("key", "hits")),
        "files": sorted(str(p) for p in exports_root().rglob("*")),
    }


def ready_export(client: Client, run_jobs) -> UserExport:
    with run_jobs():
        response = client.post(PAGE)
    assert response.status_code == 302 and response["Location"] == PAGE
    return UserExport.objects.get(user__username="exporter")


def test_the_owner_requests_an_export_sees_it_ready_and_downloads_everything(run_jobs) -> None:
    owner, _other = archive_owner()
    client = logged_in(owner)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b'<form method="post" action="/users/exporter/export">' in page.content
    assert b"Request an export" in page.content and b"no export at the moment" in page.content
    assert not exports_root().exists()  # nothing is built by looking

    export = ready_export(client, run_jobs)

    assert export.state == ExportState.READY and export.size == export.path.stat().st_size
    # Kept privately under var/exports, outside what the web server serves.
    assert export.path.parent == export_dir(owner.pk)
    text = client.get(PAGE).content.decode()
    assert "Export requested" in text and "Ready:" in text
    assert f'href="{DOWNLOAD}"' in text and "It will be deleted on" in text
    assert "Request a new export" in text
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="exporter-export-')
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    names = sorted(archive.namelist())
    works = [name for name in names if name.startswith("works/")]
    assert len(works) == 4
    assert any(n.endswith("-Posted_Tale.html") for n in works)
    assert any(n.endswith("-Draft_Tale.epub") for n in works)
    everything = b"".join(archive.read(name) for name in names)
    assert b"draft words" in archive.read(next(n for n in works if n.endswith("Draft_Tale.html")))
    assert b"their draft" not in everything and b"not yours" not in everything
    assert b"Not the owner's" not in everything
    zipfile.ZipFile(io.BytesIO(archive.read(next(n for n in works if n.endswith(".epub")))))
    bookmarks = json.loads(archive.read("bookmarks.json"))
    assert [(b["work_title"], b["notes"], b["private"]) for b in bookmarks] == [
        ("Neighbour's Tale", "So good", True)
    ]
    assert "comfort" in bookmarks[0]["tags"] + [bookmarks[0]["private_tags"]]
    comments = json.loads(archive.read("comments.json"))
    assert [c["content"] for c in comments] == ["Lovely ending"]
    profile = json.loads(archive.read("profile.json"))
    assert profile["username"] == "exporter"
    assert [p["name"] for p in profile["pseuds"]] == ["exporter"]
    assert profile["subscriptions"][0]["user"] == "neighbour"
    assert "password" not in json.dumps(profile)


@pytest.mark.parametrize("who", ["guest", "other user", "admin"])
def test_nobody_else_gets_the_page_the_request_or_the_zip(who: str, run_jobs) -> None:
    owner, _ = archive_owner()
    ready_export(logged_in(owner), run_jobs)
    if who == "guest":
        client = Client()
    elif who == "other user":
        client = logged_in(User.objects.get(username="neighbour"))
    else:
        client = logged_in(User.objects.create_superuser("boss", "boss@example.org", "x" * 20))
    before = state()
    with run_jobs():
        responses = [client.get(PAGE), client.post(PAGE)]
    for response in responses:
        if who == "guest":
            assert response.status_code == 302
            assert response["Location"].startswith("/users/login")
        else:
            assert response.status_code == 404
        assert b"Posted Tale" not in response.content
    download = client.get(DOWNLOAD)
    assert download.status_code == 404  # guests too: no login page for someone else's file
    assert download.get("Content-Type") != "application/zip"
    assert b"Posted Tale" not in download.content
    assert state() == before
    assert Client().get("/users/nobody/export").status_code in {302, 404}
    assert logged_in(owner).get("/users/nobody/export/download").status_code == 404


def test_one_export_at_a_time(run_jobs) -> None:
    owner, _ = archive_owner()
    client = logged_in(owner)
    # Without running the queued job, the export stays "being prepared".
    assert client.post(PAGE).status_code == 302
    export = UserExport.objects.get()
    assert export.state == ExportState.PENDING
    page = client.get(PAGE).content.decode()
    assert "Being prepared" in page and "Request an export" not in page
    assert client.get(DOWNLOAD).status_code == 404
    before = state()

    with run_jobs():
        response = client.post(PAGE)

    assert response.status_code == 409
    assert "Your export is still being prepared." in response.content.decode()
    assert state() == before
    # The job then builds it; a second run of the same job does nothing.
    export_build(export_id=export.pk, token=export.token)
    built = state()
    assert export_build(export_id=export.pk, token=export.token) is None
    assert state() == built
    assert client.get(DOWNLOAD).status_code == 200


def test_a_second_export_the_same_day_is_refused_with_retry_after(run_jobs) -> None:
    owner, _ = archive_owner()
    client = logged_in(owner)
    ready_export(client, run_jobs)
    before = state()

    with run_jobs():
        response = client.post(PAGE)

    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= 24 * 60 * 60
    text = response.content.decode()
    assert 'role="alert"' in text
    assert "You have asked for an export recently. You can ask for a new one in" in text
    assert "UTC)" in text
    assert "Ready:" in text  # the current export is still there
    assert state() == before
    assert client.get(DOWNLOAD).status_code == 200


def test_a_new_export_replaces_the_previous_one(settings, run_jobs) -> None:
    settings.EXPORT_THROTTLE = 5
    owner, _ = archive_owner()
    client = logged_in(owner)
    first = ready_export(client, run_jobs)
    first_path = first.path
    second = ready_export(client, run_jobs)
    assert second.pk == first.pk and second.token != first.token
    assert not first_path.exists() and second.path.is_file()
    assert [p.name for p in export_dir(owner.pk).iterdir()] == [second.path.name]
    # A job left over from the first request builds nothing.
    assert export_build(export_id=first.pk, token=first.token) is None
    assert [p.name for p in export_dir(owner.pk).iterdir()] == [second.path.name]


def test_exports_reuse_the_download_cache(settings, run_jobs) -> None:
    settings.EXPORT_THROTTLE = 5
    owner, _ = archive_owner()
    client = logged_in(owner)
    ready_export(client, run_jobs)
    first = zipfile.ZipFile(io.BytesIO(client.get(DOWNLOAD).getvalue()))
    ready_export(client, run_jobs)
    second = zipfile.ZipFile(io.BytesIO(client.get(DOWNLOAD).getvalue()))
    for name in first.namelist():
        if name.startswith("works/"):
            assert first.read(name) == second.read(name)


def test_an_expired_export_is_gone(run_jobs) -> None:
    owner, _ = archive_owner()
    client = logged_in(owner)
    export = ready_export(client, run_jobs)
    path = export.path
    UserExport.objects.filter(pk=export.pk).update(
        finished_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    # Gone at its expiry, before any sweep.
    assert client.get(DOWNLOAD).status_code == 404
    assert "no export at the moment" in client.get(PAGE).content.decode()

    summary = downloads_sweep()

    assert summary.exports_removed == 1 and summary.export_files_removed == 1
    assert not UserExport.objects.exists() and not path.exists()
    assert client.get(DOWNLOAD).status_code == 404


def test_an_export_kept_less_than_its_days_stays(run_jobs) -> None:
    owner, _ = archive_owner()
    export = ready_export(logged_in(owner), run_jobs)
    UserExport.objects.filter(pk=export.pk).update(
        finished_at=timezone.now() - timedelta(days=6, hours=23)
    )
    assert downloads_sweep().exports_removed == 0
    assert export.path.is_file()
    assert logged_in(owner).get(DOWNLOAD).status_code == 200


def test_a_failing_export_is_retried_then_shown_failed_and_may_be_asked_again(
    run_jobs,
) -> None:
    owner, _ = archive_owner()
    client = logged_in(owner)
    # A file where the user's export folder belongs: every build fails for real.
    exports_root().mkdir(parents=True)
    export_dir(owner.pk).write_text("in the way")
    with run_jobs():
        assert client.post(PAGE).status_code == 302
    assert UserExport.objects.get().state == ExportState.PENDING  # to be tried again
    while jobs.run_pending():
        pass
    job = Job.objects.get(kind="downloads.export")
    assert job.status == Job.Status.FAILED and job.attempts == jobs.MAX_ATTEMPTS
    assert UserExport.objects.get().state == ExportState.FAILED
    assert "Your last export failed" in client.get(PAGE).content.decode()
    assert client.get(DOWNLOAD).status_code == 404
    # A failed export does not count against the limit.
    export_dir(owner.pk).unlink()
    export = ready_export(client, run_jobs)
    assert export.state == ExportState.READY


def test_an_export_stuck_being_prepared_is_given_up_by_the_sweep(run_jobs) -> None:
    owner, _ = archive_owner()
    client = logged_in(owner)
    assert client.post(PAGE).status_code == 302  # its job never runs
    UserExport.objects.update(requested_at=timezone.now() - EXPORT_GIVE_UP - timedelta(1))
    assert downloads_sweep().exports_failed == 1
    assert UserExport.objects.get().state == ExportState.FAILED
    assert ready_export(client, run_jobs).state == ExportState.READY


def test_export_files_no_export_names_are_swept(run_jobs) -> None:
    owner, other = archive_owner()
    export = ready_export(logged_in(owner), run_jobs)
    stray = export_dir(owner.pk) / "0123456789abcdef0123456789abcdef.zip"
    stray.write_bytes(b"an older export")
    deleted_account = export_dir(other.pk + 1000)
    deleted_account.mkdir()
    (deleted_account / "feedfacefeedfacefeedfacefeedface.zip").write_bytes(b"gone")
    building = export_dir(owner.pk) / ".building-abc.zip"
    building.write_bytes(b"half")  # a build in progress right now

    summary = downloads_sweep()

    assert summary.export_files_removed == 2
    assert not stray.exists() and not deleted_account.exists()
    assert export.path.is_file() and building.is_file()


def test_two_runs_of_one_export_job_keep_a_whole_zip() -> None:
    """A runner that lost its lease and the one that took the job over both build; the one
    finishing second must not delete the zip the first one published."""
    owner, _ = archive_owner()
    assert logged_in(owner).post(PAGE).status_code == 302  # its job not run yet
    export = UserExport.objects.get()
    inner: list[UserExport | None] = []

    def second_runner() -> None:
        if not inner:
            inner.append(export_build(export_id=export.pk, token=export.token))

    assert export_build(export_id=export.pk, token=export.token, progress=second_runner) is None
    assert inner[0] is not None and inner[0].state == ExportState.READY
    assert zipfile.ZipFile(export.path).testzip() is None
    assert logged_in(owner).get(DOWNLOAD).status_code == 200


def test_a_long_export_renews_its_jobs_lease_now_and_then(settings) -> None:
    settings.JOBS_EAGER = False
    job = jobs.enqueue("downloads.sweep", {})
    claimed = jobs.claim_next()
    assert claimed is not None and claimed.pk == job.pk and claimed.lease_until is not None
    fresh = claimed.lease_until
    _keep_alive(claimed)  # renewed moments ago: no write
    assert Job.objects.get(pk=job.pk).lease_until == fresh
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() + timedelta(seconds=60))
    claimed.lease_until = timezone.now() + timedelta(seconds=60)
    _keep_alive(claimed)
    renewed = Job.objects.get(pk=job.pk).lease_until
    assert renewed is not None and renewed > timezone.now() + jobs.LEASE - timedelta(seconds=5)
