"""How long `fanworks demo --works N` takes on a fresh archive.

    .venv/bin/python bench/demo_speed.py --works 10000
    .venv/bin/python bench/demo_speed.py --works 10000 --database-url postgres://…/fw_demo

Prints the figures and ends with one JSON line.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="", help="an existing PostgreSQL database")
    parser.add_argument("--var-dir", help="default /tmp/fanworks-demo-speed-<works>")
    parser.add_argument("--keep", action="store_true", help="keep the archive afterwards")
    args = parser.parse_args()

    var_dir = Path(args.var_dir or f"/tmp/fanworks-demo-speed-{args.works}")
    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "FANWORKS_VAR_DIR": str(var_dir),
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "fanworks.settings",
    }

    def fanworks(*command: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "fanworks.cli", *command], env=env, cwd=REPO, check=True
        )

    fanworks("migrate", "--noinput", "-v", "0")
    if args.database_url:
        fanworks("manage", "flush", "--noinput")
    began = time.perf_counter()
    fanworks("demo", "--works", str(args.works), "--seed", str(args.seed))
    seconds = time.perf_counter() - began
    database = var_dir / "fanworks.sqlite3"
    size_mb = database.stat().st_size / 1e6 if not args.database_url else None
    print(
        f"\n{args.works:,} works in {seconds:.1f} s ({args.works / seconds:,.0f} works/s)"
        + (f"; SQLite file {size_mb:,.0f} MB" if size_mb else "")
    )
    print(
        json.dumps(
            {
                "bench": "demo_speed",
                "database": "postgresql" if args.database_url else "sqlite",
                "works": args.works,
                "seconds": round(seconds, 1),
                "works_per_second": round(args.works / seconds),
                "sqlite_mb": round(size_mb) if size_mb else None,
            }
        )
    )
    if not args.keep and not args.database_url:
        shutil.rmtree(var_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
