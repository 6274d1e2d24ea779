"""Scale-out extraction: documents/s with 1 and 2 Dask workers, peak memory per worker.

Plain script (not a test)::

    .venv/bin/python benchmarks/bench_scale.py                      # the full protocol
    .venv/bin/python benchmarks/bench_scale.py --sizes 10000 100000 --workers 1 2

The corpus is ``../shared`` (seeds + corpus) replicated at run time into a temporary folder
as hard links (or copies across file systems) named ``r0000000.txt`` ...: N documents cost
no disk space and no text is written anywhere. For every corpus size and worker count, a
fresh ``distributed.LocalCluster`` (one single-threaded worker process per core asked for)
runs ``helpers.scale.extract_corpus_dask`` and we record wall time, documents/s, and the
peak resident memory (``ru_maxrss``) of each worker process. Memory that does not grow
between the two corpus sizes shows that a worker holds one partition, not the corpus.

Each result is printed and appended, as one JSON line, to ``--results`` (default
``benchmarks/results/bench_scale.jsonl``, not committed) as soon as it is measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    """This process's peak resident set size, MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def replicate(sources: list[Path], start: int, stop: int, folder: Path) -> None:
    """Documents ``start``..``stop-1`` of the replicated corpus in ``folder``: the source
    ``.txt`` (+ ``.json``) cycled, as hard links (copies where links are impossible)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, stop):
        src = sources[i % len(sources)]
        for suffix in (".txt", ".json"):
            if src.with_suffix(suffix).exists():
                try:
                    os.link(src.with_suffix(suffix), folder / f"r{i:07d}{suffix}")
                except OSError:
                    shutil.copyfile(src.with_suffix(suffix), folder / f"r{i:07d}{suffix}")


def _rss_mb() -> float:
    """This process's resident set size now, MB."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _sample_rss(client, stop: threading.Event, samples: list, out: Path, total: int,
                partition_size: int, every: float = 5.0, report_every: float = 60.0) -> None:
    """Every ``every`` seconds until ``stop``: (seconds since start, max worker RSS in MB);
    every ``report_every`` seconds a progress line (parts written so far, docs/s, RSS), so
    that a run stopped early still leaves measurements."""
    start = time.perf_counter()
    last_report = 0.0
    while not stop.wait(every):
        try:
            elapsed = time.perf_counter() - start
            samples.append((elapsed, max(client.run(_rss_mb).values())))
        except Exception:  # noqa: BLE001 - a missed sample is not a failed benchmark
            continue
        if elapsed - last_report >= report_every:
            last_report = elapsed
            done = len(list(out.glob("part-*.parquet")))
            print(f"bench_scale: progress {done}/{total} parts (~{done * partition_size} docs) "
                  f"in {elapsed:.0f} s = {done * partition_size / elapsed:.1f} docs/s; "
                  f"worker RSS {samples[-1][1]:.0f} MB; load {os.getloadavg()[0]:.1f}", flush=True)


def _warm() -> None:
    from helpers import extract

    extract._warm()  # load the gazetteer indexes before the clock starts


def run_once(corpus: Path, out: Path, workers: int, partition_size: int,
             profile: bool = False) -> dict:
    import dask
    from distributed import Client, LocalCluster

    from helpers.scale import extract_corpus_dask

    # Dask's statistical profiler keeps one profile per second for an hour on every worker
    # (tens of MB per 10 minutes): off, as docs/cluster.md advises for long extractions.
    with dask.config.set({"distributed.worker.profile.enabled": profile}), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0", memory_limit=0) as cluster, Client(cluster) as client:
        client.run(_warm)
        cpu_before = client.run(_cpu_seconds)
        samples: list = []
        stop = threading.Event()
        total = -(-sum(1 for _ in corpus.glob("*.txt")) // partition_size)
        sampler = threading.Thread(target=_sample_rss, daemon=True, args=(
            client, stop, samples, out, total, partition_size))
        start = time.perf_counter()
        sampler.start()
        run = extract_corpus_dask([corpus], out, client=client, partition_size=partition_size)
        seconds = time.perf_counter() - start
        stop.set()
        sampler.join()
        cpu = sum(client.run(_cpu_seconds).values()) - sum(cpu_before.values())
        peaks = client.run(_peak_rss_mb)
    # docs per CPU-second does not depend on what else the machine runs; cores_used (worker
    # CPU time / wall time) shows how much of the asked-for parallelism the machine gave.
    return {"documents": run.n_documents, "records": run.n_records, "partitions": len(run.files),
            "seconds": round(seconds, 1), "docs_per_s": round(run.n_documents / seconds, 1),
            "worker_cpu_s": round(cpu, 1), "docs_per_cpu_s": round(run.n_documents / cpu, 1),
            "cores_used": round(cpu / seconds, 2),
            "peak_rss_mb_per_worker": sorted(round(v, 1) for v in peaks.values()),
            # worker RSS (largest worker) at each quarter of the run: flat = bounded memory
            "rss_mb_by_quarter": [round(max([r for t, r in samples if t <= q * seconds] or [0]), 1)
                                  for q in (0.25, 0.5, 0.75, 1.0)],
            "problems": len(run.problems)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000],
                        help="corpus sizes (documents); memory is compared across them")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--partition-size", type=int, default=250)
    parser.add_argument("--results", type=Path,
                        default=Path(__file__).resolve().parent / "results" / "bench_scale.jsonl")
    parser.add_argument("--tmp", type=Path, default=None, help="where to build the corpus")
    parser.add_argument("--profile", action="store_true",
                        help="leave Dask's worker profiler on (its history grows for an hour)")
    args = parser.parse_args(argv)

    from helpers import paths
    from helpers.extract import iter_documents

    dirs = paths.corpus_dirs()
    if not dirs:
        print("bench_scale: ../shared is absent; nothing to replicate", file=sys.stderr)
        return 0
    sources = list(iter_documents(dirs))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="ntm-bench-scale-", dir=args.tmp))
    print(f"bench_scale: {len(sources)} source documents from {', '.join(map(str, dirs))}; "
          f"building in {tmp}; {os.cpu_count()} cores; load {os.getloadavg()}", flush=True)
    try:
        built = 0
        corpus = tmp / "corpus"
        for size in sorted(args.sizes):
            start = time.perf_counter()
            replicate(sources, built, size, corpus)  # grow the same folder: sizes nest
            built = max(built, size)
            print(f"bench_scale: corpus of {size} documents ready in "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
            for workers in args.workers:
                out = tmp / f"out-{size}-{workers}"
                result = run_once(corpus, out, workers, args.partition_size, args.profile)
                result.update({"bench": "scale", "size": size, "workers": workers,
                               "dask_profiler": args.profile,
                               "partition_size": args.partition_size,
                               "load_after": [round(x, 2) for x in os.getloadavg()],
                               "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                               "python": platform.python_version(), "cores": os.cpu_count()})
                print(json.dumps(result), flush=True)
                with args.results.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(result) + "\n")
                shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
