"""Collect reports from the web into the corpus format, politely and resumably.

``python -m helpers collect --urls FILE --out DIR`` (one address a line) or
``python -m helpers collect --discover ROOT --out DIR`` (addresses found in the portal's
sitemaps / RSS or Atom feeds). For each page it writes, in ``DIR``:

- ``<doc_id>.txt`` (UTF-8, NFC; title on the first line, a blank line, then the text) and
  ``<doc_id>.json`` (``url``, ``title``, ``published``, ``source``): the corpus format of
  ``../shared/ANNOTATION.md``, readable by ``helpers.extract`` like the shared corpus;
- ``_raw/<doc_id>.<ext>`` (the bytes as served) and ``_raw/<doc_id>.snapshot.json`` (URL,
  time of access, HTTP status, final URL after redirects, content type, declared and used
  encoding, sha256 of the bytes): a snapshot of what was read, and when;
- ``_discovered.urls`` (discovery mode): the addresses found, one a line (not ``.txt``, so
  corpus readers never take it for a document);
- ``_report.json``: what this run did, with every failure (URL, stage, reason) and every
  duplicate listed; the same summary is printed.

Politeness: robots.txt is obeyed for every address (redirect targets included), each host
gets at most one request at a time and ``min_interval`` seconds between requests (or the
robots.txt ``Crawl-delay`` when larger), requests time out, and 429/5xx answers and
connection errors are retried with exponential backoff (``Retry-After`` honoured).
Restarting an interrupted run with the same arguments fetches only what is missing (a
stored snapshot is re-extracted rather than re-fetched); every file is written to a temp
file and moved into place, so a reader never sees half a document.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.robotparser
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

__all__ = [
    "USER_AGENT",
    "CollectConfig",
    "CollectReport",
    "FetchResult",
    "PoliteClient",
    "collect",
    "decode_page",
    "discover",
    "doc_id_for",
    "extract_page",
    "legacy_check",
    "normalize_url",
    "register",
]

USER_AGENT = (
    "NTM-Atlas-collector/0.1 (research on Vietnam's New Rural Development programme; "
    "polite: obeys robots.txt, one request per host at a time)"
)
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
TRACKING_PARAMS = re.compile(r"^(utm_[a-z]+|fbclid|gclid|zarsrc|mc_cid|mc_eid)$", re.I)
RAW_DIR = "_raw"
REPORT = "_report.json"


# --------------------------------------------------------------------------- addresses


def normalize_url(url: str) -> str:
    """The address used for identity: lower-case scheme and host, no default port, no
    fragment, no tracking parameters, sorted query, ``/`` for an empty path."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"not an http(s) address: {url!r}")
    scheme = parts.scheme.lower()
    host = parts.hostname.lower().rstrip(".")
    port = parts.port
    default = port is None or (scheme, port) in {("http", 80), ("https", 443)}
    netloc = host if default else f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not TRACKING_PARAMS.match(k)))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def doc_id_for(url: str) -> str:
    """Deterministic document id of an address: ``w`` + 16 hex digits of the sha256 of its
    normalised form (so the same page always gets the same files)."""
    return "w" + hashlib.sha256(normalize_url(url).encode()).hexdigest()[:16]


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


# --------------------------------------------------------------------------- HTTP client


@dataclass(frozen=True)
class CollectConfig:
    """How politely and patiently to fetch. Times in seconds."""

    user_agent: str = USER_AGENT
    min_interval: float = 1.0  # between two requests to the same host
    timeout: float = 20.0  # connect and read timeout of one request
    retries: int = 3  # extra attempts after a 429/5xx answer or a connection error
    backoff: float = 1.0  # first retry wait; doubles each attempt
    backoff_max: float = 60.0  # cap on one wait (Retry-After included)
    max_redirects: int = 5
    max_bytes: int = 20_000_000  # a larger page is reported, not stored
    respect_robots: bool = True
    workers: int = 4  # pages fetched concurrently (still one at a time per host)


@dataclass
class FetchResult:
    """One fetched address: the answer after redirects, or why there is none."""

    url: str
    accessed: str
    status: int | None = None
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    content_type: str | None = None
    content: bytes = b""
    attempts: int = 0
    error: str | None = None
    blocked: bool = False  # robots.txt forbids this address (or a redirect target)


class PoliteClient:
    """HTTP GET with robots.txt, a per-host rate limit, timeouts and retries with backoff.

    Thread-safe: each thread has its own ``requests.Session``; requests to one host are
    serialised and spaced by ``min_interval`` (or the host's robots.txt Crawl-delay).
    """

    def __init__(self, config: CollectConfig | None = None, *, sleep=time.sleep) -> None:
        self.config = config or CollectConfig()
        self._sleep = sleep
        self._local = threading.local()
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._next_ok: dict[str, float] = {}
        self._robots: dict[str, tuple[urllib.robotparser.RobotFileParser | None, str | None]] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self.requests_made = 0

    # -- plumbing
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({
                "User-Agent": self.config.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "vi,en;q=0.5"})
            self._local.session = session
        return session

    def _host_lock(self, host: str, table: dict[str, threading.Lock]) -> threading.Lock:
        with self._lock:
            return table.setdefault(host, threading.Lock())

    def _interval(self, host: str) -> float:
        rp, _ = self._robots.get(host, (None, None))
        delay = rp.crawl_delay(self.config.user_agent) if rp is not None else None
        return max(self.config.min_interval, float(delay or 0))

    def _defer(self, host: str, seconds: float) -> None:
        with self._lock:
            self._next_ok[host] = max(self._next_ok.get(host, 0.0), time.monotonic() + seconds)

    def _request_once(self, url: str) -> requests.Response:
        """One GET, after waiting for the host's turn; the body is read here, bounded."""
        host = _host(url)
        with self._host_lock(host, self._host_locks):
            wait = self._next_ok.get(host, 0.0) - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            try:
                self.requests_made += 1
                resp = self._session().get(url, timeout=self.config.timeout, allow_redirects=False,
                                           stream=True)
                try:
                    chunks, size = [], 0
                    for chunk in resp.iter_content(65536):
                        size += len(chunk)
                        if size > self.config.max_bytes:
                            raise ValueError(f"page larger than {self.config.max_bytes} bytes")
                        chunks.append(chunk)
                    resp._content = b"".join(chunks)
                finally:
                    resp.close()
                return resp
            finally:
                with self._lock:
                    self._next_ok[host] = max(self._next_ok.get(host, 0.0),
                                              time.monotonic() + self._interval(host))

    def _retry_wait(self, attempt: int, resp: requests.Response | None) -> float:
        wait = self.config.backoff * (2 ** attempt)
        if resp is not None and resp.headers.get("Retry-After", "").strip().isdigit():
            wait = max(wait, float(resp.headers["Retry-After"].strip()))
        return min(wait, self.config.backoff_max)

    def _get_with_retries(self, url: str) -> tuple[requests.Response | None, int, str | None]:
        """(response or None, attempts made, last error)."""
        error = None
        for attempt in range(self.config.retries + 1):
            resp = None
            try:
                resp = self._request_once(url)
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
            else:
                if resp.status_code not in RETRY_STATUS:
                    return resp, attempt + 1, None
                error = f"HTTP {resp.status_code}"
            if attempt < self.config.retries:
                wait = self._retry_wait(attempt, resp)
                self._defer(_host(url), wait)  # the whole host backs off, not just this page
                self._sleep(wait)
        return resp, self.config.retries + 1, error

    # -- robots.txt
    def robots(self, url: str) -> tuple[urllib.robotparser.RobotFileParser | None, str | None]:
        """The host's parsed robots.txt (None = everything allowed) and a note when the file
        could not be read (then the host is treated as fully disallowed, as RFC 9309 asks)."""
        host = _host(url)
        if host in self._robots:
            return self._robots[host]
        with self._host_lock(host, self._robots_locks):
            if host in self._robots:
                return self._robots[host]
            robots_url = host + "/robots.txt"
            try:
                resp, _, error = self._get_with_retries(robots_url)
            except ValueError as exc:
                resp, error = None, str(exc)
            rp = urllib.robotparser.RobotFileParser(robots_url)
            note = None
            if resp is not None and resp.status_code == 200:
                rp.parse(resp.content.decode("utf-8", "replace").splitlines())
            elif resp is not None and 400 <= resp.status_code < 500:
                rp = None  # no robots.txt: everything allowed
            else:
                rp.disallow_all = True
                note = f"robots.txt unreachable ({error or 'no answer'})"
            self._robots[host] = (rp, note)
            return rp, note

    def allowed(self, url: str) -> tuple[bool, str | None]:
        if not self.config.respect_robots:
            return True, None
        rp, note = self.robots(url)
        if rp is None:
            return True, None
        if rp.can_fetch(self.config.user_agent, url):
            return True, None
        return False, note or "disallowed by robots.txt"

    # -- public
    def get(self, url: str) -> FetchResult:
        """GET ``url`` following redirects (each hop checked against robots.txt)."""
        result = FetchResult(url=url, accessed=_now())
        current = url
        for _hop in range(self.config.max_redirects + 1):
            ok, why = self.allowed(current)
            if not ok:
                result.error = f"{why}: {current}"
                result.blocked = True
                return result
            try:
                resp, attempts, error = self._get_with_retries(current)
            except ValueError as exc:  # too large
                result.error = str(exc)
                return result
            result.attempts += attempts
            if resp is None:
                result.error = error or "no answer"
                return result
            result.status = resp.status_code
            result.final_url = current
            if resp.is_redirect and resp.headers.get("Location"):
                current = urljoin(current, resp.headers["Location"])
                result.redirects.append(current)
                continue
            result.content_type = resp.headers.get("Content-Type")
            result.content = resp.content or b""
            if resp.status_code != 200:
                result.error = error or f"HTTP {resp.status_code}"
            return result
        result.error = f"more than {self.config.max_redirects} redirects"
        return result


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- decoding


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# TCVN3 (ABC) letters that show as symbols when the bytes are read as Latin-1/cp1252
# ("đ" -> "®", "á" -> "¸", "ư" -> soft hyphen ...): frequent in such text, rare in any real
# Latin-1 prose (French guillemets « » are left out on purpose).
_TCVN3_MARKERS = frozenset("¸µ¶·¹®©¨ª¬¾¼½§¡¢£¤¥¦\u00ad")
_UNICODE_VI = re.compile("[\u1ea0-\u1ef9\u01a0\u01a1\u01af\u01b0\u0110\u0111]")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    import codecs

    try:
        return codecs.lookup(name.strip().strip("'\"").lower()).name
    except LookupError:
        return None


def decode_page(content: bytes, content_type: str | None = None) -> tuple[str, dict[str, Any]]:
    """Bytes of a page -> (Unicode NFC text, notes on the encoding).

    Bytes that are valid UTF-8 (with any non-ASCII) are read as UTF-8 whatever the page
    declares (a wrong ``charset`` is common and would turn "đạt" into "Ä‘áº¡t"); otherwise
    the HTTP header's charset, then the page's ``<meta charset>``, then charset-normalizer's
    guess. windows-1258 (Vietnamese with combining tone marks) is composed to NFC.
    """
    notes: dict[str, Any] = {"declared_encoding": None, "encoding": None}
    header = None
    if content_type:
        m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.I)
        header = m.group(1) if m else None
    meta = _META_CHARSET.search(content[:4096])
    declared = header or (meta.group(1).decode("ascii", "replace") if meta else None)
    notes["declared_encoding"] = declared
    candidates = ["utf-8", _codec(declared)] if not content.isascii() else [_codec(declared)]
    text = None
    for enc in [*candidates, "utf-8"]:
        if enc is None:
            continue
        try:
            text = content.decode(enc)
        except UnicodeDecodeError:
            continue
        notes["encoding"] = enc
        break
    if text is None:
        from charset_normalizer import from_bytes

        best = from_bytes(content).best()
        enc = best.encoding if best is not None else "utf-8"
        text = content.decode(enc, errors="replace")
        notes["encoding"] = f"{enc} (guessed)"
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text), notes


def legacy_check(title: str, text: str) -> tuple[str, str, str | None, str | None]:
    """Detect Vietnamese typed in a legacy *font* encoding (TCVN3/ABC, VNI) inside a page
    read as Latin-1, and convert it with ``helpers.text.decode_document`` when that is safe.

    Returns ``(title, text, conversion, problem)``: ``conversion`` names what was done
    (None when the text is ordinary Unicode), ``problem`` says why the page cannot be used
    (the caller reports it; nothing is dropped silently).
    """
    both = f"{title}\n{text}"
    letters = sum(c.isalpha() for c in both)
    markers = sum(c in _TCVN3_MARKERS for c in both)
    if markers < max(5, 0.02 * letters) or len(_UNICODE_VI.findall(both)) > markers:
        return title, text, None, None
    try:
        from helpers.text import decode_document
    except ImportError:  # pragma: no cover - helpers.text ships with the project
        return title, text, None, "legacy Vietnamese encoding (TCVN3/VNI) detected, no converter"
    result = decode_document(both.encode("utf-8"))
    if result.text is not None and result.encoding == "tcvn3":
        new_title, _, new_text = result.text.partition("\n")
        return new_title, new_text, "TCVN3 -> Unicode", None
    return title, text, None, (result.problem or "legacy Vietnamese encoding (TCVN3/VNI) "
                               "detected and not converted")


# --------------------------------------------------------------------------- extraction


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def text_hash(body: str) -> str:
    """sha256 of a document's text with whitespace folded (duplicate detection)."""
    return hashlib.sha256(_fold(body).lower().encode()).hexdigest()


_SHY_GUARD = "\u29d7"


def extract_page(html: str, url: str) -> dict[str, Any]:
    """Main text and metadata of a decoded page, with trafilatura (soft hyphens kept).

    Returns ``{"title", "published", "source", "text"}`` (``published`` a partial ISO date or
    None; ``source`` the page's host name, as in the shared corpus). Raises ``ValueError``
    when no main text can be found (empty, broken beyond repair or not an article).
    """
    import trafilatura

    # trafilatura drops soft hyphens, but in TCVN3 text read as Latin-1 U+00AD is the
    # letter "ư": carry it through under a stand-in (legacy_check decides what it is).
    guard = "\u00ad" in html and _SHY_GUARD not in html
    if guard:
        html = html.replace("\u00ad", _SHY_GUARD)
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = (getattr(doc, "text", None) or "") if doc is not None else ""
    if guard:
        body = body.replace(_SHY_GUARD, "\u00ad")
        doc.title = (doc.title or "").replace(_SHY_GUARD, "\u00ad")
    lines = [_fold(line) for line in body.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError("no main text found (empty page, broken markup or not an article)")
    title = _fold(getattr(doc, "title", None) or "") or lines[0]
    if _fold(lines[0]).lower() == title.lower():
        lines = lines[1:]
    if not lines:
        raise ValueError("page has a title but no text")
    date = getattr(doc, "date", None)
    published = date[:10] if date and re.match(r"^\d{4}(-\d{2}(-\d{2})?)?", date) else None
    return {"title": title, "published": published,
            "source": (urlsplit(url).hostname or "").lower(), "text": "\n\n".join(lines)}


# --------------------------------------------------------------------------- files


def _atomic_write(path: Path, data: bytes | str) -> None:
    """Write to a temp file in the same folder, fsync, then ``os.replace`` into place."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1) + "\n"


_EXT = {"text/html": "html", "application/xhtml+xml": "html", "text/xml": "xml",
        "application/xml": "xml", "text/plain": "txt", "application/pdf": "pdf"}


def _raw_paths(out: Path, doc_id: str, content_type: str | None = None) -> tuple[Path, Path]:
    mime = (content_type or "text/html").split(";")[0].strip().lower()
    return (out / RAW_DIR / f"{doc_id}.{_EXT.get(mime, 'bin')}",
            out / RAW_DIR / f"{doc_id}.snapshot.json")


def _is_done(out: Path, doc_id: str) -> bool:
    return (out / f"{doc_id}.txt").is_file() and (out / f"{doc_id}.json").is_file()


def _load_snapshot(out: Path, doc_id: str) -> tuple[dict[str, Any], bytes] | None:
    """A stored, intact snapshot of a successful fetch (sha256 checked), else None."""
    side = out / RAW_DIR / f"{doc_id}.snapshot.json"
    try:
        snap = json.loads(side.read_text(encoding="utf-8"))
        raw = (out / RAW_DIR / snap["raw_file"]).read_bytes()
    except (OSError, ValueError, KeyError):
        return None
    if snap.get("status") != 200 or hashlib.sha256(raw).hexdigest() != snap.get("sha256"):
        return None
    return snap, raw


# --------------------------------------------------------------------------- the run


@dataclass
class CollectReport:
    """What one run did. ``failures``: every address without a document, with the stage
    (``input``, ``robots``, ``fetch``, ``decode``, ``extract``, ``write``) and the reason."""

    out_dir: str
    started: str
    finished: str | None = None
    user_agent: str = USER_AGENT
    requested: int = 0
    already_present: int = 0
    reused_snapshots: int = 0
    fetched: int = 0
    written: int = 0
    interrupted: bool = False
    documents: list[str] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    converted: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        lines = [f"collect: {self.requested} addresses -> {self.written} written, "
                 f"{self.already_present} already present, {self.reused_snapshots} from stored "
                 f"snapshots, {self.fetched} fetched, {len(self.duplicates)} duplicates, "
                 f"{len(self.failures)} failures" + (" (INTERRUPTED)" if self.interrupted else "")]
        for c in self.converted:
            lines.append(f"  converted {c['doc_id']} {c['url']}: {c['conversion']}")
        for d in self.duplicates:
            lines.append(f"  duplicate ({d['reason']}) {d['url']} = {d['duplicate_of']}")
        for f in self.failures:
            lines.append(f"  FAILED [{f['stage']}] {f['url']}: {f['reason']}")
        return "\n".join(lines)


@dataclass
class _Outcome:
    url: str
    doc_id: str
    stage: str | None = None  # failure stage, None when ok
    reason: str | None = None
    status: int | None = None
    fetched: bool = False
    reused: bool = False
    page: dict[str, Any] | None = None
    notes: dict[str, Any] | None = None


def _fetch_and_extract(client: PoliteClient, out: Path, url: str, doc_id: str) -> _Outcome:
    """Worker: snapshot (stored or fetched) -> decode -> extract. No corpus file written."""
    outcome = _Outcome(url=url, doc_id=doc_id)
    stored = _load_snapshot(out, doc_id)
    if stored is not None:
        snap, raw = stored
        outcome.reused = True
    else:
        result = client.get(url)
        outcome.fetched = True
        outcome.status = result.status
        if result.blocked:
            outcome.stage, outcome.reason = "robots", result.error
            return outcome
        raw = result.content
        raw_path, side_path = _raw_paths(out, doc_id, result.content_type)
        snap = {"doc_id": doc_id, "url": url, "accessed": result.accessed,
                "status": result.status, "final_url": result.final_url,
                "redirects": result.redirects, "content_type": result.content_type,
                "attempts": result.attempts, "bytes": len(raw),
                "sha256": hashlib.sha256(raw).hexdigest(), "raw_file": raw_path.name,
                "user_agent": client.config.user_agent, "error": result.error,
                "declared_encoding": None, "encoding": None}
        if result.status == 200:
            try:  # record how the bytes read (decoding is repeated below, it is cheap)
                _, enc = decode_page(raw, result.content_type)
                snap.update({k: enc[k] for k in ("declared_encoding", "encoding")})
            except Exception:  # noqa: BLE001 - reported below
                pass
        if result.status is not None:  # keep what the server said, even for a 404
            _atomic_write(raw_path, raw)
        _atomic_write(side_path, _json(snap))  # written last: marks the snapshot complete
        if result.status != 200:
            outcome.stage, outcome.reason = "fetch", result.error or f"HTTP {result.status}"
            return outcome
    outcome.status = snap.get("status")
    try:
        html, notes = decode_page(raw, snap.get("content_type"))
    except Exception as exc:  # noqa: BLE001 - reported per page
        outcome.stage, outcome.reason = "decode", f"{type(exc).__name__}: {exc}"
        return outcome
    outcome.notes = notes
    try:
        page = extract_page(html, snap.get("final_url") or url)
    except Exception as exc:  # noqa: BLE001 - trafilatura/lxml errors on broken pages
        outcome.stage, outcome.reason = "extract", f"{exc}"
        return outcome
    page["title"], page["text"], conversion, problem = legacy_check(page["title"], page["text"])
    if problem:
        outcome.stage, outcome.reason = "decode", f"{problem}; raw page kept in {RAW_DIR}/"
        return outcome
    notes["converted"] = conversion
    if not conversion:  # an ordinary soft hyphen: an invisible hyphenation hint
        page["title"], page["text"] = (page[k].replace("\u00ad", "") for k in ("title", "text"))
    page["url"] = url
    page["source"] = (urlsplit(url).hostname or "").lower()
    outcome.page = page
    return outcome


def _existing_hashes(out: Path) -> dict[str, str]:
    hashes = {}
    for txt in sorted(out.glob("*.txt")):
        if not (out / f"{txt.stem}.json").is_file():
            continue
        body = txt.read_text(encoding="utf-8").split("\n", 1)
        hashes.setdefault(text_hash(body[1] if len(body) > 1 else ""), txt.stem)
    return hashes


def collect(urls: Iterable[str], out_dir: str | Path, config: CollectConfig | None = None, *,
            progress: bool = True, client: PoliteClient | None = None) -> CollectReport:
    """Fetch ``urls`` into ``out_dir`` in the corpus format; returns (and writes) the report.

    Addresses are handled in input order (so duplicates are decided deterministically: the
    first one seen keeps its document); already-written documents are skipped.
    """
    from tqdm.auto import tqdm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = config or CollectConfig()
    client = client or PoliteClient(config)
    report = CollectReport(out_dir=str(out), started=_now(), user_agent=config.user_agent)
    for stale in out.glob(".*.tmp"):  # leftovers of an interrupted write
        stale.unlink(missing_ok=True)
    for stale in (out / RAW_DIR).glob(".*.tmp"):
        stale.unlink(missing_ok=True)

    todo: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for line_no, raw_url in enumerate(urls, 1):
        url = raw_url.strip()
        if not url or url.startswith("#"):
            continue
        report.requested += 1
        try:
            norm = normalize_url(url)
        except ValueError as exc:
            report.failures.append({"url": url, "doc_id": None, "stage": "input",
                                    "reason": f"line {line_no}: {exc}", "status": None})
            continue
        if norm in seen:
            report.duplicates.append({"url": url, "doc_id": doc_id_for(url), "reason": "same URL",
                                      "duplicate_of": seen[norm]})
            continue
        seen[norm] = url
        doc_id = doc_id_for(url)
        if _is_done(out, doc_id):
            report.already_present += 1
            report.documents.append(doc_id)
            continue
        todo.append((url, doc_id))

    hashes = _existing_hashes(out)
    bar = tqdm(total=len(todo), desc="collect", unit="page", disable=not progress)
    pool = cf.ThreadPoolExecutor(max_workers=max(1, config.workers))
    try:
        futures = [pool.submit(_fetch_and_extract, client, out, u, d) for u, d in todo]
        for fut in futures:  # input order
            outcome = fut.result()
            bar.update(1)
            report.fetched += outcome.fetched
            report.reused_snapshots += outcome.reused
            if outcome.page is None:
                report.failures.append({"url": outcome.url, "doc_id": outcome.doc_id,
                                        "stage": outcome.stage, "reason": outcome.reason,
                                        "status": outcome.status})
                continue
            page = outcome.page
            digest = text_hash(page["text"])
            if digest in hashes and hashes[digest] != outcome.doc_id:
                report.duplicates.append({"url": outcome.url, "doc_id": outcome.doc_id,
                                          "reason": "same text", "duplicate_of": hashes[digest]})
                continue
            hashes[digest] = outcome.doc_id
            notes = outcome.notes or {}
            if notes.get("converted") or notes.get("encoding") not in (None, "utf-8", "ascii"):
                report.converted.append({"url": outcome.url, "doc_id": outcome.doc_id,
                                         "conversion": notes.get("converted")
                                         or f"{notes['encoding']} -> UTF-8 (NFC)"})
            try:
                _atomic_write(out / f"{outcome.doc_id}.txt", f"{page['title']}\n\n{page['text']}\n")
                _atomic_write(out / f"{outcome.doc_id}.json", _json(
                    {k: page[k] for k in ("url", "title", "published", "source")}))
            except OSError as exc:
                report.failures.append({"url": outcome.url, "doc_id": outcome.doc_id,
                                        "stage": "write", "reason": str(exc),
                                        "status": outcome.status})
                continue
            report.written += 1
            report.documents.append(outcome.doc_id)
    except KeyboardInterrupt:
        report.interrupted = True
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
        report.finished = _now()
        _atomic_write(out / REPORT, _json(report.to_dict()))
    return report


# --------------------------------------------------------------------------- discovery


def _parse_xml(content: bytes):
    from lxml import etree

    if content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    return etree.fromstring(content, parser=parser)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _links_in(root) -> tuple[list[str], list[str]]:
    """(page addresses, nested sitemap addresses) of a sitemap, RSS or Atom document."""
    kind = _local(root.tag)
    pages, nested = [], []
    if kind in {"urlset", "sitemapindex"}:
        target = nested if kind == "sitemapindex" else pages
        for el in root.iter():
            if _local(el.tag) == "loc" and el.text and el.text.strip():
                target.append(el.text.strip())
    elif kind in {"rss", "rdf"}:
        for item in root.iter():
            if _local(item.tag) == "item":
                for child in item:
                    if _local(child.tag) == "link" and child.text and child.text.strip():
                        pages.append(child.text.strip())
    elif kind == "feed":
        for entry in root.iter():
            if _local(entry.tag) == "entry":
                for child in entry:
                    if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                        if child.get("href"):
                            pages.append(child.get("href"))
    return pages, nested


def _feed_links(html: bytes, base: str) -> list[str]:
    import lxml.html

    try:
        doc = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 - an unreadable home page has no feeds
        return []
    return [urljoin(base, href) for href in doc.xpath(
        '//link[@rel="alternate"][contains(@type, "rss") or contains(@type, "atom")]/@href')]


def discover(root: str, client: PoliteClient | None = None, *, match: str | None = None,
             limit: int | None = None, max_sitemaps: int = 50) -> tuple[list[str], list[dict]]:
    """Article addresses of a portal: its sitemaps (robots.txt ``Sitemap:`` lines,
    ``/sitemap.xml``, ``/sitemap_index.xml``, nested indexes) and, when none, its RSS/Atom
    feeds (``<link rel=alternate>`` of the home page, ``/rss``, ``/feed``, ``/rss.xml``).
    ``root`` may also be a sitemap or feed address: then only that one is read. Only
    addresses on the portal's host are kept (``www.`` ignored), optionally those matching
    the regex ``match``.
    Returns (addresses in discovery order, problems met)."""
    client = client or PoliteClient()
    problems: list[dict] = []
    base = _host(root)
    is_portal = urlsplit(root).path in {"", "/"}
    if is_portal:
        rp, _ = client.robots(root)
        queue = [*((rp.site_maps() or []) if rp is not None else []),
                 base + "/sitemap.xml", base + "/sitemap_index.xml"]
    else:  # a sitemap or feed address: that one only (and the sitemaps it lists)
        queue = [root]
    pages: list[str] = []
    visited: set[str] = set()

    def read(addresses: list[str]) -> None:
        while addresses and len(visited) < max_sitemaps:
            address = addresses.pop(0)
            if address in visited:
                continue
            visited.add(address)
            result = client.get(address)
            if result.status != 200:
                problems.append({"url": address, "reason": result.error or f"HTTP {result.status}"})
                continue
            try:
                found, nested = _links_in(_parse_xml(result.content))
            except Exception as exc:  # noqa: BLE001 - not XML: maybe a home page with feeds
                if address == root:
                    addresses.extend(_feed_links(result.content, address))
                else:
                    problems.append({"url": address,
                                     "reason": f"not a sitemap or feed: {exc}"[:200]})
                continue
            pages.extend(found)
            addresses.extend(nested)

    read(queue)
    if not pages and is_portal:
        home = client.get(base + "/")
        feeds = _feed_links(home.content, base + "/") if home.status == 200 else []
        read(feeds + [base + "/rss", base + "/feed", base + "/rss.xml"])
    host = (urlsplit(root).hostname or "").lower().removeprefix("www.")
    pattern = re.compile(match) if match else None
    kept, seen = [], set()
    for page in pages:
        page_host = (urlsplit(page).hostname or "").lower().removeprefix("www.")
        if page_host != host or (pattern and not pattern.search(page)):
            continue
        try:
            key = normalize_url(page)
        except ValueError:
            continue
        if key not in seen:
            seen.add(key)
            kept.append(page)
        if limit and len(kept) >= limit:
            break
    return kept, problems


# --------------------------------------------------------------------------- command line


def _run(args: argparse.Namespace) -> int:
    config = CollectConfig(
        user_agent=args.user_agent, min_interval=args.rate, timeout=args.timeout,
        retries=args.retries, backoff=args.backoff, workers=args.workers,
        respect_robots=not args.ignore_robots)
    out = Path(args.out)
    client = PoliteClient(config)
    if args.discover:
        urls, problems = discover(args.discover, client, match=args.match, limit=args.limit)
        out.mkdir(parents=True, exist_ok=True)
        _atomic_write(out / "_discovered.urls", "".join(u + "\n" for u in urls))
        print(f"collect: discovered {len(urls)} addresses from {args.discover} "
              f"(list in {out / '_discovered.urls'})")
        for p in problems:
            print(f"  discovery problem {p['url']}: {p['reason']}")
        if not urls:
            return 1
    else:
        try:
            urls = Path(args.urls).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            print(f"collect: cannot read the address list {args.urls}: {exc}", file=sys.stderr)
            return 2
        if args.limit:
            urls = urls[: args.limit]
    try:
        report = collect(urls, out, config, progress=not args.no_progress, client=client)
    except KeyboardInterrupt:
        print("collect: interrupted; run the same command again to fetch what is missing",
              file=sys.stderr)
        return 130
    print(report.summary())
    print(f"collect: report in {out / REPORT}")
    return 1 if report.failures else 0


def register(sub: Any) -> None:
    """Add ``collect`` to the ``python -m helpers`` sub-commands."""
    p = sub.add_parser("collect",
                       help="download reports into the corpus format (polite, resumable)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--urls", help="text file, one address a line (# comments allowed)")
    src.add_argument("--discover", metavar="ROOT",
                     help="portal root (or a sitemap/feed address): collect the pages its "
                          "sitemaps/feeds list")
    p.add_argument("--out", required=True, help="output folder (created; reused when resuming)")
    p.add_argument("--match", help="discovery: keep addresses matching this regex")
    p.add_argument("--limit", type=int, help="at most this many addresses")
    p.add_argument("--rate", type=float, default=CollectConfig.min_interval,
                   help="seconds between two requests to one host (default %(default)s)")
    p.add_argument("--timeout", type=float, default=CollectConfig.timeout)
    p.add_argument("--retries", type=int, default=CollectConfig.retries)
    p.add_argument("--backoff", type=float, default=CollectConfig.backoff,
                   help="first retry wait in seconds, doubled each retry")
    p.add_argument("--workers", type=int, default=CollectConfig.workers)
    p.add_argument("--user-agent", default=os.environ.get("NTM_COLLECT_USER_AGENT", USER_AGENT))
    p.add_argument("--ignore-robots", action="store_true",
                   help="do not read robots.txt (only for your own servers)")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=_run)


def _main(argv: Sequence[str] | None = None) -> int:  # python -m helpers.collect
    parser = argparse.ArgumentParser(prog="python -m helpers.collect")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["collect", *(argv if argv is not None else sys.argv[1:])])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(_main())
