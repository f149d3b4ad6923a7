"""Concurrent writes: readers leaving kudos, comments and bookmarks at once, through the server.

    .venv/bin/python bench/writes.py                      # SQLite, 20 writers for 60 s
    .venv/bin/python bench/writes.py --database-url postgres://postgres@127.0.0.1:5432/fw_bench_writes
    .venv/bin/python bench/writes.py --writers 20 --seconds 60 --think-ms 0
    .venv/bin/python bench/writes.py --think-ms 500 --runs 3   # the median of three runs

Steps: a fresh archive (a temporary var/ for SQLite, or the given PostgreSQL database dropped
and created again) gets creators with posted works and `--writers` reader accounts, each with a
logged-in session made in the database. `fanworks serve` starts on a free port, and every writer
(a process of its own, with one keep-alive connection) posts as fast as the server answers, or
with `--think-ms` between writes: kudos on a random work, a comment on a random chapter (one in
ten sent twice with the same form key, as a double click does), or a bookmark of a random work
(a repeat bookmark of the same work edits it). Each writer keeps a ledger of what the server
accepted. Afterwards the database is compared with the ledgers:

- lost: an accepted write that is not in the database;
- duplicated: a kudos, comment or bookmark the database holds more than once, or one no ledger
  asked for;
- counters: each work's kudos, comment and bookmark counts against its rows.

Prints p50/p95/max per kind of write, throughput, where the CPU went during the load (the
server with the load generator, PostgreSQL's processes, and the rest: other processes and
kernel time no process is charged for, such as loopback networking, which on PostgreSQL's many
round trips reaches ~0.1-0.2 cores; above 0.1 cores on SQLite the machine was busy and the
latencies are pessimistic), and the checks; then one JSON line.
Before each run it waits up to `--wait-quiet` seconds for the machine to go idle. `--runs N`
repeats the whole run on fresh archives and judges the median p95, since one run on a noisy
2-core machine moves by tens of percent. Exits 1 when a write was lost or duplicated, a
counter is wrong, or the (median) p95 is over the target.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from pages import (  # noqa: E402 - bench/ is not a package
    REPO,
    cpu_busy_seconds,
    own_cpu_seconds,
    percentile,
    start_server,
    stop_server,
    wait_for_quiet,
    wait_until_serving,
)

P95_TARGET_MS = 50.0
KINDS = ("kudos", "comment", "bookmark")
WEIGHTS = (0.4, 0.35, 0.25)
DOUBLE_SUBMIT_SHARE = 0.1
ACCEPTED = {200, 201, 302, 303}

# Runs inside the archive: creators, works and logged-in writers. Prints JSON.
SETUP_SNIPPET = r"""
import json, sys
from datetime import timedelta
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from fanworks.accounts.actions import user_create
from fanworks.works.actions import ChapterData, WorkData, chapter_create, work_create

creators, works_each, writers = (int(arg) for arg in sys.argv[1:4])
old = timezone.now() - timedelta(days=90)
works = []
for c in range(creators):
    creator = user_create(
        username=f"creator{c}", email=f"creator{c}@example.org", password="bench-password-1"
    )
    pseud = creator.pseuds.get(is_default=True)
    for w in range(works_each):
        work = work_create(
            user=creator,
            data=WorkData(
                title=f"Bench work {c}-{w}",
                rating="General Audiences",
                warnings=["No Archive Warnings Apply"],
                fandoms=["Bench Fandom"],
                language="en",
                pseud_ids=[pseud.pk],
                categories=["Gen"],
                freeforms=["Fluff"],
                summary="A work for the write benchmark.",
            ),
            chapter=ChapterData(content="The first chapter. " * 40, title="One"),
            post=True,
        )
        second = chapter_create(
            work=work, data=ChapterData(content="More. " * 40, title="Two"), post=True
        )
        first = work.chapters.order_by("position")[0]
        works.append({"id": work.pk, "chapters": [first.pk, second.pk]})
accounts = []
for n in range(writers):
    user = user_create(
        username=f"writer{n:02d}", email=f"writer{n}@example.org", password="bench-password-1"
    )
    type(user).objects.filter(pk=user.pk).update(date_joined=old)
    user.refresh_from_db()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    pseud_id = user.pseuds.get(is_default=True).pk
    accounts.append({"id": user.pk, "pseud": pseud_id, "session": session.session_key})
print(json.dumps({"works": works, "writers": accounts}))
"""

# Runs inside the archive after the load: what the database holds. Prints JSON.
CHECK_SNIPPET = r"""
import json, sys
import django
django.setup()
from fanworks.works.models import Work

writer_ids, kinds = json.loads(sys.argv[1]), json.loads(sys.argv[2])
held = {"kudos": [], "comments": [], "bookmarks": [], "wrong_counters": []}
# Each kind: the rows the writers left, and how each work's counter should read from its rows.
counted = {}
if "kudos" in kinds:
    from fanworks.engagement.models import Kudos
    held["kudos"] = list(
        Kudos.objects.filter(user_id__in=writer_ids).values_list("user_id", "work_id")
    )
    counted["kudos_count"] = lambda work: Kudos.objects.filter(work=work).count()
if "comment" in kinds:
    from fanworks.engagement.models import Comment
    held["comments"] = list(
        Comment.objects.filter(user_id__in=writer_ids).values_list("content", flat=True)
    )
    counted["comment_count"] = lambda work: Comment.objects.filter(work=work).count()
if "bookmark" in kinds:
    from fanworks.engagement.models import Bookmark
    held["bookmarks"] = list(
        Bookmark.objects.filter(user_id__in=writer_ids).values_list("user_id", "work_id", "notes")
    )
    counted["bookmark_count"] = lambda work: Bookmark.objects.filter(
        work=work, private=False
    ).count()
for work in Work.objects.order_by("pk"):
    for counter, rows in counted.items():
        if getattr(work, counter) != rows(work):
            held["wrong_counters"].append(
                {"work": work.pk, "counter": counter, "kept": getattr(work, counter),
                 "rows": rows(work)}
            )
print(json.dumps(held))
"""


def run_snippet(env: dict[str, str], snippet: str, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", snippet, *args],
        env=env,
        cwd=REPO,
        check=True,
        text=True,
        capture_output=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def fanworks(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "fanworks.cli", *args], env=env, cwd=REPO, check=True)


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"use a plain lowercase database name, not {name!r}")
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


# ---------------------------------------------------------------------------------------------
# One writer


class Writer:
    """One reader account posting through one keep-alive connection."""

    def __init__(self, port: int, account: dict[str, Any], number: int) -> None:
        self.port = port
        self.account = account
        self.number = number
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = {"sessionid": account["session"]}
        self.token = ""

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def remember_cookies(self, response: http.client.HTTPResponse) -> None:
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> int:
        headers = {"Cookie": self.cookie_header(), "Accept": "text/html"}
        encoded = None
        if body is not None:
            encoded = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=encoded, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection before reading this request
                # (it answers nothing on it): send it once more on a new connection.
                self.reconnect()
                if attempt == 2:
                    return 0
            except (OSError, http.client.HTTPException):
                self.reconnect()
                return 0
        self.remember_cookies(response)
        if method == "GET" and response.status == 200 and path.endswith(".json"):
            self.token = json.loads(payload)["token"]
        return response.status

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, float]:
        began = time.perf_counter()
        status = self.request("POST", path, {"authenticity_token": self.token, **fields})
        return status, time.perf_counter() - began


def writer_run(
    job: tuple[int, dict[str, Any], int, list[dict[str, Any]], float, float, float, list[str]],
) -> dict[str, Any]:
    port, account, number, works, start_at, seconds, think, kinds = job
    weights = [WEIGHTS[KINDS.index(kind)] for kind in kinds]
    rng = random.Random(number)
    writer = Writer(port, account, number)
    writer.request("GET", "/token_dispenser.json")
    ledger: list[dict[str, Any]] = []
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = time.perf_counter() + seconds
    sequence = 0
    while time.perf_counter() < deadline:
        kind = rng.choices(kinds, weights)[0]
        work = rng.choice(works)
        sequence += 1
        marker = f"bench-{number:02d}-{sequence:06d}"
        if kind == "kudos":
            status, elapsed = writer.post(f"/works/{work['id']}/kudos", {})
            ledger.append({"kind": kind, "work": work["id"], "status": status, "s": elapsed})
        elif kind == "comment":
            chapter = rng.choice(work["chapters"])
            fields = {
                "comment[comment_content]": f"A comment from the write benchmark: {marker}.",
                "comment[creation_key]": f"{number:08d}-0000-4000-8000-{sequence:012d}",
            }
            sends = 2 if rng.random() < DOUBLE_SUBMIT_SHARE else 1
            for _ in range(sends):
                status, elapsed = writer.post(f"/chapters/{chapter}/comments", fields)
                ledger.append(
                    {
                        "kind": kind,
                        "work": work["id"],
                        "marker": marker,
                        "status": status,
                        "s": elapsed,
                    }
                )
        else:
            fields = {
                "bookmark[notes]": marker,
                "bookmark[tag_string]": "bench",
                "bookmark[pseud_id]": str(account["pseud"]),
            }
            status, elapsed = writer.post(f"/works/{work['id']}/bookmarks", fields)
            ledger.append(
                {"kind": kind, "work": work["id"], "marker": marker, "status": status, "s": elapsed}
            )
        if think:
            time.sleep(rng.expovariate(1 / think))
    return {"writer": account["id"], "ledger": ledger}


# ---------------------------------------------------------------------------------------------
# The checks


def compare(results: list[dict[str, Any]], held: dict[str, Any]) -> dict[str, Any]:
    """Lost and duplicated writes: the ledgers' accepted writes against the database's rows."""
    want_kudos: set[tuple[int, int]] = set()
    want_comments: set[str] = set()
    # (user, work) → notes of the last accepted bookmark post, in the order the writer sent them.
    want_bookmarks: dict[tuple[int, int], str] = {}
    for result in results:
        user = result["writer"]
        for entry in result["ledger"]:
            if entry["status"] not in ACCEPTED:
                continue
            if entry["kind"] == "kudos":
                want_kudos.add((user, entry["work"]))
            elif entry["kind"] == "comment":
                want_comments.add(entry["marker"])
            else:
                want_bookmarks[(user, entry["work"])] = entry["marker"]

    kudos_rows = [tuple(row) for row in held["kudos"]]
    marker_pattern = re.compile(r"bench-\d\d-\d{6}")
    comment_markers = [
        m.group(0) for text in held["comments"] if (m := marker_pattern.search(text))
    ]
    bookmark_rows = {(user, work): notes for user, work, notes in held["bookmarks"]}
    bookmark_pairs = [(user, work) for user, work, _ in held["bookmarks"]]

    def duplicates(rows: list[Any]) -> int:
        return len(rows) - len(set(rows))

    return {
        "kudos": {
            "accepted": len(want_kudos),
            "lost": len(want_kudos - set(kudos_rows)),
            "duplicated": duplicates(kudos_rows) + len(set(kudos_rows) - want_kudos),
        },
        "comment": {
            "accepted": len(want_comments),
            "lost": len(want_comments - set(comment_markers)),
            "duplicated": duplicates(comment_markers) + len(set(comment_markers) - want_comments),
        },
        "bookmark": {
            "accepted": len(want_bookmarks),
            "lost": len(set(want_bookmarks) - set(bookmark_rows)),
            "duplicated": duplicates(bookmark_pairs)
            + len(set(bookmark_rows) - set(want_bookmarks)),
            # The last accepted edit must be the one kept.
            "stale": sum(
                1
                for pair, notes in want_bookmarks.items()
                if pair in bookmark_rows and notes not in bookmark_rows[pair]
            ),
        },
        "wrong_counters": held["wrong_counters"],
    }


def latency_table(results: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    every: list[float] = []
    for kind in KINDS:
        entries = [e for r in results for e in r["ledger"] if e["kind"] == kind]
        accepted = sorted(e["s"] for e in entries if e["status"] in ACCEPTED)
        every.extend(accepted)
        statuses: dict[str, int] = {}
        for entry in entries:
            statuses[str(entry["status"])] = statuses.get(str(entry["status"]), 0) + 1
        figures[kind] = {
            "writes": len(entries),
            "statuses": statuses,
            "p50_ms": round(percentile(accepted, 0.5) * 1000, 1),
            "p95_ms": round(percentile(accepted, 0.95) * 1000, 1),
            "max_ms": round(accepted[-1] * 1000, 1) if accepted else None,
        }
    every.sort()
    figures["all"] = {
        "writes": len(every),
        "per_second": round(len(every) / seconds, 1),
        "p50_ms": round(percentile(every, 0.5) * 1000, 1),
        "p95_ms": round(percentile(every, 0.95) * 1000, 1),
        "max_ms": round(every[-1] * 1000, 1) if every else None,
    }
    return figures


def postgres_cpu_seconds() -> float:
    """CPU used so far by PostgreSQL's processes: part of the system under test, not "others"."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if not handle.read(9).startswith(b"postgres"):
                    continue
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def run_once(args: argparse.Namespace, kinds: list[str]) -> dict[str, Any]:
    """One run on a fresh archive: the latency table, the checks and where the CPU went."""
    var_dir = Path(tempfile.mkdtemp(prefix="fanworks-bench-writes-"))
    env = {
        **os.environ,
        "FANWORKS_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "fanworks.settings",
    }
    env.pop("DATABASE_URL", None)
    if args.database_url:
        fresh_postgres(args.database_url)
        env["DATABASE_URL"] = args.database_url
    try:
        fanworks(env, "migrate", "--noinput", "-v", "0")
        setup = run_snippet(
            env, SETUP_SNIPPET, str(args.creators), str(args.works_each), str(args.writers)
        )
        port, server, log = start_server(env, var_dir / "server.log", workers=args.workers)
        try:
            wait_until_serving(port, server, timeout=60)
            waited = wait_for_quiet(args.wait_quiet)
            start_at = time.time() + 1.0
            jobs = [
                (
                    port,
                    account,
                    n,
                    setup["works"],
                    start_at,
                    args.seconds,
                    args.think_ms / 1000,
                    kinds,
                )
                for n, account in enumerate(setup["writers"])
            ]
            busy, own, database = (
                cpu_busy_seconds(),
                own_cpu_seconds(server.pid),
                postgres_cpu_seconds(),
            )
            began = time.monotonic()
            with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
                results = pool.map(writer_run, jobs)
            elapsed = time.monotonic() - began
            server_and_load = own_cpu_seconds(server.pid) - own
            database = postgres_cpu_seconds() - database
            others = cpu_busy_seconds() - busy - server_and_load - database
        finally:
            stop_server(server, log)
        writer_ids = [account["id"] for account in setup["writers"]]
        held = run_snippet(env, CHECK_SNIPPET, json.dumps(writer_ids), json.dumps(kinds))
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    cpu = {
        # Cores' worth of CPU during the load: the server with the load generator, the
        # database server's processes, and everything else on the machine.
        "server_and_load_cores": round(server_and_load / elapsed, 2),
        "database_cores": round(database / elapsed, 2),
        "other_cores": round(max(0.0, others) / elapsed, 2),
        "waited_for_quiet_s": round(waited, 1),
    }
    return {
        "figures": latency_table(results, args.seconds),
        "checks": compare(results, held),
        "cpu": cpu,
    }


def print_run(
    backend: str, args: argparse.Namespace, kinds: list[str], run: dict[str, Any]
) -> bool:
    """Print one run's table and checks; True when a write was lost or duplicated or a counter
    is wrong."""
    figures, checks, cpu = run["figures"], run["checks"], run["cpu"]
    print(
        f"{backend}: {args.writers} writers for {args.seconds:.0f} s, think {args.think_ms:.0f} ms"
    )
    print(f"{'write':<10}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  statuses")
    for kind in (*kinds, "all"):
        row = figures[kind]
        print(
            f"{kind:<10}{row['writes']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['max_ms']!s:>9}"
            f"  {row.get('statuses', '')}"
        )
    print(f"throughput: {figures['all']['per_second']} accepted writes/s")
    print(
        f"CPU (cores): server and load generator {cpu['server_and_load_cores']}, database "
        f"{cpu['database_cores']}, the rest {cpu['other_cores']}"
        + (
            "  (a busy machine: these latencies are pessimistic)"
            if cpu["other_cores"] > 0.1
            else ""
        )
    )
    failed = False
    for kind in kinds:
        check = checks[kind]
        print(f"{kind}: {check}")
        failed |= bool(check["lost"] or check["duplicated"] or check.get("stale"))
    print(f"counters that disagree with their rows: {len(checks['wrong_counters'])}")
    return failed or bool(checks["wrong_counters"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean pause between writes")
    parser.add_argument("--creators", type=int, default=4)
    parser.add_argument("--works-each", type=int, default=15)
    parser.add_argument("--workers", type=int, default=0, help="server workers (default: serve's)")
    parser.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help="writes to make, comma-separated: " + ", ".join(KINDS),
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="runs on fresh archives; the verdict uses the median"
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=120.0,
        help="seconds to wait, before each run, for the machine to go idle",
    )
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    if not kinds or set(kinds) - set(KINDS):
        parser.error(f"--kinds takes some of {', '.join(KINDS)}")
    if args.runs < 1:
        parser.error("--runs takes 1 or more")

    runs = []
    failed = False
    for number in range(args.runs):
        if args.runs > 1:
            print(f"--- run {number + 1} of {args.runs}")
        run = run_once(args, kinds)
        failed |= print_run(backend, args, kinds, run)
        runs.append(run)
    p95s = sorted(run["figures"]["all"]["p95_ms"] for run in runs)
    median_p95 = statistics.median(p95s)
    if args.runs > 1:
        print(f"p95 per write in each run: {', '.join(f'{p:.1f}' for p in p95s)} ms")
    over = median_p95 > P95_TARGET_MS
    verdict = "over" if over else "met"
    label = "median p95" if args.runs > 1 else "p95"
    print(f"{label} per write {median_p95:.1f} ms (target ≤ {P95_TARGET_MS:.0f}): {verdict}")
    summary = {
        "backend": backend,
        "args": vars(args),
        "median_p95_ms": median_p95,
        "runs": runs if args.runs > 1 else None,
        **({} if args.runs > 1 else runs[0]),
    }
    print(json.dumps(summary))
    return 1 if failed or over else 0


if __name__ == "__main__":
    sys.exit(main())
