"""Report-ready maps of the district panel: static choropleths and one offline HTML map.

Every static map is drawn in ``boundaries.MAP_CRS`` (EPSG:3405, metres) with a legend that
names its units, a scale bar, a north arrow, the source and data date, missing data hatched
and explained (including districts whose boundaries are approximate or missing:
``boundaries.missing_note``), and — on national maps — insets for the Hoàng Sa and Trường Sa
archipelagos. Labels are Vietnamese with diacritics (English in the legend's second line).

Classification defaults (``classify``): statuses and periods are categories with fixed
colours; shares use fixed 20 % steps (comparable across maps); counts use Fisher–Jenks
(deterministic) with at most ``k`` classes, or one class per value when there are few values.

``interactive_map`` writes one self-contained HTML file: Leaflet's JavaScript and CSS are
inlined from the ``xstatic-leaflet`` package (Leaflet 1.9.3, the version folium targets), no
``<script src>`` or stylesheet link points to the network; no base tiles are loaded.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from dataclasses import dataclass, field
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import geopandas as gpd
import mapclassify
import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers import boundaries, figures

__all__ = [
    "DEFAULT_SOURCE",
    "Classes",
    "NationalFrame",
    "category_map",
    "choropleth",
    "classify",
    "column_info",
    "interactive_map",
    "national_frame",
    "province_2025_choropleth",
    "provinces_2025_map",
    "recognition_period",
    "small_multiples",
]

DEFAULT_SOURCE = ("NTM Atlas: báo cáo tiến độ NTM đã trích xuất + bảng công nhận cấp huyện "
                  "(data/reference); ranh giới dvhcvn (GPL-3.0), vietnamese-provinces-database "
                  "(MIT)")
COVERAGE_NOTE = (
    "Trạng thái huyện: bảng công nhận (khoảng 3/4 trong số khoảng 329 đơn vị cấp huyện đạt "
    "chuẩn đến 6/2025) và các báo cáo đã trích xuất; 'không có số liệu' không có nghĩa là chưa "
    "đạt. District status from the recognitions table (about three quarters of the about 329 "
    "units recognised by 6/2025) and extracted reports; 'no data' does not mean 'not "
    "recognised'."
)
ARCHIPELAGO_DISTRICTS = {"498": "Hoàng Sa", "576": "Trường Sa"}
NA_COLOR = "#f2f2f2"
URBAN_COLOR = "#d4d4d4"
EDGE = "#ffffff"
STATUS_COLORS = {
    "recognised": "#2f7d4a",
    "lost": "#d6604d",
    "not_recognised": "#f3e3b3",
}
STATUS_LABELS = {
    "recognised": "Đã đạt chuẩn / recognised",
    "lost": "Mất chuẩn / status lost",
    "not_recognised": "Chưa đạt / not yet",
}
STANDARD_LABELS = {
    "ntm": ("NTM", "New Rural Area"),
    "ntm_advanced": ("NTM nâng cao", "advanced NTM"),
    "ntm_model": ("NTM kiểu mẫu", "model NTM"),
}
PERIODS = [(2010, 2015), (2016, 2018), (2019, 2020), (2021, 2022), (2023, 2025)]
PERIOD_COLORS = ["#00441b", "#1b7837", "#5aae61", "#a6dba0", "#d9f0d3"]
YEAR_UNKNOWN_COLOR = "#9e9ac8"
OLD_DISTRICT_COLOR = "#eeeeea"
HIGHLIGHT_COLOR = "#c0001a"


# --------------------------------------------------------------------------- columns
@dataclass(frozen=True)
class ColumnInfo:
    """What a panel column means on a map: label (vi / en), unit, kind."""

    label_vi: str
    label_en: str
    unit: str
    kind: str  # status | period | share | count


def column_info(column: str) -> ColumnInfo:
    """Describe a panel column (``ntm_status``, ``ntm_communes_share``, ``ntm_period`` …)."""
    m = re.match(r"(ntm_advanced|ntm_model|ntm)_(.+)$", column)
    std, rest = (m.group(1), m.group(2)) if m else ("ntm", column)
    vi, en = STANDARD_LABELS[std]
    if rest == "status":
        return ColumnInfo(f"Huyện đạt chuẩn {vi}", f"district status, {en}", "", "status")
    if rest == "period":
        return ColumnInfo(f"Năm huyện đạt chuẩn {vi}", f"year recognised, {en}", "năm / year",
                          "period")
    if rest == "communes_share":
        return ColumnInfo(f"Tỷ lệ xã đạt chuẩn {vi}", f"share of communes meeting {en}",
                          "% số xã / % of communes", "share")
    if rest == "districts_share":
        return ColumnInfo(f"Tỷ lệ huyện đạt chuẩn {vi}", f"share of districts, {en}",
                          "% số huyện / % of districts", "share")
    if rest in ("communes_met", "communes_named"):
        extra = " (nêu tên)" if rest == "communes_named" else ""
        return ColumnInfo(f"Số xã đạt chuẩn {vi}{extra}", f"communes meeting {en}",
                          "xã / communes", "count")
    if rest == "criteria_met":
        return ColumnInfo(f"Tiêu chí huyện {vi} đã đạt", f"district criteria met, {en}",
                          "tiêu chí / criteria", "count")
    if column == "n_records":
        return ColumnInfo("Số số liệu tiến độ trích xuất", "extracted progress records",
                          "bản ghi / records", "count")
    if rest.endswith("share"):
        return ColumnInfo(column, column, "%", "share")
    return ColumnInfo(column, column, "", "count")


def recognition_period(panel: pd.DataFrame, standard: str = "ntm") -> pd.Series:
    """Per row, when the district's recognition in force began, as a period label
    (``2016–2018`` …), ``year unknown`` (recognised by mid-2025, year not known), ``lost``,
    ``not_recognised`` or ``<NA>`` (no information). Use as column ``<standard>_period``."""
    status = panel[f"{standard}_status"].astype("string")
    since = panel[f"{standard}_since"].astype("Int64")
    basis = panel[f"{standard}_year_basis"].astype("string")
    out = pd.Series(pd.NA, index=panel.index, dtype="string")
    rec = status == "recognised"
    for lo, hi in PERIODS:
        hit = rec & (since >= lo) & (since <= hi) & (basis != "by_mid_2025")
        out[hit.fillna(False)] = _period_label(lo, hi)
    out[(rec & (basis == "by_mid_2025")).fillna(False)] = "year_unknown"
    out[(status == "lost").fillna(False)] = "lost"
    out[(status == "not_recognised").fillna(False)] = "not_recognised"
    return out


def _period_label(lo: int, hi: int) -> str:
    return f"≤ {hi}" if lo <= 2010 else f"{lo}–{hi}"


# --------------------------------------------------------------------------- classes
@dataclass
class Classes:
    """A classification: one colour and one legend label per class, and each row's class."""

    labels: list[str]
    colors: list[str]
    codes: pd.Series  # class index per row, -1 for missing
    title: str
    counts: list[int] = field(default_factory=list)


def _cmap_colors(name: str, n: int, lo: float = 0.15, hi: float = 0.95) -> list[str]:
    cmap = plt.get_cmap(name)
    from matplotlib.colors import to_hex

    if n == 1:
        return [to_hex(cmap(hi))]
    return [to_hex(cmap(lo + (hi - lo) * i / (n - 1))) for i in range(n)]


def _fmt(x: float) -> str:
    return f"{x:,.0f}".replace(",", ".") if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def classify(values: pd.Series, column: str, *, scheme: str | None = None, k: int = 5,
             bins: list[float] | None = None, cmap: str | None = None) -> Classes:
    """Classify ``values`` for a map of ``column`` (see the module docstring for defaults).

    ``scheme`` is a mapclassify classifier name (``FisherJenks``, ``Quantiles``,
    ``EqualInterval``, ``UserDefined`` with ``bins`` …) for numeric columns."""
    info = column_info(column)
    title = info.label_vi + (f"\n{info.label_en}" if info.label_en != info.label_vi else "")
    if info.kind == "status":
        cats = list(STATUS_COLORS)
        v = values.astype("string")
        codes = v.map({c: i for i, c in enumerate(cats)}).astype("Int64").fillna(-1).astype(int)
        return Classes([STATUS_LABELS[c] for c in cats], [STATUS_COLORS[c] for c in cats],
                       codes, title)
    if info.kind == "period":
        cats = [_period_label(lo, hi) for lo, hi in PERIODS] + ["year_unknown", "lost",
                                                                  "not_recognised"]
        labels = [_period_label(lo, hi) for lo, hi in PERIODS] + [
            "Đã đạt, chưa rõ năm / recognised, year unknown", STATUS_LABELS["lost"],
            STATUS_LABELS["not_recognised"]]
        colors = [*PERIOD_COLORS, YEAR_UNKNOWN_COLOR, STATUS_COLORS["lost"],
                  STATUS_COLORS["not_recognised"]]
        v = values.astype("string")
        codes = v.map({c: i for i, c in enumerate(cats)}).astype("Int64").fillna(-1).astype(int)
        return Classes(labels, colors, codes, title)
    x = pd.to_numeric(values, errors="coerce").astype("Float64")
    valid = x.dropna().astype(float)
    codes = pd.Series(-1, index=values.index, dtype=int)
    if valid.empty:
        return Classes([], [], codes, title)
    if info.kind == "share" and scheme is None:
        scheme, bins = "UserDefined", bins or [0.2, 0.4, 0.6, 0.8, 1.0]
    few = False
    if scheme is None:
        uniq = np.unique(valid.to_numpy())
        if len(uniq) <= k:
            scheme, bins, few = "UserDefined", [float(u) for u in uniq], True
        else:
            scheme = "FisherJenks"
    if scheme == "UserDefined":
        used = list(bins or [])
        if used and valid.max() > used[-1]:
            used.append(float(valid.max()))
        classifier = mapclassify.UserDefined(valid.to_numpy(), bins=used)
    else:
        with warnings.catch_warnings():  # "Numba not installed": the pure-Python path is fine
            warnings.simplefilter("ignore", UserWarning)
            classifier = getattr(mapclassify, scheme)(valid.to_numpy(),
                                                      k=min(k, valid.nunique()))
    codes.loc[valid.index] = classifier.yb.astype(int)
    edges = [float(b) for b in classifier.bins]
    labels = []
    lower = float(valid.min())
    integer = bool(np.all(np.mod(valid.to_numpy(), 1) == 0))
    for i, hi in enumerate(edges):
        if info.kind == "share":
            lo_s = 0 if i == 0 else round(edges[i - 1] * 100)
            labels.append(f"{lo_s}–{round(hi * 100)} %")
            continue
        lo = lower if i == 0 else edges[i - 1]
        if few:
            labels.append(_fmt(hi))
        elif integer:
            lo = lower if i == 0 else np.floor(edges[i - 1]) + 1
            hi = np.floor(hi)
            labels.append(_fmt(hi) if lo >= hi else f"{_fmt(lo)}–{_fmt(hi)}")
        else:
            labels.append(_fmt(hi) if lo == hi else
                          f"{_fmt(lo)}–{_fmt(hi)}" if i == 0 else f"> {_fmt(lo)}–{_fmt(hi)}")
    colors = _cmap_colors(cmap or "YlGn", len(edges))
    unit = f" ({info.unit})" if info.unit else ""
    return Classes(labels, colors, codes, title + unit)


# --------------------------------------------------------------------------- frames
_STYLED = False


def _style() -> None:
    """Apply the house style once per process (re-applying it resets the font caches)."""
    global _STYLED
    if not _STYLED:
        figures.use_style()
        _STYLED = True


def _union(geoms) -> object:
    """Union of district polygons: fast coverage union (districts form a coverage), with the
    general union as fallback."""
    import shapely

    arr = np.asarray(list(geoms), dtype=object)
    try:
        return shapely.coverage_union_all(arr)
    except Exception:  # not a valid coverage: general (slower) union
        return shapely.union_all(arr)


@cache
def _projected_layer(name: str) -> gpd.GeoDataFrame:
    layer = getattr(boundaries, name)()
    return boundaries.to_map_crs(layer)


def _layer(name: str) -> gpd.GeoDataFrame:
    """A boundary layer in MAP_CRS (cached per process; a copy, safe to modify)."""
    return _projected_layer(name).copy()


def _frame(panel: pd.DataFrame, column: str, year: int | None,
           region: str | None) -> tuple[gpd.GeoDataFrame, str]:
    """District polygons (MAP_CRS) joined to the panel's rows for ``year`` (or the panel as is
    when it has one row per district), restricted to ``region``; and the region's name."""
    rows = panel if year is None else panel[panel["year"] == year]
    if rows["district_code"].duplicated().any():
        raise ValueError("the panel has several rows per district: pass year=")
    if column.endswith("_period") and column not in rows.columns:
        rows = rows.assign(**{column: recognition_period(rows, column[: -len("_period")])})
    if column not in rows.columns:
        raise KeyError(f"column {column!r} is not in the panel")
    geo = _layer("districts")
    keep = ["district_code", column]
    m = re.match(r"(ntm_advanced|ntm_model|ntm)_(status|period)$", column)
    if m and f"{m.group(1)}_inferred" in rows.columns:
        rows = rows.assign(_inferred=rows[f"{m.group(1)}_inferred"].fillna(False).astype(bool)
                           & (rows[f"{m.group(1)}_status"] == "recognised"))
        keep.append("_inferred")
    gdf = geo.merge(rows[keep], on="district_code", how="left")
    if "_inferred" in gdf.columns:
        gdf["_inferred"] = gdf["_inferred"].fillna(False).astype(bool)
    name = "Việt Nam"
    if region is not None:
        codes, name = _region_provinces(region)
        gdf = gdf[gdf["province_code"].isin(codes)]
    return gdf.reset_index(drop=True), str(name)


def _paths(geoms) -> list:
    """Matplotlib paths for (multi)polygons: exterior and holes as one compound path each."""
    from matplotlib.path import Path as MPath

    out = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            out.append(MPath(np.zeros((1, 2))))
            continue
        parts = getattr(geom, "geoms", [geom])
        rings = []
        for poly in parts:
            if poly.geom_type != "Polygon":
                continue
            for ring in (poly.exterior, *poly.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                codes = np.full(len(xy), MPath.LINETO, dtype=np.uint8)
                codes[0], codes[-1] = MPath.MOVETO, MPath.CLOSEPOLY
                rings.append(MPath(xy, codes))
        out.append(MPath.make_compound_path(*rings) if rings else MPath(np.zeros((1, 2))))
    return out


def _add(ax, geoms, facecolor, edgecolor="none", linewidth=0.0, hatch=None, zorder=1,
         linestyle="solid"):
    """Add polygons as one PathCollection (no geopandas plotting: it redraws the figure)."""
    from matplotlib.collections import PathCollection

    coll = PathCollection(_paths(list(geoms)), facecolors=facecolor, edgecolors=edgecolor,
                          linewidths=linewidth, hatch=hatch, zorder=zorder,
                          linestyles=linestyle)
    coll.set_transform(ax.transData)
    ax.add_collection(coll, autolim=True)
    ax.autoscale_view()
    return coll


def _lines(ax, geoms, color, linewidth, zorder=3, linestyle="solid"):
    """Outlines of polygons (boundaries) as one collection."""
    return _add(ax, geoms, "none", color, linewidth, zorder=zorder, linestyle=linestyle)


def _region_provinces(region: str) -> tuple[set[str], str]:
    """Province codes and display name of ``region``: a province code (``"01"``) or one of the
    six socio-economic regions of ``gazetteer.provinces()`` (``"red_river_delta"``)."""
    from helpers import gazetteer

    provs = gazetteer.provinces()
    names = {"northern_midlands_mountains": "Trung du và miền núi phía Bắc",
             "red_river_delta": "Đồng bằng sông Hồng",
             "north_central_coast": "Bắc Trung Bộ và duyên hải miền Trung",
             "central_highlands": "Tây Nguyên", "southeast": "Đông Nam Bộ",
             "mekong_delta": "Đồng bằng sông Cửu Long"}
    if region in set(provs["region"]):
        return (set(provs.loc[provs["region"] == region, "province_code"]),
                names.get(region, region))
    code = str(region).zfill(2)
    if code in set(provs["province_code"]):
        return {code}, str(provs.set_index("province_code").loc[code, "province_name"])
    raise ValueError(f"unknown region {region!r}: a province code ('01') or one of "
                     f"{sorted(set(provs['region']))}")


def _draw(ax, gdf: gpd.GeoDataFrame, classes: Classes, *, urban_grey: bool,
          edge: str = EDGE) -> dict[str, int]:
    """Fill districts by class; missing values hatched (urban quận grey when ``urban_grey``).
    Returns counts of missing kinds for the legend."""
    codes = classes.codes.to_numpy()
    colors = np.array(classes.colors + [NA_COLOR], dtype=object)
    fill = colors[np.where(codes >= 0, codes, len(classes.colors))]
    missing = codes < 0
    urban = missing & (gdf["district_type"].astype("string").str.lower() == "quận").to_numpy()
    if urban_grey:
        fill = np.where(urban, URBAN_COLOR, fill)
    have = ~missing | (urban & urban_grey)
    if have.any():
        _add(ax, gdf.geometry[have], list(fill[have]), edge, 0.15, zorder=1)
    hatched = missing & ~(urban & urban_grey)
    if hatched.any():
        # one merged shape: hatching hundreds of paths separately is slow to render
        merged = _union(gdf.geometry[hatched])
        _add(ax, [merged], NA_COLOR, "#9a9a9a", 0.1, hatch="/////", zorder=1)
        _add(ax, gdf.geometry[hatched], "none", EDGE, 0.15, zorder=1.5)
    source = gdf["geometry_source"].astype("string").fillna("missing")
    nogeom = ((source == "missing") | gdf.geometry.is_empty).to_numpy()
    approx = ((source != "dvhcvn") & ~pd.Series(nogeom, index=gdf.index)).to_numpy()
    if approx.any():
        _lines(ax, gdf.geometry[approx], "#555555", 0.35, zorder=3.5, linestyle=(0, (2, 1)))
    inferred = gdf["_inferred"].to_numpy() if "_inferred" in gdf.columns else np.zeros(len(gdf),
                                                                                         bool)
    if inferred.any():
        _add(ax, [_union(gdf.geometry[inferred])], "none", "#ffffff", 0.0, hatch="....",
             zorder=2)
    classes.counts = [int((codes == i).sum()) for i in range(len(classes.colors))]
    return {"missing": int(hatched.sum()), "urban": int((urban & urban_grey).sum()),
            "approx": int(approx.sum()), "inferred": int(inferred.sum()),
            "nogeom": int(nogeom.sum())}


def _legend(ax, classes: Classes, counts: dict[str, int], *, loc: str, anchor=None,
            approx_label: bool = True, fontsize: float = 7, extra: list | None = None) -> None:
    handles = [Patch(facecolor=c, edgecolor="#999999", linewidth=0.3, label=f"{lab} ({n})")
               for c, lab, n in zip(classes.colors, classes.labels, classes.counts, strict=True)]
    if counts.get("urban"):
        handles.append(Patch(facecolor=URBAN_COLOR, edgecolor="#999999", linewidth=0.3,
                             label=f"Quận nội thành (ngoài chương trình) / urban district "
                                   f"({counts['urban']})"))
    if counts.get("missing"):
        handles.append(Patch(facecolor=NA_COLOR, edgecolor="#9a9a9a", hatch="/////",
                             linewidth=0.3, label=f"Không có số liệu / no data "
                                                  f"({counts['missing']})"))
    if counts.get("inferred"):
        handles.append(Patch(facecolor=STATUS_COLORS["recognised"], edgecolor="#ffffff",
                             hatch="....", linewidth=0.0,
                             label="Suy ra từ thông tin cấp tỉnh / inferred from a province-wide "
                                   f"statement ({counts['inferred']})"))
    if counts.get("nogeom"):
        handles.append(Patch(facecolor="none", edgecolor="none",
                             label=f"Không có ranh giới, không vẽ được / no boundary "
                                   f"({counts['nogeom']})"))
    if counts.get("approx") and approx_label:
        handles.append(Patch(facecolor="none", edgecolor="#555555", linestyle="--",
                             linewidth=0.8, label="Ranh giới gần đúng / approximate boundary "
                                                  f"({counts['approx']})"))
    handles += extra or []
    kw = {"bbox_to_anchor": anchor} if anchor is not None else {}
    leg = ax.legend(handles=handles, title=classes.title, loc=loc, fontsize=fontsize,
                    title_fontsize=fontsize + 0.5, frameon=True, framealpha=0.92,
                    edgecolor="#cccccc", alignment="left", **kw)
    leg.get_frame().set_linewidth(0.4)


def _north_arrow(ax, xy=(0.93, 0.93), length: float = 0.07) -> None:
    """An arrow pointing north (the map CRS's grid north) with "N" above it."""
    x, y = xy
    ax.annotate("", xy=(x, y - 0.025), xytext=(x, y - 0.025 - length),
                xycoords="axes fraction",
                arrowprops={"arrowstyle": "-|>,head_width=0.3,head_length=0.6",
                            "color": "#222222", "lw": 1.1})
    ax.text(x, y, "N", transform=ax.transAxes, ha="center", va="top", fontsize=8,
            fontweight="bold", color="#222222")


def _scale_bar(ax, location: str = "lower right", fraction: float = 0.22,
               size: float = 6.5) -> None:
    """A scale bar in metres (MAP_CRS is metric; exact on UTM 48N's central meridian)."""
    from matplotlib_scalebar.scalebar import ScaleBar

    ax.add_artist(ScaleBar(1, units="m", location=location, length_fraction=fraction,
                           box_alpha=0.0, font_properties={"size": size}, scale_loc="top",
                           border_pad=0.8))


def _province_lines(ax, codes: set[str] | None = None, lw: float = 0.45) -> None:
    prov = _layer("provinces")
    if codes is not None:
        prov = prov[prov["province_code"].isin(codes)]
    _lines(ax, prov.geometry, "#4d4d4d", lw, zorder=3)


def _free_corner(ax, gdf: gpd.GeoDataFrame, avoid: str | None = None) -> str:
    """The corner of the map (``lower left`` …) whose box overlaps the districts least."""
    from shapely.geometry import box

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    w, h = (x1 - x0) * 0.3, (y1 - y0) * 0.14
    boxes = {"lower left": box(x0, y0, x0 + w, y0 + h),
             "lower right": box(x1 - w, y0, x1, y0 + h),
             "upper left": box(x0, y1 - h, x0 + w, y1),
             "upper right": box(x1 - w, y1 - h, x1, y1)}
    shape = gdf.geometry.union_all()
    scores = {k: shape.intersection(b).area for k, b in boxes.items() if k != avoid}
    return min(scores, key=lambda k: (scores[k], k))


def _setup_ax(ax) -> None:
    ax.set_axis_off()
    ax.set_aspect("equal")


# Inset boxes for the Hoàng Sa and Trường Sa archipelagos: figure fractions on a standalone
# national map, axes fractions on a small-multiple panel.
NATIONAL_INSETS = ((0.64, 0.72, 0.28, 0.17), (0.60, 0.50, 0.36, 0.19))
PANEL_INSETS = ((0.70, 0.60, 0.28, 0.11), (0.64, 0.38, 0.36, 0.15))


@dataclass
class NationalFrame:
    """The axes of a national map: the mainland ``ax`` (MAP_CRS, limits set), the
    ``legend_ax`` beside it (``None`` on a small-multiple panel), one inset axes per
    archipelago, and the mainland box ``(x0, y0, x1, y1)`` in metres."""

    fig: Figure
    ax: Axes
    legend_ax: Axes | None
    insets: dict[str, Axes]
    mainland_box: tuple[float, float, float, float]


def national_frame(ax: Axes | None = None, *, districts: gpd.GeoDataFrame | None = None,
                   figsize: tuple[float, float] = (8.0, 9.0),
                   decorate: bool = True) -> NationalFrame:
    """The one national map frame of the project: mainland axes framed on the districts
    without the two offshore ones, insets for Hoàng Sa and Trường Sa, scale bar and north
    arrow (``decorate``). With ``ax`` (a small-multiple panel) the frame is drawn in it, widened
    eastward to hold the insets; without, a new figure with a legend axes on the right.
    ``districts`` (any CRS) sets the extent; default: the boundary layer."""
    mainland = _layer("districts") if districts is None else boundaries.to_map_crs(districts)
    mainland = mainland[~mainland["district_code"].isin(ARCHIPELAGO_DISTRICTS)
                        & ~mainland.geometry.is_empty]
    xmin, ymin, xmax, ymax = (float(v) for v in mainland.total_bounds)
    dx, dy = xmax - xmin, ymax - ymin
    standalone = ax is None
    if standalone:
        fig = plt.figure(figsize=figsize)
        ax = fig.add_axes((0.0, 0.09, 0.58, 0.83))
        legend_ax = fig.add_axes((0.57, 0.09, 0.42, 0.38))
        legend_ax.set_axis_off()
        box = (xmin - dx * 0.03, ymin - dy * 0.02, xmax + dx * 0.03, ymax + dy * 0.02)
        limits = box
    else:
        fig, legend_ax = ax.figure, None
        box = (xmin - 20_000, ymin - 20_000, xmax + 20_000, ymax + 20_000)
        limits = (box[0], box[1], xmax + dx * 0.75, box[3])
    _setup_ax(ax)
    ax.set_xlim(limits[0], limits[2])
    ax.set_ylim(limits[1], limits[3])
    insets = _inset_axes(fig, None if standalone else ax,
                         NATIONAL_INSETS if standalone else PANEL_INSETS,
                         fontsize=6 if standalone else 4.5)
    if decorate:
        _scale_bar(ax, "lower left")
        _north_arrow(ax, (0.93, 0.99) if standalone else (0.93, 0.93))
    return NationalFrame(fig, ax, legend_ax, insets, box)


def _archipelago_shapes() -> dict[str, gpd.GeoSeries]:
    """Each archipelago's geometry in MAP_CRS (the district polygon if the layer lacks it)."""
    arch = _layer("archipelagos")
    districts = _layer("districts")
    out = {}
    for code, name in ARCHIPELAGO_DISTRICTS.items():
        shape = arch.loc[arch["name"] == name, "geometry"]
        if shape.empty:
            shape = districts.loc[districts["district_code"] == code, "geometry"]
        out[name] = shape
    return out


def _inset_axes(fig: Figure, ax, boxes, fontsize: float = 6) -> dict[str, Axes]:
    """Empty inset axes (figure fractions, or fractions of ``ax``) framed on each archipelago."""
    out = {}
    for (name, shape), box in zip(_archipelago_shapes().items(), boxes, strict=True):
        iax = fig.add_axes(box) if ax is None else ax.inset_axes(list(box))
        iax.set_xticks([])
        iax.set_yticks([])
        iax.set_aspect("equal")
        xmin, ymin, xmax, ymax = shape.total_bounds
        padx, pady = (xmax - xmin) * 0.12 + 5000, (ymax - ymin) * 0.18 + 5000
        iax.set_xlim(xmin - padx, xmax + padx)
        iax.set_ylim(ymin - pady, ymax + pady)
        for s in iax.spines.values():
            s.set_edgecolor("#888888")
            s.set_linewidth(0.6)
            s.set_visible(True)
        iax.grid(False)
        iax.set_facecolor("#f4f8fb")
        iax.set_title(f"Quần đảo {name}", fontsize=fontsize, pad=2, fontweight="normal")
        if ax is None:
            _scale_bar(iax, "lower right", fraction=0.4, size=5)
        out[name] = iax
    return out


def _inset_colors(gdf: gpd.GeoDataFrame, classes: Classes) -> dict[str, str | None]:
    """The class colour of each archipelago district in ``gdf`` (``None``: no data)."""
    codes = classes.codes.to_numpy()
    out: dict[str, str | None] = {}
    for code, name in ARCHIPELAGO_DISTRICTS.items():
        row = np.flatnonzero((gdf["district_code"] == code).to_numpy())
        c = codes[row[0]] if len(row) else -1
        out[name] = classes.colors[c] if c >= 0 else None
    return out


def _fill_insets(frame: NationalFrame, colors: dict[str, str | None]) -> None:
    """Draw each archipelago in its inset, filled with its colour (hatched when ``None``)."""
    for name, shape in _archipelago_shapes().items():
        color = colors.get(name)
        _add(frame.insets[name], shape, color or NA_COLOR, "#333333", 0.6,
             hatch=None if color else "/////")


def _footnote(gdf: gpd.GeoDataFrame, extra: str = "") -> str:
    note = boundaries.missing_note(gdf)
    parts = [p for p in (extra, note) if p]
    return "\n".join(parts)


def _wrap(text: str, width: int = 150) -> str:
    import textwrap

    return "\n".join(textwrap.fill(p, width) for p in text.split("\n"))


def choropleth(
    panel: pd.DataFrame,
    column: str,
    year: int | None = None,
    region: str | None = None,
    *,
    scheme: str | None = None,
    k: int = 5,
    bins: list[float] | None = None,
    cmap: str | None = None,
    title: str | None = None,
    source: str = DEFAULT_SOURCE,
    data_date: str | None = None,
    note: str = "",
    labels: bool | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """A district choropleth of ``column`` in ``year``: national (``region=None``), one
    province (``region="01"``) or one socio-economic region (``region="red_river_delta"``).

    Columns: any panel column (statuses, counts, shares) or ``<standard>_period`` (computed by
    ``recognition_period``). Missing values are hatched; urban districts (quận) without a value
    are grey ("not in the programme") on status and period maps. Province maps label districts.
    """
    _style()
    gdf, name = _frame(panel, column, year, region)
    national = region is None
    main = gdf[~gdf["district_code"].isin(ARCHIPELAGO_DISTRICTS)] if national else gdf
    classes = classify(gdf[column], column, scheme=scheme, k=k, bins=bins, cmap=cmap)
    kind = column_info(column).kind
    urban_grey = kind in ("status", "period")
    if not note and urban_grey:
        note = COVERAGE_NOTE
    foot = _footnote(main, note)
    if national:
        frame = national_frame(figsize=figsize or (8.0, 9.0))
        fig, ax, leg_ax = frame.fig, frame.ax, frame.legend_ax
    else:
        fig = plt.figure(figsize=figsize or (7.0, 8.0))
        ax = fig.add_axes((0.02, 0.30, 0.96, 0.62))
        leg_ax = fig.add_axes((0.02, 0.07, 0.96, 0.22))
        leg_ax.set_axis_off()
        _setup_ax(ax)
    sub = Classes(classes.labels, classes.colors,
                  classes.codes.loc[main.index].reset_index(drop=True), classes.title)
    counts = _draw(ax, main.reset_index(drop=True), sub, urban_grey=urban_grey)
    # legend counts include the archipelago districts
    classes.counts = [int((classes.codes == i).sum()) for i in range(len(classes.colors))]
    counts["missing"] = int(((classes.codes < 0)
                             & ~((gdf["district_type"].str.lower() == "quận")
                                 & urban_grey)).sum())
    _province_lines(ax, None if national else set(gdf["province_code"]), 0.45 if national else 0.9)
    if national:
        _fill_insets(frame, _inset_colors(gdf, classes))
        _legend(leg_ax, classes, counts, loc="lower left", anchor=(0.0, 0.0))
    else:
        xmin, ymin, xmax, ymax = main.total_bounds
        dx, dy = xmax - xmin, ymax - ymin
        ax.set_xlim(xmin - dx * 0.03, xmax + dx * 0.03)
        ax.set_ylim(ymin - dy * 0.02, ymax + dy * 0.02)
        if labels is None or labels:
            _district_labels(ax, gdf)
        _legend(leg_ax, classes, counts, loc="upper center", anchor=(0.5, 1.0))
        corner = _free_corner(ax, main)
        _scale_bar(ax, corner)
        arrow = _free_corner(ax, main, avoid=corner)
        _north_arrow(ax, {"lower left": (0.04, 0.16), "lower right": (0.96, 0.16),
                          "upper left": (0.04, 0.99), "upper right": (0.96, 0.99)}[arrow])
    when = f" — {year}" if year is not None else ""
    fig.suptitle(title or f"{column_info(column).label_vi}{when}\n{name}", fontsize=11,
                 fontweight="bold", y=0.99)
    if foot:
        fig.text(0.01, 0.065, _wrap(foot, 185), fontsize=6, color="#555555", va="top")
    figures.add_source(fig, source, data_date)
    return fig


def category_map(
    data: pd.DataFrame,
    column: str,
    categories: Mapping[object, tuple[str, str]],
    *,
    title: str,
    legend_title: str = "",
    highlight: set[str] | None = None,
    highlight_label: str = "",
    note: str = "",
    source: str = DEFAULT_SOURCE,
    data_date: str | None = None,
) -> Figure:
    """A national district map of a categorical ``column`` of ``data`` (one row per
    ``district_code``), in the same frame as :func:`choropleth`.

    ``categories`` maps each value to ``(colour, legend label)`` in legend order; districts
    with another value or no row are hatched "no data" and counted. Districts whose code is in
    ``highlight`` get a red outline (``highlight_label`` in the legend). Rows are joined to the
    boundary layer on codes."""
    _style()
    rows = pd.DataFrame(data)[["district_code", column]]
    if rows["district_code"].duplicated().any():
        raise ValueError(f"category_map: several rows per district_code in {column!r}")
    gdf = _layer("districts").merge(rows, on="district_code", how="left")
    cats = list(categories)
    codes = (gdf[column].map({c: i for i, c in enumerate(cats)}).astype("Int64")
             .fillna(-1).astype(int))
    classes = Classes([categories[c][1] for c in cats], [categories[c][0] for c in cats],
                      codes, legend_title)
    frame = national_frame()
    fig, ax = frame.fig, frame.ax
    mask = ~gdf["district_code"].isin(ARCHIPELAGO_DISTRICTS)
    main = gdf[mask].reset_index(drop=True)
    counts = _draw(ax, main, Classes(classes.labels, classes.colors,
                                     codes[mask].reset_index(drop=True), legend_title),
                   urban_grey=False)
    classes.counts = [int((codes == i).sum()) for i in range(len(cats))]
    counts["missing"] = int((codes < 0).sum())
    _province_lines(ax)
    extra = [Patch(facecolor="none", edgecolor="#4d4d4d", linewidth=0.6,
                   label="Ranh giới tỉnh (63) / province border")]
    if highlight:
        hit = main[main["district_code"].isin(highlight)]
        _lines(ax, hit.geometry, HIGHLIGHT_COLOR, 0.9, zorder=4)
        extra.append(Patch(facecolor="none", edgecolor=HIGHLIGHT_COLOR, linewidth=0.9,
                           label=f"{highlight_label} ({len(hit)})"))
    _fill_insets(frame, _inset_colors(gdf, classes))
    _legend(frame.legend_ax, classes, counts, loc="lower left", anchor=(0.0, 0.0), extra=extra)
    fig.suptitle(title, fontsize=11, fontweight="bold", y=0.99)
    foot = _footnote(main, note)
    if foot:
        fig.text(0.01, 0.065, _wrap(foot, 185), fontsize=6, color="#555555", va="top")
    figures.add_source(fig, source, data_date)
    return fig


def _district_labels(ax, gdf: gpd.GeoDataFrame, size: float = 5.5) -> None:
    pts = gdf[~gdf.geometry.is_empty
              & (gdf["district_type"].astype("string").str.lower() != "quận")].copy()
    pts["geometry"] = pts.geometry.representative_point()
    for _, r in pts.iterrows():
        ax.annotate(r["district_name"], (r.geometry.x, r.geometry.y), ha="center", va="center",
                    fontsize=size, color="#1a1a1a",
                    path_effects=[pe.withStroke(linewidth=1.6, foreground="white")])


def small_multiples(
    panel: pd.DataFrame,
    column: str,
    years: list[int],
    region: str | None = None,
    *,
    ncols: int = 4,
    scheme: str | None = None,
    k: int = 5,
    bins: list[float] | None = None,
    title: str | None = None,
    source: str = DEFAULT_SOURCE,
    data_date: str | None = None,
) -> Figure:
    """The same map for several years on one figure, classified once over all the years shown
    (one shared scale and one legend)."""
    _style()
    years = list(years)
    frames = []
    region_name = "Việt Nam"
    for y in years:
        gdf, region_name = _frame(panel, column, y, region)
        gdf["_year"] = y
        frames.append(gdf)
    allv = pd.concat(frames, ignore_index=True)
    classes = classify(allv[column], column, scheme=scheme, k=k, bins=bins)
    kind = column_info(column).kind
    nrows = int(np.ceil(len(years) / ncols))
    national = region is None
    ncols = min(ncols, len(years))
    # fixed layout in inches: title band, map panels, legend band, footnote band
    panel_w, panel_h = (3.0, 4.1) if national else (2.6, 2.8)
    top_h, legend_h, foot_h = 0.55, 1.25, 0.55
    width = panel_w * ncols
    height = top_h + panel_h * nrows + legend_h + foot_h
    fig = plt.figure(figsize=(width, height))
    axes = np.empty((nrows, ncols), dtype=object)
    for r in range(nrows):
        for c in range(ncols):
            left = c * panel_w / width
            bottom = (foot_h + legend_h + (nrows - 1 - r) * panel_h) / height
            axes[r, c] = fig.add_axes((left + 0.005, bottom, panel_w / width - 0.01,
                                       (panel_h - 0.3) / height))
    totals = {"missing": 0, "urban": 0, "approx": 0}
    offset = 0
    for i, (ax, gdf) in enumerate(zip(axes.flat, frames, strict=False)):
        codes = classes.codes.iloc[offset: offset + len(gdf)].reset_index(drop=True)
        offset += len(gdf)
        if national:
            frame = national_frame(ax, decorate=i == 0)
            _fill_insets(frame, _inset_colors(gdf, Classes(classes.labels, classes.colors,
                                                           codes, classes.title)))
        else:
            _setup_ax(ax)
            if i == 0:
                _scale_bar(ax, "lower left")
                _north_arrow(ax)
        main_mask = (~gdf["district_code"].isin(ARCHIPELAGO_DISTRICTS)) if national else \
            pd.Series(True, index=gdf.index)
        main = gdf[main_mask].reset_index(drop=True)
        sub = Classes(classes.labels, classes.colors,
                      codes[main_mask.to_numpy()].reset_index(drop=True), classes.title)
        c = _draw(ax, main, sub, urban_grey=kind in ("status", "period"))
        if i == len(frames) - 1:
            totals = c
        _province_lines(ax, None if national else set(gdf["province_code"]), 0.2)
        ax.set_title(str(gdf["_year"].iloc[0]), fontsize=10)
    for ax in list(axes.flat)[len(frames):]:
        ax.set_axis_off()
    classes.counts = [int((classes.codes.iloc[-len(frames[-1]):] == j).sum())
                      for j in range(len(classes.colors))]
    classes.title = classes.title + f"\n(số huyện năm {years[-1]} / districts in {years[-1]})"
    foot = _footnote(frames[-1], COVERAGE_NOTE if kind in ("status", "period") else "")
    fig.legend(handles=_legend_handles(classes, totals), loc="upper center",
               ncols=min(3, len(classes.labels) + 2), fontsize=7, title=classes.title,
               title_fontsize=7.5, frameon=False,
               bbox_to_anchor=(0.5, (foot_h + legend_h) / height))
    fig.suptitle(title or f"{column_info(column).label_vi}, {years[0]}–{years[-1]} — "
                          f"{region_name}", fontsize=11, fontweight="bold",
                 y=1 - 0.12 / height)
    if foot:
        fig.text(0.01, (foot_h - 0.02) / height, _wrap(foot, int(28 * width)), fontsize=6,
                 color="#555555", va="top")
    figures.add_source(fig, source, data_date)
    return fig


def _legend_handles(classes: Classes, counts: dict[str, int]) -> list[Patch]:
    handles = [Patch(facecolor=c, edgecolor="#999999", linewidth=0.3, label=f"{lab} ({n})")
               for c, lab, n in zip(classes.colors, classes.labels, classes.counts, strict=True)]
    if counts.get("urban"):
        handles.append(Patch(facecolor=URBAN_COLOR, edgecolor="#999999", linewidth=0.3,
                             label=f"Quận nội thành / urban district ({counts['urban']})"))
    handles.append(Patch(facecolor=NA_COLOR, edgecolor="#9a9a9a", hatch="/////", linewidth=0.3,
                         label=f"Không có số liệu / no data ({counts.get('missing', 0)})"))
    if counts.get("inferred"):
        handles.append(Patch(facecolor=STATUS_COLORS["recognised"], edgecolor="#ffffff",
                             hatch="....", linewidth=0.0,
                             label=f"Suy ra / inferred ({counts['inferred']})"))
    if counts.get("approx"):
        handles.append(Patch(facecolor="none", edgecolor="#555555", linestyle="--",
                             linewidth=0.8, label="Ranh giới gần đúng / approximate boundary"))
    return handles


def provinces_2025_map(
    panel: pd.DataFrame | None = None,
    column: str | None = None,
    year: int | None = None,
    *,
    source: str = DEFAULT_SOURCE,
    data_date: str | None = None,
) -> Figure:
    """The 34 provinces of 1 July 2025 drawn over the 705 old districts (filled by ``column``
    in ``year`` when given, else plain), with the new provinces' names."""
    _style()
    if panel is not None and column is not None:
        fig = choropleth(panel, column, year, source=source, data_date=data_date,
                         title=f"34 tỉnh, thành phố từ 1/7/2025 trên nền 705 huyện cũ\n"
                               f"{column_info(column).label_vi}, {year}")
        ax, leg_ax = fig.axes[0], fig.axes[1]
        old = leg_ax.get_legend()
        handles = [*old.legend_handles,
                   Patch(facecolor="none", edgecolor="#7a1f2b", linewidth=1.4,
                         label="Tỉnh, thành phố từ 1/7/2025 (34) / province (2025)")]
        labels = [t.get_text() for t in old.get_texts()] + [handles[-1].get_label()]
        title = old.get_title().get_text()
        old.remove()
        leg = leg_ax.legend(handles=handles, labels=labels, title=title, loc="lower left",
                            bbox_to_anchor=(0.0, 0.0), fontsize=7, title_fontsize=7.5,
                            frameon=True, framealpha=0.92, edgecolor="#cccccc",
                            alignment="left")
        leg.get_frame().set_linewidth(0.4)
    else:
        frame = national_frame()
        fig, ax, leg_ax = frame.fig, frame.ax, frame.legend_ax
        gdf = _layer("districts")
        main = gdf[~gdf["district_code"].isin(ARCHIPELAGO_DISTRICTS)].reset_index(drop=True)
        plain = Classes(["Huyện (danh mục 10/2022) / district (2022)"], [OLD_DISTRICT_COLOR],
                        pd.Series(0, index=main.index), "")
        counts = _draw(ax, main, plain, urban_grey=False, edge="#9c9c9c")
        plain.counts = [len(gdf)]
        _lines(ax, _layer("provinces").geometry, "#555555", 0.35, zorder=3,
               linestyle=(0, (2, 1.5)))
        _fill_insets(frame, dict.fromkeys(ARCHIPELAGO_DISTRICTS.values(), OLD_DISTRICT_COLOR))
        _legend(leg_ax, plain, counts, loc="lower left", anchor=(0.0, 0.0), extra=[
            Patch(facecolor="none", edgecolor="#555555", linestyle=(0, (2, 1.5)),
                  linewidth=0.8, label="Tỉnh trước 1/7/2025 (63) / province (before 2025)"),
            Patch(facecolor="none", edgecolor="#7a1f2b", linewidth=1.4,
                  label="Tỉnh, thành phố từ 1/7/2025 (34) / province (2025)")])
        fig.suptitle("34 tỉnh, thành phố từ 1/7/2025 trên nền 705 huyện cũ\n"
                     "The 34 provinces of July 2025 over the 705 former districts",
                     fontsize=11, fontweight="bold", y=0.99)
        foot = boundaries.missing_note(main)
        if foot:
            fig.text(0.01, 0.065, _wrap(foot, 185), fontsize=6, color="#555555", va="top")
        figures.add_source(fig, "ranh giới dvhcvn (GPL-3.0), vietnamese-provinces-database (MIT)",
                           data_date or "2025-07")
    p25 = _layer("provinces_2025")
    mainland = _layer("districts")
    mainland = mainland[~mainland["district_code"].isin(ARCHIPELAGO_DISTRICTS)]
    p25["geometry"] = p25.geometry.clip_by_rect(*mainland.total_bounds)
    _lines(ax, p25.geometry, "#7a1f2b", 0.9, zorder=4)
    pts = p25.copy()
    pts["geometry"] = pts.geometry.representative_point()
    for _, r in pts.iterrows():
        ax.annotate(r["province_2025_name"], (r.geometry.x, r.geometry.y), ha="center",
                    va="center", fontsize=4.8, color="#7a1f2b", fontweight="bold",
                    path_effects=[pe.withStroke(linewidth=1.4, foreground="white")])
    return fig


def province_2025_choropleth(
    aggregated: pd.DataFrame,
    column: str,
    year: int,
    *,
    title: str | None = None,
    source: str = DEFAULT_SOURCE,
    data_date: str | None = None,
    note: str = "",
) -> Figure:
    """A choropleth of the 34 provinces of July 2025 from ``panel.aggregate_2025(panel)``
    (e.g. ``ntm_districts_share``: share of rural districts recognised)."""
    _style()
    rows = aggregated[aggregated["year"] == year][["province_2025_code", column]]
    gdf = _layer("provinces_2025").merge(rows, on="province_2025_code", how="left")
    gdf["district_type"] = ""
    gdf["geometry_source"] = "dvhcvn"
    classes = classify(gdf[column], column)
    frame = national_frame()
    fig, ax, leg_ax = frame.fig, frame.ax, frame.legend_ax
    clipped = gdf.copy()
    clipped["geometry"] = clipped.geometry.clip_by_rect(*frame.mainland_box)
    counts = _draw(ax, clipped, classes, urban_grey=False)
    counts["approx"] = 0
    _lines(ax, clipped.geometry, "#4d4d4d", 0.5, zorder=3)
    pts = clipped[~clipped.geometry.is_empty].copy()
    pts["geometry"] = pts.geometry.representative_point()
    for _, r in pts.iterrows():
        ax.annotate(r["province_2025_name"], (r.geometry.x, r.geometry.y), ha="center",
                    va="center", fontsize=4.8, color="#1a1a1a",
                    path_effects=[pe.withStroke(linewidth=1.4, foreground="white")])
    # archipelagos belong to Đà Nẵng (Hoàng Sa) and Khánh Hòa (Trường Sa) since 2025
    owner = {"Hoàng Sa": "48", "Trường Sa": "56"}
    colors: dict[str, str | None] = {}
    for name, code in owner.items():
        hit = np.flatnonzero((gdf["province_2025_code"] == code).to_numpy())
        c = int(classes.codes.iloc[hit[0]]) if len(hit) else -1
        colors[name] = classes.colors[c] if c >= 0 else None
    _fill_insets(frame, colors)
    _legend(leg_ax, classes, counts, loc="lower left", anchor=(0.0, 0.0))
    fig.suptitle(title or f"{column_info(column).label_vi} — {year}\n34 tỉnh, thành phố "
                          "(từ 1/7/2025)", fontsize=11, fontweight="bold", y=0.99)
    foot = note or ("Huyện cũ được tính cho tỉnh mới nhận phần lớn số xã của huyện; quận nội "
                    "thành không tính. Bảng công nhận chưa đầy đủ: tỷ lệ là mức tối thiểu. "
                    "Former districts count in the 2025 province that took most of their "
                    "communes; urban districts (quận) are left out. The recognitions table is "
                    "incomplete: shares are lower bounds.")
    fig.text(0.01, 0.065, _wrap(foot, 185), fontsize=6, color="#555555", va="top")
    figures.add_source(fig, source, data_date)
    return fig


# --------------------------------------------------------------------------- interactive
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet 1.9.3's JS and CSS from the ``xstatic-leaflet`` package (no network)."""
    try:
        import xstatic.pkg.leaflet as xl
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "interactive_map needs the PyPI package xstatic-leaflet (Leaflet's JS/CSS, "
            "inlined so the HTML works offline): pip install xstatic-leaflet==1.9.3.0"
        ) from exc
    base = Path(xl.BASE_DIR)
    return ((base / "leaflet.js").read_text(encoding="utf-8"),
            (base / "leaflet.css").read_text(encoding="utf-8"))


def interactive_map(
    panel: pd.DataFrame,
    column: str,
    year: int,
    path: Path | str,
    region: str | None = None,
    *,
    title: str | None = None,
    source: str = DEFAULT_SOURCE,
    tolerance_m: float = 300.0,
) -> Path:
    """Write one self-contained offline HTML map of ``column`` in ``year`` to ``path``.

    Districts are coloured like ``choropleth``; hovering shows the district, province,
    value and the source document; a legend (HTML) names the classes. Leaflet is inlined,
    so nothing is loaded from the network (no base tiles: the map stands on a plain
    background)."""
    import folium
    from branca.element import Element

    gdf, name = _frame(panel, column, year, region)
    classes = classify(gdf[column], column)
    kind = column_info(column).kind
    codes = classes.codes.to_numpy()
    colors = np.array(classes.colors + [NA_COLOR], dtype=object)
    gdf["fill"] = colors[np.where(codes >= 0, codes, len(classes.colors))]
    urban = (codes < 0) & (gdf["district_type"].str.lower() == "quận").to_numpy()
    if kind in ("status", "period"):
        gdf.loc[urban, "fill"] = URBAN_COLOR
    label_of = dict(enumerate(classes.labels))
    gdf["value"] = [label_of.get(int(c), "không có số liệu / no data") for c in codes]
    if kind in ("count", "share"):
        raw = pd.to_numeric(gdf[column], errors="coerce")
        gdf["value"] = [("không có số liệu / no data" if pd.isna(v) else
                         (f"{v * 100:.0f} %" if kind == "share" else _fmt(float(v))))
                        for v in raw]
    rows = panel[panel["year"] == year].set_index("district_code")
    doc_col = _provenance_column(column)
    gdf["source_doc"] = gdf["district_code"].map(rows[doc_col]).astype("string").fillna("—") \
        if doc_col in rows.columns else "—"
    gdf["district"] = gdf["district_type"] + " " + gdf["district_name"]
    gdf["geometry"] = gdf.geometry.simplify(tolerance_m)
    web = gdf.to_crs(4326)[["district_code", "district", "province_name", "value", "source_doc",
                            "fill", "geometry"]]
    web = web[~web.geometry.is_empty]
    xmin, ymin, xmax, ymax = web[~web["district_code"].isin(ARCHIPELAGO_DISTRICTS)].total_bounds
    m = folium.Map(location=[(ymin + ymax) / 2, (xmin + xmax) / 2], tiles=None,
                   zoom_control=True, control_scale=True, prefer_canvas=False)
    m.default_js = []
    m.default_css = []
    js, css = _leaflet_assets()
    m.get_root().header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css_inline")
    m.get_root().header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js_inline")
    m.get_root().header.add_child(Element(
        "<style>.leaflet-container{background:#eef3f7;font-family:'DejaVu Sans',sans-serif}"
        ".ntm-legend{position:absolute;bottom:64px;left:12px;z-index:1000;background:#fff;"
        "padding:8px 10px;border:1px solid #bbb;font-size:12px;line-height:1.5;max-width:330px}"
        ".ntm-legend i{display:inline-block;width:14px;height:11px;margin-right:6px;"
        "border:1px solid #999;vertical-align:middle}"
        ".ntm-title{position:absolute;top:10px;left:60px;z-index:1000;background:#fff;"
        "padding:4px 10px;border:1px solid #bbb;font-weight:bold;font-size:14px}</style>"),
        name="ntm_css")
    geojson = json.loads(web.to_json(drop_id=True))
    layer = folium.GeoJson(
        geojson, name="districts",
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#8a8a8a",
                                  "weight": 0.4, "fillOpacity": 0.9},
        highlight_function=lambda f: {"weight": 2, "color": "#222222"},
        tooltip=folium.GeoJsonTooltip(
            fields=["district", "province_name", "value", "source_doc"],
            aliases=["Huyện / district", "Tỉnh / province", column_info(column).label_vi,
                     "Nguồn / source"], sticky=True),
    )
    layer.add_to(m)
    m.fit_bounds([[ymin, xmin], [ymax, xmax]])
    items = "".join(f"<div><i style='background:{c}'></i>{html.escape(lab)}</div>"
                    for c, lab in zip(classes.colors, classes.labels, strict=True))
    if kind in ("status", "period") and urban.any():
        items += (f"<div><i style='background:{URBAN_COLOR}'></i>Quận nội thành / urban "
                  "district</div>")
    items += (f"<div><i style='background:{NA_COLOR}'></i>Không có số liệu / no data</div>")
    note = boundaries.missing_note(gdf)
    legend = (f"<div class='ntm-legend' id='ntm-legend'><b>{html.escape(classes.title)}</b>"
              f"{items}<div style='margin-top:4px;color:#555;font-size:10px'>"
              f"{html.escape(source)}{'<br>' + html.escape(note) if note else ''}</div></div>")
    head = title or f"{column_info(column).label_vi} — {year} — {name}"
    m.get_root().html.add_child(Element(
        f"<div class='ntm-title'>{html.escape(head)}</div>{legend}"))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = m.get_root().render()
    text = _strip_network_refs(text)
    out.write_text(_stable_ids(text), encoding="utf-8")
    return out


def _stable_ids(text: str) -> str:
    """Replace folium's random element ids (32 hex digits) by sequence numbers, in order of
    first appearance, so that the same map writes the same file."""
    seen: dict[str, str] = {}

    def number(m: re.Match) -> str:
        return seen.setdefault(m.group(0), f"{len(seen):032x}")

    return re.sub(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])", number, text)


def _provenance_column(column: str) -> str:
    m = re.match(r"(ntm_advanced|ntm_model|ntm)_(communes|criteria)_", column)
    if m:
        return f"{m.group(1)}_{m.group(2)}_doc_id"
    m = re.match(r"(ntm_advanced|ntm_model|ntm)_", column)
    return f"{m.group(1)}_doc_id" if m else "doc_id"


_NET_REF = re.compile(r"<(script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//[^>]*>"
                      r"(?:\s*</script>)?", re.IGNORECASE)


def _strip_network_refs(text: str) -> str:
    """Remove any remaining ``<script src=…>`` / ``<link href=…>`` that points to the network
    (folium adds none once its defaults are emptied; this is the guarantee)."""
    return _NET_REF.sub("", text)


def network_references(text: str) -> list[str]:
    """The ``<script src>`` / ``<link href>`` tags in an HTML text that load from the network."""
    return [m.group(0) for m in _NET_REF.finditer(text)]
