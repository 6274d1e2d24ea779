"""helpers.text: normalisation, sentences, numbers, dates, decoding (sentences written for these tests)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import text as T


def test_normalize_same_length_keeps_offsets_and_fixes_lookalikes():
    s = unicodedata.normalize("NFC", "Xã Vũ Hòa,\u00a0huyện Ðông Sơn\tđạt chuẩn")
    out = T.normalize_same_length(s)
    assert len(out) == len(s)
    assert "Đông Sơn" in out and "\u00a0" not in out and "\t" not in out
    assert "Hoà" in out  # old tone placement folded
    assert "Hòa" in T.normalize_same_length(s, tones=False)


def test_fold_compares_names_across_spellings():
    assert T.fold("Hòa  Bình") == T.fold("Hoà Bình") == "hoà bình"
    assert T.fold(None) == ""


def test_blank_chrome_is_same_length_and_drops_other_news():
    doc = "Tiêu đề\n\nXã Tân Phú đạt chuẩn.\nChia sẻ bài viết\nCác tin khác\nHuyện X đạt 9/9 tiêu chí"
    out = T.blank_chrome(doc)
    assert len(out) == len(doc)
    assert "Chia sẻ" not in out and "9/9" not in out
    assert "Xã Tân Phú đạt chuẩn." in out


def test_sentences_survive_abbreviations():
    s = ("Sáng ngày 3/4/2023, TP. Vĩnh Yên và Q. Ba Đình họp bàn v.v. nhiều việc. "
         "TX. Sơn Tây có 5.775 hộ.\nDòng tiếp theo")
    sents = T.split_sentences(s)
    assert sents == ["Sáng ngày 3/4/2023, TP. Vĩnh Yên và Q. Ba Đình họp bàn v.v. nhiều việc.",
                     "TX. Sơn Tây có 5.775 hộ.", "Dòng tiếp theo"]
    for a, b in T.sentence_spans(s):
        assert s[a:b].strip() == s[a:b]


@pytest.mark.parametrize("token, value", [
    ("04", 4), ("hai", 2), ("mười", 10), ("5.775", 5775), ("18,1", 18.1), ("mười hai", 12),
    ("hai mươi lăm", 25), ("1.234,5", 1234.5), ("abc", None), ("", None),
])
def test_parse_number(token, value):
    assert T.parse_number(token) == value


@pytest.mark.parametrize("phrase, iso", [
    ("Sáng ngày 20/6/2024, hội nghị", "2024-06-20"),
    ("tính đến hết tháng 6/2022", "2022-06"),
    ("đến tháng 9-2019", "2019-09"),
    ("ngày 5-12", "2023-12-05"),
    ("công nhận năm 2023", "2023"),
    ("không có ngày", None),
])
def test_parse_date(phrase, iso):
    assert T.parse_date(phrase, default_year=2023) == iso


def test_parse_date_without_year_context_is_none():
    assert T.parse_date("ngày 5-12") is None


SENTENCE = "Năm 2023, huyện có thêm 3 xã đạt chuẩn nông thôn mới và các xã đều đạt nhiều tiêu chí của tỉnh."


def test_decode_utf8_and_bom():
    assert T.decode_document(SENTENCE.encode("utf-8")).text == SENTENCE
    assert T.decode_document(b"\xef\xbb\xbf" + SENTENCE.encode("utf-8")).encoding == "utf-8-bom"


# French written for this test: accented capitals and guillemets are also TCVN3 byte codes
FRENCH = ("« Où êtes-vous ? » demanda l’élève. « À l’Île-de-France, près du Château », répondit "
          "Maître Hélène. Ô surprise : « Ça coûte cher ! » Les communes rurales ont reçu « 15 » dossiers.")


def test_decode_valid_utf8_french_is_text_not_legacy():
    res = T.decode_document(FRENCH.encode("utf-8"))
    assert (res.text, res.encoding, res.problem) == (FRENCH, "utf-8", None)
    assert T.detect_language(res.text) == "fr"


def test_decode_repairs_mojibake():
    broken = SENTENCE.encode("utf-8").decode("latin-1").encode("utf-8")
    res = T.decode_document(broken)
    assert res.text == SENTENCE and res.encoding.startswith("mojibake")


def test_decode_lossy_mojibake_is_unreadable():
    lossy = SENTENCE.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8")
    res = T.decode_document(lossy)
    assert res.text is None and "mojibake" in res.problem


def test_decode_converts_tcvn3():
    inverse = {v: k for k, v in T._TCVN3.items()}
    legacy = "".join(inverse.get(c, c) for c in SENTENCE).encode("latin-1")
    res = T.decode_document(legacy)
    assert res.encoding == "tcvn3" and res.text == SENTENCE


def test_decode_says_when_the_text_reads_as_vietnamese():
    """``vietnamese`` is detect_language's verdict on the same characters (extract_path relies on it)."""
    for data in (SENTENCE.encode("utf-8"), FRENCH.encode("utf-8"), b"In 2023 the communes rose.",
                 SENTENCE.encode("utf-8").decode("latin-1").encode("utf-8")):
        res = T.decode_document(data)
        assert res.vietnamese == (T.detect_language(res.text) == "vi")
    assert T.decode_document(SENTENCE.encode("utf-8")).vietnamese


def test_decode_empty_and_binary():
    assert T.decode_document(b"  \n").problem == "empty file"
    assert "binary" in T.decode_document(b"\x00\x01\x02abc").problem


def test_detect_language():
    assert T.detect_language(SENTENCE) == "vi"
    assert T.detect_language("In 2023 the number of communes that meet the rural standard rose.") == "en"
    assert T.detect_language("Les communes de la province ont atteint les normes et sont reconnues.") == "fr"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_normalisers_never_change_length(s):
    s = unicodedata.normalize("NFC", s)
    assert len(T.normalize_same_length(s)) == len(s)
    assert len(T.blank_chrome(s)) == len(s)
    for a, b in T.sentence_spans(s):
        assert 0 <= a < b <= len(s)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_decode_never_raises(data):
    res = T.decode_document(data)
    assert res.text is not None or res.problem


def test_parse_date_rejects_days_not_in_the_calendar():
    from helpers.text import parse_date

    assert parse_date("Chiều ngày 31/2/2024, huyện Long Khánh tổ chức hội nghị.") is None
    assert parse_date("ngày 30-4", default_year=2023) == "2023-04-30"
    assert parse_date("ngày 31-4", default_year=2023) is None
    assert parse_date("ngày 29/2/2023") is None
    assert parse_date("ngày 29/2/2024") == "2024-02-29"
    assert parse_date("tháng 2/2024") == "2024-02"
