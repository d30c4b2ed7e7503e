"""The installed closecheck version (or the source tree's, when not installed)."""

from __future__ import annotations

import functools
from importlib import metadata


@functools.lru_cache(maxsize=1)
def service_version() -> str:
    try:
        return metadata.version("closecheck")
    except metadata.PackageNotFoundError:
        return "0+source"
