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
                makes a prefix term (drag*), which needs at least 3 characters before the "*"
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
used, at most 5 of them as wildcards (later ``word*`` are searched as the whole word), and
parentheses nest at most 10 deep (deeper ones are ignored); each with a warning. A wildcard
expands to every indexed word it starts, so short or many wildcards are what makes a search
slow; that is why they are capped.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from datetime import datetime

from fanworks.search.lexer import MAX_COUNT, Lexer, Token, split_stars
from fanworks.search.query_ast import (
    ASCENDING_BY_DEFAULT,
    BOOLEAN_FIELDS,
    COUNT_FIELDS,
    DATE_FIELDS,
    FALSE_WORDS,
    QUOTES,
    SORT_KEYS,
    TAG_FIELDS,
    TEXT_FIELDS,
    TRUE_WORDS,
    And,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Range,
    RangeValue,
    Sort,
    Term,
    positive_leaves,
)

__all__ = [
    "ASCENDING_BY_DEFAULT",
    "BOOLEAN_FIELDS",
    "COUNT_FIELDS",
    "DATE_FIELDS",
    "MAX_COUNT",
    "MAX_DEPTH",
    "MAX_PREFIX_TERMS",
    "MAX_QUERY_LENGTH",
    "MAX_TERMS",
    "MIN_PREFIX_LENGTH",
    "QUOTES",
    "SORT_KEYS",
    "TAG_FIELDS",
    "TEXT_FIELDS",
    "And",
    "Node",
    "Not",
    "Or",
    "ParsedQuery",
    "Phrase",
    "Range",
    "RangeValue",
    "Sort",
    "Term",
    "parse",
    "positive_leaves",
]

MAX_QUERY_LENGTH = 1000
MAX_TERMS = 50
MAX_DEPTH = 10
MAX_PREFIX_TERMS = 5
MIN_PREFIX_LENGTH = 3

# ---------------------------------------------------------------------------------------------
# Parentheses: drop unmatched closers and ones nested too deep, close what is left open. After
# this the parser can rely on balanced groups no deeper than MAX_DEPTH.


def _balance(tokens: list[Token], warnings: list[str]) -> list[Token]:
    out: list[Token] = []
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
        out.extend(Token("RPAREN") for kept in open_kept if kept)
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
    # "a a" is "a": a repeated term only costs the backends another clause.
    flat = list(dict.fromkeys(flat))
    if not flat:
        return None
    if len(flat) == 1:
        return flat[0]
    return kind(tuple(flat))


def _negate(node: Node) -> Node:
    return node.child if isinstance(node, Not) else Not(node)


class _Parser:
    def __init__(self, tokens: list[Token], warnings: list[str]) -> None:
        self.tokens = tokens
        self.i = 0
        self.warnings = warnings
        self.ranges: list[Range] = []
        self.sort: Sort | None = None
        self.used = 0
        self.prefixes = 0

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def advance(self) -> Token:
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

    def add_range(self, token: Token, ctx: _Context, *, invert: bool) -> None:
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
        text, stars = split_stars(raw)
        prefix = bool(stars) and stars[-1] == len(text)
        if any(at < len(text) for at in stars):
            shown = text + ("*" if prefix else "")
            self.warn(f"Wildcards only work at the end of a word — searched for “{shown}”")
        if prefix and len(text) < MIN_PREFIX_LENGTH:
            if text:
                self.warn(
                    f"“{text}*” is too short for a wildcard (it needs {MIN_PREFIX_LENGTH} "
                    "characters before the *) — ignored it"
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
            if prefix or (value not in TRUE_WORDS and value not in FALSE_WORDS):
                shown = text + ("*" if prefix else "")
                self.warn(f"“{field_name}:” takes true or false — ignored “{shown}”")
                return None
            return (
                Term(field_name, "true" if value in TRUE_WORDS else "false")
                if self.take_slot()
                else None
            )
        if not self.take_slot():
            return None
        if phrase:
            return Phrase(field_name, text)
        if prefix:
            if self.prefixes >= MAX_PREFIX_TERMS:
                self.warn(
                    f"Only the first {MAX_PREFIX_TERMS} wildcards were used — "
                    "searched the others as whole words"
                )
                prefix = False
            else:
                self.prefixes += 1
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
    tokens = _balance(Lexer(text, now, warnings).run(), warnings)
    parser = _Parser(tokens, warnings)
    root = parser.parse()
    unique = list(dict.fromkeys(warnings))
    return ParsedQuery(root=root, ranges=parser.ranges, sort=parser.sort, warnings=unique)
