"""Progress records: the schema of ``data/derived/records.csv`` and its validation.

One record = one figure about one place (see ``../shared/ANNOTATION.md``).  The columns
are ``RECORD_COLUMNS``; ``sentence`` (the evidence text) exists in memory only and is never
written to committed tables.  ``validate_records`` checks enums and types (rejecting what
cannot be right) and *flags* implausible totals in a ``flags`` column (provincial criteria
sets vary, so a total other than 19/9 is suspicious, not wrong).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers import paths

__all__ = [
    "ENUMS",
    "RECORD_COLUMNS",
    "RECORD_SCHEMA",
    "YEAR_RANGE",
    "empty_records",
    "record_problems",
    "load_records",
    "validate_records",
]

RECORD_COLUMNS: list[str] = [
    "doc_id", "url", "published", "unit", "place", "district", "province", "standard",
    "measure", "counted", "achieved", "total", "qualifier", "modality", "year", "as_of",
    "province_code", "district_code", "place_code", "resolution", "start", "end",
    "unmet_criteria",
]

ENUMS: dict[str, list[str]] = {
    "unit": ["country", "province", "district", "commune", "village"],
    "standard": ["ntm", "ntm_advanced", "ntm_model"],
    "measure": ["criteria", "indicators", "units_met", "recognized"],
    "counted": ["province", "district", "commune", "village"],
    "qualifier": ["exact", "at_least", "at_most"],
    "modality": ["actual", "expected", "target", "lost"],
    "resolution": ["exact", "context", "ambiguous", "unknown"],
}

# criteria sets by level: commune 19 criteria (2016-2025 national sets), district 9
CRITERIA_TOTALS = {"commune": {19}, "district": {9}, "village": {5, 9, 10, 6, 7, 8, 12}}

# years a record may carry (the schema rejects others); the extractor applies a tighter
# plausibility bound of its own (``helpers.extract.NTM_YEARS``)
YEAR_RANGE = (1990, 2100)

_INT = pd.Int64Dtype()
_STR_COLS = ["doc_id", "url", "published", "unit", "place", "district", "province", "standard",
             "measure", "counted", "qualifier", "modality", "as_of", "province_code",
             "district_code", "place_code", "resolution", "unmet_criteria"]
_INT_COLS = ["achieved", "total", "year", "start", "end"]


def _opt_str(values: list[str] | None = None, **kw: object) -> pa.Column:
    checks = [pa.Check.isin(values)] if values else []
    return pa.Column(None, checks=checks, nullable=True, coerce=False, **kw)


RECORD_SCHEMA = pa.DataFrameSchema(
    {
        "doc_id": pa.Column(None, nullable=False),
        "unit": pa.Column(None, pa.Check.isin(ENUMS["unit"])),
        "standard": pa.Column(None, pa.Check.isin(ENUMS["standard"])),
        "measure": pa.Column(None, pa.Check.isin(ENUMS["measure"])),
        "counted": _opt_str(ENUMS["counted"]),
        "qualifier": pa.Column(None, pa.Check.isin(ENUMS["qualifier"])),
        "modality": pa.Column(None, pa.Check.isin(ENUMS["modality"])),
        "resolution": pa.Column(None, pa.Check.isin(ENUMS["resolution"])),
        "achieved": pa.Column(_INT, pa.Check.ge(0), nullable=True),
        "total": pa.Column(_INT, pa.Check.gt(0), nullable=True),
        "year": pa.Column(_INT, pa.Check.in_range(*YEAR_RANGE), nullable=True),
        "start": pa.Column(_INT, pa.Check.ge(0), nullable=True),
        "end": pa.Column(_INT, pa.Check.ge(0), nullable=True),
        "as_of": pa.Column(None, pa.Check.str_matches(r"^\d{4}(-\d{2}(-\d{2})?)?$"), nullable=True),
    },
    checks=[
        pa.Check(lambda df: (df["total"].isna() | df["achieved"].isna() | (df["achieved"] <= df["total"])),
                 error="achieved must not exceed total"),
        pa.Check(lambda df: df["counted"].isna() | (df["measure"] == "units_met"),
                 error="counted is only for units_met"),
        pa.Check(lambda df: (df["measure"] != "recognized") | df["achieved"].isna(),
                 error="recognized records carry no count"),
    ],
    strict=False,
)


def _int_or_none(v: object) -> int | None:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    return int(v)  # type: ignore[arg-type]


def record_problems(rec: dict) -> list[str]:
    """The ``RECORD_SCHEMA`` rules one record (a plain dict) breaks, in words; [] when valid.

    A pure-Python mirror of the schema, cheap enough to run on every record of every
    document, so a bad record can be dropped (and named) without failing its batch.
    """
    out = []
    if not rec.get("doc_id"):
        out.append("doc_id is empty")
    for col in ("unit", "standard", "measure", "qualifier", "modality", "resolution"):
        if rec.get(col) not in ENUMS[col]:
            out.append(f"{col} {rec.get(col)!r} is not one of {ENUMS[col]}")
    if rec.get("counted") is not None and rec["counted"] not in ENUMS["counted"]:
        out.append(f"counted {rec['counted']!r} is not one of {ENUMS['counted']}")
    try:
        achieved, total = _int_or_none(rec.get("achieved")), _int_or_none(rec.get("total"))
        year = _int_or_none(rec.get("year"))
        start, end = _int_or_none(rec.get("start")), _int_or_none(rec.get("end"))
    except (TypeError, ValueError) as exc:
        return [*out, f"a count, year or offset is not an integer ({exc})"]
    if achieved is not None and achieved < 0:
        out.append(f"achieved {achieved} is negative")
    if total is not None and total <= 0:
        out.append(f"total {total} is not positive")
    if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        out.append(f"year {year} is outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
    for name, v in (("start", start), ("end", end)):
        if v is not None and v < 0:
            out.append(f"{name} {v} is negative")
    as_of = rec.get("as_of")
    if as_of is not None and not (isinstance(as_of, str) and re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", as_of)):
        out.append(f"as_of {as_of!r} is not a partial ISO date")
    if achieved is not None and total is not None and achieved > total:
        out.append(f"achieved {achieved} exceeds total {total}")
    if rec.get("counted") is not None and rec.get("measure") != "units_met":
        out.append("counted is only for units_met")
    if rec.get("measure") == "recognized" and achieved is not None:
        out.append("recognized records carry no count")
    return out


def empty_records() -> pd.DataFrame:
    """A typed, empty records table (all columns plus ``sentence`` and ``rule``)."""
    return _coerce(pd.DataFrame({c: [] for c in [*RECORD_COLUMNS, "sentence", "rule"]}))


def _coerce(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for col in RECORD_COLUMNS:
        if col not in df.columns:
            df[col] = None
    for col in _INT_COLS:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(_INT)
    for col in _STR_COLS + ["sentence", "rule"]:
        if col in df.columns:
            df[col] = df[col].astype(object).where(df[col].notna(), None)
            df[col] = df[col].map(lambda v: None if v is None or (isinstance(v, str) and v == "") else v)
    return df


def plausibility_flags(df: pd.DataFrame) -> pd.Series:
    """A short note per row where a figure looks odd (kept, not rejected)."""
    notes = []
    for unit, measure, total, achieved in zip(df["unit"], df["measure"], df["total"], df["achieved"]):
        note = ""
        if measure == "criteria" and pd.notna(total):
            expected = CRITERIA_TOTALS.get(unit)
            if expected and int(total) not in expected:
                note = f"criteria total {int(total)} is not the usual {sorted(expected)} for a {unit}"
        if measure == "criteria" and pd.notna(achieved) and unit == "commune" and int(achieved) > 19 and pd.isna(total):
            note = f"{int(achieved)} criteria exceeds the 19 of the commune set"
        notes.append(note or None)
    return pd.Series(notes, index=df.index, dtype=object)


def validate_records(df: pd.DataFrame) -> pd.DataFrame:
    """Coerce types, check enums and achieved ≤ total (pandera), add a ``flags`` column.

    Raises ``pandera.errors.SchemaError`` naming the rows that break a rule; implausible
    totals only get a note in ``flags``.
    """
    df = _coerce(df)
    RECORD_SCHEMA.validate(df)
    df["flags"] = plausibility_flags(df)
    return df


def load_records(path: Path | str | None = None) -> pd.DataFrame:
    """``data/derived/records.csv`` (facts only, no sentences), typed and validated."""
    path = Path(path) if path else paths.DATA / "derived" / "records.csv"
    df = pd.read_csv(path, dtype={c: "object" for c in _STR_COLS}, keep_default_na=True)
    df = df.astype({c: object for c in _STR_COLS if c in df.columns})
    df = df.where(df.notna(), None)
    return validate_records(df)
