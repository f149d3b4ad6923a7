"""The lexer of the work-search query language (see ``parser``): the query string to a flat
list of tokens. Ranges and sorts are understood here, since "updated<1 week" spans whitespace;
anything malformed becomes a warning and no token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from fanworks.search import dates
from fanworks.search.query_ast import (
    ASCENDING_BY_DEFAULT,
    COUNT_FIELDS,
    DATE_FIELDS,
    OPERATOR_WORDS,
    QUOTES,
    SORT_HEAD,
    SORT_KEYS,
    TEXT_FIELDS,
    Range,
    RangeValue,
    Sort,
)

# Counts above this are clamped: it is exact in a float and fits every database integer.
MAX_COUNT = 2**53


@dataclass(frozen=True)
class RangeSpec:
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
class Token:
    kind: str  # LPAREN RPAREN OR AND NOT WORD PHRASE FIELD RANGE SORT
    text: str = ""
    range: RangeSpec | None = None
    sort: Sort | None = None


_WS = re.compile(r"\s*")
_WORD = re.compile(r'(?:\\.|\\\Z|[^\s()|"“”„\\])+', re.DOTALL)
_PHRASE_BODY = re.compile(r'(?:\\.|\\\Z|[^"“”„\\])*', re.DOTALL)
_HEAD = re.compile(r"([A-Za-z_]+)(>=|<=|=>|=<|>|<|=|:)")
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


def split_stars(raw: str) -> tuple[str, list[int]]:
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


class Lexer:
    def __init__(self, query: str, now: datetime, warnings: list[str]) -> None:
        self.s = query
        self.n = len(query)
        self.pos = 0
        self.now = now
        self.warnings = warnings
        self.tokens: list[Token] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def emit(self, kind: str, text: str = "") -> None:
        self.tokens.append(Token(kind, text))

    def skip_ws(self, pos: int) -> int:
        match = _WS.match(self.s, pos)
        return match.end() if match else pos

    def at_boundary(self, pos: int) -> bool:
        return pos >= self.n or self.s[pos].isspace() or self.s[pos] in _BOUNDARY

    def word_end(self, pos: int) -> int:
        match = _WORD.match(self.s, pos)
        return match.end() if match else pos + 1

    def run(self) -> list[Token]:
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
        sort_head = SORT_HEAD.match(self.s, self.pos)
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
        if raw in OPERATOR_WORDS:
            self.emit(OPERATOR_WORDS[raw])
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
            raw in OPERATOR_WORDS
            or ch in "-+"
            or _HEAD.match(self.s, value_at) is not None
            or SORT_HEAD.match(self.s, value_at) is not None
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
        self.tokens.append(Token("SORT", sort=Sort(canonical, descending)))

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
            self.tokens.append(Token("RANGE", range=spec))
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

    def count_value(self, name: str, op: str, pos: int) -> tuple[RangeSpec | None, int]:
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
        return RangeSpec(Range(name, low, high, True, True, text), ":", ""), match.end()

    @staticmethod
    def one_value(
        name: str, op: str, low: RangeValue, high: RangeValue, closed: bool, shown: str
    ) -> RangeSpec:
        """A range from one value that stands for ``[low, high]`` (``[low, high)`` unless
        ``closed``): the number 5 is [5, 5], the day 2024-01-01 is [midnight, next midnight)."""
        text = f"{name}{op}{shown}"
        if op == ">":
            return RangeSpec(Range(name, high, None, not closed, True, text), op, shown)
        if op == ">=":
            return RangeSpec(Range(name, low, None, True, True, text), op, shown)
        if op == "<":
            return RangeSpec(Range(name, None, low, True, False, text), op, shown)
        if op == "<=":
            return RangeSpec(Range(name, None, high, True, closed, text), op, shown)
        return RangeSpec(Range(name, low, high, True, closed, f"{name}:{shown}"), ":", shown)

    def date_value(self, name: str, op: str, pos: int) -> tuple[RangeSpec | None, int]:
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

    def age_range(self, name: str, op: str, age: re.Match[str], unit: str) -> RangeSpec | None:
        first = _to_count(age.group(1))
        if age.group(2) is None:
            moment = dates.ago(self.now, first, unit)
            shown = f"{first} {dates.unit_name(unit, first)}"
            if op == ":":
                start = dates.period_start(moment, unit)
                end = dates.period_end(start, unit)
                return RangeSpec(Range(name, start, end, True, False, f"{name}:{shown}"), ":", "")
            # "<1 week" is newer than a week ago: the bound is on the low side of the dates.
            flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
            spec = self.one_value(name, flipped, moment, moment, True, shown)
            r = spec.range
            return RangeSpec(replace(r, text=f"{name}{op}{shown}"), op, shown)
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
        return RangeSpec(Range(name, low, high, True, True, text), ":", "")

    def calendar_range(self, name: str, op: str, match: re.Match[str]) -> RangeSpec | None:
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
        return RangeSpec(Range(name, first, upper, True, False, text), ":", "")
