"""A national map frame for Việt Nam: mainland axes in MAP_CRS plus Hoàng Sa / Trường Sa insets.

Small drawing helpers shared by the reference maps (the full choropleth helper builds on
them). Layers are reprojected to :data:`helpers.boundaries.MAP_CRS` (EPSG:3405, metres) and
drawn once per axes; each inset shows one archipelago at its own scale, placed in the sea at
roughly its real direction from the mainland. Axis limits are set from the data, so nothing
here hard-codes coordinates.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers import boundaries

__all__ = [
    "NationalAxes",
    "district_category_map",
    "draw",
    "greedy_colors",
    "national_axes",
    "overlay_2025_map",
    "province_borders",
]

PALETTE = ["#8fb8de", "#f2b880", "#9fd39b", "#e8a0a8", "#c3b1e1", "#d9c89e", "#a8d8d8"]
EDGE = "#404040"

# Inset frames, as fractions of the main axes (x0, y0, width, height).
_INSETS = {
    "Hoàng Sa": (0.74, 0.52, 0.25, 0.16),
    "Trường Sa": (0.73, 0.02, 0.26, 0.17),
}


@dataclass
class NationalAxes:
    """The main (mainland) axes and one inset axes per archipelago."""

    fig: Figure
    main: Axes
    mainland_box: tuple[float, float, float, float]
    insets: dict[str, Axes] = field(default_factory=dict)

    def all(self) -> list[Axes]:
        return [self.main, *self.insets.values()]


def national_axes(
    districts: gpd.GeoDataFrame | None = None,
    archipelagos: gpd.GeoDataFrame | None = None,
    figsize: tuple[float, float] = (6.4, 9.0),
    ax: Axes | None = None,
) -> NationalAxes:
    """A figure (or an existing axes) framed on the mainland, with the two archipelago insets.

    The mainland extent is that of ``districts`` without the two offshore districts
    (:data:`helpers.boundaries.ARCHIPELAGO_DISTRICTS`), widened eastward to make room for the
    insets; inset extents come from ``archipelagos``.
    """
    if districts is None:
        districts = boundaries.districts()
    if archipelagos is None:
        archipelagos = boundaries.archipelagos()
    created = ax is None
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    mainland = districts[~districts["district_code"].isin(boundaries.ARCHIPELAGO_DISTRICTS)]
    mainland = boundaries.to_map_crs(mainland[~mainland.geometry.is_empty])
    x0, y0, x1, y1 = mainland.total_bounds
    pad = 0.02 * (y1 - y0)
    width = x1 - x0
    ax.set_xlim(x0 - pad, x1 + 0.35 * width)
    ax.set_ylim(y0 - pad, y1 + pad)
    if created:  # fit the figure to the map so no blank band is left
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.93)
        xr = 1.35 * width + pad
        yr = y1 - y0 + 2 * pad
        fig.set_size_inches(figsize[0], figsize[0] * 0.98 * yr / xr / 0.92)
    _bare(ax)
    out = NationalAxes(fig, ax, (x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    arch = boundaries.to_map_crs(archipelagos)
    offshore = districts[districts["district_code"].isin(boundaries.ARCHIPELAGO_DISTRICTS)]
    offshore = boundaries.to_map_crs(offshore[~offshore.geometry.is_empty])
    offshore_name = offshore["district_code"].map(boundaries.ARCHIPELAGO_DISTRICTS)
    for name, rect in _INSETS.items():
        rows = pd.concat([arch[arch["name"] == name].geometry,
                          offshore[offshore_name == name].geometry])
        if rows.empty:
            continue
        inset = ax.inset_axes(rect, zorder=10)
        inset.set_facecolor("white")
        bx0, by0, bx1, by1 = rows.total_bounds
        ipad = 0.08 * max(bx1 - bx0, by1 - by0)
        inset.set_xlim(bx0 - ipad, bx1 + ipad)
        inset.set_ylim(by0 - ipad, by1 + ipad)
        _bare(inset, frame=True)
        inset.set_title(f"Quần đảo {name}", fontsize=7, fontweight="normal", pad=2)
        out.insets[name] = inset
    return out


def _bare(ax: Axes, frame: bool = False) -> None:
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(frame)
        spine.set_color("#888888")
        spine.set_linewidth(0.6)


def draw(
    axes: NationalAxes,
    gdf: gpd.GeoDataFrame,
    insets: bool = True,
    color_column: str | None = None,
    **kwargs,
) -> None:
    """Plot ``gdf`` (any CRS) on the main axes and, if ``insets``, on each inset.

    Keyword arguments go to ``GeoDataFrame.plot``; ``color_column`` names a column of colours
    (one per row). Empty geometries are skipped; the main axes get the layer clipped to the
    mainland frame, the insets the rows reaching beyond it. Limits stay as
    :func:`national_axes` set them.
    """
    layer = boundaries.to_map_crs(gdf[~gdf.geometry.is_empty])
    # On the main axes, only what lies in the mainland frame (the islands go to the insets).
    main_layer = layer.clip_by_rect(*axes.mainland_box)
    main_layer = layer.set_geometry(main_layer)
    main_layer = main_layer[~main_layer.geometry.is_empty]
    targets = [(axes.main, main_layer)]
    if insets:  # insets show only what reaches beyond the mainland frame
        frame = shapely.box(*axes.mainland_box)
        offshore = layer[~layer.geometry.within(frame)]
        offshore = offshore.set_geometry(offshore.geometry.difference(frame))
        offshore = offshore[~offshore.geometry.is_empty]
        targets += [(ax, offshore) for ax in axes.insets.values()]
    for ax, data in targets:
        limits = ax.get_xlim(), ax.get_ylim()
        if not data.empty:
            extra = {"color": data[color_column].to_list()} if color_column else {}
            data.plot(ax=ax, **kwargs, **extra)
        ax.set_xlim(*limits[0])
        ax.set_ylim(*limits[1])
        ax.set_xlabel("")
        ax.set_ylabel("")


def province_borders(districts: gpd.GeoDataFrame, by: str = "province_code") -> gpd.GeoDataFrame:
    """Province outlines dissolved from a district layer, so they align with district edges."""
    present = districts[~districts.geometry.is_empty]
    return present[[by, "geometry"]].dissolve(by=by, as_index=False)


def greedy_colors(gdf: gpd.GeoDataFrame, palette: list[str] = PALETTE) -> list[str]:
    """One colour per row so that touching polygons differ (greedy, largest first)."""
    geoms = boundaries.to_map_crs(gdf).geometry.to_numpy()
    pairs = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    neighbours: dict[int, set[int]] = {i: set() for i in range(len(geoms))}
    for i, j in pairs.T:
        if i != j:
            neighbours[int(i)].add(int(j))
    order = sorted(range(len(geoms)), key=lambda i: (-len(neighbours[i]), i))
    colour: dict[int, int] = {}
    for i in order:
        used = {colour[j] for j in neighbours[i] if j in colour}
        colour[i] = next(c for c in range(len(palette) + len(neighbours[i])) if c not in used)
    return [palette[colour[i] % len(palette)] for i in range(len(geoms))]


GAP = "#d4d4d4"


def _underlay(axes: NationalAxes, outlines: gpd.GeoDataFrame) -> Patch:
    """Grey province outlines under the districts: where no district polygon exists shows grey."""
    draw(axes, outlines, facecolor=GAP, edgecolor="none", linewidth=0)
    return Patch(facecolor=GAP, edgecolor="none",
                 label="Không có đa giác huyện / no district polygon")


def _legend_and_note(axes: NationalAxes, handles: list, note: str) -> None:
    """Legend and the missing/approximate note in the empty area west of the south."""
    axes.main.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.47),
                     fontsize=6.3, borderaxespad=0.0, handlelength=1.6)
    if note:
        axes.main.text(0.0, 0.575, textwrap.fill(note, 56), transform=axes.main.transAxes,
                       ha="left", va="top", fontsize=5.6, color="#7a3b00", linespacing=1.25)


def district_category_map(
    districts: gpd.GeoDataFrame,
    category: str,
    labels: Mapping[str, str],
    title: str,
    highlight: set[str] | None = None,
    highlight_label: str = "",
    archipelagos: gpd.GeoDataFrame | None = None,
    province_outlines: gpd.GeoDataFrame | None = None,
) -> Figure:
    """National district map filled by a category column, with province borders and insets.

    ``labels`` maps category values to legend labels (in legend order). Districts whose code
    is in ``highlight`` get a red outline; approximate (rebuilt) districts are hatched and
    the :func:`helpers.boundaries.missing_note` is printed under the map.
    """
    axes = national_axes(districts, archipelagos)
    gap = _underlay(axes, province_outlines) if province_outlines is not None else None
    colours = dict(zip(labels, PALETTE, strict=False))  # more labels than colours: grey
    fill = districts[category].map(colours).fillna("#dddddd")
    draw(axes, districts.assign(_fill=fill), color_column="_fill", edgecolor="white",
         linewidth=0.12)
    approx = districts[districts["geometry_source"] == "rebuilt_from_2025_communes"]
    if not approx.empty:
        draw(axes, approx, facecolor="none", edgecolor="#7a3b00", hatch="/////",
             linewidth=0.0, insets=False)
    draw(axes, province_borders(districts), facecolor="none", edgecolor=EDGE, linewidth=0.45)
    if highlight:
        hl = districts[districts["district_code"].isin(highlight)]
        draw(axes, hl, facecolor="none", edgecolor="#c0001a", linewidth=0.9, insets=False)
    if archipelagos is not None:
        draw(axes, archipelagos, facecolor="#8a8a8a", edgecolor=EDGE, linewidth=0.25)
    handles = [Patch(facecolor=colours[k], edgecolor="none", label=v) for k, v in labels.items()]
    handles.append(Patch(facecolor="none", edgecolor=EDGE, label="Ranh giới tỉnh / province"))
    if highlight:
        handles.append(Patch(facecolor="none", edgecolor="#c0001a", linewidth=0.9,
                             label=highlight_label))
    if not approx.empty:
        handles.append(Patch(facecolor="none", edgecolor="#7a3b00", hatch="/////",
                             label="Ranh giới gần đúng / approximate"))
    if gap is not None:
        handles.append(gap)
    _legend_and_note(axes, handles, boundaries.missing_note(districts))
    axes.main.set_title(title, loc="left")
    return axes.fig


def overlay_2025_map(
    districts: gpd.GeoDataFrame,
    province_2025_of: pd.Series,
    provinces_2025: gpd.GeoDataFrame,
    provinces: gpd.GeoDataFrame,
    title: str,
    archipelagos: gpd.GeoDataFrame | None = None,
) -> Figure:
    """Old districts filled by the 2025 province they went to; 2025 and old province borders.

    ``province_2025_of`` maps district_code -> province_2025_code (from the crosswalk).
    Fill colours are by 2025 province (neighbours differ); 2025 borders are thick and
    labelled, the 63 old province borders dashed, district edges thin white.
    """
    axes = national_axes(districts, archipelagos)
    gap = _underlay(axes, provinces_2025)
    p25 = provinces_2025.reset_index(drop=True)
    colour = dict(zip(p25["province_2025_code"], greedy_colors(p25), strict=True))
    code = districts["district_code"].map(province_2025_of)
    fill = code.map(colour).fillna("#dddddd")
    draw(axes, districts.assign(_fill=fill), color_column="_fill", edgecolor="white",
         linewidth=0.12)
    draw(axes, provinces, facecolor="none", edgecolor="#555555", linewidth=0.35,
         linestyle=(0, (2, 1.5)), insets=False)
    draw(axes, p25, facecolor="none", edgecolor="#111111", linewidth=0.9, insets=False)
    metric = boundaries.to_map_crs(p25)
    points = metric.geometry.representative_point()
    for name, point in zip(metric["province_2025_name"], points, strict=True):
        x, y = point.x, point.y
        x0, y0, x1, y1 = axes.mainland_box
        if x0 <= x <= x1 and y0 <= y <= y1:
            axes.main.annotate(name, (x, y), ha="center", va="center", fontsize=4.6,
                               color="#111111")
    if archipelagos is not None:
        draw(axes, archipelagos, facecolor="#8a8a8a", edgecolor=EDGE, linewidth=0.25)
    handles = [
        Patch(facecolor="none", edgecolor="#111111", linewidth=0.9,
              label="Tỉnh từ 1/7/2025 (34) / 2025 provinces"),
        Patch(facecolor="none", edgecolor="#555555", linestyle=(0, (2, 1.5)),
              label="Tỉnh trước 2025 (63) / old provinces"),
        Patch(facecolor=PALETTE[0], edgecolor="white",
              label="Huyện 2022 (705), màu theo tỉnh 2025\n/ districts coloured by 2025 province"),
        gap,
    ]
    _legend_and_note(axes, handles, boundaries.missing_note(districts))
    axes.main.set_title(title, loc="left")
    return axes.fig
