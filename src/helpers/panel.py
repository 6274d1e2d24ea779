"""District-year and commune-year panels of NTM progress, with provenance for every value.

Inputs are the progress records of ``helpers.records`` (schema ``RECORD_COLUMNS``, see
``../shared/ANNOTATION.md``) and the reference facts under ``data/reference/`` (district
recognitions and Prime Minister's decisions, see ``data/reference/SOURCES.md``).

Reference tables
    ``load_recognitions()`` and ``load_decisions()`` read the facts tables and type them:
    codes as zero-padded strings, standards as an enum, the standard year and the decision
    date kept apart (the decision often comes 1–2 years after the standard year), partial and
    approximate dates parsed by ``parse_partial_date``, INFERRED / COMPLETENESS flags as
    booleans. ``reference_status()`` joins both, resolving missing codes by name.

Panels
    ``observations()`` turns records and reference rows into candidate values with provenance
    (doc id, URL, character span); ``select_observations()`` picks the one a map shows — the
    latest report of the year — and flags conflicts; ``district_panel()`` (705 districts ×
    2010–2025) and ``commune_panel()`` carry statuses forward until a later report says the
    status was lost (no forced monotone progress). ``aggregate_2025()`` sums the panel to
    the 34 provinces of July 2025; ``quality_report()`` gives coverage, conflicts, impossible
    values and the records that could not be placed.
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
    "reference_status",
    "resolve_reference_codes",
    "observations",
    "select_observations",
    "district_panel",
    "commune_panel",
    "aggregate",
    "aggregate_2025",
    "quality_report",
    "skipped_records",
    "QualityReport",
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


def _with_year_basis(out: pd.DataFrame) -> pd.DataFrame:
    """Add ``year_basis`` (which date says when the unit was known recognised) and
    ``known_by_year`` (that year; mid-2025 when neither the standard year nor the decision
    date is known)."""
    out = out.copy()
    out["year_basis"] = pd.Series(
        ["standard_year" if pd.notna(sy) else "decision_date" if pd.notna(dy) else "by_mid_2025"
         for sy, dy in zip(out["standard_year"], out["decision_year"], strict=True)],
        index=out.index, dtype="string")
    known = out["standard_year"].fillna(out["decision_year"])
    out["known_by_year"] = known.fillna(RECOGNITIONS_AS_OF_YEAR).astype("Int64")
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
    out = _with_year_basis(out)
    flag = note.fillna("").str.upper()
    out["inferred"] = flag.str.startswith("INFERRED").astype(bool)
    out["completeness"] = flag.str.startswith("COMPLETENESS").astype(bool)
    out["url"] = _clean_str(raw["url"])
    out["note"] = note
    out["source"] = pd.Series([f"district_recognitions.csv:{i + 2}" for i in range(len(raw))],
                              index=out.index, dtype="string")
    return out


def resolve_reference_codes(ref: pd.DataFrame) -> pd.DataFrame:
    """Fill missing ``district_code`` of a reference table by name through the gazetteer
    (``"<unit_type> <name>"`` within its province; only exact resolutions are used).

    Adds ``code_from``: ``table`` (the table's own code), ``gazetteer`` (resolved here) or
    ``<NA>`` (not resolved: ambiguous or unknown; such rows stay out of the panel and are
    listed by ``quality_report``)."""
    from helpers import gazetteer

    out = ref.copy()
    if "district_code" not in out.columns:
        out["district_code"] = pd.array([pd.NA] * len(out), dtype="string")
    out["code_from"] = out["district_code"].notna().map({True: "table", False: pd.NA}) \
        .astype("string")
    for i in out.index[out["district_code"].isna()]:
        name, utype, prov = (out.at[i, "district_name"], out.at[i, "unit_type"],
                             out.at[i, "province_name"])
        for text in (f"{utype} {name}" if pd.notna(utype) else None, name):
            if text is None or pd.isna(name):
                continue
            res = gazetteer.resolve(str(text), unit="district",
                                    province=None if pd.isna(prov) else str(prov))
            if res.status == "exact" and res.code:
                out.at[i, "district_code"] = str(res.code).zfill(3)
                out.at[i, "code_from"] = "gazetteer"
                break
    out["district_code"] = out["district_code"].astype("string")
    return out


def reference_status(recognitions: pd.DataFrame | None = None,
                     decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Both reference tables as one table of district recognitions, codes resolved:
    ``load_recognitions()`` rows plus ``load_decisions()`` rows (the decisions table names
    units the recognitions table lacks, e.g. TP Ninh Bình). Same columns as
    ``load_recognitions()`` (+ ``code_from``)."""
    rec = load_recognitions() if recognitions is None else recognitions
    dec = load_decisions() if decisions is None else decisions
    frames = [resolve_reference_codes(rec)]
    if dec is not None and len(dec):
        d = resolve_reference_codes(dec)
        keep = [c for c in frames[0].columns if c in d.columns]
        frames.append(d[keep])
    return pd.concat(frames, ignore_index=True)


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
    out = _with_year_basis(out)
    out["inferred"] = False
    out["completeness"] = False
    out["signer"] = _clean_str(raw["signer"])
    out["article"] = _clean_str(raw["article"])
    out["url"] = _clean_str(raw["url"])
    out["note"] = note
    out["source"] = pd.Series([f"district_decisions.csv:{i + 2}" for i in range(len(raw))],
                              index=out.index, dtype="string")
    return out


# =========================================================================== panel
# Variables observed per (unit, year, standard); "status" is a state, the others are counts.
VARIABLES: tuple[str, ...] = ("status", "communes", "criteria")
STATUS_VALUES: tuple[str, ...] = ("recognised", "lost", "not_recognised")
STATUS_DTYPE = pd.CategoricalDtype(list(STATUS_VALUES))
PROVENANCE: tuple[str, ...] = ("doc_id", "url", "start", "end")

OBSERVATION_COLUMNS: list[str] = [
    "unit_code", "year", "standard", "variable", "state", "achieved", "total", "qualifier",
    "as_of", "published", "year_basis", "flagged", "source_kind",
    "doc_id", "url", "start", "end",
]
"""Schema of ``observations()``: one candidate value for one unit, year, standard, variable.

``unit_code`` (district or commune code), ``year`` (int), ``standard``, ``variable`` (status /
communes / criteria), ``state`` (recognised / lost, for status), ``achieved`` / ``total`` /
``qualifier`` (for counts), ``as_of`` / ``published`` (ISO partial dates), ``year_basis``
(``record``, or the reference table's ``standard_year`` / ``decision_date`` / ``by_mid_2025``),
``flagged`` (True for INFERRED / COMPLETENESS reference rows), ``source_kind`` (``record`` or
``reference``), provenance ``doc_id`` (for reference rows ``district_recognitions.csv:LINE``),
``url``, ``start`` / ``end`` (character span of the evidence sentence in the document).
"""


def _str_col(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    s = df[col].astype("string").str.strip()
    return s.mask(s == "")


def _int_col(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="Int64")
    return pd.to_numeric(df[col], errors="coerce").astype("Int64")


def _year_of(df: pd.DataFrame) -> pd.Series:
    """The year a record's figure refers to: its ``year``, else the year of ``as_of``, else of
    the publication date."""
    year = _int_col(df, "year")
    for col in ("as_of", "published"):
        y = pd.to_numeric(_str_col(df, col).str.slice(0, 4), errors="coerce").astype("Int64")
        year = year.fillna(y)
    return year


def _record_unit_code(rec: pd.DataFrame, level: str) -> pd.Series:
    """Code of the unit a record is about, at ``level`` (district or commune)."""
    place = _str_col(rec, "place_code")
    if level == "district":
        return place.fillna(_str_col(rec, "district_code")).str.zfill(3)
    return place.str.zfill(5)


def observations(records: pd.DataFrame, recognitions: pd.DataFrame | None = None,
                 level: str = "district") -> pd.DataFrame:
    """Every candidate value for the panel, one row per source statement (``OBSERVATION_COLUMNS``).

    From records about a unit at ``level`` (``district`` or ``commune``) whose code is known:
    ``recognized`` records with modality ``actual`` or ``lost`` give status observations;
    ``units_met`` counting communes (district level) give ``communes``; ``criteria`` records
    give ``criteria``. Expected and target figures are not observations (they are plans).
    From ``recognitions`` (district level only): one ``recognised`` observation in the year
    the recognition is first known to hold (``known_by_year``).
    """
    if level not in ("district", "commune"):
        raise ValueError(f"level must be 'district' or 'commune', not {level!r}")
    frames = []
    if records is not None and len(records):
        rec = records
        unit = _str_col(rec, "unit")
        measure = _str_col(rec, "measure")
        modality = _str_col(rec, "modality")
        counted = _str_col(rec, "counted")
        code = _record_unit_code(rec, level)
        base = (unit == level) & code.notna()
        is_status = base & (measure == "recognized") & modality.isin(["actual", "lost"])
        is_communes = (base & (measure == "units_met") & (counted == "commune")
                       & (modality == "actual") & (level == "district"))
        is_criteria = base & (measure == "criteria") & (modality == "actual")
        variable = pd.Series(pd.NA, index=rec.index, dtype="string")
        variable[is_status.fillna(False)] = "status"
        variable[is_communes.fillna(False)] = "communes"
        variable[is_criteria.fillna(False)] = "criteria"
        keep = variable.notna()
        state = pd.Series(pd.NA, index=rec.index, dtype="string")
        state[is_status.fillna(False)] = modality[is_status.fillna(False)].map(
            {"actual": "recognised", "lost": "lost"})
        frames.append(pd.DataFrame({
            "unit_code": code, "year": _year_of(rec), "standard": _str_col(rec, "standard"),
            "variable": variable, "state": state,
            "achieved": _int_col(rec, "achieved"), "total": _int_col(rec, "total"),
            "qualifier": _str_col(rec, "qualifier"),
            "as_of": _str_col(rec, "as_of"), "published": _str_col(rec, "published"),
            "year_basis": pd.Series("record", index=rec.index, dtype="string"),
            "flagged": False, "source_kind": "record",
            "doc_id": _str_col(rec, "doc_id"), "url": _str_col(rec, "url"),
            "start": _int_col(rec, "start"), "end": _int_col(rec, "end"),
        })[keep & _year_of(rec).notna()])
    if recognitions is not None and len(recognitions) and level == "district":
        r = recognitions[recognitions["district_code"].notna()]
        frames.append(pd.DataFrame({
            "unit_code": r["district_code"].astype("string"),
            "year": r["known_by_year"].astype("Int64"),
            "standard": r["standard"].astype("string"), "variable": "status",
            "state": "recognised", "achieved": pd.NA, "total": pd.NA, "qualifier": pd.NA,
            "as_of": r["decision_date"].astype("string"), "published": pd.NA,
            "year_basis": r["year_basis"].astype("string"),
            "flagged": (r["inferred"] | r["completeness"]).astype(bool),
            "source_kind": "reference", "doc_id": r["source"].astype("string"),
            "url": r["url"].astype("string"), "start": pd.NA, "end": pd.NA,
        }))
    if not frames:
        return _empty_observations()
    obs = pd.concat([f for f in frames if len(f)] or [_empty_observations()], ignore_index=True)
    return _type_observations(obs)


def _empty_observations() -> pd.DataFrame:
    return _type_observations(pd.DataFrame({c: [] for c in OBSERVATION_COLUMNS}))


def _type_observations(obs: pd.DataFrame) -> pd.DataFrame:
    obs = obs[OBSERVATION_COLUMNS].copy()
    for c in ("unit_code", "standard", "variable", "state", "qualifier", "as_of", "published",
              "year_basis", "source_kind", "doc_id", "url"):
        obs[c] = obs[c].astype("string")
    for c in ("year", "achieved", "total", "start", "end"):
        obs[c] = pd.to_numeric(obs[c], errors="coerce").astype("Int64")
    obs["flagged"] = obs["flagged"].fillna(False).astype(bool)
    obs = obs[obs["standard"].isin(STANDARDS)]
    return obs.reset_index(drop=True)


def _value_key(obs: pd.DataFrame) -> pd.Series:
    """What makes two observations disagree: the state, or achieved/total/qualifier."""
    return (obs["state"].fillna("") + "|" + obs["achieved"].astype("string").fillna("")
            + "/" + obs["total"].astype("string").fillna("") + "|"
            + obs["qualifier"].fillna("exact"))


def select_observations(obs: pd.DataFrame) -> pd.DataFrame:
    """The one value a map shows per (unit_code, year, standard, variable), with conflicts.

    Rule (documented in the module and in ``data/README.md``): the **latest report in that
    year** wins — sort by ``as_of`` (ISO partial date; missing sorts first), then
    ``published``, then records before reference rows (a record carries its evidence span),
    then ``doc_id`` and ``start`` for determinism; the last one is shown. ``n_reports`` counts
    the observations, ``conflict`` is True when they disagree (different state, or different
    achieved/total), ``alternatives`` lists the other values with their doc ids.
    """
    if obs.empty:
        out = obs.copy()
        out["n_reports"] = pd.Series(dtype="Int64")
        out["conflict"] = pd.Series(dtype=bool)
        out["alternatives"] = pd.Series(dtype="string")
        return out
    o = obs.copy()
    o["_value"] = _value_key(o)
    o["_kind"] = (o["source_kind"] == "record").astype(int)
    o = o.sort_values(["unit_code", "year", "standard", "variable", "as_of", "published",
                       "_kind", "doc_id", "start"], na_position="first", kind="stable")
    keys = ["unit_code", "year", "standard", "variable"]
    g = o.groupby(keys, sort=False, dropna=False)
    chosen = g.tail(1).copy()
    stats = g.agg(n_reports=("_value", "size"), n_values=("_value", "nunique"))
    alts = (o.assign(_alt=o["_value"] + "@" + o["doc_id"].fillna("?"))
            .groupby(keys, sort=False, dropna=False)["_alt"]
            .agg(lambda s: "; ".join(dict.fromkeys(s))))
    chosen = chosen.join(stats, on=keys).join(alts.rename("alternatives"), on=keys)
    chosen["conflict"] = chosen["n_values"] > 1
    chosen["alternatives"] = chosen["alternatives"].where(chosen["conflict"]).astype("string")
    chosen["n_reports"] = chosen["n_reports"].astype("Int64")
    return chosen.drop(columns=["_value", "_kind", "n_values"]).reset_index(drop=True)


def _grid(units: pd.DataFrame, key: str, years: range | list[int]) -> pd.DataFrame:
    years = list(years)
    g = units.loc[units.index.repeat(len(years))].reset_index(drop=True)
    g["year"] = pd.array(years * len(units), dtype="Int64")
    return g.sort_values([key, "year"], kind="stable").reset_index(drop=True)


def _attach_status(grid: pd.DataFrame, sel: pd.DataFrame, key: str, std: str) -> pd.DataFrame:
    """Status columns for one standard: observed values, carried forward until the next
    observation (a later ``lost`` ends a recognition; nothing forces monotone progress), and
    ``not_recognised`` before a reference recognition whose standard year is known."""
    p = f"{std}_"
    s = sel[(sel["variable"] == "status") & (sel["standard"] == std)]
    cols = {
        "state": f"{p}status", "year_basis": f"{p}year_basis", "flagged": f"{p}inferred",
        "source_kind": f"{p}source", "doc_id": f"{p}doc_id", "url": f"{p}url",
        "start": f"{p}start", "end": f"{p}end", "conflict": f"{p}status_conflict",
        "n_reports": f"{p}status_n_reports",
    }
    s = s[["unit_code", "year", *cols]].rename(columns={"unit_code": key, **cols})
    # ``since`` (and its year basis) is the onset of the current state: a later report of the
    # same state (a ceremony, a re-statement) does not move it; only a change of state does.
    s = s.sort_values([key, "year"], kind="stable")
    prev = s.groupby(key, sort=False)[f"{p}status"].shift()
    onset = (prev.isna() | (s[f"{p}status"] != prev)).fillna(True).astype(bool)
    s[f"{p}since"] = s["year"].where(onset)
    s[f"{p}since_basis"] = s[f"{p}year_basis"].where(onset)
    s[[f"{p}since", f"{p}since_basis"]] = s.groupby(key, sort=False)[
        [f"{p}since", f"{p}since_basis"]].ffill()
    s[f"{p}year_basis"] = s.pop(f"{p}since_basis")
    out = grid.merge(s, on=[key, "year"], how="left", validate="one_to_one")
    observed = out[f"{p}status"].notna()
    carry = [f"{p}status", f"{p}since", f"{p}year_basis", f"{p}inferred", f"{p}source",
             f"{p}doc_id", f"{p}url", f"{p}start", f"{p}end"]
    out[carry] = out.groupby(key, sort=False)[carry].ffill()
    # before a recognition whose standard year is known, the unit was not yet recognised
    first = (sel[(sel["variable"] == "status") & (sel["standard"] == std)
                 & (sel["year_basis"] == "standard_year")]
             .groupby("unit_code")["year"].min().rename("_first"))
    out = out.join(first, on=key)
    before = out[f"{p}status"].isna() & out["_first"].notna() & (out["year"] < out["_first"])
    out.loc[before, f"{p}status"] = "not_recognised"
    ref = (sel[(sel["variable"] == "status") & (sel["standard"] == std)
               & (sel["year_basis"] == "standard_year")]
           .sort_values("year").groupby("unit_code").head(1)
           .set_index("unit_code")[["doc_id", "url"]])
    for c in ("doc_id", "url"):
        out.loc[before, f"{p}{c}"] = out.loc[before, key].map(ref[c]).to_numpy()
    out.loc[before, f"{p}source"] = "reference"
    out = out.drop(columns="_first")
    out[f"{p}status"] = out[f"{p}status"].astype(STATUS_DTYPE)
    out[f"{p}status_observed"] = observed.to_numpy()
    out[f"{p}status_conflict"] = out[f"{p}status_conflict"].fillna(False).astype(bool)
    out[f"{p}inferred"] = out[f"{p}inferred"].fillna(False).astype(bool)
    out[f"{p}status_n_reports"] = out[f"{p}status_n_reports"].fillna(0).astype("Int64")
    out[f"{p}since"] = out[f"{p}since"].astype("Int64")
    return out


def _attach_count(grid: pd.DataFrame, sel: pd.DataFrame, key: str, std: str,
                  variable: str) -> pd.DataFrame:
    """Count columns (``<std>_<variable>_met`` / ``_total`` / ``_share`` …) for one standard:
    the latest report of the year, not carried to other years."""
    p = f"{std}_{variable}_"
    s = sel[(sel["variable"] == variable) & (sel["standard"] == std)]
    cols = {"achieved": f"{p}met", "total": f"{p}total", "qualifier": f"{p}qualifier",
            "as_of": f"{p}as_of", "doc_id": f"{p}doc_id", "url": f"{p}url",
            "start": f"{p}start", "end": f"{p}end", "n_reports": f"{p}n_reports",
            "conflict": f"{p}conflict"}
    s = s[["unit_code", "year", *cols]].rename(columns={"unit_code": key, **cols})
    out = grid.merge(s, on=[key, "year"], how="left", validate="one_to_one")
    met, total = out[f"{p}met"].astype("Float64"), out[f"{p}total"].astype("Float64")
    out[f"{p}share"] = (met / total.where(total > 0)).astype("Float64")
    out[f"{p}conflict"] = out[f"{p}conflict"].fillna(False).astype(bool)
    out[f"{p}n_reports"] = out[f"{p}n_reports"].fillna(0).astype("Int64")
    return out


def _load_gazetteer_frames(districts, crosswalk, merges, communes):
    from helpers import gazetteer  # the reference layer; imported late so tests can inject

    if districts is None:
        districts = gazetteer.districts()
    if crosswalk is None:
        crosswalk = gazetteer.crosswalk_2025(level="district")
    if merges is None:
        merges = gazetteer.district_merges()
    if communes is None:
        communes = gazetteer.communes()
    return districts, crosswalk, merges, communes


def district_panel(
    records: pd.DataFrame | None,
    recognitions: pd.DataFrame | None = None,
    years: range | list[int] = range(2010, 2026),
    *,
    districts: pd.DataFrame | None = None,
    crosswalk: pd.DataFrame | None = None,
    merges: pd.DataFrame | None = None,
    communes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per (district_code, year) for every pre-2025 district (705, 2022-10 vintage).

    ``records``: progress records (``helpers.records`` schema) — may be empty;
    ``recognitions``: reference recognitions, default ``reference_status()`` (the
    recognitions and decisions tables, codes resolved by name where the table has none).
    ``districts`` / ``crosswalk`` / ``merges`` / ``communes`` default to ``helpers.gazetteer``.

    Columns (``S`` is each standard ``ntm``, ``ntm_advanced``, ``ntm_model``):

    - identity: ``district_code``, ``district_name``, ``district_type``, ``province_code``,
      ``province_name``, ``year``; ``n_communes`` (communes of the district in the 2022-10
      list, when known); ``merged_into`` (the 2025-03 district a merged district went into,
      else ``<NA>``);
    - 2025 reform: ``province_2025_code``, ``province_2025_name``, ``province_2025_share``
      (share of the district's communes in that province), ``province_2025_split`` (True when
      the district's communes went to more than one 2025 province: the majority one is given);
    - status: ``S_status`` (``recognised`` / ``lost`` / ``not_recognised`` / ``<NA>`` unknown),
      ``S_since`` (year the current state began), ``S_status_observed`` (a report or reference
      row for this very year; else carried forward from an earlier year, or — for
      ``not_recognised`` — deduced from a later recognition with a known standard year),
      ``S_year_basis`` (``record`` / ``standard_year`` / ``decision_date`` / ``by_mid_2025``:
      how ``S_since`` was dated; a later report of the same state moves neither),
      ``S_inferred`` (rests on an INFERRED / COMPLETENESS reference row), ``S_source``
      (``record`` / ``reference``), provenance ``S_doc_id``, ``S_url``, ``S_start``, ``S_end``,
      ``S_status_conflict``, ``S_status_n_reports``;
    - communes meeting the standard as reported for the district (latest report in the year,
      not carried): ``S_communes_met``, ``S_communes_total``, ``S_communes_share``,
      ``S_communes_qualifier``, ``S_communes_as_of``, provenance ``S_communes_doc_id`` / ``_url``
      / ``_start`` / ``_end``, ``S_communes_conflict``, ``S_communes_n_reports``;
      ``S_communes_named``: communes of the district that reports name as recognised (and not
      since lost) up to that year — a lower bound;
    - district criteria met: ``S_criteria_met``, ``S_criteria_total``, ``S_criteria_share``,
      same provenance and conflict columns;
    - ``n_records``: records of any kind about the district (or its communes) in that year;
      ``has_record``.

    Conflicting reports for the same district, year and standard are all kept in
    ``observations()``; the panel shows the latest (``select_observations``) and flags it.
    """
    districts, crosswalk, merges, communes = _load_gazetteer_frames(
        districts, crosswalk, merges, communes)
    if recognitions is None:
        recognitions = reference_status()
    records = records if records is not None else pd.DataFrame(columns=["unit"])
    years = list(years)
    units = districts[["district_code", "district_name", "district_type", "province_code",
                       "province_name"]].copy()
    units["district_code"] = units["district_code"].astype("string")
    units = units.drop_duplicates("district_code").sort_values("district_code")
    if communes is not None and len(communes):
        n = communes.groupby(communes["district_code"].astype("string")).size()
        units["n_communes"] = units["district_code"].map(n).astype("Int64")
    else:
        units["n_communes"] = pd.array([pd.NA] * len(units), dtype="Int64")
    if merges is not None and len(merges):
        m = merges.copy()
        m = m[m["old_district_code"].astype("string") != m["new_district_code"].astype("string")]
        if "old_district_abolished" in m.columns:  # communes_transferred is not a merger
            m = m[m["old_district_abolished"].fillna(False).astype(bool)]
        mm = m.drop_duplicates("old_district_code").set_index(
            m.drop_duplicates("old_district_code")["old_district_code"].astype("string"))
        units["merged_into"] = units["district_code"].map(mm["new_district_code"]).astype("string")
    else:
        units["merged_into"] = pd.array([pd.NA] * len(units), dtype="string")
    from helpers import gazetteer

    p25 = gazetteer.main_province_2025(crosswalk)
    units = units.join(p25, on="district_code")
    units["province_2025_split"] = units["province_2025_split"].fillna(False).astype(bool)

    obs = observations(records, recognitions, level="district")
    sel = select_observations(obs)
    out = _grid(units, "district_code", years)
    for std in STANDARDS:
        out = _attach_status(out, sel, "district_code", std)
        out = _attach_count(out, sel, "district_code", std, "communes")
        out = _attach_count(out, sel, "district_code", std, "criteria")
    named = _communes_named(records, communes, years)
    out = out.merge(named, on=["district_code", "year"], how="left")
    for std in STANDARDS:
        out[f"{std}_communes_named"] = out[f"{std}_communes_named"].fillna(0).astype("Int64")
    n_rec = _records_per_district_year(records, communes)
    out = out.merge(n_rec, on=["district_code", "year"], how="left")
    out["n_records"] = out["n_records"].fillna(0).astype("Int64")
    out["has_record"] = out["n_records"] > 0
    return out.reset_index(drop=True)


def _commune_district(records: pd.DataFrame, communes: pd.DataFrame | None) -> pd.Series:
    """District code of each commune-level record: from the commune list, else the record."""
    code = _record_unit_code(records, "commune")
    own = _str_col(records, "district_code").str.zfill(3)
    if communes is not None and len(communes):
        lut = communes.drop_duplicates("commune_code").set_index(
            communes.drop_duplicates("commune_code")["commune_code"].astype("string")
        )["district_code"].astype("string")
        return code.map(lut).astype("string").fillna(own)
    return own


def _communes_named(records: pd.DataFrame, communes: pd.DataFrame | None,
                    years: list[int]) -> pd.DataFrame:
    cols = ["district_code", "year", *[f"{s}_communes_named" for s in STANDARDS]]
    if records is None or not len(records) or "unit" not in records.columns:
        return pd.DataFrame({c: pd.Series(dtype="string" if c == "district_code" else "Int64")
                             for c in cols})
    obs = observations(records, None, level="commune")
    obs = obs[obs["variable"] == "status"]
    if obs.empty:
        return pd.DataFrame({c: pd.Series(dtype="string" if c == "district_code" else "Int64")
                             for c in cols})
    sel = select_observations(obs)
    rec = records.copy()
    rec["_c"] = _record_unit_code(rec, "commune")
    rec["_d"] = _commune_district(rec, communes)
    lut = rec.dropna(subset=["_c", "_d"]).drop_duplicates("_c").set_index("_c")["_d"]
    cunits = pd.DataFrame({"commune_code": sel["unit_code"].drop_duplicates()})
    grid = _grid(cunits, "commune_code", years)
    frames = []
    for std in STANDARDS:
        st = _attach_status(grid[["commune_code", "year"]], sel, "commune_code", std)
        frames.append((st[f"{std}_status"] == "recognised").rename(f"{std}_communes_named"))
    flags = pd.concat([grid[["commune_code", "year"]], *frames], axis=1)
    flags["district_code"] = flags["commune_code"].map(lut).astype("string")
    agg = (flags.dropna(subset=["district_code"])
           .groupby(["district_code", "year"])[[f"{s}_communes_named" for s in STANDARDS]]
           .sum().astype("Int64").reset_index())
    agg["district_code"] = agg["district_code"].astype("string")
    return agg


def _records_per_district_year(records: pd.DataFrame,
                               communes: pd.DataFrame | None) -> pd.DataFrame:
    if records is None or not len(records) or "unit" not in records.columns:
        return pd.DataFrame({"district_code": pd.Series(dtype="string"),
                             "year": pd.Series(dtype="Int64"),
                             "n_records": pd.Series(dtype="Int64")})
    unit = _str_col(records, "unit")
    d = _str_col(records, "district_code").str.zfill(3)
    d = d.where(unit != "district", _record_unit_code(records, "district"))
    d = d.where(~unit.isin(["commune", "village"]), _commune_district(records, communes)
                .fillna(d))
    df = pd.DataFrame({"district_code": d, "year": _year_of(records)}).dropna()
    return (df.groupby(["district_code", "year"]).size().rename("n_records").astype("Int64")
            .reset_index())


def commune_panel(
    records: pd.DataFrame | None,
    years: range | list[int] = range(2010, 2026),
    *,
    communes: pd.DataFrame | None = None,
    crosswalk: pd.DataFrame | None = None,
    all_communes: bool = True,
) -> pd.DataFrame:
    """One row per (commune_code, year), built the same way as ``district_panel``.

    Units: every commune of ``communes`` (default ``gazetteer.communes()``) when
    ``all_communes``, else only communes some record is about. Columns: ``commune_code``,
    ``commune_name``, ``commune_type``, ``district_code``, ``province_code``, ``year``,
    ``commune_2025_code``, ``province_2025_code`` (from ``crosswalk``, default
    ``gazetteer.crosswalk_2025("commune")``, default row when a commune was split), and per
    standard ``S``: ``S_status`` / ``S_since`` / ``S_status_observed`` / ``S_year_basis`` /
    provenance / ``S_status_conflict`` (as in ``district_panel``), and commune criteria met
    ``S_criteria_met`` / ``_total`` / ``_share`` with provenance and conflict flags.
    """
    if communes is None or crosswalk is None:
        from helpers import gazetteer

        communes = gazetteer.communes() if communes is None else communes
        crosswalk = gazetteer.crosswalk_2025(level="commune") if crosswalk is None else crosswalk
    records = records if records is not None else pd.DataFrame(columns=["unit"])
    obs = observations(records, None, level="commune")
    sel = select_observations(obs)
    cols = ["commune_code", "commune_name", "commune_type", "district_code", "province_code"]
    units = communes[[c for c in cols if c in communes.columns]].copy()
    units["commune_code"] = units["commune_code"].astype("string")
    units = units.drop_duplicates("commune_code")
    known = set(units["commune_code"])
    extra = sorted(set(sel["unit_code"].dropna()) - known)
    if extra:  # codes from records that the commune list lacks: kept, flagged by empty names
        units = pd.concat([units, pd.DataFrame({"commune_code": pd.array(extra, dtype="string")})],
                          ignore_index=True)
    if not all_communes:
        units = units[units["commune_code"].isin(set(sel["unit_code"]))]
    units = units.sort_values("commune_code").reset_index(drop=True)
    if crosswalk is not None and len(crosswalk):
        cw = crosswalk.copy()
        cw["commune_code"] = cw["commune_code"].astype("string")
        if "is_default" in cw.columns:
            cw = cw.sort_values("is_default", ascending=False, kind="stable")
        cw = cw.drop_duplicates("commune_code").set_index("commune_code")
        for c in ("commune_2025_code", "province_2025_code"):
            units[c] = units["commune_code"].map(cw[c]).astype("string") if c in cw else pd.NA
    out = _grid(units, "commune_code", list(years))
    for std in STANDARDS:
        out = _attach_status(out, sel, "commune_code", std)
        out = _attach_count(out, sel, "commune_code", std, "criteria")
    return out.reset_index(drop=True)


def aggregate(panel: pd.DataFrame, by: str = "province_2025") -> pd.DataFrame:
    """Aggregate a district panel to provinces: ``by="province_2025"`` (34 provinces after the
    July 2025 reform; a split district counts once, in its majority province) or
    ``by="province"`` (63 pre-2025 provinces).

    Per (province, year): ``n_districts``, ``n_rural_districts`` (all but urban *quận*, which
    are outside the programme), ``n_split_districts``, and per standard ``S``:
    ``S_districts_recognised`` (status recognised), ``S_districts_known`` (status not
    unknown), ``S_districts_share`` (recognised / n_rural_districts), ``S_communes_met`` and
    ``S_communes_total`` summed over the districts with a report giving both that year,
    ``S_communes_reporting`` (how many districts reported), ``S_communes_named``; and
    ``n_records``, ``districts_with_record``.
    """
    keys = {"province_2025": ["province_2025_code", "province_2025_name"],
            "province": ["province_code", "province_name"]}.get(by)
    if keys is None:
        raise ValueError(f"by must be 'province_2025' or 'province', not {by!r}")
    p = panel.copy()
    p["_eligible"] = p["district_type"].astype("string").str.lower().fillna("") != "quận"
    agg: dict[str, tuple[str, str]] = {
        "n_districts": ("district_code", "nunique"),
        "n_rural_districts": ("_eligible", "sum"),
        "n_split_districts": ("province_2025_split", "sum"),
        "n_records": ("n_records", "sum"),
        "districts_with_record": ("has_record", "sum"),
    }
    for std in STANDARDS:
        p[f"_{std}_rec"] = p[f"{std}_status"] == "recognised"
        p[f"_{std}_known"] = p[f"{std}_status"].notna()
        p[f"_{std}_rep"] = p[f"{std}_communes_total"].notna()
        # met only where the same report gives the total, so met / total stays a share
        p[f"_{std}_met"] = p[f"{std}_communes_met"].where(p[f"_{std}_rep"])
        agg[f"{std}_districts_recognised"] = (f"_{std}_rec", "sum")
        agg[f"{std}_districts_known"] = (f"_{std}_known", "sum")
        agg[f"{std}_communes_met"] = (f"_{std}_met", "sum")
        agg[f"{std}_communes_total"] = (f"{std}_communes_total", "sum")
        agg[f"{std}_communes_reporting"] = (f"_{std}_rep", "sum")
        agg[f"{std}_communes_named"] = (f"{std}_communes_named", "sum")
    out = p.groupby([*keys, "year"], dropna=False, observed=True).agg(**agg).reset_index()
    for c in out.columns:
        if c not in (*keys, "year"):
            out[c] = out[c].astype("Int64")
    for std in STANDARDS:
        rural = out["n_rural_districts"].astype("Float64")
        out[f"{std}_districts_share"] = (out[f"{std}_districts_recognised"].astype("Float64")
                                         / rural.where(rural > 0))
        tot = out[f"{std}_communes_total"].astype("Float64")
        out[f"{std}_communes_share"] = (out[f"{std}_communes_met"].astype("Float64")
                                        / tot.where(tot > 0))
        none = out[f"{std}_communes_reporting"] == 0
        out.loc[none, [f"{std}_communes_met", f"{std}_communes_total"]] = pd.NA
    return out


def aggregate_2025(panel: pd.DataFrame) -> pd.DataFrame:
    """``aggregate(panel, by="province_2025")``: the panel on the 34 provinces of July 2025."""
    return aggregate(panel, by="province_2025")


# --------------------------------------------------------------------------- quality
@dataclass
class QualityReport:
    """Coverage, conflicts and impossible values of a district panel (see ``quality_report``)."""

    summary: dict[str, object]
    coverage: pd.DataFrame  # per province and year
    coverage_by_year: pd.DataFrame
    conflicts: pd.DataFrame
    problems: pd.DataFrame  # impossible / implausible values
    unmatched: pd.DataFrame  # observations whose unit code is not a panel district
    skipped: pd.DataFrame  # district records that cannot be placed (no code or no year)

    def __repr__(self) -> str:
        lines = [f"{k}: {v}" for k, v in self.summary.items()]
        return "QualityReport(\n  " + "\n  ".join(lines) + "\n)"


def skipped_records(records: pd.DataFrame | None, level: str = "district") -> pd.DataFrame:
    """Records that could feed the panel at ``level`` (status, commune counts, criteria; actual
    or lost) but cannot be placed: no unit code (name unresolved or ambiguous) or no year (no
    ``year``, ``as_of`` or publication date). Listed with the reason, never dropped silently."""
    cols = ["doc_id", "unit", "place", "standard", "measure", "modality", "reason"]
    if records is None or not len(records) or "unit" not in records.columns:
        return pd.DataFrame(columns=cols)
    unit, measure = _str_col(records, "unit"), _str_col(records, "measure")
    modality, counted = _str_col(records, "modality"), _str_col(records, "counted")
    relevant = (unit == level) & modality.isin(["actual", "lost"]) & (
        (measure == "recognized") | (measure == "criteria")
        | ((measure == "units_met") & (counted == "commune") & (level == "district")))
    relevant = relevant.fillna(False)
    no_code = _record_unit_code(records, level).isna()
    no_year = _year_of(records).isna()
    reason = pd.Series(pd.NA, index=records.index, dtype="string")
    reason[relevant & no_year] = "no year (no year, as_of or publication date)"
    reason[relevant & no_code] = "no unit code (place not resolved: " + \
        _str_col(records, "resolution").fillna("?") + ")"
    out = records.loc[reason.notna(), [c for c in cols[:-1] if c in records.columns]].copy()
    out["reason"] = reason[reason.notna()]
    return out.reset_index(drop=True)


def quality_report(panel: pd.DataFrame, obs: pd.DataFrame | None = None,
                   records: pd.DataFrame | None = None) -> QualityReport:
    """Coverage (districts with any record, by province and year), conflicts (same district,
    year, standard and variable reported with different values — with the alternatives when
    ``obs`` from ``observations()`` is given) and impossible or implausible values:

    - impossible: met > total, negative counts, criteria met > criteria total;
    - implausible: a district reporting more communes than it has in the 2022-10 list
      (``n_communes``; communes merged in 2019–21 can explain a few), district criteria out of a
      total other than 9, an advanced / model recognition in a year the district is recorded
      as not (or no longer) meeting the basic NTM standard.
    """
    cov = (panel.groupby(["province_code", "province_name", "year"], observed=True)
           .agg(n_districts=("district_code", "nunique"), with_record=("has_record", "sum"))
           .reset_index())
    cov["share"] = cov["with_record"] / cov["n_districts"]
    known = panel["ntm_status"].notna()
    by_year = (panel.assign(_known=known)
               .groupby("year").agg(n_districts=("district_code", "nunique"),
                                    with_record=("has_record", "sum"),
                                    ntm_status_known=("_known", "sum"),
                                    ntm_recognised=("ntm_status",
                                                    lambda s: int((s == "recognised").sum())))
               .reset_index())
    rows = []
    for std in STANDARDS:
        for var, flag in (("status", f"{std}_status_conflict"),
                          ("communes", f"{std}_communes_conflict"),
                          ("criteria", f"{std}_criteria_conflict")):
            hit = panel[panel[flag]]
            if hit.empty:
                continue
            shown = (hit[f"{std}_status"].astype("string") if var == "status" else
                     hit[f"{std}_{var}_met"].astype("string") + "/"
                     + hit[f"{std}_{var}_total"].astype("string").fillna("?"))
            doc = hit[f"{std}_doc_id" if var == "status" else f"{std}_{var}_doc_id"]
            n = hit[f"{std}_status_n_reports" if var == "status" else f"{std}_{var}_n_reports"]
            rows.append(pd.DataFrame({
                "district_code": hit["district_code"], "district_name": hit["district_name"],
                "year": hit["year"], "standard": std, "variable": var,
                "shown": shown, "shown_doc_id": doc, "n_reports": n}))
    conflicts = (pd.concat(rows, ignore_index=True) if rows else
                 pd.DataFrame(columns=["district_code", "district_name", "year", "standard",
                                       "variable", "shown", "shown_doc_id", "n_reports"]))
    if obs is not None and len(conflicts):
        sel = select_observations(obs)
        alts = sel.set_index(["unit_code", "year", "standard", "variable"])["alternatives"]
        idx = pd.MultiIndex.from_frame(conflicts[["district_code", "year", "standard",
                                                  "variable"]].astype({"year": "Int64"}))
        conflicts["alternatives"] = alts.reindex(idx).to_numpy()
    problems = _problems(panel)
    if obs is not None:
        unmatched = obs[~obs["unit_code"].isin(set(panel["district_code"]))][
            ["unit_code", "year", "standard", "variable", "source_kind", "doc_id"]
        ].reset_index(drop=True)
    else:
        unmatched = pd.DataFrame(columns=["unit_code", "year", "standard", "variable",
                                          "source_kind", "doc_id"])
    summary = {
        "districts": int(panel["district_code"].nunique()),
        "years": f"{int(panel['year'].min())}–{int(panel['year'].max())}",
        "districts_with_any_record": int(panel.loc[panel["has_record"], "district_code"]
                                         .nunique()),
        "districts_with_ntm_status_2025": int(panel.loc[(panel["year"] == panel["year"].max())
                                                        & known, "district_code"].nunique()),
        "district_years_with_record": int(panel["has_record"].sum()),
        "conflicts": len(conflicts),
        "impossible": int((problems["kind"] == "impossible").sum()),
        "implausible": int((problems["kind"] == "implausible").sum()),
        "unmatched_observations": len(unmatched),
    }
    skipped = skipped_records(records, "district")
    if records is not None:
        summary["district_records_skipped"] = len(skipped)
    return QualityReport(summary, cov, by_year, conflicts, problems, unmatched, skipped)


def _problems(panel: pd.DataFrame) -> pd.DataFrame:
    out = []

    def add(mask: pd.Series, kind: str, std: str, what: str, doc_col: str) -> None:
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            hit = panel[mask]
            out.append(pd.DataFrame({"district_code": hit["district_code"],
                                     "district_name": hit["district_name"],
                                     "year": hit["year"], "standard": std, "kind": kind,
                                     "problem": what, "doc_id": hit[doc_col]}))

    for std in STANDARDS:
        for var in ("communes", "criteria"):
            met, tot = panel[f"{std}_{var}_met"], panel[f"{std}_{var}_total"]
            doc = f"{std}_{var}_doc_id"
            add(met > tot, "impossible", std, f"{var}: met > total", doc)
            add((met < 0) | (tot < 0), "impossible", std, f"{var}: negative count", doc)
        tot = panel[f"{std}_communes_total"]
        add(tot > panel["n_communes"], "implausible", std,
            "communes total exceeds the district's communes in the 2022-10 list",
            f"{std}_communes_doc_id")
        add(panel[f"{std}_communes_met"] > panel["n_communes"], "implausible", std,
            "communes met exceeds the district's communes in the 2022-10 list",
            f"{std}_communes_doc_id")
    add(panel["ntm_criteria_total"].notna() & (panel["ntm_criteria_total"] != 9),
        "implausible", "ntm", "district criteria total is not 9", "ntm_criteria_doc_id")
    for std in ("ntm_advanced", "ntm_model"):
        add((panel[f"{std}_status"] == "recognised")
            & panel["ntm_status"].isin(["not_recognised", "lost"]),
            "implausible", std, "recognised while basic NTM is not (or no longer) met",
            f"{std}_doc_id")
    if not out:
        return pd.DataFrame(columns=["district_code", "district_name", "year", "standard",
                                     "kind", "problem", "doc_id"])
    return pd.concat(out, ignore_index=True)
