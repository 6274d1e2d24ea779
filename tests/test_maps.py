"""Maps: classification, static maps with missing data, small multiples, offline HTML."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon

from helpers import figures, maps

pytestmark = pytest.mark.usefixtures("mirror")


def tiny_panel(codes: list[str], years=(2020, 2025)) -> pd.DataFrame:
    """A hand-made panel: every other district recognised, one lost, the rest unknown."""
    rows = []
    for y in years:
        for i, code in enumerate(codes):
            status = ["recognised", None, "lost", "not_recognised"][i % 4]
            rows.append({"district_code": code, "year": y, "ntm_status": status,
                         "ntm_since": 2019 if status == "recognised" else pd.NA,
                         "ntm_year_basis": "standard_year" if status == "recognised" else pd.NA,
                         "ntm_inferred": i == 0,
                         "ntm_communes_share": (i % 5) / 4 if i % 3 else pd.NA,
                         "ntm_communes_met": i if i % 3 else pd.NA,
                         "ntm_doc_id": f"doc{i}"})
    p = pd.DataFrame(rows)
    p["ntm_status"] = p["ntm_status"].astype("string")
    p["ntm_since"] = p["ntm_since"].astype("Int64")
    return p


@pytest.fixture(scope="module")
def layer():
    return maps._layer("districts")


def codes_of(layer, province):
    return sorted(layer.loc[layer["province_code"] == province, "district_code"])


def texts(fig) -> str:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [ax.get_title()]
        leg = ax.get_legend()
        if leg:
            out += [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]
    for leg in fig.legends:
        out += [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]
    return " ".join(" ".join(out).split())


def test_classify_defaults():
    share = maps.classify(pd.Series([0.0, 0.1, 0.5, 0.95, None]), "ntm_communes_share")
    assert share.labels == ["0–20 %", "20–40 %", "40–60 %", "60–80 %", "80–100 %"]
    assert list(share.codes) == [0, 0, 2, 4, -1]
    status = maps.classify(pd.Series(["recognised", "lost", None]), "ntm_status")
    assert list(status.codes) == [0, 1, -1]
    counts = pd.Series(range(40), dtype="Int64")
    a = maps.classify(counts, "ntm_communes_met")
    b = maps.classify(counts, "ntm_communes_met")
    assert len(a.labels) == 5 and list(a.codes) == list(b.codes)  # deterministic
    few = maps.classify(pd.Series([3, 3, 7]), "ntm_communes_met")
    assert len(few.labels) == 2


def test_province_map_with_missing_data(layer):
    p = tiny_panel(codes_of(layer, "22") + codes_of(layer, "01"))
    fig = maps.choropleth(p, "ntm_status", year=2025, region="22", data_date="2025-06")
    t = texts(fig)
    assert "Không có số liệu / no data" in t
    assert "Quảng Ninh" in t  # title, and the approximate-boundary note names the province
    assert "gần đúng" in t or "không có ranh giới" in t
    assert "Nguồn / Source" in t
    plt.close(fig)


def test_map_renders_with_missing_geometry(layer, monkeypatch):
    broken = layer.copy()
    code = codes_of(layer, "01")[0]
    broken.loc[broken["district_code"] == code, "geometry"] = Polygon()
    broken.loc[broken["district_code"] == code, "geometry_source"] = "missing"
    monkeypatch.setattr(maps, "_layer", lambda name: broken.copy() if name == "districts"
                        else maps._projected_layer(name).copy())
    p = tiny_panel(codes_of(layer, "01"))
    fig = maps.choropleth(p, "ntm_communes_share", year=2025, region="01")
    t = texts(fig)
    assert "không có ranh giới" in t and "no boundary available" in t
    assert "no boundary (1)" in t
    assert "% số xã" in t  # legend names its unit
    plt.close(fig)


def test_national_map_has_archipelago_insets_and_scale(layer):
    p = tiny_panel(sorted(layer["district_code"]), years=(2025,))
    fig = maps.choropleth(p, "ntm_period", year=2025)
    t = texts(fig)
    assert "Quần đảo Hoàng Sa" in t and "Quần đảo Trường Sa" in t
    assert "N" in t  # north arrow
    from matplotlib_scalebar.scalebar import ScaleBar

    assert any(isinstance(a, ScaleBar) for a in fig.axes[0].artists)
    assert "Suy ra" in t  # the inferred district is marked
    plt.close(fig)


def colour_at(ax, point) -> tuple | None:
    """The fill colour drawn at ``point`` (map CRS) on ``ax``: the first filled path there."""
    for coll in ax.collections:
        fc = coll.get_facecolors()
        if len(fc) == 0:
            continue
        for i, path in enumerate(coll.get_paths()):
            if path.contains_point((point.x, point.y)):
                c = fc[i % len(fc)]
                if c[3] > 0:
                    return tuple(np.round(c, 3))
    return None


def test_small_multiples_share_one_scale(layer):
    codes = codes_of(layer, "01")
    p = tiny_panel(codes, years=(2020, 2025))
    y20, y25 = p["year"] == 2020, p["year"] == 2025
    base = pd.Series([i % 6 for i in range(len(codes))], dtype="Int64")
    p.loc[y20, "ntm_communes_met"] = base.to_numpy()  # 0..5 in 2020
    p.loc[y25, "ntm_communes_met"] = (base * 5).to_numpy()  # 0..25 in 2025
    same, other = codes[1], codes[2]
    p.loc[p["district_code"] == same, "ntm_communes_met"] = 5  # 5 in both years
    p.loc[y25 & (p["district_code"] == other), "ntm_communes_met"] = 25
    fig = maps.small_multiples(p, "ntm_communes_met", [2020, 2025], region="01")
    assert len(fig.legends) == 1
    panels = {ax.get_title(): ax for ax in fig.axes if ax.get_title() in ("2020", "2025")}
    assert set(panels) == {"2020", "2025"}
    at = layer.set_index("district_code").geometry.representative_point()
    c20, c25 = colour_at(panels["2020"], at[same]), colour_at(panels["2025"], at[same])
    assert c20 is not None and c20 == c25  # one value, one colour in every panel
    # per-panel scales would put 5 in the top class of 2020 but not of 2025
    assert colour_at(panels["2025"], at[other]) != c25  # 25 ≠ 5: another colour
    plt.close(fig)


def test_save_is_deterministic(layer, tmp_path):
    p = tiny_panel(codes_of(layer, "26"))
    digests = []
    for run in range(2):
        fig = maps.choropleth(p, "ntm_status", year=2025, region="26", data_date="2025-06",
                              figsize=(4, 5))
        out = figures.save(fig, "m", formats=("png", "svg"), outdir=tmp_path / str(run))
        digests.append([hashlib.sha256(f.read_bytes()).hexdigest() for f in out])
        plt.close(fig)
    assert digests[0] == digests[1]


def test_provinces_2025_map(layer):
    fig = maps.provinces_2025_map()
    t = texts(fig)
    assert "34" in t and "Hà Nội" in t
    plt.close(fig)


@pytest.fixture(scope="module")
def html_map(layer, tmp_path_factory):
    codes = codes_of(layer, "01") + codes_of(layer, "26")
    p = tiny_panel(codes)
    path = tmp_path_factory.mktemp("html") / "map.html"
    maps.interactive_map(p, "ntm_status", 2025, path, region="red_river_delta")
    return path, len(layer[layer["province_code"].isin(
        set(layer.loc[layer["district_code"].isin(codes), "province_code"]) |
        maps._region_provinces("red_river_delta")[0])])


def test_html_is_self_contained(html_map):
    path, _ = html_map
    text = path.read_text(encoding="utf-8")
    assert maps.network_references(text) == []
    assert "L.geoJson" in text or "L.geoJSON" in text or "geoJson" in text
    assert "Leaflet" in text  # inlined library
    name = "Huyện Ba Vì"
    assert name in text or json.dumps(name)[1:-1] in text  # JSON may escape diacritics
    assert "ntm-legend" in text


def test_html_is_deterministic(html_map, layer, tmp_path):
    """folium's random element ids are replaced, so the same map writes the same bytes."""
    path, _ = html_map
    again = tmp_path / "again.html"
    p = tiny_panel(codes_of(layer, "01") + codes_of(layer, "26"))
    maps.interactive_map(p, "ntm_status", 2025, again, region="red_river_delta")
    assert again.read_bytes() == path.read_bytes()


def test_html_renders_in_headless_chromium(html_map, tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("headless Chromium is not installed (Debian package 'chromium'); "
                    "the offline HTML map is not checked in a browser here")
    path, n_districts = html_map
    run = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120)
    dom = run.stdout
    assert "leaflet-container" in dom, run.stderr[-2000:]
    drawn = dom.count('class="leaflet-interactive"')
    assert drawn >= n_districts * 0.9, (drawn, n_districts)
    assert 'id="ntm-legend"' in dom


def test_province_2025_choropleth():
    agg = pd.DataFrame({"province_2025_code": ["01", "48", "56"], "year": 2025,
                        "ntm_districts_share": [0.6, 0.1, None]})
    fig = maps.province_2025_choropleth(agg, "ntm_districts_share", 2025)
    t = texts(fig)
    assert "Quần đảo Hoàng Sa" in t and "60–80 %" in t and "no data" in t
    plt.close(fig)


def test_category_map_counts_missing_and_highlight(layer):
    codes = codes_of(layer, "01")
    data = pd.DataFrame({"district_code": codes, "kind": ["a", "b"] * (len(codes) // 2)
                         + ["a"] * (len(codes) % 2)})
    data.loc[0, "kind"] = "z"  # a value outside the categories counts as no data
    fig = maps.category_map(data, "kind", {"a": ("#8fb8de", "Loại A"), "b": ("#f2b880", "Loại B")},
                            title="Thử / test", highlight={codes[1]}, highlight_label="Nổi bật")
    t = texts(fig)
    n_a = int((data["kind"] == "a").sum())
    assert f"Loại A ({n_a})" in t and "Nổi bật (1)" in t
    assert f"no data ({len(layer) - len(codes) + 1})" in t
    assert "Quần đảo Trường Sa" in t and "gần đúng" in t  # insets; Quảng Ninh note
    plt.close(fig)
