"""Reading multipart uploads with a byte cap (the body limit middleware bounds the whole request)."""

from __future__ import annotations

from fastapi import UploadFile

from service.errors import too_large
from service.ingest import clean_name


async def read_capped(upload: UploadFile, limit: int, *, fallback_name: str = "upload") -> tuple[str, bytes]:
    """The upload's display name and bytes; 413 ``file_too_large`` past ``limit`` bytes."""
    name = clean_name(upload.filename, fallback_name)
    if upload.size is not None and upload.size > limit:
        raise too_large("file_too_large", f"{name} has {upload.size} bytes; the limit is {limit}")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise too_large("file_too_large", f"{name} is larger than the {limit} byte limit")
    return name, data
