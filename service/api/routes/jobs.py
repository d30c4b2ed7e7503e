"""Jobs of many screenshots: submit, watch, fetch results, delete."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile, status
from fastapi.responses import JSONResponse, Response, StreamingResponse

from service.api.deps import OptionsDep, RunnerDep, SettingsDep, StoreDep
from service.api.routes.check import ERRORS
from service.api.schemas import ErrorOut, JobOut
from service.api.uploads import read_capped
from service.errors import ApiError
from service.ingest import Upload, expand
from service.jobs.export import csv_lines, jsonl_lines
from service.jobs.store import JobStatus, JobStore

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The id POST /v1/jobs returned.")]
_NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": ErrorOut, "description": "No such job"}}


def _job_out(job: JobStatus) -> JobOut:
    return JobOut.model_validate(
        {
            "id": job.id,
            "state": job.state,
            "created_at": job.created_at,
            "finished_at": job.finished_at,
            "total": job.total,
            "counts": job.counts,
            "progress": round(job.progress, 4),
            "verdicts": job.verdicts,
            "options": {
                "density": job.options.density,
                "width_dp": job.options.width_dp,
                "profile": job.options.profile,
                "ocr": job.options.ocr,
            },
            "results_url": f"/v1/jobs/{job.id}/results",
        }
    )


async def _status_or_404(store: JobStore, job_id: str) -> JobStatus:
    job = await asyncio.to_thread(store.job_status, job_id)
    if job is None:
        raise ApiError(404, "job_not_found", f"no job {job_id}")
    return job


@router.post(
    "",
    summary="Submit many screenshots (several files, or a zip) as one job",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses={k: v for k, v in ERRORS.items() if k != 504},
)
async def submit_job(
    files: Annotated[list[UploadFile], File(description="Screenshots, or zips of screenshots.")],
    options: OptionsDep,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
) -> JSONResponse:
    """Store the screenshots and queue them; poll `GET /v1/jobs/{id}` for progress."""
    if len(files) > settings.max_files_per_job:
        raise ApiError(413, "too_many_files", f"a job takes at most {settings.max_files_per_job} screenshots")
    uploads = []
    for i, file in enumerate(files):
        name, data = await read_capped(file, settings.max_job_upload_bytes, fallback_name=f"file-{i + 1}")
        uploads.append(Upload(name, data))
    screenshots = await asyncio.to_thread(expand, uploads, settings)
    job_id = await asyncio.to_thread(store.create_job, [(s.name, s.data) for s in screenshots], options)
    runner.wake()
    job = await _status_or_404(store, job_id)
    return JSONResponse(
        _job_out(job).model_dump(mode="json"),
        status_code=status.HTTP_202_ACCEPTED,
        headers={"Location": f"/v1/jobs/{job_id}"},
    )


@router.get("/{job_id}", summary="A job's state and progress", response_model=JobOut, responses=_NOT_FOUND)
async def get_job(job_id: JobId, store: StoreDep) -> JobOut:
    return _job_out(await _status_or_404(store, job_id))


@router.get(
    "/{job_id}/results",
    summary="A job's finished results, as JSON Lines or CSV",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/x-ndjson": {}, "text/csv": {}}, "description": "Finished items"},
        **_NOT_FOUND,
    },
)
async def get_results(
    job_id: JobId,
    store: StoreDep,
    format: Annotated[
        Literal["jsonl", "csv"], Query(description="jsonl (one report a line) or csv")
    ] = "jsonl",
) -> StreamingResponse:
    """Every finished item (done or error) in upload order; `X-Job-State` says if more will come."""
    job = await _status_or_404(store, job_id)
    results = store.iter_results(job_id)
    headers: dict[str, str] = {"X-Job-State": job.state}
    if format == "csv":
        headers["Content-Disposition"] = f'attachment; filename="closecheck-{job_id}.csv"'
        return StreamingResponse(csv_lines(results), media_type="text/csv; charset=utf-8", headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="closecheck-{job_id}.jsonl"'
    return StreamingResponse(jsonl_lines(results), media_type="application/x-ndjson", headers=headers)


@router.delete(
    "/{job_id}",
    summary="Delete a job, its inputs and results",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_NOT_FOUND,
)
async def delete_job(job_id: JobId, store: StoreDep) -> Response:
    if not await asyncio.to_thread(store.delete_job, job_id):
        raise ApiError(404, "job_not_found", f"no job {job_id}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
