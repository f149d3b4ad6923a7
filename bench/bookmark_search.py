"""Bookmark filtering, SQL against the search index, in process (no pages, no templates: the
time to find a page of bookmark ids, the count and the sidebar's tag counts).

    .venv/bin/python bench/bookmark_search.py                 # 20,000 works, 100,000 bookmarks
    .venv/bin/python bench/bookmark_search.py --reuse         # measure the last build again
    .venv/bin/python bench/bookmark_search.py --database-url postgres://postgres@127.0.0.1:5432/fw_bmb

Builds a demo archive (`fanworks demo --works N`) in /tmp/fanworks-bench-bmsearch-N, tops its
bookmarks up to --bookmarks with bookmarks of its own (random readers and posted works, the
demo's bookmarker tags with the same Zipf spread, recs, notes and private ones), builds the
search index (`build_generation`, as `fanworks reindex`), then runs each query on both
backends, alternately, and checks that they answer alike. Prints p50/p95 per backend and the
ratio of the medians, then one JSON line. The two backends run interleaved in one process, so
their ratio holds even on a busy machine; the absolute figures do not.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

# The demo archive is built as bench/bookmarks.py builds it (this directory is on sys.path
# when the script runs).
from bookmarks import build


def top_up_bookmarks(target: int, seed: int = 7) -> int:
    """Add bookmarks until the archive has `target`; returns how many were added."""
    from django.db import transaction
    from django.utils import timezone

    from fanworks.accounts.models import Pseud
    from fanworks.demo.bookmarks import _TAG_WEIGHTS, BOOKMARKER_TAGS
    from fanworks.engagement.actions import bookmark_tags_find_or_create
    from fanworks.engagement.models import Bookmark, BookmarkTag
    from fanworks.works.models import Work

    missing = target - Bookmark.objects.count()
    if missing <= 0:
        return 0
    rng = random.Random(seed)
    pseuds = dict(Pseud.objects.filter(is_default=True).values_list("user_id", "pk"))
    users = sorted(pseuds)
    works = list(Work.objects.filter(posted=True).values_list("pk", flat=True))
    taken = set(Bookmark.objects.exclude(work=None).values_list("user_id", "work_id"))
    tags = [t.pk for t in bookmark_tags_find_or_create(BOOKMARKER_TAGS)]
    now = timezone.now()
    added = 0
    while added < missing:
        rows: list[Any] = []
        chosen_tags: list[list[int]] = []
        while len(rows) < min(5000, missing - added):
            user, work = rng.choice(users), rng.choice(works)
            if (user, work) in taken:
                continue
            taken.add((user, work))
            notes = rng.random() < 0.35
            rows.append(
                Bookmark(
                    user_id=user,
                    pseud_id=pseuds[user],
                    work_id=work,
                    notes="Loved it." if notes else "",
                    notes_html="<p>Loved it.</p>" if notes else "",
                    rec=rng.random() < 0.15,
                    private=rng.random() < 0.12,
                    created_at=now - timedelta(seconds=rng.randrange(2 * 365 * 86400)),
                )
            )
            count = rng.choice([0, 0, 1, 1, 2, 3])
            chosen_tags.append(sorted(set(rng.choices(tags, weights=_TAG_WEIGHTS, k=count))))
        with transaction.atomic():
            made = Bookmark.objects.bulk_create(rows, batch_size=1000)
            BookmarkTag.objects.bulk_create(
                [
                    BookmarkTag(bookmark_id=b.pk, tag_id=t)
                    for b, ts in zip(made, chosen_tags, strict=True)
                    for t in ts
                ],
                batch_size=2000,
            )
        added += len(rows)
    return added


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def measure(requests: int) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Count

    from fanworks.accounts.models import User
    from fanworks.engagement.bookmark_search import BookmarkSearch, sql_search
    from fanworks.engagement.models import Bookmark
    from fanworks.search.bookmark_index import BookmarkEngine
    from fanworks.search.index_build import build_generation
    from fanworks.search.indexer import get_index
    from fanworks.tags.models import Tag, TagType
    from fanworks.tags.queries import tag_by_name

    started = time.perf_counter()
    built = build_generation(Path(settings.SEARCH_INDEX_DIR))
    build_seconds = time.perf_counter() - started
    index = get_index()
    assert index.ready
    engine = BookmarkEngine(index.index, index.schema)
    busiest = Bookmark.objects.values("user_id").annotate(n=Count("pk")).order_by("-n").first()
    popular = (
        Bookmark.objects.exclude(work=None)
        .values("work_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert busiest and popular, "the archive has no bookmarks"
    fandom = (
        Tag.objects.filter(type=TagType.FANDOM, canonical=True)
        .annotate(n=Count("work_filters"))
        .order_by("-n")
        .first()
    )
    favourite = tag_by_name("favorites")
    angst = tag_by_name("angst")
    assert favourite and angst, "the demo's bookmarker tags are missing"
    reader = User.objects.exclude(pk=busiest["user_id"]).order_by("pk").first()
    fandom_id = fandom.pk if fandom else 0
    cases: dict[str, tuple[Any, BookmarkSearch, bool]] = {
        "all_newest_guest": (AnonymousUser(), BookmarkSearch(), False),
        "all_by_fandom_recs": (
            AnonymousUser(),
            BookmarkSearch(include_work_tag_ids=[fandom_id], rec_only=True),
            True,
        ),
        "all_by_bookmarker_tag": (
            reader,
            BookmarkSearch(include_bookmark_tag_ids=[favourite.pk]),
            True,
        ),
        "fandom_minus_angst_by_updated": (
            reader,
            BookmarkSearch(
                include_work_tag_ids=[fandom_id],
                exclude_bookmark_tag_ids=[angst.pk],
                sort="updated",
            ),
            True,
        ),
        "user_bookmarks_page_3": (
            AnonymousUser(),
            BookmarkSearch(owner_id=busiest["user_id"], page=3),
            True,
        ),
        "work_bookmarks": (reader, BookmarkSearch(work_id=popular["work_id"]), True),
    }
    figures: dict[str, Any] = {}
    for name, (viewer, request, faceted) in cases.items():
        expected = sql_search(viewer, request, faceted=faceted)
        found = engine.search(viewer, request, faceted=faceted)
        assert found is not None, name
        assert asdict(found) == asdict(expected), f"{name}: the backends disagree"
        times: dict[str, list[float]] = {"sql": [], "tantivy": []}
        for _ in range(requests):
            for backend in ("sql", "tantivy"):
                t0 = time.perf_counter()
                if backend == "sql":
                    sql_search(viewer, request, faceted=faceted)
                else:
                    engine.search(viewer, request, faceted=faceted)
                times[backend].append((time.perf_counter() - t0) * 1000)
        row: dict[str, Any] = {"matches": expected.total}
        for backend, values in times.items():
            row[f"{backend}_p50_ms"] = round(statistics.median(values), 2)
            row[f"{backend}_p95_ms"] = round(percentile(values, 0.95), 2)
        row["sql_over_tantivy_p50"] = round(row["sql_p50_ms"] / max(row["tantivy_p50_ms"], 1e-3), 1)
        figures[name] = row
    figures["_build"] = {
        "seconds": round(build_seconds, 1),
        "works": built.works,
        "bookmarks": Bookmark.objects.count(),
        "index_mb": round(built.size_bytes / 1e6, 1),
    }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=20_000)
    parser.add_argument("--bookmarks", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reuse", action="store_true", help="measure the last build again")
    args = parser.parse_args()
    var_dir = Path(f"/tmp/fanworks-bench-bmsearch-{args.works}")
    env = {
        **os.environ,
        "FANWORKS_VAR_DIR": str(var_dir),
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "fanworks.settings",
        "SEARCH_BACKEND": "tantivy",
    }
    if not (args.reuse and (var_dir / "bench-bookmark-search-built").exists()):
        build(var_dir, args.works, env)
    os.environ.update(env)
    import django

    django.setup()
    added = top_up_bookmarks(args.bookmarks)
    (var_dir / "bench-bookmark-search-built").touch()
    figures = measure(args.requests)
    figures["_build"]["bookmarks_added"] = added
    heads = ("matches", "sql p50", "p95", "index p50", "p95")
    print(f"{'query':32} " + " ".join(f"{h:>10}" for h in heads) + " ratio")
    for name, row in figures.items():
        if name.startswith("_"):
            continue
        print(
            f"{name:32} {row['matches']:>10} {row['sql_p50_ms']:>10} {row['sql_p95_ms']:>10} "
            f"{row['tantivy_p50_ms']:>10} {row['tantivy_p95_ms']:>10} "
            f"{row['sql_over_tantivy_p50']:>5}x"
        )
    print("build:", figures["_build"])
    print(json.dumps({"works": args.works, **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
