"""Health, metrics, and what the web page needs to know (limits, profiles, whether a key is needed)."""

from __future__ import annotations

import asyncio
import sqlite3

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from service.api.deps import OCR_ENGINES, MetricsDep, SettingsDep, StoreDep, known_profiles, require_api_key
from service.api.schemas import HealthOut, InfoOut, Limits
from service.metrics import CONTENT_TYPE
from service.version import service_version

router = APIRouter(tags=["meta"])


@router.get("/healthz", summary="Liveness and readiness", response_model=HealthOut)
async def healthz(settings: SettingsDep, store: StoreDep) -> JSONResponse:
    try:
        queue = await asyncio.to_thread(store.queue_depth)
    except sqlite3.Error:
        body = HealthOut(status="unavailable", version=service_version(), workers=settings.workers, queue={})
        return JSONResponse(body.model_dump(), status_code=503)
    body = HealthOut(status="ok", version=service_version(), workers=settings.workers, queue=queue)
    return JSONResponse(body.model_dump())


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    dependencies=[Depends(require_api_key)],
    responses={200: {"content": {"text/plain": {}}}},
)
async def metrics(metrics: MetricsDep) -> Response:
    body = await asyncio.to_thread(metrics.render)
    return Response(body, media_type=CONTENT_TYPE)


@router.get(
    "/v1/info",
    summary="Limits, profiles, OCR engines, and whether an API key is needed",
    response_model=InfoOut,
)
def info(settings: SettingsDep) -> InfoOut:
    return InfoOut(
        version=service_version(),
        api_key_required=settings.api_key is not None,
        profiles=known_profiles(),
        default_profile=settings.profile,
        ocr_engines=list(OCR_ENGINES),
        default_ocr=settings.ocr,
        limits=Limits(
            max_upload_bytes=settings.max_upload_bytes,
            max_job_upload_bytes=settings.max_job_upload_bytes,
            max_pixels=settings.max_pixels,
            max_files_per_job=settings.max_files_per_job,
            max_zip_members=settings.max_zip_members,
            max_zip_uncompressed_bytes=settings.max_zip_uncompressed_bytes,
            request_timeout_s=settings.request_timeout_s,
        ),
    )
