"""The bounded pool of analysis worker processes, seen from the event loop.

Analysis never runs in the service process: it is CPU-bound and would stall every other request.
Requests and job items go to the same pool of ``settings.workers`` processes (each with its own
Analyzer), awaited without blocking the loop. A pool whose process died is rebuilt.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from service import worker
from service.core.config import Settings
from service.errors import ApiError

log = logging.getLogger(__name__)
T = TypeVar("T")


class AnalysisPool:
    """A ProcessPoolExecutor (spawned, not forked) that rebuilds itself when broken."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self.inflight = 0

    @property
    def size(self) -> int:
        return self.settings.workers

    def start(self) -> None:
        """Create the pool and start every worker process in the background (models load there)."""
        executor = self._get()
        for _ in range(self.size):
            executor.submit(worker.warm_up)

    def _get(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                s = self.settings
                self._executor = ProcessPoolExecutor(
                    max_workers=s.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=worker.init_worker,
                    initargs=(s.ocr, s.profile, s.max_upload_bytes, s.max_pixels, s.ocr_threads, os.getpid()),
                )
            return self._executor

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        executor = self._get()
        try:
            return executor.submit(fn, *args)
        except BrokenProcessPool:
            log.warning("analysis pool was broken; starting a new one")
            self._discard(executor)
            return self._get().submit(fn, *args)

    async def run(self, fn: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """Run ``fn(*args)`` in a worker; 504 after ``timeout`` s, 503 when the worker died."""
        executor = self._get()
        future = self.submit(fn, *args)
        self.inflight += 1
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except TimeoutError as exc:
            future.cancel()  # drops it if still queued; a running analysis ends on its own
            raise ApiError(
                504, "timeout", f"the analysis took longer than {timeout:g} s; try a smaller image"
            ) from exc
        except BrokenProcessPool as exc:
            self._discard(executor)
            raise ApiError(503, "worker_died", "the analysis worker died; please retry") from exc
        finally:
            self.inflight -= 1

    def shutdown(self, *, grace_s: float = 15.0) -> None:
        """Cancel queued work; give busy workers ``grace_s`` to finish their screenshot, then stop them.

        An unfinished job item is resumed at the next start; a worker that outlives a killed
        service exits on its own (see ``worker._exit_with_parent``).
        """
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        # The executor's own process table (a private attribute, stable since Python 3.2): only
        # this pool's workers, never another pool's in the same process.
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace_s
        for proc in processes:
            proc.join(max(0.0, deadline - time.monotonic()))
        for proc in processes:
            if proc.is_alive():  # its pipe can close a moment before it can be reaped
                proc.join(0.5)
            if proc.is_alive():
                log.warning("worker %s still busy after %g s; stopping it", proc.pid, grace_s)
                proc.terminate()
                proc.join(5)
        executor.shutdown(wait=True)  # the workers are gone: this only lets the pool close its queues
