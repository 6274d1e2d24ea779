"""Boundary layers: time to build the GeoPackage cache and to load layers from it.

Plain script (not a test): ``.venv/bin/python benchmarks/bench_boundaries.py [--cold]``.
With ``--cold`` the build is timed in a fresh temporary cache folder; otherwise the current
cache is used (built first if absent). Needs ``NTM_DATA_MIRROR`` or network access.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time


def _time(fn, repeat: int = 5) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold", action="store_true", help="time a build in a fresh cache")
    args = parser.parse_args()
    cold_dir = tempfile.mkdtemp(prefix="ntm-bench-") if args.cold else None
    if cold_dir:
        os.environ["NTM_CACHE_DIR"] = cold_dir
    try:
        return _run()
    finally:
        if cold_dir:
            shutil.rmtree(cold_dir, ignore_errors=True)


def _run() -> int:
    from helpers import boundaries

    start = time.perf_counter()
    boundaries.districts()
    first = time.perf_counter() - start
    built = boundaries.BUILD_COUNT["builds"]
    print(f"first call: {first:.2f} s ({'built the cache' if built else 'read the cache'})")
    paths = boundaries.cache_paths()
    for kind, path in paths.items():
        print(f"cache {kind}: {path} {path.stat().st_size / 1e6:.2f} MB")
    for label, fn in [
        ("districts(simplified=True)", boundaries.districts),
        ("districts(simplified=False)", lambda: boundaries.districts(simplified=False)),
        ("provinces()", boundaries.provinces),
        ("provinces_2025()", boundaries.provinces_2025),
        ("archipelagos()", boundaries.archipelagos),
    ]:
        median, worst = _time(fn)
        print(f"load {label:<30} median {median * 1000:7.1f} ms, max {worst * 1000:7.1f} ms")
    median, _ = _time(boundaries.districts)
    ok = median < 1.0
    print(f"target: simplified district layer from cache < 1 s -> {'OK' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
