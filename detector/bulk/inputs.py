"""Turn batch INPUT arguments (folders, zip files, list files, images) into items to score.

Walking never reads image bytes: it only lists what is there, in a stable order. Reading and
hashing happen later (:func:`read_item`), so a resumed batch can skip unchanged files by
their size and modification time without opening them.

Rules:

* a folder is walked recursively; files with an image suffix are items, ``.zip`` files found
  inside are opened as zip inputs, everything else is ignored;
* a zip file yields its image members, read in memory and never extracted to disk; a member
  whose name is absolute or contains ``..`` is not read and becomes an error item, as does a
  member larger than :data:`MAX_MEMBER_BYTES`;
* a list file (``.txt``, ``.lst``, ``.list``) holds one path per line (blank lines and ``#``
  comments skipped); relative paths are taken relative to the list file's folder; a listed
  path that does not exist becomes an error item (it is data, not usage);
* any other file given on the command line is treated as an image.

A path given on the command line that does not exist raises :class:`InputUsageError`.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"})
LIST_SUFFIXES = frozenset({".txt", ".lst", ".list"})
ZIP_SUFFIX = ".zip"
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # larger zip members are refused (zip-bomb guard)
MAX_LIST_DEPTH = 4  # list files may name list files, this deep at most
ZIP_SEPARATOR = "!/"  # source name of a zip member: "<zip path>!/<member>"


class InputUsageError(Exception):
    """An INPUT argument cannot be used at all (e.g. it does not exist); exit code 2."""


@dataclass(frozen=True, slots=True)
class InputItem:
    """One thing to score: a file on disk or a member of a zip file.

    ``source`` is the unique locator shown to people and stored in the results
    (a path, or ``archive.zip!/member``). ``stamp`` is what must stay the same for a cached
    sha256 to be trusted (file size and mtime, or the member's size and CRC).
    ``error`` is set when the item cannot be read at all; it is then recorded as an error row.
    """

    source: str
    path: Path
    member: str | None = None
    stamp: str = ""
    error: str | None = None

    @property
    def name(self) -> str:
        return PurePosixPath(self.member).name if self.member is not None else self.path.name

    @property
    def error_key(self) -> str:
        """The results key of an unreadable item (it has no content to hash)."""
        return "input:" + hashlib.sha256(self.source.encode("utf-8")).hexdigest()


def iter_inputs(args: Sequence[str | os.PathLike[str]]) -> Iterator[InputItem]:
    """Yield the items of every INPUT in order; raises InputUsageError for a missing argument."""
    paths = [Path(a) for a in args]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputUsageError(f"input not found: {missing[0]}")
    for path in paths:
        yield from _iter_path(path, depth=0, explicit=True)


def _iter_path(path: Path, *, depth: int, explicit: bool) -> Iterator[InputItem]:
    suffix = path.suffix.lower()
    if path.is_dir():
        yield from _iter_folder(path, depth=depth)
    elif suffix == ZIP_SUFFIX:
        yield from _iter_zip(path)
    elif suffix in LIST_SUFFIXES:
        yield from _iter_list(path, depth=depth)
    elif suffix in IMAGE_SUFFIXES or explicit:
        yield _file_item(path)


def _iter_folder(folder: Path, *, depth: int) -> Iterator[InputItem]:
    for root, dirs, files in os.walk(folder, onerror=None, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            suffix = path.suffix.lower()
            if suffix == ZIP_SUFFIX:
                yield from _iter_zip(path)
            elif suffix in IMAGE_SUFFIXES:
                yield _file_item(path)


def _file_item(path: Path) -> InputItem:
    try:
        st = path.stat()
    except OSError as exc:
        return InputItem(source=str(path), path=path, error=f"cannot stat file: {exc.strerror}")
    return InputItem(source=str(path), path=path, stamp=f"{st.st_size}:{st.st_mtime_ns}")


def _iter_list(list_file: Path, *, depth: int) -> Iterator[InputItem]:
    if depth >= MAX_LIST_DEPTH:
        yield InputItem(source=str(list_file), path=list_file, error="list files nested too deep")
        return
    try:
        lines = list_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        yield InputItem(source=str(list_file), path=list_file, error=f"cannot read list file: {exc}")
        return
    for line in lines:
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        path = Path(entry)
        if not path.is_absolute():
            path = list_file.parent / path
        if not path.exists():
            yield InputItem(source=str(path), path=path, error="listed file not found")
            continue
        yield from _iter_path(path, depth=depth + 1, explicit=True)


def _iter_zip(zip_path: Path) -> Iterator[InputItem]:
    try:
        with zipfile.ZipFile(zip_path) as archive:
            infos = archive.infolist()
    except (OSError, zipfile.BadZipFile) as exc:
        yield InputItem(source=str(zip_path), path=zip_path, error=f"cannot open zip file: {exc}")
        return
    zip_mtime = _mtime_ns(zip_path)
    for info in infos:
        if info.is_dir():
            continue
        source = f"{zip_path}{ZIP_SEPARATOR}{info.filename}"
        unsafe = unsafe_member_reason(info.filename)
        if unsafe is not None:
            yield InputItem(source=source, path=zip_path, member=info.filename, error=unsafe)
        elif PurePosixPath(info.filename).suffix.lower() not in IMAGE_SUFFIXES:
            continue
        elif info.file_size > MAX_MEMBER_BYTES:
            error = f"zip member too large ({info.file_size} bytes > {MAX_MEMBER_BYTES})"
            yield InputItem(source=source, path=zip_path, member=info.filename, error=error)
        else:
            stamp = f"{info.file_size}:{info.CRC}:{zip_mtime}"
            yield InputItem(source=source, path=zip_path, member=info.filename, stamp=stamp)


def unsafe_member_reason(name: str) -> str | None:
    """Why a zip member name is refused (absolute or escaping with ``..``), or None if safe."""
    normalized = name.replace("\\", "/")
    parts = PurePosixPath(normalized).parts
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        return f"unsafe zip member name (absolute path): {name!r}"
    if ".." in parts:
        return f"unsafe zip member name (contains '..'): {name!r}"
    return None


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def read_item(item: InputItem) -> bytes:
    """The bytes of an item (a file, or a zip member read in memory); raises OSError."""
    if item.member is None:
        return item.path.read_bytes()
    try:
        with zipfile.ZipFile(item.path) as archive:
            info = archive.getinfo(item.member)
            if info.file_size > MAX_MEMBER_BYTES:
                raise OSError(f"zip member too large ({info.file_size} bytes)")
            with archive.open(info) as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1)
    except (KeyError, zipfile.BadZipFile, RuntimeError, ValueError) as exc:
        raise OSError(f"cannot read zip member {item.member!r}: {exc}") from exc
    if len(data) > MAX_MEMBER_BYTES:
        raise OSError("zip member larger than declared")
    return data


def read_source(path: str, member: str | None) -> bytes:
    """Read an item by its path and member (what a worker gets with ``--shared-storage``)."""
    return read_item(InputItem(source=path, path=Path(path), member=member))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
