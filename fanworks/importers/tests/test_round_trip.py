"""Our own downloads read back by the importer: what the HTML and EPUB files say about a work
(title, creators, every tag type, summary, notes, chapters with their titles and text) is
what `fanworks import` gets out of them, so a work can move between archives through them."""

import re

import pytest

from fanworks.downloads.queries import file_for
from fanworks.downloads.renderers import render
from fanworks.downloads.tests.test_downloads import loaded, rich_work
from fanworks.importers.parsers import ParsedWork, parse_ao3_epub, parse_ao3_html
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db


def words(html: str) -> str:
    """The visible text, with tags and whitespace runs collapsed (markup may be rewritten)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def read_back(work: Work, fmt: str) -> ParsedWork:
    content = render(file_for(loaded(work)), fmt)
    if fmt == "html":
        return parse_ao3_html(content.decode("utf-8"), "download.html")
    return parse_ao3_epub(content, "download.epub")


@pytest.mark.parametrize("fmt", ["html", "epub"])
def test_a_download_reads_back_as_the_same_work(fmt: str) -> None:
    work = rich_work()
    parsed = read_back(work, fmt)

    assert parsed.title == work.title
    assert parsed.creators == ["scribe"]
    assert parsed.rating == "Teen And Up Audiences"
    assert parsed.warnings == ["No Archive Warnings Apply"]
    assert sorted(parsed.categories) == ["F/M", "Gen"]
    assert sorted(parsed.fandoms) == sorted(["Tidewater Chronicles", "海の物語"])
    assert parsed.relationships == ["Mira/Tomas"]
    assert sorted(parsed.characters) == ["Mira", "Tomas"]
    assert sorted(parsed.freeforms) == ["Found Family", "Ünïcödé tag"]
    assert parsed.language == "en"
    assert words(parsed.summary) == words(work.summary_html)
    assert words(parsed.notes) == words(work.notes_html)
    assert words(parsed.endnotes) == words(work.endnotes_html)
    assert parsed.original_url.endswith(f"/works/{work.pk}")

    chapters = list(work.chapters.filter(posted=True).order_by("position"))
    assert [c.title for c in parsed.chapters] == ["Départ", "Middle", ""]
    for read, chapter in zip(parsed.chapters, chapters, strict=True):
        text = words(read.content)
        if fmt == "epub":
            # EPUBs fetch nothing remote: the chapter's web image became a link to it.
            text = text.replace("[Image: a gull] ", "")
        assert text == words(chapter.content_html)
    middle = parsed.chapters[1]
    assert words(middle.summary) == "Chapter summary"
    assert words(middle.notes) == "Chapter notes"
    assert words(middle.endnotes) == "Chapter end notes"
    # The inspiring work comes back as a parent reference to this archive's address.
    assert [ref.url.rsplit("/", 1)[-1] for ref in parsed.parents] == [
        str(work.parent_links.get().parent_work_id)
    ]
