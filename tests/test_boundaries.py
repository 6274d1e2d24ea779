"""Boundary layers: row counts, codes, validity, CRS, Quảng Ninh, the cache and alignment."""

from __future__ import annotations

import importlib.util
import os
import shutil

import numpy as np
import pandas as pd
import pytest
import shapely

from helpers import boundaries, datasets

pytestmark = pytest.mark.usefixtures("mirror")


@pytest.fixture(scope="module")
def simple():
    return boundaries.districts()


@pytest.fixture(scope="module")
def full():
    return boundaries.districts(simplified=False)


def _gazetteer():
    if importlib.util.find_spec("helpers.gazetteer") is None:
        pytest.skip("helpers.gazetteer is not importable yet: code cross-check skipped")
    from helpers import gazetteer

    return gazetteer


def test_district_columns_and_crs(simple, full):
    for gdf in (simple, full):
        assert list(gdf.columns) == boundaries.DISTRICT_COLUMNS
        assert gdf.crs.to_string() == boundaries.STORAGE_CRS == "EPSG:4326"
        for col in ("district_code", "province_code", "district_name", "geometry_source"):
            assert pd.api.types.is_string_dtype(gdf[col]), col
    assert boundaries.MAP_CRS == "EPSG:3405"
    assert boundaries.to_map_crs(simple).crs.to_epsg() == 3405


def test_705_districts_unique_codes_valid_geometry(simple, full):
    for gdf in (simple, full):
        assert len(gdf) == 705
        assert gdf["district_code"].is_unique
        assert gdf["district_code"].str.fullmatch(r"\d{3}").all()
        assert gdf["province_code"].str.fullmatch(r"\d{2}").all()
        assert set(gdf["geometry_source"]) <= set(boundaries.GEOMETRY_SOURCES)
        has_geom = gdf["geometry_source"] != "missing"
        assert gdf.geometry[has_geom].is_valid.all()
        assert not gdf.geometry[has_geom].is_empty.any()
        assert gdf.geometry[~has_geom].is_empty.all()
        assert gdf.geom_type[has_geom].isin(["Polygon", "MultiPolygon"]).all()
    assert (simple["district_code"] == full["district_code"]).all()


def test_areas_plausible(simple):
    areas = simple.set_index("district_code")["area_km2"]
    assert areas.gt(0).all()
    # Total land of Việt Nam is about 331,000 km²; the polygons omit some sea and islands.
    assert 300_000 < areas.sum() < 340_000
    # Ba Đình (Hà Nội, 001) is about 9 km²; Mường Tè (Lai Châu, 107) about 2,680 km².
    assert 8 < areas["001"] < 10.5
    assert 2_500 < areas["107"] < 2_800


def test_codes_match_gazetteer(simple):
    gazetteer = _gazetteer()
    gaz = gazetteer.districts().set_index("district_code")
    assert set(simple["district_code"]) == set(gaz.index)
    ours = simple.set_index("district_code")
    assert (ours["province_code"] == gaz.loc[ours.index, "province_code"]).all()


def test_63_provinces_and_34_new_provinces():
    prov = boundaries.provinces()
    assert len(prov) == 63 and prov["province_code"].is_unique
    assert prov.geometry.is_valid.all() and not prov.geometry.is_empty.any()
    assert prov.set_index("province_code").loc["22", "geometry_source"] == "2025_outline"
    new = boundaries.provinces_2025()
    assert len(new) == 34 and new["province_2025_code"].is_unique
    assert new.geometry.is_valid.all() and not new.geometry.is_empty.any()
    assert new.crs.to_string() == "EPSG:4326"
    # The 2025 provinces tile the same country as the 63 old ones (within a few percent).
    assert new["area_km2"].sum() == pytest.approx(prov["area_km2"].sum(), rel=0.05)


def test_province_layers_agree_with_gazetteer():
    gazetteer = _gazetteer()
    assert set(boundaries.provinces()["province_code"]) == set(
        gazetteer.provinces()["province_code"]
    )
    assert set(boundaries.provinces_2025()["province_2025_code"]) == set(
        gazetteer.provinces_2025()["province_2025_code"]
    )


def test_archipelagos_present():
    arch = boundaries.archipelagos()
    assert set(arch["name"]) == {"Hoàng Sa", "Trường Sa"}
    assert arch.geometry.is_valid.all() and not arch.geometry.is_empty.any()
    centroids = arch.to_crs(boundaries.MAP_CRS).centroid.to_crs(4326)
    by_name = dict(zip(arch["name"], centroids, strict=True))
    assert by_name["Hoàng Sa"].y > 15 and by_name["Trường Sa"].y < 12
    assert all(p.x > 110 for p in by_name.values())


def test_quang_ninh_flagged_and_inside_province(simple):
    qn = simple[simple["province_code"] == "22"]
    assert len(qn) == 13
    assert set(qn["geometry_source"]) <= {"rebuilt_from_2025_communes", "missing"}
    assert (simple.loc[simple["province_code"] != "22", "geometry_source"] == "dvhcvn").all()
    outline = boundaries.provinces(simplified=False).set_index("province_code").geometry["22"]
    rebuilt = qn[qn["geometry_source"] == "rebuilt_from_2025_communes"]
    assert len(rebuilt) >= 12
    full_qn = boundaries.districts(simplified=False)
    full_qn = full_qn[full_qn["province_code"] == "22"]
    assert shapely.union_all(full_qn.geometry.to_numpy()).difference(
        outline.buffer(1e-6)
    ).area < 1e-8


def test_quang_ninh_assignment_every_2025_commune_matched():
    assignment = boundaries.quang_ninh_assignment()
    wards = datasets.registry()
    files = {p.rsplit("/", 1)[1][:5] for p in wards if "/22_quang_ninh/wards/" in p}
    assert set(assignment["file_code"]) == files
    assert (assignment["matched_by"] != "unmatched").all()
    assert assignment["share"].between(0.5, 1).all()
    # Cô Tô's three old communes make the special zone Cô Tô (07192).
    row = assignment.set_index("commune_2025_code").loc["07192"]
    assert row["district_code"] == "207" and row["n_old_communes"] == 3


def test_quang_ninh_links_agree_with_gazetteer():
    gazetteer = _gazetteer()
    ours = boundaries._commune_links("22")
    cw = gazetteer.crosswalk_2025("commune")
    theirs = cw[cw["commune_code"].isin(set(ours["commune_code"]))]
    pairs = lambda df: set(zip(df["commune_code"], df["commune_2025_code"], strict=True))  # noqa: E731
    assert pairs(ours) == pairs(theirs)


def test_missing_note_names_what_is_approximate(simple):
    note = boundaries.missing_note(simple)
    assert "Quảng Ninh" in note and "13" in note
    assert "gần đúng" in note and "approximate" in note
    dvhcvn_only = simple[simple["geometry_source"] == "dvhcvn"]
    assert boundaries.missing_note(dvhcvn_only) == ""
    fake = pd.DataFrame(
        {"geometry_source": ["missing", "dvhcvn"], "province_name": ["Tỉnh Thử", "Hà Nội"]}
    )
    note = boundaries.missing_note(fake)
    assert "1 huyện (Tỉnh Thử)" in note and "no boundary" in note


def test_cache_small_and_reused(simple):
    paths = boundaries.cache_paths()
    assert paths["simplified"].is_file() and paths["full"].is_file()
    assert paths["simplified"].parent == datasets.cache_dir() / "derived" / "boundaries"
    assert paths["simplified"].stat().st_size < 5 * 1024 * 1024
    before = (boundaries.BUILD_COUNT["builds"], paths["simplified"].stat().st_mtime_ns)
    again = boundaries.districts()
    after = (boundaries.BUILD_COUNT["builds"], paths["simplified"].stat().st_mtime_ns)
    assert before == after
    assert again.equals(simple)


def test_cache_key_changes_with_inputs(monkeypatch):
    key = boundaries.cache_key()
    assert key == boundaries.cache_key()
    reg = dict(datasets.registry())
    path = next(p for p in reg if p.endswith("/data/gis/01.json"))
    reg[path] = datasets.DataFile(path, "0" * 64, reg[path].size)
    monkeypatch.setattr(datasets, "registry", lambda: reg)
    assert boundaries.cache_key() != key
    monkeypatch.setattr(boundaries, "SIMPLIFY_TOLERANCE_M", 123.0)
    assert boundaries.cache_key() != key


def test_simplified_is_a_valid_coverage_without_slivers(simple, full):
    s = boundaries.to_map_crs(simple).geometry.to_numpy()
    f = boundaries.to_map_crs(full).geometry.to_numpy()
    assert shapely.coverage_is_valid(s)  # no overlaps, shared edges identical
    # Neighbours stay neighbours (a pair touching only along a few hundred metres may
    # shrink to nothing), and no new neighbours appear.
    pairs_f = shapely.STRtree(f).query(f, predicate="intersects")
    pairs_f = pairs_f[:, pairs_f[0] < pairs_f[1]]
    assert pairs_f.shape[1] > 1500
    kept = shapely.intersects(s[pairs_f[0]], s[pairs_f[1]])
    assert (~kept).sum() <= 3
    pairs_s = shapely.STRtree(s).query(s, predicate="intersects")
    pairs_s = {tuple(p) for p in pairs_s.T if p[0] < p[1]}
    assert pairs_s <= {tuple(p) for p in pairs_f.T}
    # Shared borders: along them the two simplified neighbours meet along a line.
    sample = pairs_f[:, kept][:, ::8]
    border = shapely.intersection(s[sample[0]], s[sample[1]])
    assert (shapely.get_dimensions(border) <= 1).all()  # no overlap
    # The union of two neighbours has no new sliver gap, and its outline moves on average
    # by less than half the tolerance (area moved < tolerance/2 x perimeter).
    union_s = shapely.coverage_union_all(np.stack([s[sample[0]], s[sample[1]]], axis=1), axis=1)
    union_f = shapely.union(f[sample[0]], f[sample[1]])
    holes = lambda g: shapely.get_num_interior_rings(shapely.get_parts(g)).sum()  # noqa: E731
    assert all(holes(a) <= holes(b) for a, b in zip(union_s, union_f, strict=True))
    diff = shapely.area(shapely.symmetric_difference(union_s, union_f))
    tol = boundaries.SIMPLIFY_TOLERANCE_M
    assert (diff < 0.5 * tol * shapely.length(union_s)).all()
    # Nationally, simplification moves less than 0.5 % of the area.
    assert abs(shapely.area(s).sum() / shapely.area(f).sum() - 1) < 0.005


def test_area_is_from_full_geometry(simple, full):
    assert np.allclose(simple["area_km2"], full["area_km2"])
    recomputed = full.to_crs(boundaries.AREA_CRS).area / 1e6
    assert np.allclose(recomputed, full["area_km2"], atol=0.01)


def test_strip_type_words():
    assert boundaries._strip_type("Thành Phố Bắc Kạn") == ("Bắc Kạn", "Thành phố")
    assert boundaries._strip_type("Thị Xã Mường Lay", "Thị xã") == ("Mường Lay", "Thị xã")
    assert boundaries._strip_type("Huyện Tam Đảo") == ("Tam Đảo", "Huyện")


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("NTM_CACHE_DIR", str(tmp_path))
    paths = boundaries.cache_paths()
    assert str(paths["simplified"]).startswith(str(tmp_path))
    assert os.fspath(paths["full"]).endswith(".gpkg")


def test_outline_gaps_and_region_counts(simple):
    gaps = boundaries.outline_gaps(simple, boundaries.provinces())
    assert len(gaps) == 63 and gaps["province_code"].is_unique
    # Most provinces are tiled by their districts to within 1 km².
    assert (gaps["uncovered_km2"].abs() <= 1).sum() >= 55
    table = pd.DataFrame({"province_code": ["01", "22"], "region": ["a", "b"]})
    counts = boundaries.counts_by_region(simple, table).set_index("region")
    assert counts.loc["total", "districts_2022"] == 705
    assert counts.loc["b", "approximate_geometry"] == 13
    assert counts.loc["(none)", "provinces"] == 61  # provinces without a region are kept


def test_national_map_frame(simple):
    import matplotlib.pyplot as plt

    from helpers import maps_base

    axes = maps_base.national_axes(simple, boundaries.archipelagos())
    try:
        assert set(axes.insets) == {"Hoàng Sa", "Trường Sa"}
        x0, y0, x1, y1 = axes.mainland_box
        assert x1 - x0 > 700_000 and y1 - y0 > 1_500_000  # metres in EPSG:3405
        # the islands are outside the mainland box: drawn in the insets only
        arch = boundaries.to_map_crs(boundaries.archipelagos())
        assert not arch.geometry.intersects(shapely.box(*axes.mainland_box)).any()
        maps_base.draw(axes, boundaries.archipelagos(), facecolor="#888888")
        assert all(ax.collections for ax in axes.insets.values())
        borders = maps_base.province_borders(simple)
        assert len(borders) == 63
    finally:
        plt.close(axes.fig)


def test_schema_validation_catches_bad_rows(simple):
    boundaries._validate("districts", simple)
    broken = simple.copy()
    broken.loc[broken.index[1], "district_code"] = broken.loc[broken.index[0], "district_code"]
    with pytest.raises(Exception, match="district_code"):
        boundaries._validate("districts", broken)
    wrong_source = simple.copy()
    wrong_source.loc[wrong_source.index[0], "geometry_source"] = "guessed"
    with pytest.raises(Exception, match="geometry_source"):
        boundaries._validate("districts", wrong_source)


def test_damaged_cache_is_rebuilt(simple, monkeypatch, tmp_path):
    good = boundaries.cache_paths()
    paths = {kind: tmp_path / path.name for kind, path in good.items()}
    shutil.copy(good["full"], paths["full"])
    paths["simplified"].write_bytes(b"not a geopackage")
    builds = []

    def fake_build(p):  # stands in for the slow build: restores good files
        builds.append(p)
        for kind in p:
            shutil.copy(good[kind], p[kind])

    monkeypatch.setattr(boundaries, "cache_paths", lambda: paths)
    monkeypatch.setattr(boundaries, "_build_cache", fake_build)
    with pytest.warns(UserWarning, match="unreadable"):
        again = boundaries.districts()
    assert len(builds) == 1 and len(again) == 705
    paths["full"].unlink()  # an incomplete cache is rebuilt without a warning
    assert len(boundaries.provinces()) == 63 and len(builds) == 2
