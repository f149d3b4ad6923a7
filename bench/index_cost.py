"""Where an index build's time goes, per work: building documents in Python, and tantivy.

    FANWORKS_VAR_DIR=/tmp/fanworks-search-bench-100000 .venv/bin/python bench/index_cost.py
    ... bench/index_cost.py --works 20000 --first 30001

Run it against an archive made by bench/search.py (any size; 20,000 works are read). It times,
in this one process and on one core each:

  documents  reading the works' rows and turning them into JSON lines (what a build worker does)
  tantivy    indexing those lines with the project's schema and one writer thread, commit
             included, once as is and once with chapter text analysed without stemming

and prints CPU microseconds per work, and what they add up to for 1,000,000 works on the
machine's cores if every core were busy all the time: a floor under `fanworks reindex`, which
the real build (one process feeding tantivy, workers reading the database) can only approach.
Ends with one JSON line of figures.
"""

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MILLION = 1_000_000


def cpu_seconds() -> float:
    """CPU time of this process, every thread included (tantivy indexes in threads of its own)."""
    times = os.times()
    return times.user + times.system


def documents(first: int, works: int) -> tuple[list[str], float]:
    from fanworks.search.documents import TagNames, work_documents_between
    from fanworks.search.tantivy_index import tantivy_json

    tags = TagNames()
    # The tag names are read once per build worker, whatever its share: load them untimed.
    work_documents_between(first, first + works - 1, tags)
    began = cpu_seconds()
    lines = [
        tantivy_json(doc)
        for start in range(first, first + works, 2000)
        for doc in work_documents_between(start, min(start + 1999, first + works - 1), tags)
    ]
    return lines, cpu_seconds() - began


def index(lines: list[str], schema: object) -> float:
    import tantivy

    path = Path(tempfile.mkdtemp(prefix="fanworks-index-cost-"))
    try:
        target = tantivy.Index(schema, path=str(path), reuse=False)
        writer = target.writer(heap_size=2_000_000_000, num_threads=1)
        began = cpu_seconds()
        for line in lines:
            writer.add_json(line)
        writer.commit()
        writer.wait_merging_threads()
        return cpu_seconds() - began
    finally:
        shutil.rmtree(path, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=20_000)
    parser.add_argument("--first", type=int, default=1, help="first work id to read")
    args = parser.parse_args()
    if "FANWORKS_VAR_DIR" not in os.environ:
        parser.error("set FANWORKS_VAR_DIR to an archive made by bench/search.py")
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanworks.settings")
    import django

    django.setup()
    from fanworks.search.tantivy_index import build_schema

    gc.disable()  # as the build does: documents hold no cycles
    lines, document_cpu = documents(args.first, args.works)
    if not lines:
        parser.error("no posted works in that id range")
    count = len(lines)
    tantivy_cpu = index(lines, build_schema())
    unstemmed_cpu = index(lines, build_schema(chapter_text_analyzer="default"))
    cores = os.cpu_count() or 1
    per_work = {
        "documents_us": round(document_cpu / count * 1e6, 1),
        "tantivy_us": round(tantivy_cpu / count * 1e6, 1),
        "tantivy_unstemmed_text_us": round(unstemmed_cpu / count * 1e6, 1),
    }
    floor_s = (document_cpu + tantivy_cpu) / count * MILLION / cores
    floor_unstemmed_s = (document_cpu + unstemmed_cpu) / count * MILLION / cores
    print(f"{count:,} works, CPU per work (one core each):")
    print(f"  documents (database rows → JSON)   {per_work['documents_us']:8.1f} µs")
    print(f"  tantivy (index + commit)           {per_work['tantivy_us']:8.1f} µs")
    print(f"  tantivy, chapter text unstemmed    {per_work['tantivy_unstemmed_text_us']:8.1f} µs")
    print(
        f"Floor for 1,000,000 works on {cores} cores, every core busy: {floor_s:.0f} s "
        f"({floor_unstemmed_s:.0f} s without stemming chapter text); target 180 s."
    )
    print(
        json.dumps(
            {
                "bench": "index_cost",
                "works": count,
                "cores": cores,
                **per_work,
                "floor_1m_s": round(floor_s, 1),
                "floor_1m_unstemmed_text_s": round(floor_unstemmed_s, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
