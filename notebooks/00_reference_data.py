# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 · Reference data: units, codes and boundaries
#
# Everything else in the atlas stands on two layers built here from published files:
#
# * the **gazetteer** (`helpers.gazetteer`): the official units with GSO codes (63 provinces,
#   705 districts of the 2022-10 list, ~10,600 communes), their 2025-03 successors and the
#   July 2025 crosswalk, and a resolver that turns a Vietnamese place name into a code;
# * the **boundaries** (`helpers.boundaries`): district polygons of the same 2021–23 vintage,
#   the 63 old and 34 new (2025) provinces, and the Hoàng Sa / Trường Sa archipelagos.
#
# Layers are joined on codes, never on names; they are stored in EPSG:4326 and drawn in
# EPSG:3405 (VN-2000 / UTM 48N); areas come from an equal-area CRS. Public files are read
# through `helpers.datasets.fetch` (pinned sha256, mirror via `NTM_DATA_MIRROR`); nothing
# here reads `../shared`'s reports, so the notebook runs the same where `../shared` is absent.

# %% tags=["parameters"]
SIMPLIFIED = True  # the coverage-simplified layer (national maps); False = full resolution
# (name, unit, province) queries for the resolver table; names only, no report text.
RESOLVE_QUERIES = [
    ("Hoà Bình", "province", None),
    ("Hòa Bình", "province", None),
    ("Thuỷ Nguyên", "district", None),
    ("Đăk Lăk", "province", None),
    ("Dak Lak", "province", None),
    ("TP. Hồ Chí Minh", None, None),
    ("huyện Tam Đảo", None, None),
    ("Tam Đảo", None, None),
    ("Phan Rang - Tháp Chàm", None, None),
    ("Minh Quang", "commune", None),
    ("Minh Quang", "commune", "Vĩnh Phúc"),
    ("Hoành Bồ", "district", None),
]
RESOLVE_GROUP = ["Hồ Sơn", "Minh Quang"]

# %%
import time

import pandas as pd
from IPython.display import display

from helpers import boundaries, figures, gazetteer, maps, paths

pd.set_option("display.max_colwidth", 80)
pd.set_option("display.width", 160)
print("../shared present:", paths.shared_dir() is not None,
      "(not needed here: every input is a pinned public file)")

start = time.perf_counter()
districts = boundaries.districts(simplified=SIMPLIFIED)
print(f"district layer: {len(districts)} rows in {time.perf_counter() - start:.2f} s "
      f"(first run builds the cache; later runs read it)")
provinces = boundaries.provinces(simplified=SIMPLIFIED)
provinces_2025 = boundaries.provinces_2025(simplified=SIMPLIFIED)
archipelagos = boundaries.archipelagos()

# %% [markdown]
# ## The layers
#
# One row per layer: rows, CRS, where the geometry comes from, total area (km², from the
# full-resolution geometry) and the cached GeoPackage it is read from
# (`helpers.datasets.cache_dir()/derived/boundaries/`, named by a hash of the pinned inputs
# and the code, so a stale cache is rebuilt).

# %%
summary = boundaries.layer_summary()
display(summary)
for kind, path in boundaries.cache_paths().items():
    print(f"cache {kind}: {path.name}, {path.stat().st_size / 1e6:.2f} MB")
print(boundaries.missing_note(districts))

# %% [markdown]
# The district polygons do not always fill their province outline: the table lists the
# provinces where the outline and the sum of its district polygons differ by more than
# 1 km² (both from full-resolution geometry). These gaps are in the source data; maps draw
# them grey ("no district polygon"). Quảng Ninh's gap comes from the 2025 communes used to
# rebuild it.

# %%
gaps = boundaries.outline_gaps(districts, provinces)
display(gaps[gaps["uncovered_km2"].abs() > 1])

# %% [markdown]
# ### Quảng Ninh, rebuilt from its 2025 communes
#
# The mirror lacks Quảng Ninh's district file (`dvhcvn/.../gis/22.json`), and it is not
# pinned in the registry, so the project never downloads it. Its 13 districts are rebuilt
# approximately: each of its 54 communes of 2025 goes to the old district that contributed
# most of its old communes (official 2025 conversion), then communes are dissolved and
# clipped to the province outline (unchanged in 2025). Rows where the 2025 commune drew on
# more than one old district are where the rebuilt borders are least certain.

# %%
assignment = boundaries.quang_ninh_assignment()
print(f"{len(assignment)} communes of 2025 assigned; matched to a polygon file by code: "
      f"{(assignment['matched_by'] == 'code').sum()}, by point: "
      f"{(assignment['matched_by'] == 'point').sum()}, unmatched: "
      f"{(assignment['matched_by'] == 'unmatched').sum()}")
display(assignment[assignment["share"] < 1])
qn = districts[districts["province_code"] == "22"]
display(qn[["district_code", "district_name", "district_type", "geometry_source", "area_km2"]])

# %% [markdown]
# ## Counts by region
#
# Provinces and districts per socio-economic region (GSO's six regions, from
# `data/reference/regions.csv` through `gazetteer.provinces()`): the 705 districts of the
# boundary vintage (2022-10) and the 696 of the 2025-03 list, with their land area.

# %%
by_region = boundaries.counts_by_region(
    districts, gazetteer.provinces(), gazetteer.districts(vintage="2025-03")
)
by_region.insert(1, "region_vi", by_region["region"].map(gazetteer.REGIONS).fillna(""))
display(by_region)

# %% [markdown]
# ## Districts that changed, 2010–2025
#
# What the data can show: the two official unit lists the gazetteer holds, 2022-10 (the
# boundary vintage, 705 districts) and 2025-03 (696), compared by GSO code
# (`gazetteer.district_changes()`): districts abolished in the 2023–25 mergers (with the
# district that took most of their communes), districts created, renamed, or whose type
# changed (huyện → thị xã → thành phố …). Spelling-only differences (Hoà/Hòa) are not
# changes. The merge links come from the communes, whose codes stay stable when districts
# merge (`gazetteer.district_merges()`, below).
#
# What it cannot show: changes between 2010 and the 2022-10 list (district mergers, splits
# and upgrades before late 2022, e.g. Hoành Bồ, merged into Hạ Long before the 2022-10 list):
# the project has no earlier unit list, and the district polygons (2021–23) already reflect
# them. Reports from 2010–2022 that name such a former district resolve as "unknown" (see
# the resolver table below) and are listed, not guessed. On 1 July 2025 the district level
# itself was abolished (34 provinces, communes directly below them; last section).

# %%
changes = gazetteer.district_changes()
print("2022-10 → 2025-03, by kind of change:",
      changes["change"].value_counts().to_dict())
display(changes)
merges = gazetteer.district_merges()
print(f"{merges['old_district_code'].nunique()} districts of the 2022-10 list lost communes "
      f"in 2023–25; {merges['old_district_abolished'].sum()} merge links abolish the old district")
display(merges)

# %% [markdown]
# ## The national district map
#
# 705 districts filled by region in the project's one national map frame
# (`helpers.maps.category_map`, the same as every choropleth): province borders, the
# districts of the 2023–25 merges outlined, Quảng Ninh's rebuilt districts dashed and named
# under the map, the archipelagos in insets, scale bar and north arrow. Land inside a
# province outline that no district polygon covers (table above) stays blank.

# %%
REGION_COLORS = ["#8fb8de", "#f2b880", "#9fd39b", "#e8a0a8", "#c3b1e1", "#d9c89e"]
region = gazetteer.provinces().set_index("province_code")["region"]
merged = set(merges["old_district_code"]) | set(merges["new_district_code"])
fig = maps.category_map(
    districts.assign(region=districts["province_code"].map(region)),
    "region",
    {k: (c, v) for (k, v), c in zip(gazetteer.REGIONS.items(), REGION_COLORS, strict=True)},
    title="705 huyện (danh mục 10/2022) theo vùng\n705 districts by socio-economic region",
    legend_title="Vùng kinh tế - xã hội / region (số huyện / districts)",
    highlight=merged,
    highlight_label="Huyện sáp nhập 2023–25 / merged 2023–25",
    source="dvhcvn (GPL-3.0); vietnamese-provinces-database (MIT); vùng / regions: GSO",
    data_date="2022-10-01",
)
written = figures.save(fig, "00_districts_national")
print("written:", ", ".join(p.name for p in written))

# %% [markdown]
# ## Name variants the gazetteer resolves
#
# Reports spell the same unit in several ways: old and new tone placement (Hoà/Hòa,
# Thuỷ/Thủy), Đắk/Đăk/Dak, with or without accents, type words or "TP.". The resolver
# returns one code, or says "ambiguous" with every candidate (it never guesses), or
# "unknown". A set of communes named together resolves to the district containing all of
# them. Hoành Bồ, a district merged into Hạ Long before the 2022-10 list, is "unknown" as a
# district: changes older than the boundary vintage are outside these data.

# %%
rows = []
for name, unit, province in RESOLVE_QUERIES:
    r = gazetteer.resolve(name, unit=unit, province=province)
    rows.append({"query": name, "unit": unit or "", "province": province or "",
                 "status": r.status, "code": r.code or "", "resolved": r.name,
                 "candidates": len(r.candidates), "note": r.note or r.match})
group = gazetteer.resolve_group(RESOLVE_GROUP, unit="commune")
rows.append({"query": " + ".join(RESOLVE_GROUP), "unit": "commune group", "province": "",
             "status": group.status, "code": group.code or "", "resolved": group.name,
             "candidates": len(group.candidates), "note": group.note or group.match})
display(pd.DataFrame(rows))

# %% [markdown]
# ## The 2025 provinces over the old districts
#
# Since 1 July 2025 there are 34 provinces and no districts. Each old district lies in one
# new province (the reform merged whole provinces), so district-level results can still be
# summed to the new provinces with `gazetteer.crosswalk_2025("district")`. The map
# (`helpers.maps.provinces_2025_map`, also used by notebook 03) draws the 34 new provinces
# (red, named) over the 705 old districts, with the 63 old provinces dashed.

# %%
main_2025 = gazetteer.main_province_2025()  # also used by helpers.panel
split = int(main_2025["province_2025_split"].sum())
unmapped = int((~districts["district_code"].isin(main_2025.index)).sum())
print(f"districts split across 2025 provinces: {split}; without a 2025 province: {unmapped}")
display(main_2025[main_2025["province_2025_split"]])
fig = maps.provinces_2025_map(data_date="2025-07-01")
written = figures.save(fig, "00_provinces_2025_overlay")
print("written:", ", ".join(p.name for p in written))
