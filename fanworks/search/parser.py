"""The work-search query language: AO3's syntax parsed into a typed AST.

``parse(query, now=...)`` never raises. Whatever it cannot understand is dropped or searched as
plain text, and a human-readable warning says so, so the results page can show what it did.

Grammar (operators are upper case; field names, sort keys and units are not case-sensitive)::

    query    := and_expr
    and_expr := or_expr ( ["AND" | "&&"] or_expr )*      juxtaposition means AND
    or_expr  := unary ( ("OR" | "||" | "|") unary )*
    unary    := ("NOT" | "-")* primary                     "-" only when glued: -word -"a b" -(x)
    primary  := "(" and_expr ")" | field | range | sort | phrase | word
    field    := name ":" ( word | phrase | "(" and_expr ")" )   title:(a OR b) fields each term
    phrase   := '"' text '"'                               “curly” and „low“ quotes work too
    word     := characters up to whitespace ( ) | or a quote; "\\x" escapes x; a trailing "*"
                makes a prefix term (drag*), which needs at least 2 characters before the "*"
    range    := count op N | count (":" | "=") N "-" N     words>1,000  kudos:10-50  chapters:1
              | date op N unit | date ":" N "-" N unit      updated<1 week  posted:1-2 years
              | date op YYYY-MM-DD | date ":" DATE "-" DATE
    op       := ":" | "=" | ">" | "<" | ">=" | "<="        also "words:>1000" as AO3 allows
    sort     := "sort" ":" [">" | "<"] key ["ascending" | "descending"]

Precedence: OR binds tighter than AND, as in Lucene's classic parser with AND as the default
operator, so ``a b OR c`` means ``a AND (b OR c)`` and ``a OR b c`` means ``(a OR b) AND c``.
An explicit AND is the same as juxtaposition. Use parentheses for anything else. ``to_text``
writes the minimal parentheses under this rule.

Fields: title, creator (author, creators), summary, notes, tag and one per tag type (fandom,
character, relationship, freeform/additional, rating, warning/archive_warning, category),
language, complete (true/false/yes/no) and text/chapter for chapter text. A name before ":"
that is not a field is searched as text with a warning (``Re:Zero`` searches "Re" and "Zero").

Ranges are not part of the boolean tree: every range narrows the whole search, so they come
back in ``ParsedQuery.ranges`` as concrete bounds (ints, or datetimes resolved against ``now``).
Counts: words, kudos, hits, comments, bookmarks, chapters. Dates: updated (revised), posted
(published). Relative dates follow AO3: ``updated<1 week`` is "updated within the last week",
``updated>2 months`` is "longer ago than 2 months", ``posted:1-2 years`` is between one and two
years ago, and ``posted:3 weeks`` is the calendar week (Monday to Monday) three weeks back.
Absolute dates count whole days: ``updated>2024-01-01`` starts at 2 January, and
``posted:2023-01-01-2023-06-30`` includes all of 30 June. A range directly under NOT is
inverted when it has one side (``-words>1000`` is ``words<=1000``); a range that cannot be
negated, or that sits in a negated group, is ignored with a warning; one inside an OR still
narrows the whole search, with a warning.

Sort: ``sort:kudos`` (also words, hits, comments, bookmarks, title, creator, posted, updated,
relevance/best) is taken out of the query into ``ParsedQuery.sort``. Numbers and dates default
to descending, title and creator to ascending. As on AO3, ``sort:>kudos`` is ascending and
``sort:<kudos`` descending; a trailing "ascending" or "descending" wins over either.

Limits: the query is cut at 1,000 characters, at most 50 terms (words, phrases and ranges) are
used, and parentheses nest at most 10 deep (deeper ones are ignored); each with a warning.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeAlias

from fanworks.search import dates

MAX_QUERY_LENGTH = 1000
MAX_TERMS = 50
MAX_DEPTH = 10
# Counts above this are clamped: it is exact in a float and fits every database integer.
MAX_COUNT = 2**53

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
_TRUE = frozenset({"true", "yes", "y", "t", "1"})
_FALSE = frozenset({"false", "no", "n", "f", "0"})

QUOTES = '"“”„'
_OPERATOR_WORDS = {"OR": "OR", "AND": "AND", "&&": "AND", "NOT": "NOT"}

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


_LOOKS_LIKE_HEAD = re.compile(r"[A-Za-z_]+(?=[:<>=])")


def _is_url_scheme(text: str, end: int) -> bool:
    """``http://…``: the lexer reads an unknown name followed by "://" as one plain word."""
    name = text[:end].lower()
    return (
        text.startswith("://", end)
        and name not in TEXT_FIELDS
        and name not in COUNT_FIELDS
        and name not in DATE_FIELDS
        and _SORT_HEAD.match(text) is None
    )


def _escape_word(text: str, *, fielded: bool) -> str:
    escaped = "".join("\\" + ch if ch in '\\()|*"“”„' or ch.isspace() else ch for ch in text)
    if fielded:
        return escaped
    if text in _OPERATOR_WORDS or text[:1] in ("-", "+"):
        return "\\" + escaped
    head = _LOOKS_LIKE_HEAD.match(escaped)
    if head is not None and not _is_url_scheme(escaped, head.end()):
        return escaped[: head.end()] + "\\" + escaped[head.end() :]
    return escaped


# ---------------------------------------------------------------------------------------------
# Lexer: the query string to a flat list of tokens. Ranges and sorts are understood here, since
# "updated<1 week" spans whitespace; anything malformed becomes a warning and no token.


@dataclass(frozen=True)
class _RangeSpec:
    range: Range
    op: str  # "<", "<=", ">", ">=" for one-sided ranges (invertible); ":" otherwise
    value_text: str

    def inverted(self) -> Range | None:
        flipped = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}.get(self.op)
        if flipped is None:
            return None
        r = self.range
        return Range(
            field=r.field,
            low=r.high,
            high=r.low,
            # An open side is always marked inclusive, so equal ranges compare equal.
            low_inclusive=r.high is None or not r.high_inclusive,
            high_inclusive=r.low is None or not r.low_inclusive,
            text=f"{r.field}{flipped}{self.value_text}",
        )


@dataclass(frozen=True)
class _Token:
    kind: str  # LPAREN RPAREN OR AND NOT WORD PHRASE FIELD RANGE SORT
    text: str = ""
    range: _RangeSpec | None = None
    sort: Sort | None = None


_WS = re.compile(r"\s*")
_WORD = re.compile(r'(?:\\.|\\\Z|[^\s()|"“”„\\])+', re.DOTALL)
_PHRASE_BODY = re.compile(r'(?:\\.|\\\Z|[^"“”„\\])*', re.DOTALL)
_HEAD = re.compile(r"([A-Za-z_]+)(>=|<=|=>|=<|>|<|=|:)")
_SORT_HEAD = re.compile(r"sort(?:ed)?(?:[ _]?by)?(>=|<=|>|<|=|:)", re.IGNORECASE)
_SORT_KEY = re.compile(r"\s*([<>]?)\s*(\w+)")
_SORT_DIRECTION = re.compile(r"\s+(ascending|descending|asc|desc)(?![\w])", re.IGNORECASE)
_COMPARISON = re.compile(r">=|<=|=>|=<|>|<|=")
_NUMBER = r"\d(?:[\d,]*\d)?"
_NUMBERS = re.compile(rf"({_NUMBER})(?:-({_NUMBER}))?")
_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_DATES = re.compile(rf"{_DATE}(?:-{_DATE})?")
_LETTERS = re.compile(r"[A-Za-z]+")
_BOUNDARY = frozenset('()|"“”„')


def _unescape(raw: str) -> str:
    """Backslash escapes removed; a lone backslash at the very end escapes nothing."""
    chars: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "\\":
            if i + 1 < len(raw):
                chars.append(raw[i + 1])
            i += 2
        else:
            chars.append(raw[i])
            i += 1
    return "".join(chars)


def _split_stars(raw: str) -> tuple[str, list[int]]:
    """The word without escapes and unescaped ``*``, and where those stars stood in it."""
    chars: list[str] = []
    stars: list[int] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\":
            if i + 1 < len(raw):
                chars.append(raw[i + 1])
            i += 2
            continue
        if ch == "*":
            stars.append(len(chars))
        else:
            chars.append(ch)
        i += 1
    return "".join(chars), stars


def _to_count(digits: str) -> int:
    return min(int(digits.replace(",", "")), MAX_COUNT)


class _Lexer:
    def __init__(self, query: str, now: datetime, warnings: list[str]) -> None:
        self.s = query
        self.n = len(query)
        self.pos = 0
        self.now = now
        self.warnings = warnings
        self.tokens: list[_Token] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def emit(self, kind: str, text: str = "") -> None:
        self.tokens.append(_Token(kind, text))

    def skip_ws(self, pos: int) -> int:
        match = _WS.match(self.s, pos)
        return match.end() if match else pos

    def at_boundary(self, pos: int) -> bool:
        return pos >= self.n or self.s[pos].isspace() or self.s[pos] in _BOUNDARY

    def word_end(self, pos: int) -> int:
        match = _WORD.match(self.s, pos)
        return match.end() if match else pos + 1

    def run(self) -> list[_Token]:
        s = self.s
        while True:
            self.pos = self.skip_ws(self.pos)
            if self.pos >= self.n:
                return self.tokens
            ch = s[self.pos]
            nxt = s[self.pos + 1] if self.pos + 1 < self.n else ""
            if ch == "(":
                self.emit("LPAREN")
                self.pos += 1
            elif ch == ")":
                self.emit("RPAREN")
                self.pos += 1
            elif ch == "|":
                self.emit("OR")
                self.pos += 2 if nxt == "|" else 1
            elif ch in QUOTES:
                self.phrase()
            elif ch in "-+" and nxt and not nxt.isspace() and nxt not in ")|-+":
                if ch == "-":
                    self.emit("NOT")
                self.pos += 1
            else:
                self.word_like()

    def phrase(self) -> None:
        start = self.pos + 1
        match = _PHRASE_BODY.match(self.s, start)
        end = match.end() if match else start
        body = self.s[start:end]
        if end >= self.n:
            self.warn("Unmatched quote — treated the rest as a phrase")
            self.pos = self.n
        else:
            self.pos = end + 1
        self.emit("PHRASE", _unescape(body))

    def word_like(self) -> None:
        sort_head = _SORT_HEAD.match(self.s, self.pos)
        if sort_head is not None:
            self.sort(sort_head)
            return
        head = _HEAD.match(self.s, self.pos)
        if head is not None:
            name, op = head.group(1).lower(), head.group(2)
            if name in COUNT_FIELDS or name in DATE_FIELDS:
                self.range(head)
                return
            if op == ":" and name in TEXT_FIELDS:
                self.field(TEXT_FIELDS[name], head.group(1), head.end())
                return
            if op == ":" and not self.s.startswith("//", head.end()):
                self.warn(f"Unknown field “{head.group(1)}:” — searched for it as text")
                self.emit("WORD", head.group(1))
                self.pos = head.end()
                return
        end = self.word_end(self.pos)
        raw = self.s[self.pos : end]
        self.pos = end
        if raw in _OPERATOR_WORDS:
            self.emit(_OPERATOR_WORDS[raw])
        else:
            self.emit("WORD", raw)

    # -- fields -----------------------------------------------------------------------------

    def field(self, name: str, typed: str, pos: int) -> None:
        """``typed:`` (the field ``name``) has been read; its value follows, maybe after spaces."""
        spaced = pos < self.n and self.s[pos].isspace()
        value_at = self.skip_ws(pos)
        self.pos = value_at
        if value_at >= self.n or self.s[value_at] in ")|":
            self.warn(f"“{typed}:” has nothing after it — ignored it")
            return
        ch = self.s[value_at]
        if ch == "(" or ch in QUOTES:
            self.emit("FIELD", name)  # the group or phrase is read by the main loop
            return
        end = self.word_end(value_at)
        raw = self.s[value_at:end]
        if spaced and (
            raw in _OPERATOR_WORDS
            or ch in "-+"
            or _HEAD.match(self.s, value_at) is not None
            or _SORT_HEAD.match(self.s, value_at) is not None
        ):
            self.warn(f"“{typed}:” has nothing after it — ignored it")
            return
        self.emit("FIELD", name)
        self.emit("WORD", raw)
        self.pos = end

    # -- sort -------------------------------------------------------------------------------

    def sort(self, head: re.Match[str]) -> None:
        op = head.group(1)
        key_match = _SORT_KEY.match(self.s, head.end())
        if key_match is None or (op != ":" and key_match.group(1)):
            end = self.word_end(head.end()) if not self.at_boundary(head.end()) else head.end()
            self.warn(
                f"“{self.s[self.pos : end]}” doesn't say what to sort by — "
                "try sort:kudos, sort:updated or sort:title"
            )
            self.pos = end
            return
        arrow = key_match.group(1) or op
        key = key_match.group(2)
        end = key_match.end()
        direction = _SORT_DIRECTION.match(self.s, end)
        if direction is not None:
            end = direction.end()
        self.pos = end
        canonical = SORT_KEYS.get(key.lower())
        if canonical is None:
            self.warn(
                f"Can't sort by “{key}” — try kudos, words, hits, comments, bookmarks, "
                "title, creator, posted, updated or relevance"
            )
            return
        descending = canonical not in ASCENDING_BY_DEFAULT
        if arrow.startswith(">"):
            descending = False
        elif arrow.startswith("<"):
            descending = True
        if direction is not None:
            descending = direction.group(1).lower().startswith("desc")
        self.tokens.append(_Token("SORT", sort=Sort(canonical, descending)))

    # -- ranges -----------------------------------------------------------------------------

    def range(self, head: re.Match[str]) -> None:
        name = head.group(1).lower()
        is_date = name in DATE_FIELDS
        canonical = DATE_FIELDS[name] if is_date else COUNT_FIELDS[name]
        op = head.group(2)
        value_at = head.end()
        if op == ":":
            after = self.skip_ws(value_at)
            comparison = _COMPARISON.match(self.s, after)
            if comparison is not None:
                op, value_at = comparison.group(), comparison.end()
        op = {"=>": ">=", "=<": "<="}.get(op, op)
        if op == "=":
            op = ":"
        spaced = value_at < self.n and self.s[value_at].isspace()
        value_at = self.skip_ws(value_at)
        if is_date:
            spec, end = self.date_value(canonical, op, value_at)
        else:
            spec, end = self.count_value(canonical, op, value_at)
        if spec is not None:
            self.tokens.append(_Token("RANGE", range=spec))
            self.pos = end
            return
        if spaced or self.at_boundary(value_at):
            end = value_at  # leave a separate following word to be searched
        elif end <= value_at:
            end = self.word_end(value_at)
        shown = self.s[self.pos : end].strip()
        example = (
            f"{canonical}<1 week or {canonical}>2024-01-31"
            if is_date
            else f"{canonical}>1000 or {canonical}:1000-5000"
        )
        self.warn(f"Couldn't understand the range “{shown}” — ignored it (try {example})")
        self.pos = end

    def count_value(self, name: str, op: str, pos: int) -> tuple[_RangeSpec | None, int]:
        match = _NUMBERS.match(self.s, pos)
        if match is None or not self.at_boundary(match.end()):
            return None, self.word_end(pos) if not self.at_boundary(pos) else pos
        low_text, high_text = match.group(1), match.group(2)
        low = _to_count(low_text)
        if high_text is None:
            return self.one_value(name, op, low, low, True, str(low)), match.end()
        if op != ":":
            return None, match.end()
        high = _to_count(high_text)
        if low > high:
            low, high = high, low
            self.warn(
                f"“{self.s[self.pos : match.end()]}” runs backwards — searched {name}:{low}-{high}"
            )
        text = f"{name}:{low}" if low == high else f"{name}:{low}-{high}"
        return _RangeSpec(Range(name, low, high, True, True, text), ":", ""), match.end()

    @staticmethod
    def one_value(
        name: str, op: str, low: RangeValue, high: RangeValue, closed: bool, shown: str
    ) -> _RangeSpec:
        """A range from one value that stands for ``[low, high]`` (``[low, high)`` unless
        ``closed``): the number 5 is [5, 5], the day 2024-01-01 is [midnight, next midnight)."""
        text = f"{name}{op}{shown}"
        if op == ">":
            return _RangeSpec(Range(name, high, None, not closed, True, text), op, shown)
        if op == ">=":
            return _RangeSpec(Range(name, low, None, True, True, text), op, shown)
        if op == "<":
            return _RangeSpec(Range(name, None, low, True, False, text), op, shown)
        if op == "<=":
            return _RangeSpec(Range(name, None, high, True, closed, text), op, shown)
        return _RangeSpec(Range(name, low, high, True, closed, f"{name}:{shown}"), ":", shown)

    def date_value(self, name: str, op: str, pos: int) -> tuple[_RangeSpec | None, int]:
        absolute = _DATES.match(self.s, pos)
        if absolute is not None and self.at_boundary(absolute.end()):
            return self.calendar_range(name, op, absolute), absolute.end()
        age = _NUMBERS.match(self.s, pos)
        if age is None:
            return None, pos
        end = age.end()
        unit_at = self.skip_ws(end)
        letters = _LETTERS.match(self.s, unit_at)
        if letters is None or not self.at_boundary(letters.end()):
            return None, end if unit_at > end else self.word_end(pos)
        word = letters.group().lower()
        unit = dates.UNITS.get(word) or (dates.GLUED_UNITS.get(word) if unit_at == end else None)
        if unit is None:
            return None, end if unit_at > end else letters.end()
        return self.age_range(name, op, age, unit), letters.end()

    def age_range(self, name: str, op: str, age: re.Match[str], unit: str) -> _RangeSpec | None:
        first = _to_count(age.group(1))
        if age.group(2) is None:
            moment = dates.ago(self.now, first, unit)
            shown = f"{first} {dates.unit_name(unit, first)}"
            if op == ":":
                start = dates.period_start(moment, unit)
                end = dates.period_end(start, unit)
                return _RangeSpec(Range(name, start, end, True, False, f"{name}:{shown}"), ":", "")
            # "<1 week" is newer than a week ago: the bound is on the low side of the dates.
            flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
            spec = self.one_value(name, flipped, moment, moment, True, shown)
            r = spec.range
            return _RangeSpec(replace(r, text=f"{name}{op}{shown}"), op, shown)
        if op != ":":
            return None
        second = _to_count(age.group(2))
        if first > second:
            first, second = second, first
            self.warn(
                f"“{self.s[self.pos : age.end()]}…” runs backwards — "
                f"searched {name}:{first}-{second} {unit}s"
            )
        low = dates.ago(self.now, second, unit)
        high = dates.ago(self.now, first, unit)
        text = f"{name}:{first}-{second} {unit}s"
        return _RangeSpec(Range(name, low, high, True, True, text), ":", "")

    def calendar_range(self, name: str, op: str, match: re.Match[str]) -> _RangeSpec | None:
        groups = match.groups()
        first = dates.calendar_day(self.now, *(int(g) for g in groups[:3]))
        second = None
        if groups[3] is not None:
            second = dates.calendar_day(self.now, *(int(g) for g in groups[3:]))
            if second is None or op != ":":
                first = None
        if first is None:
            return None
        if second is None:
            shown = first.date().isoformat()
            return self.one_value(name, op, first, dates.next_day(first), False, shown)
        if first > second:
            first, second = second, first
            self.warn(
                f"“{match.group()}” runs backwards — searched {name}:"
                f"{first.date().isoformat()}-{second.date().isoformat()}"
            )
        text = f"{name}:{first.date().isoformat()}-{second.date().isoformat()}"
        upper = dates.next_day(second)
        return _RangeSpec(Range(name, first, upper, True, False, text), ":", "")


# ---------------------------------------------------------------------------------------------
# Parentheses: drop unmatched closers and ones nested too deep, close what is left open. After
# this the parser can rely on balanced groups no deeper than MAX_DEPTH.


def _balance(tokens: list[_Token], warnings: list[str]) -> list[_Token]:
    out: list[_Token] = []
    open_kept: list[bool] = []
    depth = 0
    for token in tokens:
        if token.kind == "LPAREN":
            keep = depth < MAX_DEPTH
            if keep:
                depth += 1
                out.append(token)
            else:
                warnings.append(f"Parentheses nested deeper than {MAX_DEPTH} levels were ignored")
            open_kept.append(keep)
        elif token.kind == "RPAREN":
            if not open_kept:
                warnings.append("Unmatched “)” — ignored it")
                continue
            if open_kept.pop():
                depth -= 1
                out.append(token)
        else:
            out.append(token)
    if open_kept:
        warnings.append("Unmatched “(” — closed it at the end")
        out.extend(_Token("RPAREN") for kept in open_kept if kept)
    return out


# ---------------------------------------------------------------------------------------------
# Parser: recursive descent over the balanced tokens.


@dataclass(frozen=True)
class _Context:
    field: str | None = None  # the field of an enclosing title:( … ) group
    negated_group: bool = False  # inside -( … ): ranges here cannot be honoured


_PUNCTUATION = frozenset(string.punctuation)
_STOPS = frozenset({"RPAREN", "OR", "AND"})


def _flatten(kind: type[And] | type[Or], children: list[Node]) -> Node | None:
    flat: list[Node] = []
    for child in children:
        if isinstance(child, And | Or) and isinstance(child, kind):
            flat.extend(child.children)
        else:
            flat.append(child)
    if not flat:
        return None
    if len(flat) == 1:
        return flat[0]
    return kind(tuple(flat))


def _negate(node: Node) -> Node:
    return node.child if isinstance(node, Not) else Not(node)


class _Parser:
    def __init__(self, tokens: list[_Token], warnings: list[str]) -> None:
        self.tokens = tokens
        self.i = 0
        self.warnings = warnings
        self.ranges: list[Range] = []
        self.sort: Sort | None = None
        self.used = 0

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def advance(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def stops(self) -> bool:
        token = self.peek()
        return token is None or token.kind in _STOPS

    def parse(self) -> Node | None:
        root = self.parse_and(_Context())
        while self.peek() is not None:  # a stray ")" cannot survive _balance; be safe anyway
            self.advance()
            root = _flatten(And, [n for n in (root, self.parse_and(_Context())) if n is not None])
        return root

    def parse_and(self, ctx: _Context) -> Node | None:
        children: list[Node] = []
        started = False
        while (token := self.peek()) is not None and token.kind != "RPAREN":
            if token.kind == "AND":
                self.advance()
                if not started or self.stops():
                    self.warn("“AND” needs something on both sides — ignored it")
                continue
            if token.kind == "OR":
                self.advance()
                self.warn("“OR” needs something on both sides — ignored it")
                continue
            started = True
            node = self.parse_or(ctx)
            if node is not None:
                children.append(node)
        return _flatten(And, children)

    def parse_or(self, ctx: _Context) -> Node | None:
        ranges_before = len(self.ranges)
        operands = [self.parse_unary(ctx)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.advance()
            while (token := self.peek()) is not None and token.kind == "OR":
                self.advance()
                self.warn("“OR” needs something on both sides — ignored it")
            if self.stops():
                self.warn("“OR” needs something on both sides — ignored it")
                break
            operands.append(self.parse_unary(ctx))
        if len(operands) > 1 and len(self.ranges) > ranges_before:
            shown = self.ranges[ranges_before].text
            self.warn(
                f"Ranges such as “{shown}” narrow the whole search — OR doesn't apply to them"
            )
        return _flatten(Or, [node for node in operands if node is not None])

    def parse_unary(self, ctx: _Context) -> Node | None:
        negations = 0
        while (token := self.peek()) is not None and token.kind == "NOT":
            self.advance()
            negations += 1
        if negations == 0:
            return self.parse_primary(ctx)
        token = self.peek()
        if token is None or token.kind in _STOPS:
            self.warn("“NOT” needs something after it — ignored it")
            return None
        odd = negations % 2 == 1
        if token.kind == "RANGE":
            self.advance()
            self.add_range(token, ctx, invert=odd)
            return None
        node = self.parse_primary(replace(ctx, negated_group=True) if odd else ctx)
        if node is None or not odd:
            return node
        return _negate(node)

    def parse_primary(self, ctx: _Context) -> Node | None:
        token = self.peek()
        if token is None or token.kind in _STOPS:
            return None  # callers check first; never loop on a token we did not consume
        self.advance()
        if token.kind == "LPAREN":
            if (nxt := self.peek()) is not None and nxt.kind == "RPAREN":
                self.advance()
                self.warn("Empty parentheses — ignored them")
                return None
            node = self.parse_and(ctx)
            if (nxt := self.peek()) is not None and nxt.kind == "RPAREN":
                self.advance()
            return node
        if token.kind == "FIELD":
            if self.stops():
                self.warn(f"“{token.text}:” has nothing after it — ignored it")
                return None
            return self.parse_unary(replace(ctx, field=token.text))
        if token.kind == "WORD":
            return self.word(token.text, ctx.field)
        if token.kind == "PHRASE":
            return self.phrase(token.text, ctx.field)
        if token.kind == "RANGE":
            self.add_range(token, ctx, invert=False)
            return None
        if token.kind == "SORT" and token.sort is not None:
            if self.sort is not None and self.sort != token.sort:
                self.warn(f"More than one sort — used the last, {token.sort.to_text()}")
            self.sort = token.sort
        return None

    # -- leaves -----------------------------------------------------------------------------

    def take_slot(self) -> bool:
        if self.used >= MAX_TERMS:
            self.warn(f"Only the first {MAX_TERMS} terms were used")
            return False
        self.used += 1
        return True

    def add_range(self, token: _Token, ctx: _Context, *, invert: bool) -> None:
        spec = token.range
        if spec is None:
            return
        if ctx.negated_group:
            self.warn(f"“{spec.range.text}” can't be used inside a negated group — ignored it")
            return
        result = spec.inverted() if invert else spec.range
        if result is None:
            self.warn(f"“-{spec.range.text}” can't be negated — ignored it")
            return
        if self.take_slot():
            self.ranges.append(result)

    def word(self, raw: str, field_name: str | None) -> Node | None:
        text, stars = _split_stars(raw)
        prefix = bool(stars) and stars[-1] == len(text)
        if any(at < len(text) for at in stars):
            shown = text + ("*" if prefix else "")
            self.warn(f"Wildcards only work at the end of a word — searched for “{shown}”")
        if prefix and len(text) < 2:
            if text:
                self.warn(
                    f"“{text}*” is too short for a wildcard (it needs 2 characters before "
                    "the *) — ignored it"
                )
            else:
                self.warn("A lone “*” would match everything — ignored it")
            return None
        return self.leaf(field_name, text, prefix=prefix, phrase=False)

    def phrase(self, raw: str, field_name: str | None) -> Node | None:
        return self.leaf(field_name, " ".join(raw.split()), prefix=False, phrase=True)

    def leaf(self, field_name: str | None, text: str, *, prefix: bool, phrase: bool) -> Node | None:
        if all(ch in _PUNCTUATION or ch.isspace() for ch in text):
            return None  # nothing a search index would keep: "&", "-", ""
        if field_name in BOOLEAN_FIELDS:
            value = text.strip().lower()
            if prefix or (value not in _TRUE and value not in _FALSE):
                shown = text + ("*" if prefix else "")
                self.warn(f"“{field_name}:” takes true or false — ignored “{shown}”")
                return None
            return (
                Term(field_name, "true" if value in _TRUE else "false")
                if self.take_slot()
                else None
            )
        if not self.take_slot():
            return None
        if phrase:
            return Phrase(field_name, text)
        return Term(field_name, text, prefix)


# ---------------------------------------------------------------------------------------------


def _cut(query: str, warnings: list[str]) -> str:
    if len(query) <= MAX_QUERY_LENGTH:
        return query
    warnings.append(
        f"The search was longer than {MAX_QUERY_LENGTH:,} characters — "
        f"only the first {MAX_QUERY_LENGTH:,} were used"
    )
    cut = query[:MAX_QUERY_LENGTH]
    if not query[MAX_QUERY_LENGTH].isspace():
        # Don't search for half a word: back up to the last whitespace if there is one.
        last_space = max((i for i, ch in enumerate(cut) if ch.isspace()), default=-1)
        if last_space > 0:
            cut = cut[:last_space]
    return cut


def parse(query: str, *, now: datetime) -> ParsedQuery:
    """Parse a work-search query. Never raises; see the module docstring for the grammar."""
    warnings: list[str] = []
    text = _cut(query, warnings)
    tokens = _balance(_Lexer(text, now, warnings).run(), warnings)
    parser = _Parser(tokens, warnings)
    root = parser.parse()
    unique = list(dict.fromkeys(warnings))
    return ParsedQuery(root=root, ranges=parser.ranges, sort=parser.sort, warnings=unique)
