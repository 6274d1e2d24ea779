"""Gazetteer: unit lists, name normalisation, resolve()/resolve_group(), 2023–25 merges and the
July 2025 crosswalk. Codes below were checked in the 2022-10 list (dvhcvn) and the 2025-03 list
(vietnamadminunits)."""

from __future__ import annotations

import json
import unicodedata

import pandas as pd
import pytest

from helpers import gazetteer as g

# --------------------------------------------------------------------------------------
# Unit lists
# --------------------------------------------------------------------------------------


def test_counts_of_both_vintages():
    assert len(g.provinces()) == 63
    assert len(g.districts()) == 705
    assert len(g.communes()) == 10_599
    assert len(g.districts("2025-03")) == 696
    assert len(g.communes("2025-03")) == 10_035
    assert len(g.provinces_2025()) == 34


def test_codes_are_zero_padded_unique_strings():
    p, d, c = g.provinces(), g.districts(), g.communes()
    assert p["province_code"].str.fullmatch(r"\d{2}").all()
    assert d["district_code"].str.fullmatch(r"\d{3}").all()
    assert c["commune_code"].str.fullmatch(r"\d{5}").all()
    assert d["district_code"].is_unique and c["commune_code"].is_unique
    assert set(c["district_code"]) <= set(d["district_code"])
    assert set(d["province_code"]) == set(p["province_code"])


def test_schemas_are_the_shared_interface():
    assert list(g.provinces().columns) == [
        "province_code", "province_name", "province_type", "region",
    ]  # fmt: skip
    assert list(g.districts().columns) == [
        "district_code", "district_name", "district_type", "province_code", "province_name",
    ]  # fmt: skip
    assert list(g.communes().columns) == [
        "commune_code", "commune_name", "commune_type", "district_code", "province_code",
    ]  # fmt: skip
    assert list(g.provinces_2025().columns) == ["province_2025_code", "province_2025_name"]


def test_names_are_nfc_without_type_words():
    d = g.districts().set_index("district_code")
    assert d.at["248", "district_name"] == "Tam Đảo"
    assert d.at["248", "district_type"] == "Huyện"
    assert d.at["582", "district_name"] == "Phan Rang-Tháp Chàm"
    c = g.communes().set_index("commune_code")
    assert c.at["27160", "commune_name"] == "Phường 1"  # numbered wards keep the type word
    names = g.communes()["commune_name"]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    typed = names[names.str.lower().str.startswith(("xã ", "phường ", "thị trấn "))]
    assert typed.str.fullmatch(r"Phường (\d+|Đúc)").all()  # "Phường Đúc" is a name (Huế)


def test_unknown_vintage_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown vintage"):
        g.districts("2019")


def test_regions_are_the_six_gso_regions():
    p = g.provinces()
    counts = p["region"].value_counts().to_dict()
    assert counts == {
        "northern_midlands_mountains": 14,
        "red_river_delta": 11,
        "north_central_coast": 14,
        "central_highlands": 5,
        "southeast": 6,
        "mekong_delta": 13,
    }
    region = p.set_index("province_name")["region"]
    assert region["Vĩnh Phúc"] == "red_river_delta"
    assert region["Đắk Nông"] == "central_highlands"
    assert region["Bình Thuận"] == "north_central_coast"
    assert region["Long An"] == "mekong_delta"


# --------------------------------------------------------------------------------------
# Name normalisation
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hoà Bình", "Hòa Bình"),  # old/new tone placement
        ("Thuỷ Xuân", "Thủy Xuân"),
        ("Khoá Bảo", "Khóa Bảo"),
        ("Quỳ Hợp", "Quì Hợp"),  # i/y spelling
        ("Kỳ Anh", "Kì Anh"),
        ("Đắk Mil", "Đăk Mil"),
        ("Đắk Mil", "Dak Mil"),
        ("Đắk Lắk", "Đăk Lăk"),
        ("\u00d0ức Linh", "Đức Linh"),  # look-alike Ð (U+00D0)
        (unicodedata.normalize("NFD", "Quê Mỹ Thạnh"), "Quê Mỹ Thạnh"),
        ("  xã   Hồ  Sơn ", "Hồ Sơn"),
        ("HỒ SƠN", "hồ sơn"),
        ("Phường 01", "P.1"),
        ("Sơn Kim I", "Sơn Kim 1"),
        ("Gìa Khánh", "Già Khánh"),  # tone on the i of "gi"
        ("Qúy Lộc", "Quý Lộc"),  # tone on the u of "qu"
        ("Phan Rang - Tháp Chàm", "Phan Rang-Tháp Chàm"),
    ],
)
def test_name_variants_share_a_key(a, b):
    assert g.normalize_name(a).key == g.normalize_name(b).key


def test_accents_are_optional_in_the_loose_key():
    assert g.normalize_name("Krông A Na").loose == g.normalize_name("Krong Ana").loose
    assert g.normalize_name("Cư M'gar").loose == g.normalize_name("cu mgar").loose
    # but the diacritic key keeps different names apart
    assert g.normalize_name("Thạch Hạ").key != g.normalize_name("Thạch Hà").key


@pytest.mark.parametrize(
    ("text", "display", "unit_type"),
    [
        ("TP. Hà Tĩnh", "Hà Tĩnh", "thành phố"),
        ("Tp Vinh", "Vinh", "thành phố"),
        ("thành phố Thanh Hóa", "Thanh Hóa", "thành phố"),
        ("TX. Kỳ Anh", "Kỳ Anh", "thị xã"),
        ("thị xã Cửa Lò", "Cửa Lò", "thị xã"),
        ("huyện Tam Đảo", "Tam Đảo", "huyện"),
        ("Quận 3", "Quận 3", "quận"),
        ("tỉnh Đắk Nông", "Đắk Nông", "tỉnh"),
        ("xã Quê Mỹ Thạnh", "Quê Mỹ Thạnh", "xã"),
        ("phường 1", "Phường 1", "phường"),
        ("TT. Tam Đảo", "Tam Đảo", "thị trấn"),
        ("thị trấn Đức Tài", "Đức Tài", "thị trấn"),
        ("Quan Hóa", "Quan Hóa", None),  # a name, not "quận"
        ("Xuân Trường", "Xuân Trường", None),  # not "xã"
    ],
)
def test_type_words_are_stripped_and_kept(text, display, unit_type):
    nk = g.normalize_name(text)
    assert (nk.display, nk.unit_type) == (display, unit_type)


# --------------------------------------------------------------------------------------
# resolve(): seeds' places, variants, ambiguity, unknowns
# --------------------------------------------------------------------------------------

EXACT = [
    # (name, unit, province, district) -> code ; the seeds' places first
    (("Đông Hà", "commune", "Bình Thuận", "Đức Linh"), "23224"),
    (("Tân Hà", "commune", "Bình Thuận", "Đức Linh"), "23221"),
    (("Đức Hạnh", "commune", "Bình Thuận", "Đức Linh"), "23212"),
    (("Mê Pu", "commune", None, None), "23203"),
    (("Vũ Hòa", "commune", "Bình Thuận", None), "23218"),  # official spelling "Vũ Hoà"
    (("Đức Linh", "district", "Bình Thuận", None), "600"),
    (("Đức Linh", "district", "60", None), "600"),  # province as a code
    (("Hồ Sơn", "commune", "Vĩnh Phúc", None), "08929"),
    (("Minh Quang", "commune", None, "Tam Đảo"), "08932"),
    (("Minh Quang", "commune", "Vĩnh Phúc", "248"), "08932"),  # district as a code
    (("Tam Đảo", "district", None, None), "248"),
    (("Quê Mỹ Thạnh", "commune", None, None), "28084"),
    (("xã Quê Mỹ Thạnh", None, None, None), "28084"),
    (("Que My Thanh", "commune", None, None), "28084"),  # accentless
    (("Tân Trụ", "district", "Long An", None), "805"),
    (("Phường Đúc", "commune", "Thừa Thiên Huế", None), "19780"),
    (("Đắk Gằn", "commune", "Đắk Nông", "Đắk Mil"), "24673"),
    (("Dak Gan", "commune", None, None), "24673"),
    (("Đăk Gằn", "commune", "Dak Nong", None), "24673"),
    (("Đắk Mil", "district", None, None), "663"),
    (("Dak Mil", "district", None, None), "663"),
    (("huyện Đăk Mil", None, None, None), "663"),
    (("Xuân Trường", "commune", "Thanh Hóa", "Thọ Xuân"), "15514"),
    (("Xuân Trường", "commune", "Thanh Hoá", None), "15514"),  # tone placement in context
    (("Thọ Xuân", "district", "Thanh Hóa", None), "395"),
    # type prefixes that decide between a district and a town of the same name
    (("TP. Hà Tĩnh", None, None, None), "436"),
    (("Tp Hà Tĩnh", "district", None, None), "436"),
    (("TX Kỳ Anh", None, None, None), "449"),
    (("huyện Kỳ Anh", None, None, None), "447"),
    (("Tp. Thanh Hóa", None, None, None), "380"),
    (("TP Vinh", None, None, None), "412"),
    (("Thị trấn Tam Đảo", None, None, None), "08908"),
    # tone placement, i/y, Đắk/Đăk, apostrophes, spacing
    (("Thủy Xuân", "commune", None, None), "19813"),
    (("Thuỷ Xuân", "commune", None, None), "19813"),
    (("Hoà Thuận", "commune", None, "Buôn Ma Thuột"), "24157"),
    (("Kì Khang", "commune", "Hà Tĩnh", None), "18778"),
    (("Cư M'gar", "district", None, None), "648"),
    (("Cư Mgar", "district", "Đắk Lắk", None), "648"),
    (("Krông Ana", "district", None, None), "655"),
    (("Ea Kao", "commune", None, None), "24169"),
    (("\u00d0ức Linh", "district", None, None), "600"),
    (("Sơn Kim I", "commune", "Hà Tĩnh", None), "18196"),
    # numbered wards
    (("Phường 1", "commune", "TP Hồ Chí Minh", "Quận 3"), "27160"),
    (("P.1", "commune", None, "770"), "27160"),
    # provinces, with their common forms
    (("Hà Nội", None, None, None), "01"),
    (("ha noi", "province", None, None), "01"),
    (("TP.HCM", "province", None, None), "79"),
    (("Thành phố Hồ Chí Minh", None, None, None), "79"),
    (("Bà Rịa-Vũng Tàu", "province", None, None), "77"),
    (("Huế", "province", None, None), "46"),
    (("Hoa Binh", "province", None, None), "17"),
    # a 2022-10 commune named with the district it was merged into in 2025
    (("Hương Hữu", "commune", "Thừa Thiên Huế", "Phú Lộc"), "20182"),
    # a district created in 2023–25 (2025-03 list only)
    (("Thị xã Chũ", None, None, None), "224"),
]


@pytest.mark.parametrize(("args", "code"), EXACT, ids=[a[0] for a, _ in EXACT])
def test_resolve_exact(args, code):
    name, unit, province, district = args
    r = g.resolve(name, unit=unit, province=province, district=district)
    assert r.status == "exact", r
    assert r.code == code
    assert len(r.candidates) == 1 and r.candidates[0].code == code


def test_resolution_carries_parents():
    r = g.resolve("Hồ Sơn", unit="commune", province="Vĩnh Phúc")
    assert (r.district_code, r.province_code, r.name, r.unit) == ("248", "26", "Hồ Sơn", "commune")
    r = g.resolve("Thị xã Chũ")
    assert r.vintage == "2025-03" and r.province_code == "24"


AMBIGUOUS = [
    (("Minh Quang", "commune", None, None), {"02302", "08932", "09700", "13171", "13234"}),
    (("Hồ Sơn", "commune", None, None), {"06451", "08929"}),
    (("Tân Hà", "commune", "Bình Thuận", None), {"23221", "23257"}),
    (("Xuân Trường", "commune", None, None), {"01339", "14089", "15514", "24811", "26440"}),
    (("Kỳ Anh", "district", None, None), {"447", "449"}),  # huyện and thị xã
    (("Hòa Bình", "district", None, None), {"148", "961"}),
    (("Dak Ha", "commune", "Kon Tum", None), {"23425", "23500"}),  # Đắk Hà twice in Kon Tum
    (("Thuy Xuan", "commune", None, None), {"12862", "19813"}),  # Thụy / Thuỷ, no accents
    (("Phường 1", "commune", "TP Hồ Chí Minh", None), None),
    (("Kon Tum", None, None, None), {"62", "608"}),  # province and city, unit not given
]


@pytest.mark.parametrize(("args", "codes"), AMBIGUOUS, ids=[a[0] for a, _ in AMBIGUOUS])
def test_resolve_ambiguous_never_guesses(args, codes):
    name, unit, province, district = args
    r = g.resolve(name, unit=unit, province=province, district=district)
    assert r.status == "ambiguous" and r.code is None
    got = {c.code for c in r.candidates}
    assert len(got) >= 2
    if codes is not None:
        assert got == codes


def test_diacritics_decide_only_when_they_make_it_unique():
    # "Thủy Xuân" with diacritics: one exact match (Thuỷ Xuân, Huế) beats the accent-free
    # match Thụy Xuân (Thái Bình); without diacritics the two stay ambiguous
    assert g.resolve("Thủy Xuân", unit="commune").match == "diacritics"
    assert g.resolve("Thuy Xuan", unit="commune").status == "ambiguous"
    # "Đắk Hà" exists three times with the same diacritics: still ambiguous
    assert g.resolve("Đắk Hà").status == "ambiguous"


@pytest.mark.parametrize(
    ("name", "unit", "province"),
    [
        ("Foo Bar", None, None),
        ("Chùa Vàng", "village", None),  # villages are not in the gazetteer
        ("Việt Nam", "country", None),
        ("Tam Đảo", "commune", "Long An"),
        ("", "commune", None),
        ("Quận Hoà", None, None),
    ],
)
def test_resolve_unknown(name, unit, province):
    r = g.resolve(name, unit=unit, province=province)
    assert r.status == "unknown" and r.code is None and r.candidates == ()


def test_missing_values_are_no_name_and_no_context():
    assert g.resolve(float("nan"), unit="commune").status == "unknown"
    assert g.resolve(None).status == "unknown"
    r = g.resolve("Mê Pu", unit="commune", province=float("nan"), district=None)
    assert r.code == "23203" and r.note == ""
    assert g.resolve_group(["Hồ Sơn", None, float("nan"), "Minh Quang"]).code == "248"


def test_unknown_context_is_reported_not_fatal():
    r = g.resolve("Mê Pu", unit="commune", district="Nowhere")
    assert r.status == "exact" and r.code == "23203"
    assert "Nowhere" in r.note


def test_province_named_after_the_2025_reform():
    # Bình Thuận is part of Lâm Đồng since 1 July 2025
    r = g.resolve("Đông Hà", unit="commune", province="Lâm Đồng", district="Đức Linh")
    assert r.status == "exact" and r.code == "23224" and "2025 province" in r.note
    # the strict province scope still wins when it has an answer
    assert g.resolve("Đắk Gằn", unit="commune", province="Đắk Nông").note == ""


def test_spelling_variant_needs_context_and_says_so():
    r = g.resolve("Bản Xen", unit="commune", province="Lào Cai", district="Mường Khương")
    assert r.status == "exact" and r.name == "Bản Sen" and r.match == "spelling_variant"
    assert g.resolve("Bản Xen", unit="commune").status == "unknown"


# --------------------------------------------------------------------------------------
# resolve_group(): the district that contains all named communes
# --------------------------------------------------------------------------------------


def test_group_tam_dao_inference():
    r = g.resolve_group(["Hồ Sơn", "Minh Quang"])
    assert r.status == "exact" and r.code == "248" and r.unit == "district"
    assert (r.name, r.candidates[0].province_name) == ("Tam Đảo", "Vĩnh Phúc")


def test_group_duc_linh_and_failures():
    assert g.resolve_group(["Đông Hà", "Tân Hà", "Đức Hạnh", "Mê Pu"]).code == "600"
    assert g.resolve_group(["Tân Hà"]).status == "ambiguous"
    assert g.resolve_group(["Minh Quang", "Mê Pu"]).status == "unknown"
    r = g.resolve_group(["Hồ Sơn", "Minh Quang", "Nowhere"])
    assert r.code == "248" and "Nowhere" in r.note
    assert g.resolve_group(["Đức Linh", "Tánh Linh"], unit="district").code == "60"


# --------------------------------------------------------------------------------------
# 2023–25 district changes and the July 2025 reform
# --------------------------------------------------------------------------------------


def test_district_merges_found_from_commune_codes():
    m = g.district_merges()
    merged = m[m["kind"] == "merged"]
    # Đông Sơn (405) merged whole into Thanh Hóa city (380) in 2024-25
    row = merged[merged["old_district_code"] == "405"].iloc[0]
    assert row["new_district_code"] == "380"
    assert row["communes_moved"] == row["old_district_communes"] == 14
    # Cát Tiên and Đạ Huoai became the new Đạ Huoai (682, formerly Đạ Tẻh's code)
    assert set(merged.loc[merged["new_district_code"] == "682", "old_district_code"]) == {
        "681", "683",
    }  # fmt: skip
    # Nam Đông (483) → Phú Lộc (482)
    assert (
        (merged["old_district_code"] + ">" + merged["new_district_code"])
        .str.contains("483>482")
        .any()
    )
    # Lộc Hà (448) was split: 11 communes to Thạch Hà (445), 1 to Hà Tĩnh city (436)
    loc_ha = m[m["old_district_code"] == "448"]
    assert loc_ha.iloc[0]["new_district_code"] == "445" and loc_ha.iloc[0]["main_successor"]
    assert loc_ha["main_successor"].sum() == 1 and len(loc_ha) == 2
    abolished = set(merged["old_district_code"])
    new = set(g.districts("2025-03")["district_code"]) - set(g.districts()["district_code"])
    assert new == {"224", "475"}  # Thị xã Chũ, Quận Phú Xuân
    assert 705 - len(abolished) + len(new) == 696


def test_crosswalk_every_district_reaches_a_2025_province():
    cw = g.crosswalk_2025("district")
    assert set(cw["district_code"]) == set(g.districts()["district_code"])
    assert set(cw["province_2025_code"]) <= set(g.provinces_2025()["province_2025_code"])
    assert cw["province_2025_code"].notna().all() and cw["province_2025_name"].notna().all()
    assert cw.groupby("district_code")["share"].sum().round(9).eq(1).all()
    tam_dao = cw[cw["district_code"] == "248"].iloc[0]
    assert (tam_dao["province_2025_code"], tam_dao["province_2025_name"]) == ("25", "Phú Thọ")


def test_province_2025_of():
    assert g.province_2025_of("26") == "25"  # Vĩnh Phúc → Phú Thọ
    assert g.province_2025_of("60") == "68"  # Bình Thuận → Lâm Đồng
    assert g.province_2025_of("67") == "68"  # Đắk Nông → Lâm Đồng
    assert g.province_2025_of("80") == "80"  # Long An → Tây Ninh (keeps code 80)
    assert g.province_2025_of("38") == "38"
    assert len({g.province_2025_of(p) for p in g.provinces()["province_code"]}) == 34
    with pytest.raises(KeyError):
        g.province_2025_of("99")


def test_crosswalk_communes():
    cw = g.crosswalk_2025("commune")
    codes = set(g.communes()["commune_code"])
    assert set(cw["commune_code"]) == codes
    # exactly one default successor per pre-2025 commune
    assert cw.groupby("commune_code")["is_default"].sum().eq(1).all()
    found = cw.dropna(subset=["commune_2025_code"])
    assert found["commune_code"].nunique() >= 0.999 * len(codes)
    assert set(found["commune_2025_code"]) <= set(g.communes_2025()["commune_2025_code"])
    # a commune merged away in 2023–25 is followed through the commune that absorbed it
    assert (cw["link"] == "merged_alias").sum() > 400
    # every commune's 2025 province is its district's
    c = g.communes()[["commune_code", "province_code"]].merge(cw, on="commune_code")
    assert (c["province_code"].map(g.province_2025_of) == c["province_2025_code"]).all()


# --------------------------------------------------------------------------------------
# The gold records' places (run time read of ../shared; skipped where it is absent)
# --------------------------------------------------------------------------------------


def test_gold_places_resolve(shared):
    triples = set()
    for path in sorted((shared / "gold").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["unit"] in ("province", "district", "commune") and r.get("place"):
                triples.add((r["unit"], r["place"], r.get("district"), r.get("province")))
    assert len(triples) > 300
    status = {}
    for unit, place, district, province in triples:
        res = g.resolve(place, unit=unit, province=province, district=district)
        status[(unit, place, district, province)] = res.status
        if res.status == "exact" and unit == "commune" and district:
            # the commune lies in the district the gold names (or in its 2025 successor)
            d = g.resolve(district, unit="district", province=province)
            if d.status == "exact":
                assert res.district_code == d.code or d.code in g._successor_of().get(
                    res.district_code, set()
                ), (place, district)
    exact = sum(s == "exact" for s in status.values())
    assert "ambiguous" not in status.values()
    assert exact >= 0.98 * len(status)


# --------------------------------------------------------------------------------------
# The parquet cache
# --------------------------------------------------------------------------------------


def test_tables_are_cached_as_parquet_and_damage_is_rebuilt(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.setenv("NTM_CACHE_DIR", str(tmp_path))
    builds = []

    def builder() -> pd.DataFrame:
        builds.append(1)
        return pd.DataFrame({"commune_code": ["00001"]})

    first = g._cached_table("probe")(builder)
    assert first()["commune_code"].tolist() == ["00001"] and len(builds) == 1
    files = list((tmp_path / "gazetteer").glob("probe-*.parquet"))
    assert len(files) == 1
    again = g._cached_table("probe")(builder)  # a new process would do the same
    assert again()["commune_code"].tolist() == ["00001"] and len(builds) == 1
    files[0].write_bytes(b"not parquet")
    damaged = g._cached_table("probe")(builder)
    assert damaged()["commune_code"].tolist() == ["00001"] and len(builds) == 2


def test_district_changes_between_the_two_lists():
    c = g.district_changes().set_index("district_code")
    counts = c["change"].value_counts()
    assert counts["abolished"] == 705 - 696 + counts["new"] == 11 and counts["new"] == 2
    assert c.loc["448", "linked"].startswith("Thạch Hà")  # Lộc Hà → Thạch Hà, the main successor
    assert c.loc["224", "change"] == "new" and "Lục Ngạn" in c.loc["224", "linked"]
    assert c.loc["753", ["change", "name_2025"]].tolist() == ["renamed", "Long Đất"]
    assert c.loc["123", "change"] == "type_changed"  # Mộc Châu: huyện → thị xã
    assert "051" not in c.index and "618" not in c.index  # Hoà/Hòa, "H' Drai"/"H'Drai"


def test_main_province_2025_largest_share_and_split():
    cw = pd.DataFrame({"district_code": ["001", "002", "002", "003", "003"],
                       "province_2025_code": ["01", "04", "08", "10", "06"],
                       "province_2025_name": ["A", "B", "C", "D", "E"],
                       "share": [1.0, 0.3, 0.7, 0.5, 0.5]})
    m = g.main_province_2025(cw)
    assert m.loc["002", "province_2025_code"] == "08" and m.loc["002", "province_2025_split"]
    assert m.loc["003", "province_2025_code"] == "06"  # a tie goes to the lower code
    assert not m.loc["001", "province_2025_split"] and m.loc["001", "province_2025_share"] == 1.0
    real = g.main_province_2025()
    assert len(real) == 705 and real["province_2025_code"].notna().all()
