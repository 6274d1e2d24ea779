"""Reference tables and the district-year panel, on the committed facts and hand-made records."""

from __future__ import annotations

import pandas as pd
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


# ----------------------------------------------------------------------------- hand-made world
# Four invented districts in two invented provinces; two 2025 provinces; one district split.
DISTRICTS = pd.DataFrame({
    "district_code": ["101", "102", "103", "104"],
    "district_name": ["Hồ Lâm", "Sông Mây", "Đồi Chè", "Bến Đá"],
    "district_type": ["huyện", "huyện", "thị xã", "huyện"],
    "province_code": ["01", "01", "02", "02"],
    "province_name": ["Tỉnh Một", "Tỉnh Một", "Tỉnh Hai", "Tỉnh Hai"],
})
COMMUNES = pd.DataFrame({
    "commune_code": [f"1{i:04d}" for i in range(1, 19)],
    "commune_name": [f"Xã {i}" for i in range(1, 19)],
    "commune_type": ["xã"] * 18,
    "district_code": ["101"] * 5 + ["102"] * 9 + ["103"] * 2 + ["104"] * 2,
    "province_code": ["01"] * 14 + ["02"] * 4,
})
CROSSWALK = pd.DataFrame({
    "district_code": ["101", "102", "102", "103", "104"],
    "province_code": ["01", "01", "01", "02", "02"],
    "province_2025_code": ["P1", "P1", "P2", "P2", "P2"],
    "province_2025_name": ["Tỉnh Mới Một", "Tỉnh Mới Một", "Tỉnh Mới Hai", "Tỉnh Mới Hai",
                           "Tỉnh Mới Hai"],
    "share": [1.0, 0.7, 0.3, 1.0, 1.0],
})
MERGES = pd.DataFrame({"old_district_code": ["104", "102"], "new_district_code": ["103", "101"],
                       "old_district_abolished": [True, False]})
RECOGNITIONS_CSV = "\n".join([
    "ma_huyen,district,unit_type,province,standard,standard_year,decision_no,decision_date,"
    "url,note",
    "101,Hồ Lâm,huyện,Tỉnh Một,ntm,2019,1/QĐ-TTg,2020-05-04,https://example.org/a,signed X",
    "103,Đồi Chè,thị xã,Tỉnh Hai,ntm,,,,https://example.org/b,COMPLETENESS: all units of Hai",
    "104,Bến Đá,huyện,Tỉnh Hai,ntm,,,,https://example.org/c,"
    "decision date info: ~2021-06 (reported 01/07/2021)",
]) + "\n"


def rec(**kw):
    base = {c: None for c in ["doc_id", "url", "published", "unit", "place", "district",
                              "province", "standard", "measure", "counted", "achieved", "total",
                              "qualifier", "modality", "year", "as_of", "province_code",
                              "district_code", "place_code", "resolution", "start", "end",
                              "unmet_criteria"]}
    base.update({"qualifier": "exact", "modality": "actual", "standard": "ntm",
                 "resolution": "exact", "url": "https://example.org/doc", "start": 0, "end": 10})
    base.update(kw)
    return base


RECORDS = pd.DataFrame([
    # district 101: recognised 2019 (reference), status lost in 2022, regained 2024
    rec(doc_id="d1", unit="district", place="Hồ Lâm", measure="recognized", modality="lost",
        year=2022, as_of="2022-09", district_code="101", place_code="101", start=5, end=60),
    rec(doc_id="d2", unit="district", place="Hồ Lâm", measure="recognized", year=2024,
        as_of="2025-01-10", district_code="101", place_code="101"),
    # district 102: two reports of communes meeting NTM in 2021 (a conflict), an impossible one
    rec(doc_id="d3", unit="district", place="Sông Mây", measure="units_met", counted="commune",
        achieved=7, total=9, as_of="2021-03", district_code="102", place_code="102"),
    rec(doc_id="d4", unit="district", place="Sông Mây", measure="units_met", counted="commune",
        achieved=8, total=9, as_of="2021-11-30", district_code="102", place_code="102"),
    rec(doc_id="d5", unit="district", place="Sông Mây", measure="units_met", counted="commune",
        achieved=12, total=9, as_of="2022-06", district_code="102", place_code="102"),
    rec(doc_id="d5", unit="district", place="Sông Mây", measure="criteria", achieved=7,
        total=9, as_of="2022-06", district_code="102", place_code="102"),
    # a target is a plan, not an observation
    rec(doc_id="d6", unit="district", place="Sông Mây", measure="recognized", modality="target",
        year=2025, as_of="2022-06", district_code="102", place_code="102"),
    # district 103: advanced recognition in a year NTM is recorded lost (implausible)
    rec(doc_id="d7", unit="district", place="Đồi Chè", measure="recognized", modality="lost",
        year=2023, as_of="2023-05", district_code="103", place_code="103"),
    rec(doc_id="d7", unit="district", place="Đồi Chè", measure="recognized",
        standard="ntm_advanced", year=2023, as_of="2023-05", district_code="103",
        place_code="103"),
    # communes of 101: two recognised in 2020, one of them lost in 2022
    rec(doc_id="d8", unit="commune", place="Xã 1", measure="recognized", year=2020,
        as_of="2020-12", district_code="101", place_code="10001"),
    rec(doc_id="d8", unit="commune", place="Xã 2", measure="recognized", year=2020,
        as_of="2020-12", district_code="101", place_code="10002"),
    rec(doc_id="d9", unit="commune", place="Xã 2", measure="recognized", modality="lost",
        year=2022, as_of="2022-10", district_code="101", place_code="10002"),
    rec(doc_id="d9", unit="commune", place="Xã 1", measure="criteria", achieved=17, total=19,
        year=2022, as_of="2022-10", district_code="101", place_code="10001"),
    # a district code the gazetteer does not know
    rec(doc_id="d10", unit="district", place="Nơi Lạ", measure="recognized", year=2020,
        as_of="2020", district_code="999", place_code="999"),
])


@pytest.fixture(scope="module")
def recognitions(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "r.csv"
    path.write_text(RECOGNITIONS_CSV, encoding="utf-8")
    return load_recognitions(path)


@pytest.fixture(scope="module")
def built(recognitions):
    return panel.district_panel(RECORDS, recognitions, districts=DISTRICTS, crosswalk=CROSSWALK,
                                merges=MERGES, communes=COMMUNES)


def row(p, code, year):
    hit = p[(p["district_code"] == code) & (p["year"] == year)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_panel_shape_and_keys(built):
    assert len(built) == 4 * 16
    assert not built.duplicated(["district_code", "year"]).any()
    assert built["year"].min() == 2010 and built["year"].max() == 2025


def test_status_can_be_lost_and_regained(built):
    got = [str(row(built, "101", y)["ntm_status"]) for y in range(2017, 2026)]
    assert got == ["not_recognised", "not_recognised", "recognised", "recognised", "recognised",
                   "lost", "lost", "recognised", "recognised"]
    r = row(built, "101", 2022)
    assert r["ntm_status_observed"] and r["ntm_doc_id"] == "d1" and r["ntm_start"] == 5
    r = row(built, "101", 2020)
    assert not r["ntm_status_observed"] and r["ntm_since"] == 2019
    assert r["ntm_source"] == "reference" and r["ntm_year_basis"] == "standard_year"
    assert r["ntm_doc_id"] == "district_recognitions.csv:2"


def test_reference_rows_without_year(built):
    # COMPLETENESS row, no year: recognised in 2025 only, flagged, unknown before
    assert str(row(built, "103", 2025)["ntm_status"]) == "recognised"
    assert row(built, "103", 2025)["ntm_inferred"]
    assert pd.isna(row(built, "103", 2022)["ntm_status"])
    # decision date from the note: recognised from 2021 (approximate basis)
    r = row(built, "104", 2021)
    assert str(r["ntm_status"]) == "recognised" and r["ntm_year_basis"] == "decision_date"
    assert pd.isna(row(built, "104", 2020)["ntm_status"])


def test_conflicts_are_kept_and_latest_shown(built, recognitions):
    r = row(built, "102", 2021)
    assert (r["ntm_communes_met"], r["ntm_communes_total"]) == (8, 9)
    assert r["ntm_communes_conflict"] and r["ntm_communes_n_reports"] == 2
    assert r["ntm_communes_doc_id"] == "d4"
    assert r["ntm_communes_share"] == pytest.approx(8 / 9)
    # counts are not carried into years without a report
    assert pd.isna(row(built, "102", 2020)["ntm_communes_met"])
    obs = panel.observations(RECORDS, recognitions)
    q = panel.quality_report(built, obs)
    c = q.conflicts[(q.conflicts["district_code"] == "102") & (q.conflicts["year"] == 2021)]
    assert len(c) == 1 and "d3" in c.iloc[0]["alternatives"] and "d4" in c.iloc[0]["alternatives"]


def test_targets_are_not_observations(built):
    assert pd.isna(row(built, "102", 2025)["ntm_status"])


def test_quality_report_flags_impossible_and_implausible(built, recognitions):
    q = panel.quality_report(built, panel.observations(RECORDS, recognitions))
    imp = q.problems[q.problems["kind"] == "impossible"]
    assert ((imp["district_code"] == "102") & (imp["year"] == 2022)).any()
    impl = q.problems[q.problems["kind"] == "implausible"]
    assert ((impl["district_code"] == "103") & (impl["standard"] == "ntm_advanced")).any()
    assert "999" in set(q.unmatched["unit_code"])
    assert q.summary["districts"] == 4
    cov = q.coverage.set_index(["province_code", "year"])
    assert cov.loc[("01", 2021), "with_record"] == 1


def test_communes_named_follow_losses(built):
    assert row(built, "101", 2020)["ntm_communes_named"] == 2
    assert row(built, "101", 2021)["ntm_communes_named"] == 2
    assert row(built, "101", 2022)["ntm_communes_named"] == 1
    assert row(built, "101", 2019)["ntm_communes_named"] == 0


def test_reform_columns_and_aggregation(built):
    r = row(built, "102", 2021)
    assert r["province_2025_code"] == "P1" and r["province_2025_split"]
    assert r["province_2025_share"] == pytest.approx(0.7)
    assert row(built, "104", 2021)["merged_into"] == "103"
    assert pd.isna(row(built, "102", 2021)["merged_into"])  # only some communes moved
    agg = panel.aggregate_2025(built)
    assert set(agg["province_2025_code"]) == {"P1", "P2"}
    a = agg.set_index(["province_2025_code", "year"])
    assert a.loc[("P1", 2021), "n_districts"] == 2
    assert a.loc[("P1", 2021), "n_split_districts"] == 1
    assert a.loc[("P1", 2021), "ntm_districts_recognised"] == 1
    assert a.loc[("P1", 2021), "ntm_communes_met"] == 8
    assert a.loc[("P2", 2025), "ntm_districts_recognised"] == 2
    assert a.loc[("P2", 2025), "ntm_districts_share"] == pytest.approx(1.0)
    assert a.loc[("P1", 2021), "n_rural_districts"] == 2
    assert pd.isna(a.loc[("P2", 2021), "ntm_communes_met"])  # nobody reported
    # the 63-province aggregation adds up to the same district count
    assert panel.aggregate(built, by="province")["n_districts"].sum() == len(built)


def test_commune_panel(built):
    cp = panel.commune_panel(RECORDS, communes=COMMUNES, crosswalk=None, all_communes=True)
    assert len(cp) == 18 * 16
    c2 = cp[cp["commune_code"] == "10002"].set_index("year")
    assert str(c2.loc[2021, "ntm_status"]) == "recognised"
    assert str(c2.loc[2022, "ntm_status"]) == "lost"
    c1 = cp[cp["commune_code"] == "10001"].set_index("year")
    assert (c1.loc[2022, "ntm_criteria_met"], c1.loc[2022, "ntm_criteria_total"]) == (17, 19)
    assert c1.loc[2022, "ntm_criteria_doc_id"] == "d9"


def test_empty_records_still_give_every_district(recognitions):
    p = panel.district_panel(None, recognitions, districts=DISTRICTS, crosswalk=CROSSWALK,
                             merges=MERGES, communes=COMMUNES)
    assert len(p) == 64 and not p["has_record"].any()
    assert str(row(p, "101", 2019)["ntm_status"]) == "recognised"


def test_skipped_records_are_listed():
    recs = pd.DataFrame([
        rec(doc_id="s1", unit="district", place="Không Rõ", measure="recognized", year=2020,
            resolution="ambiguous"),
        rec(doc_id="s2", unit="district", place="Hồ Lâm", measure="recognized",
            district_code="101", place_code="101"),  # no year, no date
        rec(doc_id="s3", unit="district", place="Hồ Lâm", measure="recognized",
            modality="target", year=2025, district_code="101", place_code="101"),
    ])
    skipped = panel.skipped_records(recs)
    assert list(skipped["doc_id"]) == ["s1", "s2"]
    assert "ambiguous" in skipped.iloc[0]["reason"] and "no year" in skipped.iloc[1]["reason"]


def test_reference_status_resolves_codes_by_name(mirror):
    ref = panel.reference_status()
    assert len(ref) == 257 + 30
    # TP Ninh Bình is named only by the decisions table (and a no-code recognitions row)
    nb = ref[(ref["district_name"] == "Ninh Bình") & (ref["province_name"] == "Ninh Bình")]
    assert set(nb["district_code"].dropna()) == {"369"}
    assert (nb["code_from"] == "gazetteer").any()
    assert ref.loc[ref["code_from"] == "table", "district_code"].notna().all()


def test_since_is_the_onset_not_the_latest_report():
    """A later report of the same state (a ceremony) does not move ``since`` or its basis."""
    from helpers import panel as P

    sel = pd.DataFrame({
        "unit_code": ["001", "001", "001"], "year": pd.array([2018, 2022, 2024], dtype="Int64"),
        "standard": "ntm", "variable": "status",
        "state": ["recognised", "recognised", "lost"],
        "year_basis": ["standard_year", "record", "record"], "flagged": False,
        "source_kind": ["reference", "record", "record"], "doc_id": ["ref", "d1", "d2"],
        "url": pd.NA, "start": pd.NA, "end": pd.NA, "conflict": False, "n_reports": 1,
    })
    grid = P._grid(pd.DataFrame({"district_code": ["001"]}), "district_code", range(2017, 2026))
    out = P._attach_status(grid, sel, "district_code", "ntm").set_index("year")
    assert out.loc[2022, "ntm_since"] == 2018 and out.loc[2023, "ntm_since"] == 2018
    assert out.loc[2023, "ntm_year_basis"] == "standard_year"
    assert out.loc[2023, "ntm_doc_id"] == "d1"  # provenance: the latest report
    assert out.loc[2025, "ntm_status"] == "lost" and out.loc[2025, "ntm_since"] == 2024
    assert out.loc[2017, "ntm_status"] == "not_recognised"


def test_aggregate_share_ignores_counts_without_a_total():
    """A district reporting 'có 9 xã đạt chuẩn' with no total must not inflate the share."""
    rows = []
    for code, met, total in (("001", 8, 10), ("002", 9, None)):
        r = {"district_code": code, "district_type": "Huyện", "province_2025_code": "P1",
             "province_2025_name": "Tỉnh 1", "province_code": "01", "province_name": "Tỉnh 1",
             "year": 2021, "province_2025_split": False, "n_records": 1, "has_record": True}
        for std in panel.STANDARDS:
            r |= {f"{std}_status": pd.NA, f"{std}_communes_met": pd.NA,
                  f"{std}_communes_total": pd.NA, f"{std}_communes_named": 0}
        r |= {"ntm_communes_met": met, "ntm_communes_total": total}
        rows.append(r)
    frame = pd.DataFrame(rows)
    for c in frame.columns:
        if c.endswith(("_met", "_total", "_named")):
            frame[c] = frame[c].astype("Int64")
    a = panel.aggregate_2025(frame).iloc[0]
    assert (a["ntm_communes_met"], a["ntm_communes_total"]) == (8, 10)
    assert a["ntm_communes_share"] == pytest.approx(0.8)
