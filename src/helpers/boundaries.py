"""Administrative boundaries: 705 districts (2021–23 vintage), 63 provinces, 34 provinces of 2025.

Sources (all through :func:`helpers.datasets.fetch`, so pinned and verified; paths are listed
from :func:`helpers.datasets.registry`, never typed here):

* districts and the 63 province outlines: ``dvhcvn/<commit>/data/gis/NN.json`` (one file per
  province, GSO codes, scraped from the Government's GIS portal; GPL-3.0);
* the row set, names and unit types: the official 2022-10 unit list
  ``dvhcvn/<commit>/data/dvhcvn.json`` (705 districts, the same vintage as the polygons);
* the 34 provinces after the 1 July 2025 reform, Quảng Ninh's 2025 communes and the Hoàng Sa /
  Trường Sa archipelagos: ``vietnamese-provinces-database/<commit>/json/geojson/...`` (MIT).

Conventions
-----------
* **CRS.** Every layer is stored and returned in ``STORAGE_CRS`` = EPSG:4326 (lon/lat).
  Maps are drawn in ``MAP_CRS`` = EPSG:3405 (VN-2000 / UTM zone 48N, metres): call
  :func:`to_map_crs`. Areas (``area_km2``) are computed from the full-resolution geometry in
  ``AREA_CRS`` = EPSG:6933 (an equal-area CRS), so that the eastern islands, far from UTM
  48N's central meridian, are not inflated.
* **Joins** between layers and tables are on zero-padded GSO codes (province ``'01'``,
  district ``'001'``, commune ``'00001'``), never on names.
* **Validity.** Geometries are made valid with ``shapely.make_valid`` (polygonal parts kept).
* **Simplified layers** (the default, ``simplified=True``) are for national maps: the layer is
  first cleaned into a proper coverage (``shapely.coverage_clean``: no overlaps, shared edges
  snapped) and then simplified with ``shapely.coverage_simplify`` (``SIMPLIFY_TOLERANCE_M``
  metres, in MAP_CRS), which simplifies each shared edge once, so neighbours stay aligned with
  no slivers. Full-resolution layers (``simplified=False``) are only made valid.
* **Cache.** Building takes a few seconds; both resolutions are written as GeoPackages to
  ``helpers.datasets.cache_dir()/derived/boundaries/``, named by a hash of the inputs' pinned
  sha256, this module's source, the parameters and the crosswalk source (:func:`cache_key`).
  Any change gives a new key and a rebuild; a cached file is read in well under a second.

Quảng Ninh (province 22)
------------------------
Its district file (``gis/22.json``) is not in the mirror and not in the registry (no pinned
hash is possible), so the project never downloads it. Its province outline comes from the 2025
layer (Quảng Ninh's boundary did not change in 2025). Its 13 districts are rebuilt
*approximately* from its 2025 communes and the official 2025 conversion (the converter data of
the ``vietnamadminunits`` package, which ``helpers.gazetteer.crosswalk_2025`` also wraps):
each 2025 commune goes to the old district that contributed most of its old communes (ties:
most default links, then lowest district code), communes are dissolved per district and
clipped to the 2025 province outline. A 2025 commune whose code in the converter differs from
the polygon file's code (Ba Chẽ: 06970 vs 06978) is matched to the file polygon that contains
the converter's point for it (never by name); :func:`quang_ninh_assignment` lists how each
commune was matched. These rows carry
``geometry_source = "rebuilt_from_2025_communes"``. A district that receives no 2025 commune
keeps its row with an empty geometry and ``geometry_source = "missing"``. Rows are never
dropped; :func:`missing_note` gives the sentence a map or table prints about them.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import shape

from helpers import datasets

__all__ = [
    "AREA_CRS",
    "ARCHIPELAGO_DISTRICTS",
    "BUILD_COUNT",
    "DISTRICT_COLUMNS",
    "GEOMETRY_SOURCES",
    "MAP_CRS",
    "SIMPLIFY_TOLERANCE_M",
    "STORAGE_CRS",
    "archipelagos",
    "cache_key",
    "cache_paths",
    "counts_by_region",
    "districts",
    "layer_summary",
    "missing_note",
    "outline_gaps",
    "provinces",
    "provinces_2025",
    "quang_ninh_assignment",
    "to_map_crs",
]

STORAGE_CRS = "EPSG:4326"
MAP_CRS = "EPSG:3405"
AREA_CRS = "EPSG:6933"
SIMPLIFY_TOLERANCE_M = 500.0

QUANG_NINH = "22"
GEOMETRY_SOURCES = ("dvhcvn", "rebuilt_from_2025_communes", "missing")
DISTRICT_COLUMNS = [
    "district_code",
    "district_name",
    "district_type",
    "province_code",
    "province_name",
    "geometry_source",
    "area_km2",
    "geometry",
]
PROVINCE_COLUMNS = ["province_code", "province_name", "geometry_source", "area_km2", "geometry"]
PROVINCE_2025_COLUMNS = ["province_2025_code", "province_2025_name", "area_km2", "geometry"]
ARCHIPELAGO_COLUMNS = ["name", "name_en", "commune_2025_code", "province_2025_code", "geometry"]

# The two offshore districts of the 2022 list, drawn in map insets (GSO codes).
ARCHIPELAGO_DISTRICTS = {"498": "Hoàng Sa", "576": "Trường Sa"}
# 2025 special zones (commune level) that outline the archipelagos.
_ARCHIPELAGO_COMMUNES = {"20333": "Hoàng Sa", "22736": "Trường Sa"}
# Provinces whose outline did not change in 2025, so the 2025 file can stand in for a missing
# pre-2025 file (SOURCES.md of the mirror says so for Quảng Ninh).
_OUTLINE_FROM_2025 = {QUANG_NINH}

_DISTRICT_FILE = re.compile(r"^dvhcvn/[0-9a-f]{40}/data/gis/(\d{2})\.json$")
_UNIT_LIST = re.compile(r"^dvhcvn/[0-9a-f]{40}/data/dvhcvn\.json$")
_PROVINCE_2025 = re.compile(
    r"^vietnamese-provinces-database/[0-9a-f]{40}/json/geojson/(\d{2})_[a-z_]+/\1_[a-z_]+\.geojson$"
)
_WARD_2025 = re.compile(
    r"^vietnamese-provinces-database/[0-9a-f]{40}/json/geojson/(\d{2})_[a-z_]+/wards/(\d{5})_[a-z0-9_]+\.geojson$"
)
_TYPE_WORDS = ("Thành phố", "Thị xã", "Quận", "Huyện", "Tỉnh")
_CACHE_NAME = re.compile(r"boundaries_(simplified|full)_[0-9a-f]{16}\.gpkg")

BUILD_COUNT = {"builds": 0}
"""How many times the layers were built (not read from cache) in this process; tests use it."""


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class _Inputs:
    """The registry paths this module reads, found by pattern."""

    district_files: dict[str, str]  # province code -> path
    unit_list: str
    provinces_2025: dict[str, str]  # 2025 province code -> path
    wards_2025: dict[str, dict[str, str]]  # 2025 province code -> {commune code -> path}

    def all_paths(self) -> list[str]:
        paths = [*self.district_files.values(), self.unit_list, *self.provinces_2025.values()]
        for wards in self.wards_2025.values():
            paths.extend(wards.values())
        return sorted(paths)


def _inputs() -> _Inputs:
    reg = datasets.registry()
    district_files: dict[str, str] = {}
    provinces: dict[str, str] = {}
    wards: dict[str, dict[str, str]] = {}
    unit_lists = []
    for path in reg:
        if m := _DISTRICT_FILE.match(path):
            district_files[m.group(1)] = path
        elif _UNIT_LIST.match(path):
            unit_lists.append(path)
        elif m := _PROVINCE_2025.match(path):
            provinces[m.group(1)] = path
        elif m := _WARD_2025.match(path):
            wards.setdefault(m.group(1), {})[m.group(2)] = path
    if len(unit_lists) != 1:
        raise datasets.DataFileError(
            f"expected exactly one dvhcvn unit list (data/dvhcvn.json) in the registry, "
            f"found {len(unit_lists)}: {unit_lists}"
        )
    if not district_files or not provinces:
        raise datasets.DataFileError(
            "the registry lists no district polygon files (dvhcvn data/gis/NN.json) or no 2025 "
            "province files; check src/helpers/resources/registry.csv"
        )
    return _Inputs(district_files, unit_lists[0], provinces, wards)


def _crosswalk_source() -> str:
    """The converter package and its version (part of the cache key)."""
    return "vietnamadminunits-" + _package_version("vietnamadminunits")


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


def cache_key() -> str:
    """Hash of everything the layers depend on: pinned inputs, this code, parameters."""
    reg = datasets.registry()
    digest = hashlib.sha256()
    for path in _inputs().all_paths():
        digest.update(f"{path}:{reg[path].sha256}\n".encode())
    digest.update(_code_digest().encode())
    digest.update(f"tol={SIMPLIFY_TOLERANCE_M};{AREA_CRS};{MAP_CRS};{_crosswalk_source()}".encode())
    digest.update(f"shapely={shapely.__version__};geos={shapely.geos_version}".encode())
    return digest.hexdigest()[:16]


@cache
def _code_digest() -> str:
    """The code version: a hash of the source of the functions that build the layers."""
    digest = hashlib.sha256()
    for fn in _build_functions():
        digest.update(inspect.getsource(fn).encode())
    return digest.hexdigest()


def _build_functions() -> list:
    return [
        _inputs, _build_cache, _schemas, _validate, _build_full, _simplify_coverage, _restore,
        _valid, _ring, _polygon, _geometry, _geojson_feature, _strip_type, _area_km2,
        _rebuild_from_2025_communes, quang_ninh_assignment, _commune_links,
        _commune_links_package, _package_tables, _commune_districts_2022,
    ]


def cache_paths() -> dict[str, Path]:
    """The two GeoPackages of the current cache key: ``simplified`` and ``full``."""
    folder = datasets.cache_dir() / "derived" / "boundaries"
    key = cache_key()
    return {
        "simplified": folder / f"boundaries_simplified_{key}.gpkg",
        "full": folder / f"boundaries_full_{key}.gpkg",
    }


# --------------------------------------------------------------------------- public API


def districts(simplified: bool = True) -> gpd.GeoDataFrame:
    """The 705 districts of the 2022-10 list (EPSG:4326), one row each, columns DISTRICT_COLUMNS.

    ``geometry_source`` is ``dvhcvn``, ``rebuilt_from_2025_communes`` (Quảng Ninh, approximate)
    or ``missing`` (empty geometry). ``area_km2`` is from the full-resolution geometry.
    """
    return _layer("districts", simplified)


def provinces(simplified: bool = True) -> gpd.GeoDataFrame:
    """The 63 provinces (pre-2025) from the district files' outlines (Quảng Ninh: 2025 outline)."""
    return _layer("provinces", simplified)


def provinces_2025(simplified: bool = True) -> gpd.GeoDataFrame:
    """The 34 provinces after the 1 July 2025 reform: province_2025_code, _name, geometry."""
    return _layer("provinces_2025", simplified)


def archipelagos() -> gpd.GeoDataFrame:
    """Hoàng Sa and Trường Sa (2025 special-zone outlines, full resolution), for map insets."""
    return _layer("archipelagos", False)


def to_map_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject a layer to MAP_CRS (EPSG:3405, metres) for drawing or measuring."""
    return gdf.to_crs(MAP_CRS)


def missing_note(gdf: pd.DataFrame) -> str:
    """The sentence (Vietnamese / English) a map or table prints about approximate/missing rows.

    Empty string when every row has source geometry. Works on any frame with
    ``geometry_source`` (and ``district_name``/``province_name`` when present).
    """
    if "geometry_source" not in gdf.columns:
        return ""
    parts_vi, parts_en = [], []
    for source, vi, en in (
        (
            "rebuilt_from_2025_communes",
            "ranh giới gần đúng, dựng lại từ các xã năm 2025",
            "boundaries approximate, rebuilt from 2025 communes",
        ),
        ("missing", "không có ranh giới", "no boundary available"),
    ):
        rows = gdf[gdf["geometry_source"] == source]
        if rows.empty:
            continue
        where = _where(rows)
        parts_vi.append(f"{len(rows)} huyện {where} — {vi}")
        parts_en.append(f"{len(rows)} districts {where} — {en}")
    if not parts_vi:
        return ""
    return (
        "Lưu ý: "
        + "; ".join(parts_vi)
        + " (tệp ranh giới huyện gốc không có trong các tệp dữ liệu đã ghim). "
        + "Note: "
        + "; ".join(parts_en)
        + " (the source district file is not among the pinned data files)."
    )


def layer_summary() -> pd.DataFrame:
    """One row per layer: rows, CRS, geometry sources, area and the cache file it is read from."""
    paths = cache_paths()
    rows = []
    for name, loader in (
        ("districts", districts),
        ("provinces", provinces),
        ("provinces_2025", provinces_2025),
        ("archipelagos", archipelagos),
    ):
        gdf = loader()
        sources = (
            gdf["geometry_source"].value_counts().sort_index().to_dict()
            if "geometry_source" in gdf.columns
            else {}
        )
        rows.append(
            {
                "layer": name,
                "rows": len(gdf),
                "crs": gdf.crs.to_string(),
                "geometry_sources": ", ".join(f"{k}: {v}" for k, v in sources.items()),
                "empty_geometries": int(gdf.geometry.is_empty.sum()),
                "area_km2": round(float(gdf["area_km2"].sum()), 0)
                if "area_km2" in gdf.columns
                else None,
                "vertices": int(shapely.get_num_coordinates(gdf.geometry.to_numpy()).sum()),
                "cache_file": paths["full" if name == "archipelagos" else "simplified"].name,
            }
        )
    return pd.DataFrame(rows)


def counts_by_region(
    districts_gdf: pd.DataFrame,
    province_table: pd.DataFrame,
    districts_2025: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Provinces, districts (and 2025-03 districts, area, approximate geometries) per region.

    ``province_table`` has province_code and region (``helpers.gazetteer.provinces()``);
    ``districts_2025`` has district_code and province_code (the 2025-03 list). Joined on codes;
    a district whose province has no region is counted under ``"(none)"``, not dropped.
    """
    region = province_table.set_index("province_code")["region"]
    d = districts_gdf.assign(region=districts_gdf["province_code"].map(region).fillna("(none)"))
    out = d.groupby("region", sort=True).agg(
        provinces=("province_code", "nunique"),
        districts_2022=("district_code", "nunique"),
        area_km2=("area_km2", "sum"),
        approximate_geometry=("geometry_source", lambda s: int((s != "dvhcvn").sum())),
    )
    if districts_2025 is not None:
        d25 = districts_2025.assign(
            region=districts_2025["province_code"].map(region).fillna("(none)")
        )
        out["districts_2025"] = d25.groupby("region")["district_code"].nunique()
        out["districts_2025"] = out["districts_2025"].fillna(0).astype(int)
    out["area_km2"] = out["area_km2"].round(0)
    total = out.sum(numeric_only=True).to_frame("total").T
    out = pd.concat([out, total]).rename_axis("region").reset_index()
    counts = [c for c in out.columns if c not in ("region", "area_km2")]
    return out.astype({c: int for c in counts})


def outline_gaps(districts_gdf: pd.DataFrame, provinces_gdf: pd.DataFrame) -> pd.DataFrame:
    """Per province: outline area, area of its district polygons, and the difference.

    Both areas come from the full-resolution geometry (``area_km2``), so this is cheap. A
    positive ``uncovered_km2`` is land inside the province outline that no district polygon
    covers in the source; a negative one, district polygons reaching beyond the outline.
    Sorted by the absolute difference.
    """
    dist = districts_gdf.groupby("province_code")["area_km2"].sum()
    out = provinces_gdf[["province_code", "province_name", "area_km2"]].rename(
        columns={"area_km2": "outline_km2"}
    )
    out = out.assign(districts_km2=out["province_code"].map(dist).fillna(0.0).round(1))
    out["uncovered_km2"] = (out["outline_km2"] - out["districts_km2"]).round(1)
    out["uncovered_share"] = (out["uncovered_km2"] / out["outline_km2"]).round(4)
    order = out["uncovered_km2"].abs().sort_values(ascending=False).index
    return out.loc[order].reset_index(drop=True)


def _where(rows: pd.DataFrame) -> str:
    if "province_name" in rows.columns:
        names = sorted(set(rows["province_name"].dropna()))
        return "(" + ", ".join(names) + ")" if names else ""
    return ""


# --------------------------------------------------------------------------- cache


_LAYERS = ("districts", "provinces", "provinces_2025", "archipelagos")


def _layer(name: str, simplified: bool) -> gpd.GeoDataFrame:
    paths = cache_paths()
    target = paths["simplified" if simplified else "full"]
    if not _cache_complete(paths):
        with _build_lock(target.parent):
            if not _cache_complete(paths):  # another process may have built it meanwhile
                _build_cache(paths)
    try:
        gdf = pyogrio.read_dataframe(target, layer=name)
    except Exception as exc:  # a damaged cache file: rebuild it once, say so
        warnings.warn(f"boundary cache {target} unreadable ({exc}); rebuilding", stacklevel=3)
        with _build_lock(target.parent):
            for path in paths.values():
                path.unlink(missing_ok=True)
            _build_cache(paths)
        gdf = pyogrio.read_dataframe(target, layer=name)
    return _restore(gdf, name)


def _cache_complete(paths: dict[str, Path]) -> bool:
    return all(p.is_file() for p in paths.values())


@contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock so that parallel processes (pytest -n) build the cache once."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, builds write distinct temporary files anyway
        yield
        return
    with open(folder / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _restore(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Types after a GeoPackage round trip: empty geometries back, codes as strings."""
    gdf = gdf.set_crs(STORAGE_CRS, allow_override=True)
    if gdf.geometry.isna().any():
        gdf.loc[gdf.geometry.isna(), "geometry"] = shapely.MultiPolygon()
    columns = {
        "districts": DISTRICT_COLUMNS,
        "provinces": PROVINCE_COLUMNS,
        "provinces_2025": PROVINCE_2025_COLUMNS,
        "archipelagos": ARCHIPELAGO_COLUMNS,
    }[name]
    return gdf[columns].reset_index(drop=True)


@cache
def _schemas() -> dict:
    """pandera schemas of the attribute columns (imported lazily: loading stays fast)."""
    import pandera.pandas as pa

    def code(width: int, unique: bool = False) -> pa.Column:
        return pa.Column(str, pa.Check.str_matches(rf"^\d{{{width}}}$"), unique=unique)

    area = pa.Column(float, pa.Check.ge(0))
    return {
        "districts": pa.DataFrameSchema(
            {
                "district_code": code(3, unique=True),
                "district_name": pa.Column(str, pa.Check.str_length(min_value=1)),
                "district_type": pa.Column(
                    str, pa.Check.isin(["Huyện", "Quận", "Thị xã", "Thành phố"])
                ),
                "province_code": code(2),
                "province_name": pa.Column(str, pa.Check.str_length(min_value=1)),
                "geometry_source": pa.Column(str, pa.Check.isin(list(GEOMETRY_SOURCES))),
                "area_km2": area,
            },
            strict=False,
        ),
        "provinces": pa.DataFrameSchema(
            {
                "province_code": code(2, unique=True),
                "province_name": pa.Column(str),
                "geometry_source": pa.Column(
                    str, pa.Check.isin(["dvhcvn", "2025_outline", "missing"])
                ),
                "area_km2": area,
            },
            strict=False,
        ),
        "provinces_2025": pa.DataFrameSchema(
            {
                "province_2025_code": code(2, unique=True),
                "province_2025_name": pa.Column(str, pa.Check.str_length(min_value=1)),
                "area_km2": area,
            },
            strict=False,
        ),
        "archipelagos": pa.DataFrameSchema(
            {"name": pa.Column(str, unique=True), "commune_2025_code": code(5)}, strict=False
        ),
    }


def _validate(name: str, gdf: gpd.GeoDataFrame) -> None:
    """Schema of the attributes, plus valid, polygonal geometry wherever a source exists."""
    _schemas()[name].validate(pd.DataFrame(gdf.drop(columns="geometry")))
    present = (
        gdf["geometry_source"] != "missing" if "geometry_source" in gdf.columns
        else pd.Series(True, index=gdf.index)
    )
    bad = gdf.loc[present & (~gdf.geometry.is_valid | gdf.geometry.is_empty)]
    if not bad.empty:
        raise ValueError(f"{name}: invalid or empty geometry in rows {bad.index.tolist()[:10]}")


def _build_cache(paths: dict[str, Path]) -> None:
    layers_full = _build_full()
    layers_simple = {
        "districts": _simplify_coverage(layers_full["districts"]),
        "provinces": _simplify_coverage(layers_full["provinces"]),
        "provinces_2025": _simplify_coverage(layers_full["provinces_2025"]),
        "archipelagos": layers_full["archipelagos"],
    }
    for layers in (layers_full, layers_simple):
        for name, gdf in layers.items():
            _validate(name, gdf)
    folder = paths["full"].parent
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("boundaries_*.gpkg"):  # caches of other keys are stale
        if _CACHE_NAME.fullmatch(old.name) and old not in paths.values():
            old.unlink(missing_ok=True)
    for kind, layers in (("full", layers_full), ("simplified", layers_simple)):
        tmp = paths[kind].with_name(f"{paths[kind].stem}.{os.getpid()}.tmp.gpkg")
        tmp.unlink(missing_ok=True)
        for name in _LAYERS:
            pyogrio.write_dataframe(
                layers[name], tmp, layer=name, driver="GPKG", append=tmp.exists(),
                promote_to_multi=True, geometry_type="MultiPolygon",
            )
        tmp.replace(paths[kind])
    BUILD_COUNT["builds"] += 1


# --------------------------------------------------------------------------- build


def _read_json(path: str) -> dict:
    return json.loads(datasets.fetch(path).read_text("utf-8"))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _strip_type(name: str, unit_type: str | None = None) -> tuple[str, str]:
    """'Thành Phố Bắc Kạn' -> ('Bắc Kạn', 'Thành phố'): the name without its type word."""
    name = _nfc(name)
    words = [unit_type] if unit_type else []
    for word in [*words, *_TYPE_WORDS]:
        if name.lower().startswith(word.lower() + " "):
            return name[len(word) + 1 :].strip(), word
    return name, unit_type or ""


def _valid(geom) -> shapely.Geometry:
    """make_valid, keeping polygonal parts only, as a MultiPolygon."""
    if geom is None or shapely.is_empty(geom):
        return shapely.MultiPolygon()
    geom = shapely.make_valid(geom)
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    parts = [p for g in polys for p in shapely.get_parts(g)]
    return shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon()


def _ring(ring: list) -> np.ndarray:
    try:
        return np.asarray(ring, dtype=float)[:, :2]
    except ValueError:  # points of mixed dimension (a few rings carry a z value)
        return np.asarray([pt[:2] for pt in ring], dtype=float)


def _polygon(rings: list) -> shapely.Polygon:
    shell, *holes = (shapely.linearrings(_ring(r)) for r in rings)
    return shapely.polygons(shell, holes=np.array(holes, dtype=object) if holes else None)


def _geometry(obj: dict, where: str) -> shapely.Geometry:
    """A GeoJSON (Multi)Polygon object -> shapely, built with numpy (much faster than shape())."""
    kind, coords = obj.get("type"), obj.get("coordinates")
    try:
        if kind == "Polygon":
            return _polygon(coords)
        if kind == "MultiPolygon":
            return shapely.multipolygons([_polygon(p) for p in coords])
        return shape(obj)
    except (TypeError, ValueError, IndexError) as exc:
        raise datasets.DataFileError(f"{where}: unreadable {kind} geometry ({exc})") from None


def _geojson_feature(path: str) -> tuple[dict, shapely.Geometry]:
    data = _read_json(path)
    features = data.get("features") or []
    if len(features) != 1:
        raise datasets.DataFileError(f"{path}: expected one feature, found {len(features)}")
    return features[0].get("properties") or {}, _valid(_geometry(features[0]["geometry"], path))


def _area_km2(geoms: gpd.GeoSeries) -> np.ndarray:
    return np.round(geoms.to_crs(AREA_CRS).area.to_numpy() / 1e6, 3)


def _build_full() -> dict[str, gpd.GeoDataFrame]:
    inputs = _inputs()
    units = _read_json(inputs.unit_list)["data"]

    province_rows, district_rows = [], []
    geoms_by_district: dict[str, shapely.Geometry] = {}
    outline_by_province: dict[str, shapely.Geometry] = {}
    for code, path in sorted(inputs.district_files.items()):
        data = _read_json(path)
        outline_by_province[code] = _valid(_geometry(data, path))
        for unit in data.get("level2s", []):
            where = f"{path}, district {unit.get('level2_id')}"
            geoms_by_district[str(unit["level2_id"])] = _valid(_geometry(unit, where))

    prov_2025 = {c: _geojson_feature(p) for c, p in sorted(inputs.provinces_2025.items())}

    listed_districts = set()
    for prov in units:
        pcode = str(prov["level1_id"])
        pname, _ = _strip_type(prov["name"], None)
        source = "dvhcvn" if pcode in outline_by_province else "missing"
        outline = outline_by_province.get(pcode)
        if outline is None and pcode in _OUTLINE_FROM_2025 and pcode in prov_2025:
            outline, source = prov_2025[pcode][1], "2025_outline"
        province_rows.append(
            {
                "province_code": pcode,
                "province_name": pname,
                "geometry_source": source,
                "geometry": outline if outline is not None else shapely.MultiPolygon(),
            }
        )
        rebuilt: dict[str, shapely.Geometry] = {}
        if pcode not in inputs.district_files and pcode in inputs.wards_2025:
            rebuilt = _rebuild_from_2025_communes(pcode, inputs, outline)
        for dist in prov["level2s"]:
            dcode = str(dist["level2_id"])
            listed_districts.add(dcode)
            dname, dtype = _strip_type(dist["name"], dist.get("type"))
            if dcode in geoms_by_district:
                geom, gsource = geoms_by_district[dcode], "dvhcvn"
            elif dcode in rebuilt and not rebuilt[dcode].is_empty:
                geom, gsource = rebuilt[dcode], "rebuilt_from_2025_communes"
            else:
                geom, gsource = shapely.MultiPolygon(), "missing"
            district_rows.append(
                {
                    "district_code": dcode,
                    "district_name": dname,
                    "district_type": dtype,
                    "province_code": pcode,
                    "province_name": pname,
                    "geometry_source": gsource,
                    "geometry": geom,
                }
            )
    unlisted = sorted(set(geoms_by_district) - listed_districts)
    if unlisted:
        raise datasets.DataFileError(
            f"district polygons with codes absent from the 2022-10 unit list {inputs.unit_list}: "
            f"{unlisted}"
        )

    dist = gpd.GeoDataFrame(district_rows, geometry="geometry", crs=STORAGE_CRS)
    dist["area_km2"] = _area_km2(dist.geometry)
    prov = gpd.GeoDataFrame(province_rows, geometry="geometry", crs=STORAGE_CRS)
    prov["area_km2"] = _area_km2(prov.geometry)
    p25 = gpd.GeoDataFrame(
        [
            {
                "province_2025_code": code,
                "province_2025_name": _nfc(str(props.get("name", ""))),
                "geometry": geom,
            }
            for code, (props, geom) in prov_2025.items()
        ],
        geometry="geometry",
        crs=STORAGE_CRS,
    )
    p25["area_km2"] = _area_km2(p25.geometry)
    arch_rows = []
    for pcode, wards in sorted(inputs.wards_2025.items()):
        for ccode, path in sorted(wards.items()):
            if ccode in _ARCHIPELAGO_COMMUNES:
                props, geom = _geojson_feature(path)
                arch_rows.append(
                    {
                        "name": _nfc(str(props.get("name") or _ARCHIPELAGO_COMMUNES[ccode])),
                        "name_en": str(props.get("nameEn", "")),
                        "commune_2025_code": ccode,
                        "province_2025_code": pcode,
                        "geometry": geom,
                    }
                )
    arch = gpd.GeoDataFrame(arch_rows, columns=ARCHIPELAGO_COLUMNS, geometry="geometry",
                            crs=STORAGE_CRS)
    return {
        "districts": dist[DISTRICT_COLUMNS],
        "provinces": prov[PROVINCE_COLUMNS],
        "provinces_2025": p25[PROVINCE_2025_COLUMNS],
        "archipelagos": arch,
    }


def _simplify_coverage(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Clean the layer into a coverage and simplify shared edges once (in MAP_CRS, metres)."""
    out = gdf.copy()
    metric = out.geometry.to_crs(MAP_CRS).to_numpy()
    present = ~shapely.is_empty(metric)
    cleaned = shapely.coverage_clean(metric[present])
    simple = shapely.coverage_simplify(cleaned, SIMPLIFY_TOLERANCE_M)
    result = metric.copy()
    result[present] = [_valid(g) for g in simple]
    out["geometry"] = gpd.GeoSeries(result, crs=MAP_CRS, index=out.index).to_crs(STORAGE_CRS)
    return out


# --------------------------------------------------------------------------- Quảng Ninh


_ASSIGNMENT_COLUMNS = [
    "commune_2025_code",
    "district_code",
    "n_old_communes",
    "n_old_total",
    "share",
    "candidates",
    "file_code",
    "matched_by",
]


def quang_ninh_assignment(province_code: str = QUANG_NINH) -> pd.DataFrame:
    """Which old (2022-10) district each 2025 commune of the province is assigned to.

    Columns: commune_2025_code (converter's code), district_code (assigned), n_old_communes
    (of that district in the 2025 commune), n_old_total, share, candidates (all contributing
    districts, ``code:n``), file_code (the polygon file's commune code, or empty) and
    matched_by (``code``, ``point`` = the converter's point lies in the file polygon, or
    ``unmatched``).
    """
    links = _commune_links(province_code)
    if links.empty:
        return pd.DataFrame(columns=_ASSIGNMENT_COLUMNS)
    counts = (
        links.groupby(["commune_2025_code", "district_code"])
        .agg(n=("commune_code", "nunique"), n_default=("is_default", "sum"))
        .reset_index()
        .sort_values(["commune_2025_code", "n", "n_default", "district_code"],
                     ascending=[True, False, False, True])
    )
    rows = []
    for ccode, group in counts.groupby("commune_2025_code", sort=True):
        best = group.iloc[0]
        total = int(group["n"].sum())
        rows.append(
            {
                "commune_2025_code": ccode,
                "district_code": best["district_code"],
                "n_old_communes": int(best["n"]),
                "n_old_total": total,
                "share": round(int(best["n"]) / total, 3),
                "candidates": ", ".join(f"{d}:{n}" for d, n in zip(group["district_code"],
                                                                  group["n"], strict=True)),
            }
        )
    out = pd.DataFrame(rows)
    files = _inputs().wards_2025.get(province_code, {})
    file_code, matched_by = [], []
    unmatched_files = sorted(set(files) - set(out["commune_2025_code"]))
    points = _package_tables()[2].set_index("wardCode")[["wardLon", "wardLat"]]
    for code in out["commune_2025_code"]:
        if code in files:
            file_code.append(code)
            matched_by.append("code")
            continue
        found = ""
        if code in points.index and unmatched_files:
            lon, lat = points.loc[code].to_numpy(dtype=float)
            point = shapely.Point(lon, lat)
            hits = [f for f in unmatched_files if _geojson_feature(files[f])[1].covers(point)]
            found = hits[0] if len(hits) == 1 else ""
        if found:
            unmatched_files.remove(found)
        file_code.append(found)
        matched_by.append("point" if found else "unmatched")
    codes = out["commune_2025_code"]
    lost = [c for c, m in zip(codes, matched_by, strict=True) if m == "unmatched"]
    if lost or unmatched_files:
        warnings.warn(
            f"province {province_code}: 2025 communes of the converter without a polygon file "
            f"{lost}; polygon files without a converter commune {unmatched_files}; their area "
            "is left out of the rebuilt districts",
            stacklevel=2,
        )
    return out.assign(file_code=file_code, matched_by=matched_by)[_ASSIGNMENT_COLUMNS]


def _rebuild_from_2025_communes(
    pcode: str, inputs: _Inputs, outline: shapely.Geometry | None
) -> dict[str, shapely.Geometry]:
    assignment = quang_ninh_assignment(pcode)
    wards = inputs.wards_2025.get(pcode, {})
    pieces: dict[str, list[shapely.Geometry]] = {}
    for row in assignment.itertuples(index=False):
        path = wards.get(row.file_code)
        if path is None:
            continue
        pieces.setdefault(row.district_code, []).append(_geojson_feature(path)[1])
    rebuilt = {}
    for dcode, geoms in pieces.items():
        geom = shapely.union_all(geoms)
        if outline is not None and not outline.is_empty:
            geom = shapely.intersection(geom, outline)
        rebuilt[dcode] = _valid(geom)
    return rebuilt


def _commune_links(pcode: str) -> pd.DataFrame:
    """[commune_code, district_code, commune_2025_code, is_default] for one old province.

    Read from the official converter data of ``vietnamadminunits`` (the same data
    ``helpers.gazetteer.crosswalk_2025`` wraps; the tests check that the two agree), so the
    build does not depend on another module's state. District codes are those of the
    2022-10 list (commune codes are stable when districts merge).
    """
    links = _commune_links_package(pcode)
    vintage = _commune_districts_2022()
    return links.assign(
        district_code=links["commune_code"].map(vintage).fillna(links["district_code"])
    )


@cache
def _commune_districts_2022() -> dict[str, str]:
    """commune code -> district code in the 2022-10 unit list."""
    units = _read_json(_inputs().unit_list)["data"]
    return {
        str(c["level3_id"]): str(d["level2_id"])
        for p in units
        for d in p["level2s"]
        for c in d.get("level3s", [])
    }


@cache
def _package_tables() -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The 2025 converter and both unit lists of vietnamadminunits, read by the gazetteer."""
    from helpers import gazetteer

    legacy = gazetteer._legacy_raw()[
        ["provinceKey", "districtKey", "wardKey", "provinceCode", "districtCode", "wardCode"]
    ]
    new = gazetteer._new_raw()[["provinceKey", "provinceCode", "wardKey", "wardCode", "wardLat", "wardLon"]]
    return gazetteer._converter(), legacy.astype(str), new.astype({c: str for c in new.columns[:4]})


def _commune_links_package(pcode: str) -> pd.DataFrame:
    converter, legacy, new = _package_tables()
    legacy = legacy[legacy["provinceCode"] == pcode]
    old_code = {
        f"{r.provinceKey}_{r.districtKey}_{r.wardKey}": (r.wardCode, r.districtCode)
        for r in legacy.itertuples(index=False)
    }
    old_pkeys = set(legacy["provinceKey"])
    new_pkeys = {
        k for k, olds in converter["DICT_PROVINCE"].items() if old_pkeys & set(olds)
    }
    new_code = {
        (r.provinceKey, r.wardKey): r.wardCode
        for r in new[new["provinceKey"].isin(new_pkeys)].itertuples(index=False)
    }
    links: set[tuple[str, str, str, bool]] = set()
    for npk in sorted(new_pkeys):
        for new_key, olds in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(npk, {}).items():
            for old in olds:
                if old in old_code and (npk, new_key) in new_code:
                    links.add((*old_code[old], new_code[(npk, new_key)], True))
        for old, targets in converter["DICT_PROVINCE_WARD_DIVIDED"].get(npk, {}).items():
            for t in targets:
                if old in old_code and (npk, t["newWardKey"]) in new_code:
                    links.add(
                        (*old_code[old], new_code[(npk, t["newWardKey"])],
                         bool(t.get("isDefaultNewWard")))
                    )
    df = pd.DataFrame(
        sorted(links), columns=["commune_code", "district_code", "commune_2025_code", "is_default"]
    )
    # A commune listed both as whole and divided: keep one row per link, default if any says so.
    return (
        df.groupby(["commune_code", "district_code", "commune_2025_code"], as_index=False)[
            "is_default"
        ].max()
    )
