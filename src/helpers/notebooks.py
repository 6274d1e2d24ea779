"""Run the collection's notebooks headless, in order, without storing their outputs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers import paths

__all__ = ["NOTEBOOKS", "list_notebooks", "run_notebook"]

NOTEBOOKS = paths.ROOT / "notebooks"


def list_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The ``NN_name.ipynb`` notebooks, in their numbered order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def run_notebook(path: Path, timeout: int = 900) -> float:
    """Execute ``path`` in its own folder (outputs stay in memory); return seconds taken."""
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("MPLBACKEND", "Agg")
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return time.perf_counter() - start
