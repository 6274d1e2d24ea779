"""Low-level drawing on the national map frame of :mod:`helpers.maps`.

The frame itself (mainland axes in MAP_CRS, Hoàng Sa / Trường Sa insets, scale bar, north
arrow) has one implementation: :func:`helpers.maps.national_frame`. This module keeps the
small interface other modules draw with (``national_axes`` → :class:`NationalAxes`, ``draw``
any GeoDataFrame on it with ``GeoDataFrame.plot`` keywords, ``province_borders``); maps with
classes, legends and notes belong in :mod:`helpers.maps` (``choropleth``, ``category_map``,
``provinces_2025_map``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers import boundaries

__all__ = ["NationalAxes", "draw", "national_axes", "province_borders"]


@dataclass
class NationalAxes:
    """The main (mainland) axes, one inset axes per archipelago, and the mainland box."""

    fig: Figure
    main: Axes
    mainland_box: tuple[float, float, float, float]
    insets: dict[str, Axes] = field(default_factory=dict)

    def all(self) -> list[Axes]:
        return [self.main, *self.insets.values()]


def national_axes(
    districts: gpd.GeoDataFrame | None = None,
    archipelagos: gpd.GeoDataFrame | None = None,
    figsize: tuple[float, float] | None = None,
    ax: Axes | None = None,
) -> NationalAxes:
    """The national frame of :func:`helpers.maps.national_frame` (a new figure, or in ``ax``)
    as :class:`NationalAxes`. ``districts`` sets the mainland extent (default: the boundary
    layer); the insets always frame the pinned archipelago layer, so ``archipelagos`` is only
    drawn by the caller (kept for compatibility)."""
    from helpers import maps

    frame = maps.national_frame(ax, districts=districts, figsize=figsize or (8.0, 9.0))
    return NationalAxes(frame.fig, frame.ax, frame.mainland_box, dict(frame.insets))


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
