"""What one write costs the server, in process: CPU time and queries per request.

    .venv/bin/python bench/write_cost.py                    # SQLite, 300 requests per write
    .venv/bin/python bench/write_cost.py --database-url postgres://postgres@127.0.0.1:5432/fw_cost
    .venv/bin/python bench/write_cost.py --profile comment  # where a comment's CPU time goes

A fresh archive is made as bench/writes.py makes it (creators with two-chapter works, reader
accounts with logged-in sessions). Then, in this process, Django's test client posts what a
reader's browser posts (CSRF token from /token_dispenser.json, checks enforced, the session
cookie), through the whole middleware stack and view: no server, no network, no other process.
Each request is timed with `time.process_time` (this process's CPU time, so other work on the
machine barely moves it, unlike wall-clock latency), after a warm-up, and each kind's queries
are counted on a separate pass (counting them costs CPU of its own).

Kinds: `kudos` (a reader's first kudos on a work), `comment` (a new comment with a fresh form
key), `bookmark` (a reader's first bookmark of a work) and `bookmark_edit` (bookmarking the
same work again, which edits the bookmark). Prints p50/p95 CPU ms and queries per request,
then one JSON line.

To compare with other code (e.g. main), run this file with that code first on the path:
`git worktree add --detach /tmp/fw-main main; PYTHONPATH=/tmp/fw-main .venv/bin/python
bench/write_cost.py`.
"""

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from pages import percentile  # noqa: E402 - bench/ is not a package
from writes import SETUP_SNIPPET, fanworks, fresh_postgres, run_snippet  # noqa: E402

KINDS = ("kudos", "comment", "bookmark", "bookmark_edit")
HOST = "127.0.0.1"


def requests_of(
    kind: str, setup: dict[str, Any], count: int, offset: int
) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(writer index, path, form fields) for `count` requests of `kind`. Kudos and first
    bookmarks walk distinct (writer, work) pairs starting at `offset`, so each one is new."""
    works, writers = setup["works"], setup["writers"]
    pairs = [(w, work) for work in works for w in range(len(writers))]
    for n in range(offset, offset + count):
        writer, work = pairs[n % len(pairs)]
        marker = f"cost-{kind}-{n:06d}"
        if kind == "kudos":
            yield writer, f"/works/{work['id']}/kudos", {}
        elif kind == "comment":
            chapter = work["chapters"][n % 2]
            fields = {
                "comment[comment_content]": f"A comment from the cost benchmark: {marker}.",
                "comment[creation_key]": f"{n:08d}-0000-4000-8000-{n:012d}",
            }
            yield writer, f"/chapters/{chapter}/comments", fields
        else:
            fields = {
                "bookmark[notes]": marker,
                "bookmark[tag_string]": "bench",
                "bookmark[pseud_id]": str(writers[writer]["pseud"]),
            }
            yield writer, f"/works/{work['id']}/bookmarks", fields


def measure(
    setup: dict[str, Any],
    kinds: list[str],
    count: int,
    warmup: int,
    profile: str,
    show_queries: bool = False,
    profile_sort: str = "cumulative",
) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = []
    for account in setup["writers"]:
        client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST)
        client.cookies["sessionid"] = account["session"]
        token = client.get("/token_dispenser.json").json()["token"]
        clients.append((client, token))

    def post(writer: int, path: str, fields: dict[str, str]) -> None:
        client, token = clients[writer]
        response = client.post(
            path, {"authenticity_token": token, **fields}, HTTP_REFERER=f"http://{HOST}/"
        )
        if response.status_code not in {200, 201, 302, 303}:
            raise SystemExit(f"POST {path} answered {response.status_code}")

    figures: dict[str, Any] = {}
    # Kudos and first bookmarks use each pair once; bookmark edits go over the first
    # bookmarks' pairs again.
    offsets = {"kudos": 0, "comment": 0, "bookmark": 0, "bookmark_edit": 0}
    passes = [("warm-up", warmup), ("queries", min(count, 20)), ("timed", count)]
    for kind in kinds:
        source = "bookmark" if kind == "bookmark_edit" else kind
        if kind == "bookmark_edit" and offsets["bookmark"] == 0:
            # Edits need bookmarks to edit: make them (untimed) first.
            for request in requests_of("bookmark", setup, warmup + count + 20, 0):
                post(*request)
            offsets["bookmark"] = warmup + count + 20
        cpu: list[float] = []
        queries: list[int] = []
        for name, size in passes:
            start = offsets[kind]
            batch = list(requests_of(source, setup, size, start))
            offsets[kind] += size
            if name == "queries":
                for request in batch:
                    with CaptureQueriesContext(connection) as captured:
                        post(*request)
                    queries.append(len(captured))
                if show_queries:
                    print(f"--- {kind}: the queries of {request[1]}")
                    for query in captured.captured_queries:
                        print(f"  {query['sql'][:300]}")
                continue
            if name == "warm-up":
                for request in batch:
                    post(*request)
                continue
            profiler = cProfile.Profile() if profile == kind else None
            gc.collect()
            for request in batch:
                began = time.process_time()
                if profiler is not None:
                    profiler.enable()
                post(*request)
                if profiler is not None:
                    profiler.disable()
                cpu.append(time.process_time() - began)
            if profiler is not None:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(profile_sort).print_stats(45)
                print(out.getvalue())
        cpu.sort()
        figures[kind] = {
            "requests": len(cpu),
            "cpu_p50_ms": round(percentile(cpu, 0.5) * 1000, 2),
            "cpu_p95_ms": round(percentile(cpu, 0.95) * 1000, 2),
            "cpu_mean_ms": round(sum(cpu) / len(cpu) * 1000, 2),
            "queries_min": min(queries),
            "queries_max": max(queries),
        }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per kind")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--creators", type=int, default=4)
    parser.add_argument("--works-each", type=int, default=15)
    parser.add_argument("--kinds", default=",".join(KINDS), help="of " + ", ".join(KINDS))
    parser.add_argument("--profile", default="", choices=("", *KINDS), help="cProfile one kind")
    parser.add_argument(
        "--profile-sort", default="cumulative", help="pstats order: cumulative, tottime, …"
    )
    parser.add_argument("--show-queries", action="store_true", help="print each kind's SQL")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    if not kinds or set(kinds) - set(KINDS):
        parser.error(f"--kinds takes some of {', '.join(KINDS)}")
    pairs = args.writers * args.creators * args.works_each
    if pairs < 2 * (args.warmup + args.requests + 20):
        parser.error("too few (writer, work) pairs for distinct kudos: add writers or works")

    var_dir = Path(tempfile.mkdtemp(prefix="fanworks-bench-write-cost-"))
    # What `fanworks serve` runs with: production settings, jobs left to the runner.
    os.environ.update(
        {
            "FANWORKS_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "fanworks.settings",
            "JOBS_EAGER": "0",
            "DEBUG": "0",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        fresh_postgres(args.database_url)
        os.environ["DATABASE_URL"] = args.database_url
    # collectstatic is not run: say where static files would be, so Django does not warn.
    (var_dir / "static").mkdir()
    env = dict(os.environ)
    try:
        fanworks(env, "migrate", "--noinput", "-v", "0")
        setup = run_snippet(
            env, SETUP_SNIPPET, str(args.creators), str(args.works_each), str(args.writers)
        )
        import django

        django.setup()
        import fanworks as code
        from fanworks.gunicorn_conf import GC_THRESHOLD

        # As a server worker is set up (fanworks/gunicorn_conf.py): what is loaded now stays.
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLD)
        figures = measure(
            setup,
            kinds,
            args.requests,
            args.warmup,
            args.profile,
            args.show_queries,
            args.profile_sort,
        )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)

    backend = "PostgreSQL" if args.database_url else "SQLite"
    where = Path(code.__file__).resolve().parent.parent
    print(f"{backend}, code in {where}: CPU per request over {args.requests} requests")
    print(f"{'write':<15}{'cpu p50 ms':>11}{'cpu p95 ms':>11}{'mean ms':>9}{'queries':>9}")
    for kind in kinds:
        row = figures[kind]
        spread = (
            str(row["queries_min"])
            if row["queries_min"] == row["queries_max"]
            else f"{row['queries_min']}-{row['queries_max']}"
        )
        print(
            f"{kind:<15}{row['cpu_p50_ms']:>11}{row['cpu_p95_ms']:>11}"
            f"{row['cpu_mean_ms']:>9}{spread:>9}"
        )
    print(json.dumps({"backend": backend, "code": str(where), "figures": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
