"""The house figure style and the one way figures are written to disk.

``use_style()`` loads ``ntm.mplstyle`` and the bundled Be Vietnam Pro font, so Vietnamese
diacritics render without missing glyphs. ``save(fig, name)`` writes a 300 dpi PNG plus an
SVG (and PDF on request) into ``figures/`` with no timestamps and a fixed SVG hash salt, so
that two runs write byte-identical files.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from importlib import resources
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from helpers import paths

__all__ = ["FONT_FAMILY", "add_source", "save", "use_style"]

FONT_FAMILY = "Be Vietnam Pro"

_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def use_style() -> None:
    """Apply the house style (idempotent); falls back to DejaVu Sans if the font is absent."""
    try:
        import fontpkg.mpl

        fontpkg.mpl.use(FONT_FAMILY)
        for weight in (500, 600, 700):
            fontpkg.mpl.use(FONT_FAMILY, weight=weight)
    except Exception:  # the font package is optional: DejaVu Sans covers Vietnamese too
        pass
    style = resources.files("helpers").joinpath("ntm.mplstyle")
    with resources.as_file(style) as path:
        plt.style.use(str(path))
    mpl.rcParams["svg.hashsalt"] = "ntm-atlas"


def add_source(fig: Figure, source: str, data_date: str | date | None = None) -> None:
    """Write the source line (and the date the data hold on) at the figure's lower left."""
    text = f"Nguồn / Source: {source}"
    if data_date:
        text += f" · Dữ liệu đến / data as of {data_date}"
    # Below the axes: tight bounding boxes at save time take it in.
    fig.text(0.01, -0.01, text, ha="left", va="top", fontsize=6.5, color="#555555")


def save(
    fig: Figure,
    name: str,
    formats: Iterable[str] = ("png", "svg"),
    outdir: Path | str | None = None,
) -> list[Path]:
    """Write ``fig`` as ``<outdir>/<name>.<fmt>`` for each format, deterministically."""
    out = Path(outdir) if outdir is not None else paths.FIGURES
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with mpl.rc_context({"svg.hashsalt": "ntm-atlas"}):
        for fmt in formats:
            target = out / f"{name}.{fmt}"
            fig.savefig(target, format=fmt, dpi=300, metadata=_METADATA.get(fmt))
            written.append(target)
    return written
