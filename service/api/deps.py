"""Dependencies of the route handlers, as ``Annotated`` aliases."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Form, Request, Security
from fastapi.security import APIKeyHeader

from detector.ocr import ENGINES
from service.analysis import AnalysisPool
from service.core.config import Settings
from service.errors import ApiError
from service.jobs.runner import JobRunner
from service.jobs.store import JobOptions, JobStore
from service.metrics import Metrics

OCR_ENGINES: tuple[str, ...] = ENGINES  # the engines a client may pick


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _store(request: Request) -> JobStore:
    store: JobStore = request.app.state.store
    return store


def _pool(request: Request) -> AnalysisPool:
    pool: AnalysisPool = request.app.state.pool
    return pool


def _runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


def _metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


SettingsDep = Annotated[Settings, Depends(_settings)]
StoreDep = Annotated[JobStore, Depends(_store)]
PoolDep = Annotated[AnalysisPool, Depends(_pool)]
RunnerDep = Annotated[JobRunner, Depends(_runner)]
MetricsDep = Annotated[Metrics, Depends(_metrics)]

_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Needed when the service has an API key."
)


def require_api_key(
    settings: SettingsDep, key: Annotated[str | None, Security(_api_key_header)] = None
) -> None:
    """401 unless the configured API key (if any) came in the X-API-Key header."""
    if settings.api_key is None:
        return
    expected = settings.api_key.get_secret_value().encode()
    if key is None or not hmac.compare_digest(key.encode(), expected):
        raise ApiError(401, "unauthorized", "this service needs a valid X-API-Key header")


def known_profiles() -> list[str]:
    from detector.profile import available_profiles

    return available_profiles()


def check_profile(name: str | None) -> str | None:
    """Only packaged profile names: a client never names a file on the server."""
    if name is None or name == "":
        return None
    if name not in known_profiles():
        raise ApiError(
            422, "unknown_profile", f"unknown profile {name!r}; known: {', '.join(known_profiles())}"
        )
    return name


def analysis_options(
    density: Annotated[
        float | None,
        Form(gt=0, le=10, description="Pixels per dp (a @2x mockup is 2). Default: estimated."),
    ] = None,
    width_dp: Annotated[
        float | None,
        Form(ge=120, le=4000, description="Screen width in dp; sets density = pixel width / width_dp."),
    ] = None,
    profile: Annotated[str | None, Form(description="Rule profile name (see /v1/info).")] = None,
    ocr: Annotated[str | None, Form(description=f"OCR engine: one of {', '.join(OCR_ENGINES)}.")] = None,
) -> JobOptions:
    """The optional analysis form fields shared by /v1/check and /v1/jobs."""
    if density is not None and width_dp is not None:
        raise ApiError(422, "invalid_request", "give density or width_dp, not both")
    if ocr == "":
        ocr = None
    if ocr is not None and ocr not in OCR_ENGINES:
        raise ApiError(422, "unknown_ocr", f"unknown OCR engine {ocr!r}; known: {', '.join(OCR_ENGINES)}")
    return JobOptions(density=density, width_dp=width_dp, profile=check_profile(profile), ocr=ocr)


OptionsDep = Annotated[JobOptions, Depends(analysis_options)]
