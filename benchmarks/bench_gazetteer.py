"""Gazetteer: time to build its tables (cold cache), to load them (warm cache) and to resolve.

Plain script (not a test): ``.venv/bin/python benchmarks/bench_gazetteer.py``. Needs
``NTM_DATA_MIRROR`` or network access. Each phase runs in a fresh Python process so the
in-memory memoisation does not hide the cost; the cold phase uses a temporary cache folder.
The resolve phase resolves every (unit, place, district, province) of ``../shared/gold`` when
present (else a fixed list of names), first call and memoised repeat.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

PHASE = r"""
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from helpers import gazetteer as g, paths
t1 = time.perf_counter()
g.provinces(); g.districts(); g.communes(); g.districts("2025-03"); g.communes("2025-03")
g.district_merges(); g.crosswalk_2025("district"); g.crosswalk_2025("commune")
t2 = time.perf_counter()
g.resolve("Hà Nội")
t3 = time.perf_counter()
shared = paths.shared_dir()
triples = set()
if shared is not None:
    for f in sorted((shared / "gold").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["unit"] in ("province", "district", "commune") and r.get("place"):
                triples.add((r["place"], r["unit"], r.get("province"), r.get("district")))
if not triples:
    triples = {("Minh Quang", "commune", None, None), ("Đắk Mil", "district", None, None)}
t4 = time.perf_counter()
for name, unit, prov, dist in triples:
    g.resolve(name, unit=unit, province=prov, district=dist)
t5 = time.perf_counter()
for name, unit, prov, dist in triples:
    g.resolve(name, unit=unit, province=prov, district=dist)
t6 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "tables_s": t2 - t1, "index_s": t3 - t2,
                  "n": len(triples), "resolve_ms": 1000 * (t5 - t4) / len(triples),
                  "memoised_us": 1e6 * (t6 - t5) / len(triples)}))
"""


def _run(env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", PHASE], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def main() -> int:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        cold = dict(env, NTM_CACHE_DIR=tmp)
        start = time.perf_counter()
        print("cold cache:", _run(cold), f"(wall {time.perf_counter() - start:.1f} s)")
        start = time.perf_counter()
        print("warm cache:", _run(cold), f"(wall {time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
