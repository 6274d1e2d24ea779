"""Shared fixtures: the shared folder, the data mirror and a headless matplotlib."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from helpers import paths  # noqa: E402


@pytest.fixture(scope="session")
def shared() -> Path:
    """``../shared`` (or ``NTM_SHARED``); tests that need it skip where it is absent."""
    found = paths.shared_dir()
    if found is None:
        pytest.skip("../shared is not present on this machine (a user's checkout)")
    return found


@pytest.fixture(scope="session")
def mirror() -> Path:
    value = os.environ.get("NTM_DATA_MIRROR")
    if not value:
        pytest.skip("NTM_DATA_MIRROR is not set")
    return Path(value)
