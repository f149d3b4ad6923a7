"""Import speed: 1,000 AO3-layout HTML downloads through `fanworks import` (target ≤ 60 s on
SQLite).

    .venv/bin/python bench/imports.py                       # 1,000 files, SQLite
    .venv/bin/python bench/imports.py --files 200
    .venv/bin/python bench/imports.py --database-url postgres://postgres@127.0.0.1:5432/fw_imp

Makes a fresh archive in a temporary FANWORKS_VAR_DIR (`migrate`, one archivist), writes
--files AO3-layout HTML downloads (fanworks.importers.samples: three chapters of ~1,500 words
each, tags drawn from a pool so tags are both new and reused), then runs the import command in
this process and prints the total time, files per second and the peak resident memory, then
one JSON line. A second run over the same folder measures the "skipped" path.
"""

import argparse
import io
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="fanworks-bench-imports-"))
    os.environ["FANWORKS_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanworks.settings"
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.core.management import call_command

    from fanworks.core.testing import make_user
    from fanworks.importers.samples import PROSE, Sample, ao3_html
    from fanworks.works.models import Work

    call_command("migrate", "--noinput", verbosity=0)
    archivist = make_user("archivist")
    folder = var_dir / "downloads"
    folder.mkdir()
    rng = random.Random(7)
    fandoms = [f"Fandom {n}" for n in range(40)]
    characters = [f"Character {n}" for n in range(300)]
    freeforms = [f"Trope {n}" for n in range(500)]
    paragraph = f"<p>{PROSE}</p>"
    for index in range(args.files):
        cast = rng.sample(characters, 3)
        sample = Sample(
            title=f"Harbour Lights {index}",
            url=f"https://archiveofourown.org/works/{100000 + index}",
            creators=[f"writer{rng.randrange(300)}"],
            fandoms=[rng.choice(fandoms)],
            relationships=[f"{cast[0]}/{cast[1]}"],
            characters=cast,
            freeforms=rng.sample(freeforms, 4),
            chapters=[(f"Part {n}", paragraph * 50) for n in range(1, 4)],
        )
        (folder / f"work{index:05d}.html").write_text(ao3_html(sample), encoding="utf-8")
    size = sum(path.stat().st_size for path in folder.iterdir())

    def run() -> tuple[float, str]:
        out = io.StringIO()
        start = time.perf_counter()
        call_command("import", str(folder), archivist=archivist.username, stdout=out)
        return time.perf_counter() - start, out.getvalue().strip().splitlines()[-1]

    seconds, summary = run()
    again, summary_again = run()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = "PostgreSQL" if args.database_url else "SQLite"
    figures = {
        "backend": backend,
        "files": args.files,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "files_per_second": round(args.files / seconds, 1),
        "reimport_seconds": round(again, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "works": Work.objects.count(),
    }
    print(f"{backend}: {args.files:,} AO3 HTML files ({figures['megabytes']} MB)")
    print(f"  import:    {seconds:6.1f} s  {figures['files_per_second']:7.1f} files/s  ({summary})")
    print(f"  re-import: {again:6.1f} s  ({summary_again})")
    print(f"  peak memory (RSS): {figures['peak_rss_mb']} MB")
    print(json.dumps(figures))
    if figures["works"] != args.files:
        sys.exit("not every file was imported")


if __name__ == "__main__":
    main()
