"""The extractor against an earlier revision of itself: identical output, paired timing.

Plain script (not a test), for changes meant to make ``helpers.extract`` faster without
changing what it finds::

    .venv/bin/python benchmarks/compare_extract.py --baseline 2e93a3b
    .venv/bin/python benchmarks/compare_extract.py --baseline HEAD --rounds 16

``src/helpers/extract.py`` as of ``--baseline`` (read with ``git show``) is loaded as a second
module beside the working tree's ``helpers.extract``; the rest of the package (``text``,
``gazetteer``, ...) is the working tree's for both, so only ``extract.py`` is compared. Both
extract every document of ``../shared`` (seeds + corpus); documents whose result (records,
status, message) differs are listed and the exit code is 1. Then the two alternate for
``--rounds`` rounds over the same documents, and the script prints the best and median CPU
time per document of each and the paired speed-up. The machine's speed drifts between
minutes, which is why the rounds alternate and the ratio is taken per pair.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def load_revision(rev: str, folder: Path):
    """``helpers/extract.py`` at git revision ``rev`` as the module ``extract_baseline``."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:src/helpers/extract.py"],
                            capture_output=True, text=True, check=True).stdout
    path = folder / "extract_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("extract_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["extract_baseline"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def results(module, files: list[Path]) -> list[str]:
    return [json.dumps({"doc": r.doc_id, "status": r.status, "message": r.message, "records": r.records},
                       ensure_ascii=False, sort_keys=True, default=str)
            for r in (module.extract_path(f) for f in files)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="HEAD", help="git revision to compare with (default HEAD)")
    ap.add_argument("--rounds", type=int, default=10, help="alternating timing rounds (default 10)")
    args = ap.parse_args(argv)

    from helpers import extract as new
    from helpers import paths

    dirs = paths.corpus_dirs()
    if not dirs:
        print("compare_extract: ../shared is absent; nothing to compare (needs the report corpus)")
        return 0
    files = list(new.iter_documents(dirs))
    with tempfile.TemporaryDirectory(prefix="ntm_compare_") as tmp:
        old = load_revision(args.baseline, Path(tmp))
        for module in (old, new):
            module._warm()
        a, b = results(old, files), results(new, files)
        differing = [f.stem for f, x, y in zip(files, a, b, strict=True) if x != y]
        print(f"compare_extract: {len(files)} documents; {len(differing)} differ from {args.baseline}"
              + (f": {', '.join(differing[:20])}" if differing else ""))
        times: dict[str, list[float]] = {"baseline": [], "working tree": []}
        for r in range(args.rounds):
            order = [("baseline", old), ("working tree", new)]
            for name, module in (order if r % 2 else order[::-1]):
                t0 = time.process_time()
                for f in files:
                    module.extract_path(f)
                times[name].append((time.process_time() - t0) / len(files) * 1e3)
    for name, ms in times.items():
        print(f"{name:13s} best {min(ms):.2f} ms/doc, median {statistics.median(ms):.2f} ms/doc "
              f"({1e3 / min(ms):.0f} docs/CPU-s at best)")
    ratios = [o / n for o, n in zip(times["baseline"], times["working tree"], strict=True)]
    print(f"speed-up: {min(times['baseline']) / min(times['working tree']):.2f}x on the best rounds, "
          f"{statistics.median(ratios):.2f}x median of paired rounds")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
