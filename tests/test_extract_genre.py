"""Phrasings of the genre beyond the shared corpus (sentences written for these tests).

Each case is a short report (title + body) and the records that must, or must not, come
out, as ``(unit, place, measure, achieved, total, modality)``.  The cases come from probing
the extractor with reports written for the purpose (none of them from ``../shared``): each
pins a rule that generalises it (modality scope, anaphora within a sentence, containers
named after a count or in brackets, regions, breakdowns, lost status, number words, names
that start like everyday words) and most of them failed before that rule was written.
"""

from __future__ import annotations

import pytest

from helpers.extract import extract_records

CASES = [
    # a plan or forecast after a reached figure is not that figure's modality
    ("Huyện Cam Lộ tăng tốc xây dựng nông thôn mới",
     "Đến nay, xã Cam Thành đã đạt 17/19 tiêu chí nông thôn mới, phấn đấu về đích vào cuối năm.",
     {("commune", "Cam Thành", "criteria", 17, 19, "actual")},
     {("commune", "Cam Thành", "criteria", 17, 19, "target")}),
    ("Kiến Xương", "Xã Vũ Lễ đạt 17/19 tiêu chí NTM nâng cao, dự kiến hoàn thành trong quý IV/2024.",
     {("commune", "Vũ Lễ", "criteria", 17, 19, "actual")}, {("commune", "Vũ Lễ", "criteria", 17, 19, "expected")}),
    ("Huyện Hương Khê", "Huyện đã có 18/21 xã đạt chuẩn NTM, phấn đấu đến năm 2025 có 100% số xã đạt chuẩn.",
     {("district", "Hương Khê", "units_met", 18, 21, "actual")}, {("district", "Hương Khê", "units_met", 18, 21, "target")}),
    # ... while a plan word before the figure still makes it a target
    ("Huyện Đắk Mil", "Năm 2024, huyện phấn đấu hoàn thành 9/9 tiêu chí huyện nông thôn mới.",
     {("district", "Đắk Mil", "criteria", 9, 9, "target")}, set()),
    # "một số xã" is "some communes", not one
    ("Quảng Trị", "Hiện nay một số xã đạt chuẩn NTM nâng cao còn khó khăn trong duy trì tiêu chí.", set(), "any"),
    ("Huyện Hải Lăng", "Một số xã đã đạt chuẩn nông thôn mới nhưng chất lượng các tiêu chí chưa bền vững.", set(), "any"),
    # a clause without a subject continues the sentence's commune, and says what is reached now
    ("Mộ Đức", "Xã Đức Tân phấn đấu đạt chuẩn NTM nâng cao trong năm 2024; hiện đã đạt 15/19 tiêu chí.",
     {("commune", "Đức Tân", "recognized", None, None, "target"), ("commune", "Đức Tân", "criteria", 15, 19, "actual")},
     set()),
    ("Huyện Hải Lăng", "Năm 2024, xã Hải Quy phấn đấu đạt chuẩn NTM kiểu mẫu; hiện xã đã đạt 8/10 tiêu chí.",
     {("commune", "Hải Quy", "criteria", 8, 10, "actual")}, set()),
    # a commune preparing its own file is expected to be recognised
    ("Huyện Phù Cát", "Xã Cát Sơn đang hoàn thiện hồ sơ đề nghị công nhận đạt chuẩn nông thôn mới.",
     {("commune", "Cát Sơn", "recognized", None, None, "expected")}, set()),
    ("Huyện Tứ Kỳ", "Xã Quang Khải đủ điều kiện đề nghị xét công nhận đạt chuẩn nông thôn mới kiểu mẫu năm 2024.",
     {("commune", "Quang Khải", "recognized", None, None, "expected")}, set()),
    # the source named first is not the subject
    ("Phù Cát xây dựng nông thôn mới", "Theo báo cáo của UBND huyện Phù Cát, xã Cát Hanh đạt 16/19 tiêu chí.",
     {("commune", "Cát Hanh", "criteria", 16, 19, "actual")}, {("district", "Phù Cát", "criteria", 16, 19, "actual")}),
    ("Phù Cát xây dựng nông thôn mới", "Theo Phòng NN&PTNT huyện Phù Cát, xã Cát Tài đạt 15/19 tiêu chí.",
     {("commune", "Cát Tài", "criteria", 15, 19, "actual")}, {("district", "Phù Cát", "criteria", 15, 19, "actual")}),
    # a bare name after another commune's figure is the subject of the next figure
    ("Huyện Cam Lộ", "Xã Cam Thành đạt 17/19 tiêu chí, Cam Tuyền đạt 16/19 tiêu chí.",
     {("commune", "Cam Thành", "criteria", 17, 19, "actual"), ("commune", "Cam Tuyền", "criteria", 16, 19, "actual")},
     {("commune", "Cam Thành", "criteria", 16, 19, "actual")}),
    # ... but one commune with two figures keeps both
    ("Huyện Cam Lộ", "Xã Cam Hiếu đạt 19/19 tiêu chí nông thôn mới, 12/19 tiêu chí nông thôn mới nâng cao.",
     {("commune", "Cam Hiếu", "criteria", 19, 19, "actual"), ("commune", "Cam Hiếu", "criteria", 12, 19, "actual")},
     set()),
    # a district-level city named like its province; the centrally-run cities stay provinces
    ("Thành phố Quảng Ngãi xây dựng nông thôn mới", "Đến nay, TP Quảng Ngãi có 8/10 xã đạt chuẩn nông thôn mới.",
     {("district", "Quảng Ngãi", "units_met", 8, 10, "actual")}, {("province", "Quảng Ngãi", "units_met", 8, 10, "actual")}),
    ("Hà Tĩnh", "Thành phố Hà Tĩnh có 3 xã đạt chuẩn NTM nâng cao.",
     {("district", "Hà Tĩnh", "units_met", 3, None, "actual")}, {("province", "Hà Tĩnh", "units_met", 3, None, "actual")}),
    ("Tin tức", "TP Hồ Chí Minh có 5/5 huyện đạt chuẩn nông thôn mới.",
     {("province", "Hồ Chí Minh", "units_met", 5, 5, "actual")}, set()),
    # commune and district names that start like everyday words ("Nhân", "Quyết", "Thủ")
    ("Lý Nhân", "Xã Nhân Hòa đạt 18/19 tiêu chí nông thôn mới nâng cao.",
     {("commune", "Nhân Hòa", "criteria", 18, 19, "actual")}, set()),
    ("Tin nông thôn mới", "UBND tỉnh công nhận xã Quyết Thắng, huyện Thanh Hà đạt chuẩn nông thôn mới nâng cao năm 2022.",
     {("commune", "Quyết Thắng", "recognized", None, None, "actual")},
     {("district", "Thanh Hà", "recognized", None, None, "actual")}),
    ("Long An", "Huyện Thủ Thừa được Thủ tướng Chính phủ công nhận đạt chuẩn nông thôn mới năm 2022.",
     {("district", "Thủ Thừa", "recognized", None, None, "actual")}, set()),
    # the district a report is about, recognised by the Prime Minister
    ("Huyện Đắk Hà xây dựng nông thôn mới", "Huyện đã được Thủ tướng Chính phủ công nhận đạt chuẩn nông thôn mới năm 2022.",
     {("district", "Đắk Hà", "recognized", None, None, "actual")}, set()),
]


def _keys(records: list[dict]) -> set[tuple]:
    return {(r["unit"], r["place"], r["measure"], r["achieved"], r["total"], r["modality"]) for r in records}


def _genre_cases(cases: list[tuple]):
    """Parametrize a test over ``(title, body, wanted, unwanted)`` cases, named by their body."""
    return pytest.mark.parametrize(("title", "body", "wanted", "unwanted"), cases, ids=[c[1][:40] for c in cases])


@_genre_cases(CASES)
def test_genre_phrasing(title, body, wanted, unwanted):
    got = _keys(extract_records(f"{title}\n\n{body}\n", {"title": title, "published": "2023-05-05"}, "t"))
    assert wanted <= got, f"missing {wanted - got}; got {got}"
    if unwanted == "any":
        assert not got, f"no record expected, got {got}"
    else:
        assert not (unwanted & got), f"unwanted {unwanted & got}"


def test_an_everyday_phrase_that_is_also_a_place_name_still_ends_a_list():
    """"Chỉ Đạo" is a commune, and the title-case name of a steering committee: it is not listed."""
    got = extract_records("Tin\n\nBan Chỉ Đạo huyện công nhận 2 xã Tân Lập, Tân Tiến đạt chuẩn nông thôn mới.\n",
                          {"published": "2023-05-05"}, "t")
    assert "Chỉ Đạo" not in {r["place"] for r in got}


@pytest.mark.parametrize("body", [
    "Hiện các tỉnh Tây Nguyên đã có 53/597 xã đạt chuẩn nông thôn mới.",
    "Vùng Đồng bằng sông Hồng có 1.520 xã đạt chuẩn nông thôn mới.",
    "Các tỉnh miền núi phía Bắc đã có 45 huyện đạt chuẩn NTM.",
])
def test_a_count_for_a_region_is_noted_not_given_to_the_country_or_a_province(body):
    notes: list[str] = []
    got = extract_records(f"Tin tức\n\n{body}\n", {"published": "2023-05-05"}, "t", notes=notes)
    assert not got
    assert len(notes) == 1 and "region" in notes[0]


def test_the_national_count_stays_beside_a_regional_one():
    notes: list[str] = []
    got = _keys(extract_records("Tin tức\n\nCả nước có 6.000 xã đạt chuẩn NTM, trong đó vùng Đồng bằng sông Hồng "
                                "có 1.520 xã đạt chuẩn.\n", {"published": "2023-05-05"}, "t", notes=notes))
    assert got == {("country", "Việt Nam", "units_met", 6000, None, "actual")}
    assert any("Đồng bằng sông Hồng" in n for n in notes)


@pytest.mark.parametrize(("lead", "as_of"), [
    ("(LĐ online) - Chiều 15/11, huyện tổ chức lễ đón nhận Bằng công nhận.", "2023-11-15"),
    ("VOV.VN - Sáng 3/4/2023, huyện tổ chức lễ đón nhận Bằng công nhận.", "2023-04-03"),
    ("BHG - Tối ngày 28.12, huyện tổ chức lễ đón nhận Bằng công nhận.", "2023-12-28"),
    ("Sáng ngày 20/6/2023, huyện tổ chức lễ đón nhận Bằng công nhận.", "2023-06-20"),
])
def test_the_dateline_after_an_agency_tag_dates_the_records(lead, as_of):
    text = f"Huyện Đắk Hà\n\n{lead} Đến nay, huyện có 9/9 xã đạt chuẩn nông thôn mới.\n"
    got = extract_records(text, {"title": "Huyện Đắk Hà", "published": "2023-12-30"}, "t")
    assert got and {r["as_of"] for r in got} == {as_of}


MORE_CASES = [
    # "các xã còn lại" is not the commune named before
    ("Huyện Chư Sê", "Xã Dun đạt 14/19 tiêu chí; các xã còn lại đều đạt từ 10 tiêu chí trở lên.",
     {("commune", "Dun", "criteria", 14, 19, "actual")}, {("commune", "Dun", "criteria", 10, None, "actual")}),
    # a raised total shares the predicate of the clause before it
    ("Quảng Trị", "Năm 2023, tỉnh Quảng Trị có thêm 9 xã đạt chuẩn nông thôn mới, nâng tổng số lên 79/101 xã.",
     {("province", "Quảng Trị", "units_met", 79, 101, "actual")}, set()),
    # the agent between the named communes and "công nhận" is not a second subject
    ("Huyện Triệu Phong", "Các xã Triệu Thuận, Triệu Đại và Triệu Hòa vừa được UBND tỉnh Quảng Trị công nhận đạt chuẩn "
     "nông thôn mới năm 2020.",
     {("commune", "Triệu Thuận", "recognized", None, None, "actual"), ("commune", "Triệu Hòa", "recognized", None, None, "actual")},
     set()),
    # a province in brackets after a district qualifies it
    ("Tin tức", "Đến nay, huyện Yên Thành (Nghệ An) đã có 38/38 xã đạt chuẩn nông thôn mới.",
     {("district", "Yên Thành", "units_met", 38, 38, "actual")}, {("province", "Nghệ An", "units_met", 38, 38, "actual")}),
    # the unit named right after the count; "tất cả N" is N of N
    ("Đà Nẵng", "Đến nay, 11/11 xã của huyện Hòa Vang đạt chuẩn nông thôn mới.",
     {("district", "Hòa Vang", "units_met", 11, 11, "actual")}, set()),
    ("Tin tức", "Tất cả 94 xã của tỉnh Bắc Ninh đã cán đích nông thôn mới.",
     {("province", "Bắc Ninh", "units_met", 94, 94, "actual")}, set()),
    # two districts, each with its type word; "TP." and "TX." do not end a clause
    ("Thanh Hóa", "UBND tỉnh Thanh Hóa công nhận huyện Như Thanh và huyện Ngọc Lặc đạt chuẩn nông thôn mới năm 2023.",
     {("district", "Như Thanh", "recognized", None, None, "actual"), ("district", "Ngọc Lặc", "recognized", None, None, "actual")},
     set()),
    ("Tin tức", "TP. Ninh Bình và TP. Sầm Sơn được công nhận hoàn thành nhiệm vụ xây dựng nông thôn mới.",
     {("district", "Ninh Bình", "recognized", None, None, "actual"), ("district", "Sầm Sơn", "recognized", None, None, "actual")},
     set()),
    ("Tin tức", "Huyện Đức Trọng, tỉnh Lâm Đồng được công nhận đạt chuẩn nông thôn mới.",
     {("district", "Đức Trọng", "recognized", None, None, "actual")}, {("district", "Lâm Đồng", "recognized", None, None, "actual")}),
    # lost status: a count of communes, a revoked decision; criteria that fell are not reached ones
    ("Tin tức", "Theo báo cáo, tỉnh Bình Định có 5 xã đã được công nhận nhưng nay rớt chuẩn nông thôn mới.",
     {("commune", None, "recognized", None, None, "lost")}, {("province", "Bình Định", "units_met", 5, None, "actual")}),
    ("Lào Cai", "UBND tỉnh Lào Cai đã thu hồi quyết định công nhận xã Tả Phời đạt chuẩn nông thôn mới.",
     {("commune", "Tả Phời", "recognized", None, None, "lost")}, {("commune", "Tả Phời", "recognized", None, None, "actual")}),
    ("Tin tức", "Qua rà soát, xã Ninh Thạnh Lợi có 3 tiêu chí bị sụt giảm.", set(), "any"),
    # proposed to the Prime Minister: expected
    ("Vĩnh Phúc", "Hội đồng thẩm định Trung ương thống nhất đề nghị Thủ tướng Chính phủ xem xét, công nhận huyện "
     "Tam Dương đạt chuẩn nông thôn mới nâng cao năm 2023.",
     {("district", "Tam Dương", "recognized", None, None, "expected")}, set()),
    # a ceremony held by the district for its communes is not the district's recognition
    ("Nghệ An", "Ngày 24/12, huyện Quỳnh Lưu tổ chức lễ đón bằng công nhận đạt chuẩn nông thôn mới cho 3 xã là "
     "Quỳnh Tam, Quỳnh Châu và Tân Thắng.",
     set(), {("district", "Quỳnh Lưu", "recognized", None, None, "actual")}),
    # a total broken down by unit: "…, trong đó huyện A có 8/8 xã, huyện B có 6/8 xã"
    ("Ninh Thuận", "Toàn tỉnh Ninh Thuận hiện có 24 xã đạt chuẩn nông thôn mới, trong đó huyện Ninh Hải có 8/8 xã, "
     "huyện Ninh Phước có 6/8 xã.",
     {("province", "Ninh Thuận", "units_met", 24, None, "actual"), ("district", "Ninh Hải", "units_met", 8, 8, "actual"),
      ("district", "Ninh Phước", "units_met", 6, 8, "actual")}, set()),
    ("Tây Nguyên", "Các tỉnh Tây Nguyên đã có 53 xã đạt chuẩn nông thôn mới, trong đó tỉnh Lâm Đồng có 33 xã, Gia Lai có "
     "11 xã.", {("province", "Lâm Đồng", "units_met", 33, None, "actual"), ("province", "Gia Lai", "units_met", 11, None, "actual")},
     set()),
    ("Tin tức", "Tỉnh đã giải ngân 500 tỷ đồng, trong đó huyện Ninh Hải có 3 xã được hỗ trợ.", set(), "any"),
    # compound number words
    ("Huyện Mỹ Tú", "Toàn huyện có mười hai xã đạt chuẩn nông thôn mới.",
     {("district", "Mỹ Tú", "units_met", 12, None, "actual")}, {("district", "Mỹ Tú", "units_met", 2, None, "actual")}),
    ("Huyện Mỹ Tú", "Xã Thới An Hội đạt mười bảy tiêu chí, còn thiếu hai tiêu chí.",
     {("commune", "Thới An Hội", "criteria", 17, None, "actual")}, set()),
]


def test_a_breakdown_in_units_counts_what_the_total_counts():
    """"…53 xã…, trong đó tỉnh Lâm Đồng có 33 đơn vị": the units are communes, as in the total."""
    got = extract_records("Tin tức\n\nCác tỉnh Tây Nguyên đã có 53 xã đạt chuẩn nông thôn mới, trong đó tỉnh Lâm Đồng "
                          "có 33 đơn vị, Kon Tum có 3 đơn vị.\n", {"published": "2023-05-05"}, "t")
    assert {(r["place"], r["achieved"], r["counted"]) for r in got} == {("Lâm Đồng", 33, "commune"), ("Kon Tum", 3, "commune")}


SESSION4_CASES = [
    # a stock count with its total, then its units named: the count and one recognition per name
    ("Huyện Hòa Vang", "Toàn huyện hiện có 3/11 xã đạt chuẩn nông thôn mới nâng cao, gồm các xã Hòa Phong, Hòa Tiến "
     "và Hòa Châu.",
     {("district", "Hòa Vang", "units_met", 3, 11, "actual"), ("commune", "Hòa Phong", "recognized", None, None, "actual"),
      ("commune", "Hòa Tiến", "recognized", None, None, "actual"), ("commune", "Hòa Châu", "recognized", None, None, "actual")},
     set()),
    # villages counted in a commune (or a township) belong to it
    ("Tin nông thôn mới", "Xã Gio Mỹ hiện có 4/9 thôn đạt chuẩn thôn nông thôn mới kiểu mẫu.",
     {("commune", "Gio Mỹ", "units_met", 4, 9, "actual")}, set()),
    ("Tin nông thôn mới", "Thị trấn Gio Linh có 2/7 khu phố, thôn đạt chuẩn khu dân cư kiểu mẫu; xã Gio An có 3/8 thôn "
     "đạt chuẩn thôn kiểu mẫu.",
     {("commune", "Gio An", "units_met", 3, 8, "actual")}, {("district", "Gio Linh", "units_met", 3, 8, "actual")}),
    # "tỉnh có N/M xã" is the province's count
    ("Tin tức", "Đến nay, tỉnh có 98/117 xã đạt chuẩn nông thôn mới.",
     {("province", None, "units_met", 98, 117, "actual")}, {("country", "Việt Nam", "units_met", 98, 117, "actual")}),
    # the figure before its subject
    ("Huyện Gio Linh", "Với 16/19 tiêu chí đã đạt, xã Gio Hải tập trung hoàn thành các tiêu chí còn lại.",
     {("commune", "Gio Hải", "criteria", 16, 19, "actual")}, set()),
    ("Huyện Gio Linh", "Sau khi đạt 19/19 tiêu chí, xã Gio Quang được công nhận đạt chuẩn nông thôn mới năm 2021.",
     {("commune", "Gio Quang", "criteria", 19, 19, "actual"), ("commune", "Gio Quang", "recognized", None, None, "actual")},
     set()),
]


def test_a_deadline_after_the_publication_is_not_the_date_the_figure_holds_on():
    """"phấn đấu đến năm 2025" in a 2023 report: the year of the target, dated by the report."""
    got = extract_records("Huyện Gio Linh\n\nHuyện phấn đấu đến năm 2025 có thêm 3 xã đạt chuẩn nông thôn mới nâng cao.\n",
                          {"title": "Huyện Gio Linh", "published": "2023-05-05"}, "t")
    assert [(r["modality"], r["year"], r["as_of"]) for r in got] == [("target", 2025, "2023-05-05")]


def test_a_commune_named_like_a_province_does_not_make_the_report_about_that_province():
    got = extract_records("Xã Bình Dương về đích nông thôn mới\n\nXã Bình Dương đạt 19/19 tiêu chí nông thôn mới.\n",
                          {"published": "2023-05-05"}, "t")
    assert [(r["place"], r["province"]) for r in got] != [] and all(r["province"] != "Bình Dương" for r in got)


SUBJECT_CASES = [
    # a commune's plan whose subject is the bare "Xã" of a report about it, or "Hai xã này"
    ("Tin nông thôn mới", "Xã Quảng Hợp, huyện Quảng Trạch đạt 17/19 tiêu chí nông thôn mới nâng cao. Xã phấn đấu về đích "
     "nông thôn mới nâng cao trong năm 2024.",
     {("commune", "Quảng Hợp", "recognized", None, None, "target")}, set()),
    ("Tin nông thôn mới", "Xã Quảng Hợp đạt 17/19 tiêu chí, xã Quảng Kim đạt 16/19 tiêu chí nông thôn mới. Hai xã này đăng "
     "ký về đích nông thôn mới trong năm 2024.",
     {("commune", "Quảng Hợp", "recognized", None, None, "target"), ("commune", "Quảng Kim", "recognized", None, None, "target")},
     set()),
    # ... or the commune whose figure the sentence gave first
    ("Tin nông thôn mới", "Xã Quảng Hợp đang đạt 17/19 tiêu chí và phấn đấu về đích nông thôn mới vào năm 2024.",
     {("commune", "Quảng Hợp", "criteria", 17, 19, "actual"), ("commune", "Quảng Hợp", "recognized", None, None, "target")},
     set()),
    # "N xã này đều đạt …" after the N communes were named
    ("Huyện Quảng Trạch", "Năm 2024, huyện phấn đấu có thêm 2 xã Quảng Hợp và Quảng Kim đạt chuẩn nông thôn mới. Hai xã "
     "này hiện đã đạt 16/19 tiêu chí.",
     {("commune", "Quảng Hợp", "criteria", 16, 19, "actual"), ("commune", "Quảng Kim", "criteria", 16, 19, "actual")}, set()),
    # "tiêu chí xã …" is a commune's set, whatever district the source names
    ("Tin nông thôn mới", "Theo UBND xã Quảng Hợp (huyện Quảng Trạch), đến nay địa phương đã đạt 17/19 tiêu chí xã nông thôn "
     "mới nâng cao.",
     {("commune", "Quảng Hợp", "criteria", 17, 19, "actual")}, {("district", "Quảng Trạch", "criteria", 17, 19, "actual")}),
    # a count before its subject, and a raised total named after words
    ("Tin nông thôn mới", "Với 18/18 xã đạt chuẩn nông thôn mới, huyện Quảng Trạch đang hoàn thiện hồ sơ đề nghị công nhận "
     "huyện đạt chuẩn.",
     {("district", "Quảng Trạch", "units_met", 18, 18, "actual")}, set()),
    ("Huyện Quảng Trạch", "Năm 2023, huyện có thêm 02 xã đạt chuẩn nông thôn mới nâng cao là Quảng Hợp và Quảng Kim, nâng số "
     "xã đạt chuẩn nâng cao của huyện lên 6 xã.",
     {("district", "Quảng Trạch", "units_met", 6, None, "actual")}, {("commune", None, "recognized", None, None, "actual")}),
    # coordinated stock counts, "Cả N/N xã", a count in words "sáu trên tám", a fall "xuống còn"
    ("Huyện Quảng Trạch", "Huyện hiện có 18/18 xã đạt chuẩn NTM, 6 xã đạt chuẩn NTM nâng cao và 2 xã đạt chuẩn NTM kiểu mẫu "
     "là Quảng Hợp và Quảng Kim.",
     {("district", "Quảng Trạch", "units_met", 2, None, "actual"), ("commune", "Quảng Kim", "recognized", None, None, "actual")},
     set()),
    ("Huyện Quảng Trạch", "Huyện đã có sáu trên tám xã đạt chuẩn nông thôn mới.",
     {("district", "Quảng Trạch", "units_met", 6, 8, "actual")}, {("district", "Quảng Trạch", "units_met", 8, None, "actual")}),
    ("Huyện Quảng Trạch", "Sau rà soát, số xã đạt chuẩn nông thôn mới của huyện giảm xuống còn 15/18 xã.",
     {("district", "Quảng Trạch", "units_met", 15, 18, "actual")}, set()),
    # villages counted by a commune the report is about, in "ấp" or "xóm"
    ("Tin nông thôn mới", "Xã Quảng Hợp đã đạt chuẩn nông thôn mới nâng cao năm 2022. Đến nay, xã có 3/8 thôn đạt chuẩn thôn "
     "kiểu mẫu và 5/6 xóm đạt chuẩn khu dân cư kiểu mẫu.",
     {("commune", "Quảng Hợp", "units_met", 3, 8, "actual"), ("commune", "Quảng Hợp", "units_met", 5, 6, "actual")}, set()),
]


def test_units_listed_as_meeting_the_standard_now_take_no_recognition_year():
    """A district recognised "năm 2020", then "Hiện 11/11 xã … trong đó xã A và xã B đạt chuẩn nâng cao":
    A and B meet the standard now; the year of their recognition is not given."""
    got = extract_records("Huyện Tuy Phước\n\nThủ tướng công nhận huyện Tuy Phước đạt chuẩn nông thôn mới năm 2020. Hiện "
                          "11/11 xã của huyện đã đạt chuẩn nông thôn mới, trong đó xã Phước Hòa và xã Phước Thắng đạt chuẩn "
                          "nông thôn mới nâng cao.\n", {"title": "Huyện Tuy Phước", "published": "2022-01-24"}, "t")
    years = {r["place"]: r["year"] for r in got if r["measure"] == "recognized"}
    assert years == {"Tuy Phước": 2020, "Phước Hòa": None, "Phước Thắng": None}


QUALIFIER_CASES = [
    # a centrally-run city after a district only says where it is
    ("Tin tức", "Ngày 5/12/2023, Thủ tướng ký quyết định công nhận huyện Sóc Sơn, thành phố Hà Nội đạt chuẩn nông thôn mới "
     "năm 2022.",
     {("district", "Sóc Sơn", "recognized", None, None, "actual")}, {("district", "Hà Nội", "recognized", None, None, "actual")}),
    # villages of "xã A, huyện B" are A's
    ("Tin nông thôn mới", "Xã Liên Hiệp, huyện Phúc Thọ đã có 4/7 thôn đạt chuẩn thôn nông thôn mới kiểu mẫu.",
     {("commune", "Liên Hiệp", "units_met", 4, 7, "actual")}, {("district", "Phúc Thọ", "units_met", 4, 7, "actual")}),
    # a district's criteria set, with its communes counted before it
    ("Huyện Phúc Thọ", "Với 18/18 xã đạt chuẩn nông thôn mới và 9/9 tiêu chí huyện được đánh giá đạt, Phúc Thọ đã được công "
     "nhận huyện đạt chuẩn nông thôn mới.",
     {("district", "Phúc Thọ", "criteria", 9, 9, "actual")}, {("commune", None, "criteria", 9, 9, "actual")}),
    # "huyện A đã đạt 8/9 tiêu chí" is a figure, not a recognition
    ("Tin tức", "Đến nay, huyện Phúc Thọ đã đạt 8/9 tiêu chí huyện nông thôn mới và có 17/18 xã đạt chuẩn.",
     {("district", "Phúc Thọ", "criteria", 8, 9, "actual")}, {("district", "Phúc Thọ", "recognized", None, None, "actual")}),
    # communes named as having lost the standard are not a count of units that meet it
    ("Huyện Phúc Thọ", "Qua rà soát, huyện có hai xã không còn đạt chuẩn nông thôn mới là Liên Hiệp và Hát Môn.",
     {("commune", "Liên Hiệp", "recognized", None, None, "lost")}, {("district", "Phúc Thọ", "units_met", 2, None, "lost")}),
    # a stock of another standard after "Trong số đó"
    ("Huyện Phúc Thọ", "Toàn huyện có 18/18 xã đạt chuẩn nông thôn mới. Trong số đó, 3 xã đã đạt chuẩn nông thôn mới nâng "
     "cao, gồm các xã Liên Hiệp, Hát Môn và Sen Phương.",
     {("district", "Phúc Thọ", "units_met", 3, None, "actual"), ("commune", "Hát Môn", "recognized", None, None, "actual")},
     set()),
]


def test_each_recognition_of_a_clause_has_its_own_modality_and_year():
    got = extract_records("Huyện Phúc Thọ\n\nHuyện đã được công nhận đạt chuẩn nông thôn mới năm 2019 và đang hoàn thiện hồ "
                          "sơ đề nghị xét công nhận huyện đạt chuẩn nông thôn mới nâng cao.\n",
                          {"title": "Huyện Phúc Thọ", "published": "2024-05-05"}, "t")
    assert {(r["standard"], r["modality"], r["year"]) for r in got} == {("ntm", "actual", 2019), ("ntm_advanced", "expected", None)}


def test_the_criteria_set_named_after_a_second_figure_sets_the_standard():
    got = extract_records("Tin nông thôn mới\n\nĐến hết tháng 2, xã Liên Hiệp đã đạt 17/19 tiêu chí và 50/57 chỉ tiêu cụ thể "
                          "theo Bộ tiêu chí xã nông thôn mới nâng cao giai đoạn 2021-2025.\n", {"published": "2024-05-05"}, "t")
    assert {(r["measure"], r["achieved"], r["standard"]) for r in got} == {("criteria", 17, "ntm_advanced"),
                                                                          ("indicators", 50, "ntm_advanced")}


def test_a_place_named_again_without_its_type_word_is_the_subject():
    """Later sentences name the commune bare ("Định Thủy hiện đạt …") or as "Xã" alone."""
    text = ("Tin nông thôn mới\n\nXã Tân Lập, huyện Châu Thành được công nhận đạt chuẩn nông thôn mới kiểu mẫu năm 2023. "
            "Tân Lập hiện đạt 19/19 tiêu chí nông thôn mới nâng cao. Xã đã đạt chuẩn nông thôn mới nâng cao từ năm 2020.\n")
    got = {(r["place"], r["measure"], r["achieved"], r["standard"], r["year"])
           for r in extract_records(text, {"published": "2024-05-05"}, "t")}
    assert ("Tân Lập", "criteria", 19, "ntm_advanced", None) in got
    assert ("Tân Lập", "recognized", None, "ntm_advanced", 2020) in got


def test_a_district_named_as_the_qualifier_of_a_commune_does_not_take_its_villages():
    got = _keys(extract_records("Tin\n\nXã Liên Hiệp, huyện Phúc Thọ có 4/7 thôn đạt chuẩn thôn nông thôn mới kiểu mẫu.\n",
                                {"published": "2024-05-05"}, "t"))
    assert got == {("commune", "Liên Hiệp", "units_met", 4, 7, "actual")}


def test_a_through_date_holds_for_the_later_sentences_and_a_deadline_is_not_one():
    """"Tính đến hết tháng 6/2023, …" dates the report's next figures too; "phấn đấu đến năm 2025" does not."""
    text = ("Huyện Phúc Thọ\n\nTính đến hết tháng 6/2023, huyện có 18/18 xã đạt chuẩn nông thôn mới. Trong đó, 3 xã đạt "
            "chuẩn nông thôn mới nâng cao. Huyện phấn đấu đến năm 2025 có thêm 5 xã đạt chuẩn nông thôn mới nâng cao.\n")
    got = extract_records(text, {"title": "Huyện Phúc Thọ"}, "t")
    assert {(r["achieved"], r["modality"], r["as_of"]) for r in got if r["measure"] == "units_met"} == {
        (18, "actual", "2023-06"), (3, "actual", "2023-06")}
    assert all(r["as_of"] != "2025" for r in got)


MORE_SUBJECT_CASES = [
    # named communes after "các xã" lost the standard by name, not as "some communes"
    ("Huyện Phúc Thọ", "Theo bộ tiêu chí mới, các xã Liên Hiệp và Hát Môn không còn đạt chuẩn nông thôn mới.",
     {("commune", "Liên Hiệp", "recognized", None, None, "lost"), ("commune", "Hát Môn", "recognized", None, None, "lost")},
     {("commune", None, "recognized", None, None, "lost")}),
    # "Theo kế hoạch, năm … các xã …" is a plan ("hoàn thành theo kế hoạch" is not)
    ("Huyện Phúc Thọ", "Theo kế hoạch, năm 2025 các xã Liên Hiệp và Hát Môn đạt chuẩn nông thôn mới nâng cao.",
     {("commune", "Liên Hiệp", "recognized", None, None, "target")}, {("commune", "Liên Hiệp", "recognized", None, None, "actual")}),
    # the bare "xã" after an opening adverbial
    ("Tin nông thôn mới", "Xã Liên Hiệp, huyện Phúc Thọ đã đạt 18/19 tiêu chí nông thôn mới nâng cao. Dự kiến cuối năm 2024, "
     "xã sẽ được công nhận đạt chuẩn nông thôn mới nâng cao.",
     {("commune", "Liên Hiệp", "recognized", None, None, "expected")}, set()),
    # another programme's standard
    ("Huyện Phúc Thọ", "Huyện có 18/18 xã đạt chuẩn nông thôn mới, thị trấn Phúc Thọ đạt chuẩn đô thị văn minh.",
     {("district", "Phúc Thọ", "units_met", 18, 18, "actual")}, {("commune", "Phúc Thọ", "recognized", None, None, "actual")}),
    # "dẫn đầu với N/M xã" is the district's count ("so với" a comparison is not)
    ("Tỉnh Cao Bằng", "Huyện Hòa An dẫn đầu với 12/15 xã đạt chuẩn nông thôn mới.",
     {("district", "Hòa An", "units_met", 12, 15, "actual")}, {("district", "Hòa An", "recognized", None, None, "actual")}),
]


def test_a_plans_year_named_before_its_figure_or_in_an_earlier_plan():
    text = ("Tỉnh Long An\n\nTheo UBND tỉnh, trong năm 2024, tỉnh Long An phấn đấu có thêm 8 xã được công nhận đạt chuẩn "
            "nông thôn mới nâng cao, nâng tổng số xã đạt chuẩn nông thôn mới nâng cao lên 30 xã.\n")
    got = extract_records(text, {"title": "Tỉnh Long An", "published": "2024-02-02"}, "t")
    assert {(r["measure"], r["achieved"], r["modality"], r["year"]) for r in got} >= {("units_met", 30, "target", 2024)}


def test_communes_put_forward_for_recognition_keep_the_documents_year():
    """Communes listed as eligible to be recognised ("đủ điều kiện xét công nhận … gồm") are
    expected recognitions of the year the report gives, unlike units listed as meeting it now."""
    text = ("Huyện Phúc Thọ\n\nNăm 2024, huyện đề nghị xét công nhận xã Sen Phương đạt chuẩn nông thôn mới kiểu mẫu năm 2024. "
            "Đến nay, có 02 xã đủ điều kiện xét công nhận xã đạt chuẩn nông thôn mới kiểu mẫu gồm: Liên Hiệp, Hát Môn.\n")
    got = extract_records(text, {"title": "Huyện Phúc Thọ", "published": "2024-05-05"}, "t")
    years = {r["place"]: (r["modality"], r["year"]) for r in got if r["measure"] == "recognized" and r["place"]}
    assert years.get("Liên Hiệp") == ("expected", 2024) and years.get("Hát Môn") == ("expected", 2024)


REVIEW_TITLE = "Huyện Đông Anh xây dựng nông thôn mới"


def _recs_of(body: str, title: str = REVIEW_TITLE) -> list[dict]:
    return extract_records(f"{title}\n\n{body}\n", {"title": title, "published": "2024-05-05"}, "t")


def test_rules_added_for_new_phrasing_do_not_fire_on_their_neighbours():
    """Sentences written against the rules above (a review of them): each is one they must not misread."""
    # a province mention in odd capitals next to a count: no crash
    _recs_of("Đến nay tỉnh Đã có 80/120 xã đạt chuẩn NTM.", title="Tỉnh Đã Có 80/120 Xã Đạt Chuẩn")
    # "Tính đến nay, …" lists units meeting the standard now: no recognition year carried
    got = _recs_of("Năm 2022, xã Xuân Nộn được công nhận đạt chuẩn NTM nâng cao. Tính đến nay, xã Thụy Lâm và xã Vân Hà "
                   "đã đạt chuẩn NTM nâng cao.")
    assert {r["place"]: r["year"] for r in got} == {"Xuân Nộn": 2022, "Thụy Lâm": None, "Vân Hà": None}
    # a through-date ends where a sentence speaks of now
    got = _recs_of("Giai đoạn đầu, tính đến năm 2015, huyện Đông Anh có 5/23 xã đạt chuẩn NTM. Sau nhiều năm nỗ lực, hiện "
                   "nay huyện có 23/23 xã đạt chuẩn NTM.")
    assert {r["achieved"]: r["as_of"] for r in got} == {5: "2015", 23: "2024-05-05"}
    # "Kế hoạch số …" is a document's name, not a plan
    (r,) = _recs_of("Thực hiện Kế hoạch số 15/KH-UBND của huyện, tính đến hết tháng 3/2024, huyện có 20/23 xã đạt chuẩn NTM.")
    assert (r["modality"], r["as_of"]) == ("actual", "2024-03")
    # a headline in capitals does not set the spelling of the place
    (r,) = _recs_of("Đến nay, toàn huyện có 23/23 xã đạt chuẩn nông thôn mới.", title="HUYỆN ĐÔNG ANH ĐẠT CHUẨN NÔNG THÔN MỚI")
    assert r["place"] == "Đông Anh"
    # "nay không còn đạt" is a loss of the named communes
    assert {(r["place"], r["modality"]) for r in _recs_of("Đến nay, các xã Thụy Lâm, Vân Hà nay không còn đạt chuẩn NTM.")} \
        == {("Thụy Lâm", "lost"), ("Vân Hà", "lost")}
    # "đã đạt" continuing a clause is not a figure before its subject
    got = _recs_of("Xã Thụy Lâm về đích NTM từ năm 2020; đã đạt 17/19 tiêu chí NTM nâng cao, xã Vân Hà mới đạt 15/19 tiêu chí.")
    assert {(r["place"], r["achieved"]) for r in got if r["measure"] == "criteria"} == {("Thụy Lâm", 17), ("Vân Hà", 15)}
    # a total of 0 is no figure
    assert _recs_of("Huyện có 0/0 xã đạt chuẩn NTM. Xã Thụy Lâm đạt 0/0 tiêu chí NTM.") == []
    # plans that are not a named commune's recognition
    for body in ("Năm 2023, xã Thụy Lâm và xã Vân Hà được công nhận đạt chuẩn NTM nâng cao. Huyện tổ chức hội nghị tổng kết. "
                 "Các xã đang phấn đấu đạt chuẩn NTM kiểu mẫu.",
                 "Xã Thụy Lâm đạt chuẩn NTM nâng cao năm 2023. Xã phấn đấu có thêm hai thôn đạt chuẩn NTM kiểu mẫu trong năm 2024.",
                 "Xã Thụy Lâm đạt chuẩn NTM nâng cao năm 2023. Xã phấn đấu hoàn thành việc nâng cấp các tuyến đường giao thông "
                 "nông thôn mới.",
                 "Xã Thụy Lâm đạt chuẩn NTM nâng cao năm 2023. Xã đạt chuẩn NTM kiểu mẫu phải có thu nhập cao hơn 10%."):
        assert all(r["place"] is None or r["standard"] == "ntm_advanced" for r in _recs_of(body)), body
    # a province helping is not the container of the district's count
    (r,) = _recs_of("Nhờ tỉnh đã hỗ trợ kinh phí, đến nay có 15/23 xã đạt chuẩn NTM.")
    assert (r["unit"], r["place"]) == ("district", "Đông Anh")
    # a count of other units before a new recognition is not a stock of it
    got = _recs_of("Trong năm 2023, huyện có 2 thôn được công nhận thôn kiểu mẫu, 3 xã Thụy Lâm, Vân Hà, Liên Hà được công "
                   "nhận đạt chuẩn NTM nâng cao.")
    assert not any(r["measure"] == "units_met" and r["achieved"] == 3 for r in got)


def test_a_township_is_not_recalled_as_a_district():
    got = _recs_of("Thị trấn Trâu Quỳ vừa ra quân làm đường. Huyện đã đạt 8/9 tiêu chí huyện NTM.",
                   title="Xây dựng nông thôn mới ở Hà Nội")
    assert all(r["place"] != "Trâu Quỳ" for r in got)


def test_a_count_of_the_communes_just_named_gives_each_its_figure():
    """"cả 3 xã đều đạt 19/19" after three communes were named: each gets the figure; an
    unrelated count ("03 xã trong kế hoạch") stays unnamed."""
    got = _recs_of("Huyện trình hồ sơ đề nghị công nhận xã Liên Hà, xã Thụy Lâm và xã Vân Hà đạt chuẩn NTM nâng cao. "
                   "Kết quả rà soát cho thấy cả 3 xã đều đạt 19/19 tiêu chí.")
    assert {r["place"] for r in got if r["measure"] == "criteria"} == {"Liên Hà", "Thụy Lâm", "Vân Hà"}
    got = _recs_of("Năm 2023, xã Liên Hà và xã Thụy Lâm đạt chuẩn NTM nâng cao; 03 xã trong kế hoạch năm 2024 đều đạt 15/19 "
                   "tiêu chí trở lên.")
    assert {r["place"] for r in got if r["measure"] == "criteria"} == {None}


@_genre_cases(MORE_CASES + SESSION4_CASES + SUBJECT_CASES + QUALIFIER_CASES + MORE_SUBJECT_CASES)
def test_more_genre_phrasing(title, body, wanted, unwanted):
    """The cases written after the first set, grouped above by what they pin."""
    test_genre_phrasing(title, body, wanted, unwanted)
