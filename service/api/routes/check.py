"""One screenshot in, its report (or annotated picture) out, synchronously."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import JSONResponse, Response

from service import worker
from service.api.deps import MetricsDep, OptionsDep, PoolDep, SettingsDep
from service.api.schemas import ErrorOut, ReportOut
from service.api.uploads import read_capped
from service.errors import ApiError
from service.jobs.store import JobOptions

router = APIRouter(prefix="/v1/check", tags=["check"])

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in {
        400: "Not a readable image (corrupt, truncated, empty)",
        401: "Missing or wrong X-API-Key",
        413: "Over a size limit (bytes or pixels)",
        415: "Not a supported image format",
        422: "Invalid form fields",
        504: "The analysis took longer than the request timeout",
    }.items()
}

ImageFile = Annotated[UploadFile, File(description="The screenshot (PNG, JPEG, WebP, GIF or BMP).")]
T = TypeVar("T", worker.Analysed, worker.Annotated)


async def _run(
    fn: Callable[[bytes, str, JobOptions], T | worker.Failure],
    file: UploadFile,
    options: JobOptions,
    settings: SettingsDep,
    pool: PoolDep,
    metrics: MetricsDep,
) -> T:
    name, data = await read_capped(file, settings.max_upload_bytes, fallback_name="screenshot")
    outcome = await pool.run(fn, data, name, options, timeout=settings.request_timeout_s)
    if isinstance(outcome, worker.Failure):
        metrics.analysis_errors.labels(outcome.code, "check").inc()
        raise ApiError(outcome.status, outcome.code, outcome.message)
    return outcome


@router.post("", summary="Check one screenshot", response_model=ReportOut, responses=ERRORS)
async def check(
    file: ImageFile, options: OptionsDep, settings: SettingsDep, pool: PoolDep, metrics: MetricsDep
) -> JSONResponse:
    """The report of one screenshot: the same JSON as `closecheck check --json`."""
    outcome = await _run(worker.analyse_bytes, file, options, settings, pool, metrics)
    metrics.verdicts.labels(str(outcome.report.get("verdict")), "check").inc()
    return JSONResponse(outcome.report)


@router.post(
    "/annotated",
    summary="Check one screenshot and get it back with the evidence drawn",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The annotated PNG"}, **ERRORS},
)
async def check_annotated(
    file: ImageFile, options: OptionsDep, settings: SettingsDep, pool: PoolDep, metrics: MetricsDep
) -> Response:
    """A PNG of the screenshot with the evidence drawn; the verdict is in `X-Closecheck-Verdict`."""
    outcome = await _run(worker.annotate_bytes, file, options, settings, pool, metrics)
    metrics.verdicts.labels(outcome.verdict, "check").inc()
    return Response(outcome.png, media_type="image/png", headers={"X-Closecheck-Verdict": outcome.verdict})
