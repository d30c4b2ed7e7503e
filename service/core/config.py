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
    max_upload_bytes: int = Field(default=20 * MiB, gt=0, description="Largest single image, in bytes.")
    max_job_upload_bytes: int = Field(
        default=256 * MiB, gt=0, description="Largest whole job request (all files, or the zip), in bytes."
    )
    max_pixels: int = Field(
        default=40_000_000, gt=0, description="Largest image, in pixels (width × height)."
    )
    max_files_per_job: int = Field(default=500, gt=0, description="Most screenshots in one job.")
    max_zip_members: int = Field(default=1000, gt=0, description="Most entries a zip may list.")
    max_zip_uncompressed_bytes: int = Field(
        default=512 * MiB, gt=0, description="Largest total uncompressed size of a zip's entries."
    )

    # --- security -------------------------------------------------------------------------
    api_key: SecretStr | None = Field(
        default=None, description="When set, /v1/* and /metrics need this value in the X-API-Key header."
    )

    # --- storage and concurrency ----------------------------------------------------------
    database_path: Path = Field(
        default=Path("closecheck-jobs.sqlite3"), description="SQLite file holding jobs, inputs and results."
    )
    workers: int = Field(
        default=2, ge=1, le=64, description="Analysis worker processes (each loads models once)."
    )
    ocr_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="onnxruntime threads per worker; keep workers × ocr_threads at about the core count.",
    )
    request_timeout_s: float = Field(
        default=120.0, gt=0, description="Seconds one synchronous analysis may take before a 504."
    )
    shutdown_grace_s: float = Field(
        default=15.0, ge=0, description="Seconds a stopping service waits for busy workers to finish."
    )
    job_item_attempts: int = Field(
        default=3, ge=1, description="Times a job item is tried when its worker process dies."
    )

    # --- analysis defaults ----------------------------------------------------------------
    ocr: str = Field(default="ppocr", description="Default OCR engine.")
    profile: str = Field(
        default="cn-miit-2021", description="Default rule profile (a packaged profile name)."
    )


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings read once from the environment."""
    return Settings()
