"""Statistical models of how districts advance toward the NTM standards.

Everything here is a pure function over DataFrames with documented columns, so the same code
runs on simulated panels (tests), on the recognitions reference table and on the extracted
records. Each model function returns a :class:`ModelResult`: a tidy ``table`` (term,
estimate, std_error, ci_low, ci_high, p_value, n, events, ...), a short plain-language
``reading`` and an ``info`` dict with the modelling choices actually made (and why).

Inputs
------
``units`` — one row per district that could be at risk::

    district_code (str, '001'), province_code (str, '01'), region (str, 6 English ids),
    district_type (str: huyện | quận | thị xã | thành phố, or English equivalents),
    optional: area_km2 (float), start_share (float in [0, 1], may be NaN), entry_year (int)

``recognitions`` — one row per district × standard, the shape of
``data/reference/district_recognitions.csv`` / ``helpers.panel.load_recognitions()``::

    district_code (or ma_huyen), standard (ntm | ntm_advanced | ntm_model),
    standard_year (int or NaN), decision_date (ISO date text or NaN),
    optional: year_lo, year_hi (bounds on an unknown standard year)

A recognised district whose year is unknown is NEVER treated as "not recognised": it is
excluded from the risk set (``unknown="exclude"``), or its year is multiply imputed within
its bounds from the fitted hazard (``unknown="impute"``), or set to either bound (sensitivity).

Time
----
The programme ran from 2010; the district level was abolished on 1 July 2025. On the
*standard-year* scale ("đạt chuẩn NTM năm t") the last year at risk is 2024 (no district
was ever assessed for standard year 2025). On the *decision* scale (year of the Prime
Minister's decision) 2025 is at risk for half a year (exposure 0.5, entering the
complementary log-log model as the offset log 0.5), and decisions after 2025-06-30 are
censored.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

try:  # BLAS threads fight each other on small designs: one thread is several times faster
    from threadpoolctl import threadpool_limits as _threadpool_limits
except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn (esda/libpysal)
    _threadpool_limits = None

__all__ = [
    "LEVELS",
    "PERIODS",
    "REFORM_DATE",
    "REGIONS",
    "REGION_LABELS",
    "ModelResult",
    "backtest_forecast",
    "calibration_table",
    "compare_time_scales",
    "criteria_growth",
    "criteria_reports",
    "district_covariates",
    "fill_district_codes",
    "fit_cox",
    "fit_hazard",
    "fit_ordered_level",
    "forecast_next_year",
    "hazard_unknown_years",
    "kaplan_meier",
    "levels_reached",
    "lisa",
    "morans_i",
    "moran_sensitivity",
    "person_period",
    "plot_calibration",
    "plot_coefficients",
    "plot_category_map",
    "forecast_classes",
    "forecast_categories",
    "forecast_map_classes",
    "advanced_risk_units",
    "LISA_CATEGORIES",
    "plot_km",
    "recognition_coverage",
    "recognition_events",
    "simulate_growth",
    "simulate_hazard_panel",
    "simulate_ordered",
    "spatial_weights",
    "complete_province_codes",
    "start_share_from_records",
    "sensitivity_unknown_years",
]

REFORM_DATE = pd.Timestamp("2025-07-01")
REGIONS = (
    "red_river_delta",
    "northern_midlands_mountains",
    "north_central_coast",
    "central_highlands",
    "southeast",
    "mekong_delta",
)
REGION_LABELS = {
    "red_river_delta": "ĐB sông Hồng",
    "northern_midlands_mountains": "Trung du & miền núi phía Bắc",
    "north_central_coast": "Bắc Trung Bộ & DH miền Trung",
    "central_highlands": "Tây Nguyên",
    "southeast": "Đông Nam Bộ",
    "mekong_delta": "ĐB sông Cửu Long",
}
LEVELS = ("none", "ntm", "ntm_advanced", "ntm_model")
# The criteria sets: QĐ 491/2009 (+342/2013), QĐ 1980 & 558/2016, QĐ 318-320/2022.
PERIODS = {"2011-2015": (2011, 2015), "2016-2020": (2016, 2020), "2021-2025": (2021, 2025)}
WINDOW = {"standard_year": (2011, 2024), "decision_year": (2011, 2025)}
LAST_EXPOSURE = {"standard_year": {}, "decision_year": {2025: 0.5}}


@dataclass
class ModelResult:
    """A fitted model's tidy table, a plain-language reading and the choices made."""

    name: str
    table: pd.DataFrame
    reading: str
    info: dict[str, Any] = field(default_factory=dict)
    model: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # short, readable in a notebook
        return f"ModelResult({self.name}: {len(self.table)} rows)\n{self.reading}"


def _single_thread(func):
    """Run ``func`` with BLAS limited to one thread (GLM/IRLS on ~10 columns is faster so)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if _threadpool_limits is None:
            return func(*args, **kwargs)
        with _threadpool_limits(1):
            return func(*args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------

_TYPE_CLASS = {
    "huyện": "huyen",
    "huyen": "huyen",
    "rural_district": "huyen",
    "district": "huyen",
    "quận": "quan",
    "quan": "quan",
    "urban_district": "quan",
    "thị xã": "thi_xa",
    "thi xa": "thi_xa",
    "thi_xa": "thi_xa",
    "town": "thi_xa",
    "thành phố": "thanh_pho",
    "thanh pho": "thanh_pho",
    "thanh_pho": "thanh_pho",
    "city": "thanh_pho",
    "provincial_city": "thanh_pho",
}


def _type_class(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value)).strip().lower()
    for prefix in ("thành phố", "thị xã", "huyện", "quận"):
        if text.startswith(prefix):
            return _TYPE_CLASS[prefix]
    return _TYPE_CLASS.get(text, "unknown")


def district_covariates(
    districts: pd.DataFrame,
    provinces: pd.DataFrame | None = None,
    areas: pd.DataFrame | None = None,
    start_share: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ``units`` table: district code, province, region, type, urban flag and log area.

    ``districts``: [district_code, district_type, province_code] (+ region if already there);
    ``provinces``: [province_code, region]; ``areas``: [district_code, area_km2] (e.g. from the
    boundaries, projected); ``start_share``: [district_code, start_share] (share of communes
    meeting NTM in the first report, may be missing). Urban = thị xã or thành phố thuộc tỉnh
    (quận are kept but flagged: they have no rural communes and are not at risk).
    """
    out = districts[
        [
            c
            for c in districts.columns
            if c
            in (
                "district_code",
                "district_name",
                "district_type",
                "province_code",
                "province_name",
                "region",
            )
        ]
    ].copy()
    out["district_code"] = out["district_code"].astype(str).str.zfill(3)
    out["province_code"] = out["province_code"].astype(str).str.zfill(2)
    if "region" not in out.columns:
        if provinces is None:
            raise ValueError("district_covariates: no region column and no provinces table")
        reg = provinces[["province_code", "region"]].copy()
        reg["province_code"] = reg["province_code"].astype(str).str.zfill(2)
        out = out.merge(reg, on="province_code", how="left")
    out["type_class"] = out["district_type"].map(_type_class)
    out["urban"] = out["type_class"].isin(["thi_xa", "thanh_pho"]).astype(float)
    if areas is not None:
        a = areas[["district_code", "area_km2"]].copy()
        a["district_code"] = a["district_code"].astype(str).str.zfill(3)
        out = out.merge(a, on="district_code", how="left")
        out["log_area"] = np.log(out["area_km2"].where(out["area_km2"] > 0))
    if start_share is not None:
        s = start_share[["district_code", "start_share"]].copy()
        s["district_code"] = s["district_code"].astype(str).str.zfill(3)
        out = out.merge(s, on="district_code", how="left")
    return out.reset_index(drop=True)


def start_share_from_records(
    records: pd.DataFrame,
    standard: str = "ntm",
    reference_year: int | pd.Series | dict[str, int] = WINDOW["standard_year"][0],
) -> pd.DataFrame:
    """Per district, the share of its communes meeting ``standard`` when it enters the risk set.

    A covariate must not use information from after the years it explains, so only reports
    whose figure is dated (``year``, else the year of ``as_of``) in or before the district's
    reference year count: ``reference_year`` is one year for all (default 2011, the first
    year at risk) or a mapping district_code → year (e.g. each district's ``entry_year``;
    districts not in the mapping are dropped). Of those, the LATEST report wins: it is the
    status closest to the start of the risk. Reports are taken from records with ``unit ==
    "district"``, ``measure == "units_met"``, ``counted == "commune"``, actual figures with a
    total and a resolved district code.

    Returns [district_code, start_share, start_year, reference_year, doc_id]; districts
    without such a report are absent (the covariate is missing for them, never zero). Reports
    dated after the reference year are listed in ``.attrs['too_late']`` (district_code,
    start_year, reference_year, doc_id), not silently dropped.
    """
    r = records.copy()
    keep = (
        (r["unit"] == "district")
        & (r["measure"] == "units_met")
        & (r["counted"] == "commune")
        & (r["standard"] == standard)
    )
    if "modality" in r.columns:
        keep &= r["modality"].fillna("actual") == "actual"
    code = r["district_code"] if "district_code" in r.columns else pd.Series(np.nan, index=r.index)
    r = r.loc[keep & code.notna()].copy()
    r["achieved"] = pd.to_numeric(r["achieved"], errors="coerce")
    r["total"] = pd.to_numeric(r["total"], errors="coerce")
    r = r.loc[(r["total"] > 0) & r["achieved"].notna()]
    year = pd.to_numeric(r.get("year"), errors="coerce")
    as_of = (
        pd.to_numeric(r["as_of"].astype("string").str[:4], errors="coerce").astype(float)
        if "as_of" in r.columns
        else np.nan
    )
    r["start_year"] = year.astype(float).fillna(as_of)
    r = r.dropna(subset=["start_year"])
    r["start_year"] = r["start_year"].astype(int)
    r["district_code"] = r["district_code"].astype(str).str.zfill(3)
    r["start_share"] = (r["achieved"] / r["total"]).clip(0, 1)
    if isinstance(reference_year, (dict, pd.Series)):
        ref = pd.Series(reference_year, dtype=float)
        ref.index = ref.index.astype(str).str.zfill(3)
        r["reference_year"] = r["district_code"].map(ref)
        r = r.dropna(subset=["reference_year"])
        r["reference_year"] = r["reference_year"].astype(int)
    else:
        r["reference_year"] = int(reference_year)
    extra = ["doc_id"] if "doc_id" in r.columns else []
    late = r["start_year"] > r["reference_year"]
    cols = ["district_code", "start_share", "start_year", "reference_year"] + extra
    out = (
        r.loc[~late]
        .sort_values(["district_code", "start_year"], kind="stable")
        .drop_duplicates("district_code", keep="last")[cols]
        .reset_index(drop=True)
    )
    out.attrs["too_late"] = (
        r.loc[late, ["district_code", "start_year", "reference_year"] + extra]
        .sort_values(["district_code", "start_year"])
        .reset_index(drop=True)
    )
    return out


def _year_of(value: Any) -> float:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    m = re.match(r"^\s*(\d{4})-\d{2}(-\d{2})?\s*$", str(value))
    return float(m.group(1)) if m else np.nan


def _normalise_recognitions(recognitions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rec = recognitions.copy()
    if "district_code" not in rec.columns and "ma_huyen" in rec.columns:
        rec = rec.rename(columns={"ma_huyen": "district_code"})
    missing = [c for c in ("district_code", "standard", "standard_year") if c not in rec.columns]
    if missing:
        raise ValueError(f"recognitions table lacks columns {missing}")
    code = rec["district_code"].astype("string").str.strip()
    no_code = code.isna() | (code == "") | (code.str.lower() == "nan")
    skipped = rec.loc[no_code].assign(reason="no GSO district code (unit merged away)")
    rec = rec.loc[~no_code].copy()
    rec["district_code"] = (
        code[~no_code].astype(str).str.replace(r"\.0$", "", regex=True).str.zfill(3)
    )
    rec["standard_year"] = pd.to_numeric(rec["standard_year"], errors="coerce")
    if "decision_date" not in rec.columns:
        rec["decision_date"] = np.nan
    if (
        "decision_year" in rec.columns
    ):  # helpers.panel.load_recognitions parses it (also from notes)
        rec["decision_year"] = pd.to_numeric(rec["decision_year"], errors="coerce").astype(float)
    else:
        rec["decision_year"] = [_year_of(v) for v in rec["decision_date"]]
    dec = pd.to_datetime(rec["decision_date"].astype("string"), errors="coerce", format="mixed")
    rec["after_reform"] = dec >= REFORM_DATE
    return rec, skipped


def fill_district_codes(recognitions: pd.DataFrame, resolve) -> pd.DataFrame:
    """Fill missing district codes by name (e.g. units merged away in 2024–25 that the table
    lists without a code), with ``resolve(name, unit="district", province=...)`` — normally
    ``helpers.gazetteer.resolve`` — accepting only exact matches.

    Adds ``code_from`` (``table`` / ``name`` / ``missing``); unresolved rows keep no code and
    are then listed as skipped by :func:`recognition_events`.
    """
    rec = recognitions.copy()
    if "district_code" not in rec.columns and "ma_huyen" in rec.columns:
        rec = rec.rename(columns={"ma_huyen": "district_code"})
    name_col = "district_name" if "district_name" in rec.columns else "district"
    prov_col = "province_name" if "province_name" in rec.columns else "province"
    code = rec["district_code"].astype("string").str.strip()
    missing = code.isna() | (code == "")
    origin = pd.Series(np.where(missing, "missing", "table"), index=rec.index, dtype="string")
    for i in rec.index[missing]:
        res = resolve(str(rec.at[i, name_col]), unit="district", province=str(rec.at[i, prov_col]))
        if getattr(res, "status", None) == "exact" and res.code:
            code.at[i] = str(res.code).zfill(3)
            origin.at[i] = "name"
    rec["district_code"] = code
    rec["code_from"] = origin
    return rec


def recognition_events(
    recognitions: pd.DataFrame,
    standard: str = "ntm",
    time: str = "standard_year",
    max_lag: int = 3,
) -> pd.DataFrame:
    """One row per recognised district: its event year on the chosen scale, or its bounds.

    Returns [district_code, standard, event_year, year_known, year_lo, year_hi]. ``time`` is
    ``"standard_year"`` or ``"decision_year"``. Unknown years keep bounds: a standard year
    lies in [decision year − max_lag, decision year] (or the whole window); a decision year in
    [standard year, standard year + max_lag]. Where several rows name the same district the
    earliest known year wins. Skipped rows (no code) are in ``.attrs['skipped']``.
    """
    if time not in WINDOW:
        raise ValueError(f"time must be one of {sorted(WINDOW)}, not {time!r}")
    rec, skipped = _normalise_recognitions(recognitions)
    rec = rec.loc[rec["standard"] == standard].copy()
    first, last = WINDOW[time]
    if time == "standard_year":
        year = rec["standard_year"]
        lo = np.where(rec["decision_year"].notna(), rec["decision_year"] - max_lag, first)
        hi = np.where(rec["decision_year"].notna(), rec["decision_year"], last)
    else:
        year = rec["decision_year"].where(~rec["after_reform"].fillna(False).astype(bool))
        lo = np.where(rec["standard_year"].notna(), rec["standard_year"], first)
        hi = np.where(rec["standard_year"].notna(), rec["standard_year"] + max_lag, last)
    out = pd.DataFrame(
        {
            "district_code": rec["district_code"].to_numpy(),
            "standard": standard,
            "event_year": year.to_numpy(dtype=float),
            "year_lo": np.asarray(lo, dtype=float),
            "year_hi": np.asarray(hi, dtype=float),
        }
    )
    for col in ("year_lo", "year_hi"):  # explicit bounds from the table win
        if col in rec.columns:
            given = pd.to_numeric(rec[col], errors="coerce").to_numpy(dtype=float)
            out[col] = np.where(np.isnan(given), out[col], given)
    out["year_lo"] = out["year_lo"].clip(first, last)
    out["year_hi"] = out["year_hi"].clip(first, last)
    out["year_known"] = out["event_year"].notna()
    out = (
        out.sort_values(
            ["district_code", "year_known", "event_year"], ascending=[True, False, True]
        )
        .drop_duplicates("district_code")
        .reset_index(drop=True)
    )
    out.attrs["skipped"] = skipped
    out.attrs["time"] = time
    return out


# --------------------------------------------------------------------------------------
# Person-period (district-year) table
# --------------------------------------------------------------------------------------


def person_period(
    units: pd.DataFrame,
    events: pd.DataFrame,
    start: int = 2011,
    end: int = 2024,
    exposure: dict[int, float] | None = None,
    unknown: str = "exclude",
    imputed: dict[str, int] | None = None,
    exclude_types: tuple[str, ...] = ("quan",),
    keep_text: tuple[str, ...] = ("province_code", "region", "type_class"),
) -> pd.DataFrame:
    """District-years at risk until recognition: one row per (district_code, year).

    A district enters in ``start`` (or its ``entry_year``) and leaves in its event year
    (``event`` = 1 that year) or is censored after ``end``. Districts recognised before they
    enter are not at risk. Recognised districts with an unknown year are dropped when
    ``unknown="exclude"`` (listed in ``.attrs['excluded_unknown']``), take the year given in
    ``imputed`` (district_code → year) when one is given, or raise when ``unknown="error"``.
    They are never counted as "not recognised". Quận (no rural communes) are not at risk.
    Columns: district_code, the units' numeric columns and ``keep_text`` columns, + year,
    event, exposure, period, at_risk_from.
    """
    if unknown not in ("exclude", "error"):
        raise ValueError(
            "unknown must be 'exclude' or 'error'; impute through hazard_unknown_years"
        )
    u = units.copy()
    u["district_code"] = u["district_code"].astype(str).str.zfill(3)
    if "type_class" not in u.columns and "district_type" in u.columns:
        u["type_class"] = u["district_type"].map(_type_class)
    not_eligible = u.loc[
        u.get("type_class", pd.Series("", index=u.index)).isin(exclude_types), "district_code"
    ]
    u = u.loc[~u["district_code"].isin(not_eligible)]
    ev = events.copy()
    imputed = imputed or {}
    year = ev["event_year"].astype(float).to_numpy().copy()
    for i, code in enumerate(ev["district_code"]):
        if np.isnan(year[i]) and code in imputed:
            year[i] = float(imputed[code])
    ev["event_year_used"] = year
    unknown_codes = ev.loc[np.isnan(year), "district_code"]
    if unknown == "error" and len(unknown_codes):
        raise ValueError(
            f"{len(unknown_codes)} recognised districts have no year: {list(unknown_codes)[:5]}"
        )
    not_in_units = ev.loc[
        ~ev["district_code"].isin(units["district_code"].astype(str).str.zfill(3)), "district_code"
    ]
    u = u.loc[~u["district_code"].isin(unknown_codes)]
    u = u.merge(ev[["district_code", "event_year_used"]], on="district_code", how="left")
    entry = (
        u["entry_year"].fillna(start).astype(float)
        if "entry_year" in u.columns
        else pd.Series(float(start), index=u.index)
    )
    entry = np.maximum(entry.to_numpy(), start)
    stop = np.where(np.isnan(u["event_year_used"]), end, np.minimum(u["event_year_used"], end))
    stop = np.where(u["event_year_used"] > end, end, stop)
    n_years = (stop - entry + 1).astype(int)
    n_years = np.clip(n_years, 0, None)
    idx = np.repeat(np.arange(len(u)), n_years)
    u = u.reset_index(drop=True)
    offsets = np.arange(int(n_years.sum())) - np.repeat(np.cumsum(n_years) - n_years, n_years)
    cols = {}
    for col in u.columns:
        if col == "event_year_used":
            continue
        series = u[col]
        if col == "district_code" or pd.api.types.is_numeric_dtype(series):
            cols[col] = series.to_numpy()[idx]
        elif col in keep_text:  # other text (names) is not needed per district-year
            cols[col] = pd.Categorical(series).take(idx)  # cheap to repeat, compares like text
    pp = pd.DataFrame(cols)
    years = (np.repeat(entry, n_years) + offsets).astype(int)
    pp["year"] = years
    pp["event"] = (years == u["event_year_used"].to_numpy()[idx]).astype(int)
    pp["at_risk_from"] = np.repeat(entry, n_years).astype(int)
    expo = np.ones(len(pp))
    for y, v in (exposure or {}).items():
        expo[years == int(y)] = float(v)
    pp["exposure"] = expo
    pp["period"] = pd.Categorical(
        np.select([years <= 2015, years <= 2020], list(PERIODS)[:2], list(PERIODS)[2])
    )
    pp.attrs.update(
        excluded_unknown=sorted(unknown_codes.tolist()),
        not_eligible=sorted(not_eligible.tolist()),
        events_not_in_units=sorted(not_in_units.tolist()),
        recognised_before_entry=int((u["event_year_used"] < entry).sum()),
        window=(start, end),
    )
    return pp


# --------------------------------------------------------------------------------------
# Discrete-time hazard (GLM binomial, cloglog / logit, clustered by province)
# --------------------------------------------------------------------------------------


@dataclass
class _Design:
    time_effect: str
    time_levels: list[str]
    region_levels: list[str]
    region_ref: str | None
    numeric: list[str]
    columns: list[str]


def _time_key(frame: pd.DataFrame, mode: str) -> np.ndarray:
    if mode == "year":
        return frame["year"].to_numpy().astype(int).astype(str)
    return np.asarray(frame["period"].to_numpy(), dtype=str)


def _make_design(pp: pd.DataFrame, covariates: tuple[str, ...], time_effect: str) -> _Design:
    levels = sorted(np.unique(_time_key(pp, time_effect)).tolist())
    regions, ref, numeric = [], None, []
    for c in covariates:
        if c == "region":
            seen = set(pp["region"].unique().tolist())
            present = [r for r in REGIONS if r in seen] + sorted(seen - set(REGIONS))
            ref = present[0] if present else None
            regions = present[1:]
        else:
            numeric.append(c)
    cols = [f"time[{t}]" for t in levels] + [f"region[{r}]" for r in regions] + numeric
    return _Design(time_effect, levels, regions, ref, numeric, cols)


def _design_matrix(frame: pd.DataFrame, d: _Design, time_override: str | None = None) -> np.ndarray:
    n = len(frame)
    X = np.zeros((n, len(d.columns)))
    key = _time_key(frame, d.time_effect) if time_override is None else np.full(n, time_override)
    for j, t in enumerate(d.time_levels):
        X[:, j] = key == t
    k = len(d.time_levels)
    if d.region_levels:
        reg = frame["region"].to_numpy()
        for j, r in enumerate(d.region_levels):
            X[:, k + j] = reg == r
        k += len(d.region_levels)
    for j, c in enumerate(d.numeric):
        X[:, k + j] = frame[c].to_numpy(dtype=float)
    return X


def _family(link: str) -> families.Family:
    if link == "cloglog":
        return families.Binomial(link=families.links.CLogLog())
    if link == "logit":
        return families.Binomial(link=families.links.Logit())
    raise ValueError(f"link must be 'cloglog' or 'logit', not {link!r}")


def _choose_time_effect(pp: pd.DataFrame, time_effect: str, min_events: int) -> tuple[str, str]:
    by_year = pp.groupby("year")["event"].sum()
    by_year = by_year.loc[
        by_year.index >= (by_year[by_year > 0].index.min() if (by_year > 0).any() else 0)
    ]
    if time_effect != "auto":
        return time_effect, f"time effect '{time_effect}' requested"
    if len(by_year) and (by_year >= min_events).all():
        return (
            "year",
            f"every year from the first event has ≥ {min_events} events: one effect per year",
        )
    sparse = [int(y) for y in by_year.index[by_year < min_events]]
    return "period", (
        f"years {sparse} have < {min_events} events: one effect per criteria period "
        f"({', '.join(PERIODS)}) instead of per year"
    )


def _drop_empty_cells(
    pp: pd.DataFrame, covariates: tuple[str, ...], time_effect: str
) -> tuple[pd.DataFrame, list[str]]:
    """Drop time levels and regions with no events (their effect is −∞, not estimable)."""
    notes = []
    key = _time_key(pp, time_effect)
    ev = pd.Series(pp["event"].to_numpy()).groupby(key).sum()
    empty = sorted(ev.index[ev == 0])
    if empty:
        notes.append(
            f"no events in {time_effect} {empty}: those district-years dropped (hazard 0, not "
            "estimable)"
        )
        pp = pp.loc[~np.isin(key, empty)]
    if "region" in covariates:
        evr = pp.groupby("region", observed=True)["event"].sum()
        empty_r = sorted(evr.index[evr == 0])
        if empty_r:
            notes.append(
                f"no events in region {empty_r}: its districts dropped (effect not estimable)"
            )
            pp = pp.loc[~pp["region"].isin(empty_r)]
    return pp, notes


def _coef_table(names, params, bse, dfn=None, scale_name="hazard_ratio") -> pd.DataFrame:
    z = stats.norm.ppf(0.975) if dfn is None else stats.t.ppf(0.975, dfn)
    params, bse = np.asarray(params, float), np.asarray(bse, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = params / bse
        p = 2 * (stats.norm.sf(np.abs(zval)) if dfn is None else stats.t.sf(np.abs(zval), dfn))
    t = pd.DataFrame(
        {
            "term": names,
            "estimate": params,
            "std_error": bse,
            "ci_low": params - z * bse,
            "ci_high": params + z * bse,
            "p_value": p,
        }
    )
    if scale_name:
        t[scale_name] = np.exp(t["estimate"])
        t[f"{scale_name}_low"] = np.exp(t["ci_low"])
        t[f"{scale_name}_high"] = np.exp(t["ci_high"])
    return t


def _fit_glm(pp: pd.DataFrame, d: _Design, link: str, cluster: str | None):
    X = _design_matrix(pp, d)
    offset = np.log(pp["exposure"].to_numpy()) if link == "cloglog" else None
    model = GLM(pp["event"].to_numpy(), X, family=_family(link), offset=offset)
    if cluster and pp[cluster].nunique() > 1:
        groups = pd.factorize(pp[cluster])[0]
        res = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    else:
        res = model.fit()
    return res


def _term_label(col: str) -> str:
    return col


def _hazard_reading(table: pd.DataFrame, info: dict, link: str) -> str:
    ratio = "hazard ratio" if link == "cloglog" else "odds ratio"
    col = "hazard_ratio" if link == "cloglog" else "odds_ratio"
    parts = [
        f"{info['n_units']} districts at risk over {info['years'][0]}–{info['years'][1]} "
        f"({info['n']} district-years), {info['events']} recognitions; errors clustered by "
        "province "
        f"({info['n_clusters']} clusters)."
    ]
    for _, r in table.loc[~table["term"].str.startswith("time[")].iterrows():
        sig = "clearly" if r["p_value"] < 0.05 else "not clearly"
        parts.append(
            f"{r['term']}: {ratio} {r[col]:.2f} (95% CI "
            f"{r[col + '_low']:.2f}–{r[col + '_high']:.2f}), {sig} different from 1."
        )
    return " ".join(parts)


@_single_thread
def fit_hazard(
    pp: pd.DataFrame,
    link: str = "cloglog",
    covariates: tuple[str, ...] = ("region", "urban", "log_area"),
    time_effect: str = "auto",
    cluster: str | None = "province_code",
    min_events_per_year: int = 3,
) -> ModelResult:
    """Discrete-time hazard of recognition on a :func:`person_period` table.

    GLM binomial with a complementary log-log link (a grouped proportional-hazards model:
    coefficients are log hazard ratios; partial years enter as the offset log exposure) or a
    logit link (log odds ratios). The baseline is one effect per year, or per criteria period
    when some years have fewer than ``min_events_per_year`` events (``time_effect="auto"``).
    Rows with a missing covariate are dropped (complete cases, counted in ``info``). Standard
    errors are clustered by province: districts of a province share a provincial programme,
    budget and appraisal council, so their outcomes are not independent.
    """
    covariates = tuple(covariates)
    work = pp.copy()
    needed = [c for c in covariates if c != "region"] + (
        ["region"] if "region" in covariates else []
    )
    complete = work[needed].notna().all(axis=1) if needed else pd.Series(True, index=work.index)
    n_dropped_units = work.loc[~complete, "district_code"].nunique()
    work = work.loc[complete]
    mode, why = _choose_time_effect(work, time_effect, min_events_per_year)
    work, notes = _drop_empty_cells(work, covariates, mode)
    if work["event"].sum() == 0:
        return ModelResult(
            f"hazard_{link}",
            pd.DataFrame(columns=["term", "estimate"]),
            "No recognitions in the risk set: the hazard cannot be estimated.",
            {"n": len(work), "events": 0, "reason": "no events"},
        )
    d = _make_design(work, covariates, mode)
    res = _fit_glm(work, d, link, cluster)
    scale = "hazard_ratio" if link == "cloglog" else "odds_ratio"
    table = _coef_table(d.columns, res.params, res.bse, scale_name=scale)
    info = {
        "link": link,
        "time_effect": mode,
        "time_effect_reason": why,
        "notes": notes,
        "n": int(len(work)),
        "n_units": int(work["district_code"].nunique()),
        "events": int(work["event"].sum()),
        "n_clusters": int(work[cluster].nunique()) if cluster else None,
        "years": (int(work["year"].min()), int(work["year"].max())),
        "region_reference": d.region_ref,
        "dropped_incomplete_units": int(n_dropped_units),
        "covariates": covariates,
    }
    for k in ("n", "n_units", "events"):
        table[k] = info[k]
    reading = _hazard_reading(table, info, link)
    if d.region_ref:
        reading += f" Regions are compared with {d.region_ref}."
    return ModelResult(f"hazard_{link}", table, reading, info, res, {"design": d})


def _predict_hazard(
    result: ModelResult,
    frame: pd.DataFrame,
    params: np.ndarray | None = None,
    baseline_years: list[int] | None = None,
) -> np.ndarray:
    """Hazard for rows of ``frame`` (exposure 1). Time levels not in the fit: years before the
    first fitted one get hazard 0; later ones use the mean effect of ``baseline_years`` (or the
    last fitted level)."""
    d: _Design = result.extra["design"]
    beta = result.model.params if params is None else params
    fam = _family(result.info["link"])
    k = len(d.time_levels)
    if baseline_years is not None:
        keys = sorted(
            {str(y) if d.time_effect == "year" else _period_of(y) for y in baseline_years}
            & set(d.time_levels)
        )
        keys = keys or [d.time_levels[-1]]
        lp = np.mean([_design_matrix(frame, d, time_override=t) @ beta for t in keys], axis=0)
        return fam.link.inverse(lp)
    key = _time_key(frame, d.time_effect)
    known = np.isin(key, d.time_levels)
    X = _design_matrix(frame, d)
    lp = X @ beta
    if (~known).any():
        first = d.time_levels[0]
        later = np.array([kk > d.time_levels[-1] for kk in key])
        X_last = _design_matrix(frame, d, time_override=d.time_levels[-1]) @ beta
        lp = np.where(~known & later, X_last, lp)
        h = fam.link.inverse(lp)
        h = np.where(~known & ~later & (key < first), 0.0, h)
        return h
    del k
    return fam.link.inverse(lp)


def _period_of(year: int) -> str:
    for name, (a, b) in PERIODS.items():
        if a <= year <= b:
            return name
    return list(PERIODS)[-1]


def _draw_event_years(
    codes: np.ndarray, years: np.ndarray, h: np.ndarray, rng: np.random.Generator
) -> dict:
    """One year per code drawn from P(T = t | lo ≤ T ≤ hi) ∝ h_t ∏_{s<t} (1 − h_s).

    Rows are sorted by code, then year."""
    start = np.r_[True, codes[1:] != codes[:-1]]
    grp = np.cumsum(start) - 1
    log_s = np.log1p(-np.clip(h, 0, 1 - 1e-12))
    cum = np.cumsum(log_s)
    first = np.flatnonzero(start)
    before = cum - log_s - (cum[first] - log_s[first])[grp]  # Σ_{s<t} within the code
    p = h * np.exp(before)
    tot = np.bincount(grp, weights=p)
    flat = tot[grp] <= 0  # no hazard anywhere in the bounds: uniform
    p = np.where(flat, 1.0, p)
    tot = np.bincount(grp, weights=p)
    cdf = (np.cumsum(p) - np.r_[0, np.cumsum(p)][first][grp]) / tot[grp]
    u = rng.random(len(first))[grp]
    hit = np.flatnonzero(cdf >= u - 1e-12)
    _, first_hit = np.unique(grp[hit], return_index=True)
    chosen = hit[first_hit]
    return {str(codes[i]): int(years[i]) for i in chosen}


def _rubin(params: np.ndarray, covs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = len(params)
    qbar = params.mean(axis=0)
    w = np.mean([np.diag(c) for c in covs], axis=0)
    b = params.var(axis=0, ddof=1) if m > 1 else np.zeros_like(qbar)
    t = w + (1 + 1 / m) * b
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (1 + 1 / m) * b / w
        dfree = (m - 1) * (1 + 1 / r) ** 2
    dfree = np.where(np.isfinite(dfree), dfree, 1e6)
    return qbar, np.sqrt(t), dfree


@_single_thread
def hazard_unknown_years(
    units: pd.DataFrame,
    events: pd.DataFrame,
    unknown: str = "impute",
    link: str = "cloglog",
    covariates: tuple[str, ...] = ("region", "urban", "log_area"),
    time_effect: str = "auto",
    n_imputations: int = 20,
    seed: int = 0,
    time: str | None = None,
    cluster: str | None = "province_code",
) -> ModelResult:
    """Hazard model with recognised-but-undated districts handled explicitly.

    ``unknown``: ``"exclude"`` (drop them from the risk set), ``"impute"`` (multiple
    imputation: each undated recognition gets a year drawn within [year_lo, year_hi] from the
    hazard fitted on dated ones, with parameters drawn from their sampling distribution;
    ``n_imputations`` fits pooled by Rubin's rules), ``"lower"`` / ``"upper"`` (every undated
    recognition at its earliest / latest possible year: the sensitivity bounds).
    """
    time = time or events.attrs.get("time", "standard_year")
    start, end = WINDOW[time]
    exposure = LAST_EXPOSURE[time]
    unk = events.loc[~events["year_known"] & events["district_code"].isin(units["district_code"])]
    if "type_class" in units.columns:
        elig = units.loc[units["type_class"] != "quan", "district_code"]
        unk = unk.loc[unk["district_code"].isin(elig)]
    n_unknown = len(unk)
    if unknown in ("lower", "upper"):
        col = "year_lo" if unknown == "lower" else "year_hi"
        imp = dict(zip(unk["district_code"], unk[col].astype(int), strict=True))
        res = fit_hazard(
            person_period(units, events, start, end, exposure, imputed=imp),
            link,
            covariates,
            time_effect,
            cluster,
        )
        res.info.update(unknown=unknown, n_unknown=n_unknown)
        res.name = f"hazard_{link}_{unknown}"
        which = "earliest" if unknown == "lower" else "latest"
        res.reading += f" {n_unknown} undated recognitions placed at their {which} possible year."
        return res
    base = fit_hazard(
        person_period(units, events, start, end, exposure), link, covariates, time_effect, cluster
    )
    if unknown == "exclude" or n_unknown == 0:
        base.info.update(unknown="exclude", n_unknown=n_unknown)
        base.name = f"hazard_{link}_exclude"
        base.reading += (
            f" {n_unknown} recognised districts without a year were left out of the risk set."
        )
        return base
    if unknown != "impute":
        raise ValueError("unknown must be exclude, impute, lower or upper")
    rng = np.random.default_rng(seed)
    mode = base.info["time_effect"]
    # the frame of candidate years for every undated recognition
    u = units.set_index(units["district_code"].astype(str).str.zfill(3))
    rows = []
    for _, r in unk.iterrows():
        for y in range(int(r["year_lo"]), int(r["year_hi"]) + 1):
            rows.append((r["district_code"], y))
    cand = pd.DataFrame(rows, columns=["district_code", "year"])
    cand = cand.join(u.drop(columns=["district_code"]), on="district_code")
    cand["period"] = [_period_of(y) for y in cand["year"]]
    cand["exposure"] = cand["year"].map(lambda y: exposure.get(int(y), 1.0))
    ok = cand[[c for c in covariates if c in cand.columns]].notna().all(axis=1)
    cand = cand.loc[ok].reset_index(drop=True)
    codes = cand["district_code"].to_numpy()
    cov_b = np.asarray(base.model.cov_params())
    current = base
    params, covs, events_n, n_rows = [], [], [], []
    for _ in range(n_imputations):
        beta = rng.multivariate_normal(np.asarray(current.model.params), cov_b, method="eigh")
        h = _predict_hazard(current, cand, beta)
        h = 1 - (1 - h) ** cand["exposure"].to_numpy()
        imp = _draw_event_years(codes, cand["year"].to_numpy(), h, rng)
        pp = person_period(units, events, start, end, exposure, imputed=imp)
        fit = fit_hazard(pp, link, covariates, mode, cluster)
        if fit.model is None or list(fit.table["term"]) != list(base.table["term"]):
            continue
        params.append(np.asarray(fit.model.params))
        covs.append(np.asarray(fit.model.cov_params()))
        events_n.append(fit.info["events"])
        n_rows.append(fit.info["n"])
    if len(params) < 2:
        raise RuntimeError(
            "multiple imputation failed: fewer than 2 imputed fits share the base design"
        )
    qbar, se, dfree = _rubin(np.array(params), np.array(covs))
    scale = "hazard_ratio" if link == "cloglog" else "odds_ratio"
    table = _coef_table(list(base.table["term"]), qbar, se, scale_name=scale)
    tq = stats.t.ppf(0.975, dfree)
    table["ci_low"], table["ci_high"] = qbar - tq * se, qbar + tq * se
    table[f"{scale}_low"], table[f"{scale}_high"] = (
        np.exp(table["ci_low"]),
        np.exp(table["ci_high"]),
    )
    table["p_value"] = 2 * stats.t.sf(np.abs(qbar / se), dfree)
    info = dict(base.info)
    info.update(
        unknown="impute",
        n_unknown=n_unknown,
        n_imputations=len(params),
        n=int(np.mean(n_rows)),
        events=int(round(np.mean(events_n))),
        n_units=base.info["n_units"] + n_unknown,
    )
    for k in ("n", "n_units", "events"):
        table[k] = info[k]
    reading = _hazard_reading(table, info, link) + (
        f" {n_unknown} recognised districts without a year were kept: their year was imputed "
        f"{len(params)} times within its bounds and the fits pooled (Rubin's rules)."
    )
    return ModelResult(
        f"hazard_{link}_impute", table, reading, info, None, {"design": base.extra["design"]}
    )


@_single_thread
def sensitivity_unknown_years(
    units: pd.DataFrame,
    events: pd.DataFrame,
    link: str = "cloglog",
    covariates: tuple[str, ...] = ("region", "urban", "log_area"),
    n_imputations: int = 20,
    seed: int = 0,
) -> ModelResult:
    """The same hazard model under the four treatments of undated recognitions, side by side."""
    fits = {"exclude": hazard_unknown_years(units, events, "exclude", link, covariates)}
    mode = fits["exclude"].info["time_effect"]  # one baseline for all four, so they compare
    for how in ("impute", "lower", "upper"):
        fits[how] = hazard_unknown_years(
            units,
            events,
            how,
            link,
            covariates,
            time_effect=mode,
            n_imputations=n_imputations,
            seed=seed,
        )
    rows = []
    for how, f in fits.items():
        t = f.table.loc[~f.table["term"].str.startswith("time[")].copy()
        t.insert(0, "treatment", how)
        rows.append(t)
    table = pd.concat(rows, ignore_index=True)
    scale = "hazard_ratio" if link == "cloglog" else "odds_ratio"
    wide = table.pivot(index="term", columns="treatment", values=scale)
    spread = (np.log(wide.max(axis=1)) - np.log(wide.min(axis=1))).sort_values(ascending=False)
    worst = spread.index[0] if len(spread) else None
    reading = (
        f"{fits['exclude'].info['n_unknown']} recognised districts lack a year. Excluding them, "
        "imputing "
        "their year, or placing it at the earliest or latest possible year gives "
        f"{scale.replace('_', ' ')}s "
        f"that differ most for {worst} ({wide.loc[worst].min():.2f}–{wide.loc[worst].max():.2f})."
        if worst
        else "No covariates to compare."
    )
    return ModelResult(
        "sensitivity_unknown_years",
        table,
        reading,
        {h: f.info for h, f in fits.items()},
        None,
        {"fits": fits},
    )


# --------------------------------------------------------------------------------------
# Kaplan–Meier and Cox
# --------------------------------------------------------------------------------------


def _durations(units: pd.DataFrame, events: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    pp = person_period(units, events, start, end)
    last = pp.groupby("district_code").agg(year=("year", "max"), event=("event", "max"))
    cols = [
        c for c in pp.columns if c not in ("year", "event", "exposure", "period", "at_risk_from")
    ]
    first = pp.drop_duplicates("district_code").set_index("district_code")[
        [c for c in cols if c != "district_code"]
    ]
    out = last.join(first).reset_index()
    out["duration"] = out["year"] - start + 1
    out.attrs.update(pp.attrs)
    return out


@_single_thread
def kaplan_meier(
    units: pd.DataFrame, events: pd.DataFrame, by: str = "region", time: str | None = None
) -> ModelResult:
    """Kaplan–Meier share still not recognised, by group (``SurvfuncRight``).

    Undated recognitions are excluded (the KM estimator has no place for them); their number
    is in ``info``. Table: group, year, n_at_risk, events, surv, ci_low, ci_high (log-log
    pointwise 95% interval), recognised = 1 − surv.
    """
    time = time or events.attrs.get("time", "standard_year")
    start, end = WINDOW[time]
    from statsmodels.duration.survfunc import SurvfuncRight

    dur = _durations(units, events, start, end)
    rows = []
    for g, sub in dur.groupby(by):
        sf = SurvfuncRight(sub["duration"].to_numpy(), sub["event"].to_numpy())
        s, se = sf.surv_prob, sf.surv_prob_se
        with np.errstate(divide="ignore", invalid="ignore"):
            ll = np.log(-np.log(s))
            half = 1.96 * se / (s * np.abs(np.log(s)))
            lo, hi = np.exp(-np.exp(ll + half)), np.exp(-np.exp(ll - half))
        lo = np.where(np.isfinite(lo), lo, s)
        hi = np.where(np.isfinite(hi), hi, s)
        rows.append(
            pd.DataFrame(
                {
                    "group": g,
                    "year": sf.surv_times + start - 1,
                    "n_at_risk": sf.n_risk,
                    "events": sf.n_events,
                    "surv": s,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n_units": len(sub),
                    "n_events_total": int(sub["event"].sum()),
                }
            )
        )
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    table["recognised"] = 1 - table["surv"]
    last = table.sort_values("year").groupby("group").tail(1).set_index("group")
    txt = "; ".join(
        f"{g}: {100 * r['recognised']:.0f}% by {int(r['year'])} (n={int(r['n_units'])}, "
        f"events={int(r['n_events_total'])})"
        for g, r in last.sort_values("recognised", ascending=False).iterrows()
    )
    reading = (
        f"Share of districts recognised ({time.replace('_', ' ')}), Kaplan–Meier: {txt}. "
        f"{len(dur.attrs.get('excluded_unknown', []))} undated recognitions excluded."
    )
    return ModelResult(
        "kaplan_meier",
        table,
        reading,
        {
            "n": int(len(dur)),
            "events": int(dur["event"].sum()),
            "by": by,
            "time": time,
            "excluded_unknown": len(dur.attrs.get("excluded_unknown", [])),
        },
    )


@_single_thread
def fit_cox(
    units: pd.DataFrame,
    events: pd.DataFrame,
    covariates: tuple[str, ...] = ("region", "urban", "log_area"),
    time: str | None = None,
    cluster: str | None = "province_code",
) -> ModelResult:
    """Cox proportional hazards (``PHReg``, Efron ties) on years since 2010, robust SEs by province.

    A comparison for the discrete-time model: with whole-year event times ties are heavy, so
    the cloglog GLM is the primary model. Undated recognitions are excluded.
    """
    time = time or events.attrs.get("time", "standard_year")
    start, end = WINDOW[time]
    dur = _durations(units, events, start, end)
    num = [c for c in covariates if c != "region"]
    dur = dur.dropna(subset=num + (["region"] if "region" in covariates else []))
    d = _make_design(dur.assign(year=0, period="x"), tuple(covariates), "period")
    X = _design_matrix(dur.assign(period="x"), d)[:, len(d.time_levels) :]
    names = d.columns[len(d.time_levels) :]
    from statsmodels.duration.hazard_regression import PHReg

    model = PHReg(dur["duration"].to_numpy(float), X, status=dur["event"].to_numpy(), ties="efron")
    groups = pd.factorize(dur[cluster])[0] if cluster else None
    res = model.fit(groups=groups) if cluster else model.fit()
    table = _coef_table(names, res.params, res.bse, scale_name="hazard_ratio")
    table["n"], table["events"] = len(dur), int(dur["event"].sum())
    bits = [
        f"{r['term']}: HR {r['hazard_ratio']:.2f} "
        f"({r['hazard_ratio_low']:.2f}–{r['hazard_ratio_high']:.2f})"
        for _, r in table.iterrows()
    ]
    reading = (
        f"Cox model, {len(dur)} districts, {int(dur['event'].sum())} recognitions (Efron ties, "
        f"robust SEs by province): " + "; ".join(bits) + "."
    )
    return ModelResult(
        "cox",
        table,
        reading,
        {"n": len(dur), "events": int(dur["event"].sum()), "region_reference": d.region_ref},
        res,
    )


@_single_thread
def compare_time_scales(
    units: pd.DataFrame,
    recognitions: pd.DataFrame,
    link: str = "cloglog",
    covariates: tuple[str, ...] = ("region", "urban", "log_area"),
    unknown: str = "exclude",
    n_imputations: int = 20,
    seed: int = 0,
) -> ModelResult:
    """Fit the same hazard on the standard-year and the decision-date scales, side by side.

    Also reports the lag (decision year − standard year) where both are known. The table has
    one row per (scale, term); ``extra['lags']`` holds the lags.
    """
    out, fits = [], {}
    for scale in ("standard_year", "decision_year"):
        ev = recognition_events(recognitions, "ntm", scale)
        f = hazard_unknown_years(
            units,
            ev,
            unknown,
            link,
            covariates,
            time_effect="period",
            n_imputations=n_imputations,
            seed=seed,
            time=scale,
        )
        fits[scale] = f
        t = f.table.copy()
        t.insert(0, "scale", scale)
        t["n_dated"] = int(ev["year_known"].sum())
        out.append(t)
    rec, _ = _normalise_recognitions(recognitions)
    both = rec.loc[
        (rec["standard"] == "ntm") & rec["standard_year"].notna() & rec["decision_year"].notna()
    ]
    lags = (both["decision_year"] - both["standard_year"]).astype(int)
    table = pd.concat(out, ignore_index=True)
    s, dd = fits["standard_year"].info, fits["decision_year"].info
    wide = table.loc[~table["term"].str.startswith("time[")].pivot(
        index="term", columns="scale", values="hazard_ratio"
    )
    shift = (
        (np.log(wide["decision_year"]) - np.log(wide["standard_year"]))
        .abs()
        .sort_values(ascending=False)
    )
    moved = ", ".join(
        f"{t} {wide.loc[t, 'standard_year']:.2f} → {wide.loc[t, 'decision_year']:.2f}"
        for t in shift.index[:2]
    )
    med = f"{lags.median():.0f}" if len(lags) else "–"
    reading = (
        f"Standard-year scale: {s['events']} dated recognitions among {s['n_units']} districts "
        "at risk; "
        f"decision-date scale: {dd['events']} among {dd['n_units']}. Where both are known "
        f"(n={len(lags)}), the "
        f"decision follows the standard year by {med} year(s) (median; range "
        f"{lags.min() if len(lags) else '–'}–{lags.max() if len(lags) else '–'}; "
        f"{int((lags >= 1).sum()) if len(lags) else 0} of {len(lags)} at least a year later). On "
        "the decision scale "
        "events move later (into the 2021–2025 period, whose baseline rises) and a different "
        "subset is dated; "
        f"the ratios that move most are {moved}."
    )
    return ModelResult(
        "time_scales",
        table,
        reading,
        {"standard_year": s, "decision_year": dd},
        None,
        {"lags": lags.reset_index(drop=True), "fits": fits},
    )


def recognition_coverage(
    recognitions: pd.DataFrame, national: pd.DataFrame, lag: int = 1
) -> ModelResult:
    """How much of the national count of recognised district-level units the table holds.

    ``national``: rows of ``data/reference/national_series.csv`` (measure
    ``district_units_ntm``, modality ``actual``). A table row counts by the end of year Y if
    its decision year ≤ Y, or (no decision date) its standard year ≤ Y − ``lag`` (the median
    lag). Undated rows only count at the last date (mid-2025), in ``table_all``.
    """
    rec, skipped = _normalise_recognitions(recognitions)
    rec = pd.concat([rec, skipped], ignore_index=True)
    rec = rec.loc[rec["standard"].astype(str) == "ntm"]
    dec = pd.to_numeric(rec.get("decision_year"), errors="coerce")
    std = pd.to_numeric(rec["standard_year"], errors="coerce")
    known_by = dec.fillna(std + lag)
    nat = national.loc[
        (national["measure"] == "district_units_ntm") & (national["modality"] == "actual")
    ].copy()
    nat["value"] = pd.to_numeric(nat["value"], errors="coerce")
    nat["year"] = nat["as_of"].astype(str).str[:4].astype(int)
    nat["year_end"] = nat["as_of"].astype(str).str.match(r"^\d{4}(-12.*)?$") | nat["as_of"].astype(
        str
    ).str.startswith("2025-06")
    nat = nat.loc[nat["year_end"]].sort_values("as_of").drop_duplicates("year", keep="last")
    rows = []
    for _, r in nat.iterrows():
        dated = int((known_by <= r["year"]).sum())
        last = r["as_of"].startswith("2025")
        rows.append(
            {
                "term": r["as_of"],
                "national": int(r["value"]),
                "table_dated": dated,
                "table_all": len(rec) if last else np.nan,
                "coverage_dated": dated / r["value"],
                "coverage_all": len(rec) / r["value"] if last else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    last = table.iloc[-1] if len(table) else None
    reading = (
        ""
        if last is None
        else f"By {last['term']} the national count is {int(last['national'])} district-level "
        "units; the table holds "
        f"{int(last['table_all'])} NTM rows ({last['coverage_all']:.0%}), "
        f"{int(last['table_dated'])} of them dated "
        f"({last['coverage_dated']:.0%}). Districts missing from the table are not known to be "
        "unrecognised: the "
        "hazard is therefore underestimated, and effects are attenuated if the missing ones are "
        "spread evenly."
    )
    return ModelResult("recognition_coverage", table, reading, {"n_rows": len(rec)})


# --------------------------------------------------------------------------------------
# Ordered level reached
# --------------------------------------------------------------------------------------


def levels_reached(units: pd.DataFrame, recognitions: pd.DataFrame) -> pd.DataFrame:
    """Highest standard each district reached by mid-2025 (none < ntm < ntm_advanced < ntm_model).

    A district recognised advanced or model is taken to hold NTM too. Districts absent from
    the (incomplete) table are 'none' here: that is "no recognition recorded", and readings
    must say so.
    """
    rec, _ = _normalise_recognitions(recognitions)
    rec = rec.loc[~rec["after_reform"].fillna(False).astype(bool)]
    rank = {s: i for i, s in enumerate(LEVELS)}
    best = (
        rec.assign(r=rec["standard"].astype(str).map(rank).astype(int))
        .groupby("district_code")["r"]
        .max()
    )
    out = units.copy()
    out["district_code"] = out["district_code"].astype(str).str.zfill(3)
    out["level_rank"] = out["district_code"].map(best).fillna(0).astype(int)
    out["level"] = pd.Categorical.from_codes(
        out["level_rank"], categories=list(LEVELS), ordered=True
    )
    return out


@_single_thread
def fit_ordered_level(
    df: pd.DataFrame,
    covariates: tuple[str, ...] = ("region", "urban", "log_area"),
    distr: str = "logit",
    cluster: str | None = "province_code",
) -> ModelResult:
    """Ordered logit (``OrderedModel``) of the level reached; levels nobody reached are dropped.

    Positive coefficients push districts toward higher levels (log cumulative odds). Returns
    the slopes and the cut-points (as ``cut[a|b]`` terms).
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    num = [c for c in covariates if c != "region"]
    work = df.dropna(subset=num + (["region"] if "region" in covariates else [])).copy()
    if "type_class" in work.columns:
        work = work.loc[work["type_class"] != "quan"]
    present = [lv for lv in LEVELS if (work["level"].astype(str) == lv).any()]
    absent = [lv for lv in LEVELS if lv not in present]
    if len(present) < 2:
        return ModelResult(
            "ordered_level",
            pd.DataFrame(columns=["term", "estimate"]),
            "Fewer than two levels observed: no ordered model.",
            {"n": len(work)},
        )
    y = pd.Categorical(work["level"].astype(str), categories=present, ordered=True)
    d = _make_design(work.assign(period="x"), tuple(covariates), "period")
    X = _design_matrix(work.assign(period="x"), d)[:, len(d.time_levels) :]
    names = d.columns[len(d.time_levels) :]
    keep = X.std(axis=0) > 0
    X, names = X[:, keep], [n for n, k in zip(names, keep, strict=True) if k]
    model = OrderedModel(pd.Series(y), pd.DataFrame(X, columns=names), distr=distr)
    kw = (
        {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(work[cluster])[0]}}
        if cluster
        else {}
    )
    res = model.fit(method="bfgs", disp=False, maxiter=2000, **kw)
    cuts = [f"cut[{a}|{b}]" for a, b in zip(present[:-1], present[1:], strict=True)]
    table = _coef_table(list(names) + cuts, res.params, res.bse, scale_name="odds_ratio")
    # cut-points are thresholds (the later ones stored as log increments), not odds ratios
    table.loc[table["term"].isin(cuts), ["odds_ratio", "odds_ratio_low", "odds_ratio_high"]] = (
        np.nan
    )
    counts = pd.Series(y).value_counts().reindex(present)
    table["n"] = len(work)
    table["events"] = int((pd.Series(y).cat.codes > 0).sum())
    slopes = table.loc[~table["term"].str.startswith("cut[")]
    bits = [
        f"{r['term']}: OR {r['odds_ratio']:.2f} "
        f"({r['odds_ratio_low']:.2f}–{r['odds_ratio_high']:.2f})"
        for _, r in slopes.iterrows()
    ]
    reading = (
        f"Ordered {distr} of the level reached by mid-2025 for {len(work)} districts "
        f"({', '.join(f'{k}: {v}' for k, v in counts.items())}"
        + (f"; no district at {absent}" if absent else "")
        + "). Odds of a higher level: "
        + "; ".join(bits)
        + "."
        + (f" Regions vs {d.region_ref}." if any("region[" in n for n in names) else "")
    )
    return ModelResult(
        "ordered_level",
        table,
        reading,
        {
            "n": len(work),
            "levels": present,
            "absent_levels": absent,
            "counts": counts.to_dict(),
            "region_reference": d.region_ref,
        },
        res,
    )


# --------------------------------------------------------------------------------------
# Growth of criteria met (MixedLM or GEE)
# --------------------------------------------------------------------------------------

CRITERIA_TOTALS = {
    "commune": 19,
    "district": 9,
}  # every national set: 19 commune, 9 district criteria


def criteria_reports(records: pd.DataFrame) -> pd.DataFrame:
    """Reports of criteria met, one row per (unit, year), from progress records.

    Keeps ``measure == "criteria"``, ``modality == "actual"``, exact figures, communes and
    districts with a named place. The unit id is the place code where resolved, else unit |
    province | district | place. The year is ``year``, else the year of ``as_of``. A missing
    total is filled with the national count (19 commune / 9 district criteria); duplicates
    for a unit-year are averaged. Returns [unit_id, unit, year, achieved, total, n_reports].
    """
    r = records.copy()
    keep = (r["measure"] == "criteria") & (r["unit"].isin(list(CRITERIA_TOTALS)))
    if "modality" in r.columns:
        keep &= r["modality"].fillna("actual") == "actual"
    if "qualifier" in r.columns:
        keep &= r["qualifier"].fillna("exact") == "exact"
    r = r.loc[keep & r["place"].notna() & r["achieved"].notna()].copy()
    code = r["place_code"] if "place_code" in r.columns else pd.Series(np.nan, index=r.index)
    name_key = (
        r["unit"].astype(str)
        + "|"
        + r["province"].fillna("").astype(str)
        + "|"
        + r["district"].fillna("").astype(str)
        + "|"
        + r["place"].astype(str)
    )
    r["unit_id"] = code.astype("string").fillna(name_key.astype("string"))
    year = (
        pd.to_numeric(r["year"], errors="coerce")
        if "year" in r.columns
        else pd.Series(np.nan, index=r.index)
    )
    as_of = (
        pd.to_numeric(r["as_of"].astype("string").str[:4], errors="coerce")
        if "as_of" in r.columns
        else np.nan
    )
    r["year"] = year.fillna(as_of)
    r["total"] = pd.to_numeric(r["total"], errors="coerce").fillna(r["unit"].map(CRITERIA_TOTALS))
    r["achieved"] = pd.to_numeric(r["achieved"], errors="coerce")
    r = r.dropna(subset=["year", "achieved", "total"])
    out = r.groupby(["unit_id", "unit", "year"], as_index=False).agg(
        achieved=("achieved", "mean"), total=("total", "mean"), n_reports=("achieved", "size")
    )
    out["year"] = out["year"].astype(int)
    return out


@_single_thread
def criteria_growth(
    reports: pd.DataFrame,
    unit: str = "unit_id",
    time: str = "year",
    min_units_mixed: int = 15,
    min_reports_mixed: int = 3,
    centre_year: int = 2018,
    post2021: bool | None = None,
) -> ModelResult:
    """Growth of the share of criteria met, for units with repeated reports.

    ``reports``: [unit_id, year, achieved, total] (one row per report). Outcome = achieved /
    total. The function decides:

    - ``MixedLM`` with random intercepts and slopes when at least ``min_units_mixed`` units
      have ≥ ``min_reports_mixed`` reports each (enough to estimate a slope variance), and the
      fit converges with a non-degenerate random-effects covariance;
    - otherwise ``GEE`` (exchangeable working correlation, robust SEs), which needs only ≥ 2
      reports per unit for some units and gives the population-average slope;
    - or no model when fewer than 2 units have ≥ 2 reports at distinct years.

    ``post2021`` adds a step for the 2021–2025 criteria sets (status loss); by default it is
    included when reports exist on both sides of 2021. ``info['method']``/``info['why']`` say
    what was done.
    """
    r = reports.dropna(subset=[unit, time, "achieved", "total"]).copy()
    r = r.loc[r["total"] > 0]
    r["share"] = (r["achieved"] / r["total"]).clip(0, 1)
    r["t"] = (r[time].astype(float) - centre_year) / 5.0  # per 5 years
    per_unit = r.groupby(unit)[time].nunique()
    repeated = per_unit[per_unit >= 2].index
    r = r.loc[r[unit].isin(repeated)]
    n_units, n_obs = len(repeated), len(r)
    rich = int((per_unit >= min_reports_mixed).sum())
    if post2021 is None:
        post2021 = bool(n_obs and (r[time] >= 2021).any() and (r[time] < 2021).any())
    r["post2021"] = (r[time] >= 2021).astype(float)
    formula = "share ~ t" + (" + post2021" if post2021 else "")
    base_info = {
        "n": n_obs,
        "n_units": n_units,
        f"units_with_{min_reports_mixed}_reports": rich,
        "post2021_step": post2021,
    }
    if n_units < 2:
        why = (
            f"only {n_units} unit(s) have reports in ≥ 2 distinct years: growth cannot be "
            "separated from differences between units; no model fitted"
        )
        return ModelResult(
            "criteria_growth",
            pd.DataFrame(columns=["term", "estimate", "n", "n_units"]),
            "Too few repeated reports: " + why + ".",
            {**base_info, "method": "none", "why": why},
        )
    method, why, res = None, "", None
    fit_warnings: list[str] = []
    if rich >= min_units_mixed:
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                from statsmodels.regression.mixed_linear_model import MixedLM

                m = MixedLM.from_formula(formula, data=r, groups=r[unit], re_formula="~t")
                res = m.fit(reml=True, method=["lbfgs", "powell"])
            except (np.linalg.LinAlgError, ValueError) as exc:
                res, why = None, f"MixedLM failed ({type(exc).__name__}: {exc}); "
        fit_warnings = sorted({str(w.message).split(".")[0] for w in caught})
        if res is not None:
            sd = np.sqrt(np.clip(np.diag(np.asarray(res.cov_re)), 0, None))
            ev = np.linalg.eigvalsh(np.asarray(res.cov_re))
            if res.converged and sd.min() > 1e-3 and ev.min() > 1e-10 * max(ev.max(), 1e-12):
                method = "MixedLM"
                why = (
                    f"{rich} units have ≥ {min_reports_mixed} reports: enough to estimate "
                    "unit-specific "
                    "intercepts and slopes (random intercepts and slopes, REML)"
                )
            else:
                why = (
                    "MixedLM "
                    f"{'did not converge' if not res.converged else 'put the slope variance at 0'} "
                    f"(sd of slopes {sd[-1]:.4f}); "
                )
                res = None
    else:
        why = (
            f"only {rich} units have ≥ {min_reports_mixed} reports (< {min_units_mixed}): too "
            "thin for "
            "random slopes; "
        )
    if method is None:
        from statsmodels.genmod.cov_struct import Exchangeable
        from statsmodels.genmod.generalized_estimating_equations import GEE

        m = GEE.from_formula(
            formula, groups=r[unit], data=r, cov_struct=Exchangeable(), family=families.Gaussian()
        )
        res = m.fit()
        method = "GEE"
        why += "GEE (exchangeable, robust SEs) gives the population-average growth instead"
    fe = res.fe_params if method == "MixedLM" else res.params
    bse = res.bse_fe if method == "MixedLM" else res.bse
    table = _coef_table(list(fe.index), fe.to_numpy(), bse.to_numpy(), scale_name=None)
    table["n"], table["n_units"] = n_obs, n_units
    table["method"] = method
    if method == "MixedLM":
        cov = res.cov_re
        extra_rows = pd.DataFrame(
            {
                "term": ["sd(intercept)", "sd(slope)", "corr(intercept,slope)"],
                "estimate": [
                    np.sqrt(cov.iloc[0, 0]),
                    np.sqrt(cov.iloc[1, 1]),
                    cov.iloc[0, 1] / np.sqrt(cov.iloc[0, 0] * cov.iloc[1, 1]),
                ],
                "n": n_obs,
                "n_units": n_units,
                "method": method,
            }
        )
        table = pd.concat([table, extra_rows], ignore_index=True)
    slope = table.loc[table["term"] == "t"].iloc[0]
    reading = (
        f"{method} on {n_obs} reports from {n_units} units: the share of criteria met rises by "
        f"{100 * slope['estimate']:.1f} points per 5 years (95% CI {100 * slope['ci_low']:.1f} to "
        f"{100 * slope['ci_high']:.1f}). Why {method}: {why}."
    )
    if post2021:
        step = table.loc[table["term"] == "post2021"].iloc[0]
        reading += (
            " Under the 2021–2025 criteria sets the share shifts by "
            f"{100 * step['estimate']:.1f} points "
            f"(CI {100 * step['ci_low']:.1f} to {100 * step['ci_high']:.1f})."
        )
    return ModelResult(
        "criteria_growth",
        table,
        reading,
        {**base_info, "method": method, "why": why, "warnings": fit_warnings},
        res,
    )


# --------------------------------------------------------------------------------------
# Spatial clustering
# --------------------------------------------------------------------------------------


def spatial_weights(gdf, id_col: str = "district_code", islands: str = "nearest"):
    """Queen contiguity weights (row-standardised) on the non-empty geometries of ``gdf``.

    Units with no neighbour (islands such as Côn Đảo, Phú Quý, Lý Sơn) are linked to their
    nearest unit by centroid distance (``islands="nearest"``) or left out
    (``islands="drop"``). Returns (w, kept GeoDataFrame, notes).
    """
    from libpysal.weights import Queen, W

    g = gdf.loc[gdf.geometry.notna() & ~gdf.geometry.is_empty].copy()
    dropped = sorted(set(gdf[id_col]) - set(g[id_col]))
    g = g.reset_index(drop=True)
    q = Queen.from_dataframe(g, use_index=False, silence_warnings=True)
    neigh = {i: list(q.neighbors[i]) for i in range(len(g))}
    isl = [i for i, nb in neigh.items() if not nb]
    notes = []
    if dropped:
        notes.append(f"{len(dropped)} units without geometry left out")
    if isl and islands == "nearest":
        try:
            cent = (
                g.to_crs(3405).geometry.centroid
                if g.crs is not None and g.crs.is_geographic
                else g.geometry.centroid
            )
        except Exception:  # noqa: BLE001 - CRS data missing: planar centroids are good enough to pick a neighbour
            cent = g.geometry.centroid
        xy = np.column_stack([cent.x, cent.y])
        for i in isl:
            dist = np.hypot(*(xy - xy[i]).T)
            dist[i] = np.inf
            j = int(np.argmin(dist))
            neigh[i].append(j)
            neigh[j].append(i)
        notes.append(
            f"{len(isl)} units without a contiguous neighbour linked to their nearest unit: "
            + ", ".join(map(str, g.loc[isl, id_col]))
        )
    elif isl and islands == "drop":
        keep = [i for i in range(len(g)) if i not in isl]
        notes.append(
            f"{len(isl)} units without a neighbour left out: "
            + ", ".join(map(str, g.loc[isl, id_col]))
        )
        return spatial_weights(g.iloc[keep], id_col, islands="nearest")[0:2] + (notes,)
    w = W(neigh, silence_warnings=True)
    w.transform = "r"
    return w, g, notes


@_single_thread
def morans_i(
    gdf,
    column: str,
    id_col: str = "district_code",
    permutations: int = 999,
    seed: int = 0,
    islands: str = "nearest",
) -> ModelResult:
    """Global Moran's I of ``column`` with queen contiguity and a permutation p-value."""
    import esda

    g = gdf.dropna(subset=[column])
    w, g, notes = spatial_weights(g, id_col, islands)
    np.random.seed(seed)  # noqa: NPY002 - esda.Moran draws its permutations from the global generator
    mi = esda.Moran(g[column].to_numpy(float), w, permutations=permutations)
    table = pd.DataFrame(
        [
            {
                "term": f"Moran's I ({column})",
                "estimate": mi.I,
                "expected": mi.EI,
                "z_sim": mi.z_sim,
                "p_sim": mi.p_sim,
                "n": w.n,
                "mean_neighbours": float(np.mean(list(w.cardinalities.values()))),
            }
        ]
    )
    strength = (
        "clustered"
        if (mi.p_sim < 0.05 and mi.I > mi.EI)
        else ("dispersed" if mi.p_sim < 0.05 else "not distinguishable from a random arrangement")
    )
    reading = (
        f"Moran's I of {column} = {mi.I:.3f} (expected {mi.EI:.3f} without clustering; permutation "
        f"p = {mi.p_sim:.3f}, {permutations} permutations, n = {w.n}): the values are {strength}. "
        + " ".join(notes)
    )
    return ModelResult("morans_i", table, reading, {"n": w.n, "notes": notes}, mi)


@_single_thread
def lisa(
    gdf,
    column: str,
    id_col: str = "district_code",
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    islands: str = "nearest",
) -> ModelResult:
    """Local Moran (LISA) clusters: High-High, Low-Low, High-Low, Low-High or not significant.

    ``extra['gdf']`` is the GeoDataFrame with lisa_i, p_sim and cluster columns; the table
    counts units per cluster.
    """
    import esda

    g = gdf.dropna(subset=[column])
    w, g, notes = spatial_weights(g, id_col, islands)
    import warnings

    with warnings.catch_warnings():  # esda announces a future change of its default test
        warnings.filterwarnings("ignore", "The alternative hypothesis", DeprecationWarning)
        lm = esda.Moran_Local(g[column].to_numpy(float), w, permutations=permutations, seed=seed)
    labels = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}
    cluster = np.where(lm.p_sim < alpha, pd.Series(lm.q).map(labels).to_numpy(), "Not significant")
    out = g.assign(lisa_i=lm.Is, p_sim=lm.p_sim, cluster=cluster)
    order = ["High-High", "Low-Low", "High-Low", "Low-High", "Not significant"]
    counts = out["cluster"].value_counts().reindex(order, fill_value=0)
    table = pd.DataFrame({"term": counts.index, "estimate": counts.to_numpy(), "n": len(out)})
    reading = (
        f"LISA on {column} (n = {len(out)}, p < {alpha}, {permutations} permutations, no "
        "multiple-testing "
        f"correction): {counts['High-High']} districts in High-High clusters, "
        f"{counts['Low-Low']} in "
        f"Low-Low, {counts['High-Low'] + counts['Low-High']} spatial outliers. " + " ".join(notes)
    )
    return ModelResult(
        "lisa", table, reading, {"n": len(out), "notes": notes, "alpha": alpha}, lm, {"gdf": out}
    )


def complete_province_codes(recognitions: pd.DataFrame, districts: pd.DataFrame) -> list[str]:
    """Provinces the recognitions table flags complete (a row with the COMPLETENESS flag: a
    source states that all its district-level units were recognised), as province codes
    looked up through ``districts`` [district_code, province_code]."""
    rec, _ = _normalise_recognitions(recognitions)
    if "completeness" not in rec.columns:
        return []
    codes = set(rec.loc[rec["completeness"].fillna(False).astype(bool), "district_code"])
    d = districts.assign(district_code=districts["district_code"].astype(str).str.zfill(3))
    return sorted(set(d.loc[d["district_code"].isin(codes), "province_code"].astype(str)))


@_single_thread
def moran_sensitivity(
    gdf,
    events: pd.DataFrame,
    complete_provinces: list[str] | tuple[str, ...] = (),
    column: str = "recognised",
    permutations: int = 499,
    seed: int = 0,
    k: int = 5,
) -> ModelResult:
    """Global Moran's I of recognition under readings of an incomplete recognitions table.

    ``gdf``: districts with district_code, province_code, geometry and the 0/1 ``column``
    (NaN = not analysed), where districts absent from the table count as 0. Variants:

    - ``absent = not recognised``: ``column`` on every analysed district (the main analysis;
      Low-Low clusters may be places whose recognitions are missing from the table);
    - ``complete provinces``: ``column`` only in ``complete_provinces`` (see
      :func:`complete_province_codes`), where absence from the table does mean "not
      recognised"; undefined (NaN, said so) when every district there is recognised;
    - ``dated: standard year``: among districts with a known event year in ``events``, the
      year of recognition (early vs late clusters), which does not rely on absent = 0;
      these districts are scattered, so the weights are the ``k`` nearest neighbours
      (centroids in EPSG:3405), row-standardised.
    """
    import esda
    from libpysal.weights import KNN

    rows, notes = [], []

    def add(variant, values, w, weights):
        np.random.seed(seed)  # noqa: NPY002 - esda.Moran draws from the global generator
        mi = esda.Moran(values, w, permutations=permutations)
        rows.append(
            {
                "variant": variant,
                "weights": weights,
                "n": int(w.n),
                "estimate": mi.I,
                "expected": mi.EI,
                "p_sim": mi.p_sim,
                "note": "",
            }
        )

    g = gdf.dropna(subset=[column])
    main = morans_i(g, column, permutations=permutations, seed=seed)
    rows.append(
        {
            "variant": "absent = not recognised",
            "weights": "queen",
            "n": int(main.info["n"]),
            "estimate": float(main.table["estimate"].iloc[0]),
            "expected": float(main.table["expected"].iloc[0]),
            "p_sim": float(main.table["p_sim"].iloc[0]),
            "note": "",
        }
    )
    sub = g.loc[g["province_code"].astype(str).isin([str(c) for c in complete_provinces])]
    if len(sub) < 10 or sub[column].nunique() < 2:
        what = (
            f"all {len(sub)} districts recognised: no variation, Moran's I undefined"
            if len(sub) and sub[column].nunique() == 1
            else f"only {len(sub)} districts: too few"
        )
        rows.append(
            {
                "variant": "complete provinces",
                "weights": "queen",
                "n": len(sub),
                "estimate": np.nan,
                "expected": np.nan,
                "p_sim": np.nan,
                "note": what,
            }
        )
    else:
        w, sub_g, _ = spatial_weights(sub)
        add("complete provinces", sub_g[column].to_numpy(float), w, "queen")
    ev = events.loc[events["year_known"].astype(bool) & events["event_year"].notna()]
    year = ev.assign(district_code=ev["district_code"].astype(str).str.zfill(3)).set_index(
        "district_code"
    )["event_year"]
    dated = g.loc[g["district_code"].isin(year.index)].copy()
    dated = dated.loc[dated.geometry.notna() & ~dated.geometry.is_empty].reset_index(drop=True)
    if len(dated) > k + 1:
        dated["event_year"] = dated["district_code"].map(year).astype(float)
        cent = dated.to_crs(3405).geometry.centroid
        w = KNN(np.column_stack([cent.x, cent.y]), k=k)
        w.transform = "r"
        add(f"dated: standard year ({k} nearest)", dated["event_year"].to_numpy(float), w, f"knn{k}")
    table = pd.DataFrame(rows)
    parts = []
    for _, r in table.iterrows():
        if np.isnan(r["estimate"]):
            parts.append(f"{r['variant']}: {r['note']}")
        else:
            parts.append(
                f"{r['variant']}: I = {r['estimate']:.3f} (p = {r['p_sim']:.3f}, n = {r['n']})"
            )
    reading = "Moran's I sensitivity to the incomplete table — " + "; ".join(parts) + "."
    return ModelResult(
        "moran_sensitivity", table, reading, {"notes": main.info["notes"] + notes}
    )


# --------------------------------------------------------------------------------------
# Forecast and back-test
# --------------------------------------------------------------------------------------


def _epv_covariates(
    covariates: tuple[str, ...], events: int, n_regions: int, epv: int = 10
) -> tuple[str, ...]:
    """Keep covariates (in the given order) while events per parameter stay ≥ ``epv``."""
    kept, k = [], 0
    for c in covariates:
        cost = max(n_regions - 1, 1) if c == "region" else 1
        if events >= epv * (k + cost):
            kept.append(c)
            k += cost
    return tuple(kept)


@_single_thread
def forecast_next_year(
    units: pd.DataFrame,
    events: pd.DataFrame,
    fit_until: int,
    covariates: tuple[str, ...] = ("region", "urban", "log_area"),
    link: str = "cloglog",
    recent: int = 2,
    time: str | None = None,
    person_periods: pd.DataFrame | None = None,
) -> ModelResult:
    """P(recognised in ``fit_until`` + 1) for each district still at risk after ``fit_until``.

    The hazard is fitted on district-years ≤ ``fit_until``; next year's baseline is the mean
    of the last ``recent`` year (or period) effects. Covariates are kept only while there are
    ≥ 10 events per parameter. The base-rate model predicts the pooled hazard of the last
    ``recent`` years for everyone. Table: district_code, region, year, p_model, p_base, event
    (observed, NaN if beyond the data).
    """
    time = time or events.attrs.get("time", "standard_year")
    start, end = WINDOW[time]
    exp = LAST_EXPOSURE[time]
    full = (
        person_period(units, events, start, end, exp) if person_periods is None else person_periods
    )
    train = full.loc[full["year"] <= fit_until]
    target = fit_until + 1
    ev_train = int(train["event"].sum())
    cov = _epv_covariates(
        tuple(covariates), ev_train, train["region"].nunique() if "region" in train else 1
    )
    rec_rows = train.loc[train["year"] > fit_until - recent]
    base_rate = rec_rows["event"].sum() / max(len(rec_rows), 1)
    # at risk in the target year: in the person-period table for that year, or censored at `end`
    at_risk = full.loc[full["year"] == target].copy()
    if target > end:  # beyond the data: everyone not recognised by `end` is at risk
        alive = full.groupby("district_code").agg(last=("year", "max"), ev=("event", "max"))
        codes = alive.index[(alive["ev"] == 0) & (alive["last"] == end)]
        at_risk = (
            full.loc[full["district_code"].isin(codes)].drop_duplicates("district_code").copy()
        )
        at_risk["year"], at_risk["event"] = target, np.nan
        at_risk["period"] = _period_of(target)
        at_risk["exposure"] = 1.0
    if ev_train == 0:
        return ModelResult(
            "forecast",
            pd.DataFrame(columns=["district_code", "p_model", "p_base"]),
            f"No recognitions up to {fit_until}: nothing to forecast from.",
            {"events": 0},
        )
    fit = fit_hazard(train, link, cov, "auto", None)
    mode = fit.info["time_effect"]
    years = list(range(fit_until - recent + 1, fit_until + 1))
    at_risk = at_risk.dropna(subset=[c for c in cov if c != "region"])
    if "region" in cov:
        at_risk = at_risk.loc[
            at_risk["region"].isin(
                set(fit.extra["design"].region_levels) | {fit.extra["design"].region_ref}
            )
        ]
    p = _predict_hazard(fit, at_risk, baseline_years=years if mode == "year" else [fit_until])
    table = at_risk[["district_code", "province_code", "region", "year", "event"]].copy()
    table["p_model"] = p
    table["p_base"] = base_rate
    table["fit_until"] = fit_until
    info = {
        "fit_until": fit_until,
        "target": target,
        "events_train": ev_train,
        "covariates": cov,
        "time_effect": mode,
        "n_at_risk": len(table),
        "base_rate": base_rate,
    }
    reading = (
        f"Fitted on {len(train)} district-years up to {fit_until} ({ev_train} recognitions; "
        "covariates "
        f"{list(cov) or 'none'}), {len(table)} districts at risk in {target}: mean predicted "
        "probability "
        f"{table['p_model'].mean():.3f} vs base rate {base_rate:.3f}."
    )
    return ModelResult("forecast", table, reading, info, fit)


@_single_thread
def backtest_forecast(
    units: pd.DataFrame,
    events: pd.DataFrame,
    origins: range | list[int],
    covariates: tuple[str, ...] = ("region", "urban", "log_area"),
    link: str = "cloglog",
    recent: int = 2,
) -> ModelResult:
    """Fit up to T, predict T+1, for each T in ``origins``; Brier scores of model and base rate.

    Undated recognitions are excluded from training and evaluation (their status in T+1 is
    unknown). ``extra['predictions']`` holds every prediction with its outcome.
    """
    preds, rows = [], []
    time = events.attrs.get("time", "standard_year")
    full = person_period(units, events, *WINDOW[time], LAST_EXPOSURE[time])
    for T in origins:
        f = forecast_next_year(
            units, events, T, covariates, link, recent, time, person_periods=full
        )
        t = f.table.dropna(subset=["event"])
        if t.empty:
            continue
        preds.append(t)
        rows.append(
            {
                "term": f"{T}->{T + 1}",
                "fit_until": T,
                "n": len(t),
                "events": int(t["event"].sum()),
                "brier_model": float(np.mean((t["p_model"] - t["event"]) ** 2)),
                "brier_base": float(np.mean((t["p_base"] - t["event"]) ** 2)),
                "covariates": ",".join(f.info["covariates"]) or "none",
            }
        )
    table = pd.DataFrame(rows)
    allp = pd.concat(preds, ignore_index=True) if preds else pd.DataFrame()
    if not table.empty:
        table["skill"] = 1 - table["brier_model"] / table["brier_base"]
        bm = float(np.mean((allp["p_model"] - allp["event"]) ** 2))
        bb = float(np.mean((allp["p_base"] - allp["event"]) ** 2))
        # paired bootstrap over districts-years for the pooled difference
        rng = np.random.default_rng(0)
        dif = (
            (allp["p_model"] - allp["event"]) ** 2 - (allp["p_base"] - allp["event"]) ** 2
        ).to_numpy()
        boots = [dif[rng.integers(0, len(dif), len(dif))].mean() for _ in range(1000)]
        lo, hi = np.percentile(boots, [2.5, 97.5])
        pooled = {
            "term": "pooled",
            "fit_until": np.nan,
            "n": len(allp),
            "events": int(allp["event"].sum()),
            "brier_model": bm,
            "brier_base": bb,
            "covariates": "",
            "skill": 1 - bm / bb,
            "diff_ci_low": lo,
            "diff_ci_high": hi,
        }
        table = pd.concat([table, pd.DataFrame([pooled])], ignore_index=True)
        verdict = (
            "better than" if hi < 0 else "worse than" if lo > 0 else "not distinguishable from"
        )
        reading = (
            f"Back-test over {len(rows)} origins "
            f"({int(table['fit_until'].min())}→{int(table['fit_until'].max()) + 1}), "
            f"{len(allp)} district-year predictions, {int(allp['event'].sum())} recognitions: "
            "Brier score "
            f"{bm:.4f} for the model vs {bb:.4f} for the base rate (skill {1 - bm / bb:+.1%}); "
            "the model is "
            f"{verdict} the base rate (bootstrap 95% CI of the difference {lo:+.4f} to {hi:+.4f})."
        )
    else:
        reading = "No origin had observed outcomes: nothing back-tested."
    return ModelResult(
        "backtest", table, reading, {"origins": list(origins)}, None, {"predictions": allp}
    )


def calibration_table(
    predictions: pd.DataFrame, column: str = "p_model", n_bins: int = 5
) -> pd.DataFrame:
    """Observed frequency vs mean prediction in quantile bins (Wilson 95% intervals)."""
    p = predictions.dropna(subset=["event"])
    bins = pd.qcut(p[column].rank(method="first"), q=min(n_bins, len(p)), labels=False)
    g = (
        p.assign(bin=bins)
        .groupby("bin")
        .agg(
            p_mean=(column, "mean"),
            observed=("event", "mean"),
            n=("event", "size"),
            events=("event", "sum"),
        )
        .reset_index()
    )
    z = 1.96
    n, ph = g["n"], g["observed"]
    centre = (ph + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(ph * (1 - ph) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    g["ci_low"], g["ci_high"] = centre - half, centre + half
    return g


# --------------------------------------------------------------------------------------
# Simulation (for the tests and the notebook's recovery check)
# --------------------------------------------------------------------------------------


def simulate_hazard_panel(
    n_units: int = 600,
    n_provinces: int = 40,
    beta: dict[str, float] | None = None,
    baseline: dict[int, float] | None = None,
    link: str = "cloglog",
    frailty_sd: float = 0.0,
    unknown_share: float = 0.0,
    seed: int = 0,
):
    """A synthetic (units, events) pair drawn from a discrete-time hazard with known effects.

    ``beta`` keys: 'urban', 'log_area', and 'region[<id>]' for the regions other than
    red_river_delta (3 regions are used). Baseline: log-hazard (cloglog) or logit per year
    2011–2024. ``unknown_share`` of the recognitions lose their year (bounds = whole window).
    """
    rng = np.random.default_rng(seed)
    beta = beta or {
        "urban": 0.6,
        "log_area": -0.4,
        "region[northern_midlands_mountains]": -0.8,
        "region[mekong_delta]": 0.3,
    }
    years = list(range(2011, 2025))
    baseline = baseline or {y: -5.0 + 0.35 * (y - 2011) for y in years}
    regions = ["red_river_delta", "northern_midlands_mountains", "mekong_delta"]
    prov_region = rng.choice(regions, size=n_provinces)
    prov = rng.integers(0, n_provinces, size=n_units)
    units = pd.DataFrame(
        {
            "district_code": [f"{i:03d}" for i in range(n_units)],
            "province_code": [f"{p:02d}" for p in prov],
            "region": prov_region[prov],
            "district_type": np.where(rng.random(n_units) < 0.2, "thị xã", "huyện"),
        }
    )
    units["type_class"] = units["district_type"].map(_type_class)
    units["urban"] = (units["type_class"] != "huyen").astype(float)
    units["log_area"] = rng.normal(0, 0.7, n_units)
    units["area_km2"] = 400 * np.exp(units["log_area"])
    frail = rng.normal(0, frailty_sd, n_provinces)[prov] if frailty_sd > 0 else np.zeros(n_units)
    lp_unit = (
        units["urban"] * beta.get("urban", 0) + units["log_area"] * beta.get("log_area", 0) + frail
    )
    lp_unit += units["region"].map(lambda r: beta.get(f"region[{r}]", 0.0))
    inv = _family(link).link.inverse
    event_year = np.full(n_units, np.nan)
    alive = np.ones(n_units, bool)
    for y in years:
        h = inv(baseline[y] + lp_unit.to_numpy())
        hit = alive & (rng.random(n_units) < h)
        event_year[hit] = y
        alive &= ~hit
    rec = units.loc[~np.isnan(event_year), ["district_code"]].copy()
    rec["event_year"] = event_year[~np.isnan(event_year)]
    rec["true_year"] = rec["event_year"]
    lose = rng.random(len(rec)) < unknown_share
    rec.loc[lose, "event_year"] = np.nan
    rec["year_lo"], rec["year_hi"] = float(years[0]), float(years[-1])
    rec["year_known"] = rec["event_year"].notna()
    rec["standard"] = "ntm"
    rec = rec.reset_index(drop=True)
    rec.attrs["time"] = "standard_year"
    return units, rec


def simulate_ordered(
    n: int = 500, beta: dict[str, float] | None = None, cuts=(0.0, 2.0, 3.5), seed: int = 0
) -> pd.DataFrame:
    """Districts with a latent logistic propensity cut into the four levels."""
    rng = np.random.default_rng(seed)
    beta = beta or {"urban": 0.8, "log_area": -0.5}
    df = pd.DataFrame(
        {
            "district_code": [f"{i:03d}" for i in range(n)],
            "province_code": [f"{i % 30:02d}" for i in range(n)],
            "region": "red_river_delta",
            "urban": (rng.random(n) < 0.3).astype(float),
            "log_area": rng.normal(0, 1, n),
        }
    )
    latent = df["urban"] * beta["urban"] + df["log_area"] * beta["log_area"] + rng.logistic(size=n)
    df["level"] = pd.Categorical.from_codes(
        np.searchsorted(np.asarray(cuts), latent), categories=list(LEVELS), ordered=True
    )
    return df


def simulate_growth(
    n_units: int = 40,
    reports: tuple[int, int] = (3, 6),
    slope: float = 0.08,
    slope_sd: float = 0.05,
    intercept_sd: float = 0.08,
    noise: float = 0.03,
    seed: int = 0,
) -> pd.DataFrame:
    """Repeated criteria reports per commune (19 criteria) with a known mean slope per 5 years."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_units):
        a = 0.55 + rng.normal(0, intercept_sd)
        b = slope + rng.normal(0, slope_sd)
        k = rng.integers(reports[0], reports[1] + 1)
        for y in np.sort(rng.choice(np.arange(2012, 2021), size=k, replace=False)):
            share = a + b * (y - 2018) / 5 + rng.normal(0, noise)
            rows.append((f"u{i:03d}", int(y), float(np.clip(share, 0, 1)) * 19, 19))
    return pd.DataFrame(rows, columns=["unit_id", "year", "achieved", "total"])


# --------------------------------------------------------------------------------------
# Figures (the notebook saves them with helpers.figures.save)
# --------------------------------------------------------------------------------------


def _label(term: str) -> str:
    m = re.match(r"region\[(.+)\]", term)
    if m:
        return REGION_LABELS.get(m.group(1), m.group(1))
    return {
        "urban": "Thị xã / thành phố (vs huyện)",
        "log_area": "log diện tích (km²)",
        "start_share": "Tỷ lệ xã đạt chuẩn ban đầu",
    }.get(term, term)


def plot_coefficients(
    results: dict[str, ModelResult],
    scale: str = "hazard_ratio",
    title: str = "",
    legend_loc: str = "upper left",
):
    """Forest plot of ratios (log axis) for several fits of the same terms."""
    import matplotlib.pyplot as plt

    terms = []
    for r in results.values():
        for t in r.table["term"]:
            if not str(t).startswith(("time[", "cut[")) and t not in terms:
                terms.append(t)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(terms) + 0.15 * len(results) + 1.6))
    k = len(results)
    for j, (name, r) in enumerate(results.items()):
        t = r.table.set_index("term")
        col = (
            scale
            if scale in t.columns
            else ("odds_ratio" if "odds_ratio" in t.columns else "hazard_ratio")
        )
        ys, xs, lo, hi = [], [], [], []
        for i, term in enumerate(terms):
            if term in t.index and np.isfinite(t.loc[term, col]):
                ys.append(i + (j - (k - 1) / 2) * 0.18)
                xs.append(t.loc[term, col])
                lo.append(t.loc[term, f"{col}_low"])
                hi.append(t.loc[term, f"{col}_high"])
        xs, lo, hi = map(np.asarray, (xs, lo, hi))
        n_units = r.info.get("n_units", r.info.get("n", "?"))
        events = r.info.get("events")
        ax.errorbar(
            xs,
            ys,
            xerr=[xs - lo, hi - xs],
            fmt="o",
            ms=4,
            capsize=2,
            label=f"{name} ({n_units} huyện/districts"
            + (f", {events} sự kiện/events)" if events is not None else ")"),
        )
    ax.axvline(1, color="#555555", lw=0.8)
    ax.set_xscale("log")
    from matplotlib.ticker import FixedLocator, NullFormatter, StrMethodFormatter

    lo_x, hi_x = ax.get_xlim()
    ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20) if lo_x <= t <= hi_x]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(range(len(terms)), [_label(t) for t in terms])
    ax.set_ylim(
        len(terms) - 0.5, -0.6 - 0.32 * (k + 1)
    )  # inverted, with room for the legend on top
    ax.set_xlabel(
        {
            "hazard_ratio": "Tỷ số nguy cơ / hazard ratio (95% CI)",
            "odds_ratio": "Tỷ số chênh / odds ratio (95% CI)",
        }.get(scale, scale)
    )
    ax.set_title(title)
    ax.legend(loc=legend_loc, fontsize=7)
    return fig


def plot_km(km: ModelResult, title: str = ""):
    """Step curves of the share recognised (1 − KM) by group, with pointwise 95% bands."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    t = km.table
    start, end = WINDOW[km.info["time"]]
    order = t.groupby("group")["recognised"].last().sort_values(ascending=False).index
    for g in order:
        sub = t.loc[t["group"] == g]
        x = np.concatenate([[start - 1], sub["year"].to_numpy(), [end]])
        y = np.concatenate([[0.0], 1 - sub["surv"].to_numpy(), [1 - sub["surv"].iloc[-1]]])
        lo = np.concatenate([[0.0], 1 - sub["ci_high"].to_numpy(), [1 - sub["ci_high"].iloc[-1]]])
        hi = np.concatenate([[0.0], 1 - sub["ci_low"].to_numpy(), [1 - sub["ci_low"].iloc[-1]]])
        (line,) = ax.step(
            x,
            y,
            where="post",
            label=(
                f"{REGION_LABELS.get(g, g)} ({int(sub['n_units'].iloc[0])}, "
                f"{int(sub['n_events_total'].iloc[0])})"
            ),
        )
        ax.fill_between(x, lo, hi, step="post", alpha=0.12, color=line.get_color())
    ax.set_ylim(0, 1)
    ax.set_xlabel(
        "Năm đạt chuẩn / standard year"
        if km.info["time"] == "standard_year"
        else "Năm quyết định / decision year"
    )
    ax.set_ylabel("Tỷ lệ huyện đã đạt chuẩn NTM (1 − KM)")
    ax.set_title(title)
    ax.legend(loc="upper left", title="Vùng / region (n huyện, sự kiện/events)", title_fontsize=7.5)
    ax.text(
        0.99,
        0.985,
        f"{km.info['excluded_unknown']} recognitions without a year excluded;\n"
        "districts missing from the table count as not recognised\n(curves are lower bounds). "
        "Bands: 95% CI.",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=6.5,
        color="#555555",
    )
    return fig


def plot_calibration(predictions: pd.DataFrame, n_bins: int = 5, title: str = ""):
    """Calibration: observed share recognised vs mean predicted probability, model and base rate."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 5))
    top = 0.0
    for col, lab, mk in (
        ("p_model", "Mô hình / hazard model", "o"),
        ("p_base", "Tỷ lệ nền / base rate", "s"),
    ):
        c = calibration_table(predictions, col, n_bins)
        p = predictions.dropna(subset=["event"])
        brier = float(np.mean((p[col] - p["event"]) ** 2))
        ax.errorbar(
            c["p_mean"],
            c["observed"],
            yerr=[c["observed"] - c["ci_low"], c["ci_high"] - c["observed"]],
            fmt=mk,
            ms=5,
            capsize=2,
            label=f"{lab}: Brier {brier:.4f} ({len(c)} nhóm/bins)",
        )
        top = max(top, c["ci_high"].max(), c["p_mean"].max())
    top = min(1.0, top * 1.1 + 0.01)
    ax.plot(
        [0, top], [0, top], color="#555555", lw=0.8, ls="--", label="Hiệu chuẩn hoàn hảo / perfect"
    )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("Xác suất dự báo / predicted probability")
    ax.set_ylabel("Tỷ lệ thực tế / observed frequency (95% CI)")
    ax.set_title(title)
    p = predictions.dropna(subset=["event"])
    ax.legend(
        loc="upper left",
        title=f"{len(p)} huyện-năm / district-years, {int(p['event'].sum())} sự kiện/events",
        title_fontsize=7.5,
    )
    return fig


def plot_category_map(
    gdf,
    column: str,
    categories: dict[str, tuple[str, str]],
    title: str = "",
    note: str = "",
    legend_title: str = "",
):
    """National district map of a categorical ``column`` (value → (colour, legend label)).

    Built on ``helpers.maps_base`` (mainland frame, Hoàng Sa / Trường Sa insets, province
    borders); districts whose value is not in ``categories`` or has no geometry are hatched
    grey and counted in the legend; approximate boundaries are named under the map.
    """
    import textwrap

    from matplotlib.patches import Patch

    from helpers import boundaries, maps_base

    g = gdf.loc[gdf.geometry.notna()].copy()
    arch = boundaries.archipelagos()
    axes = maps_base.national_axes(g, arch)
    g["_fill"] = g[column].map({k: v[0] for k, v in categories.items()}).fillna("#f2f2f2")
    # districts on the mainland frame only; the insets show the archipelagos (drawn once)
    maps_base.draw(axes, g, insets=False, color_column="_fill", edgecolor="white", linewidth=0.12)
    other = g.loc[~g[column].isin(list(categories))]
    if len(other):
        maps_base.draw(
            axes,
            other,
            insets=False,
            facecolor="none",
            edgecolor="#aaaaaa",
            hatch="////",
            linewidth=0.0,
        )
    maps_base.draw(
        axes,
        maps_base.province_borders(g),
        insets=False,
        facecolor="none",
        edgecolor="#404040",
        linewidth=0.4,
    )
    maps_base.draw(axes, arch, facecolor="#f2f2f2", edgecolor="#404040", linewidth=0.3)
    handles = [
        Patch(
            facecolor=c,
            edgecolor="#999999",
            linewidth=0.3,
            label=f"{lab} ({int((g[column] == k).sum())})",
        )
        for k, (c, lab) in categories.items()
    ]
    if len(other):
        handles.append(
            Patch(
                facecolor="#f2f2f2",
                edgecolor="#aaaaaa",
                hatch="////",
                label=f"Không thuộc phân tích / not analysed ({len(other)})",
            )
        )
    handles.append(Patch(facecolor="none", edgecolor="#404040", label="Ranh giới tỉnh / province"))
    foot = " ".join(
        t
        for t in (note, boundaries.missing_note(gdf) if "geometry_source" in gdf.columns else "")
        if t
    )
    box = axes.main.get_position()
    legend_kw = dict(
        handles=handles,
        loc="upper left",
        fontsize=6.3,
        title=legend_title or None,
        title_fontsize=6.8,
        borderaxespad=0.0,
    )
    text_kw = dict(ha="left", fontsize=5.6, color="#7a3b00", linespacing=1.25)
    if box.x1 < 0.8:  # the frame leaves the lower right of the figure free: legend and note there
        x0 = box.x1 + 0.02
        axes.fig.legend(bbox_to_anchor=(x0, box.y0 + 0.36), **legend_kw)
        if foot:
            axes.fig.text(x0, box.y0, textwrap.fill(foot, 70), va="bottom", **text_kw)
    else:  # the map fills the figure: over the sea and Laos, west of the coast
        axes.main.legend(bbox_to_anchor=(0.0, 0.47), **legend_kw)
        if foot:
            axes.main.text(
                0.0,
                0.66,
                textwrap.fill(foot, 46),
                transform=axes.main.transAxes,
                va="top",
                **text_kw,
            )
    axes.main.set_title(title, loc="left")
    return axes.fig


LISA_CATEGORIES = {
    "High-High": ("#d7301f", "Cao–Cao / High-High"),
    "Low-Low": ("#2b8cbe", "Thấp–Thấp / Low-Low"),
    "High-Low": ("#fc9272", "Cao–Thấp / High-Low (outlier)"),
    "Low-High": ("#9ecae1", "Thấp–Cao / Low-High (outlier)"),
    "Not significant": ("#e6e6e6", "Không có ý nghĩa / not significant"),
}


def forecast_classes(p: pd.Series) -> pd.Series:
    """Bins of a next-year probability for a map: < 1%, 1–2%, 2–5%, 5–10%, ≥ 10%."""
    edges = [-np.inf, 0.01, 0.02, 0.05, 0.10, np.inf]
    labels = ["< 1%", "1–2%", "2–5%", "5–10%", "≥ 10%"]
    return pd.Series(
        pd.cut(p, edges, labels=labels, right=False).astype(str), index=p.index
    ).replace("nan", np.nan)


FORECAST_CLASS_COLOURS = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")


def forecast_categories(target: int) -> dict[str, tuple[str, str]]:
    """Map categories (value → (colour, legend label)) for :func:`forecast_map_classes`."""
    labels = ["< 1%", "1–2%", "2–5%", "5–10%", "≥ 10%"]
    cats = {
        c: (col, f"P({target}) {c}")
        for c, col in zip(labels, FORECAST_CLASS_COLOURS, strict=True)
    }
    cats["recognised_dated"] = ("#2f7d4a", "Đã đạt chuẩn (có năm) / recognised, dated")
    cats["recognised_undated"] = ("#8cc49b", "Đã đạt chuẩn (không rõ năm) / recognised, undated")
    return cats


def forecast_map_classes(
    units: pd.DataFrame, events: pd.DataFrame, forecast: pd.DataFrame
) -> pd.DataFrame:
    """One map class per unit: its forecast bin, else its recognition status.

    ``forecast`` is a :func:`forecast_next_year` table ([district_code, p_model]); districts
    in it get the :func:`forecast_classes` bin of ``p_model``. The others are
    ``recognised_dated`` / ``recognised_undated`` when ``events`` (from
    :func:`recognition_events`) holds them, else ``not_forecast`` (quận, or a covariate
    missing): never silently "not recognised". Returns [district_code, class].
    """
    codes = units["district_code"].astype(str).str.zfill(3)
    ev = events.assign(district_code=events["district_code"].astype(str).str.zfill(3))
    status = pd.Series("not_forecast", index=codes.to_numpy(), dtype=object)
    known = ev.loc[ev["year_known"].astype(bool), "district_code"]
    undated = ev.loc[~ev["year_known"].astype(bool), "district_code"]
    status[status.index.isin(known)] = "recognised_dated"
    status[status.index.isin(undated)] = "recognised_undated"
    fc = forecast.assign(district_code=forecast["district_code"].astype(str).str.zfill(3))
    cls = forecast_classes(fc.set_index("district_code")["p_model"])
    out = pd.DataFrame({"district_code": codes.to_numpy()})
    out["class"] = out["district_code"].map(cls).fillna(out["district_code"].map(status))
    return out


def advanced_risk_units(units: pd.DataFrame, ntm_events: pd.DataFrame) -> pd.DataFrame:
    """The risk set for the advanced (nâng cao) standard: NTM districts with a known year.

    A district can reach nâng cao only after NTM, so it enters the year after its NTM event
    year (``entry_year``; a later ``entry_year`` already in ``units`` wins). NTM districts
    with an unknown year cannot be placed in time: they are left out and listed in
    ``.attrs['excluded_undated']``; districts never recognised NTM are not at risk.
    """
    ev = ntm_events.assign(district_code=ntm_events["district_code"].astype(str).str.zfill(3))
    known = ev["year_known"].astype(bool) & ev["event_year"].notna()
    ntm_year = ev.loc[known].set_index("district_code")["event_year"]
    u = units.assign(district_code=units["district_code"].astype(str).str.zfill(3))
    out = u.loc[u["district_code"].isin(ntm_year.index)].copy()
    entry = out["district_code"].map(ntm_year).astype(int) + 1
    if "entry_year" in out.columns:
        entry = np.maximum(entry, pd.to_numeric(out["entry_year"], errors="coerce").fillna(0))
    out["entry_year"] = entry.astype(int)
    out = out.reset_index(drop=True)
    out.attrs["excluded_undated"] = sorted(
        set(ev.loc[~known, "district_code"]) & set(u["district_code"])
    )
    return out
