"""Run every benchmark in this folder, one after another, and print their tables.

Usage: ``python benchmarks/run_all.py [--quick]``. Each script times hotspot and its
peer library in the same run and prints the ratio (medians of repeats; machines are
noisy, so read ratios, not single timings).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    extra = [a for a in sys.argv[1:] if a == "--quick"]
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n## {script.name}\n", flush=True)
        code = subprocess.call([sys.executable, str(script), *extra])
        if code:
            failed.append(script.name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
