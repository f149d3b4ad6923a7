"""Two app servers, each with its own index directory, fed from one database, stay consistent.

Each "server" is a separate OS process running indexer rounds against the test database while
this test posts, edits, restricts, hides and deletes works through the real actions. When the
writes are done, both indexes must answer every query exactly as the database does.
"""

import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fanworks.core.testing import make_user, make_work, work_data
from fanworks.search.outbox import record_work_changes
from fanworks.search.parser import parse
from fanworks.search.query import SearchResult, SqlBackend, WorkSearch
from fanworks.search.tantivy_index import TantivyBackend, TantivyIndex
from fanworks.tags.models import Tag
from fanworks.works.actions import ChapterData, chapter_create, work_delete, work_update
from fanworks.works.models import Work

REPO = Path(__file__).resolve().parents[3]

# One app server's indexer: rounds until the stop file appears, then one last round, which
# starts after every write of the test was committed.
SERVER = r"""
import sys, time
from pathlib import Path
import django
django.setup()
from django.db import close_old_connections
from fanworks.search.indexer import get_index, run_round

index_dir, stop_file = Path(sys.argv[1]), Path(sys.argv[2])
rounds = 0
while True:
    stopping = stop_file.exists()
    run_round(get_index(index_dir), batch_size=3)
    close_old_connections()
    rounds += 1
    if stopping:
        break
    time.sleep(0.01)
print(rounds, get_index(index_dir).last_applied())
"""


def database_url() -> str:
    """The test database as a DATABASE_URL that the server processes can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"
    pytest.skip(f"no server-process test for {connection.vendor}")


def start_server(index_dir: Path, stop_file: Path, var_dir: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fanworks.settings",
        "DATABASE_URL": database_url(),
        "FANWORKS_VAR_DIR": str(var_dir),
        "SEARCH_BACKEND": "tantivy",
    }
    return subprocess.Popen(
        [sys.executable, "-c", SERVER, str(index_dir), str(stop_file)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def answers(backend: TantivyBackend | SqlBackend, requests: list[WorkSearch]) -> list[Any]:
    results: list[SearchResult] = [backend.search(r) for r in requests]
    return [(r.work_ids, r.total, r.facets) for r in results]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_server_processes_converge_on_the_database(tmp_path: Path) -> None:
    rng = random.Random(11)
    users = [make_user() for _ in range(3)]
    works = [
        make_work(rng.choice(users), title=f"Wenlock {n}", freeforms=[f"Trope {n % 3}"])
        for n in range(6)
    ]
    stop_file = tmp_path / "stop"
    servers = [
        start_server(tmp_path / f"server{n}" / "index", stop_file, tmp_path / f"server{n}")
        for n in (1, 2)
    ]
    try:
        # Wait for each server's first round, which builds its index from the database.
        deadline = time.monotonic() + 120
        while not all((tmp_path / f"server{n}" / "index" / "CURRENT").exists() for n in (1, 2)):
            assert all(s.poll() is None for s in servers), "a server process exited early"
            assert time.monotonic() < deadline, "the servers did not build their indexes"
            time.sleep(0.05)
        for step in range(24):
            action = step % 6
            if action == 0:
                works.append(
                    make_work(
                        rng.choice(users),
                        title=f"Wenlock new {step}",
                        freeforms=[f"Trope {step % 3}"],
                        restricted=step % 4 == 0,
                    )
                )
            elif action == 1:
                work = Work.objects.get(pk=rng.choice(works).pk)
                user = work.creatorships.first().pseud.user  # type: ignore[union-attr]
                work_update(
                    user=user,
                    work=work,
                    data=work_data(user, title=f"Wenlock edited {step}", characters=["Ysolde"]),
                    expected_version=work.version,
                )
            elif action == 2:
                work = Work.objects.get(pk=rng.choice(works).pk)
                chapter_create(
                    work=work,
                    data=ChapterData(content=f"<p>Marrowby chapter {step} of the tale.</p>"),
                    post=True,
                )
            elif action == 3:
                # Hiding is an admin edit, which records the change like every write path.
                pk = rng.choice(works).pk
                Work.objects.filter(pk=pk).update(hidden_by_admin=(step // 6) % 2 == 0)
                record_work_changes([pk])
            elif action == 4 and len(works) > 3:
                victim = works.pop(rng.randrange(len(works)))
                work_delete(work=Work.objects.get(pk=victim.pk))
            # Let the servers interleave their rounds with the writes.
            time.sleep(rng.uniform(0, 0.1))
        stop_file.write_text("")
        outputs = [server.communicate(timeout=180) for server in servers]
    finally:
        for server in servers:
            if server.poll() is None:
                server.kill()
                server.wait()
    for server, (_, err) in zip(servers, outputs, strict=True):
        assert server.returncode == 0, err
    rounds = [int(out.split()[0]) for out, _ in outputs]
    # The servers really worked while the test wrote, not only at the end.
    assert all(r > 1 for r in rounds), rounds

    now = timezone.now()
    trope = Tag.objects.get(name="Trope 1")
    requests = [
        WorkSearch(per_page=100, viewer_is_registered=registered, sort=sort)
        for registered in (False, True)
        for sort in ("updated", "posted", "words")
    ] + [
        WorkSearch(text=parse(q, now=now).root, per_page=100, viewer_is_registered=True)
        for q in ("wenlock", "edited", "marrowby", "ysolde", "wenlock -edited")
    ]
    requests.append(WorkSearch(include_filter_ids=[trope.pk], per_page=100))
    requests.append(WorkSearch(exclude_filter_ids=[trope.pk], per_page=100))
    expected = answers(SqlBackend(), requests)
    for n in (1, 2):
        index = TantivyIndex(tmp_path / f"server{n}" / "index", create=False)
        assert index.ready
        assert answers(TantivyBackend(index), requests) == expected, f"server {n}"
    # Something to compare: the archive is not empty, and edits and deletes happened.
    assert expected[3][1] >= 3  # registered viewers, by update date
    assert expected[4][1] >= 1  # "edited"
