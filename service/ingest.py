"""Turn a job's uploads (several files, or zips) into named screenshots, safely.

Nothing here decodes images: the library's ``load_image`` sniffs and checks each one when it is
analysed. This module only enforces the upload limits and reads zips without trusting them:

* an entry whose name is absolute (``/x``, ``\\x``, ``C:x``) or climbs (``..``) rejects the zip;
* the entry count, each entry's size and the total uncompressed size are capped, counting the
  bytes actually inflated (a zip's declared sizes can lie);
* encrypted zips, corrupt zips and unknown compression methods are a 400, never a 500;
* nothing is ever written to disk, so no entry name can reach the file system.

A zip is recognised by its content (the ``PK`` signature), not by its file name.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from service.core.config import Settings
from service.errors import bad_request, too_large

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Metadata that archivers add next to real files: not screenshots, so not items.
_SKIPPED_PREFIXES = ("__MACOSX/",)
_SKIPPED_BASENAMES = (".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file as received."""

    name: str
    data: bytes


def is_zip(data: bytes) -> bool:
    return data[:4] in _ZIP_MAGICS


def clean_name(name: str | None, fallback: str) -> str:
    """A display name for a file: no control characters, no directories of the client, ≤ 200 chars."""
    text = _CONTROL.sub("", name or "").replace("\\", "/").strip()
    text = text.rsplit("/", 1)[-1] if "/" in text else text
    return (text or fallback)[:200]


def unsafe_member(name: str) -> bool:
    """True for an absolute path or one with a ``..`` component (either slash)."""
    norm = name.replace("\\", "/")
    return norm.startswith("/") or bool(_DRIVE.match(norm)) or ".." in norm.split("/") or "\x00" in name


def expand(uploads: Iterable[Upload], settings: Settings) -> list[Upload]:
    """Every screenshot of a job: plain files as they are, zips opened; all limits enforced."""
    out: list[Upload] = []
    for upload in uploads:
        if is_zip(upload.data):
            out.extend(_read_zip(upload, settings, room=settings.max_files_per_job - len(out)))
        else:
            if len(upload.data) > settings.max_upload_bytes:
                raise too_large(
                    "file_too_large",
                    f"{upload.name} has {len(upload.data)} bytes; the limit is {settings.max_upload_bytes}",
                )
            out.append(upload)
        if len(out) > settings.max_files_per_job:
            raise too_large("too_many_files", f"a job takes at most {settings.max_files_per_job} screenshots")
    if not out:
        raise bad_request("no_files", "the upload holds no screenshots")
    return out


def _read_zip(upload: Upload, settings: Settings, *, room: int) -> list[Upload]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(upload.data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise bad_request("zip_invalid", f"{upload.name} is not a readable zip: {exc}") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > settings.max_zip_members:
            raise too_large(
                "zip_too_many_members",
                f"{upload.name} lists {len(infos)} entries; the limit is {settings.max_zip_members}",
            )
        for info in infos:
            if unsafe_member(info.filename):
                raise bad_request(
                    "zip_unsafe_path", f"{upload.name} has an entry with an unsafe path: {info.filename!r}"
                )
        members = [info for info in infos if _is_screenshot_entry(info)]
        declared = sum(info.file_size for info in members)
        if declared > settings.max_zip_uncompressed_bytes:
            raise too_large(
                "zip_too_large",
                f"{upload.name} unpacks to {declared} bytes; the limit is {settings.max_zip_uncompressed_bytes}",
            )
        if len(members) > room:
            raise too_large("too_many_files", f"a job takes at most {settings.max_files_per_job} screenshots")
        budget = settings.max_zip_uncompressed_bytes
        out: list[Upload] = []
        for info in members:
            data = _inflate(archive, info, upload.name, settings, budget)
            budget -= len(data)
            out.append(Upload(_member_name(info.filename), data))
    return out


def _is_screenshot_entry(info: zipfile.ZipInfo) -> bool:
    if info.is_dir() or info.filename.startswith(_SKIPPED_PREFIXES):
        return False
    base = info.filename.rsplit("/", 1)[-1]
    return not (base.startswith("._") or base in _SKIPPED_BASENAMES)


def _member_name(filename: str) -> str:
    text = _CONTROL.sub("", filename).replace("\\", "/").strip("/")
    return text[-200:] or "unnamed"


def _inflate(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, zip_name: str, settings: Settings, budget: int
) -> bytes:
    """One entry's bytes, stopping as soon as it passes a limit (declared sizes are not trusted)."""
    if info.flag_bits & 0x1:
        raise bad_request("zip_encrypted", f"{zip_name} is encrypted; upload an unencrypted zip")
    cap = min(settings.max_upload_bytes, budget)
    buf = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                buf += chunk
                if len(buf) > cap:
                    if len(buf) > settings.max_upload_bytes:
                        raise too_large(
                            "file_too_large",
                            f"{info.filename} in {zip_name} is larger than {settings.max_upload_bytes} bytes",
                        )
                    raise too_large(
                        "zip_too_large",
                        f"{zip_name} unpacks to more than {settings.max_zip_uncompressed_bytes} bytes",
                    )
    except (
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        OSError,
        EOFError,
        ValueError,
    ) as exc:
        raise bad_request("zip_invalid", f"{zip_name}: cannot read {info.filename!r}: {exc}") from exc
    return bytes(buf)
