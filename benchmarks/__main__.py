"""``python -m benchmarks``: run every ``benchmarks/bench_*.py`` in name order, each in its own
interpreter, printing its table; the exit code is the number of failed benchmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    failed = 0
    for script in sorted(here.glob("bench_*.py")):
        print(f"=== {script.name}", flush=True)
        rc = subprocess.run([sys.executable, str(script)], cwd=here.parent).returncode
        if rc != 0:
            print(f"=== {script.name} FAILED (exit {rc})", flush=True)
            failed += 1
    return failed


if __name__ == "__main__":
    sys.exit(main())
