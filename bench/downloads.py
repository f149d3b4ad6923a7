"""Download build time: HTML and EPUB of a generated 100,000-word, 30-chapter work.

    .venv/bin/python bench/downloads.py              # 7 builds of each format
    .venv/bin/python bench/downloads.py --builds 15 --words 100000 --chapters 30

Makes a throwaway archive (SQLite in a temporary var directory), posts one work through the
real actions (chapters with notes, summaries and some HTML markup), then builds each format
--builds times, skipping the file cache so every build is a full one (`renderers.render`,
what the first request for a new version pays). Prints p50/p95 per format against the
1 s target, the file sizes, and the peak memory: Python allocations during one build
(tracemalloc) and the process's peak resident size. Then one JSON line.
"""

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

TARGET_SECONDS = 1.0
WORDS = [
    "harbour",
    "lantern",
    "tide",
    "ship",
    "mira",
    "tomas",
    "quiet",
    "shore",
    "salt",
    "rope",
    "wind",
    "gull",
    "morning",
    "evening",
    "light",
    "dark",
    "sea",
    "stone",
    "wall",
    "boat",
    "sail",
    "storm",
    "calm",
    "the",
    "a",
    "and",
    "of",
    "to",
    "in",
    "was",
    "she",
    "he",
    "they",
    "said",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def chapter_text(rng: random.Random, words: int) -> str:
    paragraphs, left = [], words
    while left > 0:
        size = min(left, rng.randint(40, 120))
        sentence = " ".join(rng.choice(WORDS) for _ in range(size))
        if rng.random() < 0.2:
            sentence = f"<em>{sentence}</em>"
        paragraphs.append(f"<p>{sentence.capitalize()}.</p>")
        left -= size
    return "\n".join(paragraphs)


def make_work(words: int, chapters: int) -> int:
    from fanworks.core.testing import make_user, work_data
    from fanworks.works.actions import ChapterData, chapter_create, work_create

    rng = random.Random(7)
    author = make_user("benchwriter")
    per_chapter = words // chapters
    data = work_data(
        author,
        title="A Long Voyage",
        summary="A long work for the download benchmark.",
        notes="Work notes.",
        endnotes="Work end notes.",
        relationships=["Mira/Tomas"],
        characters=["Mira", "Tomas"],
        freeforms=["Long", "Benchmark"],
        expected_chapters=chapters,
    )
    work = work_create(
        user=author,
        data=data,
        chapter=ChapterData(content=chapter_text(rng, per_chapter), title="Chapter the first"),
        post=True,
    )
    for number in range(2, chapters + 1):
        chapter_create(
            work=work,
            data=ChapterData(
                content=chapter_text(rng, per_chapter),
                title=f"Part {number}",
                summary=f"Summary of chapter {number}.",
                notes=f"Notes for chapter {number}.",
                endnotes=f"End notes for chapter {number}.",
            ),
            post=True,
        )
    return work.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--builds", type=int, default=7)
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--chapters", type=int, default=30)
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="fanworks-bench-downloads-")
    os.environ["FANWORKS_VAR_DIR"] = var
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanworks.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    from django.contrib.auth.models import AnonymousUser

    from fanworks.downloads.queries import downloadable_work, file_for
    from fanworks.downloads.renderers import render

    work_id = make_work(args.words, args.chapters)
    work = downloadable_work(AnonymousUser(), work_id)
    assert work is not None
    file = file_for(work)
    print(f"work: {work.word_count:,} words, {len(file.chapters)} chapters")
    results: dict[str, dict[str, float]] = {}
    for fmt in ("html", "epub"):
        render(file, fmt)  # warm up templates and imports
        times = []
        for _ in range(args.builds):
            started = time.perf_counter()
            content = render(file, fmt)
            times.append(time.perf_counter() - started)
        tracemalloc.start()
        render(file, fmt)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        verdict = "ok" if p95 <= TARGET_SECONDS else "OVER TARGET"
        print(
            f"{fmt:5} p50 {p50 * 1000:7.0f} ms  p95 {p95 * 1000:7.0f} ms  "
            f"(target {TARGET_SECONDS:.0f} s: {verdict})  size {len(content) / 1024:7.0f} KiB  "
            f"python peak {peak / 2**20:6.1f} MiB"
        )
        results[fmt] = {
            "p50_ms": round(p50 * 1000, 1),
            "p95_ms": round(p95 * 1000, 1),
            "bytes": len(content),
            "python_peak_mib": round(peak / 2**20, 1),
        }
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident size: {rss:.0f} MiB")
    print(
        json.dumps(
            {"bench": "downloads", "builds": args.builds, "max_rss_mib": round(rss), **results}
        )
    )


if __name__ == "__main__":
    main()
