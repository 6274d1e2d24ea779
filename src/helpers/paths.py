"""Where the project's folders are: the checkout, its data and figures, and ``../shared``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DATA", "FIGURES", "ROOT", "corpus_dirs", "shared_dir"]

ROOT = Path(os.environ.get("NTM_ROOT", Path(__file__).resolve().parents[2]))
DATA = ROOT / "data"
FIGURES = Path(os.environ.get("NTM_FIGURES", ROOT / "figures"))


def shared_dir() -> Path | None:
    """``NTM_SHARED`` or ``../shared`` beside the checkout, when it exists."""
    value = os.environ.get("NTM_SHARED", "").strip()
    path = Path(value) if value else ROOT.parent / "shared"
    return path if path.is_dir() else None


def corpus_dirs() -> list[Path]:
    """The report folders of ``../shared`` (seeds, corpus) that exist on this machine."""
    shared = shared_dir()
    if shared is None:
        return []
    return [p for p in (shared / "seeds", shared / "corpus") if p.is_dir()]
