"""Public data files the project downloads: a pinned registry, a verified cache and a mirror.

Every file is named by its path *relative to the source root*, which is
``<repository folder>/<commit>/<path inside the repository>``, exactly the layout of
``../shared/data`` (see its SOURCES.md). The public address of a file is
``https://raw.githubusercontent.com/<owner>/<repo>/<commit>/<path inside the repository>``.

``fetch(path)`` returns a local, sha256-verified copy:

* with ``NTM_DATA_MIRROR=DIR`` set, it reads ``DIR/<path>`` and never touches the network;
* otherwise it downloads the file once into the cache (``NTM_CACHE_DIR``, default the
  user cache folder ``ntm-atlas``) with pooch.

A missing or corrupt file raises :class:`DataFileError`, whose message names the file, its
address and what to do.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pooch

__all__ = [
    "SOURCES",
    "DataFile",
    "DataFileError",
    "Source",
    "cache_dir",
    "fetch",
    "mirror_dir",
    "registry",
    "sha256",
    "verify_all",
]

MIRROR_ENV = "NTM_DATA_MIRROR"
CACHE_ENV = "NTM_CACHE_DIR"


@dataclass(frozen=True)
class Source:
    """One public repository at one commit: the unit of citation and licence."""

    folder: str
    repository: str
    licence: str
    citation: str

    def url(self, commit: str, inner_path: str) -> str:
        return f"https://raw.githubusercontent.com/{self.repository}/{commit}/{inner_path}"


SOURCES: dict[str, Source] = {
    "dvhcvn": Source(
        folder="dvhcvn",
        repository="daohoangson/dvhcvn",
        licence="GPL-3.0 (repository); upstream government data has no stated licence",
        citation=(
            "Đào Hoàng Sơn, dvhcvn: Vietnamese administrative units with GIS data, "
            "https://github.com/daohoangson/dvhcvn"
        ),
    ),
    "vietnamese-provinces-database": Source(
        folder="vietnamese-provinces-database",
        repository="thanglequoc/vietnamese-provinces-database",
        licence="MIT",
        citation=(
            "Thang Le Quoc, vietnamese-provinces-database (2025 administrative units), "
            "https://github.com/thanglequoc/vietnamese-provinces-database"
        ),
    ),
}


@dataclass(frozen=True)
class DataFile:
    """A registry entry: where a file comes from and the hash it must have."""

    path: str
    sha256: str
    size: int

    @property
    def source(self) -> Source:
        return SOURCES[self.path.split("/", 1)[0]]

    @property
    def commit(self) -> str:
        return self.path.split("/", 2)[1]

    @property
    def inner_path(self) -> str:
        return self.path.split("/", 2)[2]

    @property
    def url(self) -> str:
        return self.source.url(self.commit, self.inner_path)

    @property
    def licence(self) -> str:
        return self.source.licence

    @property
    def citation(self) -> str:
        return f"{self.source.citation}, commit {self.commit[:12]}, file {self.inner_path}"


class DataFileError(RuntimeError):
    """A public data file is missing, unreachable or does not match its pinned hash."""


@cache
def registry() -> dict[str, DataFile]:
    """All pinned files, keyed by their path relative to the source root."""
    text = resources.files("helpers").joinpath("resources/registry.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {r["path"]: DataFile(r["path"], r["sha256"], int(r["size"])) for r in rows}


def mirror_dir() -> Path | None:
    """The mirror folder named by ``NTM_DATA_MIRROR``, or None when it is unset."""
    value = os.environ.get(MIRROR_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


def cache_dir() -> Path:
    """Where downloads are kept (``NTM_CACHE_DIR`` or the user cache folder)."""
    value = os.environ.get(CACHE_ENV, "").strip()
    return Path(value).expanduser() if value else Path(pooch.os_cache("ntm-atlas"))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry(path: str) -> DataFile:
    try:
        return registry()[path]
    except KeyError:
        raise DataFileError(
            f"{path!r} is not in the data registry (src/helpers/resources/registry.csv); "
            "only pinned public files can be loaded."
        ) from None


def fetch(path: str) -> Path:
    """Return a verified local copy of the registered file ``path``."""
    entry = _entry(path)
    mirror = mirror_dir()
    if mirror is not None:
        local = mirror / entry.path
        if not local.is_file():
            raise DataFileError(
                f"{entry.inner_path} ({entry.source.repository}) is not in the mirror: "
                f"expected {local}. Unset {MIRROR_ENV} to download it from {entry.url}, "
                f"or put the file there."
            )
        _check_hash(entry, local, where=f"mirror file {local}")
        return local
    target_dir = cache_dir() / entry.source.folder / entry.commit
    try:
        fname = pooch.retrieve(
            url=entry.url,
            known_hash=f"sha256:{entry.sha256}",
            fname=entry.inner_path.replace("/", "__"),
            path=target_dir,
            progressbar=False,
        )
    except ValueError as exc:  # pooch's hash mismatch
        raise DataFileError(
            f"{entry.inner_path} downloaded from {entry.url} does not match its pinned sha256 "
            f"{entry.sha256}: the public copy changed or the download was damaged. "
            f"Delete {target_dir} and try again; if it persists, report it. ({exc})"
        ) from None
    except Exception as exc:  # network errors of requests/pooch
        raise DataFileError(
            f"could not download {entry.inner_path} from {entry.url}: {exc}. Check the network, "
            f"or set {MIRROR_ENV} to a folder that mirrors the files (see README)."
        ) from None
    return Path(fname)


def _check_hash(entry: DataFile, local: Path, where: str) -> None:
    got = sha256(local)
    if got != entry.sha256:
        raise DataFileError(
            f"{where} is corrupt: sha256 {got} != pinned {entry.sha256} for {entry.inner_path} "
            f"({entry.url}). Replace it with the public copy."
        )


def verify_all() -> list[str]:
    """Fetch and verify every registered file; return the paths that failed, with reasons."""
    failures = []
    for path in registry():
        try:
            fetch(path)
        except DataFileError as exc:
            failures.append(f"{path}: {exc}")
    return failures
