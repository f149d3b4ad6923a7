"""Downloads: the files, their cache, the routes and who may fetch them."""

import io
import os
import shutil
import subprocess
import zipfile
from html import escape
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from lxml import html as lxml_html

from fanworks.accounts.actions import mute_user
from fanworks.core.testing import make_user, make_work
from fanworks.downloads.cache import built_file, cache_dir
from fanworks.downloads.content import file_name
from fanworks.downloads.queries import file_for
from fanworks.downloads.renderers import render
from fanworks.works.actions import ChapterData, chapter_create, chapter_update
from fanworks.works.models import Work
from fanworks.works.orphan_actions import works_orphan
from fanworks.works.queries import work_for_viewer
from fanworks.works.related_actions import ParentData
from fanworks.works.tests.series_helpers import logged_in

pytestmark = pytest.mark.django_db

EPUBCHECK = "/usr/bin/epubcheck"


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def rich_work() -> Work:
    """Every part a file shows: unicode, all tag types, notes and end notes at both levels,
    a series, a gift, an inspiring work, three chapters, HTML 4 markup, a remote image."""
    author = make_user("scribe")
    make_user("friend")
    parent = make_work(author, title="The First Tide")
    work = make_work(
        author,
        title="Ŝtormy Sēas — 海の歌 & <friends>",
        rating="Teen And Up Audiences",
        warnings=["No Archive Warnings Apply"],
        categories=["F/M", "Gen"],
        fandoms=["Tidewater Chronicles", "海の物語"],
        relationships=["Mira/Tomas"],
        characters=["Mira", "Tomas"],
        freeforms=["Found Family", "Ünïcödé tag"],
        summary="A <em>summary</em> with “quotes”.",
        notes="Work notes, <center>centred</center>.",
        endnotes="Work end notes with <a href='#nowhere'>a dead anchor</a>.",
        new_series_title="The Tide Cycle",
        gift_recipients=["friend"],
        parents=[ParentData(row=0, work=str(parent.pk))],
        expected_chapters=3,
        content=(
            "<p>Chapter one: <tt>mono</tt>, <strike>gone</strike>, <big>big</big>, "
            "<acronym title='x'>ACR</acronym>.</p>"
            "<p align='center'>Image: <img src='https://example.org/a.png' alt='a gull'></p>"
            "<table border='1' summary='s'><tr><td width='3'>cell</td></tr></table>"
            "<p><a href='/works/1'>a relative link</a> and <a href='https://example.org/a b'>"
            "a spaced one</a></p>"
        ),
        chapter_title="Départ",
    )
    chapter_create(
        work=work,
        data=ChapterData(
            content="<p>Chapter two, 日本語 text.</p>",
            title="Middle",
            summary="Chapter <b>summary</b>",
            notes="Chapter notes",
            endnotes="Chapter end notes",
        ),
        post=True,
    )
    chapter_create(work=work, data=ChapterData(content="<p>The end.</p>"), post=True)
    work.refresh_from_db()
    return work


def loaded(work: Work) -> Work:
    found = work_for_viewer(AnonymousUser(), work.pk)
    assert found is not None
    return found


def url(work: Work, fmt: str) -> str:
    return f"/downloads/{work.pk}/{file_name(work.pk, work.title)}.{fmt}"


def test_file_names_follow_ao3() -> None:
    assert file_name(7, "Ŝtormy Sēas — 海の歌 & <friends>") == "Stormy_Seas_friends"
    assert file_name(7, "A very long title that goes on and on") == "A_very_long_title_that"
    assert file_name(7, "海") == "Work_7"
    assert file_name(7, "Hi") == "Hi_Work_7"


def test_html_download_has_ao3s_layout_and_no_outside_resources() -> None:
    work = rich_work()
    page = Client().get(url(work, "html"))
    assert page.status_code == 200
    text = page.content.decode()
    tree = lxml_html.fromstring(page.content)
    message = tree.xpath("//div[@id='preface']/p[@class='message']/a")
    assert len(message) == 2 and message[1].get("href").endswith(f"/works/{work.pk}")
    labels = [
        dt.text_content()
        for dt in tree.xpath("//div[@id='preface']/div[@class='meta']/dl[@class='tags']/dt")
    ]
    assert labels == [
        "Rating:",
        "Archive Warning:",
        "Categories:",
        "Fandoms:",
        "Relationship:",
        "Characters:",
        "Additional Tags:",
        "Language:",
        "Series:",
        "Stats:",
    ]
    stats = tree.xpath("//div[@id='preface']//dl[@class='tags']/dd")[-1].text_content()
    assert "Published: " in stats and "Completed: " in stats and "Chapters: 3/3" in stats
    assert "Part 1 of" in text and "The Tide Cycle" in text
    assert tree.xpath("//div[@id='preface']//h1")[0].text_content() == work.title
    assert tree.xpath("//div[@class='byline']/a[@rel='author']")[0].text_content() == "scribe"
    assert "For <a" in text and "friend" in text
    assert "Inspired by" in text and "The First Tide" in text
    headings = [
        h.text_content()
        for h in tree.xpath("//div[@id='chapters']/div[@class='meta group']/h2[@class='heading']")
    ]
    assert headings == ["Chapter 1: Départ", "Chapter 2: Middle", "Chapter 3"]
    assert "Chapter End Notes" in text and tree.xpath("//div[@id='endnotes2']")
    assert tree.xpath("//div[@id='afterword']//div[@id='endnotes']/blockquote[@class='userstuff']")
    assert "<script" not in text and "<link" not in text and "/static/" not in text
    assert "&lt;friends&gt;" in text  # the title is escaped, never markup


def test_a_oneshot_has_the_title_heading_instead_of_chapter_groups() -> None:
    work = make_work(title="Only One")
    tree = lxml_html.fromstring(Client().get(url(work, "html")).content)
    assert [
        h.text_content() for h in tree.xpath("//div[@id='chapters']/h2[@class='toc-heading']")
    ] == ["Only One"]
    assert not tree.xpath("//div[@id='chapters']//div[@class='meta group']")


def test_epub_metadata_and_table_of_contents() -> None:
    work = rich_work()
    response = Client().get(url(work, "epub"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/epub+zip"
    book = zipfile.ZipFile(io.BytesIO(response.content))
    names = book.namelist()
    assert names[0] == "mimetype"
    opf = next(book.read(n).decode() for n in names if n.endswith(".opf"))
    assert "<dc:title" in opf and escape(work.title, quote=False) in opf
    assert ">scribe</dc:creator>" in opf and ">en</dc:language>" in opf
    for subject in ("Mira/Tomas", "Found Family", "海の物語", "Teen And Up Audiences"):
        assert f">{subject}</dc:subject>" in opf
    assert "A summary with “quotes”." in opf
    assert 'property="belongs-to-collection"' in opf and ">The Tide Cycle<" in opf
    nav = next(book.read(n).decode() for n in names if n.endswith("nav.xhtml"))
    for title in ("Preface", "Chapter 1: Départ", "Chapter 2: Middle", "Chapter 3", "Afterword"):
        assert title in nav
    chapter = next(book.read(n).decode() for n in names if n.endswith("chapter_1.xhtml"))
    assert "<tt" not in chapter and "<code>mono</code>" in chapter
    assert "https://example.org/a.png" in chapter and "<img" not in chapter


def epubcheck(content: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "book.epub"
    path.write_bytes(content)
    return subprocess.run(
        ["java", "-jar", EPUBCHECK, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _need_epubcheck() -> None:
    if not Path(EPUBCHECK).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: epubcheck is required but /usr/bin/epubcheck is missing")
        pytest.skip("epubcheck is not installed (Debian package epubcheck)")


def test_a_rich_work_passes_epubcheck_without_errors_or_warnings(tmp_path: Path) -> None:
    _need_epubcheck()
    work = rich_work()
    works_orphan(user=work.creatorships.get().pseud.user, work_ids=[work.pk], keep_names=False)
    work = loaded(work)
    file = file_for(work)
    assert [link.text for link in file.creators] == ["orphan_account"]
    result = epubcheck(render(file, "epub"), tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "0 fatals / 0 errors / 0 warnings" in report or "No errors or warnings" in report, report


def test_an_anonymous_creator_stays_anonymous_inside_the_files() -> None:
    author = make_user("hidden_hand")
    work = make_work(author, title="Unsigned")
    works_orphan(user=author, work_ids=[work.pk], keep_names=False)
    for fmt in ("html", "epub"):
        content = Client().get(url(work, fmt)).content
        blob = (
            content
            if fmt == "html"
            else b"".join(
                zipfile.ZipFile(io.BytesIO(content)).read(n)
                for n in zipfile.ZipFile(io.BytesIO(content)).namelist()
            )
        )
        assert b"hidden_hand" not in blob


def test_download_links_on_the_work_page_in_ao3_markup() -> None:
    work = make_work(title="Linked Work")
    page = lxml_html.fromstring(Client().get(f"/works/{work.pk}").content)
    links = page.xpath(
        "//ul[@class='work navigation actions']/li[@class='download']"
        "/ul[@class='expandable secondary']/li/a"
    )
    texts = [a.text_content() for a in links]
    assert "EPUB" in texts and "HTML" in texts
    href = links[0].get("href")
    assert href.startswith(f"/downloads/{work.pk}/Linked_Work.") and "?updated_at=" in href
    for link in links:
        assert Client().get(link.get("href")).status_code == 200


def test_headers_make_it_an_attachment_that_cannot_act_as_the_archive() -> None:
    work = make_work(title="Headers")
    for fmt in ("html", "epub"):
        response = Client().get(url(work, fmt))
        assert response["Content-Disposition"] == f'attachment; filename="Headers.{fmt}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("sandbox")


def test_a_wrong_title_redirects_to_the_right_one() -> None:
    work = make_work(title="Right Title")
    response = Client().get(f"/downloads/{work.pk}/Wrong.html?updated_at=5")
    assert response.status_code == 302
    assert response["Location"] == f"/downloads/{work.pk}/Right_Title.html?updated_at=5"


def test_unknown_and_unconverted_formats_are_404_and_not_offered(monkeypatch) -> None:
    work = make_work(title="No Converter")
    monkeypatch.setenv("PATH", "/nonexistent")  # no ebook-convert to be found
    for fmt in ("pdf", "mobi", "azw3", "txt", "exe"):
        assert Client().get(f"/downloads/{work.pk}/No_Converter.{fmt}").status_code == 404
    page = Client().get(f"/works/{work.pk}").content.decode()
    assert "/No_Converter.epub" in page and "/No_Converter.pdf" not in page
    assert "MOBI" not in page and "AZW3" not in page


def test_converted_formats_are_offered_and_served_with_a_converter() -> None:
    if shutil.which("ebook-convert") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: calibre's ebook-convert is required (Debian package calibre)")
        pytest.skip("calibre is not installed (Debian package calibre)")
    work = make_work(title="Converted")
    page = Client().get(f"/works/{work.pk}").content.decode()
    for fmt, magic in (("pdf", b"%PDF"), ("mobi", b"BOOKMOBI"), ("azw3", b"BOOKMOBI")):
        assert f"/Converted.{fmt}" in page
        response = Client().get(url(work, fmt))
        assert response.status_code == 200
        assert magic in response.content[:100]


def test_a_failing_converter_answers_503_and_caches_nothing(monkeypatch, tmp_path: Path) -> None:
    """A converter that is installed but fails (here: a stand-in that exits 1) is a clear 503
    with Retry-After, never a 500, and leaves no file in the cache."""
    broken = tmp_path / "ebook-convert"
    broken.write_text("#!/bin/sh\necho 'conversion error' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ.get('PATH', '')}")
    work = make_work(title="Broken Convert")
    response = Client().get(url(work, "pdf"))
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert "could not be made" in response.content.decode()
    assert not list(cache_dir(work.pk).glob("*.pdf"))


def test_visibility_drafts_restricted_hidden_and_muted() -> None:
    author = make_user("keeper")
    reader = make_user("visitor")
    draft = make_work(author, title="Draft", post=False)
    restricted = make_work(author, title="Locked", restricted=True)
    hidden = make_work(author, title="Hidden")
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    muted = make_work(author, title="Muted")
    mute_user(muter=reader, muted=author)
    guest, registered, creator = Client(), logged_in(reader), logged_in(author)
    assert guest.get(url(draft, "html")).status_code == 404
    assert registered.get(url(draft, "html")).status_code == 404
    assert creator.get(url(draft, "html")).status_code == 200
    response = guest.get(url(restricted, "epub"))
    assert response.status_code == 302 and response["Location"].startswith("/users/login")
    assert registered.get(url(restricted, "epub")).status_code == 200
    assert registered.get(url(restricted, "epub"))["Cache-Control"] == "private"
    for client in (guest, registered, creator):
        assert client.get(url(hidden, "html")).status_code == 404
    assert registered.get(url(muted, "html")).status_code == 200
    assert Client().get("/downloads/999999/Nothing.html").status_code == 404


def test_a_posted_works_draft_chapter_stays_out_of_the_file() -> None:
    author = make_user()
    work = make_work(author, title="Growing")
    chapter_create(work=work, data=ChapterData(content="<p>secret draft chapter</p>"), post=False)
    assert b"secret draft chapter" not in logged_in(author).get(url(work, "html")).content


def test_a_file_is_built_once_per_version_and_rebuilt_after_an_edit() -> None:
    work = make_work(title="Cached", content="<p>first text</p>")
    client = Client()
    assert b"first text" in client.get(url(work, "html")).content
    files = list(cache_dir(work.pk).glob("*.html"))
    assert len(files) == 1
    files[0].write_bytes(files[0].read_bytes().replace(b"first text", b"cached text"))
    assert b"cached text" in client.get(url(work, "html")).content  # served, not rebuilt
    chapter = work.chapters.get()
    chapter_update(
        chapter=chapter,
        data=ChapterData(content="<p>second text</p>"),
        expected_version=chapter.version,
    )
    assert b"second text" in client.get(url(work, "html")).content
    remaining = list(cache_dir(work.pk).glob("*.html"))
    assert len(remaining) == 1 and remaining[0] != files[0]


def test_concurrent_first_builds_leave_one_whole_file() -> None:
    from concurrent.futures import ThreadPoolExecutor

    work = loaded(make_work(title="Racing"))
    file = file_for(work)
    # Several rounds from an empty cache: one request's clean-up of older versions once took
    # another's half-written file (".building-…" matched "*.epub") and its rename failed.
    for _ in range(15):
        shutil.rmtree(cache_dir(work.pk), ignore_errors=True)
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: built_file(file, "epub"), range(8)))
        # Every answer is a whole book (builds a second apart differ in their timestamp).
        assert all(zipfile.ZipFile(io.BytesIO(result)).testzip() is None for result in results)
        kept = list(cache_dir(work.pk).glob("*.epub"))
        assert len(kept) == 1 and kept[0].read_bytes() in results
        assert not list(cache_dir(work.pk).glob(".building-*"))


ODD_MARKUP = [
    "<ul>loose text<p>a paragraph</p><li>an item</li>tail</ul>",
    "<ol><li>one</li><div>two</div></ol>",
    "<dl><p>not a term</p><dt>term</dt><dd>definition</dd></dl>",
    "<table><tr>text<td>cell</td></tr><p>stray</p></table>",
    "<li>a lonely item</li><dd>a lonely definition</dd><summary>no details</summary>",
    "<p lang='not a language!' dir='sideways'>odd attributes</p><ol start='x'><li>y</li></ol>",
    "<a href='javascript:alert(1)'>no</a><a href='#missing'>gone</a><a href='relative'>r</a>",
    "<details><summary>open me</summary><p>inside</p></details><ruby>漢<rt>kan</rt></ruby>",
]


def test_odd_but_sanitised_markup_still_passes_epubcheck(tmp_path: Path) -> None:
    _need_epubcheck()
    work = make_work(title="Odd Markup", content="".join(ODD_MARKUP))
    result = epubcheck(render(file_for(loaded(work)), "epub"), tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "0 errors / 0 warnings" in report or "No errors or warnings" in report, report
