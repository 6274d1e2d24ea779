"""District-year and commune-year panels of NTM progress, with provenance for every value.

Inputs are the progress records of ``helpers.records`` (schema ``RECORD_COLUMNS``, see
``../shared/ANNOTATION.md``) and the reference facts under ``data/reference/`` (district
recognitions and Prime Minister's decisions, see ``data/reference/SOURCES.md``).

Reference tables
    ``load_recognitions()`` and ``load_decisions()`` read the facts tables and type them:
    codes as zero-padded strings, standards as an enum, the standard year and the decision
    date kept apart (the decision often comes 1–2 years after the standard year), partial and
    approximate dates parsed by ``parse_partial_date``, INFERRED / COMPLETENESS flags as
    booleans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers import paths

__all__ = [
    "STANDARDS",
    "PartialDate",
    "load_decisions",
    "load_recognitions",
    "parse_partial_date",
]

STANDARDS: tuple[str, ...] = ("ntm", "ntm_advanced", "ntm_model")
STANDARD_DTYPE = pd.CategoricalDtype(list(STANDARDS))
REFERENCE = paths.DATA / "reference"
RECOGNITIONS_CSV = REFERENCE / "district_recognitions.csv"
DECISIONS_CSV = REFERENCE / "district_decisions.csv"
# The recognitions table describes the state "by mid-2025" (see data/reference/SOURCES.md).
RECOGNITIONS_AS_OF_YEAR = 2025


# --------------------------------------------------------------------------- partial dates
@dataclass(frozen=True)
class PartialDate:
    """A date as precise as its source: ``iso`` is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""

    iso: str | None
    precision: str | None  # "day" | "month" | "year" | None
    approximate: bool

    @property
    def year(self) -> int | None:
        return int(self.iso[:4]) if self.iso else None


_YEAR = r"(?:19|20)\d{2}"
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso_day", re.compile(rf"(?<!\d)({_YEAR})-(\d{{1,2}})-(\d{{1,2}})(?!\d)")),
    ("iso_month", re.compile(rf"(?<!\d)({_YEAR})-(\d{{1,2}})(?![\d-])")),
    ("dmy", re.compile(rf"(?<![\d/])(\d{{1,2}})/(\d{{1,2}})/({_YEAR})(?!\d)")),
    ("my", re.compile(rf"(?<![\d/])(\d{{1,2}})/({_YEAR})(?!\d)")),
    ("dm_paren_year", re.compile(rf"(?<![\d/])(\d{{1,2}})/(\d{{1,2}})\s*\(({_YEAR})")),
    ("year", re.compile(rf"(?<![\d/-])({_YEAR})(?![\d/])")),
]
_APPROX = re.compile(r"[~?]|\b(?:ceremony|by|before|after|reported|handover|early|late|batch)\b",
                     re.IGNORECASE)


def _valid(year: int, month: int = 1, day: int = 1) -> bool:
    try:
        pd.Timestamp(year=year, month=month, day=day)
    except ValueError:
        return False
    return True


def parse_partial_date(text: object) -> PartialDate:
    """Parse a collector's date note (``2024 (date not in excerpt)``, ``~2020-07-23``,
    ``ceremony 28/4 (2021?)``, ``by 03/2022``) into an ISO partial date.

    The earliest date-like expression in the text wins (later ones are usually "reported on"
    dates); ``approximate`` is set when the text hedges (``~``, ``?``, ceremony, by, before…).
    Text without any year gives ``PartialDate(None, None, False)``.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)) or text is pd.NA:
        return PartialDate(None, None, False)
    s = str(text).strip()
    if not s:
        return PartialDate(None, None, False)
    best: tuple[int, int, str, re.Match[str]] | None = None
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(s):
            key = (m.start(), -(m.end() - m.start()))
            if best is None or key < (best[0], best[1]):
                best = (key[0], key[1], kind, m)
    if best is None:
        return PartialDate(None, None, False)
    kind, m = best[2], best[3]
    g = m.groups()
    iso: str | None
    if kind == "iso_day":
        y, mo, d = int(g[0]), int(g[1]), int(g[2])
        iso, prec = (f"{y:04d}-{mo:02d}-{d:02d}", "day") if _valid(y, mo, d) else (f"{y}", "year")
    elif kind == "iso_month":
        y, mo = int(g[0]), int(g[1])
        iso, prec = (f"{y:04d}-{mo:02d}", "month") if 1 <= mo <= 12 else (f"{y}", "year")
    elif kind in ("dmy", "dm_paren_year"):
        d, mo, y = int(g[0]), int(g[1]), int(g[2])
        iso, prec = (f"{y:04d}-{mo:02d}-{d:02d}", "day") if _valid(y, mo, d) else (f"{y}", "year")
    elif kind == "my":
        mo, y = int(g[0]), int(g[1])
        iso, prec = (f"{y:04d}-{mo:02d}", "month") if 1 <= mo <= 12 else (f"{y}", "year")
    else:
        iso, prec = m.group(1), "year"
    return PartialDate(iso, prec, bool(_APPROX.search(s)))


# --------------------------------------------------------------------------- reference tables
def _clean_str(series: pd.Series) -> pd.Series:
    out = series.astype("string").str.strip()
    return out.mask(out.fillna("").isin(["", "(not given)"]))


def _code(series: pd.Series, width: int) -> pd.Series:
    s = _clean_str(series)
    return s.where(s.isna(), s.str.zfill(width)).astype("string")


def _date_columns(frame: pd.DataFrame, raw: pd.Series, note: pd.Series) -> pd.DataFrame:
    """decision_date (ISO partial), its precision, approximate flag, year, and where it came
    from: the table's own column, else the note's ``decision date info:`` remark."""
    rows = []
    for value, remark in zip(raw.tolist(), note.fillna("").tolist(), strict=True):
        parsed = parse_partial_date(value)
        origin = "column" if parsed.iso else None
        if parsed.iso is None:
            m = re.search(r"decision date info:\s*([^;]*)", remark)
            if m:
                parsed = parse_partial_date(m.group(1))
                if parsed.iso:
                    origin = "note"
                    parsed = PartialDate(parsed.iso, parsed.precision,
                                         parsed.approximate or parsed.precision != "day")
        rows.append((parsed.iso, parsed.precision, parsed.approximate, parsed.year, origin))
    out = pd.DataFrame(rows, columns=["decision_date", "decision_date_precision",
                                      "decision_date_approx", "decision_year",
                                      "decision_date_from"], index=frame.index)
    out["decision_date"] = out["decision_date"].astype("string")
    out["decision_date_precision"] = out["decision_date_precision"].astype("string")
    out["decision_date_approx"] = out["decision_date_approx"].astype(bool)
    out["decision_year"] = out["decision_year"].astype("Int64")
    out["decision_date_from"] = out["decision_date_from"].astype("string")
    return out


def load_recognitions(path: Path | str | None = None) -> pd.DataFrame:
    """District-level recognitions (``data/reference/district_recognitions.csv``), typed.

    One row per (unit, standard). Columns:

    - ``district_code`` (3-char str, ``<NA>`` for the 8 units without a code in the table),
      ``district_name``, ``unit_type``, ``province_name``;
    - ``standard`` (categorical ``ntm`` / ``ntm_advanced`` / ``ntm_model``);
    - ``standard_year`` (Int64, nullable): the year of the standard ("đạt chuẩn năm 2020");
    - ``decision_no``; ``decision_date`` (ISO partial str), ``decision_date_precision``
      (day/month/year), ``decision_date_approx`` (bool), ``decision_year`` (Int64),
      ``decision_date_from`` (``column`` or ``note`` when read from "decision date info");
    - ``known_by_year`` (Int64): the first year the recognition is known to hold —
      ``standard_year``, else ``decision_year``, else 2025 (the table's "by mid-2025");
      ``year_basis`` says which (``standard_year`` / ``decision_date`` / ``by_mid_2025``);
    - ``inferred`` / ``completeness`` (bool): the note's INFERRED / COMPLETENESS flags;
    - ``url``, ``note``, ``source`` (``district_recognitions.csv:<line>``).
    """
    path = Path(path) if path is not None else RECOGNITIONS_CSV
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"ma_huyen", "district", "unit_type", "province", "standard", "standard_year",
               "decision_no", "decision_date", "url", "note"} - set(raw.columns)
    if missing:
        raise ValueError(f"{path}: columns missing: {sorted(missing)}")
    bad = ~raw["standard"].isin(STANDARDS)
    if bad.any():
        lines = (raw.index[bad] + 2).tolist()
        raise ValueError(f"{path}: unknown standard on line(s) {lines}: "
                         f"{sorted(set(raw.loc[bad, 'standard']))}")
    note = _clean_str(raw["note"])
    out = pd.DataFrame({
        "district_code": _code(raw["ma_huyen"], 3),
        "district_name": _clean_str(raw["district"]),
        "unit_type": _clean_str(raw["unit_type"]),
        "province_name": _clean_str(raw["province"]),
        "standard": raw["standard"].astype(STANDARD_DTYPE),
        "standard_year": pd.to_numeric(_clean_str(raw["standard_year"])).astype("Int64"),
        "decision_no": _clean_str(raw["decision_no"]),
    })
    out = pd.concat([out, _date_columns(out, raw["decision_date"], note)], axis=1)
    known = out["standard_year"].fillna(out["decision_year"])
    out["year_basis"] = pd.Series(
        ["standard_year" if pd.notna(s) else "decision_date" if pd.notna(d) else "by_mid_2025"
         for s, d in zip(out["standard_year"], out["decision_year"], strict=True)],
        index=out.index, dtype="string")
    out["known_by_year"] = known.fillna(RECOGNITIONS_AS_OF_YEAR).astype("Int64")
    flag = note.fillna("").str.upper()
    out["inferred"] = flag.str.startswith("INFERRED").astype(bool)
    out["completeness"] = flag.str.startswith("COMPLETENESS").astype(bool)
    out["url"] = _clean_str(raw["url"])
    out["note"] = note
    out["source"] = pd.Series([f"district_recognitions.csv:{i + 2}" for i in range(len(raw))],
                              index=out.index, dtype="string")
    return out


_DECISION_STATUS = {"NTM": "ntm", "HTNV": "ntm", "NTM-nâng cao": "ntm_advanced",
                    "NTM nâng cao": "ntm_advanced", "NTM-kiểu mẫu": "ntm_model"}


def load_decisions(path: Path | str | None = None) -> pd.DataFrame:
    """Prime Minister's decisions (``data/reference/district_decisions.csv``), typed.

    Columns: ``district_name``, ``unit_type``, ``province_name``, ``status`` (as written:
    NTM / HTNV / NTM-nâng cao), ``standard`` (enum; HTNV is the town/city label of ``ntm``),
    ``standard_year`` (Int64), ``decision_no``, ``decision_date`` / ``_precision`` / ``_approx``
    / ``decision_year`` (parsed from the collector's partial dates), ``signer``, ``article``,
    ``url``, ``note``, ``source``. Rows are keyed by name: codes come from the gazetteer.
    """
    path = Path(path) if path is not None else DECISIONS_CSV
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    status = _clean_str(raw["status"])
    standard = status.map(_DECISION_STATUS)
    if standard.isna().any():
        lines = (raw.index[standard.isna()] + 2).tolist()
        raise ValueError(f"{path}: unknown status on line(s) {lines}")
    out = pd.DataFrame({
        "district_name": _clean_str(raw["unit"]),
        "unit_type": _clean_str(raw["unit_type"]),
        "province_name": _clean_str(raw["province"]),
        "status": status,
        "standard": standard.astype(STANDARD_DTYPE),
        "standard_year": pd.to_numeric(_clean_str(raw["standard_year"])).astype("Int64"),
        "decision_no": _clean_str(raw["decision_no"]),
    })
    note = _clean_str(raw["note"])
    dates = _date_columns(out, raw["decision_date"], pd.Series([""] * len(raw), index=raw.index))
    out = pd.concat([out, dates.drop(columns="decision_date_from")], axis=1)
    out["signer"] = _clean_str(raw["signer"])
    out["article"] = _clean_str(raw["article"])
    out["url"] = _clean_str(raw["url"])
    out["note"] = note
    out["source"] = pd.Series([f"district_decisions.csv:{i + 2}" for i in range(len(raw))],
                              index=out.index, dtype="string")
    return out
