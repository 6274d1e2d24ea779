"""The anchored and gated patterns of ``helpers.extract`` find exactly what their plain regexes find.

``_Anchored`` tries a pattern only where one of its literal anchors occurs and ``_Gated``
only when one of its keywords does (speed-ups of the extractor); these tests compare them
with the plain ``re`` call on sentences written for the test, on random texts built from
the patterns' own words (upper and lower case, with "ı", "ſ", "İ" inside and between words,
the Kelvin sign, digits) with random bounds, and on every sentence of the shared report
texts when ``../shared`` is present.  They are meant to turn a missing or misplaced anchor
into a difference (removing one, or shifting an offset, makes them fail).
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import extract as E
from helpers import paths
from helpers import text as T

ANCHORED = {name: obj for name, obj in vars(E).items() if isinstance(obj, E._Anchored)}
GATED = {name: obj for name, obj in vars(E).items() if isinstance(obj, E._Gated)}

OWN_SENTENCES = [
    "Đến nay, huyện có 12/15 xã đạt chuẩn nông thôn mới, 3 xã đạt chuẩn NTM nâng cao.",
    "Năm 2024 toàn tỉnh phấn đấu có thêm hai huyện đạt chuẩn NTM và ít nhất 5 xã NTM kiểu mẫu.",
    "Tính đến hết tháng 6/2023, cả nước có 6.000 xã đạt chuẩn; trong năm nay dự kiến công nhận thêm.",
    "Xã Tân Hòa đạt 17/19 tiêu chí, còn 2 tiêu chí chưa đạt; Thị xã Hòa Thành về đích năm 2022.",
    "UBND huyện đang hoàn thiện hồ sơ đề nghị xét công nhận huyện đạt chuẩn NTM giai đoạn 2021-2025.",
    "Quyết định số 12/QĐ-UBND ngày 5/3/2024 công nhận xã Mỹ Lộc đạt chuẩn NTM kiểu mẫu.",
    "Sáng 20/6/2024, Huyện ủy tổ chức hội nghị; TP. Vị Thanh và TX Long Mỹ có trên 10 thôn, bản đạt chuẩn.",
    "Tối thiểu ba xã, khoảng sáu thôn và gần mười khu dân cư mẫu; vườn mẫu tại ấp Phú Lợi, làng Đông, buôn Đôn.",
    "Kế hoạch: huy động mọi nguồn lực, tiếp tục xây dựng huyện nâng cao; xã nâng cao sẽ đạt chuẩn.",
    "HUYỆN ĐÃ ĐƯỢC CÔNG NHẬN ĐẠT CHUẨN NÔNG THÔN MỚI; XÃ NÂNG CAO; NTMNC; NTM NC và NTMKM.",
    "Phường, quận, tổ dân phố, khu phố; thị trấn Cái Tắc; xây dựng thành công huyện đạt chuẩn NTM.",
    "Toàn huyện có, của tỉnh, tỉnh ta, cả nước, toàn quốc, nationwide; nhiều xã bị rớt chuẩn; gồm: Tân Hòa.",
    "Trong giai đoạn 2026, cuối năm 2025, vào năm 2020, đến năm 2030 và trong năm 2019; năm nay, trong nay.",
    "Mục tiêu, chỉ tiêu, lộ trình, đăng ký, dự định, hướng tới, hướng đến, để xã, cần phải đạt, nhằm, quyết tâm.",
    "Sắp có, sẽ đạt, đề nghị xét, đủ điều kiện xét, đang trình, chờ công nhận, lập hồ sơ, tờ trình, trình UBND.",
    "Hoàn thành nhiệm vụ, cán đích, chạm đích, rớt chuẩn, là xã NTM, đạt xã NTM, đạt 18/19 tiêu chí.",
    "Có thêm tốı thiểu 5 xã; số liệu tớı ngày 20/6/2024; dự kıến, mục tıêu, ſẽ đạt, hồ ſơ; bị thu hồı; "
    "đến hết tháng 6; còn 2 tiêu chí chưa đạt gồm: giao thông, môi trường.",
]


def _signature(found) -> list[tuple]:
    return [m.regs for m in found]


def _agree(name: str, text: str, pos: int = 0, endpos: int | None = None) -> None:
    anchored = ANCHORED[name]
    plain = anchored.pattern
    end = len(text) if endpos is None else endpos
    assert _signature(anchored.finditer(text, pos, end)) == _signature(plain.finditer(text, pos, end)), (name, text, pos, end)
    a, p = anchored.search(text, pos, end), plain.search(text, pos, end)
    assert (a and a.regs) == (p and p.regs), (name, text, pos, end)


def _words(pattern: re.Pattern) -> list[str]:
    """Literal words of a regex source (the runs of letters and spaces between operators)."""
    parts = re.split(r"\\.|[()|?*+\[\]{}^$.:<>!=-]", pattern.pattern)
    return sorted({w.strip() for w in parts if re.search(r"[^\W\d_]{2}", w)} - {""})


def test_every_hot_pattern_is_anchored() -> None:
    assert {"_COUNT", "_STD", "_YEAR_RE", "_TYPED", "_TARGET", "_EXPECTED", "_AS_OF", "_RECOG_STRICT",
            "_SUBJ_DISTRICT", "_PROV_INLINE", "_DIST_INLINE"} <= set(ANCHORED)


@pytest.mark.parametrize("name", sorted(ANCHORED))
def test_anchored_agrees_on_own_sentences(name: str) -> None:
    for s in OWN_SENTENCES:
        for variant in (s, s.lower(), s.upper()):
            _agree(name, variant)
            for lo in range(0, len(variant), 13):
                _agree(name, variant, lo, min(len(variant), lo + 40))
                _agree(name, variant, lo)


def test_anchored_finds_matches_in_own_sentences() -> None:
    """The comparison is not vacuous: every anchored pattern matches somewhere above."""
    for name, anchored in ANCHORED.items():
        assert any(anchored.search(v) for s in OWN_SENTENCES for v in (s, s.upper())), name


def test_anchored_falls_back_when_lower_case_changes_length() -> None:
    s = "İ huyện có 5 xã đạt chuẩn NTM năm 2023"
    assert len(s.lower()) != len(s)
    _agree("_COUNT", s)
    _agree("_STD", s)
    assert [m.group(0) for m in E._COUNT.finditer(s)] == ["5 xã"]


_EXTRA = [" ", " ", ", ", "; ", ". ", "\n", "/", "-", "5", "12", "3.500", "2023", "20/6/2024", "(", ")", '"',
          "ı", "ſ", "İ", "\u212a", "Đ", "ạ", "A", "Nam"]


def _odd_cases(word: str) -> list[str]:
    """``word`` with letters that ``re.I`` folds differently from ``str.lower``."""
    return [word.replace("i", "ı"), word.replace("s", "ſ"), word.upper().replace("I", "İ"),
            word.replace("k", "\u212a")]


@st.composite
def _text_for(draw, pattern: re.Pattern) -> str:
    words = _words(pattern)
    pool = words + [w.upper() for w in words] + [w.title() for w in words] + \
        [v for w in words for v in _odd_cases(w)] + _EXTRA
    parts = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=14))
    glue = draw(st.sampled_from(["", " "]))
    return glue.join(parts)


@pytest.mark.parametrize("name", sorted(ANCHORED))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_anchored_agrees_on_random_texts(name: str, data) -> None:
    text = data.draw(_text_for(ANCHORED[name].pattern))
    pos = data.draw(st.integers(0, len(text)))
    endpos = data.draw(st.integers(pos, len(text)))
    _agree(name, text)
    _agree(name, text, pos, endpos)


@pytest.mark.parametrize("name", sorted(GATED))
def test_gated_agrees_on_own_sentences(name: str) -> None:
    gated = GATED[name]
    for s in OWN_SENTENCES:
        for variant in (s, s.lower(), s.upper(), *s.split("; ")):
            a, p = gated.search(variant), gated.pattern.search(variant)
            assert (a and a.regs) == (p and p.regs), (name, variant)
            assert _signature(gated.finditer(variant)) == _signature(gated.pattern.finditer(variant)), (name, variant)


@pytest.mark.parametrize("name", sorted(GATED))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_gated_agrees_on_random_texts(name: str, data) -> None:
    gated = GATED[name]
    text = data.draw(_text_for(gated.pattern))
    a, p = gated.search(text), gated.pattern.search(text)
    assert (a and a.regs) == (p and p.regs), (name, text)
    assert _signature(gated.finditer(text)) == _signature(gated.pattern.finditer(text)), (name, text)


def test_anchors_with_i_or_s_are_refused() -> None:
    with pytest.raises(ValueError):
        E._Anchored(re.compile("tối thiểu", re.I), (("tối th", 0),))
    with pytest.raises(ValueError):
        E._Gated(re.compile("thu hồi", re.I), ("thu hồi",))


def test_anchored_agrees_on_the_shared_reports(shared) -> None:
    sentences = []
    for folder in paths.corpus_dirs():
        for f in sorted(folder.glob("*.txt")):
            text = T.decode_document(f.read_bytes()).text
            if not text:
                continue
            work = T.blank_chrome(T.normalize_same_length(unicodedata.normalize("NFC", text), tones=False))
            sentences += [work[a:b] for a, b in T.sentence_spans(work)]
    assert len(sentences) > 300
    for name in ANCHORED:
        for s in sentences:
            _agree(name, s)
            for lo in range(0, len(s), 29):
                _agree(name, s, lo, min(len(s), lo + 60))
