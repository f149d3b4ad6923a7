"""/users/NAME/export: one zip with the owner's works, bookmarks, comments and profile."""

import io
import json
import zipfile

import pytest
from django.test import Client

from fanworks.accounts.models import User
from fanworks.core.testing import make_work
from fanworks.engagement.actions import BookmarkData, bookmark_save, subscription_create
from fanworks.engagement.comment_actions import comment_create
from fanworks.engagement.tests.comment_helpers import by, established
from fanworks.works.tests.gift_helpers import snapshot
from fanworks.works.tests.series_helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


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


def test_the_owner_gets_a_page_and_a_zip_of_everything_they_own() -> None:
    owner, _other = archive_owner()
    client = logged_in(owner)
    page = client.get("/users/exporter/export")
    assert page.status_code == 200
    assert b'<form method="post" action="/users/exporter/export">' in page.content
    response = client.post("/users/exporter/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="exporter-export-')
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
def test_nobody_else_gets_the_page_or_the_zip(who: str) -> None:
    archive_owner()
    if who == "guest":
        client = Client()
    elif who == "other user":
        client = logged_in(User.objects.get(username="neighbour"))
    else:
        client = logged_in(User.objects.create_superuser("boss", "boss@example.org", "x" * 20))
    before = snapshot()
    for response in (client.get("/users/exporter/export"), client.post("/users/exporter/export")):
        if who == "guest":
            assert response.status_code == 302
            assert response["Location"].startswith("/users/login")
        else:
            assert response.status_code == 404
        assert b"Posted Tale" not in response.content
        assert response.get("Content-Type") != "application/zip"
    assert snapshot() == before
    assert Client().get("/users/nobody/export").status_code in {302, 404}


def test_export_builds_reuse_the_download_cache() -> None:
    owner, _ = archive_owner()
    client = logged_in(owner)
    first = zipfile.ZipFile(io.BytesIO(client.post("/users/exporter/export").getvalue()))
    second = zipfile.ZipFile(io.BytesIO(client.post("/users/exporter/export").getvalue()))
    for name in first.namelist():
        if name.startswith("works/"):
            assert first.read(name) == second.read(name)
