"""Record extraction at any scale: a Dask bag over document partitions -> partitioned Parquet.

Command line: ``python -m helpers.scale DIR_OR_FILE ... --out OUT [--client tcp://host:8786]``.

``extract_corpus_dask(paths, out_dir)`` runs the same per-document function as
``helpers.extract.extract_corpus`` (``helpers.extract.extract_path``) on every ``.txt``
under ``paths``, one partition of documents per task, and writes one Parquet file per
partition, ``part-000000.parquet``, ``part-000001.parquet`` ... (documents are split into
contiguous, equal partitions in the order ``extract_corpus`` reads them, so the same input
always gives the same files), all with one Arrow schema. Records never travel back to the
caller: a worker holds one partition at a time, so its memory does not grow with the corpus.

The same call runs on the local process scheduler (``client=None``) or on a
``dask.distributed`` cluster (``client`` = a ``Client`` or its address, e.g.
``"tcp://scheduler:8786"``); on a cluster, every worker needs this package installed and
must see the input files and ``out_dir`` at the same paths (a shared file system).

``read_records(out_dir)`` reads the partitions back, in order, as one table equal to what
``extract_corpus`` returns for the same input. ``_manifest.json`` beside the parts lists
each partition's documents and record counts and every document with a problem.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "DaskRun",
    "canonical_records",
    "extract_corpus_dask",
    "partition_paths",
    "read_records",
    "records_schema",
]

PART = "part-{:06d}.parquet"
MANIFEST = "_manifest.json"
DEFAULT_PARTITION_SIZE = 250  # documents per task: ~1-2 MB of text, a few MB of records


def records_schema(keep_sentence: bool = True) -> pa.Schema:
    """The one Arrow schema of every partition: the columns of ``extract_document``'s
    output (``helpers.records``), nullable ``int64`` for integer columns, ``string`` else."""
    from helpers.records import empty_records

    empty = empty_records()
    fields = []
    for name, dtype in empty.dtypes.items():
        if name == "sentence" and not keep_sentence:
            continue
        kind = pa.int64() if pd.api.types.is_integer_dtype(dtype) else pa.string()
        fields.append(pa.field(str(name), kind, nullable=True))
    return pa.schema(fields)


def canonical_records(df: pd.DataFrame, schema: pa.Schema | None = None) -> pd.DataFrame:
    """``df`` in the schema's columns and canonical dtypes (``Int64``; ``object`` strings
    with None for missing), index 0..n-1: the form ``read_records`` returns, so tables from
    ``extract_corpus`` and from Parquet compare equal."""
    schema = schema or records_schema("sentence" in df.columns)
    out = pd.DataFrame(index=range(len(df)))
    for f in schema:
        col = df[f.name].reset_index(drop=True) if f.name in df.columns else pd.Series(
            [None] * len(df), dtype=object)
        if pa.types.is_integer(f.type):
            out[f.name] = pd.to_numeric(col, errors="raise").astype("Int64")
        else:
            values = col.astype(object)
            out[f.name] = values.where(values.notna(), None).astype(object)
    return out


def partition_paths(paths: Any, npartitions: int | None = None,
                    partition_size: int = DEFAULT_PARTITION_SIZE) -> list[list[str]]:
    """The ``.txt`` documents under ``paths`` (order of ``extract_corpus``) cut into
    contiguous partitions: ``npartitions`` of them, or as many as needed for
    ``partition_size`` documents each. Deterministic for a given input."""
    from helpers.extract import iter_documents

    files = [str(p) for p in iter_documents(paths)]
    if not files:
        return []
    k = npartitions or math.ceil(len(files) / max(1, partition_size))
    k = max(1, min(k, len(files)))
    size, extra = divmod(len(files), k)
    parts, start = [], 0
    for i in range(k):
        end = start + size + (1 if i < extra else 0)
        parts.append(files[start:end])
        start = end
    return parts


def _write_table(table: pa.Table, path: Path) -> None:
    """Parquet to a temp file in the same folder, then ``os.replace``: never half a part."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _extract_partition(task: tuple[int, list[str], str, bool]) -> dict[str, Any]:
    """Worker: extract one partition's documents and write its Parquet part.

    Returns a small summary (counts, problems); the records stay on disk.
    """
    index, files, out_dir, keep_sentence = task
    from helpers.extract import extract_path, records_frame

    schema = records_schema(keep_sentence)
    rows, problems = [], []
    for f in files:
        res = extract_path(f)  # never raises for a bad document
        if res.status != "ok" or res.message:
            problems.append({"doc_id": res.doc_id, "path": res.path, "status": res.status,
                             "message": res.message})
        rows.extend(res.records)
    df = records_frame(rows)  # validated once per partition, as extract_corpus does
    table = pa.Table.from_pandas(canonical_records(df, schema), schema=schema,
                                 preserve_index=False)
    name = PART.format(index)
    _write_table(table, Path(out_dir) / name)
    return {"partition": index, "file": name, "documents": len(files), "records": len(df),
            "first": Path(files[0]).stem if files else None,
            "last": Path(files[-1]).stem if files else None, "problems": problems}


@dataclass
class DaskRun:
    """What ``extract_corpus_dask`` did: where the parts are and what they hold."""

    out_dir: Path
    files: list[Path]
    n_documents: int
    n_records: int
    problems: pd.DataFrame  # doc_id, path, status, message (errors, skips, notes)

    def read(self) -> pd.DataFrame:
        return read_records(self.out_dir)


def _compute(bag: Any, client: Any, num_workers: int | None,
             scheduler: str) -> list[dict[str, Any]]:
    if client is None:
        if scheduler != "processes":
            return bag.compute(scheduler=scheduler, num_workers=num_workers)
        import multiprocessing as mp

        import dask

        from helpers import extract

        if "fork" not in mp.get_all_start_methods():
            return bag.compute(scheduler="processes", num_workers=num_workers)
        extract._warm()  # load the gazetteer indexes once, then fork workers that share them
        with dask.config.set({"multiprocessing.context": "fork"}):
            return bag.compute(scheduler="processes", num_workers=num_workers)
    if isinstance(client, str):
        from distributed import Client

        with Client(client) as c:
            return bag.compute(scheduler=c)
    return bag.compute(scheduler=client)


def extract_corpus_dask(paths: Any, out_dir: str | Path, client: Any = None,
                        npartitions: int | None = None, *,
                        partition_size: int = DEFAULT_PARTITION_SIZE,
                        keep_sentence: bool = True, num_workers: int | None = None,
                        scheduler: str = "processes") -> DaskRun:
    """Extract every document under ``paths`` with Dask; write partitioned Parquet to
    ``out_dir``.

    ``client``: None for the local scheduler (``scheduler``: ``"processes"``, the default,
    with ``num_workers`` processes; ``"threads"`` or ``"sync"`` to debug), a
    ``distributed.Client``, or a scheduler address (``"tcp://host:8786"``). ``npartitions``
    fixes the number of partitions; otherwise ``partition_size`` documents per partition.
    Old ``part-*.parquet`` files in ``out_dir`` are removed first, so the folder always
    holds exactly this run's output.
    """
    import dask.bag as db

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.parquet"):
        old.unlink()
    parts = partition_paths(paths, npartitions, partition_size)
    if not parts:  # still one (empty) part, so readers see the schema
        parts = [[]]
    tasks = [(i, files, str(out), keep_sentence) for i, files in enumerate(parts)]
    bag = db.from_sequence(tasks, npartitions=len(tasks)).map(_extract_partition)
    summaries = sorted(_compute(bag, client, num_workers, scheduler), key=lambda s: s["partition"])
    problems = [p for s in summaries for p in s["problems"]]
    manifest = {
        "partitions": [{k: s[k] for k in ("partition", "file", "documents", "records", "first",
                                          "last")} for s in summaries],
        "documents": sum(s["documents"] for s in summaries),
        "records": sum(s["records"] for s in summaries),
        "keep_sentence": keep_sentence,
        "schema": {f.name: str(f.type) for f in records_schema(keep_sentence)},
        "problems": problems,
    }
    fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{MANIFEST}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, out / MANIFEST)
    return DaskRun(out_dir=out, files=[out / s["file"] for s in summaries],
                   n_documents=manifest["documents"], n_records=manifest["records"],
                   problems=pd.DataFrame(problems, columns=["doc_id", "path", "status", "message"]))


def read_records(out_dir: str | Path) -> pd.DataFrame:
    """All partitions of ``out_dir``, in partition order, as one canonical table."""
    out = Path(out_dir)
    files = sorted(out.glob("part-*.parquet"), key=lambda p: int(p.stem.split("-")[1]))
    if not files:
        raise FileNotFoundError(f"no part-*.parquet in {out} (run extract_corpus_dask first)")
    schema = pq.read_schema(files[0])
    tables = [pq.read_table(f, schema=schema) for f in files]
    df = pa.concat_tables(tables).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return canonical_records(df, schema.remove_metadata())


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.scale``: extract folders/files to partitioned Parquet."""
    parser = argparse.ArgumentParser(prog="python -m helpers.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", type=Path, help="report folders or .txt files")
    parser.add_argument("--out", required=True, type=Path, help="output folder for the parts")
    parser.add_argument("--client", help="dask.distributed scheduler address (default: local)")
    parser.add_argument("--workers", type=int, help="local processes (default: one per core)")
    parser.add_argument("--scheduler", default="processes",
                        choices=["processes", "threads", "sync"], help="local scheduler")
    parser.add_argument("--npartitions", type=int)
    parser.add_argument("--partition-size", type=int, default=DEFAULT_PARTITION_SIZE)
    parser.add_argument("--no-sentence", action="store_true", help="leave out the sentences")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"scale: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    run = extract_corpus_dask(args.paths, args.out, client=args.client,
                              npartitions=args.npartitions, partition_size=args.partition_size,
                              keep_sentence=not args.no_sentence, num_workers=args.workers,
                              scheduler=args.scheduler)
    print(f"scale: {run.n_documents} documents -> {run.n_records} records in "
          f"{len(run.files)} parts under {run.out_dir} (manifest: {run.out_dir / MANIFEST})")
    for row in run.problems.itertuples(index=False):
        print(f"  {row.status:8} {row.doc_id}: {row.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
