"""Bookmark pages and the bookmark form's POST on a demo archive, in process (Django's test
client: no server or network in the figures, only the view, its queries and templates).

    .venv/bin/python bench/bookmarks.py --works 20000          # build /tmp/fanworks-bench-bm-20000
    .venv/bin/python bench/bookmarks.py --works 20000 --reuse  # measure the archive again
    .venv/bin/python bench/bookmarks.py --database-url postgres://postgres@127.0.0.1:5432/fw_bm

Prints a table (median and p95 per page), then one JSON line with every figure.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def build(var_dir: Path, works: int, env: dict[str, str]) -> None:
    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    fanworks = str(REPO / ".venv" / "bin" / "fanworks")
    subprocess.run([fanworks, "migrate", "-v0"], check=True, env=env)
    subprocess.run([fanworks, "demo", "--works", str(works)], check=True, env=env)
    (var_dir / "bench-bookmarks-built").touch()


def measure(requests: int) -> dict[str, dict[str, float]]:
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from fanworks.accounts.models import User
    from fanworks.engagement.models import Bookmark
    from fanworks.tags.models import Tag, TagType

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    busiest_user = (
        Bookmark.objects.values("user__username").annotate(n=Count("pk")).order_by("-n").first()
    )
    busiest_work = (
        Bookmark.objects.exclude(work=None)
        .values("work")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert busiest_user and busiest_work, "the archive has no bookmarks"
    fandom = (
        Tag.objects.filter(type=TagType.FANDOM, canonical=True)
        .annotate(n=Count("work_filters"))
        .order_by("-n")
        .first()
    )
    favorite = Tag.objects.get(name="favorites")
    work_id = busiest_work["work"]
    pages = {
        "all": ("/bookmarks", {}),
        "all_by_bookmarker_tag": (
            "/bookmarks",
            {"include_bookmark_search[tag_ids][]": favorite.pk},
        ),
        "all_by_fandom_recs": (
            "/bookmarks",
            {
                "include_bookmark_search[fandom_ids][]": fandom.pk if fandom else 0,
                "bookmark_search[rec]": "1",
            },
        ),
        "user": (f"/users/{busiest_user['user__username']}/bookmarks", {}),
        "work": (f"/works/{work_id}/bookmarks", {}),
    }
    reader = Client()
    reader.force_login(User.objects.get(username="demo"))
    figures: dict[str, dict[str, float]] = {}
    for name, (url, params) in pages.items():
        assert reader.get(url, params).status_code == 200, url
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            reader.get(url, params)
            times.append((time.perf_counter() - started) * 1000)
        figures[name] = _summary(times)
    times = []
    for n in range(requests):
        started = time.perf_counter()
        response = reader.post(
            f"/works/{work_id}/bookmarks",
            {"bookmark[notes]": f"bench {n}", "bookmark[tag_string]": "bench, favorites"},
        )
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302
    figures["post_bookmark"] = _summary(times)
    figures["archive"] = {
        "bookmarks": Bookmark.objects.count(),
        "private": Bookmark.objects.filter(private=True).count(),
    }
    return figures


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reuse", action="store_true", help="measure the last build again")
    args = parser.parse_args()
    var_dir = Path(f"/tmp/fanworks-bench-bm-{args.works}")
    env = {
        **os.environ,
        "FANWORKS_VAR_DIR": str(var_dir),
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "fanworks.settings",
    }
    if not (args.reuse and (var_dir / "bench-bookmarks-built").exists()):
        build(var_dir, args.works, env)
    os.environ.update(env)
    figures = measure(args.requests)
    for name, values in figures.items():
        print(f"{name:24} " + "  ".join(f"{key} {value}" for key, value in values.items()))
    print(json.dumps({"works": args.works, **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
