"""Chapter-text snippets: what is marked, what is escaped, what is never shown."""

from datetime import UTC, datetime

import pytest

from fanworks.core.testing import make_user, make_work
from fanworks.search.parser import parse
from fanworks.search.snippets import (
    Snippet,
    chapter_snippets,
    highlighter,
    snippet_html,
    text_terms,
)
from fanworks.works.actions import ChapterData, chapter_create
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 22, tzinfo=UTC)

LONG_BEFORE = " ".join(["harbour"] * 80)
LONG_AFTER = " ".join(["tide"] * 80)


def snippets_for(query: str, *works: Work) -> dict[int, Snippet]:
    return chapter_snippets([w.pk for w in works], parse(query, now=NOW).root)


def test_marks_the_searched_word_with_context_cut_at_word_boundaries() -> None:
    work = make_work(content=f"<p>{LONG_BEFORE} the lighthouse keeper kissed her {LONG_AFTER}</p>")
    snippet = snippets_for("kisses", work)[work.pk]
    assert "<mark>kissed</mark>" in snippet.html
    assert snippet.html.startswith("… harbour")
    assert snippet.html.endswith("tide …")
    assert snippet.url == f"/works/{work.pk}/chapters/{work.chapters.get().pk}"
    assert snippet.label == "Chapter 1"


def test_marks_phrases_across_inline_markup_and_every_occurrence() -> None:
    work = make_work(content="<p>Salt and <em>lantern light</em>; more lantern light later.</p>")
    snippet = snippets_for('"lantern light"', work)[work.pk]
    assert snippet.html.count("<mark>lantern light</mark>") == 2


def test_text_from_the_chapter_is_escaped() -> None:
    work = make_work(content="<p>She wrote &lt;script&gt;alert(1)&lt;/script&gt; on the sail.</p>")
    snippet = snippets_for("sail", work)[work.pk]
    assert "<script>" not in snippet.html
    assert "&lt;script&gt;" in snippet.html
    assert "<mark>sail</mark>" in snippet.html


def test_words_in_attributes_are_not_matches() -> None:
    work = make_work(
        content='<p><a href="https://example.org/compass">link</a> and plain words.</p>'
    )
    assert snippets_for("compass", work) == {}


def test_negated_and_other_field_words_are_not_highlighted() -> None:
    terms = [
        t.text for t in text_terms(parse("anchor -storm title:harbour text:rope", now=NOW).root)
    ]
    assert terms == ["anchor", "rope"]


def test_only_posted_chapters_of_the_given_works_are_read() -> None:
    creator = make_user()
    work = make_work(creator, content="<p>Nothing to see in the first chapter at all.</p>")
    chapter_create(work=work, data=ChapterData(content="<p>The secret compass.</p>"), post=False)
    other = make_work(creator, content="<p>Another compass, another work.</p>")
    assert snippets_for("compass", work) == {}
    chapter_create(
        work=work, data=ChapterData(content="<p>A posted compass.</p>", title="Found"), post=True
    )
    snippet = snippets_for("compass", work)[work.pk]
    assert snippet.label == "Chapter 3: Found"
    assert other.pk not in snippets_for("compass", work)


def test_no_text_words_means_no_snippets() -> None:
    work = make_work(content="<p>Compass rose.</p>")
    assert snippets_for("title:compass", work) == {}
    assert snippets_for("a", work) == {}
    assert highlighter([]) is None


def test_a_match_in_a_huge_chapter_reads_only_a_window() -> None:
    found = highlighter(text_terms(parse("needle", now=NOW).root))
    assert found is not None
    regex = found[0]
    content = "<p>" + "hay " * 200_000 + "needle" + " hay" * 10 + "</p>"
    html = snippet_html(content, regex)
    assert html is not None and "<mark>needle</mark>" in html
    assert len(html) < 600


def test_literals_find_the_same_first_match_as_the_regex() -> None:
    # A word inside an attribute, a longer word that only starts like the search, then the
    # real match; with and without the literals the snippet is the same.
    html = (
        '<p><span title="lantern">x</span> lanterns flicker; a LANTERN glows in the '
        "lantern-room</p>"
    )
    regex, literals = highlighter(text_terms(parse("lantern", now=NOW).root)) or (None, [])
    assert regex is not None
    fast = snippet_html(html, regex, literals)
    slow = snippet_html(html, regex)
    assert fast == slow
    assert fast is not None and "x <mark>lanterns</mark>" in fast


def test_text_whose_lowered_form_changes_length_is_still_matched() -> None:
    # "İ" lowers to two characters, so positions in the lowered text no longer line up.
    html = "<p>İstanbul at night, and the lighthouse keeper kissed her goodbye.</p>"
    regex, literals = highlighter(text_terms(parse("kissed", now=NOW).root)) or (None, [])
    assert regex is not None
    snippet = snippet_html(html, regex, literals)
    assert snippet is not None and "<mark>kissed</mark>" in snippet
