"""Command line: ``python -m helpers extract PATH... -o OUT.jsonl`` and ``python -m helpers evaluate``.

``extract`` reads ``.txt`` files (or folders of them, with ``.json`` sidecars), writes one
JSON record per line, and prints a per-run summary: documents read, records written, and
every document that was skipped or unreadable with the reason.  It exits 0 when it ran,
even if some documents could not be read (they are listed, never dropped silently).
``evaluate`` scores predictions against gold by the matching rule of ANNOTATION.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

__all__ = ["register", "run_evaluate", "run_extract"]

_FIELDS_OUT = None  # filled lazily (avoid importing pandas for --help)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``extract`` and ``evaluate`` subcommands."""
    p = sub.add_parser("extract", help="extract NTM progress records from report texts",
                       description="Extract progress records (one JSON object per line) from .txt reports.")
    p.add_argument("paths", nargs="+", metavar="PATH", help=".txt file or folder of .txt (+ .json sidecars)")
    p.add_argument("-o", "--output", required=True, help="output JSON-lines file ('-' for stdout)")
    p.add_argument("-j", "--processes", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--no-sentence", action="store_true", help="omit the evidence sentence from the output")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_extract)

    e = sub.add_parser("evaluate", help="score predicted records against gold (ANNOTATION.md matching)",
                       description="Precision/recall/F1 per measure and overall, and field accuracy.")
    e.add_argument("--gold", nargs="+", required=True, help="gold JSON-lines file(s)")
    e.add_argument("--pred", required=True, help="predicted JSON-lines file")
    e.add_argument("--all-docs", action="store_true",
                   help="also count predictions for documents that have no gold")
    e.set_defaults(func=run_evaluate)


def _jsonable(v: object) -> object:
    if v is None:
        return None
    try:
        import pandas as pd
        if v is pd.NA or (isinstance(v, float) and v != v):
            return None
    except ImportError:  # pragma: no cover
        pass
    if hasattr(v, "item"):
        return v.item()
    return v


def run_extract(args: argparse.Namespace) -> int:
    from helpers.extract import iter_documents, iter_results
    from helpers.records import RECORD_COLUMNS

    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        print(f"extract: {p}: no such file or folder", file=sys.stderr)
    paths = [p for p in args.paths if Path(p).exists()]
    n_docs = sum(1 for _ in iter_documents(paths))
    progress = None
    if not args.quiet and n_docs >= 200 and sys.stderr.isatty() or (not args.quiet and n_docs >= 2000):
        from tqdm import tqdm
        progress = tqdm(total=n_docs, unit="doc", desc="extract", file=sys.stderr)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    statuses: Counter[str] = Counter()
    problems: list[tuple[str, str, str]] = []
    n_records = 0
    buffer: list[dict] = []
    cols = [*RECORD_COLUMNS] + ([] if args.no_sentence else ["sentence"]) + ["rule"]
    try:
        for res in iter_results(paths, processes=args.processes):
            statuses[res.status] += 1
            if res.status != "ok" or res.message:
                problems.append((res.doc_id, res.status, res.message or ""))
            buffer.extend(res.records)
            if len(buffer) >= 5000:
                n_records += _flush(buffer, out, cols)
            if progress is not None:
                progress.update(1)
        n_records += _flush(buffer, out, cols)
    finally:
        if progress is not None:
            progress.close()
        if out is not sys.stdout:
            out.close()
    err = sys.stderr if args.output == "-" else sys.stdout
    print(f"extract: {sum(statuses.values())} documents read, {n_records} records written to {args.output}", file=err)
    print("extract: documents " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())), file=err)
    if problems:
        print(f"extract: {len(problems)} documents with errors, skips or notes:", file=err)
        for doc_id, status, msg in problems:
            print(f"  {doc_id}: {status}: {msg}", file=err)
    for p in missing:
        print(f"  {p}: error: no such file or folder", file=err)
    return 0


def _flush(buffer: list[dict], out, cols: list[str]) -> int:
    """Validate a chunk of records (pandera) and write it as JSON lines; empties ``buffer``."""
    if not buffer:
        return 0
    import pandas as pd

    from helpers.records import validate_records

    df = validate_records(pd.DataFrame(buffer))
    n = 0
    for row in df.to_dict("records"):
        rec = {c: _jsonable(row.get(c)) for c in cols}
        if rec.get("unmet_criteria"):
            rec["unmet_criteria"] = json.loads(rec["unmet_criteria"])
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    buffer.clear()
    return n


def run_evaluate(args: argparse.Namespace) -> int:
    from helpers.evaluate import evaluate, load_jsonl

    try:
        gold = load_jsonl(args.gold)
        pred = load_jsonl(args.pred)
    except (OSError, ValueError) as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    if len(gold) == 0:
        print("evaluate: the gold files hold no records", file=sys.stderr)
        return 2
    if len(pred) == 0:
        import pandas as pd
        pred = pd.DataFrame(columns=gold.columns)
    res = evaluate(gold, pred, restrict_to_gold_docs=not args.all_docs)
    print("Records (matching rule of ANNOTATION.md):")
    print(res["table"].to_string(index=False))
    print("\nField accuracy over matched records:")
    print(res["fields"].to_string(index=False))
    print(f"\n{len(res['false_negatives'])} gold records missed, {len(res['false_positives'])} predictions unmatched")
    return 0
