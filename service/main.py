"""Build the FastAPI app: settings, store, worker pool, job loop, routes, error handlers, page."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from service.analysis import AnalysisPool
from service.api import handlers
from service.api.deps import require_api_key
from service.api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from service.api.routes import check, jobs, meta, page, rules
from service.core.config import Settings, get_settings
from service.jobs.runner import JobRunner
from service.jobs.store import JobStore
from service.metrics import Metrics, MetricsMiddleware
from service.version import service_version
from service.worker import ItemOutcome

log = logging.getLogger(__name__)

# Room for multipart boundaries and the small form fields around the files.
_FORM_OVERHEAD = 64 * 1024
_SMALL_BODY = 64 * 1024


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service as an ASGI app. Settings default to the environment (``CLOSECHECK_*``)."""
    settings = settings or get_settings()
    store = JobStore(settings.database_path)
    pool = AnalysisPool(settings)
    metrics = Metrics(depth=store.queue_depth, inflight=lambda: pool.inflight)

    def count_outcome(outcome: ItemOutcome) -> None:
        if outcome.verdict is not None:
            metrics.verdicts.labels(outcome.verdict, "job").inc()
        if outcome.error_code is not None:
            metrics.analysis_errors.labels(outcome.error_code, "job").inc()

    runner = JobRunner(store, pool, max_attempts=settings.job_item_attempts, on_outcome=count_outcome)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(store.initialize)
        pool.start()
        await runner.start()
        log.info(
            "closecheck service ready: %d workers, database %s", settings.workers, settings.database_path
        )
        try:
            yield
        finally:
            await runner.stop()
            await asyncio.to_thread(pool.shutdown, grace_s=settings.shutdown_grace_s)

    app = FastAPI(
        title="closecheck",
        version=service_version(),
        summary="Can a person find and close this splash screen or pop-up? (MIIT 2021 No. 292)",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.pool = pool
    app.state.runner = runner
    app.state.metrics = metrics

    keyed = [Depends(require_api_key)]
    app.include_router(check.router, dependencies=keyed)
    app.include_router(jobs.router, dependencies=keyed)
    app.include_router(rules.router, dependencies=keyed)
    app.include_router(meta.router)
    app.include_router(page.router)
    app.mount("/static", StaticFiles(directory=page.STATIC_DIR), name="static")
    handlers.install(app)

    def limit_for(method: str, path: str) -> int:
        if method == "POST" and path.startswith("/v1/check"):
            return settings.max_upload_bytes + _FORM_OVERHEAD
        if method == "POST" and path.rstrip("/") == "/v1/jobs":
            return settings.max_job_upload_bytes + _FORM_OVERHEAD
        return _SMALL_BODY

    # Outermost last: metrics see every response, including the body limit's 413.
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit_for=limit_for)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
