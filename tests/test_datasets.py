from __future__ import annotations

import shutil
from pathlib import Path

import pooch
import pytest

from helpers import datasets

DISTRICTS_HANOI = "dvhcvn/4b1b6b59c5880c620722663bcb48c5c105364be5/data/gis/01.json"


def test_registry_is_pinned_and_addressed():
    reg = datasets.registry()
    assert len(reg) >= 153
    for entry in reg.values():
        assert len(entry.sha256) == 64 and int(entry.sha256, 16) >= 0
        assert entry.url.startswith("https://raw.githubusercontent.com/")
        assert entry.commit in entry.url and entry.url.endswith(entry.inner_path)
        assert entry.licence and entry.citation
    assert reg[DISTRICTS_HANOI].url == (
        "https://raw.githubusercontent.com/daohoangson/dvhcvn/"
        "4b1b6b59c5880c620722663bcb48c5c105364be5/data/gis/01.json"
    )


def test_every_pinned_file_verifies(mirror):
    assert datasets.verify_all() == []


def test_mirror_never_uses_network(mirror, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network used although NTM_DATA_MIRROR is set")

    monkeypatch.setattr(pooch, "retrieve", no_network)
    assert datasets.fetch(DISTRICTS_HANOI) == (mirror / DISTRICTS_HANOI).resolve()


def _fake_mirror(tmp_path: Path, mirror: Path, damage: bool) -> Path:
    target = tmp_path / DISTRICTS_HANOI
    target.parent.mkdir(parents=True)
    shutil.copyfile(mirror / DISTRICTS_HANOI, target)
    if damage:
        with open(target, "r+b") as fh:
            fh.seek(100)
            fh.write(b"#")
    return tmp_path


def test_corrupt_mirror_file_is_named(mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("NTM_DATA_MIRROR", str(_fake_mirror(tmp_path, mirror, damage=True)))
    with pytest.raises(datasets.DataFileError) as info:
        datasets.fetch(DISTRICTS_HANOI)
    message = str(info.value)
    assert "corrupt" in message and "data/gis/01.json" in message
    assert datasets.registry()[DISTRICTS_HANOI].url in message


def test_missing_mirror_file_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("NTM_DATA_MIRROR", str(tmp_path))
    with pytest.raises(datasets.DataFileError, match="not in the mirror.*Unset NTM_DATA_MIRROR"):
        datasets.fetch(DISTRICTS_HANOI)


def test_unregistered_file_is_refused():
    with pytest.raises(datasets.DataFileError, match="not in the data registry"):
        datasets.fetch("dvhcvn/4b1b6b59c5880c620722663bcb48c5c105364be5/data/gis/22.json")


def test_download_failure_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("NTM_DATA_MIRROR", raising=False)
    monkeypatch.setenv("NTM_CACHE_DIR", str(tmp_path))

    def offline(*args, **kwargs):
        raise ConnectionError("Name or service not known")

    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(datasets.DataFileError, match="could not download .*01.json.*NTM_DATA_MIRROR"):
        datasets.fetch(DISTRICTS_HANOI)


def test_download_goes_through_cache(mirror, tmp_path, monkeypatch):
    """Without a mirror, pooch fetches from the pinned URL into the cache folder."""
    monkeypatch.delenv("NTM_DATA_MIRROR", raising=False)
    monkeypatch.setenv("NTM_CACHE_DIR", str(tmp_path))
    calls = {}

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        calls.update(url=url, known_hash=known_hash)
        target = Path(path) / fname
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror / DISTRICTS_HANOI, target)
        return str(target)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    local = datasets.fetch(DISTRICTS_HANOI)
    entry = datasets.registry()[DISTRICTS_HANOI]
    assert calls == {"url": entry.url, "known_hash": f"sha256:{entry.sha256}"}
    assert local.is_relative_to(tmp_path)
