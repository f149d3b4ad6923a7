"""Tag autocomplete: the tags to suggest while someone types in a tag field.

What matches
    The typed text is folded like tag names (case and accents dropped, `search.fold`). A tag
    of the requested type matches when its folded name starts with the text ("kylo r" →
    "Kylo Ren"), or when every word of the text starts some word of the name ("ren" → "Kylo
    Ren", "hux kyl" → "Kylo Ren/Hux"). At most 15 suggestions.

In what order
    Canonical tags first, then the other tags. Within each group, tags whose name starts
    with the text come first, alphabetically (by folded name); then tags matched by a word,
    ordered by that word ("ren" puts "Kylo Ren" before "Amy Renfield"; with several words
    in the text, by the word matching its rarest one), then oldest first.
    Popularity is not used: it would mean counting every candidate's filter rows; a use
    count kept on Tag would make it cheap.

Synonyms
    A synonym that matches is suggested as its canonical tag (`canonical: true`, with
    `synonym` naming the spelling that matched), in the place the synonym matched (so after
    the canonical tags that matched themselves). Picking it files the work under the tag
    readers filter by, and no canonical tag is listed twice. Tags nobody has wrangled yet
    (neither canonical nor a synonym) are suggested as they are (`canonical: false`).

Scoping (character and relationship fields)
    Given fandom names (what is in the posting form's fandom field), only tags belonging to
    those fandoms are suggested: tags linked to them (ParentLink children) and tags used on
    the RECENT_WORKS latest posted, not hidden works found under each fandom in the filter
    table (so works tagged with a synonym or subtag of the fandom count). A synonym is in
    scope when its canonical tag is; a tag nobody has wrangled yet when it is used on those
    works. Names resolve case- and accent-insensitively to canonical fandoms, a synonym to
    its canonical tag; names that resolve to nothing are ignored, and when none resolves (a
    fandom new to the archive) suggestions are not scoped at all.

How it stays fast (p95 ≤ 15 ms over 200,000 tags: bench/tags.py)
    No query reads a whole table.
    - Unscoped (and very big scopes): the (group, name or word match) pairs above are
      "buckets", read one after another, each in its final order; reading stops once 15
      suggestions are found, so a short, common prefix is usually answered by the first.
      Name buckets walk the (type, canonical, search_name) index over `search_name >= text
      AND search_name < prefix_upper_bound(text)`, already in order. Word buckets start from
      the cheapest of three places, judged by counts that stop at ENUMERATE_LIMIT index
      entries (cheap to take, and kept a few minutes: they choose where a query starts,
      never what it finds):
        "words": the TagWord range of the text's rarest word, in (word, tag) index order,
                 which is the bucket's order, so the walk stops early; each entry is first
                 checked against the (type, canonical) index, without reading the tag;
        "tags":  every tag of the type in the group (few for fandoms and media);
        "scope": the scoped fandoms' tags.
      A walk over a big TagWord range first looks at WALK_BUDGET entries only; if they hold
      too few matches (a rare type, a sparse scope), a small place is read whole instead.
      All starting places give the same rows in the same order; only the cost differs.
    - Scoped to fandoms with fewer than IN_MEMORY_LIMIT tags (linked or recently used): one
      query reads every tag of the type in scope (by id, and by synonym_of for synonyms),
      and the same rules pick and order them in Python.
    The bucket queries are SQL because their join order is the point: CROSS JOIN fixes it on
    SQLite (PostgreSQL reads it as an inner join and plans from its statistics), and
    conditions that must not become the starting point are written so that no index can
    serve them (`id + 0`, EXISTS, CASE), whatever statistics the planner has or lacks.
    A request costs a bounded number of queries: a few counts, at most MAX_PAGES pages per
    bucket (plus one per page to load tags found through TagWord), one for the canonical
    names of synonyms and, when scoped, two to resolve the fandoms and their recent tags.
"""

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import Any

from django.db import connection

from fanworks.tags.models import MAX_TAG_LENGTH, ParentLink, Tag, TagType, TagWord, WorkFilter
from fanworks.tags.search import fold, prefix_upper_bound, words

MAX_RESULTS = 15
MAX_TERM_LENGTH = MAX_TAG_LENGTH
MAX_FANDOMS = 10
SCOPED_TYPES = frozenset({TagType.CHARACTER.value, TagType.RELATIONSHIP.value})
# How many of each scoped fandom's latest works count as "used in the fandom".
RECENT_WORKS = 200
# Counts stop here: past it a starting place is "big", and only early stopping helps.
ENUMERATE_LIMIT = 3000
MAX_PAGES = 4
# Rough cost of one entry at each starting place, relative to a TagWord index entry checked
# against the (type, canonical) index (measured on SQLite with bench/tags.py).
COST_WORD_ENTRY = 1.0  # a TagWord index entry, checked against the (type, canonical) index
COST_SCOPE_TEST = 4.0  # the scope test of an entry that passed: the tag's row, a probe
COST_OTHER_WORD = 6.0  # testing one more word of the text: a correlated TagWord lookup
COST_TAG = 3.0  # a tag read whole: its row and its TagWord entries
COST_SCOPE_TAG = 4.0  # a tag in scope: its row
# A scope with fewer tags than this is matched in Python after one query (see
# Search._match_in_scope).
IN_MEMORY_LIMIT = 3000
# A TagWord walk over a big range first looks at this many entries; if they hold too few
# matches, a small place (the type's tags, the scope) is read whole instead.
WALK_BUDGET = 2000
# Counts that choose starting places: {(database, what was counted): (count, expiry)}.
_COUNTS: dict[tuple[Any, ...], tuple[int, float]] = {}
COUNT_CACHE_SIZE = 10_000
COUNT_CACHE_SECONDS = 300.0


@dataclass(frozen=True)
class Suggestion:
    name: str
    canonical: bool
    # The synonym the text matched, when the suggestion is that synonym's canonical tag.
    synonym: str = ""

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "canonical": self.canonical}
        if self.synonym:
            data["synonym"] = self.synonym
        return data


class Group(IntEnum):
    CANONICAL = 0
    OTHER = 1  # synonyms (suggested as their canonical tag) and unwrangled tags


class Kind(IntEnum):
    NAME = 0
    WORD = 1


# A matched tag: (pk, name, search_name, synonym_of_id).
Row = tuple[int, str, str, int | None]
# Reads one page of a bucket: (rows in order, whether more may follow).
Fetch = Callable[[int, int], tuple[list[Row], bool]]


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _in_list(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _select(sql: str, params: Sequence[Any]) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def _count(key: tuple[Any, ...], sql: str, params: Sequence[Any]) -> int:
    """How many rows `sql` gives, stopping at ENUMERATE_LIMIT; remembered a few minutes."""
    key = (connection.alias, *key)
    now = time.monotonic()
    cached = _COUNTS.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]
    capped = f"SELECT COUNT(*) FROM ({sql} LIMIT %s) c"  # noqa: S608
    count = int(_select(capped, [*params, ENUMERATE_LIMIT])[0][0])
    if len(_COUNTS) >= COUNT_CACHE_SIZE:
        _COUNTS.clear()
    _COUNTS[key] = (count, now + COUNT_CACHE_SECONDS)
    return count


def clear_count_cache() -> None:
    _COUNTS.clear()


# ---------------------------------------------------------------------------------------------
# Scope


@dataclass(frozen=True)
class Scope:
    """Canonical fandoms whose tags to suggest, and the ids of the tags on their latest works
    (of any type: keeping only one type would mean reading each of those tags' rows)."""

    fandom_ids: tuple[int, ...]
    used_ids: tuple[int, ...]

    def linked_sql(self) -> tuple[str, list[Any]]:
        links = _table(ParentLink)
        fandoms = _in_list(self.fandom_ids)
        return (
            f"SELECT child_id FROM {links} WHERE parent_id IN ({fandoms})",  # noqa: S608
            list(self.fandom_ids),
        )

    def linked_count(self) -> int:
        return _count(("linked", self.fandom_ids), *self.linked_sql())

    def _linked_in(self, column: str) -> tuple[str, list[Any]]:
        """`column` is a tag linked to the fandoms; no index can start from it. Few links are
        read once into the statement; many are probed per row on the (child, parent) index."""
        if self.linked_count() < ENUMERATE_LIMIT:
            linked_sql, params = self.linked_sql()
            return f"{column} + 0 IN ({linked_sql})", params
        fandoms = _in_list(self.fandom_ids)
        return (
            f"EXISTS (SELECT 1 FROM {_table(ParentLink)} pl "  # noqa: S608
            f"WHERE pl.child_id = {column} AND pl.parent_id IN ({fandoms}))",
            list(self.fandom_ids),
        )

    def _used_in(self, column: str) -> tuple[str, list[Any]]:
        return f"{column} + 0 IN ({_in_list(self.used_ids)})", list(self.used_ids)

    def contains_sql(self, canonical: bool) -> tuple[str, list[Any]]:
        """Tag t (a canonical tag, or not: see `canonical`) is in scope; no index can start
        from this condition. The used ids are tested first: an in-list probe is cheap."""
        # A synonym is in scope through its canonical tag; an unwrangled tag only when used.
        column = "t.id" if canonical else "t.synonym_of_id"
        linked, params = self._linked_in(column)
        if not self.used_ids:
            return linked, params
        used, used_params = self._used_in(
            column if canonical else "COALESCE(t.synonym_of_id, t.id)"
        )
        return f"({used} OR {linked})", [*used_params, *params]

    def members_sql(self, canonical: bool | None) -> tuple[str, list[Any]]:
        """Tag t may be in scope (t canonical, not canonical, or either when `canonical` is
        None), written so that a query starts from the scope's tags: each `column IN (…)`
        can use that column's index. Wider than `contains_sql`; use both."""
        linked_sql, linked_params = self.linked_sql()
        used = _in_list(self.used_ids)
        parts: list[str] = []
        params: list[Any] = []
        if canonical is not False:  # canonical tags: linked or used
            parts.append(f"t.id IN ({linked_sql})")
            params += linked_params
            if self.used_ids:
                parts.append(f"t.id IN ({used})")
                params += self.used_ids
        if canonical is not True:  # synonyms of tags in scope, unwrangled tags used
            parts.append(f"t.synonym_of_id IN ({linked_sql})")
            params += linked_params
            if self.used_ids:
                parts.append(f"t.synonym_of_id IN ({used})")
                params += self.used_ids
                if canonical is False:  # (with None, the canonical part has it already)
                    parts.append(f"t.id IN ({used})")
                    params += self.used_ids
        return f"({' OR '.join(parts)})", params

    def includes(
        self,
        canonical: bool,
        pk: int,
        synonym_of: int | None,
        linked_self: bool,
        linked_canonical: bool,
    ) -> bool:
        """The rule of `contains_sql`, in Python, given whether the tag and its canonical tag
        are linked to the fandoms."""
        if canonical:
            return linked_self or pk in self._used
        if synonym_of:
            return linked_canonical or synonym_of in self._used
        return pk in self._used

    @cached_property
    def _used(self) -> frozenset[int]:
        return frozenset(self.used_ids)


def _recently_used(fandom_ids: Sequence[int]) -> tuple[int, ...]:
    """Tags on each fandom's RECENT_WORKS latest posted works that no admin hid, tagged
    directly or filtered by, in one query (indexes, and the works' rows)."""
    from fanworks.works.models import Work, WorkTag

    filters, tagged = _table(WorkFilter), _table(WorkTag)
    # Drafts and hidden works (spam) say nothing about a fandom.
    recent = (
        f"SELECT f.work_id FROM {filters} f CROSS JOIN {_table(Work)} wk "  # noqa: S608
        "WHERE f.tag_id = %s AND wk.id = f.work_id AND wk.posted = %s "
        "AND wk.hidden_by_admin = %s ORDER BY f.work_id DESC LIMIT %s"
    )
    parts: list[str] = []
    params: list[Any] = []
    for fandom_id in fandom_ids:
        for table in (tagged, filters):
            parts.append(f"SELECT tag_id FROM {table} WHERE work_id IN ({recent})")  # noqa: S608
            params += [fandom_id, True, False, RECENT_WORKS]
    return tuple(sorted(pk for (pk,) in _select(" UNION ".join(parts), params)))


def resolve_scope(names: Sequence[str]) -> Scope | None:
    """The canonical fandoms these names stand for, with the tags recently used on them;
    None when no name resolves."""
    folded: list[str] = []
    for name in list(names)[: MAX_FANDOMS * 2]:
        key = fold(" ".join(str(name).split()))
        if key and len(key) <= MAX_TERM_LENGTH and "\x00" not in key and key not in folded:
            folded.append(key)
    if not folded:
        return None
    names_sql = _in_list(folded[:MAX_FANDOMS])
    ids: set[int] = set()
    for pk, canonical, synonym_of in _select(
        f"SELECT id, canonical, synonym_of_id FROM {_table(Tag)} "  # noqa: S608
        f"WHERE search_name IN ({names_sql}) AND type = %s",
        [*folded[:MAX_FANDOMS], TagType.FANDOM.value],
    ):
        if canonical:
            ids.add(pk)
        elif synonym_of is not None:
            ids.add(synonym_of)
    if not ids:
        return None
    fandom_ids = tuple(sorted(ids)[:MAX_FANDOMS])
    return Scope(fandom_ids, _recently_used(fandom_ids))


# ---------------------------------------------------------------------------------------------
# Searching


def autocomplete(
    term: str, tag_type: str, *, fandoms: Sequence[str] = (), limit: int = MAX_RESULTS
) -> list[Suggestion]:
    """Up to `limit` suggestions for `term` in a field of `tag_type` (see the module notes).

    Bad input (empty or over-long text, unknown type) gives no suggestions, never an error.
    `fandoms` scope character and relationship suggestions.
    """
    if not isinstance(term, str) or len(term) > MAX_TERM_LENGTH or "\x00" in term:
        return []
    prefix = fold(" ".join(term.split()))
    limit = max(0, min(limit, MAX_RESULTS))
    if not prefix or tag_type not in TagType.values or not limit:
        return []
    scope = None
    if tag_type in SCOPED_TYPES and fandoms:
        scope = resolve_scope(fandoms)
    return Search(tag_type, prefix, scope, limit).run()


@dataclass
class Search:
    """One autocomplete request: reads the buckets in order until `limit` tags are found."""

    tag_type: str
    prefix: str
    scope: Scope | None
    limit: int
    # Forces where word buckets start (tests check that every place gives the same answer).
    force_start: str = ""
    # What to suggest, by the id of the tag suggested: the row that matched and its group.
    found: dict[int, tuple[Row, Group]] = field(default_factory=dict)
    starts: list[str] = field(default_factory=list)  # where each word bucket started
    costs: list[dict[str, float]] = field(default_factory=list)  # the estimates behind them

    def __post_init__(self) -> None:
        self.words = words(self.prefix)

    @cached_property
    def driving(self) -> str:
        """The word of the text word matching starts from: the one with the fewest TagWord
        entries (counted only once a word bucket is needed)."""
        return min(self.words, key=self._range_size) if self.words else ""

    @staticmethod
    def _range_size(word: str) -> tuple[int, int]:
        size = _count(
            ("words", word),
            f"SELECT 1 FROM {_table(TagWord)} WHERE word >= %s AND word < %s",  # noqa: S608
            [word, prefix_upper_bound(word)],
        )
        return size, -len(word)

    def run(self) -> list[Suggestion]:
        if (
            self.scope is not None
            and not self.force_start
            and self.scope.linked_count() + len(self.scope.used_ids) < IN_MEMORY_LIMIT
        ):
            self._match_in_scope(self.scope)
            return self._suggestions()
        for group in Group:
            for kind in Kind:
                if kind is Kind.WORD and not self.words:
                    continue
                self._drain(group, kind)
                if len(self.found) >= self.limit:
                    return self._suggestions()
        return self._suggestions()

    def _match_in_scope(self, scope: Scope) -> None:
        """A scope with few tags: read all its tags of the type in one query and apply the
        same rules and order in Python (TagWord entries are `words(name)`, so the words of
        `search_name` are the same)."""
        self.starts.append("in scope")
        members, params = scope.members_sql(None)
        linked, linked_params = scope.linked_sql()
        sql = (
            "SELECT t.id, t.name, t.search_name, t.synonym_of_id, t.canonical, "  # noqa: S608
            f"t.id + 0 IN ({linked}), COALESCE(t.synonym_of_id, 0) + 0 IN ({linked}) "
            f"FROM {_table(Tag)} t WHERE {members} AND (t.type || '') = %s"
        )
        ranked: list[tuple[tuple[Any, ...], Row, Group]] = []
        for pk, name, search_name, synonym_of, canonical, linked_self, linked_canonical in _select(
            sql, [*linked_params, *linked_params, *params, self.tag_type]
        ):
            if not scope.includes(
                bool(canonical), pk, synonym_of, bool(linked_self), bool(linked_canonical)
            ):
                continue
            match = self._match(search_name)
            if match is None:
                continue
            group = Group.CANONICAL if canonical else Group.OTHER
            ranked.append(((group, *match, pk), (pk, name, search_name, synonym_of), group))
        ranked.sort(key=lambda item: item[0])
        for _key, row, group in ranked:
            if len(self.found) >= self.limit:
                break
            self.found.setdefault(row[3] or row[0], (row, group))

    def _match(self, search_name: str) -> tuple[Kind, str] | None:
        """How a folded tag name matches the text: (NAME, the name) or (WORD, its smallest
        word starting with the driving word), the sort keys of the buckets; None if it does
        not match. A name's words are its runs of word characters, as in `search.words`."""
        if search_name.startswith(self.prefix):
            return Kind.NAME, search_name
        if not self.words:
            return None
        for pattern in self._other_word_patterns:
            if pattern.search(search_name) is None:
                return None
        matched = self._driving_pattern.findall(search_name)
        return (Kind.WORD, min(matched)) if matched else None

    @cached_property
    def _driving_pattern(self) -> re.Pattern[str]:
        return re.compile(rf"(?<!\w){re.escape(self.driving)}\w*")

    @cached_property
    def _other_word_patterns(self) -> list[re.Pattern[str]]:
        return [
            re.compile(rf"(?<!\w){re.escape(word)}") for word in self.words if word != self.driving
        ]

    def _drain(self, group: Group, kind: Kind) -> None:
        fetch = self._name_bucket(group) if kind is Kind.NAME else self._word_bucket(group)
        offset = 0
        for _ in range(MAX_PAGES):
            need = self.limit - len(self.found)
            if need <= 0:
                return
            size = 2 * need + 5
            rows, more = fetch(offset, size)
            for row in rows:
                if len(self.found) >= self.limit:
                    return
                pk, _name, search_name, synonym_of = row
                if kind is Kind.WORD and search_name.startswith(self.prefix):
                    continue  # already read from this group's name bucket
                self.found.setdefault(synonym_of or pk, (row, group))
            if not more:
                return
            offset += size

    def _suggestions(self) -> list[Suggestion]:
        via_synonym = [target for target, (row, _group) in self.found.items() if row[3]]
        canonical_names: dict[int, str] = {}
        if via_synonym:
            canonical_names = dict(
                Tag.objects.filter(pk__in=via_synonym).order_by().values_list("pk", "name")
            )
        result = []
        for target, ((_pk, name, _search_name, synonym_of), group) in self.found.items():
            if synonym_of:
                canonical_name = canonical_names.get(target, name)
                result.append(Suggestion(canonical_name, canonical=True, synonym=name))
            else:
                result.append(Suggestion(name, canonical=group is Group.CANONICAL))
        return result

    # SQL pieces ------------------------------------------------------------------------------

    def _group_sql(self, group: Group, *, indexed: bool = True) -> tuple[str, list[Any]]:
        """t is of the type and in `group`; with `indexed` false, written so no index can
        serve it either."""
        canonical = group is Group.CANONICAL
        if indexed:
            return "t.type = %s AND t.canonical IN (%s)", [self.tag_type, canonical]
        sql = "(t.type || '') = %s AND (CASE WHEN t.canonical THEN 1 ELSE 0 END) = %s"
        return sql, [self.tag_type, int(canonical)]

    def _scope_sql(self, group: Group) -> tuple[str, list[Any]]:
        if self.scope is None:
            return "", []
        sql, params = self.scope.contains_sql(group is Group.CANONICAL)
        return f" AND {sql}", params

    def _other_words_sql(self, tag_column: str) -> tuple[str, list[Any]]:
        """Each word of the text other than the driving one starts some word of the tag."""
        sql, params = "", []
        for word in self.words:
            if word == self.driving:
                continue
            sql += (
                f" AND EXISTS (SELECT 1 FROM {_table(TagWord)} w2 "  # noqa: S608
                f"WHERE w2.tag_id = {tag_column} AND w2.word >= %s AND w2.word < %s)"
            )
            params += [word, prefix_upper_bound(word)]
        return sql, params

    # Buckets ---------------------------------------------------------------------------------

    def _name_bucket(self, group: Group) -> Fetch:
        where, params = self._group_sql(group)
        scope, scope_params = self._scope_sql(group)
        sql = (
            "SELECT t.id, t.name, t.search_name, t.synonym_of_id "  # noqa: S608
            f"FROM {_table(Tag)} t "
            f"WHERE {where} AND t.search_name >= %s AND t.search_name < %s{scope} "
            "ORDER BY t.search_name, t.id LIMIT %s OFFSET %s"
        )
        params = [*params, self.prefix, prefix_upper_bound(self.prefix), *scope_params]
        return _pages(sql, params)

    def _word_bucket(self, group: Group) -> Fetch:
        if self.force_start:
            return self._word_bucket_from(group, self.force_start)
        start, fallback = self._plan(group)
        if start != "words" or fallback is None:
            return self._word_bucket_from(group, start)
        # Try the walk on its first WALK_BUDGET entries; if they hold too few matches (a
        # sparse type, group or scope), read the small place whole instead.
        walk = self._word_bucket_from_words(group)
        trial = self._word_bucket_from_words(group, budget=WALK_BUDGET)
        switched: list[Fetch] = []

        def fetch(offset: int, size: int) -> tuple[list[Row], bool]:
            if switched:
                return switched[0](offset, size)
            if offset == 0:
                rows, more = trial(0, size)
                # A full page, or a range no longer than the budget: the trial was the walk.
                if more or self._range_size(self.driving)[0] <= WALK_BUDGET:
                    self.starts.append("words")
                    return rows, more
                switched.append(self._word_bucket_from(group, fallback))
                return switched[0](0, size)
            return walk(offset, size)

        return fetch

    def _word_bucket_from(self, group: Group, start: str) -> Fetch:
        self.starts.append(start)
        if start == "words":
            return self._word_bucket_from_words(group)
        return self._word_bucket_from_tags(group, from_scope=start == "scope")

    def _word_bucket_from_words(self, group: Group, budget: int | None = None) -> Fetch:
        """Walk the driving word's TagWord range in (word, tag) order, keeping entries whose
        tag is of the type and group, then load the page's tags. A tag with two matching
        words comes twice; the first (its smallest matching word) counts. With `budget`,
        only the range's first `budget` entries are looked at."""
        where, params = self._group_sql(group)
        scope, scope_params = self._scope_sql(group)
        # t.id, not w.tag_id: these tests must wait until the tag passed the cheap checks.
        others, other_params = self._other_words_sql("t.id")
        upper = prefix_upper_bound(self.driving)
        end, end_params = "", []
        if budget is not None:
            last = _select(
                f"SELECT word, tag_id FROM {_table(TagWord)} WHERE word >= %s AND word < %s "  # noqa: S608
                "ORDER BY word, tag_id LIMIT 1 OFFSET %s",
                [self.driving, upper, budget - 1],
            )
            if last:
                end = " AND (w.word < %s OR (w.word = %s AND w.tag_id <= %s))"
                end_params = [last[0][0], last[0][0], last[0][1]]
        sql = (
            f"SELECT w.tag_id FROM {_table(TagWord)} w CROSS JOIN {_table(Tag)} t "  # noqa: S608
            f"WHERE w.word >= %s AND w.word < %s{end} AND t.id = w.tag_id AND {where}{scope}"
            f"{others} ORDER BY w.word, w.tag_id LIMIT %s OFFSET %s"
        )
        params = [
            self.driving,
            upper,
            *end_params,
            *params,
            *scope_params,
            *other_params,
        ]
        seen: set[int] = set()

        def fetch(offset: int, size: int) -> tuple[list[Row], bool]:
            ids = [pk for (pk,) in _select(sql, [*params, size, offset])]
            fresh = [pk for pk in dict.fromkeys(ids) if pk not in seen]
            seen.update(fresh)
            rows: dict[int, Row] = {}
            if fresh:
                rows = {
                    row[0]: row
                    for row in Tag.objects.filter(pk__in=fresh)
                    .order_by()
                    .values_list("pk", "name", "search_name", "synonym_of_id")
                }
            return [rows[pk] for pk in fresh if pk in rows], len(ids) == size

        return fetch

    def _word_bucket_from_tags(self, group: Group, *, from_scope: bool) -> Fetch:
        """Every tag of the type in the group (or every tag in scope), with its smallest word
        matching the driving word, in (that word, id) order. Grouping by `t.id + 0` keeps
        SQLite from reading the whole table in rowid order to save the grouping sort."""
        from_scope = from_scope and self.scope is not None
        where, params = self._group_sql(group, indexed=not from_scope)
        if from_scope and self.scope is not None:
            members, scope_params = self.scope.members_sql(group is Group.CANONICAL)
            scope, more_params = self._scope_sql(group)  # exact, where `members` is wider
            where = f"{members} AND {where}{scope}"
            params = [*scope_params, *params, *more_params]
        else:
            scope, scope_params = self._scope_sql(group)
            where += scope
            params += scope_params
        others, other_params = self._other_words_sql("t.id")
        sql = (
            "SELECT t.id + 0, t.name, t.search_name, t.synonym_of_id, MIN(w.word) AS matched "  # noqa: S608
            f"FROM {_table(Tag)} t CROSS JOIN {_table(TagWord)} w "
            f"WHERE {where} AND w.tag_id = t.id AND w.word >= %s AND w.word < %s{others} "
            "GROUP BY t.id + 0, t.name, t.search_name, t.synonym_of_id "
            "ORDER BY matched, 1 LIMIT %s OFFSET %s"
        )
        params = [*params, self.driving, prefix_upper_bound(self.driving), *other_params]
        return _pages(sql, params)

    # Choosing where word buckets start -------------------------------------------------------

    def _plan(self, group: Group) -> tuple[str, str | None]:
        """(where to start, the small place to fall back on if a TagWord walk finds too
        little) from capped counts and the COST_ constants. A place whose count reached
        ENUMERATE_LIMIT is only ever walked (TagWord, in order, stopping early), never read
        whole."""
        others = len(self.words) - 1
        in_range = self._range_size(self.driving)[0]
        in_group = _count(
            ("tags", self.tag_type, group is Group.CANONICAL),
            f"SELECT 1 FROM {_table(Tag)} t WHERE t.type = %s AND t.canonical IN (%s)",  # noqa: S608
            [self.tag_type, group is Group.CANONICAL],
        )
        whole: dict[str, float] = {}
        if in_group < ENUMERATE_LIMIT:
            whole["tags"] = in_group * (COST_TAG + others * COST_OTHER_WORD)
        if self.scope is not None:
            in_scope = self.scope.linked_count() + len(self.scope.used_ids)
            if in_scope < ENUMERATE_LIMIT:
                whole["scope"] = in_scope * (COST_SCOPE_TAG + others * COST_OTHER_WORD)
        cheapest = min(whole, key=lambda start: whole[start]) if whole else None
        self.costs.append({**whole, "words": float(in_range)})
        if in_range < ENUMERATE_LIMIT:
            per_entry = COST_WORD_ENTRY + (COST_SCOPE_TEST if self.scope else 0.0)
            walk_cost = in_range * (per_entry + others * COST_OTHER_WORD / 4)
            if cheapest is None or walk_cost <= whole[cheapest]:
                return "words", None
            return cheapest, None
        if cheapest is not None and whole[cheapest] <= 3 * WALK_BUDGET * COST_WORD_ENTRY:
            return cheapest, None
        return "words", cheapest


def _pages(sql: str, params: list[Any]) -> Fetch:
    """Pages of a query that ends with `LIMIT %s OFFSET %s`."""

    def fetch(offset: int, size: int) -> tuple[list[Row], bool]:
        rows: list[Row] = [
            (row[0], row[1], row[2], row[3]) for row in _select(sql, [*params, size, offset])
        ]
        return rows, len(rows) == size

    return fetch
