"""Highlighted chapter-text snippets for search results.

The index says which works match; this module shows the reader *where*: for each work on the
results page, the first posted chapter whose text holds a searched word, with a few lines around
the match and every searched word in it marked. It reads only the 20 works of the page, and only
those of their chapters that contain a searched word, so its cost does not grow with the archive.

Matching is deliberately forgiving: the index stems English words, so a search for "kisses" also
finds "kissed". Here each word matches any word that starts with its stem-like base ("kiss"),
which marks what the index matched and, rarely, a little more.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from fanworks.analysis.text.wordcount import html_to_text
from fanworks.search.parser import And, Node, Not, Or, Phrase, Term
from fanworks.works.models import Chapter

# Characters of context kept before and after the first match.
CONTEXT_BEFORE = 110
CONTEXT_AFTER = 190
# Raw HTML read around a candidate match; wide enough to hold the context once tags are gone.
HTML_WINDOW = 1_500
# Searched words shorter than this are not highlighted on their own (they would mark half the
# text); they still count inside phrases.
MIN_WORD_LENGTH = 2
MAX_PATTERNS = 20
# Endings dropped before matching by prefix, longest first.
_SUFFIXES = ("ings", "ing", "ies", "es", "ed", "s")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Snippet:
    work_id: int
    chapter_id: int
    chapter_position: int
    chapter_title: str
    html: SafeString

    @property
    def url(self) -> str:
        return f"/works/{self.work_id}/chapters/{self.chapter_id}"

    @property
    def label(self) -> str:
        if self.chapter_title:
            return f"Chapter {self.chapter_position}: {self.chapter_title}"
        return f"Chapter {self.chapter_position}"


def _base(word: str) -> str:
    lowered = word.lower()
    for suffix in _SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) - len(suffix) >= 3:
            return lowered[: -len(suffix)]
    return lowered


def text_terms(node: Node | None) -> Iterator[Term | Phrase]:
    """The words and phrases a reader searched for in chapter text (not those negated)."""
    if node is None:
        return
    if isinstance(node, Term | Phrase):
        if node.field in (None, "text"):
            yield node
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from text_terms(child)
    elif isinstance(node, Not):
        return


def _pattern(term: Term | Phrase) -> tuple[str, str] | None:
    """(regex source, literal the chapter must contain) for one searched word or phrase."""
    words = _WORD.findall(term.text)
    if not words:
        return None
    if isinstance(term, Term) and len(words) == 1:
        if len(words[0]) < MIN_WORD_LENGTH:
            return None
        base = words[0].lower() if term.prefix else _base(words[0])
        return rf"(?<!\w){re.escape(base)}\w*", base
    parts = [re.escape(w.lower()) for w in words[:-1]] + [re.escape(_base(words[-1]))]
    return r"(?<!\w)" + r"\W+".join(parts) + r"\w*", words[0].lower()


def highlighter(terms: Iterable[Term | Phrase]) -> tuple[re.Pattern[str], list[str]] | None:
    """One case-insensitive regex for every searched word, and the literals to pre-filter on."""
    patterns: dict[str, str] = {}
    for term in terms:
        found = _pattern(term)
        if found is not None:
            patterns.setdefault(found[0], found[1])
        if len(patterns) >= MAX_PATTERNS:
            break
    if not patterns:
        return None
    # Longer patterns first, so a phrase wins over one of its own words.
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile("|".join(ordered), re.IGNORECASE), sorted(set(patterns.values()))


def _trim_tags(fragment: str) -> str:
    """Drop a tag cut in half at either end of a slice of HTML."""
    close = fragment.find(">")
    open_ = fragment.find("<")
    if close != -1 and (open_ == -1 or close < open_):
        fragment = fragment[close + 1 :]
    last_open = fragment.rfind("<")
    if last_open != -1 and fragment.rfind(">") < last_open:
        fragment = fragment[:last_open]
    return fragment


def _marked(text: str, regex: re.Pattern[str]) -> str:
    out: list[str] = []
    position = 0
    for match in regex.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


def _match_starts(content_html: str, regex: re.Pattern[str], literals: list[str]) -> Iterator[int]:
    """Where in the HTML a match of `regex` starts, in order.

    Every match starts with one of `literals` (see `_pattern`), so the search jumps from one
    occurrence of a literal to the next with str.find on the lowered text, and asks the regex
    only there: scanning a whole chapter with the case-insensitive regex took ten times
    longer. A text whose lowered form changes length (a few Unicode letters do) is scanned
    with the regex itself.
    """
    lowered = content_html.lower()
    if len(lowered) != len(content_html):
        for match in regex.finditer(content_html):
            yield match.start()
        return
    found = {literal: lowered.find(literal) for literal in literals}
    while found:
        literal, position = min(found.items(), key=lambda item: item[1])
        if position < 0:
            del found[literal]
            continue
        if regex.match(content_html, position):
            yield position
        found[literal] = lowered.find(literal, position + 1)


def snippet_html(
    content_html: str, regex: re.Pattern[str], literals: list[str] | None = None
) -> SafeString | None:
    """The marked-up context of the first match in a chapter's HTML, or None. `literals`: what
    every match starts with (from `highlighter`), to find the matches faster."""
    if literals:
        starts: Iterable[int] = _match_starts(content_html, regex, literals)
    else:
        starts = (match.start() for match in regex.finditer(content_html))
    for position in starts:
        raw = regex.match(content_html, position)
        if raw is None:
            continue
        start = max(raw.start() - HTML_WINDOW, 0)
        window = html_to_text(_trim_tags(content_html[start : raw.end() + HTML_WINDOW]))
        window = " ".join(window.split())
        if literals:
            first = next(_match_starts(window, regex, literals), None)
            match = None if first is None else regex.match(window, first)
        else:
            match = regex.search(window)
        if match is None:
            continue  # the raw match was inside a tag's attribute; try the next one
        begin = max(match.start() - CONTEXT_BEFORE, 0)
        end = min(match.end() + CONTEXT_AFTER, len(window))
        # Cut at word boundaries so no half words show.
        if begin > 0:
            space = window.find(" ", begin, match.start())
            begin = space + 1 if space != -1 else begin
        if end < len(window):
            space = window.rfind(" ", match.end(), end)
            end = space if space != -1 else end
        body = _marked(window[begin:end], regex)
        prefix = "… " if begin > 0 or start > 0 else ""
        suffix = " …" if end < len(window) else ""
        return mark_safe(prefix + body + suffix)  # noqa: S308 - every piece went through escape()
    return None


def chapter_snippets(work_ids: list[int], query: Node | None) -> dict[int, Snippet]:
    """{work id: snippet} for the works whose posted chapters contain a searched word.

    The callers pass works the viewer may see; only posted chapters are read.
    """
    found = highlighter(text_terms(query))
    if found is None or not work_ids:
        return {}
    regex, literals = found
    contains = Q()
    for literal in literals:
        contains |= Q(content_html__icontains=literal)
    chapters = (
        Chapter.objects.filter(contains, work_id__in=work_ids, posted=True)
        .order_by("work_id", "position")
        .values_list("work_id", "pk", "position", "title", "content_html")
    )
    snippets: dict[int, Snippet] = {}
    for work_id, chapter_id, position, title, content_html in chapters.iterator(chunk_size=20):
        if work_id in snippets:
            continue
        html = snippet_html(content_html, regex, literals)
        if html is not None:
            snippets[work_id] = Snippet(work_id, chapter_id, position, title, html)
    return snippets


def attach_snippets(works: Iterable[Any], query: Node | None) -> None:
    """Set `search_snippet` on each work of a results page that has one (the blurb shows it)."""
    page = list(works)
    found = chapter_snippets([work.pk for work in page], query)
    for work in page:
        work.search_snippet = found.get(work.pk)
