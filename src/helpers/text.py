"""Vietnamese report text: decoding, normalisation, sentences, numbers and dates.

Offsets matter: records point into the document text *as read* (after decoding and NFC).
Every normaliser here that the extractor runs on a whole document is **length-preserving**
(``normalize_same_length``, ``blank_chrome``), so a character offset found in the normalised
text is valid in the original one.  Tone placement ("hòa" / "hoà"), look-alike letters ("Ð"
U+00D0 → "Đ" U+0110) and odd spaces are all one-for-one substitutions after NFC.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "DecodeResult",
    "blank_chrome",
    "decode_document",
    "detect_language",
    "fold",
    "normalize_name_text",
    "normalize_same_length",
    "parse_date",
    "parse_number",
    "sentence_spans",
    "split_sentences",
]

# ---------------------------------------------------------------- normalisation

# Old-style tone placement ("òa", "óe", "ùy") → new style ("oà", "oé", "uỳ"): same length.
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _tone_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for mark in _TONE_MARKS:
            for up1, up2 in ((False, False), (True, False), (True, True)):
                a = first.upper() if up1 else first
                b = second.upper() if up2 else second
                old = unicodedata.normalize("NFC", a + mark) + b
                new = a + unicodedata.normalize("NFC", b + mark)
                pairs[old] = new
    return pairs


_TONE_PAIRS = _tone_pairs()
# only at the end of a syllable: "hòa" → "hoà" but "hoàng" is already new style and
# "thuỷ"/"thủy" both exist; we fold the old "òa"/"óe"/"ùy" when no letter follows.
_TONE_RE = re.compile("(" + "|".join(map(re.escape, _TONE_PAIRS)) + r")(?![^\W\d_])")
_LOOKALIKE = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u0189": "\u0110",
                            "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": " ",
                            "\t": " ", "\u2013": "-", "\u2014": "-", "\u2212": "-",
                            "\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
# the same one-for-one map as a character class: a regex scan skips the (common) runs of
# ordinary letters much faster than ``str.translate`` walks every character
_LOOKALIKE_CHARS = {chr(k): v for k, v in _LOOKALIKE.items()}
_LOOKALIKE_RE = re.compile("[" + re.escape("".join(_LOOKALIKE_CHARS)) + "]")


def _fix_lookalikes(text: str) -> str:
    """``text.translate(_LOOKALIKE)``, faster on long texts with few look-alikes."""
    return _LOOKALIKE_RE.sub(lambda m: _LOOKALIKE_CHARS[m.group()], text)


def normalize_same_length(text: str, tones: bool = True) -> str:
    """Look-alike letters, odd spaces, dashes/quotes and tone placement, one for one.

    The input must already be NFC; the output has exactly the same length, so offsets
    carry over.  ``tones=False`` keeps the writer's tone placement (names are stored as
    written; comparisons go through ``fold``).
    """
    out = _fix_lookalikes(text)
    if tones:
        out = _TONE_RE.sub(lambda m: _TONE_PAIRS[m.group(1)], out)
    assert len(out) == len(text)
    return out


def normalize_name_text(text: str) -> str:
    """A place name as stored: NFC, look-alikes fixed, single spaces, stripped."""
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKE)
    return re.sub(r"\s+", " ", text).strip(" ,.;:-")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, NFC, tone-placement and whitespace folding: the key for comparing names."""
    text = normalize_same_length(unicodedata.normalize("NFC", text if isinstance(text, str) else ""))
    return re.sub(r"\s+", " ", text.lower()).strip()


# Page chrome: navigation, share buttons, "other news" lists. Everything from an
# "other news" heading to the end is dropped; single chrome lines are blanked.
_CHROME_LINE = re.compile(
    r"^[ \t]*(?:chia sẻ(?: bài viết)?|in bài(?: viết)?|bản in|gửi email|tiếng việt \| english"
    r"|a- a a\+.*|tăng tương phản.*|tìm kiếm|website|google|bạn thấy trang web.*"
    r"|đăng lúc:.*|\d+%|[•·]\s*:?|[\w-]+\.(?:jpg|jpeg|png|gif))[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_CHROME_TAIL = re.compile(r"^[ \t]*(?:các tin khác|tin liên quan|các tin đã đưa(?: ngày)?:?|tin cùng chuyên mục|xem thêm)[ \t]*:?[ \t]*$",
                          re.IGNORECASE | re.MULTILINE)


def blank_chrome(text: str) -> str:
    """Replace page-chrome lines by spaces (same length) so no record comes from them."""
    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    out = _CHROME_LINE.sub(blank, text)
    tail = _CHROME_TAIL.search(out)
    if tail:
        out = out[: tail.start()] + re.sub(r"[^\n]", " ", out[tail.start():])
    assert len(out) == len(text)
    return out


# ---------------------------------------------------------------- sentences

_ABBREV = re.compile(
    r"(?:\b(?:TP|Tp|tp|Q|TX|Tx|TT|H|P|X|ThS|TS|PGS|GS|Th|St|NĐ|QĐ|v\.v|vv|Ths|BS|Mr|Dr|No|Nr|số|Ông|Bà)|\b[A-ZĐ])\.$"
)
_SENT_END = re.compile(r"[.!?…]+[\"”')\]]*(?=\s)|\n\s*\n|\n(?=\s*[-•+*]?\s*[A-ZĐÀ-Ỹ0-9])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; abbreviations (TP., Q., TX., v.v.) do not end one.

    Line breaks end a sentence (report lines and headings are separate statements); a
    full stop ends one unless it closes a known abbreviation or a single capital.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        piece = text[start:end]
        if piece.rstrip().endswith(".") and _ABBREV.search(piece.rstrip()[-8:]):
            continue
        if m.group(0).startswith(".") and re.search(r"\d\.$", text[start:m.start() + 1]) and \
                re.match(r"\s*\d", text[end:end + 3]):
            continue
        _push(text, start, end, spans)
        start = end
    _push(text, start, len(text), spans)
    return spans


def _push(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (see ``sentence_spans``)."""
    return [text[a:b] for a, b in sentence_spans(text)]


# ---------------------------------------------------------------- numbers

_WORD_NUMBERS = {
    "không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
    "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9, "mười": 10, "mươi": 10,
}


def parse_number(token: str) -> float | int | None:
    """A Vietnamese number: "04" → 4, "5.775" → 5775, "18,1" → 18.1, "hai" → 2, "mười hai" → 12.

    Dots group thousands; a comma is the decimal mark.  Returns None when ``token`` is not
    a number.
    """
    token = token.strip().lower()
    if not token:
        return None
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", token):
        return int(token.replace(".", ""))
    if re.fullmatch(r"\d+", token):
        return int(token)
    if re.fullmatch(r"\d+,\d+", token):
        return float(token.replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", token):
        return float(token.replace(".", "").replace(",", "."))
    words = token.split()
    if not words or any(w not in _WORD_NUMBERS for w in words):
        return None
    values = [_WORD_NUMBERS[w] for w in words]
    if len(values) == 1:
        return values[0] if words[0] not in ("mươi", "lăm", "mốt") else None
    # "mười hai" 12, "hai mươi" 20, "hai mươi lăm" 25, "ba mươi mốt" 31
    if words[0] == "mười":
        return 10 + values[1] if len(values) == 2 else None
    if len(values) >= 2 and words[1] in ("mươi", "mười"):
        tail = values[2] if len(values) == 3 else 0
        return values[0] * 10 + tail if len(values) <= 3 else None
    return None


# ---------------------------------------------------------------- dates

_DATE_PATTERNS = [
    # 20/6/2024, 20-6-2024, 20.6.2024
    (re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})(?!\d)"), "dmy"),
    # tháng 6/2022, tháng 6-2019, tháng 6 năm 2022
    (re.compile(r"tháng\s+(\d{1,2})\s*(?:[/-]|năm)\s*((?:19|20)\d{2})(?!\d)", re.I), "my"),
    # 6/2022 (bare month/year)
    (re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*((?:19|20)\d{2})(?!\d)"), "my"),
    # ngày 5-12, ngày 28/6 (no year)
    (re.compile(r"(?:ngày|sáng|chiều|tối|trưa)\s+(?:ngày\s+)?(?:nay\s+)?(\d{1,2})\s*[/-]\s*(\d{1,2})(?![\d/-])", re.I), "dm"),
    # năm 2023
    (re.compile(r"năm\s+((?:19|20)\d{2})(?!\d)", re.I), "y"),
]


def parse_date(text: str, default_year: int | None = None) -> str | None:
    """The first date in ``text`` as partial ISO ("2024-06-20", "2022-06", "2023").

    "Sáng ngày 20/6/2024" → "2024-06-20"; "tháng 6/2022" → "2022-06"; "ngày 5-12" →
    "YYYY-12-05" with ``default_year`` (None when no year is known); "năm 2023" → "2023".
    """
    best: tuple[int, str] | None = None
    for pattern, kind in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            iso = _iso(m, kind, default_year)
            if iso is not None:
                if best is None or m.start() < best[0]:
                    best = (m.start(), iso)
                break
    return best[1] if best else None


def _iso(m: re.Match[str], kind: str, default_year: int | None) -> str | None:
    g = m.groups()
    try:
        if kind == "dmy":
            d, mo, y = int(g[0]), int(g[1]), int(g[2])
        elif kind == "my":
            d, mo, y = 0, int(g[0]), int(g[1])
        elif kind == "dm":
            if default_year is None:
                return None
            d, mo, y = int(g[0]), int(g[1]), default_year
        else:
            return f"{int(g[0]):04d}"
    except ValueError:
        return None
    if not 1 <= mo <= 12 or not 1900 <= y <= 2100:
        return None
    if d:
        try:  # a real calendar day: "31/2/2024" or "31/4" is a misreading, not a date
            datetime.date(y, mo, d)
        except ValueError:
            return None
    return f"{y:04d}-{mo:02d}" + (f"-{d:02d}" if d else "")


# ---------------------------------------------------------------- decoding

@dataclass(frozen=True)
class DecodeResult:
    """A decoded document: ``text`` (NFC) or None when unreadable, and what was done."""

    text: str | None
    encoding: str  # utf-8, utf-8-bom, mojibake-cp1252, tcvn3, ...
    problem: str | None = None  # why the text is unreadable / suspicious
    vietnamese: bool = False  # the first 1,500 characters of ``text`` read as Vietnamese (as detect_language)


_VIET_CHARS = set("ạảãàáâầấẩẫậăằắẳẵặđêềếểễệẹẻẽèéìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
_VIET_ONLY = set("ạảãầấẩẫậăằắẳẵặđềếểễệẹẻẽỉĩịỏọồốổỗộơờớởỡợủũụưừứửữựỳỷỹỵ")
_COMMON_WORDS = re.compile(r"\b(?:xã|và|của|nông thôn|tiêu chí|huyện|tỉnh|được|các|năm|đạt)\b", re.I)

# TCVN3 (ABC, TCVN 5712:1993 VN3) single-byte code → Unicode, lower-case glyph table.
_TCVN3 = {
    "µ": "à", "¶": "ả", "·": "ã", "¸": "á", "¹": "ạ",
    "¨": "ă", "»": "ằ", "¼": "ẳ", "½": "ẵ", "¾": "ắ", "Æ": "ặ",
    "©": "â", "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ê": "ấ", "Ë": "ậ",
    "®": "đ", "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ð": "é", "Ñ": "ẹ",
    "ª": "ê", "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Õ": "ế", "Ö": "ệ",
    "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Ý": "í", "Þ": "ị",
    "ß": "ò", "á": "ỏ", "â": "õ", "ã": "ó", "ä": "ọ",
    "«": "ô", "å": "ồ", "æ": "ổ", "ç": "ỗ", "è": "ố", "é": "ộ",
    "¬": "ơ", "ê": "ờ", "ë": "ở", "ì": "ỡ", "í": "ớ", "î": "ợ",
    "ï": "ù", "ñ": "ủ", "ò": "ũ", "ó": "ú", "ô": "ụ",
    "\u00ad": "ư", "õ": "ừ", "ö": "ử", "÷": "ữ", "ø": "ứ", "ù": "ự",
    "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "ý": "ý", "þ": "ỵ",
    "¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư", "§": "Đ",
}
_TCVN3_TABLE = str.maketrans(_TCVN3)
# TCVN3 codes that French/English text does not use (é, è, à, ô... are shared)
_TCVN3_DISTINCT = set("µ¶·¸¹¨»¼½¾Æ©ËÌÎÏÑªÒÓÔÕÖ×ØÜÝÞß«¬®¡¢£¤¥¦§")
# characters that betray VNI-Windows (tone/vowel marks typed as separate Latin-1 letters)
_VNI_HINT = re.compile(r"[aeiouy](?:ø|ù|û|õ|ï|ä|ã|å|à|á|â)|ñ[aeiou]|ö[ôơ]|ñöôøng|ö", re.I)
_MOJIBAKE_HINT = re.compile(r"Ã[\x80-\xbf¡-ÿ]|á»|áº|Æ°|Ä‘|Ä\x91")


_VIET_RE = re.compile("[" + "".join(sorted(_VIET_CHARS)) + "]")
_VIET_ONLY_RE = re.compile("[" + "".join(sorted(_VIET_ONLY)) + "]")


def _viet_share(text: str) -> float:
    """Share of Vietnamese-marked letters among the non-space characters (a cheap proxy)."""
    low = text.lower()
    n = len(low) - low.count(" ") - low.count("\n")
    if n <= 0:
        return 0.0
    return (len(low) - len(_VIET_RE.sub("", low))) / n


def _looks_vietnamese(text: str) -> bool:
    sample = text[:1500]
    return _viet_share(sample) > 0.04 and _VIET_ONLY_RE.search(sample.lower()) is not None and \
        _has_common_words(sample, 2)


def _has_common_words(text: str, n: int) -> bool:
    """At least ``n`` common Vietnamese words (stops scanning at the ``n``-th)."""
    for i, _ in enumerate(_COMMON_WORDS.finditer(text), 1):
        if i >= n:
            return True
    return False


def _undo_mojibake(text: str) -> str | None:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) < 256:
                out.append(ord(ch))
            else:
                return None
    try:
        return unicodedata.normalize("NFC", out.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def decode_document(data: bytes) -> DecodeResult:
    """Bytes of a report → NFC text, converting legacy encodings only when certain.

    UTF-8 (with or without BOM) is the contract.  UTF-8 read as cp1252 ("mojibake") is
    repaired by the reverse round trip; TCVN3 (ABC) text is converted by table when the
    result reads as Vietnamese.  VNI and anything else non-Unicode is reported unreadable.
    """
    if not data.strip():
        return DecodeResult(None, "empty", "empty file")
    if b"\x00" in data[:4096]:
        return DecodeResult(None, "binary", "binary file (NUL bytes), not text")
    encoding = "utf-8"
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            text, encoding = data[3:].decode("utf-8"), "utf-8-bom"
        else:
            text = data.decode("utf-8")
    except UnicodeDecodeError:
        text, encoding = data.decode("cp1252", errors="replace"), "cp1252"
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    # mojibake: UTF-8 bytes shown as cp1252 / latin-1 ("Ä‘áº¡t" for "đạt")
    if len(_MOJIBAKE_HINT.findall(text)) >= 3:
        fixed = _undo_mojibake(text)
        if fixed is not None and _looks_vietnamese(fixed):
            return DecodeResult(fixed, "mojibake-cp1252", vietnamese=True)
        return DecodeResult(None, encoding, "mojibake (UTF-8 read as a legacy code page) that could not be repaired without loss")
    if _looks_vietnamese(text):
        return DecodeResult(text, encoding, vietnamese=True)
    legacy = sum(c in _TCVN3_DISTINCT for c in text)
    if legacy > 0.03 * max(1, sum(c.isalpha() for c in text)):
        converted = unicodedata.normalize("NFC", text.translate(_TCVN3_TABLE))
        if _looks_vietnamese(converted) and not _VNI_HINT.search(converted.replace("ö", "")[:0]):
            if len(_COMMON_WORDS.findall(converted)) >= 3:
                return DecodeResult(converted, "tcvn3", vietnamese=True)
        if encoding != "cp1252" and detect_language(text) in ("en", "fr"):
            # valid UTF-8 French/English: accented capitals and «» are shared with TCVN3 codes,
            # but the text is readable as is (the extractor then reports it as not Vietnamese)
            return DecodeResult(text, encoding)
        if len(_VNI_HINT.findall(text)) > 5:
            return DecodeResult(None, encoding, "legacy VNI encoding detected (not converted: ambiguous)")
        return DecodeResult(None, encoding, "legacy non-Unicode Vietnamese (TCVN3/VNI) that could not be converted with certainty")
    return DecodeResult(text, encoding)


def detect_language(text: str) -> str:
    """'vi', 'en', 'fr' or 'other' from diacritics and function words (enough for reports)."""
    sample = text[:1500]
    if _looks_vietnamese(sample):
        return "vi"
    low = sample.lower()
    en = len(re.findall(r"\b(?:the|of|and|communes?|to|in|were|is|rural)\b", low))
    fr = len(re.findall(r"\b(?:les|des|de|et|communes|la|le|sont|ont)\b", low))
    if en >= 3 and en >= fr:
        return "en"
    if fr >= 3:
        return "fr"
    return "other"
