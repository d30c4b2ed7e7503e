"""The service's settings, all in one place (environment variables prefixed ``CLOSECHECK_``).

Example: ``CLOSECHECK_WORKERS=4 CLOSECHECK_API_KEY=secret closecheck serve``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024


class Settings(BaseSettings):
    """Limits, security, storage and concurrency of the HTTP service."""

    model_config = SettingsConfigDict(env_prefix="CLOSECHECK_", extra="ignore", frozen=True)

    # --- hostile-input limits -------------------------------------------------------------
    max_upload_bytes: int = Field(20 * MiB, gt=0, description="Largest single image, in bytes.")
    max_job_upload_bytes: int = Field(
        256 * MiB, gt=0, description="Largest whole job request (all files, or the zip), in bytes."
    )
    max_pixels: int = Field(40_000_000, gt=0, description="Largest image, in pixels (width × height).")
    max_files_per_job: int = Field(500, gt=0, description="Most screenshots in one job.")
    max_zip_members: int = Field(1000, gt=0, description="Most entries a zip may list.")
    max_zip_uncompressed_bytes: int = Field(
        512 * MiB, gt=0, description="Largest total uncompressed size of a zip's entries."
    )

    # --- security -------------------------------------------------------------------------
    api_key: SecretStr | None = Field(
        None, description="When set, /v1/* and /metrics need this value in the X-API-Key header."
    )

    # --- storage and concurrency ----------------------------------------------------------
    database_path: Path = Field(
        Path("closecheck-jobs.sqlite3"), description="SQLite file holding jobs, inputs and results."
    )
    workers: int = Field(2, ge=1, le=64, description="Analysis worker processes (each loads models once).")
    request_timeout_s: float = Field(
        120.0, gt=0, description="Seconds one synchronous analysis may take before a 504."
    )
    job_item_attempts: int = Field(
        3, ge=1, description="Times a job item is tried when its worker process dies."
    )

    # --- analysis defaults ----------------------------------------------------------------
    ocr: str = Field("ppocr", description="Default OCR engine.")
    profile: str = Field("cn-miit-2021", description="Default rule profile (a packaged profile name).")


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings read once from the environment."""
    return Settings()
