"""Published national (and provincial) NTM figures: the reference series and its checks.

``data/reference/national_series.csv`` and ``province_series.csv`` hold the figures the
programme's reports published, one *value* per row (tidy), each with the address of the
page it was read in, the date it holds on and, when that page is in ``../shared/corpus``,
the corpus document id.  The curated columns (``CURATED_COLUMNS``) are typed in by hand
from the sources; the computed columns (``COMPUTED_COLUMNS``: recomputed shares, implied
denominators, flags, conflicts) are written by :func:`annotate` and must equal a rebuild
(``python -m helpers.published build`` rewrites them; a test checks they are current).

Why: readers want the official picture first, and the extractor is checked against it
(:func:`expected_points`, :func:`compare_with_records`).  Conflicting reports are kept as
their own rows and flagged, never resolved silently.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers import paths

__all__ = [
    "COMPUTED_COLUMNS",
    "COUNT_MEASURES",
    "CURATED_COLUMNS",
    "MEASURES",
    "RECORD_KEYS",
    "SHARES",
    "annotate",
    "build",
    "compare_with_records",
    "detect_conflicts",
    "disagreements",
    "expected_points",
    "extract_documents",
    "extracted_values",
    "load_series",
    "period_midpoint",
    "recompute_shares",
    "series_path",
    "wide",
]

CURATED_COLUMNS: list[str] = [
    "unit", "place", "province_code", "as_of", "date_basis", "modality", "measure", "value",
    "qualifier", "article", "doc_id", "language", "source_url", "caveat", "note",
]
COMPUTED_COLUMNS: list[str] = [
    "denominator", "denominator_basis", "recomputed_pct", "implied_denominator", "flags",
    "conflicts_with",
]

MEASURES: dict[str, str] = {
    "communes_ntm": "communes meeting the NTM standard",
    "communes_total": "communes in the denominator (all communes, or those in the programme)",
    "pct_ntm": "published share of communes meeting NTM, %",
    "communes_advanced": "communes meeting NTM nâng cao (advanced)",
    "pct_advanced": "published share of communes meeting NTM nâng cao, %",
    "communes_model": "communes meeting NTM kiểu mẫu (model)",
    "pct_model": "published share of communes meeting NTM kiểu mẫu, %",
    "avg_criteria": "average number of criteria met per commune",
    "district_units_ntm": "district-level units recognised (đạt chuẩn / hoàn thành nhiệm vụ)",
    "district_units_total": "district-level units in the denominator",
    "pct_district_units": "published share of district-level units recognised, %",
    "pct_district_advanced": "published share of district-level units meeting NTM nâng cao, %",
    "provinces_with_district_units": "provinces having at least one recognised district unit",
    "provinces_100pct_communes": "provinces where every commune meets NTM",
    "provinces_completed": "provinces recognised as having completed the programme",
}

# share measure -> (count measure, denominator measure)
SHARES: dict[str, tuple[str, str]] = {
    "pct_ntm": ("communes_ntm", "communes_total"),
    "pct_advanced": ("communes_advanced", "communes_total"),
    "pct_model": ("communes_model", "communes_total"),
    "pct_district_units": ("district_units_ntm", "district_units_total"),
}
# cumulative stocks: a later actual report should not be lower than an earlier one
COUNT_MEASURES: list[str] = [
    "communes_ntm", "communes_advanced", "communes_model", "district_units_ntm",
    "provinces_with_district_units", "provinces_100pct_communes", "provinces_completed",
]
# measure -> (standard, counted, denominator measure) of the progress record it is (ANNOTATION.md)
RECORD_KEYS: dict[str, tuple[str, str, str | None]] = {
    "communes_ntm": ("ntm", "commune", "communes_total"),
    "communes_advanced": ("ntm_advanced", "commune", None),
    "communes_model": ("ntm_model", "commune", None),
    "district_units_ntm": ("ntm", "district", "district_units_total"),
    "provinces_completed": ("ntm", "province", None),
}

DATE_BASIS = ["stated", "publication", "reference", "approximate", "derived", "estimate", "undated"]
QUALIFIERS = ["exact", "approx", "at_least", "at_most"]
CAVEATS = ["DOUBTFUL", "INCONSISTENT", "UNCONFIRMED"]
_BASIS_FLAG = {"derived": "DERIVED", "estimate": "ESTIMATE", "undated": "UNDATED",
               "approximate": "APPROXIMATE_DATE"}
_AS_OF = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def _str_col(values: list[str] | None = None, nullable: bool = False, regex: str | None = None) -> pa.Column:
    checks = []
    if values:
        checks.append(pa.Check.isin(values))
    if regex:
        checks.append(pa.Check.str_matches(regex))
    return pa.Column(object, checks=checks, nullable=nullable)


SERIES_SCHEMA = pa.DataFrameSchema(
    {
        "unit": _str_col(["country", "province"]),
        "place": _str_col(),
        "province_code": _str_col(nullable=True, regex=r"^\d{2}$"),
        "as_of": _str_col(regex=_AS_OF),
        "date_basis": _str_col(DATE_BASIS),
        "modality": _str_col(["actual", "target"]),
        "measure": _str_col(list(MEASURES)),
        "value": pa.Column(float, pa.Check.ge(0)),
        "qualifier": _str_col(QUALIFIERS),
        "article": _str_col(regex=r"^\d{3}$"),
        "doc_id": _str_col(nullable=True, regex=r"^c\d{3}$"),
        "language": _str_col(["vi", "en", "fr"]),
        "source_url": _str_col(regex=r"^https?://"),
        "caveat": _str_col(CAVEATS, nullable=True),
        "note": _str_col(nullable=True),
        "date": pa.Column("datetime64[ns]"),
    },
    checks=[
        pa.Check(lambda df: ~df["measure"].str.startswith("pct_") | (df["value"] <= 100),
                 error="a share cannot exceed 100%"),
        pa.Check(lambda df: (df["unit"] != "province") | df["province_code"].notna(),
                 error="province rows need a province_code"),
        pa.Check(lambda df: ~df.duplicated(["unit", "place", "as_of", "article", "modality", "measure"]),
                 error="one value per (place, as_of, article, modality, measure)"),
    ],
    strict=False,
)


def series_path(which: str = "national") -> Path:
    """``data/reference/<which>_series.csv`` (``which`` is ``national`` or ``province``)."""
    if which not in {"national", "province"}:
        raise ValueError(f"which must be 'national' or 'province', not {which!r}")
    return paths.DATA / "reference" / f"{which}_series.csv"


def period_midpoint(as_of: str) -> pd.Timestamp:
    """The middle of the period a partial ISO date names: 2019 → 2019-07-01, 2019-06 → 2019-06-15."""
    parts = as_of.split("-")
    if len(parts) == 1:
        return pd.Timestamp(int(parts[0]), 7, 1)
    if len(parts) == 2:
        return pd.Timestamp(int(parts[0]), int(parts[1]), 15)
    return pd.Timestamp(as_of)


def _nfc(value: object) -> object:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _read_curated(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CURATED_COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    df = raw[CURATED_COLUMNS].astype(object)
    df = df.map(lambda v: None if v == "" else _nfc(v)).astype(object)
    df = df.where(df.notna(), None)
    bad = pd.to_numeric(df["value"], errors="coerce").isna()
    if bad.any():
        rows = [int(i) + 2 for i in df.index[bad]]
        raise ValueError(f"{path}: non-numeric value on line(s) {rows}")
    df["value"] = df["value"].astype(float)
    bad_dates = [i for i, a in df["as_of"].items() if a is None or not _valid_as_of(a)]
    if bad_dates:
        raise ValueError(f"{path}: bad as_of on line(s) {[i + 2 for i in bad_dates]}")
    df["date"] = pd.to_datetime([period_midpoint(a) for a in df["as_of"]]).astype("datetime64[ns]")
    return df


def _valid_as_of(value: str) -> bool:
    try:
        period_midpoint(value)
    except (ValueError, TypeError):
        return False
    return True


def load_series(path: Path | str | None = None, which: str = "national",
                annotated: bool = True) -> pd.DataFrame:
    """The reference series, typed and validated (pandera), with a ``date`` column.

    ``date`` is the middle of the period ``as_of`` names (for plotting and ordering).
    With ``annotated`` the computed columns are recomputed from the curated ones (the
    stored ones are ignored, so the result never depends on a stale file).
    """
    path = Path(path) if path else series_path(which)
    df = _read_curated(path)
    SERIES_SCHEMA.validate(df)
    return annotate(df) if annotated else df


def _decimals(value: float) -> int:
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    return max(0, -int(exponent)) if isinstance(exponent, int) else 0


def _share_tolerance(value: float, qualifier: str) -> float:
    """How far a recomputed share may be from a published one before it is a disagreement."""
    rounding = 0.5 * 10 ** -_decimals(value) + 1e-9
    return max(2 * rounding, 0.2) if qualifier == "approx" else rounding


def _report_key(df: pd.DataFrame) -> pd.Series:
    return df["unit"] + "|" + df["place"] + "|" + df["as_of"] + "|" + df["article"] + "|" + df["modality"]


def recompute_shares(df: pd.DataFrame) -> pd.DataFrame:
    """Recompute every published share from counts; add the denominator columns.

    The denominator is the same report's total when it gives one (``same_report``), else
    the published total nearest in time for the same place (``nearest_published``; totals
    shrink as communes merge, 8,909 in the 2010s → 7,669 in 2025).  ``implied_denominator``
    is count / share: what the published share was computed against.
    """
    out = df.copy()
    out["denominator"] = math.nan
    out["denominator_basis"] = None
    out["recomputed_pct"] = math.nan
    out["implied_denominator"] = math.nan
    key = _report_key(out)
    actual = out["modality"] == "actual"
    for idx in out.index[out["measure"].isin(list(SHARES)) & actual]:
        count_m, total_m = SHARES[out.at[idx, "measure"]]
        same = out[(key == key[idx]) & actual]
        count = same.loc[same["measure"] == count_m, "value"]
        if count.empty:
            continue
        count_v = float(count.iloc[0])
        total = same.loc[same["measure"] == total_m, "value"]
        if not total.empty:
            denom, basis = float(total.iloc[0]), "same_report"
        else:
            pool = out[(out["measure"] == total_m) & actual & (out["place"] == out.at[idx, "place"])
                       & (out["date_basis"] != "derived") & out["caveat"].isna()]
            if pool.empty:
                denom, basis = math.nan, None
            else:
                gap = (pool["date"] - out.at[idx, "date"]).abs()
                nearest = pool.assign(gap=gap).sort_values(["gap", "date"]).iloc[0]
                denom, basis = float(nearest["value"]), "nearest_published"
        published = float(out.at[idx, "value"])
        if published > 0:
            out.at[idx, "implied_denominator"] = round(count_v / published * 100, 1)
        if basis is not None and denom > 0:
            out.at[idx, "denominator"] = denom
            out.at[idx, "denominator_basis"] = basis
            out.at[idx, "recomputed_pct"] = round(count_v / denom * 100, 2)
    return out


def _share_flags(row: pd.Series) -> list[str]:
    if pd.isna(row["recomputed_pct"]):
        return []
    diff = float(row["recomputed_pct"]) - float(row["value"])
    if row["qualifier"] == "at_least":
        wrong = diff < -_share_tolerance(row["value"], "exact")
    else:
        wrong = abs(diff) > _share_tolerance(row["value"], row["qualifier"])
    if row["denominator_basis"] == "same_report" and wrong:
        return ["SHARE_MISMATCH"]
    if row["denominator_basis"] == "nearest_published" and abs(diff) > 1.0:
        return ["SHARE_OFF_NEAREST_DENOMINATOR"]
    return []


def _label(row: pd.Series) -> str:
    source = row["doc_id"] if isinstance(row["doc_id"], str) else f"ref {row['article']}"
    return f"{source} {row['as_of']}={_fmt(row['value'])}"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _period(as_of: str) -> str:
    return as_of[:7]


def _differ(a: pd.Series, b: pd.Series) -> bool:
    """True when two values of the same measure cannot both be right."""
    va, vb = float(a["value"]), float(b["value"])
    if "approx" in (a["qualifier"], b["qualifier"]):
        return abs(va - vb) > (1.0 if a["measure"].startswith("pct_") else 0.02 * max(va, vb))
    if a["measure"].startswith("pct_") or a["measure"] == "avg_criteria":
        tol = max(_share_tolerance(va, "exact"), _share_tolerance(vb, "exact"))
        return abs(va - vb) > tol
    return va != vb


def detect_conflicts(df: pd.DataFrame) -> pd.DataFrame:
    """Flag reports that disagree (adds ``flags`` entries and ``conflicts_with``).

    ``CONFLICT_SAME_PERIOD``: two sources give different values of one measure for the same
    month (or year, when both are dated to a year only).  ``ORDER_CONFLICT``: a cumulative
    count is higher in an earlier report than in a later one (both rows flagged, unless one
    side is already marked DOUBTFUL: then only that side is).  Targets are not compared.
    """
    out = df.copy()
    flags: dict[int, set[str]] = {i: set() for i in out.index}
    partners: dict[int, set[str]] = {i: set() for i in out.index}
    actual = out[out["modality"] == "actual"]
    for _, group in actual.groupby(["unit", "place", "measure"], sort=False):
        rows = list(group.iterrows())
        for n, (i, a) in enumerate(rows):
            for j, b in rows[n + 1:]:
                if a["article"] == b["article"]:
                    continue
                same_period = _period(a["as_of"]) == _period(b["as_of"])
                if same_period and _differ(a, b):
                    for x, y in ((i, b), (j, a)):
                        flags[x].add("CONFLICT_SAME_PERIOD")
                        partners[x].add(_label(y))
                    continue
                if same_period or a["measure"] not in COUNT_MEASURES or a["date"] == b["date"]:
                    continue
                early, late = (i, j) if a["date"] < b["date"] else (j, i)
                e, lt = out.loc[early], out.loc[late]
                if float(e["value"]) > float(lt["value"]) and _differ(e, lt):
                    doubtful = [x for x in (early, late) if out.at[x, "caveat"] == "DOUBTFUL"]
                    targets = doubtful or [early, late]
                    for x in targets:
                        other = late if x == early else early
                        flags[x].add("ORDER_CONFLICT")
                        partners[x].add(_label(out.loc[other]))
    out["flags"] = [
        _join(sorted(set(_split(old)) | flags[i])) for i, old in zip(out.index, out["flags"], strict=True)
    ] if "flags" in out.columns else [_join(sorted(flags[i])) for i in out.index]
    out["conflicts_with"] = [_join(sorted(partners[i])) for i in out.index]
    return out


def _split(value: object) -> list[str]:
    return [v for v in str(value).split(";") if v] if isinstance(value, str) else []


def _join(items: Iterable[str]) -> str | None:
    joined = ";".join(items)
    return joined or None


def annotate(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``COMPUTED_COLUMNS`` to a curated series: recomputed shares, flags, conflicts.

    ``flags`` (";"-separated) holds the date basis (DERIVED, ESTIMATE, UNDATED,
    APPROXIMATE_DATE), the curated caveat (DOUBTFUL, INCONSISTENT, UNCONFIRMED), share checks
    (SHARE_MISMATCH, SHARE_OFF_NEAREST_DENOMINATOR) and conflicts (CONFLICT_SAME_PERIOD,
    ORDER_CONFLICT).
    """
    out = recompute_shares(df.drop(columns=[c for c in COMPUTED_COLUMNS if c in df.columns])
                           .reset_index(drop=True))
    base = []
    for _, row in out.iterrows():
        f = [_BASIS_FLAG[row["date_basis"]]] if row["date_basis"] in _BASIS_FLAG else []
        if isinstance(row["caveat"], str):
            f.append(row["caveat"])
        f += _share_flags(row)
        base.append(_join(f))
    out["flags"] = base
    out = detect_conflicts(out)
    return out


def build(path: Path | str | None = None, which: str = "national") -> Path:
    """Rewrite the computed columns of a series file from its curated columns (idempotent)."""
    path = Path(path) if path else series_path(which)
    df = load_series(path)
    table = df[CURATED_COLUMNS + COMPUTED_COLUMNS].copy()
    table["value"] = table["value"].map(_fmt)
    for col in ("denominator", "implied_denominator", "recomputed_pct"):
        table[col] = table[col].map(lambda v: "" if pd.isna(v) else _fmt(v))
    table.to_csv(path, index=False, lineterminator="\n")
    return path


def wide(df: pd.DataFrame) -> pd.DataFrame:
    """One row per report (place, as_of, article, modality), one column per measure."""
    keys = ["unit", "place", "as_of", "date", "date_basis", "modality", "article", "doc_id",
            "source_url"]
    w = df.pivot_table(index=keys, columns="measure", values="value", aggfunc="first",
                       dropna=False).reset_index()
    w.columns.name = None
    return w.dropna(how="all", subset=[c for c in w.columns if c in MEASURES]).sort_values(
        ["unit", "place", "date", "article"]).reset_index(drop=True)


# --- the extractor check -------------------------------------------------------------------

_NOT_A_RECORD = "not_a_record"


def expected_points(df: pd.DataFrame) -> pd.DataFrame:
    """Every value with a corpus document, and whether the extractor should find it there.

    ``expect`` is True for counts that ANNOTATION.md makes a progress record (communes or
    district units meeting a standard, provinces that completed the programme), read in a
    Vietnamese document, not derived.  Otherwise ``why_not`` says why (shares, averages and
    "provinces with 100% communes" are not records; English/French texts give none; derived
    values are not written in the text).  ``total`` is the same report's denominator.
    """
    rows = []
    df = df.reset_index(drop=True)
    key = _report_key(df)
    for idx, row in df[df["doc_id"].notna()].iterrows():
        why = None
        if row["measure"] not in RECORD_KEYS:
            why = _NOT_A_RECORD
        elif row["date_basis"] == "derived":
            why = "derived"
        elif row["language"] != "vi":
            why = f"language_{row['language']}"
        standard, counted, total_m = RECORD_KEYS.get(row["measure"], (None, None, None))
        total = None
        if total_m:
            same = df[(key == key[idx]) & (df["measure"] == total_m)]
            total = int(same["value"].iloc[0]) if not same.empty else None
        rows.append({
            "doc_id": row["doc_id"], "unit": row["unit"], "place": row["place"],
            "as_of": row["as_of"], "measure": row["measure"], "value": row["value"],
            "modality": row["modality"], "standard": standard, "counted": counted,
            "total": total, "expect": why is None, "why_not": why,
            "date_basis": row["date_basis"],
        })
    out = pd.DataFrame(rows)
    out["total"] = out["total"].astype("Int64")
    return out


def _fold(value: object) -> str:
    return " ".join(unicodedata.normalize("NFC", str(value)).lower().split()) if isinstance(value, str) else ""


def compare_with_records(points: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Match each expected point to the extractor's records of its document.

    ``status``: ``found`` (a units_met record with the same unit, place, standard, counted,
    achieved, modality and total), ``found_total_differs`` (all but the total), ``missing``,
    or the point's ``why_not`` when it was not expected.  ``extracted`` lists what the
    extractor did give for that document, unit and standard (for reading the misses);
    ``extracted_as_of`` the date(s) the matching records carry.
    """
    recs = records.copy()
    recs["_place"] = recs["place"].map(_fold)
    recs["_achieved"] = pd.to_numeric(recs["achieved"], errors="coerce")
    recs["_total"] = pd.to_numeric(recs["total"], errors="coerce")
    statuses, extracted = [], []
    as_of_found: dict[int, str | None] = {}
    for _, p in points.iterrows():
        cand = recs[(recs["doc_id"] == p["doc_id"]) & (recs["unit"] == p["unit"])]
        same_kind = cand[(cand["standard"] == p["standard"]) & (cand["measure"] == "units_met")
                         & (cand["counted"] == p["counted"])]
        extracted.append(";".join(
            f"{_fmt(a) if pd.notna(a) else '?'}/{_fmt(t) if pd.notna(t) else '-'} {m}"
            for a, t, m in zip(same_kind["_achieved"], same_kind["_total"], same_kind["modality"],
                               strict=True)
        ) or None)
        if not p["expect"]:
            statuses.append(p["why_not"])
            continue
        hit = same_kind[(same_kind["_place"] == _fold(p["place"]))
                        & (same_kind["_achieved"] == p["value"])
                        & (same_kind["modality"] == p["modality"])]
        if "as_of" in hit.columns and not hit.empty:
            dates = sorted({str(v) for v in hit["as_of"] if isinstance(v, str) and v})
            as_of_found[len(statuses)] = ";".join(dates) or None
        if hit.empty:
            statuses.append("missing")
        elif pd.isna(p["total"]) or (hit["_total"] == p["total"]).any():
            statuses.append("found")
        else:
            statuses.append("found_total_differs")
    out = points.copy()
    out["status"] = statuses
    out["extracted"] = extracted
    out["extracted_as_of"] = [as_of_found.get(i) for i in range(len(out))]
    return out


def extracted_values(records: pd.DataFrame, unit: str = "country") -> pd.DataFrame:
    """The extractor's records of ``unit`` as series values (measure, value, as_of, date).

    Only ``units_met`` records with ``actual``/``target`` modality that map onto a series
    measure (``RECORD_KEYS``); ``date`` is the middle of the record's ``as_of`` period
    (records without one keep NaT).
    """
    inverse = {(std, counted): m for m, (std, counted, _) in RECORD_KEYS.items()}
    recs = records[(records["unit"] == unit) & (records["measure"] == "units_met")
                   & records["modality"].isin(["actual", "target"])].copy()
    pairs = zip(recs["standard"], recs["counted"], strict=True)
    recs["series_measure"] = [inverse.get(pair) for pair in pairs]
    recs = recs[recs["series_measure"].notna()]
    dates = []
    for value in recs.get("as_of", pd.Series(index=recs.index, dtype=object)):
        ok = isinstance(value, str) and _valid_as_of(value)
        dates.append(period_midpoint(value) if ok else pd.NaT)
    out = pd.DataFrame({
        "doc_id": recs["doc_id"].to_numpy(),
        "place": recs["place"].to_numpy(),
        "measure": recs["series_measure"].to_numpy(),
        "value": pd.to_numeric(recs["achieved"], errors="coerce").to_numpy(dtype=float),
        "total": pd.to_numeric(recs["total"], errors="coerce").to_numpy(dtype=float),
        "modality": recs["modality"].to_numpy(),
        "as_of": recs["as_of"].to_numpy() if "as_of" in recs else None,
        "date": pd.to_datetime(pd.Series(dates, dtype="datetime64[ns]")).to_numpy(),
    })
    return out.drop_duplicates().reset_index(drop=True)


def _same_date(a: str, b: str) -> bool:
    """Two partial ISO dates agree when one is a prefix of the other (2022 ~ 2022-06)."""
    return a.startswith(b) or b.startswith(a)


def disagreements(series: pd.DataFrame, records: pd.DataFrame, unit: str = "country") -> pd.DataFrame:
    """Every difference between the published counts and the extractor's, one row each.

    ``kind``: ``missing`` (a published count of a corpus document the extractor did not
    give), ``total_differs``, ``value_differs`` (the extractor gives the same measure in that
    document with another value), ``as_of_differs`` (value found, dated otherwise; not
    reported where the reference's own date is approximate or undated),
    ``not_in_reference`` (an extracted count of a document or
    measure the reference table does not hold).
    """
    sel = series[series["unit"] == unit]
    points = expected_points(sel) if sel["doc_id"].notna().any() else pd.DataFrame(
        columns=["doc_id", "measure", "value", "total", "expect", "why_not", "as_of", "modality"])
    points = points[points["expect"].astype(bool)] if len(points) else points
    got = extracted_values(records, unit)
    rows = []
    if len(points):
        res = compare_with_records(points, records)
        for _, p in res[res["status"] == "found"].iterrows():
            raw = p["extracted_as_of"]
            got_dates = [d for d in raw.split(";") if d] if isinstance(raw, str) else []
            vague = p.get("date_basis") in {"approximate", "undated"}
            if got_dates and not vague and not any(_same_date(d, p["as_of"]) for d in got_dates):
                rows.append({"kind": "as_of_differs", "doc_id": p["doc_id"], "as_of": p["as_of"],
                             "measure": p["measure"], "modality": p["modality"],
                             "published": p["value"], "published_total": p["total"],
                             "extracted": f"as_of {';'.join(got_dates)}", "extracted_total": None})
        for _, p in res[res["status"] != "found"].iterrows():
            same = got[(got["doc_id"] == p["doc_id"]) & (got["measure"] == p["measure"])
                       & (got["modality"] == p["modality"])]
            kind = {"found_total_differs": "total_differs"}.get(p["status"], "missing")
            if kind == "missing" and not same.empty:
                kind = "value_differs"
            rows.append({"kind": kind, "doc_id": p["doc_id"], "as_of": p["as_of"],
                         "measure": p["measure"], "modality": p["modality"],
                         "published": p["value"], "published_total": p["total"],
                         "extracted": "; ".join(sorted({_fmt(v) for v in same["value"].dropna()})) or None,
                         "extracted_total": "; ".join(sorted({_fmt(v) for v in same["total"].dropna()})) or None})
    known = sel[sel["doc_id"].notna()]
    for _, g in got.iterrows():
        ref = known[(known["doc_id"] == g["doc_id"]) & (known["measure"] == g["measure"])
                    & (known["modality"] == g["modality"])]
        if ref.empty:
            rows.append({"kind": "not_in_reference", "doc_id": g["doc_id"], "as_of": g["as_of"],
                         "measure": g["measure"], "modality": g["modality"], "published": None,
                         "published_total": None, "extracted": _fmt(g["value"]) if pd.notna(g["value"]) else None,
                         "extracted_total": _fmt(g["total"]) if pd.notna(g["total"]) else None})
    cols = ["kind", "doc_id", "as_of", "measure", "modality", "published", "published_total",
            "extracted", "extracted_total"]
    return pd.DataFrame(rows, columns=cols).sort_values(["kind", "doc_id", "measure"]).reset_index(drop=True)


def _read_meta(txt: Path) -> dict:
    meta_path = txt.with_suffix(".json")
    if not meta_path.exists():
        return {}
    return json.loads(meta_path.read_text(encoding="utf-8"))


def extract_documents(doc_ids: Iterable[str], corpus: Path,
                      extract: Callable[[str, dict, str], pd.DataFrame] | None = None,
                      ) -> tuple[pd.DataFrame, list[str]]:
    """Run the extractor on the named corpus documents; return (records, skipped messages).

    A document that is absent or that the extractor fails on is skipped with a message
    naming it; the others still run.
    """
    if extract is None:
        from helpers.extract import extract_document as extract
    frames, skipped = [], []
    for doc_id in sorted(set(doc_ids)):
        txt = corpus / f"{doc_id}.txt"
        if not txt.exists():
            skipped.append(f"{doc_id}: {txt} is absent")
            continue
        try:
            text = txt.read_text(encoding="utf-8")
            frames.append(extract(text, _read_meta(txt), doc_id))
        except Exception as exc:  # one bad document must not stop the batch
            skipped.append(f"{doc_id}: extractor failed: {type(exc).__name__}: {exc}")
    frames = [f for f in frames if f is not None and len(f)]
    records = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["doc_id", "unit", "place", "standard", "measure", "counted", "achieved",
                 "total", "modality", "as_of"])
    return records, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.published", description=__doc__)
    parser.add_argument("step", choices=["build", "check"])
    args = parser.parse_args(argv)
    for which in ("national", "province"):
        if args.step == "build":
            print(f"published: rewrote {build(which=which)}")
        else:
            df = load_series(which=which)
            flagged = df[df["flags"].notna()]
            print(f"{which}: {len(df)} values, {len(flagged)} flagged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
