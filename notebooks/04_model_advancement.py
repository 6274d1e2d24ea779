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
# # 04 · Who reaches the NTM standards, and when
#
# Statistical models of district recognition under the Nông thôn mới programme, all from
# `helpers.models` (statsmodels, esda/libpysal). Every model returns a tidy table (estimate,
# 95% CI, n, events) and a short reading, printed below.
#
# **Data.** The outcome is the district-level recognition table
# `data/reference/district_recognitions.csv` (via `helpers.panel.load_recognitions`), with
# units from the GSO list (`helpers.gazetteer`, 705 districts of the 2022-10 list, regions =
# the 6 socio-economic regions) and areas from the boundaries (`helpers.boundaries`). The
# extracted progress records are far too thin for survival models (few districts, few
# repeated reports); the recognitions table covers more districts and is used throughout.
#
# ## Modelling choices
#
# - **Risk set.** A district is at risk of first recognition from 2011 (the programme's first
#   full year) until it is recognised. Urban districts (*quận*) have no rural communes and
#   are never at risk; the two archipelago districts (Hoàng Sa, Trường Sa) are left out.
#   Recognition ends a district's time at risk: the 2021–2025 criteria sets made many
#   *communes* fall below standard (Lào Cai, Lai Châu, Phú Yên reported it), but recognised
#   districts kept their title, so first recognition is a well-defined event. Status loss
#   matters for the commune-level growth model instead, which therefore does not assume
#   monotone progress and allows a step at 2021.
# - **Two clocks.** The *standard year* ("đạt chuẩn NTM năm 2020") and the year of the Prime
#   Minister's *decision* differ, usually by a year. Both are modelled and compared.
# - **Censoring at the July 2025 reform.** Districts were abolished on 1 July 2025. On the
#   standard-year clock the last year at risk is 2024; on the decision clock 2025 counts for
#   half a year (offset log 0.5 in the complementary log-log model) and later decisions are
#   censored.
# - **Criteria periods.** 2011–2015 (QĐ 491/2009, 342/2013), 2016–2020 (QĐ 558 & 1980/2016),
#   2021–2025 (QĐ 318–320/2022). When some years have fewer than 3 recognitions, the baseline
#   is one effect per criteria period instead of per year.
# - **Undated recognitions** (about half the rows) are *never* treated as "not recognised":
#   they are excluded, or their year is multiply imputed within its bounds, or placed at
#   either bound (sensitivity analysis).
# - **Clustered errors.** Districts of one province share a provincial programme, budget,
#   appraisal council and reporting habits; their outcomes are correlated, so standard errors
#   are clustered by province (about 60 clusters).
# - **The table is incomplete** (next section): districts missing from it are counted as not
#   recognised, which biases hazards down. Read effects as comparisons, with that caveat.

# %% tags=["parameters"]
N_IMPUTATIONS = 10  # multiple imputations of undated recognitions
PERMUTATIONS = 499  # Moran / LISA permutation tests
BACKTEST_ORIGINS = list(range(2017, 2024))  # fit up to T, predict T+1
SEED = 0

# %%
import time

import numpy as np
import pandas as pd
from IPython.display import display

from helpers import figures, gazetteer, paths
from helpers import models as m
from helpers.boundaries import ARCHIPELAGO_DISTRICTS
from helpers.panel import load_recognitions

t_start = time.perf_counter()
figures.use_style()
pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)
SOURCE = (
    "NTM Atlas, data/reference/district_recognitions.csv (press & government pages); "
    "GSO unit list; dvhcvn boundaries"
)
DATA_DATE = "06/2025"

try:
    from helpers import boundaries

    geo = boundaries.districts()
    areas = pd.DataFrame(geo[["district_code", "area_km2"]])
    geo_note = boundaries.missing_note(geo)
except Exception as exc:  # noqa: BLE001 - boundaries need the data mirror or the network
    geo, areas, geo_note = None, None, ""
    print(f"Boundaries unavailable ({type(exc).__name__}: {exc}); area and maps are skipped.")

units = m.district_covariates(gazetteer.districts(), gazetteer.provinces(), areas)
units = units.loc[~units["district_code"].isin(ARCHIPELAGO_DISTRICTS)].reset_index(drop=True)
COVARIATES = ("region", "urban", "log_area") if areas is not None else ("region", "urban")
recognitions = m.fill_district_codes(load_recognitions(), gazetteer.resolve)
print(
    "district codes filled by exact name:",
    ", ".join(recognitions.loc[recognitions["code_from"] == "name", "district_name"].astype(str))
    or "none",
)
national = pd.read_csv(paths.DATA / "reference" / "national_series.csv", dtype=str)
print(
    f"{len(units)} districts ({(units['type_class'] == 'quan').sum()} quận not at risk); "
    f"{len(recognitions)} recognition rows "
    f"({recognitions['standard'].value_counts().to_dict()}); "
    f"../shared {'present' if paths.shared_dir() else 'absent: committed data/ only'}"
)

# %% [markdown]
# ## How complete is the recognitions table?
#
# The national counts of district-level units recognised (`national_series.csv`) against
# the table. "Dated" rows count by their decision year (else standard year + 1).

# %%
cov = m.recognition_coverage(recognitions, national)
display(cov.table.round(2))
print(cov.reading)

# %% [markdown]
# ## Do the estimators recover known effects?
#
# One simulated panel (600 districts, 40 provinces, province frailty) with known hazard
# ratios; the test suite repeats this over 20 draws per estimator and checks the 95%
# intervals cover the truth in at least 80% of them (`tests/test_models.py`).

# %%
TRUE = {
    "urban": 0.6,
    "log_area": -0.4,
    "region[northern_midlands_mountains]": -0.8,
    "region[mekong_delta]": 0.3,
}
sim_units, sim_events = m.simulate_hazard_panel(
    600, 40, TRUE, frailty_sd=0.3, unknown_share=0.3, seed=SEED
)
sim_fit = m.hazard_unknown_years(sim_units, sim_events, "impute", n_imputations=5, seed=SEED)
check = sim_fit.table.set_index("term").loc[list(TRUE), ["estimate", "ci_low", "ci_high"]]
check.insert(0, "true", pd.Series(TRUE))
display(check.round(3))

# %% [markdown]
# ## Kaplan–Meier: share of districts recognised, by region
#
# Dated recognitions only (the KM estimator has no room for undated ones); districts absent
# from the table count as not recognised, so the curves are lower bounds.

# %%
events = m.recognition_events(recognitions, "ntm", "standard_year")
print(
    f"NTM recognitions with a GSO code: {len(events)} ({events['year_known'].sum()} with a "
    "standard year); "
    f"rows without a code skipped: "
    f"{', '.join(events.attrs['skipped']['district_name'].astype(str)) or 'none'}"
)
km = m.kaplan_meier(units, events, by="region")
print(km.reading)
fig = m.plot_km(
    km, "Huyện đạt chuẩn NTM theo vùng (Kaplan–Meier)\nDistricts recognised NTM, by region"
)
figures.add_source(fig, SOURCE, DATA_DATE)
figures.save(fig, "04_km_region")

# %% [markdown]
# ## Discrete-time hazard: complementary log-log and logit, with a Cox model for comparison
#
# One row per district-year at risk. The cloglog link gives hazard ratios of an underlying
# continuous-time proportional-hazards model; logit gives odds ratios; with hazards this
# small the two nearly coincide. Cox (Efron ties, robust SEs by province) on years since 2010.

# %%
START_YEAR = 2011  # first year at risk (the programme's first full year)
pp = m.person_period(units, events, START_YEAR, 2024)
cloglog = m.fit_hazard(pp, "cloglog", COVARIATES)
logit = m.fit_hazard(pp, "logit", COVARIATES)
cox = m.fit_cox(units, events, COVARIATES)
print(cloglog.info["time_effect_reason"])
display(cloglog.table.round(3))
print(cloglog.reading)
print(cox.reading)
fig = m.plot_coefficients(
    {"cloglog": cloglog, "logit": logit, "Cox": cox},
    "hazard_ratio",
    "Tỷ số nguy cơ đạt chuẩn NTM (so với ĐB sông Hồng, huyện)\n"
    "Hazard of NTM recognition: discrete-time (cloglog, logit) and Cox",
)
figures.add_source(fig, SOURCE, DATA_DATE)
figures.save(fig, "04_hazard_coefficients")

# %% [markdown]
# **Read the hazards as lower bounds.** Districts missing from the incomplete recognitions
# table are counted as *not recognised* in every model above (and in the Kaplan–Meier
# curves): a recognised district whose report we lack stays at risk to 2024. The hazards
# and KM shares are therefore lower bounds, and a region or type with more missing reports
# looks slower than it is.

# %% [markdown]
# **Starting share of communes meeting NTM.** The covariate is taken from the extracted
# records (district reports "x/y xã đạt chuẩn"). It must describe a district when it enters
# the risk set (2011), so only reports whose figure is dated 2011 or earlier count (the
# latest of them); later reports would explain the past with the future and are listed,
# not used. Where no such report exists the covariate is missing, never zero, and a model
# with it runs on complete cases only.

# %%
try:
    from helpers.records import load_records as _load_records

    starts = m.start_share_from_records(_load_records(), reference_year=START_YEAR)
except Exception as exc:  # noqa: BLE001 - the derived table is built by `make records`
    starts = pd.DataFrame(columns=["district_code", "start_share", "start_year"])
    starts.attrs["too_late"] = pd.DataFrame(columns=["district_code", "start_year"])
    print(f"no derived records ({type(exc).__name__}): no starting shares")
late = starts.attrs["too_late"]
with_start = pp.merge(starts[["district_code", "start_share"]], on="district_code", how="inner")
print(
    f"{len(starts)} districts have a share of communes meeting NTM reported for "
    f"{START_YEAR} or earlier; {late['district_code'].nunique()} more have only later reports "
    f"(years {sorted(late['start_year'].astype(int).unique().tolist())}), not used. "
    f"{with_start['district_code'].nunique()} are in the risk set, with "
    f"{int(with_start['event'].sum())} recognitions."
)
if with_start["event"].sum() >= 10 and with_start["district_code"].nunique() >= 30:
    display(
        m.fit_hazard(with_start, "cloglog", ("start_share",), time_effect="period").table.round(3)
    )
else:
    print(
        "Too few to estimate an effect of the starting share (need ≥ 30 districts and ≥ 10 "
        "recognitions); "
        "Left out of the models."
    )

# %% [markdown]
# ## Undated recognitions: exclude, impute, or the two bounds
#
# Excluding them shrinks the risk set and keeps only districts whose year a source gave;
# imputation draws each undated year within its bounds (standard year ≤ decision year, or
# 2011–2024) from the fitted hazard, `N_IMPUTATIONS` times, pooled by Rubin's rules; the
# bounds put every undated recognition at its earliest or latest possible year.

# %%
sens = m.sensitivity_unknown_years(
    units, events, "cloglog", COVARIATES, n_imputations=N_IMPUTATIONS, seed=SEED
)
display(sens.table.pivot(index="term", columns="treatment", values="hazard_ratio").round(2))
print(sens.reading)
TREATMENT_LABELS = {
    "exclude": "loại ra / excluded",
    "impute": f"gán {N_IMPUTATIONS} lần / multiply imputed",
    "lower": "năm sớm nhất / earliest year",
    "upper": "năm muộn nhất / latest year",
}
fig = m.plot_coefficients(
    {TREATMENT_LABELS[k]: v for k, v in sens.extra["fits"].items()},
    "hazard_ratio",
    "Ảnh hưởng của năm công nhận không rõ\nUndated recognitions: four treatments (cloglog)",
)
figures.add_source(fig, SOURCE, DATA_DATE)
figures.save(fig, "04_unknown_years_sensitivity")

# %% [markdown]
# ## Standard year or decision date?

# %%
scales = m.compare_time_scales(units, recognitions, "cloglog", COVARIATES)
print(scales.reading)
print("lag decision − standard year:", scales.extra["lags"].value_counts().sort_index().to_dict())
fig = m.plot_coefficients(
    {
        "năm đạt chuẩn / standard year": scales.extra["fits"]["standard_year"],
        "năm quyết định / decision year": scales.extra["fits"]["decision_year"],
    },
    "hazard_ratio",
    "Hai thang thời gian / two clocks (cloglog, dated recognitions)",
)
figures.add_source(fig, SOURCE, DATA_DATE)
figures.save(fig, "04_time_scales")

# %% [markdown]
# ## Ordered level reached by mid-2025 (none < NTM < nâng cao < kiểu mẫu)
#
# Districts absent from the table are "none" here, which mixes "not recognised" with "not
# recorded"; no district in the table holds the kiểu mẫu (model) standard, so that level drops.

# %%
levels = m.levels_reached(units, recognitions)
ordered = m.fit_ordered_level(levels, COVARIATES)
display(ordered.table.round(3))
print(ordered.reading)
fig = m.plot_coefficients(
    {"ordered logit": ordered},
    "odds_ratio",
    "Mức đạt chuẩn cao hơn (logit thứ bậc)\nOdds of a higher level reached, mid-2025",
)
figures.add_source(fig, SOURCE, DATA_DATE)
figures.save(fig, "04_ordered_level")

# %% [markdown]
# ## Growth of criteria met, for units with repeated reports
#
# From the extracted records (`data/derived/records.csv`), or the hand-checked gold records
# in `../shared/gold` when the derived table has not been built. The function chooses a
# mixed model (random intercepts and slopes) when enough units have ≥ 3 reports, GEE when
# fewer, and no model when no unit is reported twice — and says which and why.

# %%
records, records_from = None, ""
try:
    from helpers.records import load_records

    records, records_from = load_records(), "data/derived/records.csv"
except Exception as exc:  # noqa: BLE001 - the derived table is built by `make records`
    shared = paths.shared_dir()
    if shared is not None and (shared / "gold").is_dir():
        records = pd.concat(
            [pd.read_json(p, lines=True) for p in sorted((shared / "gold").glob("*.jsonl"))]
        )
        records_from = "../shared/gold (hand-checked records)"
    print(
        f"derived records not available ({type(exc).__name__}); using {records_from or 'nothing'}"
    )
if records is not None:
    reports = m.criteria_reports(records)
    growth = m.criteria_growth(reports)
    print(
        f"{len(reports)} unit-year reports of criteria met from {records_from}, "
        f"{reports['unit_id'].nunique()} units; most reports for one unit: "
        f"{reports.groupby('unit_id').size().max() if len(reports) else 0}"
    )
    print(growth.reading)
sim_growth = m.criteria_growth(m.simulate_growth(40, (3, 6), seed=SEED))
print("Simulated check (40 communes, true slope 8 points / 5 years):", sim_growth.reading)

# %% [markdown]
# ## Spatial clustering of recognition
#
# Recognised NTM by mid-2025 (1/0) for districts at risk; queen contiguity, row-standardised;
# island districts (Cô Tô, Bạch Long Vĩ, Lý Sơn, Phú Quý, Côn Đảo, Phú Quốc, …) are linked to
# their nearest district. LISA p-values are per district without multiple-testing correction.
#
# **Districts missing from the incomplete recognitions table are counted as not recognised
# (0).** A "Low-Low" cluster may therefore be a group of provinces whose recognitions are
# missing from the table, not a group of lagging districts; "High-High" clusters are less
# affected. The sensitivity check after the map recomputes Moran's I where absence does not
# mean 0.

# %%
if geo is not None:
    spatial = geo.merge(
        levels[["district_code", "level_rank", "type_class"]], on="district_code", how="left"
    )
    spatial = spatial.loc[~spatial["district_code"].isin(ARCHIPELAGO_DISTRICTS)]
    spatial["recognised"] = np.where(
        spatial["type_class"] == "quan", np.nan, (spatial["level_rank"] > 0).astype(float)
    )
    moran = m.morans_i(spatial, "recognised", permutations=PERMUTATIONS, seed=SEED)
    local = m.lisa(spatial, "recognised", permutations=PERMUTATIONS, seed=SEED)
    print(moran.reading)
    display(local.table)
    lisa_gdf = geo.merge(
        local.extra["gdf"][["district_code", "cluster"]], on="district_code", how="left"
    )
    fig = m.plot_category_map(
        lisa_gdf,
        "cluster",
        m.LISA_CATEGORIES,
        "Cụm không gian huyện đạt chuẩn NTM (LISA)\nLocal clusters of NTM recognition, mid-2025",
        note=(
            f"Moran's I = {moran.table['estimate'].iloc[0]:.2f} (p = "
            f"{moran.table['p_sim'].iloc[0]:.3f}). "
            "Quận (no rural communes) not analysed. Districts missing from the incomplete "
            "recognitions table count as not recognised: Low-Low may mean missing reports."
        ),
        legend_title="LISA, p < 0.05",
    )
    figures.add_source(fig, SOURCE, DATA_DATE)
    figures.save(fig, "04_lisa_map")
else:
    print("No boundaries: spatial analysis skipped.")

# %% [markdown]
# **Sensitivity to the incomplete table.** Moran's I (1) as above; (2) only in provinces
# the table flags complete (a source says all their district-level units were recognised,
# the COMPLETENESS flag), where absence really means "not recognised"; (3) among dated
# recognitions, on the standard year (do early and late districts cluster?), which does not
# use absent = 0 (5 nearest neighbours: these districts are scattered).

# %%
if geo is not None:
    complete = m.complete_province_codes(recognitions, units)
    print("provinces flagged complete:", ", ".join(complete) or "none")
    moran_sens = m.moran_sensitivity(
        spatial, events, complete, permutations=PERMUTATIONS, seed=SEED
    )
    display(moran_sens.table.round(3))
    print(moran_sens.reading)

# %% [markdown]
# ## Forecast: probability of recognition next year, back-tested
#
# For each origin T the hazard is fitted on district-years up to T and predicts T+1 for every
# district still at risk; covariates are kept only while there are ≥ 10 events per parameter.
# The benchmark predicts the same recent base rate for every district. Lower Brier is better.

# %%
bt = m.backtest_forecast(units, events, BACKTEST_ORIGINS, COVARIATES)
display(bt.table.round(4))
print(bt.reading)
fig = m.plot_calibration(
    bt.extra["predictions"],
    n_bins=5,
    title="Hiệu chuẩn dự báo 1 năm / one-year-ahead calibration\n"
    f"back-test {BACKTEST_ORIGINS[0]}→{BACKTEST_ORIGINS[-1] + 1}",
)
figures.add_source(fig, SOURCE, DATA_DATE)
figures.save(fig, "04_forecast_calibration")

# %% [markdown]
# The forecast for standard year 2025 (fitted on 2011–2024) is counterfactual — districts
# were abolished in July 2025 — but it ranks the districts still at risk. Advanced (nâng
# cao) districts: the risk set is NTM districts with a known year, from the year after
# recognition. Model (kiểu mẫu) districts: no recognitions in the table, nothing to fit.

# %%
fc = m.forecast_next_year(units, events, 2024, COVARIATES)
print(fc.reading)
adv_units = m.advanced_risk_units(units, events)
print(
    f"Nâng cao risk set: {len(adv_units)} NTM districts with a known year; "
    f"{len(adv_units.attrs['excluded_undated'])} undated NTM districts left out."
)
adv_events = m.recognition_events(recognitions, "ntm_advanced", "standard_year")
fc_adv = m.forecast_next_year(adv_units, adv_events, 2024, COVARIATES)
print("Nâng cao:", fc_adv.reading)
n_model = int((recognitions["standard"] == "ntm_model").sum())
print(f"Kiểu mẫu: {n_model} district recognitions in the table — no model can be fitted.")
if geo is not None:
    fmap = geo.merge(m.forecast_map_classes(units, events, fc.table), on="district_code")
    cats = m.forecast_categories(fc.info["target"])
    fig = m.plot_category_map(
        fmap,
        "class",
        cats,
        "Xác suất huyện đạt chuẩn NTM năm 2025 (dự báo)\nForecast "
        "P(recognised NTM, standard year 2025)",
        note=(
            "Counterfactual: districts were abolished on 1/7/2025. Districts absent from the "
            "recognitions table may already be recognised. Quận not at "
            "risk."
        ),
        legend_title="cloglog, fitted 2011–2024",
    )
    figures.add_source(fig, SOURCE, DATA_DATE)
    figures.save(fig, "04_forecast_map")

# %% [markdown]
# ## Closing note

# %%
hr = cloglog.table.set_index("term")
summary = pd.DataFrame(
    [
        {
            "model": "coverage of the table",
            "n": cov.info["n_rows"],
            "events": "",
            "reading": cov.reading,
        },
        {
            "model": "Kaplan–Meier by region",
            "n": km.info["n"],
            "events": km.info["events"],
            "reading": km.reading,
        },
        {
            "model": "hazard, cloglog (undated excluded)",
            "n": cloglog.info["n"],
            "events": cloglog.info["events"],
            "reading": cloglog.reading,
        },
        {
            "model": "hazard, cloglog (undated imputed)",
            "n": sens.extra["fits"]["impute"].info["n"],
            "events": sens.extra["fits"]["impute"].info["events"],
            "reading": sens.extra["fits"]["impute"].reading,
        },
        {"model": "Cox", "n": cox.info["n"], "events": cox.info["events"], "reading": cox.reading},
        {"model": "two clocks", "n": "", "events": "", "reading": scales.reading},
        {
            "model": "ordered level",
            "n": ordered.info["n"],
            "events": "",
            "reading": ordered.reading,
        },
        {
            "model": "criteria growth",
            "n": growth.info["n"] if records is not None else 0,
            "events": "",
            "reading": growth.reading if records is not None else "no records available",
        },
        {
            "model": "Moran's I",
            "n": moran.info["n"] if geo is not None else 0,
            "events": "",
            "reading": moran.reading if geo is not None else "no boundaries",
        },
        {
            "model": "Moran's I, sensitivity",
            "n": (
                " / ".join(str(n) for n in moran_sens.table["n"]) if geo is not None else 0
            ),
            "events": "",
            "reading": moran_sens.reading if geo is not None else "no boundaries",
        },
        {
            "model": "forecast back-test",
            "n": int(bt.table["n"].iloc[-1]),
            "events": int(bt.table["events"].iloc[-1]),
            "reading": bt.reading,
        },
    ]
)
for _, row in summary.iterrows():
    print(f"■ {row['model']} (n = {row['n']}, events = {row['events']}):\n  {row['reading']}\n")
print(f"Notebook ran in {time.perf_counter() - t_start:.0f} s.")

# %% [markdown]
# **Limits.** (1) The recognitions table holds about three quarters of the units recognised
# by mid-2025 and only about half are dated; missing recognitions count as "not recognised",
# so hazards and KM curves are lower bounds, effects may be attenuated, and LISA "Low-Low"
# clusters may be missing reports (the complete provinces are all recognised, so they
# cannot test this; the dated-year variant is the check that does not rely on absent = 0). (2) Undated
# recognitions move the estimates (see the sensitivity table): the imputed model is the
# preferred one, the bounds show the range. (3) Decision dates partly come from the notes
# ("decision date info", approximate). (4) Covariates are few (region, urban type, area);
# the starting share of communes meeting NTM would need reports dated by 2011, which the
# extracted records (mostly 2020 onwards) do not give for enough districts. (5) Advanced-standard recognitions are very few and
# model-standard ones absent: those forecasts are base rates, not models. (6) Repeated
# criteria reports for the same unit are essentially absent from the records, so the growth
# model is shown on simulated data only. (7) The back-tested forecast is barely better than
# the base rate: with these covariates the timing of recognition is mostly unexplained.
