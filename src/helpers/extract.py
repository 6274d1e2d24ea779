"""Rule-based extraction of NTM progress records from Vietnamese report texts.

Every record is explainable: it keeps the ``sentence`` it came from, the character span
``start``/``end`` of that sentence in the document text (NFC, as read), and the ``rule``
that fired.  The rules follow ``../shared/ANNOTATION.md``:

* ``criteria`` / ``indicators``: "xã A đạt 17/19 tiêu chí, 55/57 chỉ tiêu" — the subject is
  the place(s) named before the figure, else the commune/district the text just spoke of.
* ``units_met``: "huyện có 7/9 xã đạt chuẩn", "cả nước có 5.775/8.227 xã đạt chuẩn" — a
  count of lower units that meet a standard belongs to its container (country, province,
  district) found from the sentence or the document's topic.
* ``recognized``: named places that are, will be, or are meant to be recognised
  ("công nhận xã A, B đạt chuẩn NTM năm 2023"); counts of new recognitions without names
  ("có thêm 11 xã đạt chuẩn") give one record with an empty place.

Modality comes from cue words (dự kiến, đề nghị xét công nhận → expected; phấn đấu, kế
hoạch, mục tiêu, quyết tâm → target; rớt chuẩn → lost).  Places are resolved with
``helpers.gazetteer`` using the document's context (its district and province, and the
other places it names); ambiguous names abstain.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import re
import sys
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import text as T
from helpers.datasets import DataFileError
from helpers.records import RECORD_COLUMNS, empty_records, record_problems, validate_records

__all__ = [
    "DocResult",
    "build_derived_records",
    "extract_corpus",
    "extract_document",
    "extract_path",
    "iter_documents",
]

# Years an NTM figure can plausibly refer to.  The programme was launched by Resolution
# 26-NQ/TW (2008) and Decision 800/QĐ-TTg (2010); the first pilot communes date from 2009.
# A year before 2000 in a progress sentence is a misreading (an old founding date, a typo),
# so the extractor reads it as "no year"; the upper bound is the schema's (targets reach 2030+).
NTM_YEARS = (2000, 2100)
MAX_BYTES = 300_000  # longer documents are cut (and reported): reports are a few kB

# Inline patterns, compiled once: ``re.search(p, s)`` goes through two Python-level calls
# and a cache look-up per call, a measurable share of the per-sentence cost here.
_compiled = lru_cache(maxsize=None)(re.compile)


def _search(pattern: str, string: str, flags: int = 0) -> re.Match | None:
    return _compiled(pattern, flags).search(string)


def _match(pattern: str, string: str, flags: int = 0) -> re.Match | None:
    return _compiled(pattern, flags).match(string)


def _fullmatch(pattern: str, string: str, flags: int = 0) -> re.Match | None:
    return _compiled(pattern, flags).fullmatch(string)


# ---------------------------------------------------------------- lexicon

_UP = "A-ZÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯẠ-ỸÐ"
_LO = "a-zàáâãèéêìíòóôõùúýăđĩũơưạ-ỹ"
_TOK = rf"(?:[{_UP}][{_LO}{_UP}'’]*|Ea|\d{{1,2}}(?![\d/.,]))"
_NAME = rf"[{_UP}][{_LO}{_UP}'’]*(?:-[{_UP}][{_LO}{_UP}'’]*(?: [{_UP}][{_LO}{_UP}'’]*)?)?(?:[ ](?!(?:TP|TX|TT|UBND)\b)(?:[{_UP}][{_LO}{_UP}'’]*|\d{{1,2}}(?![\d/]|[.,]\d)|I{{1,3}}\b))*"
NAME_RE = re.compile(_NAME)

_UNIT_WORDS = {
    "xã": "commune", "phường": "commune", "thị trấn": "commune",
    "huyện": "district", "thị xã": "district", "thành phố": "district", "tp": "district",
    "tx": "district", "quận": "district", "tỉnh": "province",
    "thôn": "village", "bản": "village", "ấp": "village", "khu dân cư": "village",
    "làng": "village", "tổ dân phố": "village", "buôn": "village", "khu phố": "village",
}
# the centrally-run cities (provinces) of the 2022 gazetteer; any other "thành phố" is a district
_CENTRAL_CITIES = ("Hồ Chí Minh", "Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ")
_TYPE = r"(?:[Kk]hu dân cư(?: thôn)?|[Tt]hị trấn|[Tt]hị xã|[Tt]hành phố|tổ dân phố|khu phố|[Xx]ã|XÃ|[Pp]hường|[Hh]uyện|[Qq]uận|[Tt]ỉnh|[Tt]hôn|bản|ấp|làng|buôn|TP\.?|TX\.?|Tp\.?)"
TYPED_RE = re.compile(rf"(?=[KkTtXxPpHhQqbấl])(?<![{_LO}{_UP}])(?:{_TYPE})\s+(?!(?:Nông|NTM|Nông thôn)\b)({_NAME})")

_NUM = (r"(?:\d{1,3}(?:\.\d{3})+|\d+|mười (?:một|hai|ba|bốn|lăm|năm|sáu|bảy|tám|chín)(?!\w)"
        r"|(?:hai|ba|bốn|năm|sáu|bảy|tám|chín) mươi(?: (?:mốt|một|hai|ba|bốn|tư|lăm|năm|sáu|bảy|tám|chín)(?!\w))?"
        r"|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)")
_COUNT_NOUN = (r"(?:đơn vị hành chính cấp huyện|đơn vị cấp huyện|đơn vị cấp xã|huyện, thị xã, thành phố|huyện, thị, thành"
               r"|huyện, thị|huyện|thị xã|xã, phường, thị trấn|xã|tỉnh, thành phố|tỉnh, thành|tỉnh|địa phương"
               r"|thôn, bản|thôn, xóm|thôn, tổ dân phố|thôn|xóm|bản|ấp|khu dân cư|làng|đơn vị)")
COUNT_RE = re.compile(
    rf"(?=[\dmhbnstcíkg])(?<![\d.,/])(?:(trên|hơn|ít nhất|khoảng|gần|tối thiểu|từ)\s+)?({_NUM})(?:\s*(?:/|trên tổng số|trên)\s*(\d{{1,3}}(?:\.\d{{3}})+|\d+|(?:(?<=trên\s)|(?<=trên\s\s))(?:{_NUM})))?"
    rf"(?:\s*[-–]\s*\d+)?\s+(?:số\s+)?({_COUNT_NOUN})\b", re.I)
CRIT_RE = re.compile(
    rf"(?=[\dmhbnstcí])(?<![\d.,/])(?:(trên|hơn|ít nhất|từ)\s+)?(\d{{1,3}}(?:\.\d{{3}})?|{_NUM})(?:\s*(?:/|trên)\s*(\d+))?(?:\s*(?:[-–]|đến)\s*(\d+))?\s+(tiêu chí|chỉ tiêu)", re.I)

STD_RE = re.compile(
    r"(?=[nkvhx])(nông thôn mới\s*(?:\(NTM\)\s*)?nâng cao|NTM\s*nâng cao|NTMNC|NTM\s+NC\b|nông thôn mới\s*\"?\s*kiểu mẫu|NTM\s*kiểu mẫu|"
    r"NTMKM|kiểu mẫu|vườn mẫu|nông thôn mới|NTM\b|huyện nâng cao|xã nâng cao)", re.I)

_ORG = re.compile(
    r"(?<![\w])(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Đảng ủy|Đảng uỷ|HĐND|Hội đồng nhân dân|Chủ tịch|Bí thư|Ban Chỉ đạo|Ban chỉ đạo|BCĐ|MTTQ|"
    r"Huyện ủy|Huyện uỷ|Tỉnh ủy|Tỉnh uỷ|Văn phòng|Trưởng|trưởng|Phó|phó|Phòng|Công an|Trung tâm|Đài|Báo|Hội|Sở|cấp ủy|chính quyền|Nhân dân|nhân dân|người dân|Mặt trận|Đoàn|"
    r"Trường|trường|Bệnh viện|Quân sự|quân sự|Chi cục|đoàn công tác|lãnh đạo|Lãnh đạo|cán bộ|Hội nghị|hội nghị|đồng chí|ông|bà|"
    r"tuyến|đường|Nhà văn hóa|nhà văn hoá|nhà văn hóa|Thường trực|Thường vụ|cơ quan|doanh nghiệp|tặng|HTX)"
    r"(?:\s+(?:[\w.]+\s+){0,3})?\s*$")

# modality cues
_LOST = re.compile(r"rớt\"? chuẩn|\"rớt\"|không còn đạt|bị thu hồi|thu hồi (?:quyết định|bằng)|tụt hạng|không đạt chuẩn|rớt khỏi", re.I)
_EXPECTED = re.compile(
    r"dự kiến|sắp |\bsẽ (?:có|đạt|hoàn thành|được)|đề nghị (?:xét[, ]*)?(?:công nhận|thẩm định|UBND|Chủ tịch|cấp|Thủ tướng|Trung ương|Hội đồng)|đề nghị xét|đủ điều kiện(?: để)? (?:xét|đề nghị|công nhận|trình)|"
    r"đang (?:hoàn thiện|hoàn chỉnh|lập|xây dựng|thẩm định|được (?:các sở ngành )?(?:đang )?thẩm định)|đang (?:được )?(?:các )?sở ngành|hồ sơ đề nghị|"
    r"trình (?:UBND|Thủ tướng|Chủ tịch|cấp)|chờ (?:công nhận|quyết định)|lập hồ sơ|hoàn thiện hồ sơ|đang (?:trình|chờ)|"
    r"tờ trình", re.I)
_TARGET = re.compile(
    r"phấn đấu(?! với)|(?<!sự )quyết tâm(?! (?:chính trị )?cao)|(?<!vượt )(?<!so với )(?<!so )(?<![Tt]rình )(?<!hoàn thành )mục tiêu(?! [Qq]uốc gia)(?! (?:đề ra|cả giai đoạn|năm 20\d\d\)))|(?<!trong )(?<!theo )(?<!vượt )(?<!% )kế hoạch(?!\s+số)|(?<![\d/] )(?<![\d/]  )(?<!\d )chỉ tiêu(?! (?:của|do))|đăng ký|lộ trình|"
    r"cần (?:phải )?(?:hoàn thành|đạt)|huy động (?:mọi |các )?nguồn lực|hỗ trợ (?:xã|huyện|thôn)|nhằm|hướng tới|hướng đến|để (?:huyện|xã|tỉnh)|dự định|tiếp tục xây dựng|"
    r"xây dựng (?:thành công |đạt chuẩn )?(?:xã|huyện) .{0,30}năm 20\d\d|chỉ đạo xây dựng", re.I)


class _Gated:
    """A regex run only when one of its literal keywords occurs in the lower-cased text.

    Python's ``re.I`` matching of Vietnamese alternations is slow (~100 µs per sentence);
    every alternative of the pattern contains one of ``keys`` (lower case; for a
    case-insensitive pattern without "i" or "s", as the anchors of ``_Anchored``), so a
    cheap substring test rules most sentences out with the same result.
    """

    def __init__(self, pattern: re.Pattern, keys: tuple[str, ...]):
        for key in keys:
            if key != key.lower() or (pattern.flags & re.I and ("i" in key or "s" in key)):
                raise ValueError(f"gate key {key!r}: not lower case, or an 'i' or 's' in a case-insensitive pattern's key")
        self.pattern, self.keys = pattern, keys

    def _open(self, text: str) -> bool:
        low = text.lower()
        return any(k in low for k in self.keys)

    def search(self, text: str) -> re.Match | None:
        return self.pattern.search(text) if self._open(text) else None

    def finditer(self, text: str) -> Iterator[re.Match]:
        return self.pattern.finditer(text) if self._open(text) else iter(())


_DIGIT_RUN = re.compile(r"\d\d*")  # a leading class: ``re`` skips to digits in C
_LOWER_CACHE: dict[int, tuple[str, str]] = {}


def _lower(text: str) -> str:
    """``text.lower()``, kept for the last few strings: a sentence is scanned by several patterns."""
    hit = _LOWER_CACHE.get(id(text))
    if hit is not None and hit[0] is text:
        return hit[1]
    low = text.lower()
    if len(_LOWER_CACHE) >= 8:
        # the many short strings (clauses, windows) make room; a long sentence, read again for
        # each place it names, stays
        for key in [k for k, (t, _) in _LOWER_CACHE.items() if len(t) < 2000]:
            del _LOWER_CACHE[key]
        if len(_LOWER_CACHE) >= 8:
            _LOWER_CACHE.clear()
    _LOWER_CACHE[id(text)] = (text, low)
    return low


_ANCHORED: list[_Anchored] = []


class _Anchored:
    """A regex tried only where one of its literal anchors occurs: the same matches, faster.

    ``re`` tries a case-insensitive alternation at every position of a string (it has no
    first-character skip for it), the largest single cost of the extractor.  Every match of
    ``pattern`` has one of ``anchors`` (``(literal, offset)``, the literal in lower case,
    ``offset`` characters after the match start), or starts a run of digits (``digits``),
    or starts the string (``at_start``, for ``^`` alternatives).  One scan of the lower-cased
    text for the literals (a plain alternation, which ``re`` skips through in C) lists those
    start positions and ``pattern.match`` is tried there in order: what ``search`` and
    ``finditer`` would find.  Literals have no "i" or "s", whose case-insensitive matches
    include "ı" and "ſ" that ``str.lower`` keeps apart; a text whose lower case changes
    length ("İ") takes the plain ``pattern`` call.  ``tests/test_extract_anchored.py``
    compares every anchored pattern with its plain form.
    """

    def __init__(self, pattern: re.Pattern, anchors: tuple[tuple[str, int], ...], digits: bool = False,
                 at_start: bool = False):
        self.pattern, self.digits, self.at_start = pattern, digits, at_start
        self.offsets = dict(anchors)
        for key, off in anchors:  # the scan reports one key per position: a prefix must share its offset
            if key != key.lower() or "i" in key or "s" in key or \
                    any(k != key and k.startswith(key) and o != off for k, o in anchors):
                raise ValueError(f"anchor {key!r}: not lower case, has an 'i' or 's', or is a prefix of a key "
                                 "with another offset")
        # one alternation of plain literals: ``re`` skips to their first letters in C
        self.keys = re.compile("|".join(re.escape(k) for k, _ in sorted(anchors, key=lambda a: -len(a[0]))))
        self.last_text: str | None = None  # the text last scanned, and the start positions found in it
        self.last_starts: list[int] | None = None
        _ANCHORED.append(self)

    def _scan(self, text: str) -> list[int] | None:
        """The start positions in all of ``text``, ascending; ``None`` if lower case changes its length."""
        low = _lower(text)
        if len(low) != len(text):
            return None
        starts = [0] if self.at_start else []
        offsets, search = self.offsets, self.keys.search
        m = search(low)
        while m is not None:  # overlapping occurrences: restart one character on
            i = m.start()
            if i >= offsets[m.group()]:
                starts.append(i - offsets[m.group()])
            m = search(low, i + 1)
        if self.digits:
            starts.extend(m.start() for m in _DIGIT_RUN.finditer(text))
        return sorted(set(starts)) if len(starts) > 1 else starts

    def _starts(self, text: str, pos: int, endpos: int) -> list[int] | None:
        # a sentence is scanned again and again by the same pattern (clause by clause, a window
        # after each place it names): the positions found in its whole text serve every range of
        # it, which keeps a sentence listing thousands of places linear
        if self.last_text is not text:
            self.last_text, self.last_starts = text, self._scan(text)
        found = self.last_starts
        if found is None:
            return None
        starts = found[bisect_left(found, pos):bisect_left(found, endpos)]
        if self.digits and pos < len(text) and text[pos].isdecimal() and (not starts or starts[0] != pos):
            starts.insert(0, pos)  # a run of digits entered in its middle, as ``finditer(text, pos)`` sees it
        return starts

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        pos = max(pos, 0)  # as ``re`` reads a negative start
        starts = self._starts(text, pos, endpos)
        if starts is None:
            return self.pattern.search(text, pos, endpos)
        match = self.pattern.match
        for i in starts:
            m = match(text, i, endpos)
            if m:
                return m
        return None

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match]:
        pos = max(pos, 0)
        starts = self._starts(text, pos, endpos)
        if starts is None:
            yield from self.pattern.finditer(text, pos, endpos)
            return
        match = self.pattern.match
        after = pos
        for i in starts:
            if i >= after:
                m = match(text, i, endpos)
                if m:
                    yield m
                    after = m.end()


_LOST = _Gated(_LOST, ("rớt", "không còn đạt", "thu hồ", "tụt hạng", "không đạt chuẩn"))
_EXPECTED = _Anchored(_EXPECTED, (("dự k", 0), ("ắp ", 1), ("ẽ ", 1), ("đề nghị", 0), ("đủ đ", 0), ("đang ", 0),
                                  ("hồ ", 0), ("trình ", 0), ("chờ ", 0), ("lập hồ", 0), ("hoàn th", 0), ("tờ trình", 0)))
_TARGET = _Anchored(_TARGET, (("phấn đấu", 0), ("quyết tâm", 0), ("mục t", 0), ("kế hoạch", 0), ("chỉ t", 0),
                              ("chỉ đ", 0), ("đăng ký", 0), ("lộ trình", 0), ("cần ", 0), ("huy động", 0),
                              ("hỗ trợ ", 0), ("nhằm", 0), ("hướng t", 0), ("hướng đ", 0), ("để ", 0), ("dự định", 0),
                              ("ếp tục xây dựng", 2), ("xây dựng ", 0)))
_NOT_RECORD = re.compile(r"^\s*(?:%|phần trăm)|^\s*tiêu chí\s*/", re.I)

_YEAR_RE = re.compile(r"(?:năm|trong năm|đến năm|vào năm|cuối năm|giai đoạn)\s+((?:19|20)\d\d)(?!\s*[-–]\s*20)|(?:năm|trong) nay", re.I)

# the hot scanning patterns, tried only at their anchors (see ``_Anchored``)
_COUNT = _Anchored(COUNT_RE, (("trên", 0), ("hơn", 0), ("ít nhất", 0), ("khoảng", 0), ("gần", 0), ("tố", 0), ("từ", 0),
                              ("một", 0), ("ha", 0), ("ba", 0), ("bốn", 0), ("năm", 0), ("áu", 1), ("bảy", 0), ("tám", 0),
                              ("chín", 0), ("mườ", 0)), digits=True)
_STD = _Anchored(STD_RE, (("nông thôn mớ", 0), ("ntm", 0), ("ểu mẫu", 2), ("vườn mẫu", 0), ("huyện nâng cao", 0),
                          ("xã nâng cao", 0)))
_TYPED = _Anchored(TYPED_RE, tuple((k, 0) for k in (
    "khu dân cư", "thị trấn", "thị xã", "thành phố", "tổ dân phố", "khu phố", "xã", "phường", "huyện", "quận", "tỉnh",
    "thôn", "bản", "ấp", "làng", "buôn", "tp", "tx")))
_YEAR_RE = _Anchored(_YEAR_RE, (("năm", 0), ("trong", 0), ("đến năm", 0), ("vào năm", 0), ("cuố", 0), ("đoạn", 5)))


def _std_of(text: str, pos: int = 0, endpos: int = sys.maxsize) -> str | None:
    """The standard named last in ``text[pos:endpos]`` (None when it names none)."""
    m = None
    for m in _STD.finditer(text, pos, endpos):
        pass
    if m is None:
        return None
    return _std_word(m.group(0))


@lru_cache(maxsize=1024)  # a handful of distinct spellings ("NTM", "nông thôn mới nâng cao"...)
def _std_word(word: str) -> str:
    w = word.lower()
    if "nâng cao" in w or "ntmnc" in w or _search(r"ntm\s+nc", w):
        return "ntm_advanced"
    if "kiểu mẫu" in w or "mẫu" in w or "ntmkm" in w:
        return "ntm_model"
    return "ntm"


# ---------------------------------------------------------------- context


@dataclass
class DocContext:
    """What the whole document tells about every sentence: topic place, dates."""

    doc_id: str
    url: str | None = None
    published: str | None = None
    title: str = ""
    pub_year: int | None = None
    default_as_of: str | None = None
    district: str | None = None
    province: str | None = None
    district_code: str | None = None
    province_code: str | None = None
    scope: str = "country"  # country | province | district
    commune_districts: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # candidates not kept, with the reason
    written: dict[str, str] = field(default_factory=dict)  # gazetteer name of the topic places → as the text writes it


def _note_drop(ctx: DocContext, start: int, end: int, what: str, reason: str) -> None:
    """List a candidate figure the rules reject (offsets + figure + reason; no sentence text)."""
    ctx.dropped.append(f"candidate dropped ({ctx.doc_id} chars {start}-{end}, {what}): {reason}")


# why the gazetteer's data could not be loaded (no network and no mirror, say): it is tried
# once per process, not once per place, and every document then says its places are unresolved
_GAZETTEER_DOWN: list[str] = []


def _gazetteer():
    if _GAZETTEER_DOWN:
        return None
    try:
        from helpers import gazetteer
    except Exception as exc:  # the gazetteer is optional: resolution degrades to "unknown"
        _gazetteer_down(exc)
        return None
    return gazetteer


def _gazetteer_down(exc: Exception) -> None:
    """Record the first reason the gazetteer is unusable, when ``exc`` is one (missing data)."""
    if not isinstance(exc, (ImportError, OSError, DataFileError)) or _GAZETTEER_DOWN:
        return
    text = str(exc).strip()
    _GAZETTEER_DOWN.append(f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}")


@lru_cache(maxsize=1)
def _province_names() -> dict[str, tuple[str, str]]:
    g = _gazetteer()
    out: dict[str, tuple[str, str]] = {}
    if g is None:
        return out
    try:
        for code, name in zip(g.provinces()["province_code"], g.provinces()["province_name"]):
            out[T.fold(name)] = (name, code)
    except Exception as exc:
        _gazetteer_down(exc)
        return {}
    extra = {"bà rịa-vũng tàu": "Bà Rịa - Vũng Tàu", "bà rịa - vũng tàu": "Bà Rịa - Vũng Tàu", "tp. hồ chí minh": "Hồ Chí Minh", "tp hồ chí minh": "Hồ Chí Minh", "tp.hcm": "Hồ Chí Minh",
             "thừa thiên - huế": "Thừa Thiên Huế", "huế": "Thừa Thiên Huế", "giai lai": "Gia Lai"}
    for alias, name in extra.items():
        if T.fold(name) in out:
            out[alias] = out[T.fold(name)]
    return out


@lru_cache(maxsize=1)
def _province_regex() -> re.Pattern | None:
    provs = _province_names()
    if not provs:
        return None
    alts = sorted(provs, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alts)) + r")(?!\w)")


@lru_cache(maxsize=1)
def _district_index() -> dict[str, list[tuple[str, str, str, str]]]:
    """folded district name → [(name, code, province_name, province_code)]."""
    g = _gazetteer()
    out: dict[str, list[tuple[str, str, str, str]]] = {}
    if g is None:
        return out
    try:
        d = g.districts()
    except Exception as exc:
        _gazetteer_down(exc)
        return out
    for name, code, pname, pcode in zip(d["district_name"], d["district_code"], d["province_name"], d["province_code"]):
        out.setdefault(T.fold(name), []).append((name, code, pname, pcode))
    return out


@lru_cache(maxsize=65536)
def _resolve(name: str, unit: str, province: str | None = None, district: str | None = None):
    g = _gazetteer()
    if g is None or not name:
        return None
    try:
        return g.resolve(name, unit=unit, province=province, district=district)
    except Exception as exc:
        _gazetteer_down(exc)
        return None


_PROV_INLINE = re.compile(rf"(?i:tỉnh|thành phố)\s+({_NAME})")
_DIST_INLINE = re.compile(rf"(?<![{_LO}{_UP}])(?i:huyện|thị xã|thành phố|TX\.?|TP\.?|quận)\s+({_NAME})")
_PROV_INLINE = _Anchored(_PROV_INLINE, (("tỉnh", 0), ("thành phố", 0)))
_DIST_INLINE = _Anchored(_DIST_INLINE, (("huyện", 0), ("thị xã", 0), ("thành phố", 0), ("tx", 0), ("tp", 0), ("quận", 0)))


_NATIONAL = _Gated(re.compile(r"cả nước|toàn quốc|trung ương|Bộ Nông nghiệp|Thủ tướng", re.I),
                   ("cả nước", "toàn quốc", "trung ương", "bộ nông ngh", "thủ tướng"))


# the lead's dateline, after an agency tag ("(LĐ online) - Chiều 15/11", "VOV.VN - Sáng 3/4/2024")
_DATELINE = re.compile(r"\s*(?:\(?[\w.&' ]{1,30}\)?\s*[-–—]\s*)?(?:Sáng|Chiều|Tối|Trưa|Ngày|Hôm nay|Sáng nay|Chiều nay)\s*"
                       r"(?:ngày\s*|nay\s*)?(\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*(?:19|20)\d\d)?)(?!\d|[/.,-]\d)", re.I)


_LOWER_TYPE_BEFORE = re.compile(r"(?:^|\W)(?:xã|phường|thị trấn|thôn|ấp|bản|huyện|thị xã|quận)\s+$")


def _written_as_name(name: str) -> bool:
    """A place name as a sentence writes it ("Hoà Bình", "Đăk Glei"), not in a capitalised headline."""
    return all(w[:1].isupper() and w[1:] == w[1:].lower() for w in name.split())


def _doc_context(work: str, doc_id: str, meta: dict, spans: list[tuple[int, int]] | None = None) -> DocContext:
    ctx = DocContext(doc_id=doc_id, url=meta.get("url"))
    pub = meta.get("published")
    ctx.published = _partial_iso(pub) if isinstance(pub, str) else None
    first = next((ln.strip() for ln in work.splitlines() if ln.strip()), "")
    ctx.title = (meta.get("title") or first or "").strip()
    head = work[:600]
    # a leading publication line in the page ("11/10/2021", "08/05/2024 - 10:10", "Đăng lúc: 27/03/2024")
    if ctx.published is None:
        m = _search(r"(?m)^\s*(?:Đăng lúc:\s*|Ngày đăng:\s*)?(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b", head)
        if m:
            ctx.published = f"{int(m.group(3)):04d}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
        elif isinstance(pub, str):
            ctx.published = T.parse_date(pub)
    ctx.pub_year = int(ctx.published[:4]) if ctx.published else None
    ctx.default_as_of = ctx.published
    # event date in the lead: "Sáng ngày 20/6/2024, ..." "Ngày 12/9, ..." "Chiều 27/3/2024,"
    spans = spans if spans is not None else T.sentence_spans(work)
    body = [work[a:b] for a, b in spans[:8]]
    for sent in body[:6]:
        m = _DATELINE.match(sent)
        if m:
            iso = T.parse_date("ngày " + re.sub(r"\s+", "", m.group(1)).replace(".", "/"), ctx.pub_year)
            if iso:
                ctx.default_as_of = iso
                if ctx.pub_year is None:
                    ctx.pub_year = int(iso[:4])
            break
    # topic: the district and province the document is about
    provs = _province_names()
    dists = _district_index()
    text_for_topic = ctx.title + "\n" + work[:3000]
    pcount: Counter[str] = Counter()
    surface: dict[str, str] = {}  # folded key → the first spelling the text uses
    for m in _PROV_INLINE.finditer(text_for_topic):
        key = _match_prefix(m.group(1), provs)
        if key:
            pcount[key] += 3 if m.start() < len(ctx.title) else 1
            surface.setdefault(key, " ".join(m.group(1).split()[:len(key.split())]))
    title_key = T.fold(ctx.title)
    for key in provs:
        if key in title_key and any(not _LOWER_TYPE_BEFORE.search(title_key, 0, i)
                                    for i in (m.start() for m in re.finditer(re.escape(key), title_key))):
            pcount[key] += 2  # a province named in the title, not a commune or district called like it
    dcount: Counter[str] = Counter()
    for m in _DIST_INLINE.finditer(text_for_topic):
        key = _match_prefix(m.group(1), dists)
        if key and key not in provs and not _search(r"(?:Ủy ban nhân dân|UBND)\s*$", text_for_topic[max(0, m.start() - 20):m.start()]):
            dcount[key] += 3 if m.start() < len(ctx.title) else 1
            surface.setdefault(key, " ".join(m.group(1).split()[:len(key.split())]))
    # title "Tân Trụ tập trung..." / "Phù Cát (Bình Định): ..." names a district without its type word
    tm = _match(rf"\s*(?:Huyện\s+)?({_NAME})", ctx.title)
    if tm:
        key = _match_prefix(tm.group(1), dists)
        if key and key not in provs and not any(k == key for k in provs):
            dcount[key] += 2
    if pcount:
        best = pcount.most_common(1)[0][0]
        ctx.province, ctx.province_code = provs[best]
        if best in surface and T.fold(surface[best]) == T.fold(ctx.province) and _written_as_name(surface[best]):
            ctx.written[ctx.province] = surface[best]
    if dcount:
        best, n = dcount.most_common(1)[0]
        cands = dists[best]
        if ctx.province_code:
            same = [c for c in cands if c[3] == ctx.province_code]
            cands = same or ([] if n < 3 else cands)
        in_title = any(T.fold(c[0]) in title_key for c in cands)
        prov_in_title = any(k in title_key for k in provs)
        strong = in_title or (n >= 3 and not prov_in_title and (len(dcount) == 1 or n >= 2 * dcount.most_common(2)[-1][1]))
        if len(cands) == 1 and strong:
            ctx.district, ctx.district_code = cands[0][0], cands[0][1]
            if best in surface and _written_as_name(surface[best]):
                ctx.written[ctx.district] = surface[best]
            if ctx.province is None or ctx.province_code != cands[0][3]:
                ctx.province, ctx.province_code = cands[0][2], cands[0][3]
    lead = ctx.title + " " + " ".join(body[:3])
    national = _NATIONAL.search(lead)
    if ctx.district is None and ctx.province is None and not national:
        # a local government portal names its place in its host: <district>.<province>.gov.vn
        host = _portal_place(ctx.url)
        if host is not None:
            ctx.province, ctx.province_code, ctx.district, ctx.district_code = host
    if ctx.district is None and ctx.province is None:
        # a district report that never names its district: the communes it names tell
        ctx.scope = "country"
        communes = [m.group(1) for m in _TYPED.finditer(work) if m.group(0)[:2].lower() in ("xã",)]
        names = list(dict.fromkeys(n for n in communes if len(n) > 2))[:8]
        g = _gazetteer()
        if g is not None and len(names) >= 2 and not national:
            try:
                res = g.resolve_group(names, unit="commune")
            except Exception as exc:
                _gazetteer_down(exc)
                res = None
            if res is not None and res.status == "exact" and res.candidates:
                c = res.candidates[0]
                ctx.district, ctx.district_code = c.name, c.code
                ctx.province, ctx.province_code = c.province_name, c.province_code
    if ctx.district is None:
        # a district the gazetteer does not know, named in the title ("Huyện X ..."): keep the name
        tm = _search(rf"(?:^|\s)(?:[Hh]uyện|[Tt]hị xã)\s+({_NAME})", ctx.title)
        if tm and T.fold(tm.group(1)) not in provs:
            ctx.district = tm.group(1)
    if ctx.district is not None:
        ctx.scope = "district"
    elif ctx.province is not None:
        ctx.scope = "province"
    if ctx.scope != "country" and _search(r"cả nước|toàn quốc", ctx.title, re.I):
        ctx.scope = "country"
    return ctx


def _squash(name: str) -> str:
    """"Thủy Nguyên" -> "thuynguyen": how a place name appears in a host name."""
    folded = unicodedata.normalize("NFD", T.fold(name).replace("đ", "d"))
    return re.sub(r"[^a-z0-9]", "", folded)


@lru_cache(maxsize=1)
def _portal_index() -> tuple[dict[str, tuple[str, str]], dict[tuple[str, str], tuple[str, str]]]:
    provs = {_squash(name): (name, code) for name, code in _province_names().values()}
    dists: dict[tuple[str, str], tuple[str, str]] = {}
    for entries in _district_index().values():
        for name, code, _pname, pcode in entries:
            dists[(pcode, _squash(name))] = (name, code)
    return provs, dists


@lru_cache(maxsize=4096)
def _portal_place(url: str | None) -> tuple[str, str, str | None, str | None] | None:
    """(province, code, district, code) of a ``*.gov.vn`` portal URL, e.g. a district
    portal ``https://<district>.<province>.gov.vn/...``; None when the host names none."""
    m = _match(r"https?://(?:www\.)?([a-z0-9.-]+)\.gov\.vn(?:[:/]|$)", url or "", re.I)
    if not m:
        return None
    labels = m.group(1).lower().split(".")
    try:
        provs, dists = _portal_index()
    except Exception:
        return None
    prov = provs.get(labels[-1])
    if prov is None:
        return None
    dist = dists.get((prov[1], labels[-2])) if len(labels) >= 2 else None
    return (prov[0], prov[1], dist[0] if dist else None, dist[1] if dist else None)


def _match_prefix(name: str, index: dict) -> str | None:
    words = name.split()
    for n in range(min(len(words), 4), 0, -1):
        key = T.fold(" ".join(words[:n]))
        if key in index:
            return key
    return None


def _partial_iso(value: str) -> str | None:
    m = _match(r"\s*((?:19|20)\d\d)(?:-(\d\d)(?:-(\d\d))?)?", value)
    if m:
        return "-".join(g for g in m.groups() if g)
    return T.parse_date(value)


# ---------------------------------------------------------------- place groups


@dataclass
class Group:
    """Places a figure is about: named items and/or a count of units."""

    start: int
    end: int
    unit: str | None = None
    names: list[tuple[str, str | None]] = field(default_factory=list)  # (name, district)
    count: int | None = None
    total: int | None = None
    qualifier: str = "exact"
    counted_noun: str | None = None
    new: bool = False
    org: bool = False
    pilot: bool = False
    listed: bool = False
    from_count: bool = False


_SEP = re.compile(r"\s*(?:,|;|\bvà\b|&|:|\.\.\.|-(?=\s*(?:xã|Xã)\b))\s*")
_QUAL_PAREN = re.compile(rf"\s*\(\s*(?:thuộc\s+|của\s+)?(?:(?i:huyện|thị xã|thành phố|TP\.?|TX\.?|quận|tỉnh)\s+)?({_NAME})(?:\s*[,-]\s*(?:(?i:tỉnh|thành phố)\s+)?{_NAME})?\s*\)")
_QUAL_LINK = re.compile(rf"\s*(?:,|-|của|thuộc|ở|tại)?\s*(?i:huyện|thị xã|thành phố|TP\.?|TX\.?|quận)\s+({_NAME})")
_ITEM = re.compile(rf"\s*(?:{_TYPE}\s+)?({_NAME})(?:\s+(?!(?:của|thuộc|tại|ở|và|gồm|là|đạt|được|huyện|xã|năm|có|đã|đều|cũng|với|thị|tỉnh|thành|nay|này|đó)\b)([{_LO}]+)(?=\s*(?:,|;|\)|\.|$|\bvà\b|\s(?:xã|huyện)\s)))?")


_OPEN_PAREN = re.compile(r"\s*\(")
_CLOSE_PAREN = re.compile(r"\s*\)")
_SUBUNIT = re.compile(r"\s*(?i:xã|phường|thị trấn|thôn|bản|ấp)\s")
_THEN_COMMUNE = re.compile(rf"\s+(?i:xã|phường)\s+{_NAME}")


def _parse_list(s: str, pos: int, end: int, first_type: str | None = None) -> tuple[list[tuple[str, str | None]], int]:
    """Names listed from ``pos``: "A, B (huyện H); C và D" → [(A,H),(B,H),(C,None),(D,None)]."""
    items: list[list] = []
    pending: list[int] = []
    while pos < end:
        m = _QUAL_PAREN.match(s, pos, end) if items and pending else None
        if m:
            for i in pending:
                items[i][1] = m.group(1)
            pending = []
            pos = m.end()
            continue
        m = _QUAL_LINK.match(s, pos, end) if items and first_type not in ("district", "province") else None
        if m:
            for i in (pending or [len(items) - 1]):
                items[i][1] = m.group(1)
            pending = []
            pos = m.end()
            continue
        if not items:
            m = _OPEN_PAREN.match(s, pos, end)
            if m:
                pos = m.end()
                continue
        else:
            m = _SEP.match(s, pos, end)
            if m and m.end() > pos:
                pos = m.end()
                continue
        if items and first_type in ("district", "province") and _SUBUNIT.match(s, pos, end):
            break  # "huyện A, xã B đạt ...": the commune starts a mention of its own
        m = _ITEM.match(s, pos, end)
        if m and m.group(1):
            name = m.group(1)
            if m.group(2) and len(name.split()) < 3 and m.group(2) not in ("đạt", "được", "là", "có", "cần", "đã", "đều"):
                name = name + " " + m.group(2)
            if _bad_name(name):
                break
            # "thôn A xã B": the commune after a village qualifies it
            items.append([name, None])
            pending.append(len(items) - 1)
            pos = m.end()
            q = _THEN_COMMUNE.match(s, pos, end) if first_type == "village" else None
            if q:
                pos = q.end()
            continue
        m = _CLOSE_PAREN.match(s, pos, end)
        if m:
            pos = m.end()
            continue
        break
    return [(n, d) for n, d in items], pos


_BAD_WORDS = {"nông", "ntm", "ntmnc", "nông thôn", "quyết", "ubnd", "hđnd", "bộ", "theo", "trong", "năm", "đến", "tháng",
              "nghị", "đồng", "chủ", "bí", "phó", "kế", "thủ", "chính", "ban", "tổng", "ngày", "sở", "văn", "đảng", "kiểu",
              "các", "mỗi", "về", "tiêu", "đây", "đó", "hiện", "qua", "như", "với", "tại", "từ", "sau", "trước", "cùng", "trung",
              "bình", "chương", "trường", "huyện", "xã", "tỉnh", "việt", "hội", "giai", "lễ", "kỳ", "mục", "đợt", "lần", "phong"}
_BAD_FIRST = {"ntm", "ntmnc", "ubnd", "hđnd", "quyết", "nghị", "theo", "trong", "năm", "đến", "tháng", "thủ", "chủ",
              "bộ", "ban", "tổng", "ngày", "sở", "đảng", "các", "mỗi", "về", "tiêu", "đây", "đó", "hiện", "qua", "như",
              "với", "tại", "từ", "sau", "trước", "cùng", "chương", "mục", "chiều", "sáng", "tối", "trưa", "hôm", "nhân", "lễ", "đợt", "lần", "kiểu",
              "vườn", "đạt", "được", "gồm", "là", "và", "có", "thôn", "xã", "huyện", "tỉnh", "cả", "toàn", "những", "một",
              "trên", "dưới", "thêm", "tất", "riêng", "đặc", "nâng", "hoàn", "công", "đề", "mới", "chỉ", "bằng", "thẩm"}


def _bad_name(name: str) -> bool:
    first = name.split()[0].lower()
    if first in _BAD_FIRST:
        return T.fold(name) not in _places_with_bad_first()
    return len(name) < 2 or name.isdigit() or name.lower().startswith("nông thôn")


# names of the gazetteer that are also everyday phrases: kept out even when capitalised
_PHRASE_NAMES = {"chỉ đạo", "quyết tâm", "công bằng", "nhân đạo", "nhân quyền", "công lý", "nhân nghĩa", "bằng hữu"}


@lru_cache(maxsize=1)
def _places_with_bad_first() -> frozenset[str]:
    """Folded commune and district names that start with a ``_BAD_FIRST`` word ("Quyết Thắng",
    "Nhân Hòa", "Thủ Thừa", about 1% of communes): a list parsed up to one is not cut there."""
    g = _gazetteer()
    if g is None:
        return frozenset()
    try:
        names = [*g.communes()["commune_name"], *g.districts()["district_name"]]
    except Exception as exc:
        _gazetteer_down(exc)
        return frozenset()
    return frozenset(f for f in map(T.fold, names) if f.split()[0] in _BAD_FIRST and f not in _PHRASE_NAMES)


_VERB_GAP = re.compile(r"\b(?:công nhận|đạt|đưa|hỗ trợ|giúp|ký|quyết định|đề nghị|xét|trao|tặng|bỏ phiếu|thẩm định|kiểm tra|chỉ đạo)\b")


def _is_org(s: str, pos: int) -> bool:
    """The mention right after an organisation word ("UBND xã A", "Chủ tịch UBND huyện B") names
    the organisation, not a subject; a verb in between ("UBND tỉnh công nhận xã A") breaks it."""
    m = _ORG.search(s[max(0, pos - 45):pos])
    return bool(m) and not _VERB_GAP.search(m.group(0))


_LIST_AFTER = _Gated(re.compile(r"(?:gồm|bao gồm|đó là)\s*:?\s*[-–•]?\s*(?=[%s])" % _UP), ("gồm", "đó là"))


class _Spans:
    """Whether positions asked in ascending order fall inside spans already taken: the furthest
    end of the spans begun so far, in time linear in the spans (a sentence may list thousands)."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans, self.k, self.reach = sorted(spans), 0, -1

    def covers(self, pos: int) -> bool:
        while self.k < len(self.spans) and self.spans[self.k][0] <= pos:
            self.reach = max(self.reach, self.spans[self.k][1])
            self.k += 1
        return pos < self.reach

    def add(self, end: int) -> None:
        """A span that begins at the position last asked about."""
        self.reach = max(self.reach, end)


def _groups(s: str, lo: int, hi: int, covered: list[tuple[int, int]] | None = None) -> list[Group]:
    """Counts ("04 xã A, B", "5/10 xã") and typed mentions ("xã A", "các xã A, B và C")."""
    groups: list[Group] = []
    taken: list[tuple[int, int]] = list(covered or [])
    covered_by = _Spans(taken)
    for m in _COUNT.finditer(s, lo, hi):
        if covered_by.covers(m.start()):
            continue
        noun = m.group(4).lower()
        after = s[m.end():m.end() + 3]
        if _match(r"\s*(?:/|tiêu chí)", after) or _NOT_RECORD.match(s[m.end():m.end() + 12]):
            continue
        pre = s[max(lo, m.start() - 25):m.start()].lower()
        back = s[max(lo, m.start() - 140):m.start()].lower()
        stock_is = "số " in back and "là" in back and _search(r"(?:tổng )?số (?:xã|huyện|thôn)[^.;]{0,120}\blà\s*$", back)
        if not stock_is and _search(r"(?:thứ|lần|đợt|số|thuộc|của|(?<!nhất )là|năm|(?<!đối )với|gồm|trong|trên tổng số|xây dựng|chọn)\s*$", pre) \
                and not (m.start() - lo < 12 and _fullmatch(r"\s*[Vv]ới\s*", s[lo:m.start()])) \
                and not (m.group(3) and _search(r"(?<!so )(?<!đối )với\s*$", pre)):
            # "Với 24/24 xã đạt chuẩn, huyện A …", "huyện A dẫn đầu với 12/15 xã" give the count; "so với 30 xã" does not
            continue
        if _match(r"\s*(?:\w+\s+){0,3}(?:đã\s+)?có\s+(?:100%|tỷ lệ)|\s*(?:\S+\s+){0,6}(?:kể trên|nói trên)|\s*(?:\w+\s+){0,2}này\b", s[m.end():m.end() + 40]) and not (
                noun == "địa phương" or _search(r"hoàn thành nhiệm vụ", s[m.end():m.end() + 80])):
            continue
        before_num = s[max(lo, m.start() - 12):m.start()]
        if _search(r"\d\s*[-–]\s*$|tăng\s*$|giảm\s*$", before_num):
            continue
        word = m.group(2).lower()
        count = T.parse_number(word)
        if count is None or isinstance(count, float):
            continue
        if word == "năm" and not _match(r"\s*(?:xã|huyện)", s[m.end(2):m.end(2) + 5]):
            continue
        if word == "một" and _match(r"\s+số\b", s[m.end(2):m.end(2) + 5]):
            continue  # "một số xã": some communes, not one
        total = int(T.parse_number(m.group(3))) if m.group(3) else None  # "12/15", "sáu trên tám"
        if total is None and _search(r"(?:tất cả|toàn bộ)\s*$", pre):
            total = int(count)  # "tất cả 94 xã": 94 of 94
        unit = _noun_unit(noun)
        g = Group(m.start(), m.end(), unit=unit, count=int(count), total=total, counted_noun=noun)
        if m.group(1) and m.group(1).lower() in ("trên", "hơn", "ít nhất", "tối thiểu", "từ"):
            g.qualifier = "at_least"
        if _match(r"\s*[-–]\s*\d", s[m.end(2) + (len(m.group(3)) + 1 if m.group(3) else 0):][:4]) or _search(r"\d\s*[-–]\s*\d+\s+\w+$", m.group(0)):
            g.qualifier = "at_least"
        if m.group(1) and m.group(1).lower() in ("khoảng", "gần"):
            g.qualifier = "exact"
        if _search(r"(?:thêm|công nhận|công nhận thêm|bỏ phiếu|quyết định|công bố)\s*$", pre) or \
                _search(r"riêng (?:trong )?năm \d{4},?\s*(?:đã\s+)?có\s*$", s[max(0, m.start() - 30):m.start()].lower()) or _match(r"\s*(?:\w+\s+){0,2}(?:vừa|mới) được", s[m.end():m.end() + 25]):
            g.new = True
        elif not _search(r"(?:có|tổng số|đã có|nâng tổng số[^,;]*)\s*$", pre) and \
                _match(r"\s*(?:\([^)]*\)\s*)?(?:vừa\s+được|được\s+(?:UBND|Ủy ban|Uỷ ban|Chủ tịch|Thủ tướng))\s+(?:\S+\s+){0,5}?công nhận", s[m.end():m.end() + 60]) and \
                not _search(r"\bcó\b", s[lo:m.start()]):
            g.new = True
        prev = groups[-1] if groups else None
        if prev is not None and prev.new and prev.count is not None and m.start() - prev.end < 70 and \
                not _search(r"\b(?:có|nâng tổng|nâng số|đưa số|lên|đến nay|như vậy)\b", s[prev.end:m.start()]):
            g.new = True
        if not groups and lo > 0 and state_new_hint(s, lo):
            g.new = True
        g.org = _is_org(s, m.start())
        # names right after the count, after "gồm/là", or in parentheses
        pos = m.end()
        mm = _match(r"\s*(?:điểm|NTM|còn lại|trên địa bàn|trong đó|được chọn)?\s*(?:\(\s*|:\s*|gồm:?\s*|là:?\s*|,?\s*gồm:?\s*)?", s[pos:hi])
        p2 = pos + (mm.end() if mm else 0)
        names, endp = _parse_list(s, p2, len(s), unit)
        if names and (s[pos:p2].strip() or _starts_name(s, pos)):
            g.names, g.end = names, endp
        else:
            # list after the predicate: "4 xã đạt chuẩn NTM gồm: A, B"; "có 3 xã ... là A, B và C"
            tail = s[m.end():hi]
            gm = _search(r"(?:gồm|bao gồm|là|đó là|như|:)\s*:?\s*[-–•(]?\s*(?:các\s+)?(?=(?:xã|thôn|huyện|[%s]))" % _UP, tail[:260])
            stop = _search(r"\d+\s*(?:/\d+\s*)?(?:xã|huyện|thôn)\b", tail[:gm.start()] if gm else "")
            if gm and not stop:
                names, endp = _parse_list(s, m.end() + gm.end(), len(s), unit)
                if names:
                    g.names = names
                    g.end = endp
            else:
                pm = _search(r"\(\s*(?=[%s]|khu |thôn |xã |ấp |bản )" % _UP, tail[:120])
                if pm and not _search(r"\d+\s*(?:xã|huyện)", tail[:pm.start()]) and (_search(r"đạt|công nhận", tail[:pm.start()]) or _fullmatch(r"\s*(?:điểm\s*)?" + STD_RE.pattern + r"?\s*", tail[:pm.start()], re.I)):
                    names, endp = _parse_list(s, m.end() + pm.end(), len(s), unit)
                    if names and len(names) <= (g.count or 0):
                        g.names = names
                        g.end = max(g.end, endp)
        g.pilot = bool(_match(r"\s*điểm\b", s[m.end():m.end() + 8]))
        if noun == "địa phương":
            if not g.names:
                continue
            provs = _province_names()
            g.unit = "province" if all(_match_prefix(n, provs) for n, _ in g.names) else "district"
            g.count = None
            g.from_count = True
        groups.append(g)
        taken.append((g.start, g.end))
        covered_by.add(g.end)
    # "Các xã được công nhận ... gồm: A (huyện H), B": a list after gồm/là with the unit noun before
    for m in _LIST_AFTER.finditer(s[lo:hi]):
        p0 = lo + m.end()
        if any(x <= p0 <= y for x, y in taken):
            continue
        nouns = re.findall(r"(?<!nông )\b(xã|huyện|thôn|tỉnh|khu dân cư)\b", s[lo:lo + m.start()])
        if not nouns:
            continue
        names, endp = _parse_list(s, p0, len(s), _UNIT_WORDS[nouns[-1]])
        if names:
            g = Group(p0, endp, unit=_UNIT_WORDS[nouns[-1]], names=names, listed=True)
            groups.append(g)
            taken.append((p0, endp))
    covered_by = _Spans(taken)
    for m in _TYPED.finditer(s, lo, hi):
        if covered_by.covers(m.start()):
            continue
        typ = m.group(0).split()[0].lower().rstrip(".")
        if typ in ("khu", "thị", "thành", "tổ"):
            typ = " ".join(m.group(0).lower().split()[:2]) if typ != "khu" else "khu dân cư"
        unit = _UNIT_WORDS.get(typ, "commune")
        if typ == "thành phố" and m.group(1) in _CENTRAL_CITIES:
            unit = "province"
        if typ in ("tp", "tp.") and m.group(1) in _CENTRAL_CITIES:
            unit = "province"
        pre = s[max(lo, m.start() - 10):m.start()].lower()
        names, endp = _parse_list(s, m.start(), len(s), unit)
        if not names:
            continue
        if unit in ("district", "province") and len(names) > 1 and not _search(r"các\s*$", pre):
            # "huyện A, tỉnh B" names one district; "huyện A và huyện B" names two
            span = s[m.start():endp]
            names = names[:1] + [(n, q) for n, q in names[1:]
                                 if unit == "district" and _typed_district_in(n, span) and n not in _CENTRAL_CITIES]
        g = Group(m.start(), endp, unit=unit, names=names)
        g.org = _is_org(s, m.start())
        groups.append(g)
        covered_by.add(endp)
    groups.sort(key=lambda g: g.start)
    return groups


_DISTRICT_WORD_BEFORE = re.compile(r"(?:^|\s)(?:[Hh]uyện|[Tt]hị xã|[Tt]hành phố|TP\.?|TX\.?)\s+$")
_WORD_CHAR = re.compile(r"\w")


def _typed_district_in(name: str, span: str) -> bool:
    """Whether ``span`` names ``name`` with a district word of its own ("… và huyện B"), as a
    whole word (fixed patterns: a per-name regex would grow the compiled-pattern cache)."""
    i = span.find(name)
    while i >= 0:
        after = i + len(name)
        if not _WORD_CHAR.match(span, after) and _DISTRICT_WORD_BEFORE.search(span, 0, i):
            return True
        i = span.find(name, i + 1)
    return False


def state_new_hint(s: str, lo: int) -> bool:
    """A clause after ';' that continues a list of new recognitions ("công nhận 2 xã ...; 16 xã ...")."""
    head = s[:lo]
    last = head.rfind(";")
    if last < 0:
        return False
    prev_clause = head[max(0, head.rfind(";", 0, last) + 1):last]
    return bool(_search(r"(?:công nhận|bỏ phiếu[^;]{0,30}?công nhận)(?:\s+thêm)?\s+\d+\s+(?:xã|huyện)", prev_clause)) and \
        bool(_match(r"\s*\d+\s+(?:xã|huyện|thôn)", s[lo:lo + 12]))


def _starts_name(s: str, pos: int) -> bool:
    return bool(_match(rf"\s+(?:{_TYPE}\s+)?[{_UP}]", s[pos:pos + 30]))


def _noun_unit(noun: str) -> str:
    noun = noun.lower()
    if noun.startswith(("đơn vị cấp huyện", "đơn vị hành chính cấp huyện", "huyện", "thị xã")):
        return "district"
    if noun.startswith("tỉnh") or noun == "địa phương":
        return "province"
    if noun.startswith(("thôn", "xóm", "bản", "ấp", "khu dân cư", "làng")):
        return "village"
    if noun == "đơn vị":
        return "district"
    return "commune"


# ---------------------------------------------------------------- rules


@dataclass
class Sent:
    start: int
    end: int
    text: str
    idx: int


_PLAN_OPENING = re.compile(r"\s*(?:Theo|Trong) kế hoạch(?:\s+năm\s+\d{4})?\s*,")


@lru_cache(maxsize=4096)
def _modality(clause: str, sent_head: str) -> str:
    if _LOST.search(clause):
        return "lost"
    if _PLAN_OPENING.match(sent_head) and not _search(r"\bđã\b", clause):
        return "target"  # "Theo kế hoạch, năm 2024 các xã A, B đạt chuẩn …" (but "hoàn thành theo kế hoạch" is done)
    head = sent_head.lower()
    for cue, mod in ((_TARGET, "target"), (_EXPECTED, "expected")):
        if cue.search(head):
            return mod
    if _EXPECTED.search(clause):
        return "expected"
    if _TARGET.search(clause):
        return "target"
    return "actual"


def _year_of(text: str, pub_year: int | None, first: bool = False) -> int | None:
    years = []
    for m in _YEAR_RE.finditer(text):
        if m.group(1):
            years.append(int(m.group(1)))
        elif pub_year:
            years.append(pub_year)
    if not years:
        return None
    return years[0] if first else years[-1]


_AS_OF = re.compile(
    r"(?:tính\s+)?(?:đến|tới)\s+(?:hết\s+|cuối\s+|thời điểm\s+(?:(?:tổng kết|báo cáo|sơ kết|đánh giá)\s+)?)?(?:ngày\s+)?(\d{1,2}[/-]\d{1,2}[/-](?:19|20)\d\d|(?:tháng\s+)?\d{1,2}\s*[/-]\s*(?:19|20)\d\d|năm\s+(?:19|20)\d\d)"
    r"|^\s*(?:Ngày|Sáng|Chiều)\s+(?:ngày\s+)?(\d{1,2}[/-]\d{1,2}(?:[/-](?:19|20)\d\d)?)"
    r"|(?:QĐ-\w+|Quyết định[^,;]{0,30})\s+ngày\s+(\d{1,2}[/-]\d{1,2}(?:[/-](?:19|20)\d\d)?)(?=[^.;]{0,60}công nhận)"
    r"|^\s*Năm\s+((?:19|20)\d\d)\s+(?:toàn|cả|tỉnh|huyện)", re.I)


_AS_OF_MONTH = re.compile(r"(?:(?:đến|tới)\s+(?:hết\s+|cuối\s+)?|tính\s+(?:hết|cuối)\s+)tháng\s+(\d{1,2})(?:\s*,?\s*năm\s+((?:19|20)\d\d))?(?![\d/-])", re.I)


_AS_OF = _Anchored(_AS_OF, (("tính", 0), ("đến", 0), ("tớ", 0), ("qđ-", 0), ("quyết định", 0)), at_start=True)
_AS_OF_MONTH = _Gated(_AS_OF_MONTH, ("tháng",))


def _year_of_month(month: int, ctx: DocContext) -> int:
    """The year of a month named without one ("tính đến hết tháng 6"): the publication
    year, or the year before when that month is still to come at publication (a report
    of July 2022 on "tháng 9" means September 2021)."""
    pub = ctx.published or ""
    pub_month = int(pub[5:7]) if _match(r"\d{4}-\d\d", pub) else None
    return ctx.pub_year - 1 if pub_month is not None and month > pub_month else ctx.pub_year


def _as_of(sent: str, ctx: DocContext, state: dict | None = None) -> str | None:
    """The date the sentence's figures hold on: one it states, else the last "tính đến …" date
    of the earlier sentences (a report's figures are usually all "as of" the date its lead
    gives), else the document's.  A stated date after the publication is a deadline
    ("phấn đấu đến năm 2025"), not this."""
    stated, through = _stated_date(sent, ctx)
    if stated and ctx.published and stated[:len(ctx.published)] > ctx.published[:len(stated)]:
        stated = None
    if state is not None:
        if stated and through:
            state["as_of_through"] = stated
        elif stated is None and _NOW.search(sent):
            state["as_of_through"] = None  # "Hiện nay, …", "Năm 2024, …": no longer as of that date
    return stated or (state or {}).get("as_of_through") or ctx.default_as_of


_PLAN_BEFORE = re.compile(r"(?:phấn đấu|mục tiêu|kế hoạch(?!\s+số)|dự kiến|\bsẽ\b|quyết tâm|đặt ra)[^.;]{0,25}$", re.I)
_NOW = re.compile(r"^\s*(?:Hiện|Năm (?:19|20)\d\d)\b|\b(?:[Hh]iện nay|[Hh]iện tại|[Đđ]ến nay|[Hh]iện (?:có|đã))\b")


def _stated_date(sent: str, ctx: DocContext) -> tuple[str | None, bool]:
    """A date stated in ``sent`` and whether it is a "through" date ("tính đến hết tháng 6/2022")
    rather than an event's (a dateline, a decision); a "đến năm 2025" after a plan word is the
    plan's deadline, not a date."""
    mm = _AS_OF_MONTH.search(sent)
    if mm and 1 <= int(mm.group(1)) <= 12 and (mm.group(2) or ctx.pub_year) and not _PLAN_BEFORE.search(sent[:mm.start()]):
        month = int(mm.group(1))
        year = int(mm.group(2)) if mm.group(2) else _year_of_month(month, ctx)
        return f"{year:04d}-{month:02d}", True
    m = _AS_OF.search(sent)
    if m:
        through = m.group(1) is not None
        if through and _PLAN_BEFORE.search(sent[:m.start()]):
            return None, False
        raw = next(g for g in m.groups() if g)
        if _fullmatch(r"(?:19|20)\d\d", raw):
            return raw, through
        if raw.lower().startswith("năm"):
            return raw.split()[-1], through
        iso = T.parse_date(("ngày " if _fullmatch(r"\d{1,2}[/-]\d{1,2}", raw) else "") + raw, ctx.pub_year)
        if iso is None and _fullmatch(r"\d{1,2}[/-]\d{1,2}[/-]\d{4}", raw):
            iso = T.parse_date(raw)
        if iso:
            return iso, through
    return None, False


_RECOG_PRED = re.compile(
    r"(?:đạt chuẩn|đạt|được công nhận|công nhận|hoàn thành nhiệm vụ|hoàn thành|về đích|là|thành|trở thành|xây dựng|rớt\"? chuẩn|\"rớt\")"
    r"[^;]{0,40}?(?:xã|huyện|tỉnh)?\s*\"?(?:nông thôn mới|NTM|NTMNC|NTM\s*nâng cao|kiểu mẫu)", re.I)
_RECOG_STRICT = re.compile(r"đạt chuẩn|công nhận|hoàn thành nhiệm vụ|về đích|cán đích|chạm đích|rớt|đạt NTM|đạt nông thôn mới|là (?:xã|huyện) (?:NTM|nông thôn mới)|đạt xã NTM|đạt \d+/\d+ tiêu chí", re.I)
_RECOG_STRICT = _Anchored(_RECOG_STRICT, (("đạt", 0), ("công nhận", 0), ("hoàn thành nh", 0), ("về đích", 0), ("cán đích", 0),
                                            ("chạm đích", 0), ("rớt", 0), ("là ", 0)))


def _plausible_year(year: int | None) -> int | None:
    """``year`` if an NTM figure can refer to it (``NTM_YEARS``), else None ("no year")."""
    return year if year is None or NTM_YEARS[0] <= year <= NTM_YEARS[1] else None


def _plausible_as_of(as_of: str | None) -> str | None:
    """``as_of`` unless its year is before ``NTM_YEARS`` (then None: no date)."""
    return as_of if as_of is None or int(as_of[:4]) >= NTM_YEARS[0] else None


def _emit(records: list[dict], ctx: DocContext, sent: Sent, rule: str, **kw) -> None:
    rec = {
        "doc_id": ctx.doc_id, "url": ctx.url, "published": ctx.published,
        "unit": kw.get("unit"), "place": kw.get("place"), "district": kw.get("district"),
        "province": kw.get("province"), "standard": kw.get("standard"), "measure": kw.get("measure"),
        "counted": kw.get("counted"), "achieved": kw.get("achieved"), "total": kw.get("total"),
        "qualifier": kw.get("qualifier", "exact"), "modality": kw.get("modality", "actual"),
        "year": _plausible_year(kw.get("year")), "as_of": _plausible_as_of(kw.get("as_of")), "start": sent.start, "end": sent.end,
        "unmet_criteria": kw.get("unmet_criteria"), "sentence": sent.text, "rule": rule,
    }
    records.append(rec)


_C_COUNTRY = _Gated(re.compile(r"cả nước|toàn quốc|trên cả nước|của cả nước|nationwide"),
                    ("cả nước", "toàn quốc", "nationwide"))
_C_PROVINCE = _Gated(re.compile(r"toàn tỉnh|tỉnh ta|trên địa bàn tỉnh|của tỉnh|toàn thành phố|(?:^|[,;:]\s*)tỉnh (?:đã|có|đến|hiện)\b"), ("tỉnh", "toàn thành phố"))
_C_DISTRICT = _Gated(re.compile(r"toàn huyện|huyện (?:đã|có|đến|hiện)|trên địa bàn huyện|của huyện|huyện\s*$|(?:^|\W)huyện(?= \w+ \w+ có)"),
                     ("huyện",))


_ORDER = ["village", "commune", "district", "province", "region", "country"]
# socio-economic regions: national reports break their counts down by them, and the record
# contract has no unit for a region (a count for one is noted and left out)
_C_REGION = _Gated(re.compile(
    r"(?:vùng|khu vực|các tỉnh(?: thuộc)?(?: vùng| khu vực)?)?\s*(?<!\w)(tây nguyên|tây bắc|đông bắc|(?:trung du và )?miền núi phía bắc"
    r"|đồng bằng sông (?:hồng|cửu long)|đông nam bộ|tây nam bộ|bắc trung bộ|(?:bắc trung bộ và )?duyên hải (?:nam )?trung bộ"
    r"|nam trung bộ)(?!\w)"), ("tây", "đông", "miền núi", "đồng bằng", "trung bộ"))


def _typed_level(typ: str, name: str) -> str | None:
    """"province" or "district" for a mention typed ``typ`` ("tỉnh", "huyện", "thị xã", "TP.",
    "thành phố"…) and named ``name``; None for a lower unit ("xã", "thị trấn", "thôn"…)."""
    typ = " ".join(typ.lower().split()).rstrip(".")
    if typ == "tỉnh" or (typ in ("thành phố", "tp") and name in _CENTRAL_CITIES):
        return "province"
    return "district" if typ in ("huyện", "thị xã", "quận", "tx", "tp", "thành phố") else None


def _type_of(m: re.Match) -> str:
    """The type words of a ``TYPED_RE`` match, lower case ("thị trấn", "huyện", "tp")."""
    return " ".join(m.string[m.start():m.start(1)].lower().split()).rstrip(".")


_COMMUNE_TYPES = ("xã", "phường", "thị trấn")


_BARE_COMMUNE = re.compile(rf"(?:^|[,;:]\s*|\b(?:nay|hiện|đó),?\s+)[Xx]ã\s+(?![{_UP}]|\d)")


def _container(clause_before: str, sentence: str, ctx: DocContext, counted_unit: str, state: dict | None = None,
               offset: int = 0) -> tuple[str, str | None]:
    """Which place a count of lower units belongs to: (unit, name). ``clause_before`` is the text
    before the count, from ``offset`` in ``sentence``."""
    cb = clause_before.lower()
    sl = _lower(sentence)
    provs = _province_names()
    # nearest explicit container before the count
    cands: list[tuple[int, str, str | None]] = []
    for m in _C_COUNTRY.finditer(cb):
        cands.append((m.start(), "country", "Việt Nam"))
    for m in _C_PROVINCE.finditer(cb):
        cands.append((m.start(), "province", ctx.province))
    named_d = [m.group(1) for m in _DIST_INLINE.finditer(clause_before)]
    for m in _C_DISTRICT.finditer(cb):
        cands.append((m.start() + max(m.group(0).find("huyện"), 0), "district", named_d[-1] if named_d else ctx.district))
    names: list[tuple[int, int]] = []  # a province or region name inside a lower unit's name is part of it
    districts: list[tuple[int, str]] = []  # (end, name) of the typed district mentions
    commune_end = -1
    qualifiers: list[tuple[int, int]] = []
    for m in _TYPED.finditer(clause_before):
        level = _typed_level(_type_of(m), m.group(1))
        if level is None and counted_unit == "village" and _type_of(m) in _COMMUNE_TYPES:
            cands.append((m.start(), "commune", m.group(1)))  # "xã A có 3/12 thôn đạt chuẩn"
            commune_end = m.end()
            continue
        if commune_end >= 0 and _fullmatch(r"\s*[,(–-]\s*", clause_before[commune_end:m.start()]):
            commune_end = m.end()
            qualifiers.append((m.start(), m.end()))
            continue  # "xã A, huyện B có 5/9 thôn": B only says where A is
        if level == "province" and _C_REGION.pattern.fullmatch(m.group(1).lower()):
            continue  # "các tỉnh Tây Nguyên": a region
        if level == "province":
            cands.append((m.start(), "province", _match_name(m.group(1), provs)))
            continue
        names.append((m.start(1), m.end(1)))
        if level == "district":
            cands.append((m.start(), "district", m.group(1)))
            districts.append((m.end(), m.group(1)))
    if counted_unit == "village" and state is not None:
        for m in _BARE_COMMUNE.finditer(clause_before):  # "Đến nay, xã có 4/7 ấp đạt chuẩn": the commune of the report
            name = _last_commune(sentence, offset + m.start()) or _recall(state, "commune")
            if name:
                cands.append((m.start(), "commune", name))
    for m in _C_REGION.finditer(cb):
        if not any(x <= m.start(1) < y for x, y in names):
            cands.append((m.start(1), "region", clause_before[m.start(1):m.end(1)]))
    prov_re = _province_regex()
    if prov_re is not None:
        folded = T.fold(clause_before) if len(T.fold(clause_before)) == len(clause_before) else clause_before.lower()
        for m in prov_re.finditer(folded):
            # "TP Quảng Ngãi", "thị xã Quảng Trị": a district-level city named like its province
            if not any(x <= m.start() < y for x, y in names):
                cands.append((m.start(), "province", provs[m.group(0)][0]))
    cands = [c for c in cands if not any(x <= c[0] < y for x, y in qualifiers)]
    if cands:
        cands.sort(key=lambda c: c[0])
        pos, unit, name = cands[-1]
        if unit == "province":
            # "huyện Yên Thành (Nghệ An) có 38/38 xã": the province only qualifies the district
            for end, dname in districts:
                if _fullmatch(r"\s*[(,–-]\s*(?:tỉnh\s+|thành phố\s+)?", clause_before[end:pos]):
                    unit, name = "district", dname
        if _ORDER.index(unit) > _ORDER.index(counted_unit) and (name or unit != "country"):
            if state is not None:
                state["container"] = (sentence, unit, name)
            return unit, name
    if state is not None and state.get("container") and state["container"][0] != sentence and \
            _match(r"\s*(?:Có|Trong đó|Trong số|Ngoài ra|Số xã)\b", sentence) and state.get("container_idx_ok"):
        _s, unit, name = state["container"]
        if _ORDER.index(unit) > _ORDER.index(counted_unit):
            return unit, name
    if "cả nước" in sl or "toàn quốc" in sl:
        return "country", "Việt Nam"
    scope_unit = {"country": ("country", "Việt Nam"), "province": ("province", ctx.province),
                  "district": ("district", ctx.district)}[ctx.scope]
    if counted_unit == "village" and scope_unit[0] == "country":
        # villages are never counted for the country without saying so: the commune last named
        name = _recall(state, "commune") if state is not None else None
        return "commune", name
    if _ORDER.index(scope_unit[0]) <= _ORDER.index(counted_unit):
        if counted_unit == "district" and ctx.province:
            return "province", ctx.province
        return "country", "Việt Nam"
    return scope_unit


_OF_UNIT = re.compile(rf"\s*(?:của|thuộc)\s+((?i:huyện|thị xã|thành phố|TP\.?|TX\.?|tỉnh))\s+({_NAME})")


def _count_container(s: str, g: Group, ctx: DocContext, state: dict) -> tuple[str, str | None]:
    """The place a count belongs to: named right after it ("11/11 xã của huyện Hòa Vang"),
    else the one ``_container`` finds before it."""
    m = _OF_UNIT.match(s, g.end)
    if m:
        unit = _typed_level(m.group(1), m.group(2))
        name = _match_name(m.group(2), _province_names()) if unit == "province" else m.group(2)
        if _ORDER.index(unit) > _ORDER.index(g.unit or "commune"):
            return unit, name
    if _search(r"(?:^|[,;.]\s*)[Vv]ới\s*$", s[max(0, g.start - 12):g.start]) and \
            _search(r"(?:^|[,;.]\s*)[Vv]ới\s*$", s[:g.start]):
        # "Với 24/24 xã đạt chuẩn …, huyện Khoái Châu được công nhận …": the subject follows
        after = _search(rf",\s*(?:((?i:huyện|thị xã|thành phố|TP\.?|TX\.?|tỉnh))\s+)?({_NAME})", s[g.end:g.end + 160])
        if after and not _search(r"[;.]", s[g.end:g.end + after.start()]):
            name = after.group(2)
            unit = _typed_level(after.group(1), name) if after.group(1) else (
                "district" if ctx.district and T.fold(name) == T.fold(ctx.district) else None)
            if unit and _ORDER.index(unit) > _ORDER.index(g.unit or "commune"):
                return unit, _match_name(name, _province_names()) if unit == "province" else name
    lo = max(0, g.start - _WINDOW)
    return _container(s[lo:g.start], s, ctx, g.unit or "commune", state, offset=lo)


_BREAKDOWN = re.compile(r"[\s,;]*trong đó\b")


def _breakdown_place(s: str, a: int, g: Group) -> tuple[str, str] | None:
    """The province or district named in the item of a breakdown ("…, huyện A có 8/8 xã"):
    the text from the item's comma (or the clause start) to the count, ending in "có"."""
    start = max(a, s.rfind(",", a, g.start) + 1)
    item = s[start:g.start]
    if not _search(r"\bcó\s*$", item):
        return None
    typed = [None, *_TYPED.finditer(item)][-1]
    if typed is not None:
        level, name = _typed_level(_type_of(typed), typed.group(1)), typed.group(1)
        if level == "province":
            return "province", _match_name(name, _province_names())
        return ("district", name) if level == "district" else None
    prov_re = _province_regex()
    m = prov_re.search(T.fold(item)) if prov_re is not None else None
    return ("province", _province_names()[m.group(0)][0]) if m else None


def _note_region(ctx: DocContext, sent: Sent, g: Group, region: str | None) -> None:
    _note_drop(ctx, sent.start + g.start, sent.start + g.end, f"units_met {g.count}",
               f"a count for the region {region!r}, which is no unit of the record contract")


def _match_name(name: str, index: dict) -> str | None:
    key = _match_prefix(name, index)
    return index[key][0] if key else name


# every alternative starts with a literal, so ``re`` skips to ";", "." or "," in C
_CLAUSE_SEP = re.compile(r"(?=[;.,])(?:;|(?<!\bTP)(?<!\bTp)(?<!\bTX)(?<!\bTT)(?<!\b[QPH])\.\s|, (?=(?:trong đó|nâng tổng số|nâng tổng|nâng số|đưa tổng số|đưa số|đồng thời|tăng|còn)\b)|, (?<=\d, )(?=có \d))")


def _split_clauses(s: str, base: int) -> list[tuple[int, int]]:
    out = []
    start = 0
    for m in _CLAUSE_SEP.finditer(s):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(s)))
    return [(a, b) for a, b in out if b > a]


_CUE = re.compile(r"chuẩn|công nhận|tiêu chí|chỉ tiêu|ntm|nông thôn mới|hoàn thành nhiệm vụ|về đích|kiểu mẫu|nâng cao")
_ACT = re.compile(r"đạt|công nhận|hoàn thành|về đích|rớt|là (?:xã|huyện)|cán đích|trở thành|xây dựng (?:thành công|huyện)")
_DIGIT = re.compile(r"\d|\b(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\b")


_EXHORT = re.compile(r"\b(?:mỗi|mọi|từng)\s+(?:tỉnh|huyện|thị xã|xã|địa phương|đơn vị)\b[^.;]{0,60}$", re.I)
# a unit that lost the standard, after its subject ("nhiều xã … rớt chuẩn", "5 xã … không còn đạt")
_LOST_CUE = r"rớt\"?\s*chuẩn|\"rớt\"|không còn đạt|bị thu hồi"
_LOST_UNNAMED = _Gated(re.compile(rf"(?:nhiều|một số|các|một vài|những)\s+(xã|thôn|huyện)\b(?!(?-i:\s+[{_UP}]))[^;]{{0,80}}?(?:{_LOST_CUE})", re.I),
                       ("rớt", "không còn đạt", "thu hồ"))


_WINDOW = 600  # characters around a place that the rules read


def _next_start(starts: list[int], after: int, default: int) -> int:
    """The first of the sorted ``starts`` beyond ``after``, else ``default``."""
    i = bisect_right(starts, after)
    return starts[i] if i < len(starts) else default


def _extract_sentence(sent: Sent, ctx: DocContext, state: dict, records: list[dict]) -> None:
    s = sent.text
    low = s.lower()
    if not _CUE.search(low) or not (_ACT.search(low) or _DIGIT.search(low)):
        _remember_std(s, state)
        _remember(s, state)
        return
    as_of = _as_of(s, ctx, state)
    head = s[:70].split(";")[0]
    std_matches = list(_STD.finditer(s))
    sent_std = _std_word(std_matches[-1].group(0)) if std_matches else None
    if sent_std is None:
        sent_std = state.get("std")
    clauses = _split_clauses(s, sent.start)
    national = _search(r"cả nước|toàn quốc", s, re.I)
    named: list[tuple[str, str | None]] = []  # the communes this sentence names
    state["covered"] = []
    sent_year_head = None
    hm = _match(r"\s*(?:Dự kiến|Trong|Đến|Tính đến|Năm)?\s*(?:hết\s+)?năm\s+((?:19|20)\d\d)", s, re.I)
    if hm:
        sent_year_head = int(hm.group(1))
    for ci, (a, b) in enumerate(clauses):
        clause = s[a:b]
        covered = state.setdefault("covered", [])
        groups = _groups(s, a, b, covered)
        if ci == 0:
            implicit = _implicit_subject(s, ctx, state)
            if implicit is not None and implicit.end <= b and not any(g.start < implicit.end for g in groups):
                groups.insert(0, implicit)
        covered.extend((g.start, g.end) for g in groups if g.end > b)
        if _search(r"100\s*%\s*(?:số\s+)?(?:xã|huyện|đơn vị)", clause) and not _search(r"hoàn thành nhiệm vụ|đề nghị công nhận|hồ sơ", clause):
            groups = [g for g in groups if not g.names]
        std_c = _std_of(s, a, b)
        # ---------- criteria / indicators
        crit_spans = []
        for m in (CRIT_RE.finditer(s, a, b) if ("tiêu chí" in clause or "chỉ tiêu" in clause) else ()):
            crit_spans.append((m.start(), m.end()))
            _criteria(m, s, a, b, groups, clause, ctx, sent, state, records, as_of, head, sent_std)
        # ---------- counts and named recognitions
        group_starts = sorted(g.start for g in groups)
        clause_year = _year_of(clause, ctx.pub_year)
        plan_named = _search(r"trong kế hoạch|theo kế hoạch", clause)
        for g in groups:
            if g.org:
                continue
            if any(cs <= g.end + 60 and g.start < cs for cs, _ in crit_spans):
                # the group is the subject of a criteria figure ("03 xã ... đạt 15/19 tiêu chí")
                if not _search(r"đạt chuẩn|công nhận", s[g.start:min(b, g.start + _WINDOW)]):
                    continue
            if g.end > b:
                nxt_semi = s.find(";", g.end)
                tail = s[g.end:nxt_semi if nxt_semi >= 0 else len(s)]
            else:
                tail = s[g.end:b]
            # the words around the place, as far as any rule looks (a sentence listing thousands of
            # places would otherwise be read once per place)
            tail, before = tail[:_WINDOW], s[max(a, g.start - _WINDOW):g.start]
            nxt = _next_start(group_starts, g.start, b)
            win = _STD.search(s, g.start, min(nxt, b) if g.count is None else b)
            local_std = _std_word(win.group(0)) if (win and g.count is None and g.names) else None
            local_std = local_std or _std_near(s, g, a, b) or std_c or sent_std
            pred_t = _RECOG_STRICT.search(tail[:160])
            pred = pred_t or _RECOG_STRICT.search(before[-60:]) or _RECOG_STRICT.search(s[g.start:g.end])
            if not pred and ci > 0 and g.count is not None and _RAISE_TOTAL.match(s, a, g.start):
                # "có thêm 9 xã đạt chuẩn, nâng tổng số lên 79/101 xã": the raised total shares the predicate
                pred = _RECOG_STRICT.search(s, 0, a)
            if g.names and g.count is None and _search(r"(?:\(|trong|của|thuộc|tại|ở|với)(?:\s+các)?\s*$", before[-14:], re.I):
                continue
            breakdown = None
            if not pred and ci > 0 and g.count is not None and not g.names and _BREAKDOWN.match(s, a):
                # "…có 24 xã đạt chuẩn, trong đó huyện A có 8/8 xã, huyện B có 6/8 xã": shares of the total
                if state.get("total_in") == sent.idx:  # only after a total in the same sentence
                    breakdown = _breakdown_place(s, a, g)
            if not pred and not breakdown and not g.pilot:
                if not (g.count is not None and _search(r"^\s*(?:\(|,|số)?[^;]{0,60}?\b(?:NTM|nông thôn mới)", tail) and not _search(r"thực hiện|xây dựng|triển khai|đăng ký|chưa", tail[:60])):
                    continue
            if g.names and g.count is None and (_match(r"\s*(?:[,:]\s*)?(?!(?:\w+\s+){0,2}không còn)(?:\w+\s+){0,2}(?:đã |hiện |vẫn |cũng )?(?:có|còn)\b", tail) or
                                                 any(h.start >= g.end and h.start < g.end + (pred_t.start() if pred_t else 0)
                                                     and not _search(r"(?:của|thuộc|trong|tại|ở)\s*$", s[max(0, h.start - 8):h.start])
                                                     and not h.org  # the agent: "vừa được UBND tỉnh X công nhận"
                                                     for h in groups if h is not g)):
                continue
            if g.names and g.count is None and not g.pilot and not g.from_count:
                near_pred = pred_t is not None and (pred_t.start() < 45 or _match(r"\s*(?:\([^)]*\)\s*)?(?:là|cũng|đã|vừa|được|chính thức|trở thành|đang)\b", tail) is not None) and not _match(r"\s*,\s*(?![%s]|(?:huyện|tỉnh|thị xã|thành phố|xã)\b)" % _UP, tail)
                if (_match(r"\s*(?:\S+\s+){0,5}?(?:đã\s+|vừa\s+)?(?:bỏ phiếu|ký|ban hành|trao|tổ chức|xét|đề nghị)\b", tail)
                        and not (_search(r"lễ (?:công bố|đón)", tail[:60]) and not _FOR_OTHERS.search(tail[:160]))
                        and not _OWN_FILE.match(tail)) or \
                        _match(r"\s*(?:đã\s+|vừa\s+)?công nhận\s+(?:thêm\s+)?\d", tail):
                    continue
                verb_before = _search(r"(?:công nhận|đưa|hỗ trợ|xây dựng|thẩm định|bỏ phiếu|đề nghị)[^,;]{0,25}$", before)
                if g.listed and _RECOG_STRICT.search(before):
                    verb_before = True
                if not (near_pred or verb_before):
                    continue
            if _match(r"\s*(?:chưa|không)\s+(?:đạt|được)", tail) or (
                    _search(r"(?:còn|chưa đạt|dưới)\s*$", before[-12:]) and not _search(r"(?:xuống|giảm|chỉ)\s+còn\s*$", before[-14:])):
                continue
            if (_match(r"\s*(?:\([^)]*\)\s*)?(?:đạt|đều đạt|hoàn thành)\s+(?:từ\s+)?\d", tail) or (
                    # "huyện A đã đạt 8/9 tiêu chí …": a figure, unless a recognition is named before the next place
                    _match(r"\s*(?:(?:đã|hiện|mới|chỉ|cũng)\s+)+(?:đạt|hoàn thành)\s+\d", tail)
                    and not _search(r"công nhận|đạt chuẩn|về đích", s[g.end:min(nxt, g.end + _WINDOW)]))) and not (
                    g.total is not None and _search(r"công nhận|đạt chuẩn", tail)):
                continue
            if local_std is None:
                continue
            if pred_t is not None and _match(r"\s*(?:đô thị văn minh|văn minh đô thị|đô thị)\b", tail[pred_t.end():]):
                continue  # "thị trấn A đạt chuẩn đô thị văn minh": another programme's standard
            if g.pilot and g.names and not pred_t:
                # "4 xã điểm (A, B, C, D)": the communes chosen to reach the standard this plan year
                year = clause_year or state.get("target_year") or ctx.pub_year
                for name, dist in g.names:
                    _emit(records, ctx, sent, "recognized_pilot", unit=g.unit or "commune", place=T.normalize_name_text(name),
                          district=dist, standard=local_std, measure="recognized", modality="target", year=year, as_of=as_of)
                continue
            pend = g.end - a + (pred_t.end() + 10 if pred_t is not None else 10)
            if g.names:
                nxt_g = _next_start(group_starts, g.end, b)
                pend = max(pend, nxt_g - a)
            # the sentence's opening words count up to the same point: a plan named after the
            # figure ("18/21 xã đạt chuẩn, phấn đấu đến năm 2025 ...") is not this figure's
            head_g = head[:a + pend]
            mod = _modality(clause[max(0, pend - _WINDOW):pend], head_g)
            if ci > 0 and _match(r"\s*(?:nâng tổng|đưa tổng|trong đó)", clause) and state.get("clause_mod") in ("target", "expected"):
                mod = state["clause_mod"]
            if g.count is not None and not g.names and mod == "expected" and \
                    not _search(r"dự kiến|sẽ|đề nghị", clause[max(0, pend - _WINDOW):pend] + head_g, re.I):
                mod = "actual"
            if plan_named and mod == "target" and not _TARGET.search(re.sub(r"(?:trong|theo) kế hoạch", "", clause + " " + head)):
                mod = "actual"
            year = clause_year or (sent_year_head if ci == 0 or sent_year_head else None)
            if year is None and mod in ("target", "expected"):
                # a plan's year named earlier in the sentence ("trong năm 2022, tỉnh phấn đấu có thêm 8 xã …,
                # nâng tổng số … lên 27 xã"), else by the plan of an earlier sentence
                year = _year_of(s[:a], ctx.pub_year) or (state.get("target_year") if mod == "target" else None)
            if g.names:
                nxt_h = _next_start(group_starts, g.end - 1, len(s))
                year = _year_of(s[g.end:max(min(nxt_h, b), g.end)][:200], ctx.pub_year, first=True) or year
            if g.names:
                stock = g.count is not None and not g.new and (_stock_subject(before, g.counted_noun) or (
                    # "… 12/12 xã đạt chuẩn NTM. Trong số đó, 4 xã đạt chuẩn NTM nâng cao, gồm …": a
                    # stock of another standard (of the same one, the units are a part of the total)
                    _search(r"(?:^|\W)[Tt]rong (?:số )?đó,?\s*$", before.strip()) and local_std != state.get("std")))
                for name, dist in g.names:
                    _emit(records, ctx, sent, "recognized_named_stock" if stock else "recognized_named", unit=g.unit or "commune",
                          place=T.normalize_name_text(name), district=dist, standard=local_std, measure="recognized",
                          modality=mod, year=year, as_of=as_of)
                if stock and g.count >= len(g.names) and mod != "lost":
                    cu, cn = _count_container(s, g, ctx, state)
                    if cu == "region":
                        _note_region(ctx, sent, g, cn)
                        continue
                    _emit(records, ctx, sent, "units_met_named", unit=cu, place=cn, standard=local_std,
                          measure="units_met", counted=g.unit, achieved=g.count, total=g.total,
                          qualifier=g.qualifier, modality=mod, year=year if mod != "actual" else None, as_of=as_of)
                continue
            if g.count is None:
                continue
            lost = _LOST_COUNT.search(tail)
            if lost and not g.names and not _search(r"\d|không có|chưa có|không để", tail[:lost.start()]):
                # "5 xã đã được công nhận nhưng nay rớt chuẩn": communes that lost the standard
                _emit(records, ctx, sent, "lost_count", unit=g.unit or "commune", place=None, standard=local_std,
                      measure="recognized", modality="lost", year=year, as_of=as_of)
                continue
            raise_total = _search(r"nâng tổng số|tổng số", before[-80:]) is not None
            if g.new and not raise_total:
                _emit(records, ctx, sent, "recognized_count", unit=g.unit or "commune", place=None,
                      standard=local_std, measure="recognized", modality=mod, year=year, as_of=as_of,
                      _count=g.count)
                records[-1]["_count"] = g.count
                continue
            if _search(r"thêm\s*$", before[-8:]) and not raise_total:
                _emit(records, ctx, sent, "recognized_count", unit=g.unit or "commune", place=None,
                      standard=local_std, measure="recognized", modality=mod, year=year, as_of=as_of)
                records[-1]["_count"] = g.count
                continue
            if _EXHORT.search(s, max(a, g.start - 150), g.start) and "ít nhất" in s[max(a, g.start - 60):g.end].lower():
                # "mỗi tỉnh có ít nhất một huyện ...": a norm for every unit, not a count
                _note_drop(ctx, sent.start + g.start, sent.start + g.end, f"units_met {g.count}",
                           "exhortation for every unit (mỗi/mọi/từng ... ít nhất), not a count")
                continue
            cu, cn = breakdown or _count_container(s, g, ctx, state)
            if breakdown and g.counted_noun in ("đơn vị", "địa phương") and state.get("total_unit"):
                g.unit = state["total_unit"]  # "…53 xã…, trong đó tỉnh A có 33 đơn vị": communes
            elif not breakdown:  # a breakdown may follow in this sentence ("…, trong đó …")
                state["total_in"], state["total_unit"] = sent.idx, g.unit
            if cu == "region":
                _note_region(ctx, sent, g, cn)
                continue
            if cu == "country" and ctx.scope != "country" and not national:
                # an unnamed count on a district/province document is that unit's, not the country's
                cu, cn = (("district", ctx.district) if ctx.scope == "district" and g.unit in ("commune", "village")
                          else ("province", ctx.province))
            _emit(records, ctx, sent, "units_met", unit=cu, place=cn, standard=local_std, measure="units_met",
                  counted=g.unit, achieved=g.count, total=g.total, qualifier=g.qualifier, modality=mod,
                  year=year if mod != "actual" else None, as_of=as_of)
        state["clause_mod"] = _modality(clause, head)
        _remember_list(groups, state, sent.idx)
        named.extend(n for g in groups if g.names and (g.unit or "commune") == "commune" for n in g.names)
        # ---------- "nhiều xã ... rớt chuẩn": unnamed communes that lost the standard
        lm = _LOST_UNNAMED.search(clause)
        if lm:
            _emit(records, ctx, sent, "lost_unnamed", unit=_UNIT_WORDS[lm.group(1).lower()], place=None,
                  standard=_std_of(s, a + lm.start(), b) or std_c or sent_std or "ntm", measure="recognized",
                  modality="lost", year=_year_of(clause, ctx.pub_year), as_of=as_of)
        # ---------- unnamed district / province as subject of a recognition
        cl_low = clause.lower()
        if any(k in cl_low for k in ("huyện", "thị xã", "tỉnh", "thành phố")):
            _subject_recognition(s, a, b, groups, clause, ctx, sent, state, records, as_of, head, sent_std)
    if _PLAN_RECOG.search(s):
        _plan_recognition(sent, ctx, state, records, as_of, sent_std)
    if named:
        state["prev_communes"] = named
        state.setdefault("known_communes", {}).update((T.fold(n), n) for n, _ in named)
    _remember_std(s, state, std_matches)
    _remember(s, state)


_OPENING = r"\s*(?:(?:Hiện nay|Hiện tại|Đến nay|Năm \d{4}|Trước đó|Ngoài ra)\s*,?\s*|(?:Dự kiến|Đến|Cuối|Trong)\b[^,;.]{0,30},\s*)?"
_AUX = r"(?:hiện|đã|cũng|vừa|đang|sẽ|chỉ|mới|vẫn)"
_BARE_NAME_OPENING = re.compile(rf"{_OPENING}({_NAME})(?=\s+(?:(?:{_AUX}|được)\s+)*(?:đạt|được|là|hoàn thành|về đích|phấn đấu|có)\b)")
# the bare "Xã" of a report states a fact with an auxiliary ("Xã đạt chuẩn … phải có …" is a rule)
_BARE_COMMUNE_OPENING = re.compile(rf"{_OPENING}[Xx]ã(?=\s+(?:{_AUX}\s+)+(?:đạt|được|là|hoàn thành|về đích|có)\b|\s+(?:được|có \d))")


def _implicit_subject(s: str, ctx: DocContext, state: dict) -> Group | None:
    """The subject of a sentence that opens with a place named earlier without its type word
    ("Định Thủy hiện đạt 19/19 tiêu chí", "Khoái Châu đã được công nhận …") or with the bare
    "Xã" of a report about one commune ("Xã đã đạt chuẩn NTM nâng cao từ năm 2019")."""
    m = _BARE_COMMUNE_OPENING.match(s)
    if m:
        name = _recall(state, "commune")
        return Group(m.end() - 2, m.end(), unit="commune", names=[(name, None)]) if name else None
    m = _BARE_NAME_OPENING.match(s)
    if m:
        name = m.group(1)
        known = state.get("known_communes", {}).get(T.fold(name))
        if known:
            return Group(m.start(1), m.end(1), unit="commune", names=[(known, None)])
        if ctx.district and T.fold(name) == T.fold(ctx.district):
            return Group(m.start(1), m.end(1), unit="district", names=[(ctx.district, None)])
    return None


# a commune's plan to be recognised: "Xã phấn đấu về đích …", "Hai xã này đăng ký đạt chuẩn …"
_PLAN_RECOG = re.compile(r"(?:phấn đấu|quyết tâm|đăng ký|đặt mục tiêu|dự kiến)\s+"
                         r"(?:(?!thêm\b|thôn\b|bản\b|ấp\b|xóm\b|khu\b|hộ\b|vườn\b)[^\W\d]+\s+){0,4}?"
                         r"(?:về đích|cán đích|đạt chuẩn|được công nhận)\b", re.I)
_PLAN_RECOG = _Gated(_PLAN_RECOG, ("phấn đấu", "quyết tâm", "đăng ký", "đặt mục t", "dự k"))
_BARE_SUBJECT_BEFORE = re.compile(
    r"\s*(?:(?:Năm|Trong năm)\s+\d{4}\s*,?\s*|Hiện(?: nay)?\s*,?\s*|Tới đây\s*,?\s*)?(?:((?i:hai|ba|bốn|năm|cả hai|các)|\d+)\s+)?"
    r"[Xx]ã(?:\s+(này|trên|nói trên|kể trên))?\s+(?:(?:cũng|đã|đang|sẽ|tiếp tục|vẫn)\s+)*$")
_AFTER_OWN_FIGURE = re.compile(r"đạt\s+\d+/\d+\s+tiêu chí[^;.]{0,80}?(?:,|\bvà\b)\s*(?:(?:đang|sẽ|tiếp tục|cũng)\s+)*$")


def _named_before(state: dict, word: str) -> list[tuple[str, str | None]]:
    """The communes "các/hai/ba/cả hai xã này" refer to: the last list named, or the last N
    communes named by the earlier sentences; nothing when they are fewer than N."""
    word = word.lower()
    n = 2 if word == "cả hai" else (T.parse_number(word) if word != "các" else None)
    if n is not None and (not isinstance(n, int) or n < 1):
        return []
    names = state.get("last_names") or []
    if n is not None and len(names) != n:
        prev = state.get("prev_communes") or []
        names = prev[-n:] if len(prev) >= n else []
    return names


def _plan_recognition(sent: Sent, ctx: DocContext, state: dict, records: list[dict], as_of: str | None,
                      sent_std: str | None) -> None:
    """A commune's plan to be recognised whose subject is not a name before the verb: the bare
    "Xã …" of a report about one commune, "Hai xã này …" after the communes were named, or the
    commune whose figure the sentence gave first ("Xã A đạt 16/19 tiêu chí và phấn đấu về đích …")."""
    s = sent.text
    done = {T.fold(r["place"]) for r in records if r["start"] == sent.start and r["measure"] == "recognized" and r["place"]}
    for m in _PLAN_RECOG.finditer(s):
        before = s[:m.start()]
        names: list[tuple[str, str | None]] = []
        bare = _BARE_SUBJECT_BEFORE.match(before)
        if bare and (bare.group(1) or bare.group(2)):
            # "Hai xã này đăng ký …"; a plural without "này/trên" ("Các xã đang phấn đấu …") names no one
            names = _named_before(state, bare.group(1) or "các") if bare.group(2) else []
        elif bare:
            name = _recall(state, "commune")
            names = [(name, None)] if name else []
        elif _AFTER_OWN_FIGURE.search(before):
            typed = [t for t in _TYPED.finditer(before) if _match(r"[Xx]ã\s", t.group(0))]
            if len(typed) == 1 and typed[0].start() < 3:
                names = [(typed[0].group(1), None)]
        if not names:
            continue
        win = _STD.search(s, m.end(), m.end() + 60)
        std = _std_word(win.group(0)) if win else (sent_std or "ntm")
        mod = "expected" if _search(r"dự kiến", m.group(0), re.I) else "target"
        year = _year_of(s[m.end():], ctx.pub_year, first=True) or _year_of(s[m.start():], ctx.pub_year) \
            or _year_of(before, ctx.pub_year)
        for name, dist in names:
            if T.fold(name) in done:
                continue
            done.add(T.fold(name))
            _emit(records, ctx, sent, "recognized_plan_subject", unit="commune", place=T.normalize_name_text(name),
                  district=dist, standard=std, measure="recognized", modality=mod, year=year, as_of=as_of)


def _remember_std(s: str, state: dict, matches: list[re.Match] | None = None) -> None:
    """The last standard named in the sentence (``matches``: its ``_STD`` matches when known).

    Whether it was named for villages or other units is read rarely (``_std_for``), so the
    sentence is queued for that and only ``std`` is set now."""
    matches = list(_STD.finditer(s)) if matches is None else matches
    if matches:
        state["std"] = _std_word(matches[-1].group(0))
        state.setdefault("std_queue", []).append((s, matches))


def _std_for(state: dict, kind: str) -> str | None:
    """The last standard named for ``kind`` ("village" or "other") by the earlier sentences."""
    for s, matches in state.pop("std_queue", ()):
        for m in matches:
            k = "village" if _search(r"(?:thôn|khu dân cư|bản|vườn)[^,;]{0,25}$", s[max(0, m.start() - 30):m.start()]) else "other"
            state["std_" + k] = _std_word(m.group(0))
    return state.get("std_" + kind)


def _is_village_ctx(s: str, a: int, pos: int) -> bool:
    return bool(_search(r"\b(?:thôn|khu dân cư|bản)\b", s[a:pos]))


def _std_near(s: str, g: Group, a: int, b: int) -> str | None:
    """The standard named closest after a count (else before it) within the clause."""
    # stop at the next count so "5.775 xã ... NTM, trong đó 764 xã NTM nâng cao" stays apart
    end = min(b, g.start + _WINDOW)
    nxt = _COUNT.search(s, g.start + (len(s[g.start:g.end]) if g.end > g.start else 1), end)
    m = _STD.search(s, g.start, nxt.start() if nxt else end)
    if m:
        return _std_word(m.group(0))
    return _std_of(s, a, g.start)


def _stock_subject(before: str, noun: str | None = None) -> bool:
    """The count before which ``before`` ends states what a place has: "huyện có", "Cả", or the
    next of coordinated counts of the same units after "có" ("có 15/15 xã …, 8 xã … và 2 xã … là A, B")."""
    if _search(r"(?:\bcó|(?:^|\W)[Cc]ả)\s*$", before.strip()):
        return True
    if not noun or not _search(r"(?:,|\bvà|;)\s*$", before):
        return False
    tail = before[-300:]
    last = None
    for last in _HAS_COUNT.finditer(tail):
        pass
    return last is not None and last.group(1).lower() == noun.split()[0].lower() and "." not in tail[last.end():]


_HAS_COUNT = re.compile(r"\bcó\s+(?!thêm\b)(?:[^\W\d]+\s+){0,2}?\d[\d.]*(?:/\d[\d.]*)?\s+(\w+)")


def _remember_list(groups: list[Group], state: dict, idx: int = -1) -> None:
    for g in groups:
        if g.names and (g.unit or "commune") == "commune" and len(g.names) > 1:
            if state.get("last_names_idx") != idx or len(g.names) > len(state.get("last_names") or []):
                state["last_names"] = g.names
                state["last_names_idx"] = idx


def _remember(s: str, state: dict) -> None:
    """Queue the sentence for ``_recall``: the places it names are rarely asked for."""
    state.setdefault("place_queue", []).append(s)


def _last_commune(s: str, end: int) -> str | None:
    """The last commune named in ``s[:end]`` (an earlier clause of the sentence)."""
    name = None
    for m in _TYPED.finditer(s, 0, end):
        if _type_of(m) in _COMMUNE_TYPES:
            name = m.group(1)
    return name


def _recall(state: dict, unit: str) -> str | None:
    """The last commune or district (``unit``) named by the earlier sentences."""
    for s in state.pop("place_queue", ()):
        for m in _TYPED.finditer(s):
            typ = _type_of(m)
            if typ in _COMMUNE_TYPES:
                state["commune"] = m.group(1)
            elif typ in ("huyện", "thị xã") and not _search(r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s*$", s[max(0, m.start() - 20):m.start()]):
                state["district"] = m.group(1)
    return state.get(unit)


def _criteria(m: re.Match, s: str, a: int, b: int, groups: list[Group], clause: str, ctx: DocContext,
              sent: Sent, state: dict, records: list[dict], as_of: str | None, head: str, sent_std: str | None) -> None:
    achieved = T.parse_number(m.group(2))
    if achieved is None or isinstance(achieved, float):
        return
    achieved = int(achieved)
    total = int(m.group(3)) if m.group(3) else None
    measure = "criteria" if m.group(5).lower() == "tiêu chí" else "indicators"
    before = s[a:m.start()]
    after = s[m.end():m.end() + 30]
    bl = before.lower()
    if _match(r"\s*/\s*(?:xã|huyện)|\s*(?:số|thứ)\b|\s*(?:chưa đạt|còn lại|không đạt)|\s*,?\s*tăng|\s*(?:bị\s+)?(?:sụt|giảm|tụt)", after.lower()):
        return
    if _search(r"(?:bình quân|trung bình|tăng|giảm|dưới|còn|thêm|mỗi|tổng số|tăng thêm|tối thiểu)\s*(?:\w+\s*){0,3}$", bl[-40:]) and not _search(r"đạt\s*$", bl[-6:]):
        return
    if _search(r"bình quân|trung bình", bl[-60:]) and not _search(r"đạt\s*(?:từ\s*)?$", bl[-10:]):
        return
    if _search(r"còn\s*$|dưới\s*$|tăng\s*$|giảm\s*$|\d\s*$", bl[-8:]):
        return
    if total is not None and (total < achieved or total > 100):
        _note_drop(ctx, sent.start + m.start(), sent.start + m.end(), f"{measure} {achieved}/{total}",
                   "achieved exceeds total" if total < achieved else f"total {total} is not a criteria set (> 100)")
        return
    qualifier = "exact"
    if m.group(4) or (m.group(1) and m.group(1).lower() in ("trên", "hơn", "ít nhất", "từ")) or _match(r"\s*trở lên", after):
        qualifier = "at_least"
    # the set the figure is measured by: named after it ("17/19 tiêu chí NTM nâng cao"), or after
    # "theo Bộ tiêu chí" further on ("17/19 tiêu chí và 50/57 chỉ tiêu theo Bộ tiêu chí xã NTM nâng cao")
    set_named = _search(r"theo\s+(?:bộ\s+)?tiêu chí", s[m.end():min(b, m.end() + 90)], re.I)
    after_std = _STD.search(s, m.end() + set_named.end(), min(b, m.end() + set_named.end() + 40)) if set_named else None
    after_std = after_std or _STD.search(s, m.end(), min(b, m.end() + 55))
    std = (_std_word(after_std.group(0)) if after_std else None) or _std_of(s, 0, m.start()) \
        or _std_for(state, "village" if _is_village_ctx(s, a, m.start()) else "other") or sent_std or "ntm"
    if _search(r"bộ tiêu chí", bl) and _std_of(s, a, m.start()):
        std = _std_of(s, a, m.start())
    # a count of criteria is reached (or planned) as the words before it say: a plan or a lost
    # standard named after it ("đạt 17/19 tiêu chí, phấn đấu về đích cuối năm") is another fact
    head = head[:m.start()]
    mod = _modality(clause, head)
    if mod == "target" and not _search(r"phấn đấu|quyết tâm|mục tiêu|kế hoạch năm|đến năm|sẽ|cần", s[a:m.end()], re.I):
        mod = "actual" if not _TARGET.search(head) else mod
    if mod == "expected" and not _search(r"dự kiến", s[a:m.end()] + head, re.I):
        mod = "actual"
    if mod == "lost" or (mod in ("target", "expected") and _search(r"\b(?:hiện|đến nay|đã)\b", s[a:m.start()])
                         and not (_TARGET.search(s[a:m.start()]) or _EXPECTED.search(s[a:m.start()]))):
        mod = "actual"  # "...; hiện đã đạt 15/19 tiêu chí": reached, whatever the sentence plans
    year = _year_of(s[a:b], ctx.pub_year) if mod != "actual" else None
    # subject: the nearest group before the figure in the clause
    subj = [g for g in groups if g.start < m.start() and not g.org and (g.end <= m.start() + 1 or g.count is not None)]
    subj_org = [g for g in groups if g.end <= m.start() + 1]
    if subj and subj[-1].names and subj[-1].count is None and CRIT_RE.search(s, subj[-1].end, m.start()):
        # "xã A đạt 17/19 tiêu chí, B đạt 16/19 tiêu chí": a bare name after A's figure is this one's subject
        bare = _BARE_SUBJECT.search(s, subj[-1].end, m.start())
        if bare and not _bad_name(bare.group(1)):
            g = subj[-1]
            subj = [Group(bare.start(1), bare.end(1), unit=g.unit, names=[(bare.group(1), g.names[-1][1])])]
    if not subj and _FIGURE_FIRST.fullmatch(bl):
        # "Với 17/19 tiêu chí đã đạt, xã A …": the subject follows the figure
        nxt = next((g for g in groups if g.start >= m.end()), None)
        if nxt is not None and nxt.names and nxt.count is None and not nxt.org and \
                _fullmatch(r"[^,;.]{0,50},\s*", s[m.end():nxt.start]):
            subj = [nxt]
    listed = _LIST_ANAPHORA.search(bl[-50:]) if not subj else None
    if listed and (state.get("last_names") or state.get("prev_communes")):
        for name, dist in _named_before(state, listed.group(1)):
            _emit(records, ctx, sent, "criteria_list_anaphora", unit="commune", place=T.normalize_name_text(name),
                  district=dist, standard=std, measure=measure, achieved=achieved, total=total,
                  qualifier=qualifier, modality=mod, year=year, as_of=as_of)
        return
    level = None
    if _search(r"tiêu chí (?:huyện|của huyện)|huyện (?:nông thôn mới|NTM)|bộ tiêu chí huyện", s[max(a, m.start() - 80):m.end() + 48], re.I):
        level = "district"
    if subj and _search(r"\b(?:và|,)\s+huyện\s+(?:đã\s+|cũng\s+)?(?:đạt|hoàn thành)", s[subj[-1].end:m.start()]):
        subj = []
        level = "district"
    if level == "district" and subj and subj[-1].count is not None and subj[-1].unit in ("commune", "village"):
        subj = []  # "Với 24/24 xã đạt chuẩn và 9/9 tiêu chí huyện …": the communes are counted, not the subject
    if subj:
        g = subj[-1]
        if g.names:
            if (g.unit or "commune") in ("commune", "village") and achieved > 19 and total is None:
                return
            for name, dist in g.names:
                unit = g.unit or "commune"
                if unit in ("district",) and level != "district" and _search(r"xã", s[g.end:m.start()]):
                    continue
                _emit(records, ctx, sent, "criteria_named", unit=unit, place=T.normalize_name_text(name),
                      district=dist, standard=std, measure=measure, achieved=achieved, total=total,
                      qualifier=qualifier, modality=mod, year=year, as_of=as_of)
            return
        if g.count is not None:
            if achieved > 19 and total is None:
                return
            if g.new or _search(r"thêm\s*$", s[max(a, g.start - 8):g.start]):
                return
            if g.unit == "commune" and achieved > 19:
                return
            q = qualifier
            if _match(r"\s*(?:\w+\s+){0,2}đạt\s+(?:từ\s+)?\d+\s*[-–]\s*\d+", s[g.end:m.end()]) or _search(r"từ\s+\d+\s*(?:đến|[-–])", s[g.end:m.end()]):
                q = "at_least"
            if (g.unit or "commune") == "commune" and (_search(r"(?:^|\W)[Cc]ả\s*$", s[max(a, g.start - 6):g.start])
                                                      or _match(r"\s*(?:này|trên|nói trên|kể trên)\b", s[g.end:g.end + 12])):
                # "Cả 4 xã đều đã đạt 19/19 tiêu chí", "3 xã này đạt …": the communes just named, when as many
                prev = state.get("prev_communes") or []
                if len(prev) == g.count:
                    for name, dist in prev:
                        _emit(records, ctx, sent, "criteria_count_named", unit="commune", place=T.normalize_name_text(name),
                              district=dist, standard=std, measure=measure, achieved=achieved, total=total,
                              qualifier=q, modality=mod, year=year, as_of=as_of)
                    return
            _emit(records, ctx, sent, "criteria_count", unit=g.unit or "commune", place=None,
                  district=ctx.district if ctx.scope == "district" else None, standard=std, measure=measure,
                  achieved=achieved, total=total, qualifier=q, modality=mod, year=year, as_of=as_of)
            return
    # anaphora: "xã đã đạt 15/19", "huyện đạt 9/9 tiêu chí", "Bộ tiêu chí huyện ... đạt 6/9"
    near = s[max(a, m.start() - 60):m.start()].lower()
    commune_set = _match(r"\s*(?:theo\s+(?:bộ\s+)?tiêu chí\s+)?(?:của\s+)?xã\b", s[m.end():m.end() + 40], re.I)
    if level == "district" or _search(r"\bhuyện\b", near) and not _search(r"\bxã\b", near[-25:]) and not commune_set:
        if achieved > 9 and total is None and measure == "criteria" and achieved not in (9,):
            if achieved > 19:
                return
        if ctx.district or level == "district":
            dname = ctx.district or _recall(state, "district")
            _emit(records, ctx, sent, "criteria_district", unit="district", place=dname, district=dname,
                  standard=std, measure=measure, achieved=achieved, total=total, qualifier=qualifier,
                  modality=mod, year=year, as_of=as_of)
        return
    # a clause without a subject continues the sentence's: "xã A phấn đấu ...; hiện đã đạt 15/19 tiêu chí"
    subjectless = a > 0 and _fullmatch(r"[\s;,]*(?:hiện nay|hiện tại|hiện|đến nay)?\s*,?\s*(?:đã\s+|mới\s+|chỉ\s+)?đạt\s*", s[a:m.start()])
    if _search(r"\bxã\b", near) or subj_org or subjectless:
        name = None
        if subj_org and subj_org[-1].names and subj_org[-1].unit == "commune":
            name = subj_org[-1].names[-1][0]
        elif not _search(r"\b(?:các|những|nhiều|mỗi|số)\s+xã\b|\bxã\s+còn lại", near):  # not "các xã còn lại đều đạt"
            name = (_last_commune(s, a) if a > 0 else None) or _recall(state, "commune")
        if name and (total is None or total <= 19) and achieved <= 19:
            _emit(records, ctx, sent, "criteria_anaphora", unit="commune", place=T.normalize_name_text(name),
                  standard=std, measure=measure, achieved=achieved, total=total, qualifier=qualifier,
                  modality=mod, year=year, as_of=as_of)


_LIST_ANAPHORA = re.compile(r"(các|hai|ba|bốn|năm|cả hai|\d+) (?:xã|thôn) (?:trên|này|nói trên|kể trên)")
_FIGURE_FIRST = re.compile(r"\s*(?:với|sau khi (?:đã\s+)?đạt|khi đã đạt)\s*")
_RAISE_TOTAL = re.compile(r"[\s,;]*(?:nâng|đưa)\s+(?:tổng\s+)?số\b(?:[^,;.]{0,60}?\s(?:lên|là))?\s*$")
_LOST_COUNT = re.compile(rf"{_LOST_CUE}|tụt hạng")
_FOR_OTHERS = re.compile(r"\bcho\s+(?:\d+|các|những|hai|ba|bốn|năm)?\s*(?:xã|thôn|bản|ấp)\b")
_BARE_SUBJECT = re.compile(rf"(?:,|;|\bvà\b)\s*({_NAME})\s+(?:(?:cũng|đã|hiện|chỉ|mới)\s+)*đạt\s*$")
# a named unit filing its own recognition: "xã A đang hoàn thiện hồ sơ đề nghị công nhận đạt chuẩn"
_OWN_FILE = re.compile(r"\s*(?:hiện\s+|nay\s+)?(?:đã\s+|đang\s+)?(?:(?:hoàn thiện|hoàn thành|hoàn chỉnh|lập|xây dựng)\s+hồ sơ\s+"
                       r"|đủ điều kiện(?:\s+để)?\s+)đề nghị\b", re.I)


_SUBJ_DISTRICT = re.compile(
    r"(?:huyện|thị xã)\s+(?:(?:đã|được|vừa|sẽ)\s+)*(?:(?:được\s+)?(?:(?:Thủ tướng(?: Chính phủ)?|Chính phủ|Trung ương)\s+)?công nhận\s+)?"
    r"(?:đạt chuẩn|đủ điều kiện là|là|về đích|hoàn thành(?: nhiệm vụ xây dựng)?)\s*(?:huyện\s*)?\"?(nông thôn mới|NTM)"
    r"|(?:xây dựng|đạt chuẩn|hoàn thành các tiêu chí|công nhận|thành công)\s+(?:thành công\s+|đạt chuẩn\s+)?huyện\s*(?:đạt chuẩn\s*)?(nông thôn mới|NTM)"
    r"|(?:đạt chuẩn|xây dựng)\s+huyện\s+(nông thôn mới|NTM)"
    r"|công nhận huyện đạt chuẩn", re.I)
_SUBJ_DISTRICT = _Anchored(_SUBJ_DISTRICT, (("huyện", 0), ("thị xã", 0), ("xây dựng", 0), ("đạt chuẩn", 0),
                                              ("hoàn thành các t", 0), ("công nhận", 0), ("thành công", 0)))
_SUBJ_PROVINCE = re.compile(r"(?:tỉnh|thành phố)\s+(?:(?:đã|được|vừa|sẽ)\s+)*(?:(?:được\s+)?công nhận\s+)?(?:hoàn thành nhiệm vụ|đạt chuẩn)", re.I)


def _subject_recognition(s: str, a: int, b: int, groups: list[Group], clause: str, ctx: DocContext, sent: Sent,
                         state: dict, records: list[dict], as_of: str | None, head: str, sent_std: str | None) -> None:
    """The district the report is about, as the unnamed subject of a (target) recognition."""
    if not ctx.district:  # every record below is about ctx.district
        return
    found = list(_SUBJ_DISTRICT.finditer(clause))
    for i, m in enumerate(found):
        pre = clause[max(0, m.start() - 40):m.start()]
        if _search(r"Ban [Cc]hỉ đạo|Tổ công tác[^,]*$|thứ\s*\d*\s*$|(?:địa bàn|toàn|của|trong|các|số|xã,)\s*$", pre):
            continue
        if _search(r"tiêu chí\s*$", pre) and not _search(r"hoàn thành các tiêu chí", m.group(0)):
            continue
        after = clause[m.end():m.end() + 20]
        if _match(r"\s*\"?\s*(?:nâng cao|NC\b)", after):
            std = "ntm_advanced"
        elif _match(r"\s*kiểu mẫu", after):
            std = "ntm_model"
        else:
            std = "ntm"
        # a district named right after "huyện" is a named group, handled elsewhere
        if _match(rf"(?:huyện|thị xã)\s+[{_UP}]", m.group(0)):
            continue
        # each recognition of the clause is read up to its own end ("Huyện đã được công nhận … năm
        # 2019 và đang hoàn thiện hồ sơ đề nghị công nhận huyện … nâng cao": actual, then expected)
        upto = m.end() + (_search(r"^[^,;]*", clause[m.end():]).end() if i == len(found) - 1 else 0)
        mod = _modality(clause[:upto], head[:a + upto])
        seg = clause[m.start():found[i + 1].start() if i + 1 < len(found) else len(clause)]
        year = _year_of(seg, ctx.pub_year) or (_year_of(clause[:m.start()], ctx.pub_year) if i == 0 else None)
        if mod == "actual" and not _search(r"công nhận|đạt chuẩn", m.group(0)):
            continue
        _emit(records, ctx, sent, "recognized_district_subject", unit="district", place=ctx.district,
              district=ctx.district, standard=std, measure="recognized", modality=mod, year=year, as_of=as_of)


# ---------------------------------------------------------------- unmet criteria

_UNMET = re.compile(r"(?:còn\s+)?(\d+|một|hai|ba|bốn|năm)\s+tiêu chí\s+chưa đạt\s*(?:,?\s*(?:gồm|là|đó là)\s*:?)\s*([^.;]+)", re.I)


_UNMET = _Gated(_UNMET, ("chưa đạt",))


def _unmet(s: str) -> list[str] | None:
    m = _UNMET.search(s)
    if not m:
        return None
    parts = re.split(r",\s*|\s+và\s+", m.group(2))
    out = [p.strip(" .:\"") for p in parts if p.strip(" .:\"")]
    return out or None


# ---------------------------------------------------------------- documents


def extract_records(text: str, meta: dict | None = None, doc_id: str = "doc", check_language: bool = True,
                    notes: list[str] | None = None) -> list[dict]:
    """The records of one document as plain dicts (fast path, no pandas).

    Candidate figures the rules reject as inconsistent (e.g. "15/12 xã", "21/19 tiêu chí")
    are appended to ``notes`` when given, one message each (offsets, figure, reason).
    """
    meta = meta or {}
    text = unicodedata.normalize("NFC", text)
    work = T.blank_chrome(T.normalize_same_length(text, tones=False))
    if check_language and T.detect_language(work) != "vi":
        return []
    spans = T.sentence_spans(work)
    ctx = _doc_context(work, doc_id, meta, spans)
    records: list[dict] = []
    title_recs: list[dict] = []
    state: dict = {}
    for i, (a, b) in enumerate(spans):
        sent = Sent(a, b, work[a:b], i)
        n_before = len(records)
        state["container_idx_ok"] = state.get("last_sentence_had_container", False)
        _extract_sentence(sent, ctx, state, records)
        state["last_sentence_had_container"] = bool(state.get("container") and state["container"][0] == sent.text)
        if i == 0 and a < 400 and "\n" in work[b:b + 2] and len(records) > n_before:
            # the title: the body usually restates what it reports; keep named recognitions
            # aside and use them only if the body never mentions that place
            title_recs = [r for r in records[n_before:] if r["measure"] == "recognized" and r["place"]
                          and r["unit"] in ("commune", "district", "province")]
            del records[n_before:]
        for rec in records[n_before:]:
            if rec["modality"] == "target" and rec["year"]:
                state["target_year"] = rec["year"]
        if len(records) > n_before:
            unmet = _unmet(sent.text)
            original = text[a:b]
            for rec in records[n_before:]:
                rec["sentence"] = original
                if unmet and rec["measure"] == "criteria":
                    rec["unmet_criteria"] = json.dumps(unmet, ensure_ascii=False)
    body_places = {T.fold(r["place"] or "") for r in records}
    for r in title_recs:
        if T.fold(r["place"]) not in body_places:
            r["rule"] += "+title"
            records.append(r)
    _carry_recognition_year(records, ctx)
    out = _postprocess(records, ctx)
    if notes is not None:
        notes.extend(ctx.dropped)
        if _GAZETTEER_DOWN and out:
            notes.append(f"places not resolved to codes: the gazetteer's data is unavailable ({_GAZETTEER_DOWN[0]})")
    return out


_RECOG_YEAR = re.compile(r"(?:đạt chuẩn|công nhận|bỏ phiếu|NTM|nông thôn mới)[^.\n]{0,80}?(?:năm|đợt \d+\s*/)\s*((?:19|20)\d\d)\b", re.I)


_STOCK_HEAD = re.compile(r"\s*(?:(?:Hiện(?: nay| tại)?|Đến nay|Như vậy|Toàn (?:huyện|tỉnh|thành phố)(?: hiện)? có)\b|Tính đến\b[^,]{0,30},|Cả \d+)")


def _carry_recognition_year(records: list[dict], ctx: DocContext) -> None:
    """A recognition's standard year is often named once (title, first sentence) for a whole
    list: named recognitions without a year take the last year stated for a recognition of
    the same modality earlier in the document, else the year of a recognition named in the
    title."""
    m = _RECOG_YEAR.search(ctx.title)
    last = (_plausible_year(int(m.group(1))), None) if m else None  # (year, modality)
    for r in records:
        if r["measure"] != "recognized" or r["modality"] not in ("actual", "expected"):
            continue
        if r["year"] is not None:
            last = (r["year"], r["modality"])
        elif r["place"] and last is not None and last[0] is not None and last[1] in (None, r["modality"]) and \
                not (r["modality"] == "actual" and (_STOCK_HEAD.match(r["sentence"]) or r["rule"].endswith("_stock"))):  # units that meet the standard now, recognised whenever
            r["year"] = last[0]
            r["rule"] += "+doc_year"


def records_frame(rows: list[dict]) -> pd.DataFrame:
    """Validated DataFrame of record dicts (``RECORD_COLUMNS`` + ``sentence``, ``rule``)."""
    if not rows:
        return empty_records()
    df = validate_records(pd.DataFrame(rows))
    return df[[c for c in [*RECORD_COLUMNS, "sentence", "rule"] if c in df.columns]]


def extract_document(text: str, meta: dict | None = None, doc_id: str = "doc") -> pd.DataFrame:
    """All records of one document (title on the first line, then the text).

    ``text`` is the document as read (NFC); ``start``/``end`` of every record index it
    (the evidence sentence).  ``meta`` is the sidecar (url, title, published).  Returns a
    validated DataFrame with ``RECORD_COLUMNS`` plus ``sentence`` and ``rule``; no records
    for text that is not Vietnamese.
    """
    return records_frame(extract_records(text, meta, doc_id))


def _postprocess(records: list[dict], ctx: DocContext) -> list[dict]:
    named = Counter((r["standard"], r["unit"]) for r in records if r["measure"] == "recognized" and r["place"])
    out = []
    seen: set = set()
    for r in records:
        if r["measure"] == "recognized" and not r["place"] and r.get("_count") and named[(r["standard"], r["unit"])] >= r["_count"]:
            continue
        r.pop("_count", None)
        if r["place"] and not T.fold(r["place"]):
            r["place"] = None
        if r["unit"] == "country":
            r["place"] = "Việt Nam"
        key = (r["unit"], T.fold(r["place"] or ""), r["standard"], r["measure"], r["achieved"], r["total"], r["modality"])
        if key in seen:
            continue
        seen.add(key)
        _resolve_record(r, ctx)
        if r["total"] is not None and r["achieved"] is not None and (r["achieved"] > r["total"] or r["total"] == 0):
            _note_drop(ctx, r["start"], r["end"],
                       f"{r['measure']} {r['achieved']}/{r['total']} {r.get('counted') or ''} ({r['unit']} {r['place'] or 'unnamed'})",
                       "achieved exceeds total" if r["total"] else "a total of 0")
            continue
        out.append(r)
    _resolve_by_neighbours(out)
    if ctx.written:  # the topic places as the text writes them ("Hòa Bình", "Đăk Glei"), not as the gazetteer does
        for r in out:
            for f in ("place", "district", "province"):
                if r[f] in ctx.written:
                    r[f] = ctx.written[r[f]]
    return out


def _resolve_by_neighbours(records: list[dict]) -> None:
    """An ambiguous commune listed with communes of one district ("các xã Hòa Liên, Hòa Sơn",
    Hòa Liên only in Hòa Vang) is looked up in that district: the places a sentence names
    together are neighbours."""
    for r in records:
        if r["unit"] != "commune" or r["resolution"] != "ambiguous" or not r["place"]:
            continue
        near = {(o["district"], o["province"]) for o in records
                if o is not r and o["start"] == r["start"] and o["unit"] == "commune" and o["place_code"]}
        if len(near) != 1:
            continue
        district, province = near.pop()
        res = _resolve(r["place"], "commune", province=province, district=district)
        if res is not None and res.status == "exact" and res.candidates:
            c = res.candidates[0]
            r["place_code"] = c.code
            r["district_code"], r["district"] = c.district_code, c.district_name
            r["province_code"], r["province"] = c.province_code, c.province_name
            r["resolution"] = "context"


def _resolve_record(r: dict, ctx: DocContext) -> None:
    """Fill district/province and GSO codes from the gazetteer with the document's context."""
    unit, place = r["unit"], r["place"]
    r["province_code"] = r["district_code"] = r["place_code"] = None
    r["resolution"] = "unknown"
    if unit == "country":
        r["district"] = r["province"] = None
        return
    provs = _province_names()
    if unit == "province":
        key = _match_prefix(place or "", provs) if place else None
        if key:
            r["place"], r["province_code"] = provs[key]
            r["province"] = r["place"]
            r["place_code"] = r["province_code"]
            r["resolution"] = "exact"
        elif place is None and ctx.province:
            r["province"] = ctx.province
        else:
            r["province"] = place
        r["district"] = None
        return
    if unit == "district":
        res = _resolve(place, "district", province=ctx.province) if place else None
        if res is not None and res.status == "exact":
            c = res.candidates[0]
            r["place_code"] = r["district_code"] = c.code
            r["province_code"], r["province"] = c.province_code, c.province_name
            r["district"] = place
            r["resolution"] = "exact" if ctx.province is None or c.province_code == ctx.province_code else "context"
            return
        if place and ctx.district and T.fold(place) == T.fold(ctx.district):
            r["place_code"] = r["district_code"] = ctx.district_code
            r["province_code"], r["province"] = ctx.province_code, ctx.province
            r["district"] = place
            r["resolution"] = "context"
            return
        r["district"] = place
        r["province"] = ctx.province
        r["province_code"] = ctx.province_code
        r["resolution"] = "ambiguous" if res is not None and res.status == "ambiguous" else "unknown"
        return
    # commune / village
    given_district = r.get("district")
    r["province"] = r.get("province") or ctx.province
    r["province_code"] = ctx.province_code
    if place is None:
        r["district"] = given_district or (ctx.district if ctx.scope == "district" else None)
        r["district_code"] = ctx.district_code if r["district"] and ctx.district and T.fold(r["district"]) == T.fold(ctx.district) else None
        return
    district_hint = given_district or ctx.district
    if unit == "village":
        r["district"] = district_hint
        r["district_code"] = ctx.district_code if district_hint == ctx.district else None
        return
    res = _resolve(place, "commune", province=ctx.province, district=district_hint)
    if (res is None or res.status != "exact") and district_hint and given_district is None:
        res2 = _resolve(place, "commune", province=ctx.province)
        if res2 is not None and res2.status == "exact":
            res = res2
    if res is not None and res.status == "exact" and res.candidates:
        c = res.candidates[0]
        r["place_code"] = c.code
        r["district_code"], r["district"] = c.district_code, c.district_name
        r["province_code"], r["province"] = c.province_code, c.province_name
        r["resolution"] = "exact" if (district_hint is None and ctx.province is None) else "context"
        if given_district is None and ctx.district and c.district_code != ctx.district_code:
            pass
        return
    r["district"] = district_hint
    r["district_code"] = ctx.district_code if district_hint and district_hint == ctx.district else None
    if res is not None and res.status == "ambiguous":
        r["resolution"] = "ambiguous"


# ---------------------------------------------------------------- files and corpora


@dataclass
class DocResult:
    """One document's outcome: its records and, when something went wrong, why."""

    doc_id: str
    path: str
    records: list[dict]
    status: str  # ok | empty | skipped | error
    message: str | None = None


def iter_documents(paths: Iterable[Path | str]) -> Iterator[Path]:
    """``.txt`` files named directly or found (sorted) in the folders given, lazily."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            yield from sorted(p.glob("*.txt"))
        else:
            yield p


def _read_meta(path: Path) -> tuple[dict, str | None]:
    side = path.with_suffix(".json")
    try:
        raw = side.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"sidecar {side.name} cannot be read ({exc.__class__.__name__}); metadata ignored"
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, f"sidecar {side.name} is not valid JSON ({exc.__class__.__name__}); metadata ignored"
    if not isinstance(meta, dict):
        return {}, f"sidecar {side.name} is not a JSON object; metadata ignored"
    pub = meta.get("published")
    note = None
    if pub is not None and (not isinstance(pub, str) or not _match(r"\s*(?:19|20)\d\d(?:-\d\d(?:-\d\d)?)?\b", pub)):
        if isinstance(pub, str) and T.parse_date(pub):
            note = f"sidecar published {pub!r} is not a partial ISO date; read as {T.parse_date(pub)}"
        else:
            note = f"sidecar published {pub!r} is not a date; ignored"
            meta = {**meta, "published": None}
    return meta, note


def extract_path(path: Path | str) -> DocResult:
    """Read one ``.txt`` (+ ``.json``) and extract it; never raises for a bad document."""
    path = Path(path)
    doc_id = path.stem
    try:
        data = path.read_bytes()
    except OSError as exc:
        return DocResult(doc_id, str(path), [], "error", f"cannot read: {exc}")
    notes = []
    if len(data) > MAX_BYTES:
        notes.append(f"document is {len(data) / 1e6:.1f} MB; only the first {MAX_BYTES // 1000} kB were read")
        data = data[:MAX_BYTES]
        while data and (data[-1] & 0xC0) == 0x80:
            data = data[:-1]
        data = data[:-1] if data and data[-1] >= 0xC0 else data
    decoded = T.decode_document(data)
    if decoded.text is None:
        status = "empty" if decoded.encoding == "empty" else "error"
        return DocResult(doc_id, str(path), [], status, f"unreadable: {decoded.problem}")
    if decoded.encoding not in ("utf-8", "utf-8-bom"):
        notes.append(f"converted from {decoded.encoding}")
    meta, note = _read_meta(path)
    if note:
        notes.append(note)
    text = decoded.text
    if _search(r"<\s*(?:html|body|div|p|script)\b", text[:2000], re.I):
        text = re.sub(r"<[^>]+>", lambda m: " " * len(m.group(0)), text)
        notes.append("HTML markup found; tags blanked before extraction")
    try:
        # detect_language reads the first 1,500 characters; normalising a slightly longer head
        # (tone fixes look one character ahead) gives the same answer without the whole text
        head = T.normalize_same_length(text[:1600])
        # the decoder has already read these same characters as Vietnamese (most documents)
        lang = "vi" if decoded.vietnamese and head[:1500] == decoded.text[:1500] else T.detect_language(head)
        if lang != "vi":
            return DocResult(doc_id, str(path), [], "skipped",
                             f"not Vietnamese (looks {lang}); no records by rule" + ("; " + "; ".join(notes) if notes else ""))
        records = extract_records(text, meta, doc_id=doc_id, check_language=False, notes=notes)
        records, dropped = check_records(records, doc_id)
        notes.extend(dropped)
    except Exception as exc:  # one bad document must not stop a batch
        return DocResult(doc_id, str(path), [], "error", f"extraction failed: {type(exc).__name__}: {exc}")
    return DocResult(doc_id, str(path), records, "ok", "; ".join(notes) or None)


def check_records(records: list[dict], doc_id: str) -> tuple[list[dict], list[str]]:
    """Split one document's records into the valid ones and a note per invalid one.

    Each note names the document, the evidence span (character offsets), the extraction
    rule and the schema rule broken (``records.record_problems``), so a bad record is
    listed in the run summary instead of failing the batch.
    """
    kept, notes = [], []
    for r in records:
        problems = record_problems(r)
        if problems:
            notes.append(f"record dropped ({doc_id} chars {r.get('start')}-{r.get('end')}, "
                         f"rule {r.get('rule')}): {'; '.join(problems)}")
        else:
            kept.append(r)
    return kept, notes


def _extract_many(paths: list[str]) -> list[DocResult]:
    return [extract_path(p) for p in paths]


def iter_results(paths: Iterable[Path | str], processes: int | None = None, chunksize: int = 64) -> Iterator[DocResult]:
    """Stream ``DocResult``s: one file at a time, or chunks over a process pool."""
    files = (str(p) for p in iter_documents(paths))
    if not processes or processes <= 1:
        for f in files:
            yield extract_path(f)
        return

    def chunks() -> Iterator[list[str]]:
        buf: list[str] = []
        for f in files:
            buf.append(f)
            if len(buf) >= chunksize:
                yield buf
                buf = []
        if buf:
            yield buf

    _warm()
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(processes) as pool:
        for batch in pool.imap(_extract_many, chunks()):
            yield from batch


def _warm() -> None:
    """Load the gazetteer indexes once (before forking workers)."""
    _province_names()
    _district_index()
    _portal_index()
    _places_with_bad_first()


def clear_text_caches() -> None:
    """Forget the results memoised from earlier texts (clause modality, name folding, place
    resolution, portal hosts), keeping the loaded gazetteer indexes.

    For benchmarks over replicated documents: without it a replica finds its own clauses
    and names already cached, which a corpus of distinct reports would not.
    """
    for f in (_modality, _std_word, _resolve, _portal_place, T.fold):
        f.cache_clear()
    _LOWER_CACHE.clear()
    for anchored in _ANCHORED:
        anchored.last_text = anchored.last_starts = None


def extract_corpus(paths: Iterable[Path | str], processes: int | None = None,
                   keep_sentence: bool = True, report: list | None = None,
                   client: Any = None, out_dir: Path | str | None = None) -> pd.DataFrame:
    """Records of every document under ``paths`` (files or folders), as one DataFrame.

    With ``client`` (a ``distributed.Client`` or a scheduler address such as
    ``"tcp://host:8786"``) or ``out_dir``, the same call runs on Dask
    (``helpers.scale.extract_corpus_dask``): partitions of documents go to the workers,
    the records are written as partitioned Parquet to ``out_dir`` (a temporary folder when
    not given) and read back: the same records as without Dask, in the canonical form of
    ``helpers.scale.canonical_records``.

    The *input* streams: files are read one at a time (or in chunks of 64 over
    ``processes`` workers), and each document's records are checked against the schema
    as it is extracted (invalid ones are dropped and named, see ``check_records``).  The
    *output* is gathered in memory: every record (with its sentence unless
    ``keep_sentence=False``) is kept until the end, so memory grows with the number of
    records.  For corpora that do not fit, use ``helpers.scale.extract_corpus_dask``,
    which writes partitioned Parquet, or ``iter_results`` to consume documents one by
    one.  Documents with problems or notes are appended to ``report`` (a list of
    ``(doc_id, status, message)``) when given.
    """
    if client is not None or out_dir is not None:
        return _extract_corpus_on_dask(paths, processes, keep_sentence, report, client, out_dir)
    rows: list[dict] = []
    for res in iter_results(paths, processes=processes):
        if report is not None and (res.status != "ok" or res.message):
            report.append((res.doc_id, res.status, res.message))
        for r in res.records:
            if not keep_sentence:
                r.pop("sentence", None)
            rows.append(r)
    return records_frame(rows)


def _extract_corpus_on_dask(paths: Iterable[Path | str], processes: int | None,
                            keep_sentence: bool, report: list | None, client: Any,
                            out_dir: Path | str | None) -> pd.DataFrame:
    import tempfile

    from helpers import scale

    with tempfile.TemporaryDirectory(prefix="ntm-records-") as tmp:
        run = scale.extract_corpus_dask(list(paths), out_dir if out_dir is not None else tmp,
                                        client=client, keep_sentence=keep_sentence,
                                        num_workers=processes)
        if report is not None:
            report.extend(run.problems[["doc_id", "status", "message"]].itertuples(index=False, name=None))
        return run.read()


def url_only(value: object) -> str | None:
    """The leading whitespace-free token of a sidecar ``url`` field (None when empty)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.split()[0]


def build_derived_records(dirs: Iterable[Path | str], out_dir: Path | str) -> list[Path]:
    """``make records``: extract seeds + corpus, write ``records.csv`` (facts, no sentences)
    and ``extraction_report.csv`` (documents with errors, skips or notes)."""
    out_dir = Path(out_dir)
    _province_names()  # loads the gazetteer, or records why it cannot be loaded
    report: list = []
    if not _GAZETTEER_DOWN:
        df = extract_corpus(list(dirs), report=report, keep_sentence=False)
    if _GAZETTEER_DOWN:  # the committed facts keep their codes rather than lose them
        raise DataFileError(f"{out_dir} not rewritten: the gazetteer's data is unavailable ({_GAZETTEER_DOWN[0]})")
    out_dir.mkdir(parents=True, exist_ok=True)
    # a sidecar's url field may carry a note after the address ("https://… (article \"<title>\"; …)"):
    # keep the address only, so no article text goes into data/
    df["url"] = df["url"].map(url_only)
    df = df[RECORD_COLUMNS].sort_values(["doc_id", "start", "unit", "place", "standard", "measure", "achieved"],
                                         na_position="first", kind="mergesort").reset_index(drop=True)
    rec_path = out_dir / "records.csv"
    df.to_csv(rec_path, index=False, lineterminator="\n")
    rep = pd.DataFrame(report, columns=["doc_id", "status", "message"]).sort_values("doc_id", kind="mergesort")
    rep_path = out_dir / "extraction_report.csv"
    rep.to_csv(rep_path, index=False, lineterminator="\n")
    return [rec_path, rep_path]


def evidence_html(text: str, records: pd.DataFrame | list[dict], max_chars: int = 4000) -> str:
    """The document as HTML with each record's evidence span highlighted (title shows the facts).

    ``start``/``end`` index ``text`` (the document as read, NFC); overlapping spans are merged.
    """
    import html

    rows = records.to_dict("records") if isinstance(records, pd.DataFrame) else list(records)
    spans: dict[tuple[int, int], list[str]] = {}
    for r in rows:
        if r.get("start") is None or r.get("end") is None or pd.isna(r["start"]):
            continue
        label = f"{r['measure']} · {r.get('place') or '(unnamed ' + str(r['unit']) + ')'} · {r['standard']} · {r['modality']}"
        if r.get("achieved") is not None and not pd.isna(r["achieved"]):
            label += f" · {int(r['achieved'])}" + (f"/{int(r['total'])}" if r.get("total") is not None and not pd.isna(r["total"]) else "")
        spans.setdefault((int(r["start"]), int(r["end"])), []).append(label)
    out, pos = [], 0
    for (a, b), labels in sorted(spans.items()):
        if a < pos:
            continue
        out.append(html.escape(text[pos:a]))
        title = html.escape("\n".join(labels), quote=True)
        out.append(f'<mark title="{title}" style="background:#ffe08a">{html.escape(text[a:b])}</mark>'
                   f'<sup style="color:#a15c00">[{len(labels)}]</sup>')
        pos = b
    out.append(html.escape(text[pos:]))
    body = "".join(out)
    if len(body) > max_chars:
        body = body[:max_chars] + " …"
    return f'<div style="white-space:pre-wrap;font-family:serif;border:1px solid #ccc;padding:6px">{body}</div>'
