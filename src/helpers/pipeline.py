"""The main job behind ``make records`` and ``make figures``.

``records``: re-extract ``data/derived/`` from the report corpus (``../shared`` or
``--corpus DIR``) when one is present; otherwise keep the committed facts tables.
``figures``: ``records``, then every notebook executed headless, in order; the notebooks
write ``figures/``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from helpers import notebooks, paths


def records(corpus: list[Path] | None = None) -> int:
    dirs = corpus if corpus else paths.corpus_dirs()
    if not dirs:
        print("records: no report corpus here (../shared absent); using the committed "
              f"facts in {paths.DATA / 'derived'}")
        return 0
    from helpers.datasets import DataFileError
    from helpers.extract import build_derived_records

    try:
        written = build_derived_records(dirs, paths.DATA / "derived")
    except DataFileError as exc:
        print(f"records: kept the committed facts: {exc}")
        return 1
    for path in written:
        print(f"records: wrote {path.relative_to(paths.ROOT) if path.is_relative_to(paths.ROOT) else path}")
    return 0


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def failure_reason(exc: BaseException) -> str:
    """The error a notebook cell raised ("DataFileError: could not download …"), not the tail
    of its coloured traceback, which shows the source lines around the raise."""
    if getattr(exc, "ename", None):
        return _ANSI.sub("", f"{exc.ename}: {getattr(exc, 'evalue', '')}")[-2000:]
    return f"{type(exc).__name__}: {_ANSI.sub('', str(exc))[-2000:]}"


def figures(corpus: list[Path] | None = None) -> int:
    records(corpus)
    failed = []
    for nb in notebooks.list_notebooks():
        print(f"figures: running {nb.name} ...", flush=True)
        try:
            seconds = notebooks.run_notebook(nb)
        except Exception as exc:  # report every failing notebook, run the rest
            failed.append(nb.name)
            print(f"figures: {nb.name} FAILED: {failure_reason(exc)}")
            continue
        print(f"figures: {nb.name} done in {seconds:.0f} s")
    written = sorted(p.name for p in paths.FIGURES.glob("*") if p.suffix in {".png", ".svg", ".pdf", ".html"})
    print(f"figures: {len(written)} files in {paths.FIGURES}")
    if failed:
        print(f"figures: {len(failed)} notebook(s) failed: {', '.join(failed)}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.pipeline", description=__doc__)
    parser.add_argument("step", choices=["records", "figures"])
    parser.add_argument("--corpus", type=Path, nargs="*", help="report folders (default ../shared)")
    args = parser.parse_args(argv)
    return records(args.corpus) if args.step == "records" else figures(args.corpus)


if __name__ == "__main__":
    sys.exit(main())
