"""`make bench`: every benchmark in turn, each printing its own table and JSON line."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

RUNS = [
    ["demo_speed.py", "--works", "10000"],
    ["pages.py"],
    ["tags.py"],
    # The million-work archive takes a long while to generate and index; run it by hand
    # (bench/README.md, `search.py`).
    ["search.py", "--sizes", "10000,100000"],
]


def main() -> int:
    failures = 0
    for script, *args in RUNS:
        print(f"\n=== bench/{script} {' '.join(args)} ===", flush=True)
        failures += subprocess.call([sys.executable, str(HERE / script), *args]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
