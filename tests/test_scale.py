"""helpers.scale: the Dask path gives exactly what extract_corpus gives, as partitioned Parquet.

The documents below are invented for these tests (fictitious district and communes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from helpers import scale
from helpers.extract import extract_corpus

DOCS = {
    "t1": ("Huyện Sông Mây tổng kết 5 năm xây dựng nông thôn mới",
           "Đến cuối năm 2023, huyện Sông Mây có 12/14 xã đạt chuẩn nông thôn mới, trong đó 4 xã "
           "đạt chuẩn nông thôn mới nâng cao. Xã Tân Hòa đạt 19/19 tiêu chí và được công nhận đạt "
           "chuẩn nông thôn mới kiểu mẫu năm 2023. Huyện phấn đấu đến năm 2025 có thêm 2 xã đạt "
           "chuẩn nông thôn mới.", "2023-12"),
    "t2": ("Xã Phú Lộc còn 3 tiêu chí chưa đạt",
           "Tính đến tháng 6 năm 2022, xã Phú Lộc đạt 16/19 tiêu chí nông thôn mới, còn các "
           "tiêu chí thu nhập, hộ nghèo và môi trường chưa đạt. Dự kiến cuối năm 2022 xã sẽ đề "
           "nghị xét công nhận đạt chuẩn nông thôn mới.", "2022-06"),
    "t3": ("Rural roads in the district", "The district paved 40 km of rural roads in 2021.", None),
    "t4": ("Xã Bình An về đích nông thôn mới",
           "Năm 2021, xã Bình An được Ủy ban nhân dân tỉnh công nhận đạt chuẩn nông thôn mới "
           "sau khi hoàn thành 19/19 tiêu chí.", "2021"),
    "t5": ("Hội nghị giao ban", "Sáng nay, cán bộ các phòng ban họp giao ban định kỳ hằng tháng.",
           None),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("own_corpus")
    for doc_id, (title, text, published) in DOCS.items():
        (folder / f"{doc_id}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
        (folder / f"{doc_id}.json").write_text(json.dumps(
            {"url": f"http://songmay.example.vn/tin/{doc_id}", "title": title,
             "published": published, "source": "songmay.example.vn"}, ensure_ascii=False),
            encoding="utf-8")
    (folder / "t6.txt").write_bytes(b"")  # an empty document: reported, not dropped
    return folder


@pytest.fixture(scope="module")
def reference(corpus) -> tuple[pd.DataFrame, list]:
    report: list = []
    return scale.canonical_records(extract_corpus([corpus], report=report)), report


@pytest.fixture(scope="module")
def expected(reference) -> pd.DataFrame:
    return reference[0]


def test_partition_paths_deterministic_and_contiguous(corpus):
    parts = scale.partition_paths([corpus], npartitions=4)
    assert [len(p) for p in parts] == [2, 2, 1, 1]
    assert [Path(f).stem for p in parts for f in p] == ["t1", "t2", "t3", "t4", "t5", "t6"]
    assert parts == scale.partition_paths([corpus], npartitions=4)
    assert len(scale.partition_paths([corpus], partition_size=4)) == 2
    assert len(scale.partition_paths([corpus], npartitions=50)) == 6  # never an empty part


def test_local_process_scheduler_equals_extract_corpus(corpus, reference, tmp_path):
    expected, report = reference
    assert len(expected) >= 4 and set(expected["doc_id"]) >= {"t1", "t2", "t4"}
    (tmp_path / "part-000009.parquet").write_bytes(b"stale")  # from an older, larger run
    run = scale.extract_corpus_dask([corpus], tmp_path, npartitions=3, num_workers=1)
    assert [f.name for f in run.files] == ["part-000000.parquet", "part-000001.parquet",
                                           "part-000002.parquet"]
    assert sorted(p.name for p in tmp_path.glob("part-*")) == [f.name for f in run.files]
    got = scale.read_records(tmp_path)
    pd.testing.assert_frame_equal(got, expected)
    assert run.n_documents == 6 and run.n_records == len(expected)
    problems = list(run.problems[["doc_id", "status", "message"]].itertuples(index=False,
                                                                             name=None))
    assert problems == report  # the same documents reported, with the same reasons
    assert {"t3": "skipped", "t6": "empty"}.items() <= {d: s for d, s, _ in problems}.items()
    manifest = json.loads((tmp_path / "_manifest.json").read_text(encoding="utf-8"))
    assert [p["documents"] for p in manifest["partitions"]] == [2, 2, 2]
    assert sum(p["records"] for p in manifest["partitions"]) == len(expected)
    # one schema for every part, even the part with no records (t5, t6)
    schemas = {str(pq.read_schema(f).remove_metadata()) for f in run.files}
    assert len(schemas) == 1
    assert pq.read_metadata(run.files[2]).num_rows == len(expected[expected["doc_id"] >= "t5"])


def test_distributed_cluster_equals_extract_corpus(corpus, expected, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        run = scale.extract_corpus_dask([corpus], tmp_path / "a", client=client, npartitions=2)
        pd.testing.assert_frame_equal(run.read(), expected)
        # the same call with the scheduler's address, as on a real cluster
        run = scale.extract_corpus_dask([corpus], tmp_path / "b", client=cluster.scheduler_address,
                                        partition_size=1, keep_sentence=False)
        assert len(run.files) == 6
        got = scale.read_records(tmp_path / "b")
        assert "sentence" not in got.columns
        pd.testing.assert_frame_equal(got, expected.drop(columns=["sentence"]))


def test_extract_corpus_runs_on_dask_with_the_same_call(corpus, reference, tmp_path):
    """``extract_corpus(..., client=ADDRESS)`` is the Dask path and gives the same records."""
    distributed = pytest.importorskip("distributed")
    expected, expected_report = reference
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:
        report: list = []
        got = extract_corpus([corpus], client=cluster.scheduler_address, report=report)
    pd.testing.assert_frame_equal(got, expected)
    assert {r[0] for r in report} == {r[0] for r in expected_report}
    local = extract_corpus([corpus], out_dir=tmp_path / "parts", processes=1)
    pd.testing.assert_frame_equal(local, expected)
    assert sorted(p.name for p in (tmp_path / "parts").glob("part-*.parquet"))


def test_shared_corpus_sample_equals_extract_corpus(shared, tmp_path):
    distributed = pytest.importorskip("distributed")
    files = [*sorted((shared / "corpus").glob("*.txt"))[:6],
             *sorted((shared / "seeds").glob("*.txt"))[:2]]
    reference = scale.canonical_records(extract_corpus(files))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        run = scale.extract_corpus_dask(files, tmp_path, client=client, npartitions=3)
    got = scale.read_records(tmp_path)
    pd.testing.assert_frame_equal(got, reference)
    assert run.n_documents == len(files)


def test_no_documents_gives_one_empty_part(tmp_path):
    (tmp_path / "in").mkdir()
    run = scale.extract_corpus_dask([tmp_path / "in"], tmp_path / "out", scheduler="sync")
    assert run.n_documents == 0 and len(run.files) == 1
    got = scale.read_records(tmp_path / "out")
    assert got.empty and list(got.columns) == scale.records_schema().names
    with pytest.raises(FileNotFoundError, match="no part"):
        scale.read_records(tmp_path / "in")


def test_command_line(corpus, expected, tmp_path, capsys):
    code = scale.main([str(corpus), "--out", str(tmp_path), "--scheduler", "sync",
                       "--npartitions", "2"])
    out = capsys.readouterr().out
    assert code == 0 and f"6 documents -> {len(expected)} records in 2 parts" in out
    assert "empty    t6" in out
    pd.testing.assert_frame_equal(scale.read_records(tmp_path), expected)
    assert scale.main([str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
