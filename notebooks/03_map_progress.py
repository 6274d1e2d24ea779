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
# # 03 · Maps of NTM progress
#
# Report-ready maps of the district-year panel (`helpers.panel`, built in notebook 02) with
# `helpers.maps`: national and province choropleths, the same map over the years on one
# scale, the 34 provinces of July 2025 over the old districts, and an interactive map that
# works offline.
#
# **What the colours rest on.** District status comes from the reference recognitions table
# (about three quarters of the ~329 district-level units recognised by mid-2025, many without
# a year) plus the extracted reports; the extracted records alone are too thin for national
# maps. "No data" never means "not recognised". Districts whose status is only inferred from a
# province-wide statement (INFERRED / COMPLETENESS rows) are dotted. Urban districts (*quận*)
# have no rural communes and are outside the programme.
#
# **One-province report.** Set `province` in the parameters cell to a GSO province code
# (e.g. `"26"` for Vĩnh Phúc) — with papermill: `-p province 26` — and the province maps and
# the interactive map are drawn for that province; `None` gives the national report with one
# example province.

# %% tags=["parameters"]
province = None  # GSO province code ("01" … "96") for a one-province report, or None
example_province = "37"  # drawn when province is None (Ninh Bình)
year = 2025
standard = "ntm"
years_small_multiples = [2016, 2019, 2022, 2025]
DATA_DATE = "2025-06"

# %%
import time

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from helpers import figures, maps, panel, paths, records

t_start = time.perf_counter()
figures.use_style()
pd.set_option("display.width", 160)
print("../shared:", "present" if paths.shared_dir() else "absent — maps use the committed "
      "data/ tables only (data/derived/records.csv, data/reference/)")
if province is not None:
    province = str(province).zfill(2)
focus = province or example_province
tag = f"_{focus}"

# %%
recs = records.load_records()
dpanel = panel.district_panel(recs, panel.reference_status())
status = dpanel.loc[dpanel["year"] == year, f"{standard}_status"].value_counts(dropna=False)
print(f"{standard} status of the 705 districts in {year}:")
display(status)

# %% [markdown]
# ## National maps

# %%
if province is None:
    fig = maps.choropleth(dpanel, f"{standard}_status", year=year, data_date=DATA_DATE)
    figures.save(fig, f"03_{standard}_status_{year}")
    plt.show()

# %% [markdown]
# When was each district recognised? The year is the *standard year* where the source gives it
# (else the decision's year, else only "by mid-2025").

# %%
if province is None:
    fig = maps.choropleth(dpanel, f"{standard}_period", year=year, data_date=DATA_DATE)
    figures.save(fig, f"03_{standard}_period")
    plt.show()

# %% [markdown]
# The same status over the years, one shared scale:

# %%
if province is None:
    fig = maps.small_multiples(dpanel, f"{standard}_status", years_small_multiples,
                               ncols=len(years_small_multiples), data_date=DATA_DATE)
    figures.save(fig, f"03_{standard}_status_small_multiples")
    plt.show()

# %% [markdown]
# ## The July 2025 reform
#
# The 34 provinces of 1 July 2025 over the old districts, coloured by district status, and the
# panel aggregated to the new provinces (share of *rural* districts recognised; a district
# split between two new provinces counts in the one that took most of its communes).

# %%
if province is None:
    fig = maps.provinces_2025_map(dpanel, f"{standard}_status", year, data_date=DATA_DATE)
    figures.save(fig, "03_provinces_2025_over_districts")
    plt.show()
agg = panel.aggregate_2025(dpanel)
if province is None:
    fig = maps.province_2025_choropleth(agg, f"{standard}_districts_share", year,
                                        data_date=DATA_DATE)
    figures.save(fig, f"03_{standard}_districts_share_2025_provinces")
    plt.show()
display(agg[agg["year"] == year][["province_2025_name", "n_rural_districts",
                                  f"{standard}_districts_recognised",
                                  f"{standard}_districts_share"]]
        .sort_values(f"{standard}_districts_share", ascending=False).round(2)
        .set_index("province_2025_name").T)

# %% [markdown]
# ## Province view

# %%
fig = maps.choropleth(dpanel, f"{standard}_status", year=year, region=focus,
                      data_date=DATA_DATE)
figures.save(fig, f"03_{standard}_status_{year}{tag}")
plt.show()

# %%
fig = maps.small_multiples(dpanel, f"{standard}_status", years_small_multiples,
                           region=focus, data_date=DATA_DATE)
figures.save(fig, f"03_{standard}_status_small_multiples{tag}")
plt.show()

# %%
cols = ["district_name", "district_type", f"{standard}_status", f"{standard}_since",
        f"{standard}_year_basis", f"{standard}_inferred", f"{standard}_communes_met",
        f"{standard}_communes_total", f"{standard}_communes_named", f"{standard}_doc_id"]
table = dpanel[(dpanel["province_code"] == focus) & (dpanel["year"] == year)][cols]
display(table.set_index("district_name"))

# %% [markdown]
# ## Interactive map (offline HTML)
#
# One self-contained file (Leaflet inlined, no network): hover a district for its status and
# source document.

# %%
html_path = maps.interactive_map(dpanel, f"{standard}_status", year,
                                 paths.FIGURES / f"03_{standard}_status_{year}"
                                 f"{'' if province is None else tag}.html", region=province)
shown = (html_path.relative_to(paths.ROOT) if html_path.is_relative_to(paths.ROOT)
         else html_path)
print(f"wrote {shown} ({html_path.stat().st_size / 1e6:.1f} MB)")
print(f"notebook ran in {time.perf_counter() - t_start:.0f} s")
