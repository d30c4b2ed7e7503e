"""Request and response schemas of the HTTP API (separate from the library's dataclasses)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorOut(BaseModel):
    """Every error: a stable machine-readable code and one human line."""

    error: str = Field(examples=["corrupt"])
    message: str = Field(examples=["shot.png: bad CRC in PNG chunk 'IDAT'"])


class ReportOut(BaseModel):
    """The report of one screenshot: exactly ``detector.report_to_dict``'s output (schema
    ``closecheck.report/1``), the same JSON as ``closecheck check --json``."""

    model_config = ConfigDict(extra="allow")

    schema_: str = Field(alias="schema", examples=["closecheck.report/1"])
    image: dict[str, Any]
    screen: dict[str, Any]
    verdict: Literal["pass", "fail", "review", "not_applicable"]
    verdict_reason: str
    elements: list[dict[str, Any]]
    measurements: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    texts: list[Any]
    profile: str
    timings_ms: dict[str, float] | list[Any]
    versions: dict[str, str] | list[Any]
    notes: list[str]


class Threshold(BaseModel):
    name: str
    value: float
    unit: str
    why: str


class Rule(BaseModel):
    id: str
    checks: str
    severity: str
    thresholds: list[Threshold]
    clause: str
    why: str
    applies_to: list[str] | None


class RulesOut(BaseModel):
    profile: str
    title: str
    rules: list[Rule]


class JobOptionsOut(BaseModel):
    density: float | None
    width_dp: float | None
    profile: str | None
    ocr: str | None


class JobCounts(BaseModel):
    pending: int
    running: int
    done: int
    error: int


class JobOut(BaseModel):
    id: str
    state: Literal["queued", "running", "completed"]
    created_at: float = Field(description="Unix time")
    finished_at: float | None = Field(description="Unix time the last item finished, once completed")
    total: int
    counts: JobCounts
    progress: float = Field(ge=0, le=1, description="Finished items (done or error) / total")
    verdicts: dict[str, int]
    options: JobOptionsOut
    results_url: str


class Limits(BaseModel):
    max_upload_bytes: int
    max_job_upload_bytes: int
    max_pixels: int
    max_files_per_job: int
    max_zip_members: int
    max_zip_uncompressed_bytes: int
    request_timeout_s: float


class InfoOut(BaseModel):
    """What the web page needs to know before its first request."""

    version: str
    api_key_required: bool
    profiles: list[str]
    default_profile: str
    ocr_engines: list[str]
    default_ocr: str
    limits: Limits


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    version: str
    workers: int
    queue: dict[str, int]
