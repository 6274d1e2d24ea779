"""published_plots: the programme target comes from the series' target rows."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import published_plots as plots


def _series(rows: list[dict]) -> pd.DataFrame:
    base = {"modality": "target", "measure": "pct_ntm", "as_of": "2025", "article": "900",
            "doc_id": None, "date": pd.Timestamp("2025-07-01")}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_programme_target_from_target_rows_else_fallback():
    df = _series([{"value": 75.0, "article": "901", "as_of": "2024",
                   "date": pd.Timestamp("2024-07-01")},
                  {"value": 85.0, "doc_id": "c902", "article": "902"},
                  {"value": 30.0, "measure": "pct_advanced"},
                  {"value": 50.0, "modality": "actual"}])
    assert plots.programme_target(df) == (85.0, "c902")  # the 2025 row, not 2024's or actuals
    assert plots.programme_target(df.iloc[:1]) == plots.FALLBACK_TARGET  # only a 2024 row
    assert plots.programme_target(df, "pct_advanced") == (30.0, "r900")
    with pytest.raises(ValueError, match="pct_model"):
        plots.programme_target(df, "pct_model")


def test_chart_draws_the_series_target():
    from helpers import published

    series = published.load_series(which="national")
    value, label = plots.programme_target(series)
    fig = plots.plot_communes(series)
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert f"≥ {value:g}% xã" in texts and label in texts
    plt.close(fig)
