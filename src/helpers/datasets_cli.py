"""``python -m helpers data verify``: fetch and check every pinned public file."""

from __future__ import annotations

import argparse

from helpers import datasets


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="public data files: list or verify the pinned registry")
    p.add_argument("action", choices=["list", "verify"])
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        for entry in datasets.registry().values():
            print(f"{entry.sha256[:12]}  {entry.size:>9}  {entry.url}")
        return 0
    failures = datasets.verify_all()
    print(f"{len(datasets.registry()) - len(failures)} files verified, {len(failures)} failed")
    for line in failures:
        print("  " + line)
    return 1 if failures else 0
