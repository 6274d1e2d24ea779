"""``python -m helpers extract`` / ``evaluate`` run as a user would, on a folder of our own texts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

GOOD = "Huyện Tân Phong tổng kết năm 2023\n\nNgày 5/1/2024, xã Phú Lộc đã đạt 17/19 tiêu chí nông thôn mới nâng cao."
LEGACY = "Tin huyện\n\nNăm 2023, xã Hòa Lạc được công nhận đạt chuẩn nông thôn mới năm 2023 và các xã đều đạt nhiều tiêu chí của tỉnh."


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "helpers", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _corpus(tmp: Path) -> Path:
    from helpers.text import _TCVN3

    d = tmp / "docs"
    d.mkdir()
    (d / "a01.txt").write_text(GOOD, encoding="utf-8")
    (d / "a01.json").write_text(json.dumps({"url": "https://example.org/a01", "title": "t", "published": "2024-01-06"}),
                                encoding="utf-8")
    inverse = {v: k for k, v in _TCVN3.items()}
    (d / "a02.txt").write_bytes("".join(inverse.get(c, c) for c in LEGACY).encode("latin-1"))
    (d / "a03.txt").write_bytes(b"")
    (d / "a04.txt").write_text("News\n\nIn 2023 a total of 5,000 communes of the country met the rural standards.",
                               encoding="utf-8")
    (d / "a05.txt").write_bytes(b"\x00\x01\x02\x03binary")
    (d / "a06.txt").write_text(GOOD, encoding="utf-8")
    (d / "a06.json").write_text("{not json", encoding="utf-8")
    (d / "a07.txt").write_text("<html><body><p>" + GOOD + "</p></body></html>", encoding="utf-8")
    return d


def test_extract_cli_reads_folder_lists_bad_documents_and_exits_zero(tmp_path):
    d = _corpus(tmp_path)
    out = tmp_path / "out.jsonl"
    proc = _run("extract", str(d), str(tmp_path / "missing.txt"), "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    by_doc = {}
    for r in lines:
        by_doc.setdefault(r["doc_id"], []).append(r)
    a01 = by_doc["a01"]
    assert len(a01) == 1 and a01[0]["achieved"] == 17 and a01[0]["url"] == "https://example.org/a01"
    assert a01[0]["sentence"] == GOOD[a01[0]["start"]:a01[0]["end"]]
    # legacy TCVN3 converted, HTML tags blanked, bad sidecar ignored with a note
    assert [r["place"] for r in by_doc["a02"]] == ["Hòa Lạc"]
    assert "a06" in by_doc and "a07" in by_doc
    summary = proc.stdout
    assert "7 documents read" in summary
    for doc_id, word in [("a02", "converted from tcvn3"), ("a03", "empty"), ("a04", "not Vietnamese"),
                         ("a05", "binary"), ("a06", "not valid JSON"), ("a07", "HTML"), ("missing.txt", "no such file")]:
        line = next((ln for ln in summary.splitlines() if doc_id in ln), "")
        assert word in line, (doc_id, summary)


def test_evaluate_cli(tmp_path):
    d = _corpus(tmp_path)
    out = tmp_path / "out.jsonl"
    assert _run("extract", str(d / "a01.txt"), "-o", str(out), "--no-sentence", cwd=tmp_path).returncode == 0
    rec = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert "sentence" not in rec
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({k: rec[k] for k in ("doc_id", "unit", "place", "standard", "measure", "counted",
                                                     "achieved", "total", "qualifier", "modality", "year",
                                                     "as_of", "district", "province")}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    proc = _run("evaluate", "--gold", str(gold), "--pred", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    overall = next(ln for ln in proc.stdout.splitlines() if ln.strip().startswith("overall"))
    assert overall.split()[-1] == "1.0"
    bad = _run("evaluate", "--gold", str(tmp_path / "nope.jsonl"), "--pred", str(out), cwd=tmp_path)
    assert bad.returncode == 2 and "nope.jsonl" in bad.stderr


def test_extract_cli_survives_an_implausible_year(tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "y01.txt").write_text("Tin xã\n\nXã Phước Hưng đạt chuẩn nông thôn mới năm 1985. "
                               "Xã Phước Lợi đạt 16/19 tiêu chí nông thôn mới.", encoding="utf-8")
    (d / "y02.txt").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = _run("extract", str(d), "-o", str(out), "--quiet", cwd=tmp_path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert {r["doc_id"] for r in lines} == {"y01", "y02"}
    assert all(r["year"] is None or r["year"] >= 2000 for r in lines)
