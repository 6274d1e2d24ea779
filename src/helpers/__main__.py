"""Command line: ``python -m helpers <command> ...``.

Each command lives in the module of its concept, which exposes ``register(subparsers)``;
the registered function is stored as the ``func`` default and receives the parsed args.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = ("helpers.cli_extract", "helpers.collect", "helpers.datasets_cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
