import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanworks.search import (
    And,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Range,
    Sort,
    Term,
    parse,
    positive_leaves,
)
from fanworks.search.parser import MAX_DEPTH, MAX_QUERY_LENGTH, MAX_TERMS

NOW = datetime(2025, 6, 15, 12, 30, tzinfo=UTC)  # a Sunday


def p(query: str) -> ParsedQuery:
    return parse(query, now=NOW)


def timed(query: str) -> float:
    """Seconds one parse takes: the best of 3, so a busy shared machine doesn't fail the test."""
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        p(query)
        timings.append(time.perf_counter() - start)
    return min(timings)


def root(query: str) -> Node | None:
    parsed = p(query)
    assert parsed.warnings == [], parsed.warnings
    return parsed.root


def only_range(query: str) -> Range:
    parsed = p(query)
    assert parsed.warnings == [], parsed.warnings
    assert parsed.root is None
    assert len(parsed.ranges) == 1, parsed.ranges
    return parsed.ranges[0]


def t(text: str, field: str | None = None, prefix: bool = False) -> Term:
    return Term(field, text, prefix)


# --- words, phrases, boolean operators --------------------------------------------------------


def test_empty_and_blank_queries() -> None:
    for query in ("", "   ", "\n\t"):
        parsed = p(query)
        assert parsed.root is None and parsed.ranges == [] and parsed.sort is None
        assert parsed.warnings == []
        assert parsed.is_empty


def test_words_are_anded() -> None:
    assert root("dragon") == t("dragon")
    assert root("slow  burn\tangst") == And((t("slow"), t("burn"), t("angst")))


def test_quoted_phrase_keeps_words_together_and_normalises_spaces() -> None:
    assert root('"slow   burn"') == Phrase(None, "slow burn")
    assert root('enemies "slow burn" lovers') == And(
        (t("enemies"), Phrase(None, "slow burn"), t("lovers"))
    )


def test_curly_quotes_from_phones_work_as_quotes() -> None:
    assert root("“slow burn” x") == And((Phrase(None, "slow burn"), t("x")))
    assert root("„slow burn“") == Phrase(None, "slow burn")


def test_escaped_quote_inside_a_phrase() -> None:
    assert root(r'"say \"hi\" now"') == Phrase(None, 'say "hi" now')


def test_or_and_its_symbols() -> None:
    expected = Or((t("a"), t("b")))
    assert root("a OR b") == expected
    assert root("a | b") == expected
    assert root("a || b") == expected
    assert root("a|b") == expected


def test_lowercase_operators_are_plain_words() -> None:
    assert root("war or peace") == And((t("war"), t("or"), t("peace")))
    assert root("not this") == And((t("not"), t("this")))


def test_explicit_and_is_the_same_as_juxtaposition() -> None:
    assert root("a AND b") == root("a b") == root("a && b") == And((t("a"), t("b")))


def test_precedence_or_binds_tighter_than_and() -> None:
    # Documented: like Lucene's classic parser with AND as the default operator.
    assert root("a b OR c") == And((t("a"), Or((t("b"), t("c")))))
    assert root("a OR b c") == And((Or((t("a"), t("b"))), t("c")))
    assert root("a OR b AND c") == And((Or((t("a"), t("b"))), t("c")))
    assert root("a OR b OR c") == Or((t("a"), t("b"), t("c")))


def test_parentheses_group() -> None:
    assert root("(a b) OR c") == Or((And((t("a"), t("b"))), t("c")))
    assert root("a (b OR c) d") == And((t("a"), Or((t("b"), t("c"))), t("d")))
    assert root("((a))") == t("a")


def test_not_and_minus() -> None:
    assert root("NOT angst") == Not(t("angst"))
    assert root("-angst") == Not(t("angst"))
    assert root('fluff -"major character death"') == And(
        (t("fluff"), Not(Phrase(None, "major character death")))
    )
    assert root("a NOT b") == And((t("a"), Not(t("b"))))
    assert root("a -(b OR c)") == And((t("a"), Not(Or((t("b"), t("c"))))))


def test_double_negation_cancels() -> None:
    assert root("NOT NOT a") == t("a")
    assert root("-(-a)") == t("a")


def test_hyphen_inside_a_word_is_not_negation() -> None:
    assert root("Spider-Man") == t("Spider-Man")
    assert root("x - y") == And((t("x"), t("y")))  # a lone dash is punctuation


def test_plus_prefix_is_accepted_and_ignored() -> None:
    assert root("+dragon +fire") == And((t("dragon"), t("fire")))


def test_punctuation_only_words_are_dropped_quietly() -> None:
    assert root("Harry & Draco") == And((t("Harry"), t("Draco")))
    assert p('"..."').root is None


def test_backslash_escapes() -> None:
    assert root(r"a\:b") == t("a:b")
    assert root(r"\-5") == t("-5")
    assert root(r"\OR") == t("OR")
    assert root(r"c\*") == t("c*")  # a literal star, not a wildcard
    assert root(r"a\ b") == t("a b")


def test_unicode_words() -> None:
    assert root("魔道祖师 Wei Ying") == And((t("魔道祖师"), t("Wei"), t("Ying")))
    assert root("💜") == t("💜")


# --- fields -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("title", "title"),
        ("creator", "creator"),
        ("author", "creator"),
        ("creators", "creator"),
        ("summary", "summary"),
        ("notes", "notes"),
        ("tag", "tag"),
        ("fandom", "fandom"),
        ("character", "character"),
        ("relationship", "relationship"),
        ("freeform", "freeform"),
        ("additional", "freeform"),
        ("rating", "rating"),
        ("warning", "warning"),
        ("archive_warning", "warning"),
        ("category", "category"),
        ("language", "language"),
        ("text", "text"),
        ("chapter", "text"),
        ("TITLE", "title"),
    ],
)
def test_fields_map_to_canonical_names(typed: str, canonical: str) -> None:
    assert root(f"{typed}:dragon") == t("dragon", canonical)


def test_field_with_a_quoted_phrase() -> None:
    assert root('fandom:"Kestrel Fields FC"') == Phrase("fandom", "Kestrel Fields FC")


def test_field_with_a_group_applies_to_each_term() -> None:
    assert root("title:(a OR b)") == Or((t("a", "title"), t("b", "title")))
    assert root('summary:(ship -"slow burn")') == And(
        (t("ship", "summary"), Not(Phrase("summary", "slow burn")))
    )


def test_explicit_field_inside_a_field_group_wins() -> None:
    assert root("title:(a creator:b)") == And((t("a", "title"), t("b", "creator")))


def test_field_value_after_a_space() -> None:
    assert root("title: dragon") == t("dragon", "title")
    assert root('title: "two words"') == Phrase("title", "two words")


def test_field_value_keeps_colons_and_dashes() -> None:
    assert root("title:Re:Zero") == t("Re:Zero", "title")
    assert root("title:-x") == t("-x", "title")


def test_negated_field() -> None:
    assert root("-fandom:Marvel") == Not(t("Marvel", "fandom"))
    assert root("NOT rating:Explicit") == Not(t("Explicit", "rating"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", "true"), ("yes", "true"), ("Y", "true"), ("false", "false"), ("no", "false")],
)
def test_complete_takes_true_or_false(value: str, expected: str) -> None:
    assert root(f"complete:{value}") == t(expected, "complete")


def test_complete_with_something_else_is_ignored_with_a_warning() -> None:
    parsed = p("complete:maybe dragon")
    assert parsed.root == t("dragon")
    assert parsed.warnings == ["“complete:” takes true or false — ignored “maybe”"]


def test_unknown_field_is_searched_as_text_with_a_warning() -> None:
    parsed = p("foo:bar")
    assert parsed.root == And((t("foo"), t("bar")))
    assert parsed.warnings == ["Unknown field “foo:” — searched for it as text"]
    parsed = p('series:"the long road"')
    assert parsed.root == And((t("series"), Phrase(None, "the long road")))


def test_fandom_name_with_a_colon_is_still_found() -> None:
    parsed = p("Re:Zero")
    assert parsed.root == And((t("Re"), t("Zero")))
    assert parsed.warnings == ["Unknown field “Re:” — searched for it as text"]


def test_urls_and_times_are_plain_words() -> None:
    assert root("http://example.com/x") == t("http://example.com/x")
    assert root("12:30") == t("12:30")


def test_field_with_nothing_after_it() -> None:
    for query in ("title:", "title: ", "(title:)", "title: OR b"):
        parsed = p(query)
        assert "“title:” has nothing after it — ignored it" in parsed.warnings, query


# --- wildcards --------------------------------------------------------------------------------


def test_trailing_star_is_a_prefix_term() -> None:
    assert root("drag*") == t("drag", prefix=True)
    assert root("title:drag*") == t("drag", "title", prefix=True)
    assert root("dra**") == t("dra", prefix=True)


def test_costly_wildcards_are_dropped_with_a_warning() -> None:
    parsed = p("* dragon")
    assert parsed.root == t("dragon")
    assert parsed.warnings == ["A lone “*” would match everything — ignored it"]
    parsed = p("dr* dragon")
    assert parsed.root == t("dragon")
    assert parsed.warnings == [
        "“dr*” is too short for a wildcard (it needs 3 characters before the *) — ignored it"
    ]


def test_only_five_wildcards_the_rest_are_whole_words() -> None:
    parsed = p("aaa* bbb* ccc* ddd* eee* fff* ggg*")
    assert isinstance(parsed.root, And)
    assert [c.prefix for c in parsed.root.children if isinstance(c, Term)] == [True] * 5 + [
        False
    ] * 2
    assert parsed.warnings == [
        "Only the first 5 wildcards were used — searched the others as whole words"
    ]
    assert p(parsed.to_text()).root == parsed.root


def test_a_wildcard_on_every_letter_is_ignored_with_warnings() -> None:
    parsed = p(" ".join(f"{letter}*" for letter in "abcdefghijklmnopqrstuvwxyz") + " *")
    assert parsed.root is None
    assert "A lone “*” would match everything — ignored it" in parsed.warnings


def test_wildcard_in_the_middle_is_removed_with_a_warning() -> None:
    parsed = p("dr*g")
    assert parsed.root == t("drg")
    assert parsed.warnings == ["Wildcards only work at the end of a word — searched for “drg”"]
    assert p("*gon").root == t("gon")


def test_star_inside_a_phrase_is_literal() -> None:
    assert root('"drag*"') == Phrase(None, "drag*")


# --- count ranges -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "low", "high", "low_inclusive", "high_inclusive", "text"),
    [
        ("words>1000", 1000, None, False, True, "words>1000"),
        ("words<1000", None, 1000, True, False, "words<1000"),
        ("words>=1000", 1000, None, True, True, "words>=1000"),
        ("words<=1000", None, 1000, True, True, "words<=1000"),
        ("words=1000", 1000, 1000, True, True, "words:1000"),
        ("words:1000", 1000, 1000, True, True, "words:1000"),
        ("words:1000-5000", 1000, 5000, True, True, "words:1000-5000"),
        ("words>1,000", 1000, None, False, True, "words>1000"),
        ("words:1,000-10,000", 1000, 10000, True, True, "words:1000-10000"),
        ("words:>1000", 1000, None, False, True, "words>1000"),
        ("words: >= 1000", 1000, None, True, True, "words>=1000"),
        ("words: 500", 500, 500, True, True, "words:500"),
        ("WORDS>5", 5, None, False, True, "words>5"),
        ("word_count>5", 5, None, False, True, "words>5"),
    ],
)
def test_word_count_ranges(
    query: str,
    low: int | None,
    high: int | None,
    low_inclusive: bool,
    high_inclusive: bool,
    text: str,
) -> None:
    assert only_range(query) == Range("words", low, high, low_inclusive, high_inclusive, text)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kudos:10-50", "kudos"),
        ("hits:10-50", "hits"),
        ("comments:10-50", "comments"),
        ("bookmarks:10-50", "bookmarks"),
        ("chapters:10-50", "chapters"),
    ],
)
def test_every_count_field_takes_ranges(query: str, field: str) -> None:
    assert only_range(query) == Range(field, 10, 50, True, True, f"{field}:10-50")


def test_the_briefs_count_examples() -> None:
    parsed = p("hits<100 comments>5 bookmarks>=3 chapters:1 dragon")
    assert parsed.root == t("dragon")
    assert [r.text for r in parsed.ranges] == [
        "hits<100",
        "comments>5",
        "bookmarks>=3",
        "chapters:1",
    ]
    assert parsed.warnings == []


def test_range_contains() -> None:
    r = only_range("kudos>10")
    assert not r.contains(10) and r.contains(11)
    r = only_range("kudos:10-50")
    assert r.contains(10) and r.contains(50) and not r.contains(51)


def test_ranges_are_taken_out_of_the_boolean_query() -> None:
    parsed = p("dragon words>1000 fire")
    assert parsed.root == And((t("dragon"), t("fire")))
    assert parsed.ranges == [Range("words", 1000, None, False, True, "words>1000")]


def test_bad_ranges_warn_and_are_ignored() -> None:
    parsed = p("words>abc dragon")
    assert parsed.root == t("dragon") and parsed.ranges == []
    assert parsed.warnings == [
        "Couldn't understand the range “words>abc” — ignored it (try words>1000 or words:1000-5000)"
    ]
    for query in ("words>", "words:", "hits<1000-2000", "kudos>5x", "words:dragon"):
        parsed = p(query)
        assert parsed.ranges == [] and len(parsed.warnings) == 1, query


def test_a_word_after_a_spaced_bad_range_is_still_searched() -> None:
    parsed = p("words: dragon")
    assert parsed.root == t("dragon")
    assert len(parsed.warnings) == 1


def test_backwards_range_is_swapped_with_a_warning() -> None:
    parsed = p("kudos:50-10")
    assert parsed.ranges == [Range("kudos", 10, 50, True, True, "kudos:10-50")]
    assert parsed.warnings == ["“kudos:50-10” runs backwards — searched kudos:10-50"]


def test_huge_numbers_are_clamped() -> None:
    r = only_range("words>" + "9" * 40)
    assert r.low == 2**53


def test_negated_one_sided_range_is_inverted() -> None:
    assert only_range("-words>1000") == Range("words", None, 1000, True, True, "words<=1000")
    assert only_range("NOT words<=10") == Range("words", 10, None, False, True, "words>10")
    assert only_range("-kudos<5") == Range("kudos", 5, None, True, True, "kudos>=5")


def test_ranges_that_cannot_be_negated_are_ignored_with_a_warning() -> None:
    parsed = p("-words:5 dragon")
    assert parsed.ranges == [] and parsed.root == t("dragon")
    assert parsed.warnings == ["“-words:5” can't be negated — ignored it"]
    parsed = p("-(dragon words>5)")
    assert parsed.ranges == [] and parsed.root == Not(t("dragon"))
    assert parsed.warnings == ["“words>5” can't be used inside a negated group — ignored it"]


def test_ranges_inside_or_still_narrow_everything_with_a_warning() -> None:
    parsed = p("dragon OR words>5")
    assert parsed.root == t("dragon")
    assert [r.text for r in parsed.ranges] == ["words>5"]
    assert parsed.warnings == [
        "Ranges such as “words>5” narrow the whole search — OR doesn't apply to them"
    ]


def test_range_inside_a_group_or_field_group() -> None:
    parsed = p("(dragon words>5) title:(x kudos>3)")
    assert parsed.warnings == []
    assert parsed.root == And((t("dragon"), t("x", "title")))
    assert [r.text for r in parsed.ranges] == ["words>5", "kudos>3"]


def test_swords_is_a_word_not_a_range() -> None:
    assert root("swords>5") == t("swords>5")


# --- date ranges ------------------------------------------------------------------------------


def test_relative_less_than_means_within_the_last() -> None:
    r = only_range("updated<1 week")
    assert r == Range("updated", NOW - timedelta(weeks=1), None, False, True, "updated<1 week")
    assert r.contains(NOW - timedelta(days=6)) and not r.contains(NOW - timedelta(days=8))


def test_relative_greater_than_means_longer_ago() -> None:
    r = only_range("updated>2 months")
    two_months_ago = datetime(2025, 4, 15, 12, 30, tzinfo=UTC)
    assert r == Range("updated", None, two_months_ago, True, False, "updated>2 months")
    assert r.contains(two_months_ago - timedelta(days=1)) and not r.contains(two_months_ago)


def test_relative_between() -> None:
    r = only_range("posted:1-2 years")
    assert (r.low, r.high) == (NOW.replace(year=2023), NOW.replace(year=2024))
    assert r.low_inclusive and r.high_inclusive
    assert r.text == "posted:1-2 years"


def test_relative_exact_is_the_calendar_period() -> None:
    r = only_range("posted:3 weeks")
    # 3 weeks before Sunday 15 June is in the week of Monday 19 May.
    assert r.low == datetime(2025, 5, 19, tzinfo=UTC)
    assert r.high == datetime(2025, 5, 26, tzinfo=UTC)
    assert r.low_inclusive and not r.high_inclusive
    r = only_range("updated:1 month")
    assert (r.low, r.high) == (
        datetime(2025, 5, 1, tzinfo=UTC),
        datetime(2025, 6, 1, tzinfo=UTC),
    )
    r = only_range("updated:1 year")
    assert (r.low, r.high) == (
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2025, 1, 1, tzinfo=UTC),
    )
    r = only_range("updated:2 days")
    assert (r.low, r.high) == (
        datetime(2025, 6, 13, tzinfo=UTC),
        datetime(2025, 6, 14, tzinfo=UTC),
    )
    r = only_range("updated:3 hours")
    assert (r.low, r.high) == (
        datetime(2025, 6, 15, 9, tzinfo=UTC),
        datetime(2025, 6, 15, 10, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("query", "delta", "text"),
    [
        ("updated<5 hours", timedelta(hours=5), "updated<5 hours"),
        ("updated<1 hour", timedelta(hours=1), "updated<1 hour"),
        ("updated<3 days", timedelta(days=3), "updated<3 days"),
        ("updated<3day", timedelta(days=3), "updated<3 days"),
        ("updated<3d", timedelta(days=3), "updated<3 days"),
        ("updated<2 weeks", timedelta(weeks=2), "updated<2 weeks"),
        ("updated<2w", timedelta(weeks=2), "updated<2 weeks"),
        ("revised<2 weeks", timedelta(weeks=2), "updated<2 weeks"),
        ("updated:<2 weeks", timedelta(weeks=2), "updated<2 weeks"),
        ("UPDATED<2 WEEKS", timedelta(weeks=2), "updated<2 weeks"),
    ],
)
def test_relative_units_singular_plural_and_short(query: str, delta: timedelta, text: str) -> None:
    assert only_range(query) == Range("updated", NOW - delta, None, False, True, text)


def test_months_and_years_move_by_calendar_and_clamp_the_day() -> None:
    now = datetime(2025, 3, 31, 8, 0, tzinfo=UTC)
    r = parse("updated<1 month", now=now).ranges[0]
    assert r.low == datetime(2025, 2, 28, 8, 0, tzinfo=UTC)
    now = datetime(2024, 2, 29, tzinfo=UTC)
    r = parse("posted<1 year", now=now).ranges[0]
    assert r.low == datetime(2023, 2, 28, tzinfo=UTC)


def test_published_is_posted() -> None:
    r = only_range("published<1 year")
    assert r.field == "posted" and r.text == "posted<1 year"


def test_absolute_dates_count_whole_days() -> None:
    day = datetime(2024, 1, 1, tzinfo=UTC)
    next_day = datetime(2024, 1, 2, tzinfo=UTC)
    assert only_range("updated>2024-01-01") == Range(
        "updated", next_day, None, True, True, "updated>2024-01-01"
    )
    assert only_range("updated>=2024-01-01") == Range(
        "updated", day, None, True, True, "updated>=2024-01-01"
    )
    assert only_range("updated<2024-01-01") == Range(
        "updated", None, day, True, False, "updated<2024-01-01"
    )
    assert only_range("updated<=2024-01-01") == Range(
        "updated", None, next_day, True, False, "updated<=2024-01-01"
    )
    assert only_range("updated:2024-01-01") == Range(
        "updated", day, next_day, True, False, "updated:2024-01-01"
    )


def test_absolute_date_range_includes_the_last_day() -> None:
    r = only_range("posted:2023-01-01-2023-06-30")
    assert r.low == datetime(2023, 1, 1, tzinfo=UTC)
    assert r.high == datetime(2023, 7, 1, tzinfo=UTC) and not r.high_inclusive
    assert r.contains(datetime(2023, 6, 30, 23, 59, tzinfo=UTC))
    assert r.text == "posted:2023-01-01-2023-06-30"


def test_absolute_dates_use_the_time_zone_of_now() -> None:
    now = datetime(2025, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    r = parse("updated>=2024-07-01", now=now).ranges[0]
    assert r.low == datetime(2024, 7, 1, tzinfo=ZoneInfo("Europe/Paris"))


def test_naive_now_gives_naive_bounds() -> None:
    now = datetime(2025, 6, 15, 12, 0)
    parsed = parse("updated<1 day posted>2024-01-01", now=now)
    assert [r.low for r in parsed.ranges] == [
        datetime(2025, 6, 14, 12, 0),
        datetime(2024, 1, 2),
    ]


def test_bad_dates_warn() -> None:
    for query in (
        "posted:2024-13-45",
        "updated<1",
        "updated<1 fortnight",
        "updated>soon",
        "updated<2024-01-01-2024-02-01",
    ):
        parsed = p(query)
        assert parsed.ranges == [] and len(parsed.warnings) == 1, (query, parsed.warnings)


def test_unit_typo_after_a_space_leaves_the_word_searchable() -> None:
    parsed = p("updated<1 dragons")
    assert parsed.root == t("dragons") and parsed.ranges == []
    assert parsed.warnings == [
        "Couldn't understand the range “updated<1” — ignored it "
        "(try updated<1 week or updated>2024-01-31)"
    ]


def test_backwards_date_ranges_are_swapped() -> None:
    parsed = p("posted:2-1 years")
    assert parsed.ranges[0].text == "posted:1-2 years"
    assert len(parsed.warnings) == 1
    parsed = p("posted:2023-06-30-2023-01-01")
    assert parsed.ranges[0].text == "posted:2023-01-01-2023-06-30"
    assert len(parsed.warnings) == 1


def test_absurd_ages_clamp_instead_of_overflowing() -> None:
    parsed = p("updated<99999999999 years posted>999999999999 hours")
    assert parsed.warnings == []
    assert parsed.ranges[0].low == datetime(1, 1, 2, tzinfo=UTC)
    assert parsed.ranges[1].high == datetime(1, 1, 2, tzinfo=UTC)
    parsed = p("updated:9999999 weeks posted:9999-12-31")
    assert parsed.warnings == [] and len(parsed.ranges) == 2


def test_negated_relative_date() -> None:
    r = only_range("-updated<1 week")
    assert r == Range("updated", None, NOW - timedelta(weeks=1), True, True, "updated>=1 week")


def test_relative_dates_never_read_the_clock() -> None:
    then = datetime(2001, 1, 1, tzinfo=UTC)
    assert parse("updated<1 day", now=then).ranges[0].low == datetime(2000, 12, 31, tzinfo=UTC)


# --- sort -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort:kudos", Sort("kudos", True)),
        ("sort:words", Sort("words", True)),
        ("sort:word_count", Sort("words", True)),
        ("sort:hits", Sort("hits", True)),
        ("sort:comments", Sort("comments", True)),
        ("sort:bookmarks", Sort("bookmarks", True)),
        ("sort:posted", Sort("posted", True)),
        ("sort:updated", Sort("updated", True)),
        ("sort:title", Sort("title", False)),
        ("sort:creator", Sort("creator", False)),
        ("sort:author", Sort("creator", False)),
        ("sort:relevance", Sort("relevance", True)),
        ("sort:best", Sort("relevance", True)),
        # AO3's meaning of the arrows: ">" ascending, "<" descending.
        ("sort:>kudos", Sort("kudos", False)),
        ("sort:<kudos", Sort("kudos", True)),
        ("sort>kudos", Sort("kudos", False)),
        ("sort:<title", Sort("title", True)),
        ("sort: kudos ascending", Sort("kudos", False)),
        ("sort:title descending", Sort("title", True)),
        ("sort:>kudos desc", Sort("kudos", True)),
        ("sorted by:hits", Sort("hits", True)),
        ("SORT:KUDOS", Sort("kudos", True)),
    ],
)
def test_sort_shortcuts(query: str, expected: Sort) -> None:
    parsed = p(query)
    assert parsed.sort == expected and parsed.root is None and parsed.warnings == []


def test_sort_is_taken_out_of_the_query() -> None:
    parsed = p("dragon sort:kudos fire")
    assert parsed.root == And((t("dragon"), t("fire")))
    assert parsed.sort == Sort("kudos", True)


def test_unknown_sort_warns() -> None:
    parsed = p("dragon sort:colour")
    assert parsed.sort is None and parsed.root == t("dragon")
    assert parsed.warnings == [
        "Can't sort by “colour” — try kudos, words, hits, comments, bookmarks, title, creator, "
        "posted, updated or relevance"
    ]
    assert len(p("sort:").warnings) == 1
    assert len(p("sort:!!").warnings) == 1


def test_last_of_several_sorts_wins() -> None:
    parsed = p("sort:kudos sort:hits")
    assert parsed.sort == Sort("hits", True)
    assert parsed.warnings == ["More than one sort — used the last, sort:hits"]


def test_sort_to_text() -> None:
    assert Sort("kudos", True).to_text() == "sort:kudos"
    assert Sort("kudos", False).to_text() == "sort:kudos ascending"
    assert Sort("title", True).to_text() == "sort:title descending"


# --- malformed input --------------------------------------------------------------------------


def test_unmatched_quote_takes_the_rest_as_a_phrase() -> None:
    parsed = p('dragon "slow burn')
    assert parsed.root == And((t("dragon"), Phrase(None, "slow burn")))
    assert parsed.warnings == ["Unmatched quote — treated the rest as a phrase"]


def test_unbalanced_parentheses() -> None:
    parsed = p("(a OR b")
    assert parsed.root == Or((t("a"), t("b")))
    assert parsed.warnings == ["Unmatched “(” — closed it at the end"]
    parsed = p("a) b")
    assert parsed.root == And((t("a"), t("b")))
    assert parsed.warnings == ["Unmatched “)” — ignored it"]
    parsed = p("() a")
    assert parsed.root == t("a")
    assert parsed.warnings == ["Empty parentheses — ignored them"]


@pytest.mark.parametrize(
    ("query", "expected", "warning"),
    [
        ("a OR", t("a"), "“OR” needs something on both sides — ignored it"),
        ("OR a", t("a"), "“OR” needs something on both sides — ignored it"),
        ("(a OR) b", And((t("a"), t("b"))), "“OR” needs something on both sides — ignored it"),
        ("a OR OR b", Or((t("a"), t("b"))), "“OR” needs something on both sides — ignored it"),
        ("a AND", t("a"), "“AND” needs something on both sides — ignored it"),
        ("a NOT", t("a"), "“NOT” needs something after it — ignored it"),
        ("NOT", None, "“NOT” needs something after it — ignored it"),
        ("a NOT OR b", And((t("a"), t("b"))), "“NOT” needs something after it — ignored it"),
    ],
)
def test_dangling_operators(query: str, expected: Node | None, warning: str) -> None:
    parsed = p(query)
    assert parsed.root == expected
    assert warning in parsed.warnings


def test_warnings_are_not_repeated() -> None:
    parsed = p("* * * a OR OR OR b")
    assert len(parsed.warnings) == len(set(parsed.warnings))


# --- limits -----------------------------------------------------------------------------------


def test_long_query_is_cut_with_a_warning() -> None:
    query = "dragon " * 300  # 2,100 characters
    parsed = p(query)
    assert len(parsed.warnings) >= 1
    assert parsed.warnings[0] == (
        "The search was longer than 1,000 characters — only the first 1,000 were used"
    )


def test_cutting_does_not_leave_half_a_word() -> None:
    query = "a " * 499 + "dragonfire"  # the cut at 1,000 lands inside "dragonfire"
    assert len(query) > MAX_QUERY_LENGTH
    parsed = p(query + " x" * 10)
    assert "dragonfi" not in parsed.to_text()


def test_at_most_fifty_terms() -> None:
    parsed = p(" ".join(f"w{i}" for i in range(80)))
    assert isinstance(parsed.root, And)
    assert len(parsed.root.children) == MAX_TERMS
    assert parsed.root.children[-1] == t("w49")
    assert parsed.warnings == [f"Only the first {MAX_TERMS} terms were used"]


def test_ranges_count_towards_the_term_limit() -> None:
    parsed = p(" ".join(f"w{i}" for i in range(49)) + " words>5 kudos>5 last")
    assert [r.text for r in parsed.ranges] == ["words>5"]
    assert isinstance(parsed.root, And)
    assert len(parsed.root.children) == 49
    assert t("last") not in parsed.root.children


def test_nesting_deeper_than_ten_is_flattened() -> None:
    parsed = p("(" * 30 + "a OR b" + ")" * 30 + " c")
    assert parsed.root == And((Or((t("a"), t("b"))), t("c")))
    assert parsed.warnings == [f"Parentheses nested deeper than {MAX_DEPTH} levels were ignored"]
    deep = "".join(f"(x{i} " for i in range(15)) + ")" * 15
    parsed = p(deep)
    assert parsed.root is not None and len(parsed.warnings) == 1


def test_ten_thousand_characters_answered_quickly() -> None:
    queries = [
        "dragon " * 1500,
        "(" * 10_000,
        '"' * 10_000,
        "a OR " * 2000,
        "-" * 10_000,
        "NOT " * 2500,
        "drag* " * 1700,
        "words>1 " * 1250,
        "x" * 10_000,
        "\\" * 10_000,
        "sort:kudos " * 1000,
    ]
    for query in queries:
        assert timed(query) < 0.05, query[:20]
        assert p(query).warnings, query[:20]


# --- to_text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "normalised"),
    [
        ("dragon  fire", "dragon fire"),
        ("a b OR c", "a b OR c"),
        ("(a b) OR c", "(a b) OR c"),
        ("NOT (a OR b)", "-(a OR b)"),
        ("a NOT b", "a -b"),
        ("author:bob", "creator:bob"),
        ("title:(a OR b)", "title:a OR title:b"),
        ('fandom:"Kestrel  Fields FC"', 'fandom:"Kestrel Fields FC"'),
        ("drag*", "drag*"),
        ("complete:yes", "complete:true"),
        ("words>1,000 sort:>kudos dragon", "dragon words>1000 sort:kudos ascending"),
        ("updated<1w", "updated<1 week"),
        ("a | b", "a OR b"),
        ("“x y”", '"x y"'),
        (r"a\:b", r"a\:b"),
        (r"\OR", r"\OR"),
        ("http://x.org", "http://x.org"),
        ("", ""),
    ],
)
def test_to_text_normalises(query: str, normalised: str) -> None:
    assert p(query).to_text() == normalised


def test_positive_leaves_skip_negated_ones() -> None:
    parsed = p('dragon -angst (fire OR "slow burn") -(x y)')
    assert list(positive_leaves(parsed.root)) == [
        t("dragon"),
        t("fire"),
        Phrase(None, "slow burn"),
    ]


def test_nodes_are_frozen_and_hashable() -> None:
    node = root("a (b OR c) -d")
    assert isinstance(node, And)
    assert hash(node) == hash(root("a (b OR c) -d"))
    with pytest.raises(AttributeError):
        node.children = ()  # type: ignore[misc]


# --- properties -------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        " ",
        "  ",
        "a",
        "dragon",
        "Spider-Man",
        "魔道",
        '"',
        "“",
        "”",
        "(",
        ")",
        "-",
        "+",
        "*",
        "\\",
        "|",
        "||",
        "&&",
        ":",
        ">",
        "<",
        "=",
        ",",
        "OR",
        " OR ",
        " AND ",
        "NOT ",
        "title:",
        "fandom:",
        "complete:",
        "foo:",
        "sort:",
        "kudos",
        ">kudos",
        "words",
        "words>",
        "kudos:",
        "1",
        "1,000",
        "10-50",
        "updated<",
        "posted:",
        "1 week",
        "2 months",
        "3d",
        "2024-01-01",
        "-2023-06-30",
        "years",
        "http://",
        "\n",
        "\t",
        "„",
        "ab*",
        "\\*",
        "\\:",
        "12:30",
        "sort by:",
        " descending",
        "=>",
        "title: ",
        "summary:(",
        "-(",
        "NOT NOT ",
        "_",
        "\u3000",
    ]
)
_QUERIES = st.one_of(
    st.text(max_size=1000),
    st.lists(_PIECES, max_size=300).map("".join).map(lambda q: q[:1000]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=_QUERIES)
def test_parse_never_raises_and_is_quick(query: str) -> None:
    parsed = p(query)
    assert timed(query) < 0.05
    assert all(isinstance(w, str) and w for w in parsed.warnings)
    assert len(parsed.warnings) == len(set(parsed.warnings))
    assert len(list(_leaves(parsed.root))) + len(parsed.ranges) <= MAX_TERMS
    assert _depth(parsed.root) <= 3 * MAX_DEPTH + 3
    parsed.to_text()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=_QUERIES)
def test_to_text_parses_back_to_the_same_query(query: str) -> None:
    parsed = p(query)
    text = parsed.to_text()
    if len(text) > MAX_QUERY_LENGTH:
        return
    again = p(text)
    assert (again.root, again.ranges, again.sort) == (parsed.root, parsed.ranges, parsed.sort)
    assert again.to_text() == text


def _leaves(node: Node | None) -> Iterator[Term | Phrase]:
    if node is None:
        return
    if isinstance(node, Term | Phrase):
        yield node
    elif isinstance(node, Not):
        yield from _leaves(node.child)
    else:
        for child in node.children:
            yield from _leaves(child)


def _depth(node: Node | None) -> int:
    if node is None or isinstance(node, Term | Phrase):
        return 0
    if isinstance(node, Not):
        return 1 + _depth(node.child)
    return 1 + max(_depth(child) for child in node.children)
