"""Reference tables and the district-year panel, on the committed facts and hand-made records."""

from __future__ import annotations

import pytest

from helpers import panel
from helpers.panel import load_decisions, load_recognitions, parse_partial_date


# ----------------------------------------------------------------------------- reference
def test_recognitions_typed():
    rec = load_recognitions()
    assert len(rec) == 257
    codes = rec["district_code"].dropna()
    assert codes.str.fullmatch(r"\d{3}").all()
    assert rec["district_code"].isna().sum() == 8
    assert set(rec["standard"].astype(str)) <= set(panel.STANDARDS)
    assert str(rec["standard_year"].dtype) == "Int64"
    assert rec["standard_year"].isna().sum() == 128
    assert rec["inferred"].dtype == bool and rec["completeness"].dtype == bool
    assert rec["inferred"].sum() == 27 and rec["completeness"].sum() == 29
    # standard year and decision date are kept apart: Chương Mỹ-like lags exist
    both = rec.dropna(subset=["standard_year", "decision_year"])
    assert (both["decision_year"] >= both["standard_year"]).all()
    assert (both["decision_year"] > both["standard_year"]).any()
    # every row has a first year it is known to hold, never after mid-2025
    assert rec["known_by_year"].notna().all() and (rec["known_by_year"] <= 2025).all()
    assert rec["source"].str.startswith("district_recognitions.csv:").all()


def test_recognitions_no_code_rows_say_why():
    rec = load_recognitions()
    nocode = rec[rec["district_code"].isna()]
    assert nocode["note"].str.contains("NO GSO CODE|merged", regex=True).all()


def test_decisions_keep_standard_year_and_decision_date():
    dec = load_decisions()
    assert len(dec) == 30
    row = dec[dec["district_name"] == "Chương Mỹ"].iloc[0]
    assert row["standard_year"] == 2020 and row["decision_date"] == "2022-05-23"
    assert set(dec.loc[dec["status"] == "HTNV", "standard"].astype(str)) == {"ntm"}
    # partial dates: year-only and hedged dates are parsed, not dropped
    assert (dec["decision_date_precision"] == "year").sum() >= 4
    assert dec["decision_date_approx"].sum() >= 5


@pytest.mark.parametrize(
    ("text", "iso", "precision", "approx"),
    [
        ("2023-12-05", "2023-12-05", "day", False),
        ("2024 (date not in excerpt)", "2024", "year", False),
        ("~2020-07-23", "2020-07-23", "day", True),
        ("2019?", "2019", "year", True),
        ("ceremony 28/4 (2021?)", "2021-04-28", "day", True),
        ("by 03/2022", "2022-03", "month", True),
        ("2021-09 (reported 21/09/2021)", "2021-09", "month", True),
        ("5 October (year not in excerpt", None, None, False),
        ("", None, None, False),
        (None, None, None, False),
        ("31/02/2020", "2020", "year", False),
    ],
)
def test_parse_partial_date(text, iso, precision, approx):
    got = parse_partial_date(text)
    assert (got.iso, got.precision, got.approximate) == (iso, precision, approx)


def test_recognitions_bad_standard_names_the_line(tmp_path):
    src = panel.RECOGNITIONS_CSV.read_text(encoding="utf-8").splitlines()
    header, first = src[0], src[1]
    bad = first.replace(",ntm,", ",ntm_gold,", 1)
    path = tmp_path / "r.csv"
    path.write_text("\n".join([header, first, bad]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line\(s\) \[3\]"):
        load_recognitions(path)
