"""Stored notebooks carry no outputs and stay paired with their jupytext percent scripts."""

from __future__ import annotations

import jupytext
import nbformat
import pytest

from helpers.notebooks import NOTEBOOKS, list_notebooks

STORED = list_notebooks()


def test_there_are_notebooks():
    assert STORED, "notebooks/ has no NN_name.ipynb notebooks"


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; run `jupytext --sync` / strip outputs"


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_notebook_is_paired_and_in_sync(path):
    script = path.with_suffix(".py")
    assert script.exists(), f"{path.name} has no paired percent script {script.name}"
    from_script = jupytext.read(script)
    from_nb = nbformat.read(path, as_version=4)
    src = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]  # noqa: E731
    assert src(from_script) == src(from_nb), f"{path.name} and {script.name} differ: run make notebooks-sync"


def test_notebooks_folder_has_only_paired_files():
    scripts = {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.py")}
    assert scripts == {p.stem for p in STORED}
