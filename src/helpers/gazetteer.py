"""Vietnam's administrative units with official GSO codes, and a resolver from names to codes.

Why: reports name places the way people write them ("TP. Hà Tĩnh", "xã Hoà Bình",
"Dak Mil", "Phuong 1"), the project joins everything on codes. This module turns a name
(with optional province/district context) into exactly one code, or says it cannot.

Sources (published lists, nothing hand-typed):

* the official unit list as of 2022-10-01, ``dvhcvn/68a42907…/data/dvhcvn.json``
  (daohoangson/dvhcvn, GPL-3.0; fetched with :func:`helpers.datasets.fetch`): 63 provinces,
  705 districts, 10,599 communes — the vintage of the district polygons;
* the PyPI package ``vietnamadminunits`` (MIT): its sqlite table ``admin_units_legacy`` is
  the 2025-03 list (63 provinces, 696 districts, 10,035 communes, with aliases naming the
  communes and districts merged into each unit), ``admin_units`` is the list after the
  1 July 2025 reform (34 provinces, 3,321 communes) and ``converter_2025.json`` maps every
  2025-03 commune to its 2025 commune;
* ``data/reference/regions.csv``: province → GSO socio-economic region (facts, with source).

Codes are zero-padded strings: province ``'01'``, district ``'001'``, commune ``'00001'``.

Name matching (see :func:`normalize_name`): a name is compared through two keys,
``key`` (lower case, NFC, with diacritics, tone mark put in one canonical place so that
"Hoà"/"Hòa" and "Thuỷ"/"Thủy" are equal, "Đắk/Đăk/Dak" equal, i/y spelling variants equal)
and ``loose`` (the same without any diacritics, "đ" → "d"). The resolver rule is:

1. candidates = units in scope (unit level, province, district) whose ``loose`` key matches;
2. if exactly one, that is the answer (``match="accentless"`` or ``"diacritics"``);
3. else if exactly one candidate also matches the ``key`` (diacritics), that one wins —
   diacritics decide only when they make the answer unique, and only when the input has
   diacritics at all ("Dak Ha" stays ambiguous between Đắk Hà and Đắk Ha);
4. else if the input's type word ("thị xã", "TP.") leaves exactly one candidate of that
   type, that one wins ("TX Kỳ Anh" vs "huyện Kỳ Anh");
5. else ambiguous (several) or unknown (none). The resolver never picks among candidates.

Scope: ``province``/``district`` (names or codes) narrow the search; a district named by its
2025-03 successor also covers the communes it absorbed (Nam Đông's communes "in Phú Lộc"). When
nothing matches in the given province, the other old provinces of its 2025 province are tried
(a post-reform text may say "Lâm Đồng" for Bình Thuận), with a ``note``; as a last resort,
inside a given scope only, s/x spelling variants match ("Bản Xen" = Bản Sen,
``match="spelling_variant"``). Names not in the 2022-10 list (units created or renamed in
2023–25, such as "Thị xã Chũ") are looked up in the 2025-03 list when the 2022-10 list has no
candidate; such results carry ``vintage="2025-03"``. Communes merged away before 2022-10
(the 2019–21 mergers) are in neither list: "unknown".

Speed: parsed tables are cached as parquet in ``cache_dir()/gazetteer`` (rebuilt when the
sources or this code change); the first ``resolve()`` in a process builds the name index
(about a second), later calls are memoised.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers import datasets, paths

__all__ = [
    "REGIONS",
    "UNIT_LIST_2022",
    "Candidate",
    "NameKey",
    "Resolution",
    "communes",
    "communes_2025",
    "crosswalk_2025",
    "district_changes",
    "district_merges",
    "districts",
    "main_province_2025",
    "normalize_name",
    "province_2025_of",
    "provinces",
    "provinces_2025",
    "resolve",
    "resolve_group",
    "warm",
]

UNIT_LIST_2022 = "dvhcvn/68a429079360bc2acc197f2f5a9d2f8c2784678b/data/dvhcvn.json"
REGIONS_CSV = "reference/regions.csv"

#: The six GSO socio-economic regions, English ids → Vietnamese names.
REGIONS: dict[str, str] = {
    "northern_midlands_mountains": "Trung du và miền núi phía Bắc",
    "red_river_delta": "Đồng bằng sông Hồng",
    "north_central_coast": "Bắc Trung Bộ và duyên hải miền Trung",
    "central_highlands": "Tây Nguyên",
    "southeast": "Đông Nam Bộ",
    "mekong_delta": "Đồng bằng sông Cửu Long",
}

UNITS = ("province", "district", "commune")

# --------------------------------------------------------------------------------------
# Name normalisation
# --------------------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
_VOWELS = set("aăâeêioôơuưy")
_MARKED = set("ăâêôơư")

# Type words, longest first; the value is the unit type kept in NameKey.unit_type.
_TYPE_WORDS: list[tuple[str, str]] = [
    ("thành phố trực thuộc trung ương", "thành phố"),
    ("thành phố trung ương", "thành phố"),
    ("thành phố", "thành phố"),
    ("thanh pho", "thành phố"),
    ("tp.", "thành phố"),
    ("tp", "thành phố"),
    ("t.p.", "thành phố"),
    ("t.p", "thành phố"),
    ("tỉnh", "tỉnh"),
    ("tinh", "tỉnh"),
    ("huyện", "huyện"),
    ("huyen", "huyện"),
    ("h.", "huyện"),
    ("quận", "quận"),
    ("quan", "quận"),
    ("q.", "quận"),
    ("thị xã", "thị xã"),
    ("thi xa", "thị xã"),
    ("tx.", "thị xã"),
    ("tx", "thị xã"),
    ("thị trấn", "thị trấn"),
    ("thi tran", "thị trấn"),
    ("tt.", "thị trấn"),
    ("tt", "thị trấn"),
    ("phường", "phường"),
    ("phuong", "phường"),
    ("p.", "phường"),
    ("xã", "xã"),
    ("xa", "xã"),
    ("đặc khu", "đặc khu"),
]
_TYPE_WORDS.sort(key=lambda t: -len(t[0]))

#: Unit types → level.
TYPE_LEVEL = {
    "tỉnh": ("province",),
    "thành phố": ("province", "district"),
    "huyện": ("district",),
    "quận": ("district",),
    "thị xã": ("district",),
    "xã": ("commune",),
    "phường": ("commune",),
    "thị trấn": ("commune",),
    "đặc khu": ("commune",),
}

# Type words written without diacritics are only read as type words in text without any
# diacritics ("Quan Hóa" is a name); the resolver then also tries the whole text as a name
# ("quan hoa" may be Quan Hóa or Quận Hoà).
_ASCII_FIRST_WORDS = {"thanh", "tinh", "huyen", "quan", "thi", "phuong", "xa"}
_ASCII_TYPES = {"thanh pho", "tinh", "huyen", "quan", "thi xa", "thi tran", "phuong", "xa"}


@dataclass(frozen=True)
class NameKey:
    """A normalised place name.

    key: lower-case NFC name with diacritics, tone marks in one canonical place;
    display: the name as written, NFC, without its type word, spacing tidied;
    unit_type: the type word found ("xã", "huyện", "thành phố", ...), or None;
    loose: ``key`` without diacritics (đ → d), spaces and punctuation.
    """

    key: str
    display: str
    unit_type: str | None
    loose: str = ""


def _tidy(text: str) -> str:
    """NFC, look-alike Đ fixed ("Ð" U+00D0 → "Đ"), spacing folded, outer punctuation dropped."""
    text = unicodedata.normalize("NFC", str(text))
    text = text.replace("\u00d0", "Đ").replace("\u0189", "Đ").replace("\u00f0", "đ")
    return re.sub(r"\s+", " ", text).strip(' .,;:()"\u201c\u201d')


def _clean(text: str) -> str:
    """Tidy text for keys: apostrophes dropped (Cư M'gar = Cư Mgar), hyphens are spaces."""
    text = re.sub(r"[\u2018\u2019\u02bc`´']", "", _tidy(text))
    text = re.sub(r"[\u2010-\u2015\-_/]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _split_tone(syllable: str) -> tuple[str, str]:
    """Remove the tone mark of one lower-case syllable; return (toneless NFC, tone mark)."""
    tone = ""
    out = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONES:
            tone = ch
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)), tone


def _tone_position(base: str) -> int | None:
    """Index of the vowel that carries the tone in one canonical placement ("hoà", "thuỷ")."""
    start = 0
    if base.startswith("qu") and len(base) > 2 and base[2] in _VOWELS:
        start = 2
    elif base.startswith("gi") and len(base) > 2 and base[2] in _VOWELS:
        start = 2
    idx = [i for i in range(start, len(base)) if base[i] in _VOWELS]
    if not idx:
        idx = [i for i in range(len(base)) if base[i] in _VOWELS]
        if not idx:
            return None
    # first contiguous vowel run
    run = [idx[0]]
    for i in idx[1:]:
        if i == run[-1] + 1:
            run.append(i)
        else:
            break
    marked = [i for i in run if base[i] in _MARKED]
    if marked:
        return marked[-1]
    if len(run) == 1:
        return run[0]
    closed = run[-1] + 1 < len(base)
    if closed:
        return run[-1]
    cluster = "".join(base[i] for i in run)
    if cluster in ("oa", "oe", "uy"):
        return run[1]
    if len(run) >= 3:
        return run[1]
    return run[0]


def _canon_syllable(word: str) -> str:
    """Canonical spelling of one lower-case word: tone placed by rule, y/i and Đắk variants."""
    if not word:
        return word
    base, tone = _split_tone(word)
    plain = _strip_diacritics(base)
    if plain in ("dak", "lak"):  # Đắk / Đăk / Đak / Dak, Lắk / Lăk / Lak: one spelling
        return {"dak": "đắk", "lak": "lắk"}[plain]
    # i/y after a consonant at the end of a syllable are the same sound: Kỳ = Kì, Lý = Lí
    if len(base) >= 2 and base[-1] == "y" and (base[-2] not in _VOWELS or base.startswith("qu")):
        if not (base[-2] == "u" and not base.startswith("qu")):
            base = base[:-1] + "i"
    if not tone:
        return base
    pos = _tone_position(base)
    if pos is None:
        return base
    return unicodedata.normalize("NFC", base[: pos + 1] + tone + base[pos + 1 :])


def _strip_diacritics(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    nfd = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in nfd if unicodedata.category(ch) != "Mn")


def _key_of(display: str) -> str:
    words = []
    for w in display.lower().split(" "):
        w = w.strip(".,")
        if not w:
            continue
        if w.isdigit():
            w = str(int(w))  # Phường 01 = Phường 1
        words.append(_canon_syllable(w))
    if len(words) > 1 and words[-1] in _ROMAN:  # "Sơn Kim I" = "Sơn Kim 1"
        words[-1] = _ROMAN[words[-1]]
    return " ".join(words)


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


@cache
def normalize_name(text: str) -> NameKey:
    """Normalise a place name: NFC, type word stripped and kept, canonical keys.

    >>> normalize_name("TP. Hà Tĩnh").unit_type
    'thành phố'
    >>> normalize_name("xã Hoà Bình").key == normalize_name("Hòa Bình").key
    True
    """
    return _normalize(text, strip_type=True)


@cache
def _normalize(text: str, strip_type: bool) -> NameKey:
    text = _tidy(text)
    lower = text.lower()
    has_diacritics = _strip_diacritics(text) != text
    unit_type = None
    for word, utype in _TYPE_WORDS if strip_type else ():
        if not lower.startswith(word):
            continue
        rest = text[len(word) :]
        if word[-1] != "." and rest and rest[0] not in " .":
            continue  # "Tphố" / "Xuân" are not type words
        rest = rest.lstrip(" .")
        if not rest:
            continue
        if word in _ASCII_TYPES and has_diacritics:
            continue  # "Quan Hóa": ASCII type words only in ASCII text
        unit_type = utype
        text = rest
        break
    display = text
    # numbered units keep their type word in the display name: "Phường 1", "Quận 3"
    if unit_type and display.replace(" ", "").isdigit():
        display = f"{unit_type.capitalize()} {int(display.replace(' ', ''))}"
        key = str(int(text.replace(" ", "")))
    else:
        key = _key_of(_clean(display))
    return NameKey(key=key, display=display, unit_type=unit_type, loose=_loose(key))


def _loose(key: str) -> str:
    """Accent-free, space-free form ("Krông A Na" = "Krông Ana" = "krongana")."""
    return re.sub(r"[^a-z0-9]", "", _strip_diacritics(key).lower())


# --------------------------------------------------------------------------------------
# Unit tables
# --------------------------------------------------------------------------------------


def _code(width: int, nullable: bool = False, unique: bool = False) -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(rf"^\d{{{width}}}$"), nullable=nullable,
                     unique=unique)  # fmt: skip


PROVINCES_SCHEMA = pa.DataFrameSchema(
    {
        "province_code": _code(2, unique=True),
        "province_name": pa.Column(str),
        "province_type": pa.Column(str, pa.Check.isin(["Tỉnh", "Thành phố Trung ương"])),
        "region": pa.Column(str, pa.Check.isin(list(REGIONS))),
    },
    strict=True,
)
DISTRICTS_SCHEMA = pa.DataFrameSchema(
    {
        "district_code": _code(3, unique=True),
        "district_name": pa.Column(str),
        "district_type": pa.Column(str, pa.Check.isin(["Huyện", "Quận", "Thị xã", "Thành phố"])),
        "province_code": _code(2),
        "province_name": pa.Column(str),
    },
    strict=True,
)
COMMUNES_SCHEMA = pa.DataFrameSchema(
    {
        "commune_code": _code(5, unique=True),
        "commune_name": pa.Column(str),
        "commune_type": pa.Column(str, pa.Check.isin(["Xã", "Phường", "Thị trấn"])),
        "district_code": _code(3),
        "province_code": _code(2),
    },
    strict=True,
)
CROSSWALK_DISTRICT_SCHEMA = pa.DataFrameSchema(
    {
        "district_code": _code(3),
        "province_code": _code(2),
        "province_2025_code": _code(2),
        "province_2025_name": pa.Column(str),
        "share": pa.Column(float, pa.Check.in_range(0, 1, include_min=False)),
    },
    strict=True,
    unique=["district_code", "province_2025_code"],
)
CROSSWALK_COMMUNE_SCHEMA = pa.DataFrameSchema(
    {
        "commune_code": _code(5),
        "commune_2025_code": _code(5, nullable=True),
        "commune_2025_name": pa.Column(str, nullable=True),
        "province_2025_code": _code(2),
        "is_default": pa.Column(bool),
        "link": pa.Column(str),
    },
    strict=True,
)


_CACHE_FORMAT = "1"


@cache
def _cache_tag() -> str:
    """Hash of everything a cached table depends on: sources, package version, this code."""
    h = hashlib.sha256(_CACHE_FORMAT.encode())
    h.update(datasets.registry()[UNIT_LIST_2022].sha256.encode())
    try:
        h.update(importlib.metadata.version("vietnamadminunits").encode())
    except importlib.metadata.PackageNotFoundError:
        pass
    h.update(Path(__file__).read_bytes())
    regions = paths.DATA / REGIONS_CSV
    if regions.is_file():
        h.update(regions.read_bytes())
    return h.hexdigest()[:16]


def _cached_table(name: str, schema: pa.DataFrameSchema | None = None):
    """Memoise a table builder in memory and as parquet in ``cache_dir()/gazetteer``.

    The file name carries :func:`_cache_tag`, so a change of source, package or code
    rebuilds the table; an unwritable cache folder only costs speed. A table is validated
    against ``schema`` when built and when read back (a damaged cache file is rebuilt).
    """

    def wrap(builder):
        @cache
        def load() -> pd.DataFrame:
            path = datasets.cache_dir() / "gazetteer" / f"{name}-{_cache_tag()}.parquet"
            if path.is_file():
                try:
                    df = pd.read_parquet(path)
                    return schema.validate(df) if schema is not None else df
                except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt
                    pass
            df = builder()
            if schema is not None:
                df = schema.validate(df)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                df.to_parquet(tmp, index=False)
                tmp.replace(path)
                for stale in path.parent.glob(f"{name}-*.parquet"):
                    if stale != path:  # tables of an older source or code version
                        stale.unlink(missing_ok=True)
            except OSError:
                pass
            return df

        load.__doc__ = builder.__doc__
        load.__wrapped__ = builder
        return load

    return wrap


def _short_name(full: str) -> str:
    """Official name without its type word ("Huyện Tam Đảo" → "Tam Đảo", keeps "Phường 1")."""
    return normalize_name(full).display


@cache
def _unit_list_2022() -> dict:
    path = datasets.fetch(UNIT_LIST_2022)
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _vau_data() -> Path:
    """The data folder of the installed package ``vietnamadminunits`` (not imported)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise datasets.DataFileError(
            "the Python package 'vietnamadminunits' (MIT, PyPI) is needed for the 2025-03 "
            "unit list and the 2025 converter: pip install vietnamadminunits"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _connect() -> sqlite3.Connection:
    """A read-only connection to the package's sqlite file."""
    return sqlite3.connect(f"file:{_vau_data() / 'dataset.db'}?mode=ro", uri=True)


def _sql(query: str) -> list[tuple]:
    """Rows of a query on the package's sqlite file."""
    con = _connect()
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def _table(name: str) -> pd.DataFrame:
    con = _connect()
    try:
        return pd.read_sql(f"select * from {name}", con)
    finally:
        con.close()


@cache
def _legacy_raw() -> pd.DataFrame:
    """``admin_units_legacy`` of vietnamadminunits: the 2025-03 list, one row per commune."""
    return _table("admin_units_legacy")


@cache
def _new_raw() -> pd.DataFrame:
    """``admin_units`` of vietnamadminunits: the 34-province list after 1 July 2025."""
    return _table("admin_units")


@cache
def _converter() -> dict:
    with open(_vau_data() / "converter_2025.json", encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _regions() -> pd.DataFrame:
    df = pd.read_csv(paths.DATA / REGIONS_CSV, dtype=str)
    bad = set(df["region"]) - set(REGIONS)
    if bad:
        raise ValueError(f"{REGIONS_CSV}: unknown region ids {sorted(bad)}")
    return df


@_cached_table("provinces", PROVINCES_SCHEMA)
def _provinces() -> pd.DataFrame:
    data = _unit_list_2022()["data"]
    df = pd.DataFrame(
        {
            "province_code": [p["level1_id"] for p in data],
            "province_name": [_short_name(p["name"]) for p in data],
            "province_type": [p["type"] for p in data],
        }
    )
    reg = _regions()[["province_code", "region"]]
    df = df.merge(reg, on="province_code", how="left", validate="1:1")
    missing = df.loc[df["region"].isna(), "province_code"].tolist()
    if missing:
        raise ValueError(f"{REGIONS_CSV} has no region for provinces {missing}")
    return df.sort_values("province_code", ignore_index=True)


def provinces() -> pd.DataFrame:
    """The 63 provinces (2022-10): province_code, province_name, province_type, region."""
    return _provinces().copy()


@_cached_table("districts_2022", DISTRICTS_SCHEMA)
def _districts_2022() -> pd.DataFrame:
    rows = []
    for p in _unit_list_2022()["data"]:
        for d in p["level2s"]:
            rows.append(
                (
                    d["level2_id"],
                    _short_name(d["name"]),
                    d["type"],
                    p["level1_id"],
                    _short_name(p["name"]),
                )
            )
    cols = ["district_code", "district_name", "district_type", "province_code", "province_name"]
    return pd.DataFrame(rows, columns=cols).sort_values("district_code", ignore_index=True)


@_cached_table("communes_2025_03", COMMUNES_SCHEMA)
def _communes_2025_03() -> pd.DataFrame:
    leg = _legacy_raw().dropna(subset=["wardCode"])
    df = pd.DataFrame(
        {
            "commune_code": leg["wardCode"],
            "commune_name": leg["wardShort"],
            "commune_type": leg["wardType"],
            "district_code": leg["districtCode"],
            "province_code": leg["provinceCode"],
        }
    )
    return df.sort_values("commune_code", ignore_index=True)


@_cached_table("districts_2025_03", DISTRICTS_SCHEMA)
def _districts_2025() -> pd.DataFrame:
    leg = _legacy_raw()
    df = leg.groupby("districtCode", as_index=False).first()[
        ["districtCode", "districtShort", "districtType", "provinceCode", "provinceShort"]
    ]
    df.columns = [
        "district_code",
        "district_name",
        "district_type",
        "province_code",
        "province_name",
    ]
    return df.sort_values("district_code", ignore_index=True)


def districts(vintage: str = "2022-10") -> pd.DataFrame:
    """Districts: district_code, district_name, district_type, province_code, province_name.

    ``vintage="2022-10"``: the 705 districts of the boundary layer; ``"2025-03"``: the 696 of
    the 2025-03 list (after the 2023–25 mergers; see :func:`district_merges`).
    """
    if vintage == "2022-10":
        return _districts_2022().copy()
    if vintage == "2025-03":
        return _districts_2025().copy()
    raise ValueError(f"unknown vintage {vintage!r}: use '2022-10' or '2025-03'")


@_cached_table("communes_2022", COMMUNES_SCHEMA)
def _communes_2022() -> pd.DataFrame:
    rows = []
    for p in _unit_list_2022()["data"]:
        for d in p["level2s"]:
            for c in d["level3s"]:
                rows.append(
                    (
                        c["level3_id"],
                        _short_name(c["name"]),
                        c["type"],
                        d["level2_id"],
                        p["level1_id"],
                    )
                )
    cols = ["commune_code", "commune_name", "commune_type", "district_code", "province_code"]
    return pd.DataFrame(rows, columns=cols).sort_values("commune_code", ignore_index=True)


def communes(vintage: str = "2022-10") -> pd.DataFrame:
    """Communes: commune_code, commune_name, commune_type, district_code, province_code.

    ``"2022-10"`` (default): the 10,599 communes of the official list of 2022-10-01;
    ``"2025-03"``: the 10,035 of the 2025-03 list (district codes of that vintage).
    """
    if vintage == "2022-10":
        return _communes_2022().copy()
    if vintage == "2025-03":
        return _communes_2025_03().copy()
    raise ValueError(f"unknown vintage {vintage!r}: use '2022-10' or '2025-03'")


# --------------------------------------------------------------------------------------
# 2023–25 district changes, derived from commune codes
# --------------------------------------------------------------------------------------


@_cached_table("district_merges")
def _district_merges() -> pd.DataFrame:
    old = _communes_2022()[["commune_code", "district_code"]]
    new = communes("2025-03")[["commune_code", "district_code"]]
    both = old.merge(new, on="commune_code", suffixes=("_old", "_new"))
    moved = both[both["district_code_old"] != both["district_code_new"]]
    size = old.groupby("district_code").size().rename("old_district_communes")
    g = (
        moved.groupby(["district_code_old", "district_code_new"])
        .size()
        .rename("communes_moved")
        .reset_index()
        .rename(
            columns={
                "district_code_old": "old_district_code",
                "district_code_new": "new_district_code",
            }
        )
    )
    g = g.merge(size, left_on="old_district_code", right_index=True)
    codes_2025 = set(_districts_2025()["district_code"])
    g["old_district_abolished"] = ~g["old_district_code"].isin(codes_2025)
    g["kind"] = g["old_district_abolished"].map({True: "merged", False: "communes_transferred"})
    d22 = _districts_2022().set_index("district_code")
    d25 = _districts_2025().set_index("district_code")
    g["old_district_name"] = g["old_district_code"].map(d22["district_name"])
    g["new_district_name"] = g["new_district_code"].map(d25["district_name"])
    g["new_district_type"] = g["new_district_code"].map(d25["district_type"])
    g["province_code"] = g["old_district_code"].map(d22["province_code"])
    g["new_district_in_2022_list"] = g["new_district_code"].isin(set(d22.index))
    g = g.sort_values(["old_district_code", "communes_moved", "new_district_code"],
                      ascending=[True, False, True], ignore_index=True)  # fmt: skip
    g["main_successor"] = ~g["old_district_code"].duplicated()
    cols = [
        "old_district_code",
        "old_district_name",
        "new_district_code",
        "new_district_name",
        "new_district_type",
        "province_code",
        "kind",
        "communes_moved",
        "old_district_communes",
        "old_district_abolished",
        "new_district_in_2022_list",
        "main_successor",
    ]
    return g[cols]


def district_merges() -> pd.DataFrame:
    """District changes between the 2022-10 and 2025-03 lists, found from commune codes.

    One row per (old district, new district) pair that communes moved between:
    old_district_code, old_district_name, new_district_code, new_district_name,
    new_district_type, province_code, kind ("merged" when the old district no longer exists
    in 2025-03, else "communes_transferred"), communes_moved, old_district_communes,
    old_district_abolished, new_district_in_2022_list (False for districts created in
    2023–25, e.g. Thị xã Chũ or Quận Phú Xuân), main_successor (True on the row that took
    most of the old district's moved communes; rows of one old district are sorted that way,
    so ``drop_duplicates("old_district_code")`` keeps it: Lộc Hà → Thạch Hà, not Hà Tĩnh).
    """
    return _district_merges().copy()


def district_changes() -> pd.DataFrame:
    """Every district that differs between the 2022-10 and the 2025-03 lists, by code.

    One row per district_code with ``change`` in ``abolished`` (in 2022-10, not in 2025-03),
    ``new`` (in 2025-03 only), ``renamed`` (same code, another name), ``type_changed`` (same
    name, e.g. huyện → thị xã). Spelling-only differences (Hoà/Hòa, a "(Huyện)" suffix that
    tells apart two units of one name, spacing) are not changes; a renamed district whose type
    also changed counts as ``renamed``. Columns: district_code,
    province_code, province_name, change, name_2022, type_2022, name_2025, type_2025, and
    ``linked`` (abolished: the district that took most of its communes; new: the districts it
    was formed from), from :func:`district_merges`. Changes before the 2022-10 list are not
    in these two lists.
    """
    old = districts("2022-10").set_index("district_code")
    new = districts("2025-03").set_index("district_code")
    merges = district_merges()

    def key(name: object) -> str:
        if not isinstance(name, str):
            return ""
        base = normalize_name(re.sub(r"\s*\([^)]*\)\s*$", "", name)).key
        return re.sub(r"[\s'’-]", "", base)  # "Ia H' Drai" = "Ia H'Drai"

    rows = []
    for code in sorted(set(old.index) | set(new.index)):
        a = old.loc[code] if code in old.index else None
        b = new.loc[code] if code in new.index else None
        if a is None:
            change = "new"
            src = merges[merges["new_district_code"] == code]
            linked = "; ".join(f"{n} ({c})" for c, n in
                               zip(src["old_district_code"], src["old_district_name"],
                                   strict=True))
        elif b is None:
            change = "abolished"
            dst = merges[merges["old_district_code"] == code].head(1)  # main successor first
            linked = "; ".join(f"{n} ({c})" for c, n in
                               zip(dst["new_district_code"], dst["new_district_name"],
                                   strict=True))
        elif key(a["district_name"]) != key(b["district_name"]):
            change, linked = "renamed", ""
        elif str(a["district_type"]).lower() != str(b["district_type"]).lower():
            change, linked = "type_changed", ""
        else:
            continue
        ref = a if a is not None else b
        rows.append({
            "district_code": code,
            "province_code": ref["province_code"],
            "province_name": ref["province_name"],
            "change": change,
            "name_2022": None if a is None else a["district_name"],
            "type_2022": None if a is None else a["district_type"],
            "name_2025": None if b is None else b["district_name"],
            "type_2025": None if b is None else b["district_type"],
            "linked": linked,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# July 2025 reform
# --------------------------------------------------------------------------------------


def _vau_key(text: str) -> str:
    """The key vietnamadminunits uses: lower case, no diacritics, letters and digits only."""
    key = re.sub(r"[^a-z0-9]", "", _strip_diacritics(unicodedata.normalize("NFC", text)).lower())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", key)  # "Phường 09" = "phuong9"


@cache
def _provinces_2025() -> pd.DataFrame:
    rows = _sql("select distinct provinceCode, provinceShort, provinceKey from admin_units")
    cols = ["province_2025_code", "province_2025_name", "province_2025_key"]
    return pd.DataFrame(rows, columns=cols).sort_values("province_2025_code", ignore_index=True)


def provinces_2025() -> pd.DataFrame:
    """The 34 provinces after 1 July 2025: province_2025_code, province_2025_name."""
    return _provinces_2025()[["province_2025_code", "province_2025_name"]].copy()


@cache
def _province_2025_map() -> dict[str, str]:
    """Pre-2025 province code → 2025 province code (provinces merged whole in 2025)."""
    key_to_code = dict(_sql("select distinct provinceKey, provinceCode from admin_units_legacy"))
    new_key_to_code = dict(_sql("select distinct provinceKey, provinceCode from admin_units"))
    out: dict[str, str] = {}
    for new_key, old_keys in _converter()["DICT_PROVINCE"].items():
        for k in old_keys:
            out[key_to_code[k]] = new_key_to_code[new_key]
    return out


def province_2025_of(province_code: str) -> str:
    """The 2025 province code a pre-2025 province (code) became part of."""
    try:
        return _province_2025_map()[str(province_code).zfill(2)]
    except KeyError:
        raise KeyError(f"{province_code!r} is not a pre-2025 province code") from None


@_cached_table("commune_to_legacy")
def _commune_to_legacy() -> pd.DataFrame:
    """2022-10 commune → the 2025-03 commune it is or was merged into (code and vau key).

    Communes kept their codes; a commune merged away in 2023–25 is found through the
    ``wardAlias`` of the 2025-03 commune that absorbed it, in the same province.
    """
    c22 = _communes_2022()
    leg = _legacy_raw().dropna(subset=["wardCode"])
    leg_by_code = leg.set_index("wardCode")
    full_key = leg["provinceKey"] + "_" + leg["districtKey"] + "_" + leg["wardKey"]
    leg = leg.assign(full_key=full_key)
    alias_index: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, prov, aliases in zip(
        leg["wardCode"], leg["provinceCode"], leg["wardAlias"], strict=True
    ):
        if isinstance(aliases, str):
            for a in json.loads(aliases):
                if code not in alias_index[(prov, _vau_key(a))]:
                    alias_index[(prov, _vau_key(a))].append(code)
    raw_names = {
        c["level3_id"]: c["name"]
        for p in _unit_list_2022()["data"]
        for d in p["level2s"]
        for c in d["level3s"]
    }
    name_index: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, prov, wkey in zip(leg["wardCode"], leg["provinceCode"], leg["wardKey"], strict=True):
        name_index[(prov, wkey)].append(code)
    key_by_code = dict(zip(leg["wardCode"], leg["full_key"], strict=True))
    legacy_district = dict(zip(leg["wardCode"], leg["districtCode"], strict=True))
    rows = []
    for code, dist, prov in zip(
        c22["commune_code"], c22["district_code"], c22["province_code"], strict=True
    ):
        if code in leg_by_code.index:
            rows.append((code, code, "same_code"))
            continue
        vkey = _vau_key(raw_names[code])
        moved_to = {dist} | _successor_of().get(dist, set())
        # the merged unit kept this commune's name but another code ("Phường 15" of Gò Vấp)
        hits = [h for h in name_index.get((prov, vkey), []) if legacy_district[h] in moved_to]
        if len(hits) == 1:
            rows.append((code, hits[0], "merged_same_name"))
            continue
        hits = alias_index.get((prov, vkey), [])
        if len(hits) > 1:  # prefer the absorbing commune in the same (or successor) district
            same = [h for h in hits if legacy_district[h] in moved_to]
            hits = same or hits
        if not hits:  # aliases also list names without their type word ("mocnam")
            short = _vau_key(_short_name(raw_names[code]))
            hits = [h for h in alias_index.get((prov, short), []) if legacy_district[h] in moved_to]
        if len(hits) == 1:
            rows.append((code, hits[0], "merged_alias"))
        else:
            rows.append((code, None, "not_found" if not hits else "alias_ambiguous"))
    df = pd.DataFrame(rows, columns=["commune_code", "commune_2025_03_code", "link"])
    df["legacy_key"] = df["commune_2025_03_code"].map(key_by_code)
    return df


@cache
def _successor_of() -> dict[str, set[str]]:
    """2022-10 district code → 2025-03 district codes that received some of its communes."""
    out: dict[str, set[str]] = defaultdict(set)
    m = _district_merges()
    for old, new in zip(m["old_district_code"], m["new_district_code"], strict=True):
        out[old].add(new)
    return out


@_cached_table("crosswalk_communes", CROSSWALK_COMMUNE_SCHEMA)
def _crosswalk_communes() -> pd.DataFrame:
    conv = _converter()
    new = _new_raw()
    new_by_key = {
        (pk, wk): (code, short, pcode)
        for pk, wk, code, short, pcode in zip(
            new["provinceKey"],
            new["wardKey"],
            new["wardCode"],
            new["wardShort"],
            new["provinceCode"],
            strict=True,
        )
    }
    undivided: dict[str, tuple[str, str]] = {}
    for pk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wk, olds in wards.items():
            for o in olds:
                undivided[o] = (pk, wk)
    divided: dict[str, list[tuple[str, str, bool]]] = {}
    for pk, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for o, news in olds.items():
            divided[o] = [(pk, n["newWardKey"], bool(n["isDefaultNewWard"])) for n in news]
    links = _commune_to_legacy()
    c22 = _communes_2022().set_index("commune_code")
    rows = []
    for code, lkey, link in zip(
        links["commune_code"], links["legacy_key"], links["link"], strict=True
    ):
        prov = c22.at[code, "province_code"]
        targets: list[tuple[str, str, bool]] = []
        if isinstance(lkey, str):
            if lkey in divided:
                targets = divided[lkey]
            elif lkey in undivided:
                targets = [(*undivided[lkey], True)]
        if not targets:
            rows.append((code, None, None, province_2025_of(prov), True, link + "_no_2025_ward"))
            continue
        for pk, wk, default in targets:
            ncode, nname, npcode = new_by_key[(pk, wk)]
            rows.append((code, ncode, nname, npcode, default, link))
    df = pd.DataFrame(
        rows,
        columns=[
            "commune_code",
            "commune_2025_code",
            "commune_2025_name",
            "province_2025_code",
            "is_default",
            "link",
        ],
    )
    return df


@_cached_table("crosswalk_districts", CROSSWALK_DISTRICT_SCHEMA)
def _crosswalk_districts() -> pd.DataFrame:
    cw = _crosswalk_communes()
    # one vote per pre-2025 commune: its default 2025 ward's province
    first = cw.sort_values(["commune_code", "is_default"], ascending=[True, False])
    first = first.drop_duplicates("commune_code")
    c22 = _communes_2022()[["commune_code", "district_code"]]
    first = first.merge(c22, on="commune_code")
    counts = first.groupby(["district_code", "province_2025_code"]).size().rename("n")
    counts = counts.reset_index()
    counts["share"] = counts["n"] / counts.groupby("district_code")["n"].transform("sum")
    d22 = _districts_2022()[["district_code", "province_code"]]
    out = d22.merge(
        counts[["district_code", "province_2025_code", "share"]], on="district_code", how="left"
    )
    # districts without communes (island districts): their province's 2025 province
    empty = out["province_2025_code"].isna()
    out.loc[empty, "province_2025_code"] = out.loc[empty, "province_code"].map(province_2025_of)
    out.loc[empty, "share"] = 1.0
    names = _provinces_2025().set_index("province_2025_code")["province_2025_name"]
    out["province_2025_name"] = out["province_2025_code"].map(names)
    cols = ["district_code", "province_code", "province_2025_code", "province_2025_name", "share"]
    return out[cols].sort_values(["district_code", "province_2025_code"], ignore_index=True)


def main_province_2025(crosswalk: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per pre-2025 district (index ``district_code``): the 2025 province that took the
    largest share of its communes (ties: the lower code), that share, and whether the
    district was split across 2025 provinces. Columns province_2025_code,
    province_2025_name, province_2025_share, province_2025_split.

    ``crosswalk`` defaults to ``crosswalk_2025("district")`` (pass another to test)."""
    cw = crosswalk_2025("district") if crosswalk is None else crosswalk.copy()
    cw["district_code"] = cw["district_code"].astype("string")
    cw["share"] = pd.to_numeric(cw["share"], errors="coerce").fillna(0.0)
    cw = cw.sort_values(["district_code", "share", "province_2025_code"],
                        ascending=[True, False, True], kind="stable")
    n = cw.groupby("district_code")["province_2025_code"].nunique().rename("_n")
    top = cw.groupby("district_code").head(1).set_index("district_code")
    out = pd.DataFrame({
        "province_2025_code": top["province_2025_code"].astype("string"),
        "province_2025_name": top["province_2025_name"].astype("string"),
        "province_2025_share": top["share"].astype("Float64"),
    })
    out["province_2025_split"] = (n.reindex(out.index).fillna(1) > 1).astype(bool)
    return out


def crosswalk_2025(level: str = "district") -> pd.DataFrame:
    """Pre-2025 units (2022-10 codes) → the units of the 1 July 2025 reform.

    ``level="district"``: district_code, province_code, province_2025_code,
    province_2025_name, share (fraction of the district's communes going to that 2025
    province; every one of the 705 districts has ≥ 1 row; island districts without
    communes get their province's 2025 province with share 1).

    ``level="commune"``: commune_code, commune_2025_code, commune_2025_name,
    province_2025_code, is_default, link. A commune split between several 2025 communes has
    one row per part, ``is_default`` marking the one vietnamadminunits treats as its main
    successor. ``link`` says how the 2022-10 commune was found in the 2025-03 list
    (``same_code``, or ``merged_alias`` for communes merged in 2023–25); rows whose 2025
    commune is unknown have commune_2025_code empty (their 2025 province is still known).
    """
    if level == "district":
        return _crosswalk_districts().copy()
    if level == "commune":
        return _crosswalk_communes().copy()
    raise ValueError(f"unknown level {level!r}: use 'district' or 'commune'")


def communes_2025() -> pd.DataFrame:
    """The 3,321 communes after 1 July 2025: commune_2025_code, commune_2025_name,
    commune_2025_type, province_2025_code."""
    new = _new_raw()
    return pd.DataFrame(
        {
            "commune_2025_code": new["wardCode"],
            "commune_2025_name": new["wardShort"],
            "commune_2025_type": new["wardType"],
            "province_2025_code": new["provinceCode"],
        }
    ).sort_values("commune_2025_code", ignore_index=True)


# --------------------------------------------------------------------------------------
# Resolver
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One unit a name may refer to."""

    code: str
    unit: str
    name: str
    unit_type: str
    district_code: str | None
    district_name: str | None
    province_code: str
    province_name: str
    vintage: str = "2022-10"


@dataclass(frozen=True)
class Resolution:
    """The answer of :func:`resolve`: status "exact" (code set), "ambiguous" or "unknown".

    name: the official name of the resolved unit (or the normalised input otherwise);
    candidates: every unit considered equally good (one for "exact");
    match: "diacritics" or "accentless" (how the winner matched), "" otherwise;
    note: why the answer is not exact, or what context was ignored.
    """

    status: str
    code: str | None
    unit: str | None
    name: str
    candidates: tuple[Candidate, ...] = ()
    match: str = ""
    note: str = ""
    vintage: str | None = None

    @property
    def province_code(self) -> str | None:
        return self.candidates[0].province_code if self.status == "exact" else None

    @property
    def district_code(self) -> str | None:
        if self.status != "exact":
            return None
        c = self.candidates[0]
        return c.code if c.unit == "district" else c.district_code


@dataclass
class _Index:
    by_key: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    by_loose: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    by_sx: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))


@_cached_table("names")
def _name_table() -> pd.DataFrame:
    """Every name the resolver knows, one row per (unit, name form), with both keys.

    Columns: level, vintage, code, name, unit_type, district_code, district_name,
    province_code, province_name, key, loose (key is empty for accent-free aliases).
    """
    rows: list[tuple] = []

    def add(
        level: str,
        vintage: str,
        code: str,
        name: str,
        utype: str,
        dcode: str | None,
        dname: str | None,
        pcode: str,
        pname_: str,
        form: str | None = None,
    ) -> None:
        nk = normalize_name(form if form is not None else name)
        rows.append(
            (level, vintage, code, name, utype, dcode, dname, pcode, pname_, nk.key, nk.loose)
        )
        inner = normalize_name(nk.display)
        if inner.unit_type is not None and inner.key != nk.key:  # "Phường Đúc" is also "Đúc"
            rows.append(
                (level, vintage, code, name, utype, dcode, dname, pcode, pname_, inner.key,
                 inner.loose)
            )  # fmt: skip

    prov = _provinces()
    pname = dict(zip(prov["province_code"], prov["province_name"], strict=True))
    ptype = dict(zip(prov["province_code"], prov["province_type"], strict=True))
    for code, name in pname.items():
        add("province", "2022-10", code, name, ptype[code], None, None, code, name)
    # province names of the 2025-03 list ("Huế" for Thừa Thiên Huế since 2025-01) and its
    # aliases ("vungtau", "hcm"), the latter as accent-free keys only
    leg = _legacy_raw()
    first = leg.groupby("provinceCode")[["provinceShort", "provinceAlias"]].first()
    for code, short, aliases in zip(
        first.index, first["provinceShort"], first["provinceAlias"], strict=True
    ):
        unit = ("province", "2022-10", code, pname[code], ptype[code], None, None, code, pname[code])
        add(*unit, form=short)
        for a in json.loads(aliases) if isinstance(aliases, str) else []:
            if len(a) >= 3:  # "hn" is too short to trust
                rows.append((*unit, "", a))

    d22 = _districts_2022()
    dname = dict(zip(d22["district_code"], d22["district_name"], strict=True))
    for code, name, dtype, pcode in zip(
        d22["district_code"],
        d22["district_name"],
        d22["district_type"],
        d22["province_code"],
        strict=True,
    ):
        add("district", "2022-10", code, name, dtype, code, name, pcode, pname[pcode])
    c22 = _communes_2022()
    for code, name, ctype, dcode, pcode in zip(
        c22["commune_code"],
        c22["commune_name"],
        c22["commune_type"],
        c22["district_code"],
        c22["province_code"],
        strict=True,
    ):
        add("commune", "2022-10", code, name, ctype, dcode, dname[dcode], pcode, pname[pcode])

    # 2025-03 units whose code or name is not in the 2022-10 list (new districts such as
    # Thị xã Chũ, merged communes that took a new name)
    d25 = _districts_2025()
    for code, name, dtype, pcode in zip(
        d25["district_code"],
        d25["district_name"],
        d25["district_type"],
        d25["province_code"],
        strict=True,
    ):
        if code not in dname or normalize_name(name).key != normalize_name(dname[code]).key:
            add("district", "2025-03", code, name, dtype, code, name, pcode, pname[pcode])
    c25 = communes("2025-03")
    d25name = dict(zip(d25["district_code"], d25["district_name"], strict=True))
    cname22 = dict(zip(c22["commune_code"], c22["commune_name"], strict=True))
    for code, name, ctype, dcode, pcode in zip(
        c25["commune_code"],
        c25["commune_name"],
        c25["commune_type"],
        c25["district_code"],
        c25["province_code"],
        strict=True,
    ):
        old = cname22.get(code)
        if old is None or normalize_name(old).key != normalize_name(name).key:
            add("commune", "2025-03", code, name, ctype, dcode, d25name[dcode], pcode, pname[pcode])
    cols = [
        "level",
        "vintage",
        "code",
        "name",
        "unit_type",
        "district_code",
        "district_name",
        "province_code",
        "province_name",
        "key",
        "loose",
    ]
    return pd.DataFrame(rows, columns=cols)


@cache
def _indexes() -> dict[tuple[str, str], _Index]:
    """(unit, vintage) → name index, built from :func:`_name_table`."""
    out: dict[tuple[str, str], _Index] = defaultdict(_Index)
    t = _name_table()
    cols = [t[c].tolist() for c in ("level", "vintage", "code", "name", "unit_type",
                                     "district_code", "district_name", "province_code",
                                     "province_name", "key", "loose")]  # fmt: skip
    made: dict[tuple, Candidate] = {}
    for level, vintage, code, name, utype, dcode, dname, pcode, pname, key, loose in zip(
        *cols, strict=True
    ):
        ident = (level, vintage, code)
        cand = made.get(ident)
        if cand is None:
            cand = Candidate(
                code, level, name, utype, _none(dcode), _none(dname), pcode, pname, vintage
            )
            made[ident] = cand
        ix = out[(level, vintage)]
        for table, k in ((ix.by_key, key), (ix.by_loose, loose), (ix.by_sx, _sx(loose))):
            if k and not any(c is cand for c in table[k]):
                table[k].append(cand)
    return dict(out)


def _none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _code_like(text: str, width: int) -> str | None:
    t = str(text).strip()
    return t.zfill(width) if t.isdigit() and len(t) <= width else None


def _scope_province(province: str | None) -> tuple[set[str] | None, str]:
    if province is None or str(province).strip() == "":
        return None, ""
    code = _code_like(province, 2)
    if code is not None:
        if code in set(_provinces()["province_code"]):
            return {code}, ""
        return None, f"province code {province!r} unknown, ignored"
    r = resolve(province, unit="province")
    if r.status == "exact":
        return {r.code}, ""  # type: ignore[arg-type]
    if r.status == "ambiguous":
        return {c.code for c in r.candidates}, f"province {province!r} ambiguous"
    return None, f"province {province!r} unknown, ignored"


@cache
def _successors() -> dict[str, set[str]]:
    """2025-03 district code → 2022-10 district codes whose communes it now holds."""
    out: dict[str, set[str]] = defaultdict(set)
    for old, new in zip(
        _district_merges()["old_district_code"],
        _district_merges()["new_district_code"],
        strict=True,
    ):
        out[new].add(old)
    return out


@cache
def _commune_district_2025() -> dict[str, str]:
    c25 = communes("2025-03")
    return dict(zip(c25["commune_code"], c25["district_code"], strict=True))


def _scope_district(district: str | None, provs: set[str] | None) -> tuple[set[str] | None, str]:
    if district is None or str(district).strip() == "":
        return None, ""
    code = _code_like(district, 3)
    if code is not None:
        return {code}, ""
    r = resolve(district, unit="district", province=_one(provs))
    if r.status == "exact":
        return {r.code}, ""  # type: ignore[arg-type]
    if r.status == "ambiguous":
        return {c.code for c in r.candidates}, f"district {district!r} ambiguous"
    return None, f"district {district!r} unknown, ignored"


def _one(codes: set[str] | None) -> str | None:
    return next(iter(codes)) if codes and len(codes) == 1 else None


def _in_scope(c: Candidate, provs: set[str] | None, dists: set[str] | None) -> bool:
    if provs is not None and c.province_code not in provs:
        return False
    if dists is not None and c.unit == "commune":
        if c.district_code in dists:
            return True
        # a commune of a district merged in 2023–25, named with its new district
        d25 = _commune_district_2025().get(c.code)
        if d25 in dists:
            return True
        return any(c.district_code in _successors().get(d, ()) for d in dists)
    return True


def _lookup(
    nk: NameKey, levels: Iterable[str], vintage: str, provs: set[str] | None, dists: set[str] | None
) -> tuple[list[Candidate], list[Candidate]]:
    idx = _indexes()
    loose: list[Candidate] = []
    exact: list[Candidate] = []
    for level in levels:
        ix = idx.get((level, vintage))
        if ix is None:
            continue
        for c in ix.by_loose.get(nk.loose, []):
            if _in_scope(c, provs, dists) and c not in loose:
                loose.append(c)
        for c in ix.by_key.get(nk.key, []):
            if _in_scope(c, provs, dists) and c not in exact:
                exact.append(c)
    return exact, loose


def _levels(unit: str | None, nk: NameKey) -> tuple[str, ...]:
    if unit is not None:
        if unit not in UNITS:
            return ()
        return (unit,)
    if nk.unit_type is not None:
        return TYPE_LEVEL[nk.unit_type]
    return UNITS


def resolve(
    name: str, unit: str | None = None, province: str | None = None, district: str | None = None
) -> Resolution:
    """Resolve one place name to one official code, or say why not.

    name: the place as written, with or without its type word and diacritics.
    unit: "province", "district" or "commune" (None: from the type word, else all levels;
    "village" and "country" are not in the gazetteer and give "unknown").
    province, district: context, as names or codes; they narrow the search. Units of the
    2022-10 list are tried first; units only in the 2025-03 list (created 2023–25) next.
    """
    if not isinstance(name, str) or name.strip() == "":  # None, NaN, ""
        return Resolution("unknown", None, unit, "", note="empty name")
    return _resolve(name, unit, _context(province), _context(district))


def _context(value: object) -> str | None:
    """A context argument as text, or None (None, NaN, "" and pandas NA are no context)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):  # the common case, without pandas' NA check
        return value.strip() or None
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    return text or None


@lru_cache(maxsize=200_000)
def _resolve(name: str, unit: str | None, province: str | None, district: str | None) -> Resolution:
    nk = normalize_name(name)
    if unit is not None and unit not in UNITS:
        return Resolution(
            "unknown", None, unit, nk.display, note=f"unit {unit!r} is not in the gazetteer"
        )
    variants = [(nk, _levels(unit, nk))]
    plain = _normalize(name, strip_type=False)
    first_word = plain.display.split(" ")[0].lower()
    if nk.unit_type is not None and first_word in _ASCII_FIRST_WORDS:
        variants.append((plain, _levels(unit, plain)))  # "quan hoa": Quan Hóa or Quận Hoà?
    levels = tuple(dict.fromkeys(lv for _, lvs in variants for lv in lvs))
    provs, note_p = _scope_province(province)
    dists, note_d = (None, "")
    if "commune" in levels:
        dists, note_d = _scope_district(district, provs)
    notes = "; ".join(n for n in (note_p, note_d) if n)
    found = _match(nk, variants, provs, dists, notes)
    if found is None and provs is not None:
        # the province may be named as after 1 July 2025 ("Lâm Đồng" for a commune of the
        # former Bình Thuận): look in every old province of that 2025 province
        wider = {old for old, new in _province_2025_map().items()
                 if new in {_province_2025_map()[p] for p in provs}}  # fmt: skip
        if wider != provs:
            note = "found in the 2025 province of the given province"
            found = _match(nk, variants, wider, dists, "; ".join(x for x in (notes, note) if x))
    if found is None and (provs is not None or dists is not None):
        found = _match_sx(nk, variants, provs, dists, notes)
    if found is not None:
        return found
    return Resolution("unknown", None, unit, nk.display, note=notes or "no unit of that name")


def _match(
    nk: NameKey,
    variants: list[tuple[NameKey, tuple[str, ...]]],
    provs: set[str] | None,
    dists: set[str] | None,
    notes: str,
) -> Resolution | None:
    """The matching rule of :func:`resolve` in one scope; None when nothing matches."""
    # text written without any diacritics can only match accent-free: "Dak Ha" must not
    # prefer the official "Đắk Ha" over "Đắk Hà"
    accented = _strip_diacritics(nk.display) != nk.display
    unit = variants[0][1][0] if len(variants[0][1]) == 1 else None
    for vintage in ("2022-10", "2025-03"):
        exact: list[Candidate] = []
        loose: list[Candidate] = []
        for v, lvs in variants:
            e, lo = _lookup(v, lvs, vintage, provs, dists)
            exact += [c for c in e if c not in exact and accented]
            loose += [c for c in lo if c not in loose]
        if len(loose) == 1:
            c = loose[0]
            how = "diacritics" if exact else "accentless"
            return Resolution("exact", c.code, c.unit, c.name, (c,), how, notes, c.vintage)
        if len(exact) == 1:
            c = exact[0]
            return Resolution("exact", c.code, c.unit, c.name, (c,), "diacritics", notes, c.vintage)
        if loose:
            cands = tuple(exact) if len(exact) > 1 else tuple(loose)
            if nk.unit_type is not None:  # "xã X" vs "thị trấn X" of the same name
                typed = [c for c in cands if c.unit_type.lower().startswith(nk.unit_type)]
                if len(typed) == 1:
                    c = typed[0]
                    how = "diacritics+type" if exact else "accentless+type"
                    return Resolution("exact", c.code, c.unit, c.name, (c,), how, notes, c.vintage)
            note = "; ".join(x for x in (notes, f"{len(cands)} candidates") if x)
            return Resolution(
                "ambiguous", None, unit or _unit_of(cands), nk.display, cands, "", note, vintage
            )
    return None


def _match_sx(
    nk: NameKey,
    variants: list[tuple[NameKey, tuple[str, ...]]],
    provs: set[str] | None,
    dists: set[str] | None,
    notes: str,
) -> Resolution | None:
    """Last resort, only inside a given province/district: s/x spelling variants of
    ethnic-minority names ("Bản Xen" = "Bản Sen"); still never picks among several."""
    found: list[Candidate] = []
    for vintage in ("2022-10", "2025-03"):
        for v, lvs in variants:
            for level in lvs:
                ix = _indexes().get((level, vintage))
                for c in ix.by_sx.get(_sx(v.loose), []) if ix else []:
                    if _in_scope(c, provs, dists) and c not in found:
                        found.append(c)
        if found:
            break
    note = "; ".join(x for x in (notes, "matched as an s/x spelling variant") if x)
    if len(found) == 1:
        c = found[0]
        return Resolution(
            "exact", c.code, c.unit, c.name, (c,), "spelling_variant", note, c.vintage
        )
    if found:
        cands = tuple(found)
        return Resolution("ambiguous", None, _unit_of(cands), nk.display, cands, "", note)
    return None


def _sx(loose: str) -> str:
    return loose.replace("x", "s")


def warm() -> None:
    """Load every table and the name index now (e.g. before forking worker processes)."""
    for vintage in ("2022-10", "2025-03"):
        districts(vintage)
        communes(vintage)
    provinces()
    district_merges()
    crosswalk_2025("district")
    crosswalk_2025("commune")
    _province_2025_map()
    _indexes()


def _unit_of(cands: tuple[Candidate, ...]) -> str | None:
    units = {c.unit for c in cands}
    return units.pop() if len(units) == 1 else None


def resolve_group(
    names: Iterable[str], unit: str = "commune", province: str | None = None
) -> Resolution:
    """The one unit containing all the named units (communes → their district).

    For communes the answer is the 2022-10 district (code = district code) whose communes
    include every name; for districts, the province. Names matching nothing are ignored and
    listed in ``note``; if no name matches, or no single container holds them all, the
    result is "unknown" or "ambiguous" (with the possible containers as candidates).
    """
    if unit not in ("commune", "district"):
        raise ValueError(f"resolve_group works on communes or districts, not {unit!r}")
    provs, note_p = _scope_province(_context(province))
    names = [n for n in names if isinstance(n, str) and n.strip()]
    sets: list[set[str]] = []
    ignored: list[str] = []
    for n in names:
        nk = normalize_name(n)
        exact, loose = _lookup(nk, (unit,), "2022-10", provs, None)
        found = exact or loose
        if not found:
            ignored.append(str(n))
            continue
        if unit == "commune":
            sets.append({c.district_code for c in found})  # type: ignore[misc]
        else:
            sets.append({c.province_code for c in found})
    notes = [
        x for x in (note_p, f"ignored (no match): {', '.join(ignored)}" if ignored else "") if x
    ]
    if not sets:
        return Resolution("unknown", None, None, "", note="; ".join(notes) or "no names")
    common = set.intersection(*sets)
    container = "district" if unit == "commune" else "province"
    cands = tuple(_container(container, c) for c in sorted(common))
    if len(cands) == 1:
        c = cands[0]
        return Resolution("exact", c.code, container, c.name, cands, "group", "; ".join(notes))
    if not cands:
        return Resolution(
            "unknown",
            None,
            container,
            "",
            note="; ".join([*notes, "no single unit contains all names"]),
        )
    return Resolution(
        "ambiguous",
        None,
        container,
        "",
        cands,
        note="; ".join([*notes, f"{len(cands)} units contain all names"]),
    )


@cache  # the tables are fixed for the process; indexing them per call cost ~2 ms
def _container(unit: str, code: str) -> Candidate:
    if unit == "district":
        d = _districts_2022().set_index("district_code").loc[code]
        return Candidate(
            code,
            "district",
            d["district_name"],
            d["district_type"],
            code,
            d["district_name"],
            d["province_code"],
            d["province_name"],
        )
    p = _provinces().set_index("province_code").loc[code]
    return Candidate(
        code,
        "province",
        p["province_name"],
        p["province_type"],
        None,
        None,
        code,
        p["province_name"],
    )
