"""Random archives searched by both backends: same ids, totals and facets, and exactly the
works the viewer may see (checked against visible_works and a plain-Python evaluation).

The archives have random reader counts, crossovers, titles with leading articles in mixed case
and creators whose names differ in case, so every range, filter and sort is compared."""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from fanworks.accounts.models import Pseud
from fanworks.core.testing import make_user, make_work
from fanworks.search.documents import work_documents
from fanworks.search.outbox import record_work_changes
from fanworks.search.parser import Range, parse
from fanworks.search.query import SORTS, SqlBackend, WorkSearch, effective_sort
from fanworks.search.tantivy_index import TantivyBackend, TantivyIndex
from fanworks.tags.models import Tag, WorkFilter
from fanworks.tags.wrangling import tag_add_metatag, tag_make_canonical, tag_make_synonym
from fanworks.works.actions import work_delete
from fanworks.works.models import Work, sortable_title
from fanworks.works.queries import visible_works

pytestmark = pytest.mark.django_db

# Made-up words the stemmer leaves alone and that are not substrings of one another, so a
# whole-word index match and a substring match agree.
WORDS = ["quorx", "blimt", "zendo", "vartok", "plumex", "grindal", "oskat", "trevum"]
RATINGS = ["General Audiences", "Teen And Up Audiences", "Mature", "Explicit"]
BASE = datetime(2024, 1, 1, tzinfo=UTC)
ARTICLES = ["", "", "The ", "the ", "A ", "an ", "Anne "]
STATS = {"hits": 500, "kudos": 40, "comments": 12, "bookmarks": 6}
STAT_COLUMNS = {
    "hits": "hit_count",
    "kudos": "kudos_count",
    "comments": "comment_count",
    "bookmarks": "bookmark_count",
}


def build_archive(rng: random.Random, n: int = 30) -> None:
    users = [make_user(name) for name in ("Zelda_q", "alma_q", "Bruno_q", "bruno_x")]
    for _ in range(n):
        user = rng.choice(users)
        text = " ".join(rng.sample(WORDS, 3))
        word = rng.choice(WORDS)
        make_work(
            user,
            post=rng.random() > 0.15,
            title=f"{rng.choice(ARTICLES)}{rng.choice([word, word.title(), word.upper()])} story",
            summary=rng.choice(WORDS),
            content=f"Once upon a time {text} and then more words followed.",
            rating=rng.choice(RATINGS),
            fandoms=rng.sample(["Fandom A", "Fandom B", "fandom b alt"], rng.randint(1, 2)),
            freeforms=rng.sample(
                ["Fluff", "fluffy", "Angst", "Hurt", "Comfort"], rng.randint(0, 3)
            ),
            characters=rng.sample(["Mira", "Tomas", "Mira T"], rng.randint(0, 2)),
            restricted=rng.random() < 0.25,
            expected_chapters=rng.choice([None, 1, 2]),
            language=rng.choice(["en", "en", "fr"]),
        )
    for work in Work.objects.all():
        # Whole distinct-ish seconds so both backends break date ties by id alike.
        work.revised_at = BASE + timedelta(seconds=rng.randint(0, 50) * 3600)
        work.hidden_by_admin = rng.random() < 0.1
        work.save(update_fields=["revised_at", "hidden_by_admin"])
        # Counters are bumped in bulk by reader features, which record the change themselves.
        # Small maxima make ties, so the id tie-break is compared too.
        Work.objects.filter(pk=work.pk).update(
            **{STAT_COLUMNS[s]: rng.choice([0, rng.randint(0, top)]) for s, top in STATS.items()}
        )
    record_work_changes(list(Work.objects.values_list("pk", flat=True)))
    wrangler = users[0]
    tag = Tag.objects.get
    for name in ["Fandom A", "Fandom B", "Fluff", "Angst", "Hurt", "Comfort", "Mira"]:
        tag_make_canonical(actor=wrangler, tag=tag(name=name))
    tag_make_synonym(actor=wrangler, tag=tag(name="fandom b alt"), canonical=tag(name="Fandom B"))
    tag_make_synonym(actor=wrangler, tag=tag(name="fluffy"), canonical=tag(name="Fluff"))
    tag_make_canonical(actor=wrangler, tag=tag(name="Tomas"))
    tag_add_metatag(actor=wrangler, sub=tag(name="Fluff"), meta=tag(name="Comfort"))


def random_request(rng: random.Random, tag_ids: list[int], creators: list[str]) -> WorkSearch:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    ranges: list[Range] = []
    if rng.random() < 0.3:
        ranges += parse(f"words>{rng.randint(5, 30)}", now=now).ranges
    for stat, top in STATS.items():
        if rng.random() < 0.2:
            low = rng.randint(0, top)
            query = rng.choice(
                [f"{stat}<{low}", f"{stat}>{low}", f"{stat}:{low}-{low + top // 3}", f"{stat}:0"]
            )
            ranges += parse(query, now=now).ranges
    if rng.random() < 0.3:
        day = (BASE + timedelta(hours=rng.randint(0, 50) * 3600 // 3600)).date()
        ranges += parse(f"updated>{day.isoformat()}", now=now).ranges
    text = None
    if rng.random() < 0.5:
        query = rng.choice(
            [
                rng.choice(WORDS),
                f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
                f"{rng.choice(WORDS)} OR title:{rng.choice(WORDS)}",
                f"-{rng.choice(WORDS)}",
                f"summary:{rng.choice(WORDS)}",
                "fandom:Fandom",
                rng.choice(["fandom:b", 'fandom:"Fandom B"', "fandom:fand*", "-fandom:alt"]),
                rng.choice(
                    ["freeform:fluff", "freeform:fluff*", "character:mira", "rating:mature"]
                ),
                f"creator:{rng.choice(creators)}",
                f"text:{rng.choice(WORDS)}",
            ]
        )
        text = parse(query, now=now).root
    return WorkSearch(
        include_filter_ids=rng.sample(tag_ids, rng.choice([0, 0, 1, 2, 4])),
        exclude_filter_ids=rng.sample(tag_ids, rng.choice([0, 0, 1])),
        ranges=ranges,
        complete=rng.choice([None, None, True, False]),
        crossover=rng.choice([None, None, True, False]),
        language=rng.choice([None, None, "en", "fr"]),
        text=text,
        sort=rng.choice(sorted(SORTS)),
        descending=rng.random() < 0.7,
        page=rng.choice([1, 1, 2]),
        per_page=rng.choice([5, 20]),
        viewer_is_registered=rng.random() < 0.5,
    )


def python_matches(request: WorkSearch) -> set[int]:
    """The plain-Python answer for everything but the text query."""
    viewer = make_user() if request.viewer_is_registered else AnonymousUser()
    visible = set(visible_works(viewer).values_list("pk", flat=True))
    filters: dict[int, set[int]] = {}
    for work_id, tag_id in WorkFilter.objects.values_list("work_id", "tag_id"):
        filters.setdefault(work_id, set()).add(tag_id)
    found = set()
    for work in Work.objects.filter(pk__in=visible):
        tags = filters.get(work.pk, set())
        values: dict[str, Any] = {
            "words": work.word_count,
            "updated": work.revised_at,
            "chapters": work.posted_chapter_count,
            **{stat: getattr(work, column) for stat, column in STAT_COLUMNS.items()},
        }
        if not all(t in tags for t in request.include_filter_ids):
            continue
        if tags & set(request.exclude_filter_ids):
            continue
        if not all(r.contains(values[r.field]) for r in request.ranges):
            continue
        if request.complete is not None and work.is_complete != request.complete:
            continue
        if request.language and work.language != request.language:
            continue
        if request.crossover is not None and work.is_crossover != request.crossover:
            continue
        found.add(work.pk)
    return found


def python_order(request: WorkSearch, ids: set[int]) -> list[int] | None:
    """The order every backend must give, for sorts on a stored value (None for relevance)."""
    column = {
        "updated": "revised_at",
        "posted": "first_posted_at",
        "words": "word_count",
        "title": "title_sort_key",
        "creator": "creator_sort_key",
        **STAT_COLUMNS,
    }.get(effective_sort(request))
    if column is None:
        return None
    rows = Work.objects.filter(pk__in=ids).values_list(column, "pk")
    return [pk for _, pk in sorted(rows, reverse=request.descending)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_backends_agree_and_respect_visibility(seed: int, tmp_path: Path, settings: Any) -> None:
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    rng = random.Random(seed)
    build_archive(rng)
    index = TantivyIndex()
    # Small batches: each work is applied many times and must stay one document.
    assert index.catch_up(batch_size=37) > 0
    tantivy_backend, sql = TantivyBackend(index), SqlBackend()
    tag_ids = list(Tag.objects.filter(canonical=True).values_list("pk", flat=True))
    creators = list(Pseud.objects.values_list("name", flat=True))
    # The stored sort keys are what the actions computed from the title and first creator.
    for work in Work.objects.prefetch_related("creatorships__pseud"):
        assert work.title_sort_key == sortable_title(work.title)
        assert not work.title_sort_key.startswith(("the ", "a ", "an "))
        first = work.creatorships.all()[0].pseud.name
        assert work.creator_sort_key == first.lower()
    assert Work.objects.filter(is_crossover=True).exists()
    for _ in range(80):
        request = random_request(rng, tag_ids, creators)
        a, b = tantivy_backend.search(request), sql.search(request)
        everything = WorkSearch(**{**request.__dict__, "page": 1, "per_page": 10_000})
        all_ids = set(sql.search(everything).work_ids)
        if effective_sort(request) == "relevance":
            # Each engine ranks in its own way: the same works, counts and facets.
            assert (a.total, a.facets) == (b.total, b.facets), request
            assert set(tantivy_backend.search(everything).work_ids) == all_ids
        else:
            assert (a.work_ids, a.total, a.facets) == (b.work_ids, b.total, b.facets), request
            order = python_order(request, all_ids)
            assert order is not None
            start = (request.page - 1) * request.per_page
            assert b.work_ids == order[start : start + request.per_page], request
        assert set(tantivy_backend.search(everything).work_ids) == all_ids
        assert len(all_ids) == b.total
        expected = python_matches(request)
        if request.text is None:
            assert all_ids == expected
        else:
            assert all_ids <= expected


def test_catch_up_resumes_from_the_index_directory(tmp_path: Path, settings: Any) -> None:
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    first = make_work(title="quorx first")
    index = TantivyIndex()
    index.catch_up()
    applied = index.last_applied()
    assert applied > 0
    second = make_work(title="quorx second")
    draft = make_work(title="quorx draft", post=False)
    # A new process opening the same directory carries on from the recorded position.
    again = TantivyIndex()
    assert again.last_applied() == applied
    again.catch_up()
    request = WorkSearch(text=parse("quorx", now=BASE).root)
    assert set(TantivyBackend(again).search(request).work_ids) == {first.pk, second.pk}
    # Deleting and hiding reach the index too.
    work_delete(work=Work.objects.get(pk=first.pk))
    # Hiding is done in the admin, which records the change as every write path must.
    Work.objects.filter(pk=second.pk).update(hidden_by_admin=True)
    record_work_changes([second.pk])
    again.catch_up()
    assert TantivyBackend(again).search(request).work_ids == []
    assert draft.pk not in TantivyBackend(again).search(WorkSearch()).work_ids


def test_rebuild_matches_catch_up(tmp_path: Path, settings: Any) -> None:
    settings.SEARCH_INDEX_DIR = tmp_path / "a"
    build_archive(random.Random(7), n=12)
    incremental = TantivyIndex()
    incremental.catch_up()
    rebuilt = TantivyIndex(tmp_path / "b")
    seen = []
    assert rebuilt.rebuild(batch_size=5, progress=lambda d, t: seen.append((d, t))) > 0
    assert seen[-1][0] == seen[-1][1]
    for registered in (False, True):
        request = WorkSearch(per_page=100, viewer_is_registered=registered)
        a = TantivyBackend(incremental).search(request)
        b = TantivyBackend(rebuilt).search(request)
        assert (a.work_ids, a.total, a.facets) == (b.work_ids, b.total, b.facets)
    assert rebuilt.last_applied() == incremental.last_applied()


def test_documents_have_filters_facets_and_tombstones() -> None:
    draft = make_work(post=False)
    work = make_work(freeforms=["Fluff"], characters=["Mira"], summary="<b>bold</b> words")
    docs = work_documents([work.pk, draft.pk, 999_999])
    doc = docs[0]
    assert doc["summary"].strip() == "bold words"
    assert set(doc["filter_ids"]) == set(
        WorkFilter.objects.filter(work=work).values_list("tag_id", flat=True)
    )
    # Ratings and warnings are canonical; the new fandom is not, so it filters nothing yet.
    assert doc["rating_ids"] and doc["warning_ids"] and doc["fandom_ids"] == []
    assert "Fluff" in doc["tag_names"] and doc["creators"]
    assert docs[1] == {"id": draft.pk, "deleted": True}
    assert docs[2] == {"id": 999_999, "deleted": True}
    record_work_changes([work.pk])


def test_per_type_fields_match_tags_by_the_words_of_their_names(
    tmp_path: Path, settings: Any
) -> None:
    """`fandom:…` and the other per-type fields look words up among tag names of that type,
    then match works by tag id, in both backends alike."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    a = make_work(fandoms=["Marvel Cinematic Universe"], freeforms=["Fluff"], characters=["Mira"])
    b = make_work(fandoms=["Cinematic Marvel"], freeforms=["fluffy", "Café AU"])
    c = make_work(fandoms=["Kestrel"], freeforms=["Mira Week"], characters=["Tomas"])
    index = TantivyIndex()
    index.catch_up()
    cases = {
        "fandom:marvel": {a.pk, b.pk},
        'fandom:"marvel cinematic"': {a.pk},
        'fandom:"Cinematic Marvel"': {b.pk},
        "fandom:cinem*": {a.pk, b.pk},
        'fandom:"marvel cin*"': set(),
        "fandom:marv* -fandom:universe": {b.pk},
        "freeform:fluff": {a.pk},
        "freeform:fluff*": {a.pk, b.pk},
        "freeform:cafe": {b.pk},
        "freeform:CAFÉ": {b.pk},
        "character:mira": {a.pk},
        "freeform:mira": {c.pk},
        "relationship:mira": set(),
        "fandom:marvels": set(),
    }
    for query, expected in cases.items():
        request = WorkSearch(text=parse(query, now=BASE).root, per_page=100)
        for backend in (TantivyBackend(index), SqlBackend()):
            assert set(backend.search(request).work_ids) == expected, (query, backend)
