"""The vocabulary and the typed AST of the work-search query language (see ``parser``).

Pure Python, no Django: the backends, the highlighter and the forms build on these types.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeAlias

# ---------------------------------------------------------------------------------------------
# Field vocabulary. Keys are what a user may type (lower case), values the canonical names that
# the backends receive.

TAG_FIELDS = frozenset(
    {"tag", "fandom", "character", "relationship", "freeform", "rating", "warning", "category"}
)
TEXT_FIELDS: dict[str, str] = {
    "title": "title",
    "creator": "creator",
    "creators": "creator",
    "author": "creator",
    "authors": "creator",
    "summary": "summary",
    "notes": "notes",
    "tag": "tag",
    "tags": "tag",
    "fandom": "fandom",
    "fandoms": "fandom",
    "character": "character",
    "characters": "character",
    "relationship": "relationship",
    "relationships": "relationship",
    "freeform": "freeform",
    "freeforms": "freeform",
    "additional": "freeform",
    "rating": "rating",
    "ratings": "rating",
    "warning": "warning",
    "warnings": "warning",
    "archive_warning": "warning",
    "archive_warnings": "warning",
    "category": "category",
    "categories": "category",
    "language": "language",
    "complete": "complete",
    "text": "text",
    "chapter": "text",
}
BOOLEAN_FIELDS = frozenset({"complete"})
COUNT_FIELDS: dict[str, str] = {
    "words": "words",
    "word": "words",
    "word_count": "words",
    "kudos": "kudos",
    "kudos_count": "kudos",
    "hits": "hits",
    "comments": "comments",
    "comments_count": "comments",
    "bookmarks": "bookmarks",
    "bookmarks_count": "bookmarks",
    "chapters": "chapters",
}
DATE_FIELDS: dict[str, str] = {
    "updated": "updated",
    "revised": "updated",
    "revised_at": "updated",
    "posted": "posted",
    "published": "posted",
    "created_at": "posted",
}
SORT_KEYS: dict[str, str] = {
    "relevance": "relevance",
    "best": "relevance",
    "best_match": "relevance",
    "score": "relevance",
    "kudos": "kudos",
    "kudos_count": "kudos",
    "words": "words",
    "word": "words",
    "word_count": "words",
    "hits": "hits",
    "comments": "comments",
    "comments_count": "comments",
    "bookmarks": "bookmarks",
    "bookmarks_count": "bookmarks",
    "title": "title",
    "creator": "creator",
    "creators": "creator",
    "author": "creator",
    "authors": "creator",
    "posted": "posted",
    "published": "posted",
    "date_posted": "posted",
    "created_at": "posted",
    "updated": "updated",
    "revised": "updated",
    "date_updated": "updated",
    "revised_at": "updated",
    "date": "updated",
}
ASCENDING_BY_DEFAULT = frozenset({"title", "creator"})
TRUE_WORDS = frozenset({"true", "yes", "y", "t", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "f", "0"})

QUOTES = '"“”„'
OPERATOR_WORDS = {"OR": "OR", "AND": "AND", "&&": "AND", "NOT": "NOT"}

# ---------------------------------------------------------------------------------------------
# The AST.


@dataclass(frozen=True)
class Term:
    """One word; ``prefix`` means it was written ``word*`` and matches words starting so."""

    field: str | None
    text: str
    prefix: bool = False

    def to_text(self) -> str:
        value = _escape_word(self.text, fielded=self.field is not None)
        return _with_field(self.field, value + ("*" if self.prefix else ""))


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together, in order."""

    field: str | None
    text: str

    def to_text(self) -> str:
        body = "".join("\\" + ch if ch == "\\" or ch in QUOTES else ch for ch in self.text)
        return _with_field(self.field, f'"{body}"')


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]

    def to_text(self) -> str:
        return " ".join(child.to_text() for child in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]

    def to_text(self) -> str:
        return " OR ".join(
            f"({child.to_text()})" if isinstance(child, And) else child.to_text()
            for child in self.children
        )


@dataclass(frozen=True)
class Not:
    child: Node

    def to_text(self) -> str:
        if isinstance(self.child, And | Or):
            return f"-({self.child.to_text()})"
        return "-" + self.child.to_text()


Node: TypeAlias = Term | Phrase | And | Or | Not
RangeValue: TypeAlias = int | datetime


@dataclass(frozen=True)
class Range:
    """Bounds on a count ("words") or a date ("updated"); None means unbounded on that side."""

    field: str
    low: RangeValue | None
    high: RangeValue | None
    low_inclusive: bool = True
    high_inclusive: bool = True
    text: str = ""  # the normalised form, e.g. "updated<1 week", shown back to the reader

    def to_text(self) -> str:
        return self.text

    def contains(self, value: RangeValue) -> bool:
        """Whether ``value`` lies within the bounds (the reference the backends test against)."""
        low, high = self.low, self.high
        if low is not None and (_less(value, low) or (value == low and not self.low_inclusive)):
            return False
        return high is None or not (
            _less(high, value) or (value == high and not self.high_inclusive)
        )


def _less(a: RangeValue, b: RangeValue) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a < b
    if isinstance(a, int) and isinstance(b, int):
        return a < b
    raise TypeError(f"can't compare {type(a).__name__} with {type(b).__name__}")


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool

    def to_text(self) -> str:
        default_descending = self.field not in ASCENDING_BY_DEFAULT
        if self.descending == default_descending:
            return f"sort:{self.field}"
        return f"sort:{self.field} {'descending' if self.descending else 'ascending'}"


@dataclass
class ParsedQuery:
    root: Node | None
    ranges: list[Range] = field(default_factory=list)
    sort: Sort | None = None
    warnings: list[str] = field(default_factory=list)

    def to_text(self) -> str:
        """The query as understood, normalised; parsing it again gives the same result."""
        parts = [self.root.to_text()] if self.root is not None else []
        parts += [r.to_text() for r in self.ranges]
        if self.sort is not None:
            parts.append(self.sort.to_text())
        return " ".join(parts)

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to match on (a listing of everything, maybe sorted)."""
        return self.root is None and not self.ranges


def positive_leaves(node: Node | None) -> Iterator[Term | Phrase]:
    """The terms and phrases not under a NOT: what a results page highlights."""
    if node is None or isinstance(node, Not):
        return
    if isinstance(node, Term | Phrase):
        yield node
        return
    for child in node.children:  # And or Or
        yield from positive_leaves(child)


def _with_field(name: str | None, value: str) -> str:
    return value if name is None else f"{name}:{value}"


SORT_HEAD = re.compile(r"sort(?:ed)?(?:[ _]?by)?(>=|<=|>|<|=|:)", re.IGNORECASE)
_LOOKS_LIKE_HEAD = re.compile(r"[A-Za-z_]+(?=[:<>=])")


def _is_url_scheme(text: str, end: int) -> bool:
    """``http://…``: the lexer reads an unknown name followed by "://" as one plain word."""
    name = text[:end].lower()
    return (
        text.startswith("://", end)
        and name not in TEXT_FIELDS
        and name not in COUNT_FIELDS
        and name not in DATE_FIELDS
        and SORT_HEAD.match(text) is None
    )


def _escape_word(text: str, *, fielded: bool) -> str:
    escaped = "".join("\\" + ch if ch in '\\()|*"“”„' or ch.isspace() else ch for ch in text)
    if fielded:
        return escaped
    if text in OPERATOR_WORDS or text[:1] in ("-", "+"):
        return "\\" + escaped
    head = _LOOKS_LIKE_HEAD.match(escaped)
    if head is not None and not _is_url_scheme(escaped, head.end()):
        return escaped[: head.end()] + "\\" + escaped[head.end() :]
    return escaped
