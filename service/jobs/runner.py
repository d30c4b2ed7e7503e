"""The job loop: claim pending items, hand them to the worker pool, keep at most N in flight.

Workers commit their own results to SQLite (one transaction per item), so a result is durable
the moment it exists; this loop only claims, dispatches, counts, and releases the items whose
worker process died.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from service import worker
from service.analysis import AnalysisPool
from service.jobs.store import Claim, JobStore

log = logging.getLogger(__name__)


class JobRunner:
    def __init__(
        self,
        store: JobStore,
        pool: AnalysisPool,
        *,
        max_attempts: int,
        on_outcome: Callable[[worker.ItemOutcome], None] | None = None,
        poll_s: float = 2.0,
    ) -> None:
        self.store = store
        self.pool = pool
        self.max_attempts = max_attempts
        self.on_outcome = on_outcome
        self.poll_s = poll_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: dict[asyncio.Future[worker.ItemOutcome], Claim] = {}

    async def start(self) -> None:
        resumed = await asyncio.to_thread(self.store.recover, self.max_attempts)
        if resumed:
            log.info("resuming %d unfinished job items", resumed)
        self._task = asyncio.create_task(self._loop(), name="closecheck-jobs")

    def wake(self) -> None:
        """Tell the loop that new items are waiting."""
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self._fill()
                waiter: asyncio.Future[object] = asyncio.ensure_future(self._wake.wait())
                pending: list[asyncio.Future[Any]] = [waiter, *self._inflight]
                done, _ = await asyncio.wait(
                    pending, timeout=self.poll_s, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                self._wake.clear()
                for future in done:
                    if future is not waiter:
                        await self._finished(future)
            except asyncio.CancelledError:
                raise
            except Exception:  # never let one bad turn stop the queue
                log.exception("job loop turn failed")
                await asyncio.sleep(self.poll_s)

    async def _fill(self) -> None:
        while len(self._inflight) < self.pool.size:
            claim = await asyncio.to_thread(self.store.claim_next)
            if claim is None:
                return
            try:
                future = self.pool.submit(worker.run_job_item, str(self.store.path), claim)
            except Exception:
                await asyncio.to_thread(self.store.release, claim, self.max_attempts)
                raise
            self._inflight[asyncio.wrap_future(future)] = claim

    async def _finished(self, future: asyncio.Future[worker.ItemOutcome]) -> None:
        claim = self._inflight.pop(future)
        try:
            outcome = future.result()
        except BrokenProcessPool:
            log.warning(
                "worker died on job %s item %d (attempt %d)", claim.job_id, claim.item_id, claim.attempt
            )
            await asyncio.to_thread(self.store.release, claim, self.max_attempts)
            return
        except Exception as exc:
            log.exception("job item %d failed outside the analysis", claim.item_id)
            await asyncio.to_thread(self.store.fail, claim, "internal_error", f"{type(exc).__name__}: {exc}")
            return
        if outcome.committed and self.on_outcome is not None:
            self.on_outcome(outcome)
