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
# # 02 · From records to a district-year panel
#
# The extracted progress records (`data/derived/records.csv`, built by `make records` from the
# report corpus) carry official GSO codes where the gazetteer could resolve the place. Here
# they meet the reference facts (`data/reference/district_recognitions.csv`: Prime Minister's
# recognitions of district-level units) and the unit lists, and become **one row per district
# and year** — the 705 districts of the 2022-10 list, 2010–2025 — with, for every value, the
# document, URL and character span it came from (`helpers.panel`).
#
# Rules the panel follows (see `helpers.panel.district_panel`'s docstring for the schema):
#
# - **Status can be lost.** A recognition holds from its year until a later report says it was
#   lost ("rớt chuẩn", modality `lost`); nothing forces progress to be monotone.
# - **Conflicts are kept.** When several reports give a value for the same district, year and
#   standard, all are kept in `observations()`; the panel — and every map — shows the
#   **latest report of that year** (by `as_of`, then publication date; records before the
#   reference table at equal dates, because they carry an evidence span) and flags the cell.
# - **Targets and expectations are not observations** (they are plans).
# - **Undated reference rows** (no standard year, no decision date) count as "recognised by
#   mid-2025" only; absence from the table never means "not recognised".
# - **July 2025 reform.** Every row carries its 2025 province (majority share of the
#   district's communes; a flag marks districts split across provinces), so the panel
#   aggregates to the 34 new provinces.

# %% tags=["parameters"]
YEARS = list(range(2010, 2026))

# %%
import time

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from helpers import figures, gazetteer, maps, panel, paths, records

t_start = time.perf_counter()
figures.use_style()
pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 14)
shared = paths.shared_dir()
print("../shared:", "present" if shared else "absent — using the committed data/ tables only "
      "(data/derived/records.csv, data/reference/)")

# %% [markdown]
# ## 1. Records and their codes
#
# Which records can be placed on a district? Only records about a *district* (status,
# communes meeting a standard, district criteria) feed the district panel directly;
# commune records feed the commune panel and the count of named communes per district.

# %%
recs = records.load_records()
print(f"{len(recs)} records from {recs['doc_id'].nunique()} documents")
by_res = (recs.assign(resolution=recs["resolution"].fillna("—"))
          .pivot_table(index="unit", columns="resolution", values="doc_id", aggfunc="size",
                       fill_value=0))
display(by_res)

# %%
recognitions = panel.reference_status()  # recognitions + PM decisions, codes resolved
print(f"{len(recognitions)} reference rows (recognitions table + decisions table); by standard:",
      recognitions["standard"].value_counts().to_dict())
print("where the district code comes from:", recognitions["code_from"].value_counts(dropna=False)
      .to_dict())
display(recognitions.loc[recognitions["code_from"] != "table",
                         ["district_name", "unit_type", "province_name", "district_code",
                          "code_from", "source"]])
display(pd.crosstab(recognitions["year_basis"],
                    recognitions["inferred"] | recognitions["completeness"],
                    margins=True).rename(columns={True: "INFERRED/COMPLETENESS", False: "named"}))

# %% [markdown]
# ## 2. The panel

# %%
obs = panel.observations(recs, recognitions)
dpanel = panel.district_panel(recs, recognitions, YEARS)
print(f"district panel: {dpanel.shape[0]} rows ({dpanel['district_code'].nunique()} districts "
      f"× {len(YEARS)} years), {dpanel.shape[1]} columns")
print("observations by source and variable:")
display(obs.groupby(["source_kind", "variable", "standard"]).size().unstack(fill_value=0))
cols = ["district_code", "district_name", "province_name", "year", "ntm_status", "ntm_since",
        "ntm_year_basis", "ntm_source", "ntm_doc_id", "ntm_communes_met", "ntm_communes_total",
        "ntm_communes_doc_id", "ntm_communes_start", "ntm_communes_end"]
display(dpanel.loc[dpanel["ntm_communes_met"].notna(), cols].head(8))

# %% [markdown]
# A district whose status was lost and regained, if the records contain one, shows the
# panel's non-monotone rule; otherwise the status sequence of a recognised district:

# %%
lost = dpanel.loc[dpanel["ntm_status"] == "lost", "district_code"].unique()
example = lost[0] if len(lost) else dpanel.loc[dpanel["ntm_year_basis"] == "standard_year",
                                                "district_code"].iloc[0]
display(dpanel.loc[dpanel["district_code"] == example,
                   ["district_name", "year", "ntm_status", "ntm_since", "ntm_status_observed",
                    "ntm_source", "ntm_doc_id"]].set_index("year").T)

# %% [markdown]
# The commune-level panel is built the same way (status per standard carried forward until a
# loss, commune criteria met, provenance). Here only the communes some record names:

# %%
cpanel = panel.commune_panel(recs, YEARS, all_communes=False)
print(f"commune panel: {cpanel['commune_code'].nunique()} communes with a record × "
      f"{len(YEARS)} years")
last = cpanel[cpanel["year"] == YEARS[-1]]
display(pd.DataFrame({s: last[f"{s}_status"].value_counts(dropna=False)
                      for s in panel.STANDARDS}).fillna(0).astype(int))

# %% [markdown]
# ## 3. Coverage, conflicts and impossible values

# %%
q = panel.quality_report(dpanel, obs, recs)
for k, v in q.summary.items():
    print(f"{k:>32}: {v}")

# %%
cov = q.coverage_by_year.set_index("year")
undated = (dpanel[(dpanel["ntm_status"] == "recognised")
                  & (dpanel["ntm_year_basis"] == "by_mid_2025")].groupby("year").size()
           .reindex(cov.index, fill_value=0))
dated = cov["ntm_recognised"] - undated
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.bar(cov.index, dated, color="#2f7d4a",
       label="NTM đã đạt, có năm / recognised, year known (reference + records)")
ax.bar(cov.index, undated, bottom=dated, color="#9e9ac8", hatch="///", edgecolor="white",
       label="Đã đạt trước 7/2025, chưa rõ năm / recognised by mid-2025, year unknown")
ax.bar(cov.index, cov["with_record"], color="#1b6ca8", width=0.45,
       label="Có số liệu trích xuất / with an extracted record")
ax.set_xlabel("Năm / year")
ax.set_ylabel("Số huyện / districts (of 705)")
ax.set_title("Độ phủ của bảng huyện–năm / panel coverage")
ax.legend(loc="upper left", fontsize=7)
fig.subplots_adjust(bottom=0.2)
figures.add_source(fig, "NTM Atlas panel (data/derived/records.csv, "
                   "data/reference/district_recognitions.csv)", "2025-06")
figures.save(fig, "02_panel_coverage_by_year")
plt.show()

# %%
by_prov = (q.coverage.groupby(["province_code", "province_name"])
           .agg(districts=("n_districts", "max"), district_years_with_record=("with_record",
                                                                                "sum"))
           .sort_values("district_years_with_record", ascending=False))
print("provinces with the most district-years covered by records:")
display(by_prov.head(12))
print(f"provinces with no district record at all: "
      f"{int((by_prov['district_years_with_record'] == 0).sum())} of {len(by_prov)}")

# %%
print(f"conflicts (same district, year, standard, variable; the panel shows the latest): "
      f"{len(q.conflicts)}")
display(q.conflicts.head(20))
print(f"impossible / implausible values: {len(q.problems)}")
display(q.problems.head(20))
print(f"observations with a code outside the 705 districts: {len(q.unmatched)}")
display(q.unmatched.head(10))
print(f"district records that cannot be placed (listed, not dropped silently): "
      f"{len(q.skipped)}")
display(q.skipped["reason"].str.replace(r"\(.*", "", regex=True).value_counts())

# %% [markdown]
# ## 4. Where the records are — and the 2025 provinces

# %%
records_total = (dpanel.groupby("district_code", as_index=False)["n_records"].sum()
                 .assign(year=0))
records_total["n_records"] = records_total["n_records"].where(records_total["n_records"] > 0)
fig = maps.choropleth(records_total, "n_records", year=0,
                      title="Số liệu tiến độ trích xuất theo huyện, 2010–2025\n"
                            "Extracted progress records per district",
                      data_date="2025-06")
figures.save(fig, "02_records_per_district")
plt.show()

# %%
agg = panel.aggregate_2025(dpanel)
latest = agg[agg["year"] == YEARS[-1]].sort_values("ntm_districts_share",
                                                     ascending=False)
display(latest[["province_2025_code", "province_2025_name", "n_districts",
                "n_rural_districts", "n_split_districts", "ntm_districts_recognised",
                "ntm_districts_share", "districts_with_record"]].round(2).head(34))
print(f"{len(latest)} provinces after the reform; districts split across 2025 provinces: "
      f"{int(dpanel.drop_duplicates('district_code')['province_2025_split'].sum())}")
print("2025 provinces:", len(gazetteer.provinces_2025()))
print(f"notebook ran in {time.perf_counter() - t_start:.0f} s")
