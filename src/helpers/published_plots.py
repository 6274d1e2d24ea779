"""Charts of the published NTM figures (notebook 05): the series as reported, each point
marked with its source, and the extractor's numbers overlaid.

Marker code used throughout: filled circle = read in a report that is in ``../shared/corpus``;
open circle = a report known only from ``../shared/reference`` (page not in the corpus);
triangle = derived from a stated rise or estimated; red ring = flagged (conflict, doubtful,
share mismatch).  The small grey label beside each point is its source (``c001`` = corpus
document, ``r075`` = reference article 075).
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from helpers import figures

__all__ = [
    "SOURCE_LINE",
    "plot_communes",
    "plot_districts",
    "plot_provinces",
    "plot_vs_extracted",
    "programme_target",
    "source_label",
]

SOURCE_LINE = ("MARD / Văn phòng Điều phối NTM Trung ương as quoted by the press "
               "(addresses per point in data/reference/national_series.csv)")
COLORS = {"ntm": "#1b6ca8", "advanced": "#e07b39", "model": "#3a9d5d", "district": "#7d5ba6",
          "grey": "#6b6b6b", "flag": "#c23b4e"}
_CONFLICT = {"CONFLICT_SAME_PERIOD", "ORDER_CONFLICT", "DOUBTFUL", "INCONSISTENT",
             "SHARE_MISMATCH", "UNCONFIRMED"}


#: Fallback for the 2021–2025 programme's commune target when the series has no target row:
#: at least 80 % of communes meeting NTM by 2025 (Quyết định 263/QĐ-TTg, 22/02/2022, approving
#: the national target programme on NTM 2021–2025).
FALLBACK_TARGET = (80.0, "QĐ 263/QĐ-TTg (fallback)")


def programme_target(series: pd.DataFrame, measure: str = "pct_ntm",
                     year: int = 2025) -> tuple[float, str]:
    """The ``measure`` target for ``year`` from the series' ``modality == "target"`` rows
    (several rows: the latest reported; their source label), else :data:`FALLBACK_TARGET`
    for ``pct_ntm`` in 2025 (``ValueError`` for any other measure without a target row)."""
    rows = series[(series["modality"] == "target") & (series["measure"] == measure)
                  & (series["as_of"].astype("string").str[:4] == str(year))]
    if not rows.empty:
        row = rows.sort_values(["date", "article"]).iloc[-1]
        return float(row["value"]), source_label(row)
    if measure == "pct_ntm" and year == 2025:
        return FALLBACK_TARGET
    raise ValueError(f"no {measure} target for {year} in the series and no fallback")


def source_label(row: pd.Series) -> str:
    """``c001`` for a corpus document, ``r075`` for a reference-only article."""
    return row["doc_id"] if isinstance(row["doc_id"], str) else f"r{row['article']}"


def _flagged(row: pd.Series) -> bool:
    return isinstance(row["flags"], str) and bool(_CONFLICT & set(row["flags"].split(";")))


def _points(ax: Axes, df: pd.DataFrame, color: str, label_points: bool = True,
            scale: float = 1.0, label_offset: int = 4) -> None:
    """Draw one measure's reported values, marker by provenance, label by source."""
    df = df.sort_values("date")
    clean = df[(df["date_basis"] != "derived") & (df["date_basis"] != "estimate")
               & ~df.apply(_flagged, axis=1)]
    ax.plot(clean["date"], clean["value"] * scale, color=color, lw=1.0, alpha=0.55, zorder=1)
    # one marker per (date, value): reports that agree share it, their labels joined
    groups = df.assign(_label=df.apply(source_label, axis=1), _flag=df.apply(_flagged, axis=1))
    for n, ((date, value), grp) in enumerate(groups.groupby(["date", "value"], sort=True)):
        derived = (grp["date_basis"].isin(["derived", "estimate"])).all()
        in_corpus = grp["doc_id"].notna().any()
        marker = "^" if derived else "o"
        face = color if in_corpus and not derived else "white"
        ax.scatter(date, value * scale, marker=marker, s=22, facecolor=face,
                   edgecolor=color, linewidth=1.0, zorder=3)
        if grp["_flag"].any():
            ax.scatter(date, value * scale, marker="o", s=70, facecolor="none",
                       edgecolor=COLORS["flag"], linewidth=0.9, zorder=4)
        if label_points:
            dy = label_offset if n % 2 == 0 else -label_offset - 5
            ax.annotate(", ".join(sorted(set(grp["_label"]))), (date, value * scale),
                        xytext=(3, dy), textcoords="offset points", fontsize=4.8,
                        color=COLORS["grey"], zorder=5)


def _marker_legend(ax: Axes, series: list[tuple[str, str]], loc: str = "upper left",
                   extra: list[Line2D] | None = None) -> None:
    handles = [Line2D([], [], color=c, marker="o", lw=1, label=lab) for lab, c in series]
    handles += extra or []
    handles += [
        Line2D([], [], ls="", marker="o", color="#444444", label="read in a corpus report"),
        Line2D([], [], ls="", marker="o", mfc="white", color="#444444",
               label="reference only (page not in corpus)"),
        Line2D([], [], ls="", marker="^", mfc="white", color="#444444", label="derived / estimated"),
        Line2D([], [], ls="", marker="o", mfc="none", ms=9, color=COLORS["flag"],
               label="flagged (conflict, doubtful, share mismatch)"),
    ]
    ax.legend(handles=handles, loc=loc, fontsize=6.5)


def _actual(df: pd.DataFrame, measure: str) -> pd.DataFrame:
    return df[(df["measure"] == measure) & (df["modality"] == "actual")]


def plot_communes(series: pd.DataFrame) -> Figure:
    """Communes meeting NTM / nâng cao / kiểu mẫu (counts) and the shares with their targets."""
    figures.use_style()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.6))
    for measure, key in [("communes_ntm", "ntm"), ("communes_advanced", "advanced"),
                         ("communes_model", "model")]:
        _points(ax1, _actual(series, measure), COLORS[key])
    totals = _actual(series, "communes_total").sort_values("date")
    ax1.scatter(totals["date"], totals["value"], marker="_", s=120, color=COLORS["grey"], zorder=2)
    last = None
    for _, row in totals.drop_duplicates(["value"]).iterrows():
        if last is not None and (row["date"] - last).days < 250:
            continue  # keep the labels legible; every bar is still drawn
        last = row["date"]
        ax1.annotate(f"{int(row['value']):,}".replace(",", "."), (row["date"], row["value"]),
                     xytext=(0, 4), textcoords="offset points", fontsize=5, ha="center",
                     color=COLORS["grey"])
    ax1.set_title("Số xã đạt chuẩn (communes meeting the standard)")
    ax1.set_ylabel("số xã / communes")
    ax1.set_ylim(0, 9500)
    _marker_legend(ax1, [("đạt chuẩn NTM", COLORS["ntm"]), ("NTM nâng cao", COLORS["advanced"]),
                         ("NTM kiểu mẫu", COLORS["model"]),
                         ("tổng số xã (denominator, grey bars)", COLORS["grey"])])
    for measure, key in [("pct_ntm", "ntm"), ("pct_advanced", "advanced"), ("pct_model", "model")]:
        _points(ax2, _actual(series, measure), COLORS[key])
    targets = series[(series["modality"] == "target") & series["measure"].isin(
        ["pct_ntm", "pct_advanced", "pct_model"])]
    for _, row in targets.iterrows():
        key = {"pct_ntm": "ntm", "pct_advanced": "advanced", "pct_model": "model"}[row["measure"]]
        ax2.scatter(row["date"], row["value"], marker="D", s=26, facecolor="white",
                    edgecolor=COLORS[key], linestyle="--", zorder=3)
    target, target_source = programme_target(series, "pct_ntm", 2025)
    ax2.hlines(target, pd.Timestamp("2021-01-01"), pd.Timestamp("2026-01-01"),
               color=COLORS["ntm"], ls="--", lw=0.8)
    ax2.text(pd.Timestamp("2021-01-15"), target + 3,
             f"mục tiêu 2021–2025: ≥ {target:g}% xã\n(2025 target, {target_source})",
             fontsize=6.5, color=COLORS["ntm"], va="bottom")
    ax2.set_title("Tỷ lệ xã đạt chuẩn (% of communes), as published")
    ax2.set_ylabel("% số xã")
    ax2.set_ylim(0, 100)
    ax2.legend(handles=[Line2D([], [], color=COLORS["ntm"], marker="o", label="% đạt chuẩn NTM"),
                        Line2D([], [], color=COLORS["advanced"], marker="o", label="% NTM nâng cao"),
                        Line2D([], [], color=COLORS["model"], marker="o", label="% NTM kiểu mẫu"),
                        Line2D([], [], ls="", marker="D", mfc="white", color="#444444",
                               label="target for that year (mục tiêu)")],
               loc="lower center", fontsize=6.5)
    for ax in (ax1, ax2):
        ax.set_xlim(pd.Timestamp("2014-01-01"), pd.Timestamp("2026-01-01"))
    fig.suptitle("Nông thôn mới, cả nước 2014–2025: số liệu công bố", fontsize=12, fontweight="bold")
    fig.tight_layout()
    figures.add_source(fig, SOURCE_LINE, "2025-06")
    return fig


def plot_districts(series: pd.DataFrame) -> Figure:
    """District-level units recognised (with the published totals) and provinces."""
    figures.use_style()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.4))
    _points(ax1, _actual(series, "district_units_ntm"), COLORS["district"])
    totals = _actual(series, "district_units_total").sort_values("date")
    lines = [f"{int(r['value'])}{' (?)' if r['caveat'] == 'DOUBTFUL' else ''}: {r['as_of']} "
             f"({source_label(r)})" for _, r in totals.iterrows()]
    ax1.text(0.98, 0.04, "Tổng số đơn vị cấp huyện trong báo cáo\n(total district units reported):\n"
             + "\n".join(lines), transform=ax1.transAxes, ha="right", va="bottom", fontsize=6,
             color=COLORS["grey"])
    tgt = series[(series["modality"] == "target") & (series["measure"] == "district_units_ntm")]
    ax1.scatter(tgt["date"], tgt["value"], marker="D", s=26, facecolor="white",
                edgecolor=COLORS["district"], zorder=3)
    ax1.set_title("Đơn vị cấp huyện đạt chuẩn / hoàn thành nhiệm vụ")
    ax1.set_ylabel("số đơn vị cấp huyện (district-level units)")
    _marker_legend(ax1, [("district units recognised", COLORS["district"])],
                   extra=[Line2D([], [], ls="", marker="D", mfc="white", color=COLORS["district"],
                                 label="target for that year (mục tiêu)")])
    for measure, color in [("provinces_with_district_units", COLORS["district"]),
                           ("provinces_100pct_communes", COLORS["ntm"]),
                           ("provinces_completed", COLORS["model"])]:
        _points(ax2, _actual(series, measure), color, label_offset=3)
    ax2.set_title("Cấp tỉnh (provinces)")
    ax2.set_ylabel("số tỉnh, thành phố")
    ax2.set_ylim(0, 64)
    ax2.legend(handles=[Line2D([], [], color=COLORS["district"], marker="o",
                               label="provinces with ≥1 recognised district unit"),
                        Line2D([], [], color=COLORS["ntm"], marker="o",
                               label="provinces with 100% of communes NTM"),
                        Line2D([], [], color=COLORS["model"], marker="o",
                               label="provinces recognised as completed")],
               loc="upper left", fontsize=6.5)
    for ax in (ax1, ax2):
        ax.set_xlim(pd.Timestamp("2014-01-01"), pd.Timestamp("2026-01-01"))
    fig.suptitle("Nông thôn mới: cấp huyện và cấp tỉnh, số liệu công bố 2015–2025",
                 fontsize=12, fontweight="bold")
    fig.tight_layout()
    figures.add_source(fig, SOURCE_LINE, "2025-06")
    return fig


def plot_vs_extracted(series: pd.DataFrame, extracted: pd.DataFrame, source_note: str) -> Figure:
    """Published counts (open grey) with the extractor's values of the same reports overlaid."""
    figures.use_style()
    panels = [("communes_ntm", "xã đạt chuẩn NTM", "ntm"),
              ("communes_advanced", "xã NTM nâng cao", "advanced"),
              ("communes_model", "xã NTM kiểu mẫu", "model"),
              ("district_units_ntm", "đơn vị cấp huyện đạt chuẩn", "district")]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, (measure, title, key) in zip(axes.flat, panels, strict=True):
        pub = _actual(series, measure).sort_values("date")
        ax.plot(pub["date"], pub["value"], color=COLORS["grey"], lw=0.8, alpha=0.5)
        ax.scatter(pub["date"], pub["value"], s=30, facecolor="white", edgecolor=COLORS["grey"],
                   zorder=2)
        got = extracted[(extracted["measure"] == measure) & (extracted["modality"] == "actual")]
        dated = got[got["date"].notna()]
        ax.scatter(dated["date"], dated["value"], marker="x", s=30, color=COLORS[key], zorder=3)
        for _, row in dated.iterrows():
            match = pub[(pub["doc_id"] == row["doc_id"]) & (pub["value"] == row["value"])]
            if match.empty:
                ax.scatter(row["date"], row["value"], s=90, facecolor="none",
                           edgecolor=COLORS["flag"], zorder=4)
            ax.annotate(row["doc_id"], (row["date"], row["value"]), xytext=(3, -8),
                        textcoords="offset points", fontsize=5, color=COLORS[key])
        ax.set_title(title)
        ax.set_xlim(pd.Timestamp("2014-01-01"), pd.Timestamp("2026-01-01"))
        ax.set_ylim(bottom=0)
        undated = len(got) - len(dated)
        if undated:
            ax.text(0.02, 0.97, f"{undated} extracted value(s) without a date not drawn",
                    transform=ax.transAxes, ha="left", va="top", fontsize=6, color=COLORS["grey"])
    axes.flat[0].legend(handles=[
        Line2D([], [], ls="", marker="o", mfc="white", color=COLORS["grey"], label="published (reference table)"),
        Line2D([], [], ls="", marker="x", color="#333333", label="extracted by helpers.extract"),
        Line2D([], [], ls="", marker="o", mfc="none", ms=9, color=COLORS["flag"],
               label="extracted value not in the reference for that report"),
    ], loc="lower right", fontsize=6.5)
    fig.suptitle("Số liệu công bố và số liệu trích xuất (published vs extracted), cả nước",
                 fontsize=12, fontweight="bold")
    fig.tight_layout()
    figures.add_source(fig, f"{SOURCE_LINE}; extracted: {source_note}", "2025-06")
    return fig


def plot_provinces(series: pd.DataFrame) -> Figure:
    """One panel per province with a reported series: communes NTM (of total), nâng cao, kiểu mẫu,
    district units (right axis)."""
    figures.use_style()
    places = list(dict.fromkeys(series["place"]))
    fig, axes = plt.subplots(1, len(places), figsize=(3.8 * len(places), 3.8), squeeze=False)
    for ax, place in zip(axes.flat, places, strict=True):
        df = series[series["place"] == place]
        for measure, key in [("communes_ntm", "ntm"), ("communes_advanced", "advanced"),
                             ("communes_model", "model")]:
            _points(ax, _actual(df, measure), COLORS[key])
        totals = _actual(df, "communes_total")
        if not totals.empty:
            ax.axhline(totals["value"].max(), color=COLORS["ntm"], ls=":", lw=0.8)
            ax.text(pd.Timestamp("2015-10-01"), totals["value"].max() * 1.02,
                    f"tổng số xã: {int(totals['value'].max())}", fontsize=6, color=COLORS["ntm"])
        full = _actual(df, "pct_ntm")
        full = full[full["value"] >= 100]
        if not full.empty and not totals.empty:
            ax.scatter(full["date"], [totals["value"].max()] * len(full), marker="*", s=40,
                       color=COLORS["ntm"], zorder=3)
        right = ax.twinx()
        _points(right, _actual(df, "district_units_ntm"), COLORS["district"], label_points=False)
        right.set_ylim(0, max(10, _actual(df, "district_units_ntm")["value"].max() + 2))
        right.set_ylabel("đơn vị cấp huyện (purple)", fontsize=7, color=COLORS["district"])
        right.grid(False)
        right.spines["right"].set_visible(True)
        ax.set_title(place)
        ax.set_ylim(0, (totals["value"].max() if not totals.empty else df["value"].max()) * 1.15)
        ax.set_ylabel("số xã")
        ax.set_xlim(pd.Timestamp("2015-07-01"), pd.Timestamp("2025-01-01"))
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        vague = df[df["date_basis"].isin(["undated", "approximate"])].drop_duplicates("article")
        if not vague.empty:
            text = "; ".join(f"{source_label(r)} → {r['as_of']}" for _, r in vague.iterrows())
            ax.text(0.02, 0.98, "undated page, placed by year: " + text, transform=ax.transAxes, fontsize=5.5,
                    va="top", color=COLORS["grey"], wrap=True)
    axes.flat[-1].legend(handles=[
        Line2D([], [], color=COLORS["ntm"], marker="o", label="xã đạt chuẩn NTM"),
        Line2D([], [], color=COLORS["advanced"], marker="o", label="xã NTM nâng cao"),
        Line2D([], [], color=COLORS["model"], marker="o", label="xã NTM kiểu mẫu"),
        Line2D([], [], color=COLORS["district"], marker="o", label="huyện đạt chuẩn (right axis)"),
        Line2D([], [], ls="", marker="*", color=COLORS["ntm"], label="report says 100% of communes"),
    ], loc="center right", fontsize=5.8)
    fig.suptitle("Các tỉnh có chuỗi số liệu trong tài liệu tham chiếu (provincial series)",
                 fontsize=11, fontweight="bold")
    fig.tight_layout()
    figures.add_source(fig, "provincial reports (addresses per point in data/reference/province_series.csv)",
                       "2024")
    return fig
