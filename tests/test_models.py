"""helpers.models: person-period construction, and estimators recovering known effects.

Simulation tests draw panels with known coefficients (fixed seeds) and check that the true
value lies inside the 95% interval in most draws (≥ 80% of 15 draws), as a reviewer would check
them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import models as m

BETA = {
    "urban": 0.6,
    "log_area": -0.4,
    "region[northern_midlands_mountains]": -0.8,
    "region[mekong_delta]": 0.3,
}


def _units(rows):
    return pd.DataFrame(
        rows, columns=["district_code", "province_code", "region", "district_type", "log_area"]
    )


UNITS = _units(
    [
        ("001", "01", "red_river_delta", "Huyện", 5.0),
        ("002", "01", "red_river_delta", "Thị xã", 4.0),
        ("003", "02", "mekong_delta", "Huyện", 6.0),
        ("004", "02", "mekong_delta", "Quận", 3.0),
        ("005", "02", "mekong_delta", "Thành phố", 4.5),
    ]
)
RECOGNITIONS = pd.DataFrame(
    {
        "ma_huyen": ["001", "003", "005", None, "002"],
        "standard": ["ntm", "ntm", "ntm", "ntm", "ntm_advanced"],
        "standard_year": [2015, None, 2030, 2019, 2023],
        "decision_date": ["2016-05-02", "2019-03-01", None, None, "2025-08-01"],
    }
)


# ----------------------------------------------------------------------------- inputs
def test_recognition_events_bounds_and_skips():
    ev = m.recognition_events(RECOGNITIONS, "ntm", "standard_year")
    assert list(ev["district_code"]) == ["001", "003", "005"]
    row = ev.set_index("district_code").loc["003"]
    assert not row["year_known"] and (row["year_lo"], row["year_hi"]) == (2016, 2019)
    assert len(ev.attrs["skipped"]) == 1  # the row without a code is listed, not dropped silently
    dec = m.recognition_events(RECOGNITIONS, "ntm", "decision_year").set_index("district_code")
    assert dec.loc["001", "event_year"] == 2016
    assert (
        np.isnan(dec.loc["005", "event_year"]) and dec.loc["005", "year_lo"] == 2025
    )  # clipped at window end
    adv = m.recognition_events(RECOGNITIONS, "ntm_advanced", "decision_year")
    assert np.isnan(adv["event_year"].iloc[0])  # decided after the July 2025 reform: not an event


def test_fill_district_codes_by_exact_name_only():
    from types import SimpleNamespace

    def resolve(name, unit=None, province=None):
        exact = {"Long Điền": "752"}
        return SimpleNamespace(
            status="exact" if name in exact else "ambiguous", code=exact.get(name)
        )

    rec = pd.DataFrame(
        {
            "ma_huyen": ["001", None, None],
            "district": ["A", "Long Điền", "Châu Thành"],
            "province": ["P", "Bà Rịa - Vũng Tàu", "Q"],
            "standard": "ntm",
            "standard_year": [2015, None, 2018],
        }
    )
    out = m.fill_district_codes(rec, resolve)
    assert out["code_from"].tolist() == ["table", "name", "missing"]
    assert out["district_code"].iloc[1] == "752" and pd.isna(out["district_code"].iloc[2])
    assert len(m.recognition_events(out).attrs["skipped"]) == 1


def test_person_period_risk_set_censoring_and_unknown_years():
    ev = m.recognition_events(RECOGNITIONS, "ntm", "standard_year")
    pp = m.person_period(UNITS, ev, 2011, 2024)
    by = pp.groupby("district_code")
    assert by["year"].agg(["min", "max"]).loc["001"].tolist() == [2011, 2015]
    assert pp.loc[pp["district_code"] == "001", "event"].tolist() == [0, 0, 0, 0, 1]
    assert (
        by["year"].max().loc["002"] == 2024 and by["event"].sum().loc["002"] == 0
    )  # never recognised: censored
    assert (
        by["year"].max().loc["005"] == 2024 and by["event"].sum().loc["005"] == 0
    )  # event after window: censored
    assert "004" not in set(pp["district_code"]) and pp.attrs["not_eligible"] == [
        "004"
    ]  # quận: no rural communes
    # the undated recognition is NOT a never-recognised district: it leaves the risk set
    assert "003" not in set(pp["district_code"]) and pp.attrs["excluded_unknown"] == ["003"]
    with pytest.raises(ValueError, match="no year"):
        m.person_period(UNITS, ev, 2011, 2024, unknown="error")
    imp = m.person_period(UNITS, ev, 2011, 2024, imputed={"003": 2018})
    assert imp.loc[imp["district_code"] == "003", "event"].tolist()[-1] == 1
    assert imp.loc[imp["district_code"] == "003", "year"].max() == 2018


def test_person_period_partial_last_year_and_entry():
    ev = m.recognition_events(RECOGNITIONS, "ntm", "decision_year")
    pp = m.person_period(UNITS, ev, 2011, 2025, exposure={2025: 0.5})
    assert pp.loc[pp["year"] == 2025, "exposure"].eq(0.5).all()
    assert pp.loc[pp["year"] < 2025, "exposure"].eq(1.0).all()
    late = UNITS.assign(entry_year=[2011, 2020, 2011, 2011, 2011])
    pp2 = m.person_period(late, ev, 2011, 2025)
    assert pp2.loc[pp2["district_code"] == "002", "year"].min() == 2020


def test_levels_reached_takes_highest_standard():
    lv = m.levels_reached(UNITS, RECOGNITIONS.assign(decision_date=[None] * 5)).set_index(
        "district_code"
    )
    assert lv.loc["002", "level"] == "ntm_advanced" and lv.loc["001", "level"] == "ntm"
    assert lv.loc["004", "level"] == "none"
    assert lv["level"].cat.ordered


# ----------------------------------------------------------------------------- hazard models
def _coverage(link, n_draws=15, n_units=500, frailty_sd=0.0):
    hits = dict.fromkeys(BETA, 0)
    for seed in range(n_draws):
        units, ev = m.simulate_hazard_panel(
            n_units, 40, BETA, link=link, frailty_sd=frailty_sd, seed=seed
        )
        res = m.fit_hazard(m.person_period(units, ev, 2011, 2024), link, time_effect="year")
        t = res.table.set_index("term")
        for k, v in BETA.items():
            hits[k] += bool(t.loc[k, "ci_low"] <= v <= t.loc[k, "ci_high"])
    return hits, res


def test_cloglog_hazard_recovers_effects_with_province_clustering():
    hits, res = _coverage("cloglog", frailty_sd=0.3)
    assert all(h >= 12 for h in hits.values()), hits  # ≥ 80% of 15 draws
    assert res.info["n_clusters"] == 40 and res.info["events"] > 100
    assert {"term", "estimate", "ci_low", "ci_high", "hazard_ratio", "n", "events"} <= set(
        res.table.columns
    )
    assert "hazard ratio" in res.reading


def test_logit_hazard_recovers_effects():
    hits, res = _coverage("logit", n_units=400)
    assert all(h >= 12 for h in hits.values()), hits
    assert "odds_ratio" in res.table.columns


def test_time_effect_falls_back_to_periods_when_years_are_sparse():
    units, ev = m.simulate_hazard_panel(150, 20, seed=3)
    res = m.fit_hazard(m.person_period(units, ev, 2011, 2024), "cloglog", min_events_per_year=50)
    assert res.info["time_effect"] == "period"
    assert res.table["term"].str.startswith("time[20").sum() <= 3
    dense = m.fit_hazard(m.person_period(units, ev, 2011, 2024), "cloglog", min_events_per_year=0)
    assert dense.info["time_effect"] == "year"


def test_unknown_years_imputation_recovers_and_bounds_bracket():
    hits = dict.fromkeys(BETA, 0)
    for seed in range(15):
        units, ev = m.simulate_hazard_panel(300, 40, BETA, unknown_share=0.3, seed=100 + seed)
        res = m.hazard_unknown_years(
            units, ev, "impute", time_effect="period", n_imputations=3, seed=seed
        )
        t = res.table.set_index("term")
        for k, v in BETA.items():
            hits[k] += bool(t.loc[k, "ci_low"] <= v <= t.loc[k, "ci_high"])
    assert all(h >= 12 for h in hits.values()), hits  # ≥ 80% of 15 draws
    assert (
        res.info["n_unknown"] == int((~ev["year_known"]).sum()) and res.info["n_imputations"] == 3
    )
    sens = m.sensitivity_unknown_years(units, ev, n_imputations=3)
    assert set(sens.table["treatment"]) == {"exclude", "impute", "lower", "upper"}
    # the undated are events in every treatment but exclusion, never non-events
    ex, lo = sens.extra["fits"]["exclude"].info, sens.extra["fits"]["lower"].info
    assert lo["events"] == ex["events"] + ex["n_unknown"]


def test_kaplan_meier_and_cox():
    units, ev = m.simulate_hazard_panel(800, 40, BETA, seed=7)
    km = m.kaplan_meier(units, ev, by="region")
    assert set(km.table["group"]) == set(units["region"])
    for _, g in km.table.groupby("group"):
        assert (np.diff(g["surv"].to_numpy()) <= 1e-12).all()
        assert ((g["ci_low"] <= g["surv"] + 1e-12) & (g["surv"] <= g["ci_high"] + 1e-12)).all()
    cox = m.fit_cox(units, ev)
    t = cox.table.set_index("term")
    # the discrete-time hazard is proportional on the cloglog scale, so Cox sees the same ratio
    assert t.loc["urban", "ci_low"] <= BETA["urban"] <= t.loc["urban", "ci_high"]
    assert cox.info["events"] == int(ev["year_known"].sum())


# ----------------------------------------------------------------------------- other models
def test_ordered_model_recovers_effects():
    beta = {"urban": 0.8, "log_area": -0.5}
    hits = dict.fromkeys(beta, 0)
    for seed in range(15):
        res = m.fit_ordered_level(
            m.simulate_ordered(300, beta, seed=seed), covariates=("urban", "log_area")
        )
        t = res.table.set_index("term")
        for k, v in beta.items():
            hits[k] += bool(t.loc[k, "ci_low"] <= v <= t.loc[k, "ci_high"])
    assert all(h >= 12 for h in hits.values()), hits
    assert res.table["term"].str.startswith("cut[").sum() == 3


def test_ordered_model_drops_levels_nobody_reached():
    df = m.simulate_ordered(300, cuts=(0.0, 2.0, 99.0), seed=1)
    res = m.fit_ordered_level(df, covariates=("urban", "log_area"))
    assert res.info["absent_levels"] == ["ntm_model"] and "ntm_model" in res.reading


def test_growth_chooses_mixedlm_gee_or_nothing():
    rich = m.simulate_growth(40, (3, 6), slope=0.08, seed=1)
    res = m.criteria_growth(rich)
    assert res.info["method"] == "MixedLM" and "random intercepts and slopes" in res.info["why"]
    t = res.table.set_index("term")
    assert t.loc["t", "ci_low"] <= 0.08 <= t.loc["t", "ci_high"]
    assert "sd(slope)" in t.index
    thin = m.criteria_growth(m.simulate_growth(8, (2, 3), slope=0.08, seed=2))
    assert thin.info["method"] == "GEE" and "too thin" in thin.info["why"]
    one_each = pd.DataFrame(
        {"unit_id": ["a", "b"], "year": [2015, 2016], "achieved": [10, 12], "total": [19, 19]}
    )
    none = m.criteria_growth(one_each)
    assert none.info["method"] == "none" and none.table.empty


# ----------------------------------------------------------------------------- spatial
def _lattice(values, island=True):
    import geopandas as gpd
    from shapely.geometry import box

    k = int(np.sqrt(len(values)))
    geoms = [
        box(105 + 0.1 * (i % k), 15 + 0.1 * (i // k), 105.1 + 0.1 * (i % k), 15.1 + 0.1 * (i // k))
        for i in range(k * k)
    ]
    vals = list(values)
    codes = [f"{i:03d}" for i in range(k * k)]
    if island:
        geoms.append(box(107, 15, 107.05, 15.05))
        vals.append(float(np.mean(values)))
        codes.append("999")
    return gpd.GeoDataFrame({"district_code": codes, "y": vals}, geometry=geoms, crs="EPSG:4326")


def test_morans_i_detects_autocorrelation_and_not_noise():
    rng = np.random.default_rng(0)
    k = 12
    ii, jj = np.meshgrid(range(k), range(k))
    smooth = (ii + jj).ravel() / (2 * k) + rng.normal(0, 0.1, k * k)
    pos = m.morans_i(_lattice(smooth), "y", permutations=199)
    assert pos.table["estimate"].iloc[0] > 0.3 and pos.table["p_sim"].iloc[0] < 0.05
    assert "999" in " ".join(pos.info["notes"])  # the island got a neighbour and is named
    noise = m.morans_i(_lattice(rng.normal(size=k * k)), "y", permutations=199)
    assert noise.table["p_sim"].iloc[0] > 0.05 and abs(noise.table["estimate"].iloc[0]) < 0.15


def test_lisa_finds_high_high_in_the_high_corner():
    k = 12
    ii, jj = np.meshgrid(range(k), range(k))
    vals = ((ii >= 8) & (jj >= 8)).ravel().astype(float)
    res = m.lisa(_lattice(vals, island=False), "y", permutations=199)
    g = res.extra["gdf"]
    corner = g["district_code"].isin(
        [f"{j * k + i:03d}" for i in range(9, 12) for j in range(9, 12)]
    )
    assert (g.loc[corner, "cluster"] == "High-High").mean() > 0.5
    assert res.table["estimate"].sum() == len(g)


# ----------------------------------------------------------------------------- forecast
def test_backtest_beats_base_rate_when_covariates_matter():
    beta = {
        "urban": 1.5,
        "log_area": -0.8,
        "region[northern_midlands_mountains]": -1.5,
        "region[mekong_delta]": 0.5,
    }
    units, ev = m.simulate_hazard_panel(700, 40, beta, seed=11)
    bt = m.backtest_forecast(units, ev, range(2018, 2023))
    pooled = bt.table.set_index("term").loc["pooled"]
    assert pooled["brier_model"] < pooled["brier_base"]
    preds = bt.extra["predictions"]
    assert preds["p_model"].between(0, 1).all() and len(preds) == pooled["n"]
    cal = m.calibration_table(preds, n_bins=5)
    assert cal["n"].sum() == len(preds) and (cal["ci_low"] <= cal["observed"]).all()


def test_forecast_beyond_the_data_covers_unrecognised_districts():
    units, ev = m.simulate_hazard_panel(300, 20, seed=5)
    fc = m.forecast_next_year(units, ev, 2024)
    recognised = set(ev.loc[ev["year_known"], "district_code"])
    assert fc.info["target"] == 2025 and not (set(fc.table["district_code"]) & recognised)
    assert fc.table["event"].isna().all() and fc.table["p_model"].between(0, 1).all()


# ----------------------------------------------------------------------------- figures
def test_figures_render_with_legends():
    import matplotlib.pyplot as plt

    units, ev = m.simulate_hazard_panel(300, 20, seed=2)
    fit = m.fit_hazard(m.person_period(units, ev, 2011, 2024), "cloglog", time_effect="period")
    km = m.kaplan_meier(units, ev)
    bt = m.backtest_forecast(units, ev, [2020, 2021])
    for fig in (
        m.plot_coefficients({"cloglog": fit}),
        m.plot_km(km),
        m.plot_calibration(bt.extra["predictions"]),
    ):
        ax = fig.axes[0]
        assert ax.get_legend() is not None and ax.get_legend().get_texts()
        plt.close(fig)


def test_category_map_draws_every_district(mirror):
    import matplotlib.pyplot as plt

    from helpers import boundaries

    geo = boundaries.districts()
    geo["cls"] = np.where(geo["district_code"].astype(int) % 2 == 0, "High-High", "Low-Low")
    geo.loc[geo.index[:5], "cls"] = None  # not analysed: hatched and counted
    fig = m.plot_category_map(geo, "cls", m.LISA_CATEGORIES, "test")
    legends = list(fig.legends) + [a.get_legend() for a in fig.axes if a.get_legend()]
    labels = [t.get_text() for lg in legends for t in lg.get_texts()]
    assert any("(5)" in t and "not analysed" in t for t in labels)
    every_ax = [a for ax in fig.axes for a in (ax, *ax.child_axes)]
    titles = " ".join(a.get_title() for a in every_ax)
    assert "Hoàng Sa" in titles and "Trường Sa" in titles  # the two archipelago insets
    plt.close(fig)


def _share_records(rows):
    cols = ["achieved", "total", "year", "as_of", "district_code", "doc_id", "modality"]
    df = pd.DataFrame(rows, columns=cols)
    return df.assign(unit="district", measure="units_met", counted="commune", standard="ntm")


def test_start_share_only_from_reports_dated_by_the_reference_year():
    recs = _share_records(
        [
            (2, 12, 2010, None, "001", "a1", "actual"),
            (4, 12, 2011, None, "001", "a2", "actual"),  # latest by 2011: the start value
            (9, 12, 2016, None, "001", "a3", "actual"),  # after entry: would explain the past
            (5, 10, None, "2019-06-30", "002", "b1", "actual"),  # dated by as_of only
            (7, 10, None, "2021-01", "002", "b2", "actual"),
            (3, 10, 2010, None, "003", "c1", "target"),  # a target, not a share met
        ]
    )
    s = m.start_share_from_records(recs).set_index("district_code")
    assert list(s.index) == ["001"]  # 002 reports only after 2011: missing, not a late value
    assert s.loc["001", "start_share"] == pytest.approx(4 / 12) and s.loc["001", "doc_id"] == "a2"
    late = m.start_share_from_records(recs).attrs["too_late"]
    assert sorted(late["doc_id"]) == ["a3", "b1", "b2"]  # listed, not silently dropped
    # per-district reference years (e.g. entry into the risk set)
    by_entry = m.start_share_from_records(recs, reference_year={"001": 2010, "002": 2020})
    got = by_entry.set_index("district_code")
    assert got.loc["001", "doc_id"] == "a1" and got.loc["002", "doc_id"] == "b1"
    assert (got["start_year"] <= got["reference_year"]).all()


def test_start_share_is_missing_not_zero_and_models_use_complete_cases():
    recs = pd.DataFrame(
        {
            "unit": ["district", "district", "district", "commune"],
            "measure": ["units_met", "units_met", "units_met", "criteria"],
            "counted": ["commune", "commune", "commune", None],
            "standard": ["ntm", "ntm", "ntm", "ntm"],
            "modality": ["actual", "actual", "target", "actual"],
            "achieved": [6, 9, 12, 15],
            "total": [12, 12, 12, 19],
            "year": [2016, 2019, 2020, 2016],
            "as_of": [None, None, None, None],
            "district_code": ["001", "001", "002", "001"],
            "doc_id": ["d1", "d2", "d3", "d4"],
        }
    )
    s = m.start_share_from_records(recs, reference_year=2017)
    assert s.to_dict("records") == [
        {
            "district_code": "001",
            "start_share": 0.5,
            "start_year": 2016,
            "reference_year": 2017,
            "doc_id": "d1",
        }
    ]
    units, ev = m.simulate_hazard_panel(300, 20, seed=4)
    units["start_share"] = np.where(
        np.arange(len(units)) % 3 == 0, np.nan, np.linspace(0, 1, len(units))
    )
    res = m.fit_hazard(
        m.person_period(units, ev, 2011, 2024),
        "cloglog",
        ("urban", "start_share"),
        time_effect="period",
    )
    assert res.info["dropped_incomplete_units"] == int(units["start_share"].isna().sum())


def test_forecast_map_classes_bins_then_status():
    ev = m.recognition_events(RECOGNITIONS, "ntm", "standard_year")  # 001 dated, 003 undated
    fc = pd.DataFrame({"district_code": ["002", "005"], "p_model": [0.004, 0.12]})
    cls = m.forecast_map_classes(UNITS, ev, fc).set_index("district_code")["class"]
    assert cls.to_dict() == {
        "001": "recognised_dated",
        "002": "< 1%",
        "003": "recognised_undated",  # undated: recognised, never "not recognised"
        "004": "not_forecast",  # quận: not at risk
        "005": "≥ 10%",  # forecast wins (its 2030 standard year is beyond the window)
    }
    cats = m.forecast_categories(2025)
    assert set(cls) - {"not_forecast"} <= set(cats) and "P(2025) < 1%" in cats["< 1%"][1]


def test_advanced_risk_units_enter_after_ntm():
    ev = m.recognition_events(RECOGNITIONS, "ntm", "standard_year")
    adv = m.advanced_risk_units(UNITS, ev).set_index("district_code")
    # 001 (NTM 2015) enters in 2016; 005 (2030) too late to matter but dated; 003 undated: out
    assert adv["entry_year"].to_dict() == {"001": 2016, "005": 2031}
    assert adv.attrs["excluded_undated"] == ["003"]
    pp = m.person_period(adv.reset_index(), ev.iloc[0:0], 2011, 2024)
    assert pp.loc[pp["district_code"] == "001", "year"].min() == 2016


def test_moran_sensitivity_variants():
    k = 12
    ii, jj = np.meshgrid(range(k), range(k))
    g = _lattice(((ii + jj) >= k).ravel().astype(float), island=False)
    g = g.rename(columns={"y": "recognised"})
    g["province_code"] = np.where(jj.ravel() < 4, "01", "02")  # province 01: the bottom rows
    g.loc[g["province_code"] == "01", "recognised"] = 1.0  # complete and all recognised
    ev = pd.DataFrame(
        {
            "district_code": g["district_code"],
            "event_year": 2011.0 + ii.ravel(),  # recognition years run west to east
            "year_known": np.arange(len(g)) % 2 == 0,
        }
    )
    res = m.moran_sensitivity(g, ev, ["01"], permutations=99)
    t = res.table.set_index("variant")
    assert t.loc["absent = not recognised", "estimate"] > 0.3
    comp = t.loc["complete provinces"]
    assert np.isnan(comp["estimate"]) and "undefined" in comp["note"] and comp["n"] == 4 * k
    dated = t.loc["dated: standard year (5 nearest)"]
    assert dated["n"] == len(g) // 2 and dated["estimate"] > 0.5 and dated["p_sim"] < 0.05
    assert "undefined" in res.reading
    mixed = m.moran_sensitivity(g, ev, ["02"], permutations=99).table.set_index("variant")
    assert mixed.loc["complete provinces", "n"] == 8 * k
    assert not np.isnan(mixed.loc["complete provinces", "estimate"])
    rec = pd.DataFrame(
        {
            "ma_huyen": ["001", "030"],
            "standard": "ntm",
            "standard_year": [None, 2019],
            "completeness": [True, False],
        }
    )
    assert m.complete_province_codes(rec, g) == ["01"]
