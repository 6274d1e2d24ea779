"""The published-figures reference tables, their flags, and the extractor checked against them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pandera.errors
import pytest

from helpers import published as pub

HEADER = ",".join(pub.CURATED_COLUMNS)
URL = "https://example.org/bao-cao"


def _row(as_of="2020-06", measure="communes_ntm", value="100", *, article="901", doc_id="",
         modality="actual", qualifier="exact", basis="stated", caveat="", language="vi",
         unit="country", place="Việt Nam", province_code="") -> str:
    return ",".join([unit, place, province_code, as_of, basis, modality, measure, value, qualifier,
                     article, doc_id, language, URL, caveat, ""])


def _table(tmp_path: Path, rows: list[str]) -> pd.DataFrame:
    path = tmp_path / "series.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return pub.load_series(path)


def _flags(df: pd.DataFrame, **where) -> set[str]:
    sel = df
    for col, val in where.items():
        sel = sel[sel[col] == val]
    assert len(sel) == 1, f"expected one row for {where}, got {len(sel)}"
    value = sel["flags"].iloc[0]
    return set(value.split(";")) if isinstance(value, str) else set()


# --- committed tables -------------------------------------------------------------------

@pytest.mark.parametrize("which", ["national", "province"])
def test_committed_series_load_and_validate(which):
    df = pub.load_series(which=which)
    assert len(df) > 20
    assert set(pub.COMPUTED_COLUMNS) <= set(df.columns)
    assert df["date"].between(pd.Timestamp("2014-01-01"), pd.Timestamp("2025-12-31")).all()
    assert df["source_url"].str.startswith("http").all()


@pytest.mark.parametrize("which", ["national", "province"])
def test_committed_computed_columns_are_current(which):
    stored = pd.read_csv(pub.series_path(which), dtype=str, keep_default_na=False)
    assert list(stored.columns) == pub.CURATED_COLUMNS + pub.COMPUTED_COLUMNS
    rebuilt = pub.load_series(which=which)
    for col in ("flags", "conflicts_with", "denominator_basis"):
        assert stored[col].tolist() == rebuilt[col].fillna("").tolist(), \
            f"{col} is stale: run python -m helpers.published build"
    for col in ("recomputed_pct", "implied_denominator", "denominator"):
        left = pd.to_numeric(stored[col].replace("", None))
        assert left.fillna(-1).tolist() == rebuilt[col].fillna(-1).tolist(), col


def test_national_series_keeps_known_conflicts_and_mismatches():
    df = pub.load_series()
    # the two June-2019 reports disagree; both rows kept and flagged
    june = df[(df["as_of"] == "2019-06") & (df["measure"] == "communes_ntm")]
    assert sorted(june["value"]) == [4402, 5458]
    assert all("CONFLICT_SAME_PERIOD" in f for f in june["flags"])
    # 2025: published advanced share is not 2,567 of 7,669
    assert "SHARE_MISMATCH" in _flags(df, as_of="2025-06", article="004", measure="pct_advanced")
    # denominators shrink as communes merge
    totals = df[df["measure"] == "communes_total"].sort_values("date")["value"].tolist()
    assert totals[0] > totals[-1] == 7669


# --- loader -------------------------------------------------------------------------------

def test_loader_types_and_midpoints(tmp_path):
    df = _table(tmp_path, [_row("2019"), _row("2019-06", article="902"), _row("2019-06-30", article="903")])
    assert df["value"].dtype == float
    assert df["date"].tolist() == [pd.Timestamp("2019-07-01"), pd.Timestamp("2019-06-15"),
                                   pd.Timestamp("2019-06-30")]
    assert df["doc_id"].isna().all()


def test_loader_names_the_bad_line(tmp_path):
    with pytest.raises(ValueError, match=r"line\(s\) \[3\]"):
        _table(tmp_path, [_row(), _row(value="khoảng 5", article="902")])
    with pytest.raises(ValueError, match="bad as_of"):
        _table(tmp_path, [_row(as_of="2019-13")])


def test_loader_rejects_bad_enums_and_shares(tmp_path):
    with pytest.raises(pandera.errors.SchemaError):
        _table(tmp_path, [_row(measure="communes_wow")])
    with pytest.raises(pandera.errors.SchemaError):
        _table(tmp_path, [_row(measure="pct_ntm", value="101")])
    with pytest.raises(pandera.errors.SchemaError):
        _table(tmp_path, [_row(), _row()])  # the same value twice


def test_loader_normalises_to_nfc(tmp_path):
    decomposed = "Trà Vinh".replace("à", "a\u0300")
    df = _table(tmp_path, [_row(unit="province", place=decomposed, province_code="84")])
    assert df["place"].iloc[0] == "Trà Vinh"


# --- shares -------------------------------------------------------------------------------

def test_share_from_same_report_agrees_within_rounding(tmp_path):
    df = _table(tmp_path, [_row(value="5775"), _row(measure="communes_total", value="8227"),
                           _row(measure="pct_ntm", value="70.2")])
    row = df[df["measure"] == "pct_ntm"].iloc[0]
    assert row["denominator_basis"] == "same_report"
    assert row["recomputed_pct"] == pytest.approx(70.2, abs=0.01)
    assert not isinstance(row["flags"], str)


def test_share_mismatch_is_flagged_with_implied_denominator(tmp_path):
    df = _table(tmp_path, [_row(measure="communes_advanced", value="300"),
                           _row(measure="communes_total", value="1000"),
                           _row(measure="pct_advanced", value="40")])
    row = df[df["measure"] == "pct_advanced"].iloc[0]
    assert row["recomputed_pct"] == 30
    assert row["implied_denominator"] == 750
    assert "SHARE_MISMATCH" in _flags(df, measure="pct_advanced")


def test_truncated_share_is_a_mismatch_but_approx_share_tolerates_rounding(tmp_path):
    # 2,638 / 4,000 = 65.95 %: "65.8" is off by more than rounding, "khoảng 66" is fine
    df = _table(tmp_path, [_row(value="2638"), _row(measure="communes_total", value="4000"),
                           _row(measure="pct_ntm", value="65.8"),
                           _row(as_of="2020-06", article="902", value="2638"),
                           _row(as_of="2020-06", article="902", measure="communes_total", value="4000"),
                           _row(as_of="2020-06", article="902", measure="pct_ntm", value="66",
                                qualifier="approx")])
    assert "SHARE_MISMATCH" in _flags(df, measure="pct_ntm", article="901")
    assert "SHARE_MISMATCH" not in _flags(df, measure="pct_ntm", article="902")


def test_share_uses_nearest_published_denominator(tmp_path):
    df = _table(tmp_path, [
        _row("2018-01", measure="communes_total", value="9000", article="901"),
        _row("2021-01", measure="communes_total", value="8000", article="902"),
        _row("2020-06", value="4000", article="903"),
        _row("2020-06", measure="pct_ntm", value="60", article="903"),
    ])
    row = df[df["measure"] == "pct_ntm"].iloc[0]
    assert row["denominator"] == 8000 and row["denominator_basis"] == "nearest_published"
    assert row["recomputed_pct"] == 50
    assert "SHARE_OFF_NEAREST_DENOMINATOR" in _flags(df, measure="pct_ntm")


def test_share_without_count_is_not_recomputed(tmp_path):
    df = _table(tmp_path, [_row(measure="pct_ntm", value="60")])
    assert df["recomputed_pct"].isna().all() and df["denominator_basis"].isna().all()


# --- conflicts ----------------------------------------------------------------------------

def test_same_period_conflict_flags_both_and_names_partner(tmp_path):
    df = _table(tmp_path, [_row("2019-06", value="4402", doc_id="c019", article="019"),
                           _row("2019-06-30", value="4410", article="078")])
    for article in ("019", "078"):
        assert "CONFLICT_SAME_PERIOD" in _flags(df, article=article)
    assert df.loc[df["article"] == "019", "conflicts_with"].iloc[0] == "ref 078 2019-06-30=4410"
    assert df.loc[df["article"] == "078", "conflicts_with"].iloc[0] == "c019 2019-06=4402"


def test_agreeing_reports_are_not_conflicts(tmp_path):
    df = _table(tmp_path, [_row("2025-06", measure="pct_ntm", value="79.3", article="901"),
                           _row("2025-06-20", measure="pct_ntm", value="79.30", article="902"),
                           _row("2025-06", value="12", measure="provinces_completed", article="903"),
                           _row("2025-06", value="12", measure="provinces_completed", article="904")])
    assert df["flags"].isna().all()


def test_order_conflict_flags_both_sides(tmp_path):
    df = _table(tmp_path, [_row("2016-12", value="2331", basis="derived", article="901"),
                           _row("2017-03", value="2045", article="902"),
                           _row("2017-04", value="2656", article="903")])
    assert "ORDER_CONFLICT" in _flags(df, article="901")
    assert "ORDER_CONFLICT" in _flags(df, article="902")
    assert "ORDER_CONFLICT" not in _flags(df, article="903")
    assert "DERIVED" in _flags(df, article="901")


def test_doubtful_outlier_does_not_flag_the_others(tmp_path):
    df = _table(tmp_path, [_row("2019-06", value="5458", article="901", caveat="DOUBTFUL"),
                           _row("2019-09", value="4554", article="902"),
                           _row("2019-10", value="4665", article="903")])
    assert {"ORDER_CONFLICT", "DOUBTFUL"} <= _flags(df, article="901")
    assert _flags(df, article="902") == set() and _flags(df, article="903") == set()
    assert df.loc[df["article"] == "901", "conflicts_with"].iloc[0].count(";") == 1


def test_targets_and_shrinking_totals_are_not_order_conflicts(tmp_path):
    df = _table(tmp_path, [_row("2018", value="3530", modality="target", article="901"),
                           _row("2017-11", value="2884", article="902"),
                           _row("2021-04", measure="communes_total", value="8267", article="903"),
                           _row("2025-06", measure="communes_total", value="7669", article="904")])
    assert df["flags"].isna().all()


# --- extractor check helpers ----------------------------------------------------------------

def _points(tmp_path: Path) -> pd.DataFrame:
    df = _table(tmp_path, [
        _row("2022-06", value="5775", doc_id="c901", article="901"),
        _row("2022-06", measure="communes_total", value="8227", doc_id="c901", article="901"),
        _row("2022-06", measure="pct_ntm", value="70.2", doc_id="c901", article="901"),
        _row("2022-06", measure="communes_model", value="83", doc_id="c901", article="901"),
        _row("2022-06", measure="district_units_ntm", value="249", doc_id="c901", article="901"),
        _row("2021-12", value="5615", doc_id="c901", article="901", basis="derived"),
        _row("2020-05", value="5177", doc_id="c902", article="902", language="en"),
        _row("2020-05", value="5100", article="903"),  # no corpus document
    ])
    return pub.expected_points(df)


def test_expected_points_say_why_not(tmp_path):
    pts = _points(tmp_path).set_index(["doc_id", "as_of", "measure"])
    assert pts.loc[("c901", "2022-06", "communes_ntm"), "expect"]
    assert pts.loc[("c901", "2022-06", "communes_ntm"), "total"] == 8227
    assert pts.loc[("c901", "2022-06", "pct_ntm"), "why_not"] == "not_a_record"
    assert pts.loc[("c901", "2021-12", "communes_ntm"), "why_not"] == "derived"
    assert pts.loc[("c902", "2020-05", "communes_ntm"), "why_not"] == "language_en"
    assert pts.loc[("c901", "2022-06", "communes_model"), "standard"] == "ntm_model"
    assert "c903" not in pts.index.get_level_values(0)


def _rec(achieved, total=None, standard="ntm", counted="commune", doc_id="c901", place="Việt Nam",
         modality="actual") -> dict:
    return {"doc_id": doc_id, "unit": "country", "place": place, "standard": standard,
            "measure": "units_met", "counted": counted, "achieved": achieved, "total": total,
            "modality": modality}


def test_compare_with_records_found_total_differs_and_missing(tmp_path):
    pts = _points(tmp_path)
    recs = pd.DataFrame([_rec(5775, 8000), _rec(83, standard="ntm_model"),
                         _rec(250, counted="district")])
    res = pub.compare_with_records(pts, recs).set_index(["as_of", "measure"])
    assert res.loc[("2022-06", "communes_ntm"), "status"] == "found_total_differs"
    assert res.loc[("2022-06", "communes_model"), "status"] == "found"
    assert res.loc[("2022-06", "district_units_ntm"), "status"] == "missing"
    assert res.loc[("2022-06", "district_units_ntm"), "extracted"] == "250/- actual"
    assert res.loc[("2022-06", "pct_ntm"), "status"] == "not_a_record"
    recs.loc[0, "total"] = 8227
    res = pub.compare_with_records(pts, recs).set_index(["as_of", "measure"])
    assert res.loc[("2022-06", "communes_ntm"), "status"] == "found"


def test_extract_documents_skips_bad_documents_and_runs_the_rest(tmp_path):
    for doc_id, text in {"c901": "Tiêu đề\nCả nước có 10 xã.", "c902": "Tiêu đề\nlỗi"}.items():
        (tmp_path / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "c901.json").write_text(json.dumps({"published": "2022-07"}), encoding="utf-8")

    def fake(text: str, meta: dict, doc_id: str) -> pd.DataFrame:
        if "lỗi" in text:
            raise ValueError("cannot read")
        return pd.DataFrame([{**_rec(10, doc_id=doc_id), "as_of": meta["published"]}])

    recs, skipped = pub.extract_documents(["c901", "c902", "c903"], tmp_path, extract=fake)
    assert recs["doc_id"].tolist() == ["c901"] and recs["as_of"].tolist() == ["2022-07"]
    assert any(s.startswith("c902: extractor failed: ValueError") for s in skipped)
    assert any(s.startswith("c903:") and "absent" in s for s in skipped)


def test_extracted_values_and_disagreements(tmp_path):
    df = _table(tmp_path, [
        _row("2022-06", value="5775", doc_id="c901", article="901"),
        _row("2022-06", measure="communes_total", value="8227", doc_id="c901", article="901"),
        _row("2022-06", measure="communes_model", value="83", doc_id="c901", article="901"),
        _row("2022-06", measure="district_units_ntm", value="249", doc_id="c901", article="901"),
    ])
    recs = pd.DataFrame([
        {**_rec(5775, 8227), "as_of": "2022-06"},
        {**_rec(84, standard="ntm_model"), "as_of": "2022-06"},
        {**_rec(57, counted="province"), "as_of": "2022-06"},
        {**_rec(7, counted="commune", place="Yên Bình"), "unit": "district", "as_of": "2022"},
        {**_rec(19, counted=None), "measure": "criteria", "as_of": None},
    ])
    got = pub.extracted_values(recs)
    assert sorted(got["measure"]) == ["communes_model", "communes_ntm", "provinces_completed"]
    assert got.loc[got["measure"] == "communes_ntm", "date"].iloc[0] == pd.Timestamp("2022-06-15")
    diffs = pub.disagreements(df, recs).set_index("measure")
    assert diffs.loc["communes_model", "kind"] == "value_differs"
    assert diffs.loc["communes_model", "extracted"] == "84"
    assert diffs.loc["district_units_ntm", "kind"] == "missing"
    assert diffs.loc["provinces_completed", "kind"] == "not_in_reference"
    assert "communes_ntm" not in diffs.index


def test_charts_draw_legend_and_source_without_extracted_values(tmp_path):
    import matplotlib.pyplot as plt

    from helpers import published_plots as plots

    df = _table(tmp_path, [_row("2019-06", value="4402", doc_id="c019", article="019"),
                           _row("2019-06", value="5458", article="078", caveat="DOUBTFUL"),
                           _row("2021-04", measure="communes_total", value="8267", article="073"),
                           _row("2025", measure="pct_ntm", value="80", modality="target",
                                article="011", doc_id="c011")])
    empty = pub.extracted_values(pd.DataFrame(columns=["unit", "measure", "modality", "standard",
                                                       "counted", "doc_id", "place", "achieved",
                                                       "total", "as_of"]))
    for fig in (plots.plot_communes(df), plots.plot_vs_extracted(df, empty, "none")):
        texts = [t.get_text() for t in fig.texts]
        assert any(t.startswith("Nguồn / Source:") for t in texts)
        assert all(ax.get_legend() is not None for ax in fig.axes[:1])
        plt.close(fig)


# --- against the shared corpus --------------------------------------------------------------

def _series() -> pd.DataFrame:
    return pd.concat([pub.load_series(which="national"), pub.load_series(which="province")],
                     ignore_index=True)


def test_corpus_ids_are_the_documents_the_sources_name(shared):
    """Each doc_id's metadata carries the row's source address (the article ↔ cNNN mapping)."""
    df = _series()
    wrong = []
    for (doc_id, url, article), _ in df[df["doc_id"].notna()].groupby(["doc_id", "source_url", "article"]):
        meta = json.loads((shared / "corpus" / f"{doc_id}.json").read_text(encoding="utf-8"))
        if meta.get("url") != url or doc_id != f"c{article}":
            wrong.append(f"{doc_id}: table {url} vs corpus {meta.get('url')}")
    assert not wrong, "\n".join(wrong)


def test_extractor_finds_every_published_value_in_its_document(shared):
    """Every count the reference tables read in a Vietnamese corpus document is extracted there."""
    pytest.importorskip("helpers.extract", reason="the extractor (helpers.extract) is not here yet")
    points = pub.expected_points(_series())
    expected = points[points["expect"]]
    assert len(expected) >= 40
    records, skipped = pub.extract_documents(expected["doc_id"], shared / "corpus")
    assert not skipped, "\n".join(skipped)
    result = pub.compare_with_records(expected, records)
    misses = result[result["status"] != "found"]
    assert misses.empty, "not recovered:\n" + misses[
        ["doc_id", "as_of", "measure", "value", "total", "status", "extracted"]].to_string()
