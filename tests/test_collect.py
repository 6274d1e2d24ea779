"""helpers.collect against a local HTTP server on 127.0.0.1 serving pages written here.

Every sentence below is invented for these tests (fictitious communes and figures). Nothing
here reaches beyond the loopback address.
"""

from __future__ import annotations

import json
import threading
import time
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import collect as hc

# ----------------------------------------------------------------------------- pages

PARAS = {
    "tan-hoa": [
        "Sáng ngày 12 tháng 3 năm 2023, Ủy ban nhân dân huyện Sông Mây tổ chức hội nghị công bố "
        "xã Tân Hòa đạt chuẩn nông thôn mới nâng cao sau ba năm phấn đấu bền bỉ.",
        "Đến nay xã Tân Hòa đã đạt 19/19 tiêu chí, thu nhập bình quân đầu người đạt 61 triệu đồng "
        "mỗi năm, tỷ lệ hộ nghèo giảm còn 1,2 phần trăm và toàn bộ đường trục xã được bê tông hóa.",
        "Huyện Sông Mây đặt mục tiêu đến cuối năm 2025 có thêm 4 xã đạt chuẩn nông thôn mới kiểu "
        "mẫu, tập trung vào chuyển đổi số và phát triển sản phẩm OCOP của địa phương.",
    ],
    "phu-loc": [
        "Năm 2021, xã Phú Lộc thuộc huyện Đồng Cỏ được tỉnh công nhận đạt chuẩn nông thôn mới với "
        "tổng vốn huy động hơn 85 tỷ đồng, trong đó nhân dân đóng góp 12 tỷ đồng.",
        "Các tuyến đường liên thôn được mở rộng, trường mầm non và trạm y tế xã được xây mới, "
        "nước sạch đã về tới 97 phần trăm số hộ dân trong toàn xã Phú Lộc.",
        "Chính quyền xã tiếp tục rà soát các tiêu chí môi trường và an ninh trật tự để giữ vững "
        "kết quả đã đạt được trong những năm tiếp theo.",
    ],
    "binh-an": [
        "Xã Bình An của huyện Đồng Cỏ hiện đạt 15/19 tiêu chí nông thôn mới, còn thiếu các tiêu "
        "chí về thu nhập, hộ nghèo, môi trường và quy hoạch khu dân cư.",
        "Ban chỉ đạo huyện đề nghị xã tập trung nguồn lực, phấn đấu hoàn thành các tiêu chí còn "
        "lại trước tháng 9 năm 2024 để trình thẩm định theo quy định.",
        "Người dân trong xã đã tự nguyện hiến gần 6.000 mét vuông đất để làm đường giao thông "
        "nông thôn và nhà văn hóa thôn.",
    ],
    "cu-lao": [
        "Sau khi sáp nhập, xã Cù Lao Xanh có 7 ấp với hơn 2.300 hộ dân, kinh tế chủ yếu dựa vào "
        "nuôi trồng thủy sản và trồng cây ăn trái.",
        "Xã đã hoàn thành 17 tiêu chí và đang đẩy mạnh xây dựng hệ thống thủy lợi nội đồng, "
        "nâng cao chất lượng giáo dục và chăm sóc sức khỏe ban đầu cho người dân.",
        "Hội đồng nhân dân xã thông qua nghị quyết dành 30 phần trăm ngân sách năm 2024 cho "
        "các công trình nông thôn mới.",
    ],
    "hong": [
        "Tại hội nghị sơ kết, huyện Đồng Cỏ cho biết đã có 11 trên 14 xã đạt chuẩn nông thôn mới, "
        "ba xã còn lại đang hoàn thiện hồ sơ đề nghị xét công nhận.",
        "Tổng nguồn lực thực hiện chương trình giai đoạn 2021 đến 2023 đạt hơn 640 tỷ đồng, "
        "trong đó vốn ngân sách trung ương chiếm khoảng một phần năm.",
        "Huyện phấn đấu đạt chuẩn huyện nông thôn mới vào năm 2026 theo kế hoạch đã đề ra.",
    ],
}
TITLES = {
    "tan-hoa": "Xã Tân Hòa đạt chuẩn nông thôn mới nâng cao",
    "phu-loc": "Phú Lộc: ba năm về đích nông thôn mới",
    "binh-an": "Xã Bình An còn bốn tiêu chí chưa đạt",
    "cu-lao": "Cù Lao Xanh dồn sức cho nông thôn mới",
    "hong": "Huyện Đồng Cỏ sơ kết chương trình nông thôn mới",
}
# A TCVN3 (ABC) page: Vietnamese typed with the legacy .VnTime font, bytes read as Latin-1.
TCVN3_UNICODE = "Xã Đồng Bãi đạt chuẩn nông thôn mới năm 2019 với 19 tiêu chí được công nhận."
TCVN3_TABLE = {"ã": "·", "Đ": "§", "ồ": "å", "đ": "®", "ạ": "¹", "ẩ": "È", "ô": "«", "ớ": "í",
               "ă": "¨", "ê": "ª", "í": "Ý", "ư": "­", "ợ": "î", "ậ": "Ë"}


TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as windows-1258 does: base letters with their vowel marks precomposed, tone
    marks as separate combining characters."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def article(key: str, date: str = "2023-03-12") -> str:
    paras = "".join(f"<p>{p}</p>\n" for p in PARAS[key])
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{TITLES[key]} - Cổng thông tin huyện Sông Mây</title>
<meta property="og:title" content="{TITLES[key]}">
<meta property="og:site_name" content="Cổng thông tin huyện Sông Mây">
<meta property="article:published_time" content="{date}T08:00:00+07:00">
</head><body><nav><a href="/">Trang chủ</a> | <a href="/tin">Tin tức</a></nav>
<article><h1>{TITLES[key]}</h1>
{paras}</article>
<footer>Bản quyền thuộc Ủy ban nhân dân huyện Sông Mây</footer></body></html>"""


def tcvn3_page() -> bytes:
    legacy = "".join(TCVN3_TABLE.get(c, c) for c in TCVN3_UNICODE)
    body = "".join(f"<p>{legacy}</p>" for _ in range(3))
    html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            f'<title>Tin x· ®¹t chuÈn</title><style>p {{font-family: ".VnTime"}}</style></head>'
            f"<body><article><h1>Tin x· ®¹t chuÈn</h1>{body}</article></body></html>")
    return html.encode("latin-1")


class Site:
    """Routes of the test portal; ``hits`` counts requests per path (query included)."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.times: list[tuple[str, float]] = []
        self.user_agents: set[str] = set()
        self.lock = threading.Lock()
        self.base = ""

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()
            self.times.clear()

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes, float]:
        """(status, headers, body, delay before answering)."""
        n = self.hits[path]
        html = {"Content-Type": "text/html; charset=utf-8"}
        clean = path.split("?", 1)[0]
        if clean == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, (
                "User-agent: *\nDisallow: /rieng/\n\nUser-agent: BadBot\nDisallow: /\n\n"
                f"Sitemap: {self.base}/sitemap.xml\n").encode(), 0
        if clean == "/sitemap.xml":
            locs = "".join(f"<sitemap><loc>{self.base}/{n}</loc></sitemap>"
                           for n in ("sitemap-tin.xml",))
            return 200, {"Content-Type": "application/xml"}, (
                '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">{locs}</sitemapindex>').encode(), 0
        if clean == "/sitemap-tin.xml":
            urls = ["/bai/tan-hoa.html", "/bai/phu-loc.html", "/rieng/noi-bo.html",
                    "http://other.example/bai/x.html", "/bai/tan-hoa.html?utm_source=zalo"]
            locs = "".join(f"<url><loc>{u if u.startswith('http') else self.base + u}</loc></url>"
                           for u in urls)
            return 200, {"Content-Type": "application/xml"}, (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{locs}</urlset>").encode(), 0
        if clean == "/rss.xml":
            items = "".join(f"<item><title>{TITLES[k]}</title><link>{self.base}/bai/{k}.html</link>"
                            "</item>" for k in ("binh-an", "phu-loc"))
            return 200, {"Content-Type": "application/rss+xml"}, (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Tin nông thôn mới</title>{items}</channel></rss>").encode(), 0
        if clean in {f"/bai/{k}.html" for k in ("tan-hoa", "phu-loc", "binh-an")}:
            return 200, html, article(clean[5:-5]).encode(), 0
        if clean == "/ban-sao/tan-hoa.html":  # same article at another address
            return 200, html, article("tan-hoa").encode(), 0
        if clean == "/bai/chap-chon.html":  # 500, then fine
            if n == 1:
                return 500, html, b"loi may chu", 0
            return 200, html, article("binh-an").encode(), 0
        if clean == "/bai/ban-qua.html":  # 503 with Retry-After, then fine
            if n == 1:
                return 503, {**html, "Retry-After": "0"}, b"ban", 0
            return 200, html, article("phu-loc", "2021-06-30").encode(), 0
        if clean == "/bai/mat.html":
            return 404, html, b"<html><body>Khong tim thay</body></html>", 0
        if clean == "/bai/luon-loi.html":
            return 500, html, b"loi", 0
        if clean == "/bai/cham.html":  # always slower than the timeout
            return 200, html, article("cu-lao").encode(), 1.0
        if clean == "/bai/cham-mot-lan.html":  # slow once, then fine
            return 200, html, article("cu-lao").encode(), (1.0 if n == 1 else 0)
        if clean == "/cu/tan-hoa":
            return 301, {"Location": "/cu/tam"}, b"", 0
        if clean == "/cu/tam":
            return 302, {"Location": f"{self.base}/bai/cu-lao.html"}, b"", 0
        if clean == "/bai/cu-lao.html":
            return 200, html, article("cu-lao").encode(), 0
        if clean == "/cu/vao-rieng":
            return 302, {"Location": "/rieng/noi-bo.html"}, b"", 0
        if clean == "/rieng/noi-bo.html":
            return 200, html, article("phu-loc").encode(), 0
        if clean == "/bai/cp1258.html":  # windows-1258: tone marks as combining characters
            text = article("hong", "2023-11-02").replace('<meta charset="utf-8">', "")
            return 200, {"Content-Type": "text/html; charset=windows-1258"}, to_cp1258(text), 0
        if clean == "/bai/tcvn3.html":
            return 200, {"Content-Type": "text/html; charset=iso-8859-1"}, tcvn3_page(), 0
        if clean == "/bai/hong-the.html":  # broken markup: unclosed and mis-nested tags
            body = article("hong").replace("</p>", "").replace("</article>", "<div><b></i>")
            return 200, html, body.replace("</body></html>", "").encode(), 0
        if clean == "/bai/rong.html":
            return 200, html, b"<html><head><title></title></head><body>  </body>", 0
        return 404, html, b"<html><body>404</body></html>", 0


def make_handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            with site.lock:
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                site.times.append((self.path, time.monotonic()))
                site.user_agents.add(self.headers.get("User-Agent", ""))
            status, headers, body, delay = site.answer(self.path)
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def site():
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(s))
    server.daemon_threads = True
    server.block_on_close = False
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield s
    server.shutdown()
    server.server_close()


FAST = hc.CollectConfig(min_interval=0.0, timeout=0.3, retries=2, backoff=0.01, workers=3)


def run(site: Site, paths: list[str], out: Path, config: hc.CollectConfig = FAST, **kw):
    return hc.collect([p if p.startswith("http") else site.base + p for p in paths], out, config,
                      progress=False, **kw)


def failure(report, path):
    return next(f for f in report.failures if f["url"].endswith(path))


# ----------------------------------------------------------------------------- units


def test_normalize_url_and_doc_id():
    a = "HTTP://Example.VN:80/bai/a.html?b=2&a=1&utm_source=x#top"
    assert hc.normalize_url(a) == "http://example.vn/bai/a.html?a=1&b=2"
    assert hc.doc_id_for(a) == hc.doc_id_for("http://example.vn/bai/a.html?a=1&b=2")
    assert hc.doc_id_for(a) != hc.doc_id_for("http://example.vn/bai/b.html")
    assert hc.normalize_url("https://example.vn") == "https://example.vn/"
    assert len(hc.doc_id_for(a)) == 17 and hc.doc_id_for(a).startswith("w")
    with pytest.raises(ValueError, match="not an http"):
        hc.normalize_url("ftp://example.vn/x")


def test_decode_windows_1258_is_composed_to_nfc():
    raw = to_cp1258("<p>Xã Tân Hòa đạt chuẩn nông thôn mới</p>")
    assert b"\xcc" in raw or b"\xde" in raw  # combining tone marks in the bytes
    html, notes = hc.decode_page(raw, "text/html; charset=windows-1258")
    assert notes["encoding"] == "cp1258"
    assert "Xã Tân Hòa đạt chuẩn nông thôn mới" in html
    assert unicodedata.is_normalized("NFC", html)


def test_decode_meta_charset_and_utf8_fallback():
    page = '<meta charset="windows-1258"><p>Huyện</p>'
    html, notes = hc.decode_page(to_cp1258(page), None)
    assert notes["declared_encoding"] == "windows-1258" and "Huyện" in html
    html, notes = hc.decode_page("<p>Nông thôn mới</p>".encode(), None)
    assert notes["encoding"] == "utf-8" and "Nông thôn mới" in html


def test_legacy_check_leaves_unicode_and_french_alone():
    fr = ("Le programme « Nouvelle ruralité » a été étendu à toutes les régions ; à côté, "
          "les élèves étudient très bien. Été, fête, mère, père, élève.")
    assert hc.legacy_check("Titre", fr) == ("Titre", fr, None, None)
    vi = " ".join(PARAS["phu-loc"])
    assert hc.legacy_check(TITLES["phu-loc"], vi) == (TITLES["phu-loc"], vi, None, None)
    legacy = "".join(TCVN3_TABLE.get(c, c) for c in TCVN3_UNICODE)
    title, text, conversion, problem = hc.legacy_check("Tin míi", f"{legacy}\n\n{legacy}")
    assert (conversion, problem) in {("TCVN3 -> Unicode", None), (None, problem)}
    if conversion:
        assert title == "Tin mới" and text == f"{TCVN3_UNICODE}\n\n{TCVN3_UNICODE}"
    else:
        assert "TCVN3" in problem


def test_extract_page_metadata_and_title_not_repeated():
    page = hc.extract_page(article("tan-hoa"), "http://www.songmay.gov.vn/bai/tan-hoa.html")
    assert page["title"] == TITLES["tan-hoa"]
    assert page["published"] == "2023-03-12"
    assert page["source"] == "www.songmay.gov.vn"
    assert page["text"].split("\n\n") == PARAS["tan-hoa"]
    with pytest.raises(ValueError, match="no main text"):
        hc.extract_page("<html><body></body></html>", "http://x.vn/")


# ----------------------------------------------------------------------------- the run


def test_collect_writes_corpus_format_and_snapshots(site, tmp_path):
    site.reset()
    report = run(site, ["/bai/tan-hoa.html", "/bai/phu-loc.html"], tmp_path)
    assert report.written == 2 and not report.failures
    doc_id = hc.doc_id_for(site.base + "/bai/tan-hoa.html")
    txt = (tmp_path / f"{doc_id}.txt").read_text(encoding="utf-8")
    assert txt.startswith(TITLES["tan-hoa"] + "\n\n" + PARAS["tan-hoa"][0])
    meta = json.loads((tmp_path / f"{doc_id}.json").read_text(encoding="utf-8"))
    assert meta == {"url": site.base + "/bai/tan-hoa.html", "title": TITLES["tan-hoa"],
                    "published": "2023-03-12", "source": "127.0.0.1"}
    snap = json.loads((tmp_path / "_raw" / f"{doc_id}.snapshot.json").read_text(encoding="utf-8"))
    raw = (tmp_path / "_raw" / snap["raw_file"]).read_bytes()
    assert raw == article("tan-hoa").encode()
    assert snap["status"] == 200 and snap["final_url"] == meta["url"]
    assert snap["content_type"].startswith("text/html") and snap["accessed"].startswith("20")
    assert snap["declared_encoding"] == "utf-8" and snap["encoding"] == "utf-8"
    import hashlib

    assert snap["sha256"] == hashlib.sha256(raw).hexdigest()
    saved = json.loads((tmp_path / "_report.json").read_text(encoding="utf-8"))
    assert saved["written"] == 2 and sorted(saved["documents"]) == sorted(report.documents)
    assert site.user_agents == {hc.USER_AGENT}
    assert not list(tmp_path.glob(".*.tmp"))
    # the extractor reads the collected folder like the shared corpus
    from helpers.extract import extract_corpus

    report_rows: list = []
    records = extract_corpus([tmp_path], report=report_rows)
    assert not [r for r in report_rows if r[1] != "ok"]
    mine = records[records["doc_id"] == doc_id]
    assert "criteria" in set(mine["measure"]) and set(mine["url"]) == {meta["url"]}


def test_robots_txt_is_obeyed_including_redirect_targets(site, tmp_path):
    site.reset()
    report = run(site, ["/rieng/noi-bo.html", "/cu/vao-rieng", "/bai/binh-an.html"], tmp_path)
    assert report.written == 1
    assert {f["stage"] for f in report.failures} == {"robots"}
    assert len(report.failures) == 2
    assert "/rieng/noi-bo.html" not in site.hits  # never requested, even via the redirect
    assert site.hits["/robots.txt"] == 1  # read once per host
    bad = hc.CollectConfig(**{**FAST.__dict__, "user_agent": "BadBot/1.0"})
    report = run(site, ["/bai/phu-loc.html"], tmp_path / "bad", bad)
    assert report.written == 0 and report.failures[0]["stage"] == "robots"


def test_retries_backoff_timeouts_and_permanent_errors(site, tmp_path):
    site.reset()
    paths = ["/bai/chap-chon.html", "/bai/ban-qua.html", "/bai/mat.html", "/bai/luon-loi.html",
             "/bai/cham.html", "/bai/cham-mot-lan.html"]
    report = run(site, paths, tmp_path)
    assert report.written == 3  # 500-then-200, 503-then-200, slow-once
    assert site.hits["/bai/chap-chon.html"] == 2 and site.hits["/bai/ban-qua.html"] == 2
    assert site.hits["/bai/mat.html"] == 1  # 404 is permanent: no retry
    assert site.hits["/bai/luon-loi.html"] == 3 == FAST.retries + 1
    assert site.hits["/bai/cham.html"] == 3 and site.hits["/bai/cham-mot-lan.html"] == 2
    assert failure(report, "/bai/mat.html")["status"] == 404
    assert failure(report, "/bai/mat.html")["reason"] == "HTTP 404"
    assert failure(report, "/bai/luon-loi.html")["reason"] == "HTTP 500"
    assert "Timeout" in failure(report, "/bai/cham.html")["reason"]
    saved = json.loads((tmp_path / "_report.json").read_text(encoding="utf-8"))
    assert {f["url"] for f in saved["failures"]} == {f["url"] for f in report.failures}
    assert len(saved["failures"]) == 3


def test_per_host_rate_limit_spaces_requests(site, tmp_path):
    site.reset()
    config = hc.CollectConfig(**{**FAST.__dict__, "min_interval": 0.05, "workers": 3})
    run(site, ["/bai/tan-hoa.html", "/bai/phu-loc.html", "/bai/binh-an.html"], tmp_path, config)
    stamps = sorted(t for _, t in site.times)
    assert len(stamps) == 4  # robots.txt + 3 pages
    assert all(b - a >= 0.05 for a, b in zip(stamps, stamps[1:], strict=False))


def test_redirects_recorded(site, tmp_path):
    site.reset()
    report = run(site, ["/cu/tan-hoa"], tmp_path)
    doc_id = hc.doc_id_for(site.base + "/cu/tan-hoa")
    assert report.documents == [doc_id]
    snap = json.loads((tmp_path / "_raw" / f"{doc_id}.snapshot.json").read_text(encoding="utf-8"))
    assert snap["final_url"] == site.base + "/bai/cu-lao.html"
    assert snap["redirects"] == [site.base + "/cu/tam", site.base + "/bai/cu-lao.html"]
    meta = json.loads((tmp_path / f"{doc_id}.json").read_text(encoding="utf-8"))
    assert meta["url"] == site.base + "/cu/tan-hoa" and meta["title"] == TITLES["cu-lao"]


def test_duplicates_same_url_and_same_text(site, tmp_path):
    site.reset()
    paths = ["/bai/tan-hoa.html", "/bai/tan-hoa.html?utm_source=zalo#binh-luan",
             "/ban-sao/tan-hoa.html", "/bai/phu-loc.html"]
    report = run(site, paths, tmp_path)
    assert report.written == 2
    reasons = {d["url"].removeprefix(site.base): d["reason"] for d in report.duplicates}
    assert reasons == {"/bai/tan-hoa.html?utm_source=zalo#binh-luan": "same URL",
                       "/ban-sao/tan-hoa.html": "same text"}
    first = site.base + "/bai/tan-hoa.html"
    assert {d["duplicate_of"] for d in report.duplicates} == {first, hc.doc_id_for(first)}
    assert site.hits.get("/bai/tan-hoa.html?utm_source=zalo") is None  # never fetched twice
    assert not (tmp_path / f"{hc.doc_id_for(site.base + '/ban-sao/tan-hoa.html')}.txt").exists()
    # a later run still knows the text it already has
    report = run(site, ["/ban-sao/tan-hoa.html"], tmp_path)
    assert report.duplicates[0]["reason"] == "same text" and report.written == 0


def test_legacy_encodings_converted_or_reported(site, tmp_path):
    site.reset()
    report = run(site, ["/bai/cp1258.html", "/bai/tcvn3.html"], tmp_path)
    cp = hc.doc_id_for(site.base + "/bai/cp1258.html")
    txt = (tmp_path / f"{cp}.txt").read_text(encoding="utf-8")
    assert txt.startswith(TITLES["hong"] + "\n\n" + PARAS["hong"][0])
    assert unicodedata.is_normalized("NFC", txt)
    assert any(c["doc_id"] == cp and "cp1258" in c["conversion"] for c in report.converted)
    snap = json.loads((tmp_path / "_raw" / f"{cp}.snapshot.json").read_text(encoding="utf-8"))
    assert (snap["declared_encoding"], snap["encoding"]) == ("windows-1258", "cp1258")
    tc = hc.doc_id_for(site.base + "/bai/tcvn3.html")
    if (tmp_path / f"{tc}.txt").exists():  # converted (helpers.text knows TCVN3)
        assert TCVN3_UNICODE in (tmp_path / f"{tc}.txt").read_text(encoding="utf-8")
        assert any(c["doc_id"] == tc and "TCVN3" in c["conversion"] for c in report.converted)
    else:  # reported, never silently dropped
        f = failure(report, "/bai/tcvn3.html")
        assert f["stage"] == "decode" and "TCVN3" in f["reason"]
        assert (tmp_path / "_raw" / f"{tc}.html").read_bytes() == tcvn3_page()


def test_broken_markup_extracted_and_empty_page_reported(site, tmp_path):
    site.reset()
    report = run(site, ["/bai/hong-the.html", "/bai/rong.html"], tmp_path)
    doc_id = hc.doc_id_for(site.base + "/bai/hong-the.html")
    body = (tmp_path / f"{doc_id}.txt").read_text(encoding="utf-8")
    assert all(p in body for p in PARAS["hong"])
    f = failure(report, "/bai/rong.html")
    assert f["stage"] == "extract" and "no main text" in f["reason"]
    assert "FAILED [extract]" in report.summary()


def test_bad_input_lines_reported(site, tmp_path):
    report = hc.collect(["# a comment", "", "not a url", "ftp://x.vn/a"], tmp_path, FAST,
                        progress=False)
    assert report.requested == 2 and [f["stage"] for f in report.failures] == ["input", "input"]
    assert "line 3" in report.failures[0]["reason"]


def test_resume_after_interruption_fetches_only_what_is_missing(site, tmp_path, monkeypatch):
    site.reset()
    paths = ["/bai/tan-hoa.html", "/bai/phu-loc.html", "/bai/binh-an.html", "/bai/cu-lao.html"]
    real_write = hc._atomic_write
    written = []

    def flaky_write(path, data):
        if path.suffix == ".txt" and len(written) == 2:  # Ctrl-C while writing document 3
            raise KeyboardInterrupt
        real_write(path, data)
        if path.suffix == ".txt":
            written.append(path)

    monkeypatch.setattr(hc, "_atomic_write", flaky_write)
    with pytest.raises(KeyboardInterrupt):
        run(site, paths, tmp_path, hc.CollectConfig(**{**FAST.__dict__, "workers": 1}))
    monkeypatch.setattr(hc, "_atomic_write", real_write)
    assert json.loads((tmp_path / "_report.json").read_text(encoding="utf-8"))["interrupted"]
    assert len(list(tmp_path.glob("w*.txt"))) == 2
    (tmp_path / ".w0.txt.abc.tmp").write_text("half", encoding="utf-8")  # a torn temp file
    before = dict(site.hits)

    report = run(site, paths, tmp_path)
    assert report.already_present == 2 and report.written == 2 and not report.failures
    assert report.reused_snapshots >= 1  # document 3 was fetched before the interruption
    refetched = {p for p in paths if site.hits.get(p, 0) > before.get(p, 0)}
    assert refetched <= {"/bai/cu-lao.html"}  # only what had never been fetched
    assert site.hits["/bai/tan-hoa.html"] == 1 and site.hits["/bai/binh-an.html"] == 1
    assert not list(tmp_path.glob(".*.tmp"))
    for p in paths:
        d = hc.doc_id_for(site.base + p)
        assert (tmp_path / f"{d}.txt").is_file() and (tmp_path / f"{d}.json").is_file()
    # a third run does nothing at all
    site.reset()
    report = run(site, paths, tmp_path)
    assert report.already_present == 4 and report.fetched == 0 and site.hits == {}


def test_discover_sitemaps_and_cli(site, tmp_path, capsys):
    site.reset()
    client = hc.PoliteClient(FAST)
    urls_all, problems = hc.discover(site.base + "/", client)
    assert urls_all == [site.base + "/bai/tan-hoa.html", site.base + "/bai/phu-loc.html",
                    site.base + "/rieng/noi-bo.html"]  # other hosts and URL duplicates dropped
    assert any(p["url"].endswith("/sitemap_index.xml") for p in problems)  # 404, reported
    urls, _ = hc.discover(site.base + "/", hc.PoliteClient(FAST), match=r"phu-loc")
    assert urls == [site.base + "/bai/phu-loc.html"]

    urls, _ = hc.discover(site.base + "/rss.xml", hc.PoliteClient(FAST))  # a feed address
    assert urls == [site.base + "/bai/binh-an.html", site.base + "/bai/phu-loc.html"]
    atom = hc._parse_xml(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="http://x.vn/a"/></entry>'
        b'<entry><link rel="edit" href="http://x.vn/e"/><link href="http://x.vn/b"/></entry></feed>')
    assert hc._links_in(atom) == (["http://x.vn/a", "http://x.vn/b"], [])

    from helpers.__main__ import main

    code = main(["collect", "--discover", site.base + "/", "--out", str(tmp_path), "--rate", "0",
                 "--timeout", "1", "--backoff", "0.01", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 1  # the robots.txt-forbidden page is a failure
    assert "discovered 3 addresses" in out and "FAILED [robots]" in out
    assert len(list(tmp_path.glob("w*.json"))) == 2
    assert (tmp_path / "_discovered.urls").read_text(encoding="utf-8").split() == urls_all
    assert sorted(p.stem for p in tmp_path.glob("*.txt")) == sorted(
        p.stem for p in tmp_path.glob("w*.json"))  # only documents are .txt
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{site.base}/bai/tan-hoa.html\n", encoding="utf-8")
    code = main(["collect", "--urls", str(listing), "--out", str(tmp_path), "--rate", "0",
                 "--no-progress"])
    assert code == 0 and "1 already present" in capsys.readouterr().out
