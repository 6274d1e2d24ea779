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
# # 05 · The published national figures, and whether our extractor agrees
#
# The programme's coordinating office (Văn phòng Điều phối NTM Trung ương, MARD) reported
# the national progress of Nông thôn mới every few months; newspapers quoted it. The
# reference table `data/reference/national_series.csv` holds those figures 2014–2025,
# one value per row, each with the address of the page it was read in and the date it
# holds on. Conflicting reports are kept side by side and flagged; shares are recomputed
# from counts (see `data/README.md` for the schema and flag list).
#
# This notebook draws the series as the reports gave them, then overlays the same numbers
# as our extractor (`helpers.extract`) reads them from the national reports in
# `../shared/corpus`, and lists every disagreement.

# %% tags=["parameters"]
SCOPE = "reference"  # "reference": the documents the reference tables cite; "corpus": every document
SHOW_ROWS = 60

# %%
import pandas as pd
from IPython.display import display

from helpers import figures, paths
from helpers import published as pub
from helpers import published_plots as plots

pd.set_option("display.max_colwidth", 60)
national = pub.load_series(which="national")
provinces = pub.load_series(which="province")
print(f"national: {len(national)} published values from {national['article'].nunique()} reports, "
      f"{national['as_of'].min()} … {national['as_of'].max()}; "
      f"{national['doc_id'].notna().sum()} of them read in a corpus document")

# %% [markdown]
# ## The series as the reports drew them
#
# Left: communes meeting NTM, nâng cao (advanced) and kiểu mẫu (model), with the total
# number of communes each report counted against (grey bars: 8,909 communes took part in
# the 2010s, 8,267 in April 2021, 7,669 in June 2025 after the mergers). Right: the
# published shares, with the targets of their year (open diamonds) and the 2025 target
# of 80%. Every point carries its source label.

# %%
fig = plots.plot_communes(national)
_ = figures.save(fig, "05_published_communes")

# %%
fig = plots.plot_districts(national)
_ = figures.save(fig, "05_published_districts")

# %% [markdown]
# ## What the flags say
#
# Every row with a flag, in date order. `recomputed_pct` is the share recomputed from the
# report's own counts (or, where it gives no total, from the published total nearest in
# time); `implied_denominator` is what the published share was computed against.

# %%
flagged = national[national["flags"].notna()].sort_values(["date", "article"])
display(flagged[["as_of", "article", "doc_id", "measure", "value", "recomputed_pct",
                 "implied_denominator", "flags", "conflicts_with"]].head(SHOW_ROWS))
adv = national[(national["article"] == "004") & (national["measure"] == "pct_advanced")].iloc[0]
print(f"2025-06: nâng cao share published {adv['value']}%, recomputed from 2,567/7,669 = "
      f"{adv['recomputed_pct']}%; the published share implies a base of "
      f"{adv['implied_denominator']:,.0f} communes, about the number of communes already meeting NTM.")

# %% [markdown]
# ## The same numbers, as our extractor reads them
#
# Where `../shared` is present the extractor runs now on the reports; where it is absent
# the committed facts `data/derived/records.csv` (country rows) stand in.

# %%
shared = paths.shared_dir()
records, note, skipped = None, "", []
try:
    import helpers.extract  # noqa: F401
    has_extractor = True
except ImportError:
    has_extractor = False
if shared is not None and has_extractor:
    corpus = shared / "corpus"
    if SCOPE == "corpus":
        docs = sorted(p.stem for p in corpus.glob("c*.txt"))
    else:
        docs = sorted(set(pd.concat([national, provinces])["doc_id"].dropna()))
    records, skipped = pub.extract_documents(docs, corpus)
    note = f"helpers.extract run now on {len(docs)} documents of ../shared/corpus"
else:
    derived = paths.DATA / "derived" / "records.csv"
    if derived.exists():
        from helpers.records import load_records

        records = load_records(derived)
        note = "committed data/derived/records.csv (../shared absent: no re-extraction)"
    else:
        note = "no extractor output available (../shared absent and no data/derived/records.csv)"
print("extracted values:", note)
for line in skipped:
    print("  skipped:", line)

# %%
if records is not None and len(records):
    extracted = pub.extracted_values(records, unit="country")
    diffs = pub.disagreements(national, records, unit="country")
    print(f"{len(extracted)} country-level counts extracted; {len(diffs)} disagreements with the reference:")
    display(diffs)
else:
    extracted = pub.extracted_values(pd.DataFrame(columns=["unit", "measure", "modality", "standard",
                                                           "counted", "doc_id", "place", "achieved",
                                                           "total", "as_of"]))
    diffs = None
    print("nothing to compare: the chart below shows the published series only")

# %%
fig = plots.plot_vs_extracted(national, extracted, note)
_ = figures.save(fig, "05_published_vs_extracted")

# %% [markdown]
# ## Provinces with a series in the references
#
# `../shared/reference/facts.md` gives dated figures for many provinces, but a series of
# three or more dated reports, each read in a corpus document, only for **Long An**,
# **Trà Vinh** and **Bắc Giang**: they are in `data/reference/province_series.csv`.
# (Hà Tĩnh, Thanh Hóa, Lào Cai, Phú Yên and others have one or two points, mostly from
# pages that are not in the corpus; they are not drawn.)

# %%
fig = plots.plot_provinces(provinces)
_ = figures.save(fig, "05_province_series")
if records is not None and len(records):
    pdiffs = pub.disagreements(provinces, records[records["unit"] == "province"], unit="province")
    pdiffs = pdiffs[pdiffs["kind"] != "not_in_reference"]
    print(f"provincial published counts the extractor does not give exactly: {len(pdiffs)}")
    display(pdiffs)

# %% [markdown]
# ## Closing note: which published points the extractor recovers
#
# A point is *expected* when it is a count that ANNOTATION.md makes a progress record
# (communes / district units meeting a standard, provinces completing the programme), read
# in a Vietnamese corpus document and not derived. Shares, averages, "provinces with 100%
# of communes" and English/French reports are not records.

# %%
points = pub.expected_points(pd.concat([national, provinces], ignore_index=True))
if records is not None and len(records):
    result = pub.compare_with_records(points[points["expect"]], records)
    found = result[result["status"] == "found"]
    missed = result[result["status"] != "found"]
    print(f"recovered {len(found)} of {len(result)} expected published points")
    if missed.empty:
        print("missed: none")
    else:
        display(missed[["doc_id", "as_of", "measure", "value", "total", "status", "extracted"]])
else:
    print(f"{int(points['expect'].sum())} published points are checkable; no extractor output here")
print(points["why_not"].fillna("expected").value_counts().to_string())
