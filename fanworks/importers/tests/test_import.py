"""Importing works: parsers, the command, the upload page, related works and hostile files."""

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.engagement.models import ExternalWork
from fanworks.importers.actions import creator_claim_approve, creator_claim_request, work_import
from fanworks.importers.models import CreatorClaim, ExternalCreator, ImportedWork
from fanworks.importers.parsers import parse_file
from fanworks.importers.safety import MAX_FILE_BYTES, ImportRefused
from fanworks.importers.samples import Sample, ao3_epub, ao3_html
from fanworks.works.models import Chapter, Creatorship, RelatedWork, RelationState, Work

pytestmark = pytest.mark.django_db


def _html(sample: Sample) -> bytes:
    return ao3_html(sample).encode()


def _archivist():
    user = make_user("archivist")
    user.is_superuser = True
    user.save()
    return user


def _run(*paths: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import", *paths, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def _tag_names(work: Work, tag_type: str) -> set[str]:
    return set(work.work_tags.filter(tag__type=tag_type).values_list("tag__name", flat=True))


def test_ao3_html_keeps_metadata_chapters_dates_and_creators(tmp_path: Path) -> None:
    _archivist()
    sample = Sample(summary="<p>Mira waits.<script>alert(1)</script></p>")
    (tmp_path / "harbour.html").write_text(ao3_html(sample), encoding="utf-8")
    code, out, _ = _run(str(tmp_path))
    assert code == 0, out
    assert "1 imported, 0 skipped, 0 failed." in out
    work = Work.objects.get()
    assert work.title == "Harbour Lights" and work.posted
    assert (
        work.first_posted_at is not None and work.first_posted_at.date().isoformat() == "2024-01-02"
    )
    assert work.revised_at is not None and work.revised_at.date().isoformat() == "2024-02-03"
    assert "<script" not in work.summary_html and "Mira waits." in work.summary_html
    assert "exchange" in work.notes_html and "Thanks for reading" in work.endnotes_html
    assert _tag_names(work, "fandom") == {"Tidewater Chronicles"}
    assert _tag_names(work, "relationship") == {"Mira/Jonah"}
    assert _tag_names(work, "character") == {"Mira", "Jonah"}
    assert _tag_names(work, "freeform") == {"Slow Burn"}
    assert _tag_names(work, "rating") == {"Teen And Up Audiences"}
    assert _tag_names(work, "category") == {"F/M"}
    chapters = list(work.chapters.order_by("position"))
    assert [c.title for c in chapters] == ["The Tide", ""]
    assert all(c.posted for c in chapters) and "lanterns" in chapters[0].content_html
    record = ImportedWork.objects.get(work=work)
    assert record.original_url == "https://archiveofourown.org/works/1001"
    assert [c.name for c in record.creators.all()] == ["tidewriter"]
    page = Client().get(f"/works/{work.pk}?view_full_work=true").content.decode()
    assert "tidewriter" in page and "[archived by" in page


def test_reimport_is_skipped_by_url_and_by_content_hash(tmp_path: Path) -> None:
    _archivist()
    (tmp_path / "a.html").write_text(ao3_html(Sample()), encoding="utf-8")
    text = "Title: Quiet Shore\nFandom: Tidewater Chronicles\n\nThe sea was calm for once.\n"
    (tmp_path / "b.md").write_text(text, encoding="utf-8")
    assert _run(str(tmp_path))[0] == 0
    code, out, _ = _run(str(tmp_path))
    assert code == 0 and "0 imported, 2 skipped, 0 failed." in out
    assert Work.objects.count() == 2


def test_epub_download_imports_like_html() -> None:
    user = _archivist()
    parsed = parse_file("harbour.epub", ao3_epub(Sample()))
    assert parsed.source_format == "epub"
    outcome = work_import(parsed=parsed, user=user, archive=True)
    work = Work.objects.get(pk=outcome.work_id)
    assert work.chapters.count() == 2 and work.title == "Harbour Lights"
    assert _tag_names(work, "fandom") == {"Tidewater Chronicles"}
    assert "Thanks for reading" in work.endnotes_html


def test_markdown_header_and_chapters() -> None:
    user = _archivist()
    text = (
        "Title: Salt and Stars\nCreator: seafarer, deckhand\nFandom: Tidewater Chronicles\n"
        "Rating: Mature\nTags: Angst, Fluff\nSummary: Two sailors <b>argue</b>.\n"
        "Published: 2023-05-06\n\n# The Quarrel\n\nThey **argued** about *stars*.\n\n"
        "# Making Up\n\nThen they did not.\n"
    )
    parsed = parse_file("salt.md", text.encode())
    work = Work.objects.get(pk=work_import(parsed=parsed, user=user, archive=True).work_id)
    assert work.title == "Salt and Stars"
    assert [c.title for c in work.chapters.order_by("position")] == ["The Quarrel", "Making Up"]
    first = work.chapters.get(position=1).content_html
    assert "<strong>argued</strong>" in first and "<em>stars</em>" in first
    assert "<b>" not in work.summary_html  # header text is text, shown escaped
    assert _tag_names(work, "rating") == {"Mature"}
    assert _tag_names(work, "freeform") == {"Angst", "Fluff"}
    names = list(ImportedWork.objects.get(work=work).creators.values_list("name", flat=True))
    assert sorted(names) == ["deckhand", "seafarer"]


def test_a_failed_file_leaves_nothing_and_others_import(tmp_path: Path) -> None:
    _archivist()
    (tmp_path / "good.html").write_text(ao3_html(Sample()), encoding="utf-8")
    # Valid AO3 layout but a chapter too short to be a work: refused by the posting rules
    # after the first steps ran, so the transaction must roll back.
    (tmp_path / "short.html").write_text(
        ao3_html(Sample(url="https://archiveofourown.org/works/7", chapters=[("", "<p>x</p>")])),
        encoding="utf-8",
    )
    (tmp_path / "broken.html").write_text("<html><body><p>not a download", encoding="utf-8")
    code, out, err = _run(str(tmp_path))
    assert code == 1
    assert "1 imported, 0 skipped, 2 failed." in out
    assert "broken.html" in err and "not an AO3 download" in err
    assert "short.html" in err
    assert Work.objects.count() == 1 and ImportedWork.objects.count() == 1
    assert Chapter.objects.count() == 2


def test_inspired_by_links_to_archive_work_or_keeps_external() -> None:
    user = _archivist()
    parent = work_import(
        parsed=parse_file("p.html", _html(Sample(url="https://archiveofourown.org/works/1"))),
        user=user,
        archive=True,
    )
    child_sample = Sample(
        title="Lights Remixed",
        url="https://archiveofourown.org/works/2",
        inspired_by=[
            ("https://archiveofourown.org/works/1", "Harbour Lights", "tidewriter"),
            ("https://elsewhere.example/story/9", "Far Story", "someone"),
        ],
        inspired=[("https://archiveofourown.org/works/3", "Third", "other")],
    )
    child = work_import(parsed=parse_file("c.html", _html(child_sample)), user=user, archive=True)
    link = RelatedWork.objects.get(child_id=child.work_id, parent_work__isnull=False)
    assert link.parent_work_id == parent.work_id and link.state == RelationState.APPROVED
    external = RelatedWork.objects.get(child_id=child.work_id, parent_external__isnull=False)
    assert external.parent_external is not None
    assert external.parent_external.url == "https://elsewhere.example/story/9"
    assert ExternalWork.objects.filter(url="https://archiveofourown.org/works/3").exists()
    # The work "inspired by this one" arrives later: the link is made then.
    third = work_import(
        parsed=parse_file(
            "t.html", _html(Sample(title="Third", url="https://archiveofourown.org/works/3"))
        ),
        user=user,
        archive=True,
    )
    assert RelatedWork.objects.filter(child_id=third.work_id, parent_work_id=child.work_id).exists()


def test_upload_page_makes_a_draft_of_the_uploader() -> None:
    user = make_user("uploader")
    client = Client()
    client.login(username="uploader", password=DEFAULT_PASSWORD)
    upload = io.BytesIO(ao3_html(Sample()).encode())
    upload.name = "harbour.html"
    response = client.post("/works/import", {"file": upload})
    assert response.status_code == 302
    work = Work.objects.get()
    assert not work.posted
    assert Creatorship.objects.filter(work=work, pseud__user=user).exists()
    assert Client().get(f"/works/{work.pk}").status_code == 404  # a draft stays private
    # The same file again leads to that draft, nothing added (other uploaders: see
    # test_upload_privacy.py).
    upload = io.BytesIO(ao3_html(Sample()).encode())
    upload.name = "harbour.html"
    response = client.post("/works/import", {"file": upload})
    assert response.status_code == 302 and response["Location"] == f"/works/{work.pk}"
    assert Work.objects.count() == 1


def test_upload_refuses_bad_files_next_to_the_field() -> None:
    make_user("uploader")
    client = Client()
    client.login(username="uploader", password=DEFAULT_PASSWORD)
    for name, data, message in [
        ("big.html", b"x" * (MAX_FILE_BYTES + 1), b"larger than"),
        (
            "latin.txt",
            "Title: Caf\u00e9\n\nIl \u00e9tait une fois.".encode("latin-1"),
            b"not UTF-8",
        ),
        ("page.html", b"<html><body><div>hello</div></body></html>", b"not an AO3 download"),
        ("tool.exe", b"MZ", b"Please choose"),
    ]:
        upload = io.BytesIO(data)
        upload.name = name
        response = client.post("/works/import", {"file": upload})
        assert response.status_code == 400, name
        assert message in response.content, name
    assert Work.objects.count() == 0
    assert Client().get("/works/import").status_code == 302  # login first
    assert b'href="/works/import"' in client.get("/works/new").content


def _zip(entries: list[tuple[str, bytes]], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("entries", "symlink", "reason"),
    [
        ([("../escape.html", b"x")], None, "unsafe path"),
        ([("/abs/work.html", b"x")], None, "unsafe path"),
        ([("bomb.txt", b"0" * (20 * 1024 * 1024))], None, "zip bomb"),
        ([(f"w{i}.txt", b"x") for i in range(2_001)], None, "more than 2,000 files"),
        ([("ok.txt", b"x")], "link.html", "symbolic link"),
    ],
)
def test_hostile_zips_are_refused_and_nothing_saved(
    tmp_path: Path, entries: list[tuple[str, bytes]], symlink: str | None, reason: str
) -> None:
    _archivist()
    good = ("good.html", ao3_html(Sample()).encode())
    (tmp_path / "works.zip").write_bytes(_zip([good, *entries], symlink=symlink))
    code, _, err = _run(str(tmp_path / "works.zip"))
    assert code == 1 and reason in err
    assert Work.objects.count() == 0


def test_zip_of_good_files_imports_each(tmp_path: Path) -> None:
    _archivist()
    entries = [
        (f"dir/w{i}.html", ao3_html(Sample(url=f"https://archiveofourown.org/works/{i}")).encode())
        for i in range(3)
    ]
    (tmp_path / "works.zip").write_bytes(_zip(entries))
    code, out, _ = _run(str(tmp_path / "works.zip"))
    assert code == 0 and "3 imported" in out


def test_symlinks_deep_nesting_and_non_utf8_are_refused(tmp_path: Path) -> None:
    _archivist()
    real = tmp_path / "real.html"
    real.write_text(ao3_html(Sample()), encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    os.symlink(real, folder / "link.html")
    (folder / "deep.html").write_text(
        ao3_html(Sample(chapters=[("", "<div>" * 600 + "deep" + "</div>" * 600)])),
        encoding="utf-8",
    )
    (folder / "latin.txt").write_bytes("Titre: \u00e9t\u00e9\n\n\u00e9t\u00e9".encode("latin-1"))
    code, _, err = _run(str(folder))
    assert code == 1
    assert "symbolic link" in err and "nested more than" in err and "not UTF-8" in err
    assert Work.objects.count() == 0
    with pytest.raises(ImportRefused):
        parse_file("huge.txt", b"\xff\xfe\x00")


def test_claim_moves_works_to_the_claimant_after_admin_approval() -> None:
    archivist = _archivist()
    outcome = work_import(
        parsed=parse_file("h.html", _html(Sample())), user=archivist, archive=True
    )
    claimant = make_user("tidewriter")
    client = Client()
    client.force_login(claimant)
    creator = ExternalCreator.objects.get(name="tidewriter")
    response = client.post(
        f"/external_creators/{creator.pk}/claim", {"next": f"/works/{outcome.work_id}"}
    )
    assert response.status_code == 302
    claim = CreatorClaim.objects.get()
    # Nothing moves before an admin approves.
    assert not Creatorship.objects.filter(work_id=outcome.work_id, pseud__user=claimant).exists()
    creator_claim_approve(claim=claim)
    owners = set(
        Creatorship.objects.filter(work_id=outcome.work_id).values_list(
            "pseud__user__username", flat=True
        )
    )
    assert owners == {"tidewriter"}
    assert creator_claim_request(user=claimant, creator=creator).pk == claim.pk
    page = Client().get(f"/works/{outcome.work_id}?view_full_work=true").content.decode()
    assert "[archived by" not in page


def test_anonymous_cannot_claim() -> None:
    archivist = _archivist()
    work_import(parsed=parse_file("h.html", _html(Sample())), user=archivist, archive=True)
    creator = ExternalCreator.objects.get()
    response = Client().post(f"/external_creators/{creator.pk}/claim")
    assert response.status_code == 302 and "/login" in response["Location"]
    assert CreatorClaim.objects.count() == 0


def test_parent_named_by_this_archive_url() -> None:
    user = _archivist()
    parent = make_work(user)
    from django.conf import settings

    sample = Sample(
        url="https://archiveofourown.org/works/55",
        inspired_by=[(f"{settings.SITE_URL}/works/{parent.pk}", "Harbour Lights", "archivist")],
    )
    child = work_import(parsed=parse_file("c.html", _html(sample)), user=user, archive=True)
    link = RelatedWork.objects.get(child_id=child.work_id)
    assert link.parent_work_id == parent.pk and link.state == RelationState.PENDING


def test_fanworks_command_line_offers_import(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "FANWORKS_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "fanworks.cli", "import", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--archivist" in result.stdout


def test_a_download_of_a_work_here_is_not_imported_again() -> None:
    from django.conf import settings

    user = _archivist()
    own = make_work(user)
    sample = Sample(url=f"{settings.SITE_URL}/works/{own.pk}")
    outcome = work_import(parsed=parse_file("own.html", _html(sample)), user=user, archive=True)
    assert not outcome.imported and outcome.work_id == own.pk
    assert Work.objects.count() == 1
