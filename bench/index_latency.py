"""How long until a posted or edited work is searchable, on the production server.

    .venv/bin/python bench/index_latency.py              # fresh 1,000-work archive in /tmp
    .venv/bin/python bench/index_latency.py --reuse      # reuse the archive a previous run built
    .venv/bin/python bench/index_latency.py --trials 40 --database-url postgres://…/fw_latency

The setup of `make run`: `fanworks serve` with its default workers, each keeping its own
search index current from the outbox in a thread. This script posts a work (or edits one)
through `fanworks.works.actions` against the same database, the way the posting form does,
then asks /works/search?work_search[query]=<a word only that work has> every 20 ms until the
work is listed. Trials alternate between posting and editing. Prints a table, then one JSON
line with every figure. The server is stopped at the end, whatever happens.
"""

import argparse
import http.client
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from pages import (  # noqa: E402 - bench/ is not a package
    fanworks,
    percentile,
    start_server,
    stop_server,
    wait_until_serving,
)

TARGET_SECONDS = 2.0
POLL_SECONDS = 0.02


def unique_word() -> str:
    # Letters only, so that no tokenizer splits it; 16 random letters never occur in prose.
    return "zq" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(14))


def found(connection: http.client.HTTPConnection, word: str, work_id: int) -> bool:
    connection.request("GET", f"/works/search?work_search%5Bquery%5D={quote(word)}")
    response = connection.getresponse()
    body = response.read().decode()
    if response.status != 200:
        raise SystemExit(f"search answered {response.status}")
    return f'href="/works/{work_id}"' in body


def wait_for_index(index_dir: Path, server: subprocess.Popen[bytes], timeout: float) -> float:
    """Wait until the workers built their index (they answer from SQL until then)."""
    began = time.monotonic()
    while not (index_dir / "CURRENT").exists():
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        if time.monotonic() - began > timeout:
            raise SystemExit(f"no search index in {index_dir} after {timeout:.0f} s")
        time.sleep(0.1)
    # Every worker notices the new generation within a second; leave it two.
    time.sleep(2.0)
    return time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=1000, help="archive size (1000)")
    parser.add_argument("--trials", type=int, default=20, help="posts and edits in all (20)")
    parser.add_argument("--reuse", action="store_true", help="reuse a previously built archive")
    parser.add_argument("--var-dir", help="archive directory (default /tmp/fanworks-latency-N)")
    parser.add_argument("--database-url", default="", help="benchmark PostgreSQL instead")
    parser.add_argument("--workers", type=int, help="gunicorn workers (serve's default)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="give up on one trial after S seconds (30)"
    )
    args = parser.parse_args()
    if args.trials < 1 or args.works < 1:
        parser.error("--trials and --works must be at least 1")

    suffix = "-pg" if args.database_url else ""
    var_dir = Path(args.var_dir or f"/tmp/fanworks-latency-{args.works}{suffix}")
    env = {
        **os.environ,
        "FANWORKS_VAR_DIR": str(var_dir),
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "fanworks.settings",
        "ACCESS_LOG": "0",
        "DEBUG": "",
    }
    marker = var_dir / "latency-archive.json"
    if not (args.reuse and marker.exists()):
        print(f"Building a {args.works:,}-work demo archive in {var_dir} …", flush=True)
        var_dir.mkdir(parents=True, exist_ok=True)
        fanworks(env, "migrate", "--noinput", "-v", "0")
        fanworks(env, "demo", "--works", str(args.works), "-v", "0")
        marker.write_text(json.dumps({"works": args.works}))
    # This process writes works as the posting form would, so it opens the same database.
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    from fanworks.accounts.models import User
    from fanworks.search import indexer
    from fanworks.works.actions import ChapterData, WorkData, work_create, work_update
    from fanworks.works.models import Work

    index_dir = Path(settings.SEARCH_INDEX_DIR)
    user = User.objects.get(username="demo")
    pseud = user.pseuds.get(is_default=True)

    def data(title: str, summary: str) -> WorkData:
        return WorkData(
            title=title,
            rating="General Audiences",
            warnings=["No Archive Warnings Apply"],
            fandoms=["Benchmark Fandom"],
            language="en",
            pseud_ids=[pseud.pk],
            freeforms=["Latency"],
            summary=summary,
        )

    port, server, log = start_server(env, var_dir / "server.log", workers=args.workers)
    trials: list[dict[str, Any]] = []
    try:
        wait_until_serving(port, server, timeout=60)
        index_wait = wait_for_index(index_dir, server, timeout=600)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        work: Work | None = None
        for n in range(args.trials):
            word = unique_word()
            kind = "post" if work is None or n % 2 == 0 else "edit"
            if kind == "post":
                started = time.monotonic()
                work = work_create(
                    user=user,
                    data=data(f"Latency trial {n}", f"A work found by {word}."),
                    chapter=ChapterData(content=f"<p>Trial {n} of the latency benchmark.</p>"),
                    post=True,
                )
            else:
                assert work is not None
                work.refresh_from_db()
                started = time.monotonic()
                work = work_update(
                    user=user,
                    work=work,
                    data=data(f"Latency trial {n} {word}", "Edited."),
                    expected_version=work.version,
                )
            # The clock starts once the change is committed, as it is when a form returns.
            while not found(connection, word, work.pk):
                if time.monotonic() - started > args.timeout:
                    raise SystemExit(f"trial {n}: {kind} not searchable after {args.timeout} s")
                time.sleep(POLL_SECONDS)
            seconds = time.monotonic() - started
            trials.append({"kind": kind, "seconds": round(seconds, 3)})
            print(f"  trial {n + 1:>3} {kind:<4} searchable after {seconds * 1000:7.0f} ms")
    finally:
        stop_server(server, log)

    def summary(kind: str | None) -> dict[str, float]:
        ordered = sorted(t["seconds"] for t in trials if kind is None or t["kind"] == kind)
        if not ordered:
            return {}
        return {
            "n": len(ordered),
            "p50_s": round(percentile(ordered, 0.50), 3),
            "p95_s": round(percentile(ordered, 0.95), 3),
            "max_s": round(ordered[-1], 3),
        }

    figures = {
        "all": summary(None),
        "post": summary("post"),
        "edit": summary("edit"),
    }
    print()
    print(f"{'':6} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, row in figures.items():
        if row:
            print(
                f"{name:6} {row['n']:>4} {row['p50_s'] * 1000:8.0f} {row['p95_s'] * 1000:8.0f} "
                f"{row['max_s'] * 1000:8.0f}"
            )
    met = figures["all"]["max_s"] <= TARGET_SECONDS
    print(f"\nTarget: searchable within {TARGET_SECONDS:.0f} s: {'met' if met else 'NOT met'}")
    print(
        json.dumps(
            {
                "bench": "index_latency",
                "works": args.works,
                "database": "postgresql" if args.database_url else "sqlite",
                "workers": args.workers,
                "indexer_poll_s": indexer.POLL_SECONDS,
                "index_ready_after_s": round(index_wait, 1),
                "target_s": TARGET_SECONDS,
                "target_met": met,
                **{f"{k}_{m}": v for k, row in figures.items() for m, v in row.items()},
            }
        )
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
