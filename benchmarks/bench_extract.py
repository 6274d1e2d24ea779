"""Extraction speed and memory, side by side with an ``underthesea.ner`` pass.

Plain script (not a test)::

    .venv/bin/python benchmarks/bench_extract.py                 # 10,000 documents
    .venv/bin/python benchmarks/bench_extract.py --docs 20000 --ner-docs 300

The corpus is ``../shared`` (seeds + corpus) replicated at run time into a temporary folder
as hard links (no text is written anywhere). We stream ``helpers.extract.iter_results`` over
it in one process and report wall time, CPU time, documents per CPU-second ("per core": the
machine is shared, so wall time overstates the cost), records found, and the peak resident
memory. The headline rate clears the extractor's per-text caches each time the replicas start
over (``clear_text_caches``), as a corpus of distinct reports would find them; the rate with
the replicas' own clauses and names cached is printed beside it. A second, smaller run under ``tracemalloc`` at two corpus sizes shows that Python
memory does not grow with the corpus (the output is discarded there). The slowest of a few
documents of the longest size read, each one endless sentence, shows the time grows with a
document's length and not with its square.

The NER column times ``underthesea.ner`` (the library a user would reach for first) over the
same texts, sentence by sentence. underthesea is not a project dependency: the script uses it
when importable, else the interpreter named by ``NTM_UNDERTHESEA_PYTHON`` (a scratch venv),
else it says so and leaves the column empty.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def replicate(sources: list[Path], n: int, folder: Path) -> None:
    """``n`` documents in ``folder``: the sources cycled, as hard links (copies if impossible)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = sources[i % len(sources)]
        for suffix in (".txt", ".json"):
            s = src.with_suffix(suffix)
            if s.exists():
                dst = folder / f"r{i:07d}{suffix}"
                try:
                    os.link(s, dst)
                except OSError:
                    shutil.copyfile(s, dst)


def run_extract(folder: Path, cycle: int | None = None) -> dict:
    """Stream the folder; with ``cycle`` (the number of distinct sources) the extractor's
    per-text caches are cleared each time the replicas start over, so a document never finds
    its own earlier replica's clauses and names cached."""
    from helpers.extract import clear_text_caches, iter_results

    n_docs = n_rec = 0
    t0, c0 = time.perf_counter(), _cpu()
    for res in iter_results([folder]):
        n_docs += 1
        n_rec += len(res.records)
        if cycle and n_docs % cycle == 0:
            clear_text_caches()
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    return {"docs": n_docs, "records": n_rec, "wall_s": wall, "cpu_s": cpu,
            "docs_per_cpu_s": n_docs / cpu if cpu else float("nan"), "peak_rss_mb": _rss_mb()}


def traced_peak(folder: Path, n: int) -> float:
    """Peak traced Python memory (MB) while streaming the first ``n`` documents."""
    from helpers.extract import extract_path

    files = sorted(folder.glob("*.txt"))[:n]
    tracemalloc.start()
    for f in files:
        extract_path(f)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def worst_case() -> tuple[float, str]:
    """CPU seconds of the slowest of a few documents as long as the extractor reads (``MAX_BYTES``)
    made of one endless sentence (a list of communes, of counts, no punctuation at all): the
    rules look at a bounded window around each place, so the time grows with the length, not
    with its square."""
    from helpers.extract import MAX_BYTES, extract_records

    shapes = {
        "one list of communes": "Toàn tỉnh có 5/10 xã đạt chuẩn nông thôn mới gồm "
                                + ", ".join(f"xã Tân Lập {i}" for i in range(30_000)),
        "one list of counts": "Toàn tỉnh có " + ", ".join(f"{i} xã đạt chuẩn NTM" for i in range(1, 30_000)),
        "no punctuation": " ".join(["huyện có 5 xã đạt chuẩn nông thôn mới và"] * 10_000),
    }
    worst = (0.0, "")
    for name, body in shapes.items():
        text = ("Tin\n\n" + body).encode("utf-8")[:MAX_BYTES - 2].decode("utf-8", "ignore") + ".\n"
        c0 = _cpu()
        extract_records(text, {}, doc_id="worst")
        worst = max(worst, (_cpu() - c0, name))
    return worst


NER_SCRIPT = r"""
import json, sys, time, resource
texts = json.load(open(sys.argv[1], encoding="utf-8"))
try:
    from underthesea import ner, sent_tokenize
except Exception as exc:
    print(json.dumps({"error": f"import failed: {type(exc).__name__}: {exc}"})); sys.exit(0)
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
try:
    ner(texts[0][:200])  # load the model outside the timing
except Exception as exc:
    print(json.dumps({"error": f"ner failed: {type(exc).__name__}: {exc}"})); sys.exit(0)
t0, c0 = time.perf_counter(), cpu()
for t in texts:
    for s in sent_tokenize(t):
        ner(s)
wall, c = time.perf_counter() - t0, cpu() - c0
print(json.dumps({"docs": len(texts), "wall_s": wall, "cpu_s": c, "docs_per_cpu_s": len(texts) / c if c else None}))
"""


def run_ner(texts: list[str]) -> dict:
    """Time underthesea.ner over ``texts`` in this interpreter or the scratch one."""
    python = sys.executable
    try:
        import underthesea  # noqa: F401
    except ImportError:
        python = os.environ.get("NTM_UNDERTHESEA_PYTHON", "")
        if not python or not Path(python).exists():
            return {"error": "underthesea is not installed here and NTM_UNDERTHESEA_PYTHON is not set"}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "texts.json"
        script = Path(tmp) / "ner.py"
        data.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        script.write_text(NER_SCRIPT, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
        try:
            out = subprocess.run([python, str(script), str(data)], capture_output=True, text=True,
                                 timeout=1800, env=env)
        except subprocess.TimeoutExpired:
            return {"error": "underthesea.ner timed out"}
        lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
        if not lines:
            return {"error": f"underthesea run failed: {out.stderr.strip()[-300:]}"}
        return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000, help="replicated corpus size (default 10,000)")
    ap.add_argument("--ner-docs", type=int, default=200, help="documents timed with underthesea.ner")
    ap.add_argument("--trace-docs", type=int, nargs=2, default=[300, 1200], help="tracemalloc sizes")
    args = ap.parse_args(argv)

    from helpers import paths
    from helpers.extract import _warm
    from helpers.text import decode_document

    dirs = paths.corpus_dirs()
    if not dirs:
        print("bench_extract: ../shared is absent; nothing to benchmark (needs the report corpus)")
        return 0
    sources = sorted(p for d in dirs for p in d.glob("*.txt"))
    _warm()
    with tempfile.TemporaryDirectory(prefix="ntm_bench_") as tmp:
        folder = Path(tmp) / "corpus"
        replicate(sources, args.docs, folder)
        small = Path(tmp) / "small"
        replicate(sources, len(sources), small)
        run_extract(small)  # warm caches (gazetteer, regexes) outside the timing
        res = run_extract(folder, cycle=len(sources))
        warm = run_extract(folder)
        peaks = [traced_peak(folder, n) for n in args.trace_docs]
    worst_s, worst_name = worst_case()
    texts = []
    for p in sources:
        t = decode_document(p.read_bytes()).text
        if t:
            texts.append(t)
    texts = (texts * (args.ner_docs // max(1, len(texts)) + 1))[: args.ner_docs]
    from helpers.extract import clear_text_caches, extract_records

    def rules_rate() -> float:
        c0 = _cpu()
        for i, t in enumerate(texts):
            if i % len(sources) == 0:
                clear_text_caches()
            extract_records(t, {}, doc_id=f"n{i}")
        cpu = _cpu() - c0
        return len(texts) / cpu if cpu else float("nan")

    # the rules are timed just before and just after the NER pass and averaged: the
    # machine's speed drifts between minutes, and the ratio should compare like with like
    before = rules_rate()
    ner = run_ner(texts)
    after = rules_rate()
    same_rate = (before + after) / 2

    print("\nExtraction benchmark (documents = ../shared seeds + corpus, replicated)")
    print(f"{'measure':44s} {'value':>14s}")
    rows = [
        ("documents", f"{res['docs']:,}"),
        ("records found", f"{res['records']:,}"),
        ("wall time, s", f"{res['wall_s']:.1f}"),
        ("CPU time, s", f"{res['cpu_s']:.1f}"),
        ("docs / CPU-second (per core)", f"{res['docs_per_cpu_s']:.0f}"),
        ("  same, replicas finding their caches warm", f"{warm['docs_per_cpu_s']:.0f}"),
        ("docs / wall-second", f"{res['docs'] / res['wall_s']:.0f}"),
        ("peak RSS of the process, MB", f"{res['peak_rss_mb']:.0f}"),
        (f"traced Python peak, {args.trace_docs[0]:,} docs, MB", f"{peaks[0]:.1f}"),
        (f"traced Python peak, {args.trace_docs[1]:,} docs, MB", f"{peaks[1]:.1f}"),
        ("slowest 300 kB one-sentence document, CPU s", f"{worst_s:.1f}"),
        (f"rules on the {len(texts)} NER texts, docs / CPU-s", f"{same_rate:.0f} ({before:.0f}, {after:.0f})"),
    ]
    if "error" in ner:
        rows.append(("underthesea.ner, docs / CPU-s", "n/a"))
    else:
        rows.append((f"underthesea.ner on {ner['docs']} docs, docs / CPU-s", f"{ner['docs_per_cpu_s']:.1f}"))
        rows.append(("speed-up of the rules over NER", f"{same_rate / ner['docs_per_cpu_s']:.0f}x"))
    for k, v in rows:
        print(f"{k:44s} {v:>14s}")
    print(f"the slowest long document: {worst_name}")
    print("goals: >= 1,000 docs/s/core; >= 50x the NER pass")
    if "error" in ner:
        print(f"NER column skipped: {ner['error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
