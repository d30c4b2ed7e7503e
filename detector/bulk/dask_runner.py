"""Scoring on a Dask cluster (the optional ``cluster`` extra: ``pip install 'closecheck[cluster]'``).

``--dask local`` starts a LocalCluster of ``--workers`` processes with one thread each;
``--dask tcp://host:8786`` uses a running scheduler. A :class:`AnalyzerPlugin` builds one
Analyzer per worker process when the worker joins (the same cache the process pool uses), so
models load once per worker, not once per image.

Images travel to the workers as bytes inside each task by default, so workers need no access
to the client's files. With ``--shared-storage`` tasks carry only the absolute path (and zip
member), and each worker reads the file itself: use it when every worker mounts the inputs at
the same path (NFS, a cluster file system), to keep the client's network out of the way.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

import dask
import distributed
from distributed import WorkerPlugin

from detector.bulk.runner import BatchUsageError
from detector.bulk.scoring import ScoreTask, get_analyzer, limit_threads, score_task
from detector.bulk.store import ResultRecord, error_record

log = logging.getLogger("closecheck.bulk")
_dask: Any = distributed  # distributed's client API is untyped; keep mypy --strict honest about it

IN_FLIGHT_PER_WORKER = 4  # more than the pool: a cluster has scheduling latency to hide
WORKER_COUNT_REFRESH_S = 10.0  # how often the window follows workers joining or leaving
# Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536. Setting it at all turns off
# glibc's adaptive mmap threshold, so every large array of the OCR is a fresh mmap and page
# faults: measured 3x the CPU per image. Local workers start without it; see README for
# remote workers.
WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
MALLOC_ENV = "MALLOC_TRIM_THRESHOLD_"


class AnalyzerPlugin(WorkerPlugin):
    """Builds this worker process's Analyzer once, when the worker starts (or joins)."""

    name = "closecheck-analyzer"

    def __init__(self, ocr: str | None, profile: str | None) -> None:
        self.ocr = ocr
        self.profile = profile

    def setup(self, worker: Any) -> None:
        if os.environ.get(MALLOC_ENV):
            log.warning(
                "%s=%s is set on Dask worker %s: scoring will be about 3x slower; start workers with "
                "distributed.nanny.pre-spawn-environ.%s: null in the Dask config (see README)",
                MALLOC_ENV, os.environ[MALLOC_ENV], getattr(worker, "address", "?"), MALLOC_ENV,
            )  # fmt: skip
        limit_threads()
        get_analyzer(self.ocr, self.profile)


class DaskEngine:
    """Scores tasks on a Dask cluster; results come back in completion order."""

    def __init__(self, address: str, *, workers: int, ocr: str | None, profile: str | None) -> None:
        self.ocr = ocr
        self.profile = profile
        self._cluster: Any = None
        self._client: Any = None
        try:
            self._connect(address, workers)
        except BatchUsageError:
            self.close()
            raise
        self._window_checked = 0.0
        self._window = 0

    def _connect(self, address: str, workers: int) -> None:
        if address == "local":
            with dask.config.set(WORKER_CONFIG):
                self._cluster = _dask.LocalCluster(
                    n_workers=max(1, workers),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            self._client = _dask.Client(self._cluster)
        else:
            try:
                self._client = _dask.Client(address)
            except (OSError, TimeoutError, ValueError) as exc:
                raise BatchUsageError(
                    f"cannot reach the Dask scheduler at {address}: {_one_line(exc)}"
                ) from exc
        try:
            self._client.register_plugin(AnalyzerPlugin(self.ocr, self.profile))
        except Exception as exc:  # a worker without closecheck, a bad --profile, ...
            raise BatchUsageError(f"Dask workers cannot build the Analyzer: {_one_line(exc)}") from exc

    def _current_window(self) -> int:
        now = time.monotonic()
        if now - self._window_checked >= WORKER_COUNT_REFRESH_S:
            n_workers = len(self._client.scheduler_info().get("workers", {}))
            self._window = max(1, n_workers) * IN_FLIGHT_PER_WORKER
            self._window_checked = now
        return self._window

    def _fill(self, todo: Iterator[ScoreTask], pending: dict[str, ScoreTask], completed: Any) -> None:
        """Submit tasks until the window of tasks in flight is full."""
        while len(pending) < self._current_window() and (task := next(todo, None)):
            key = f"closecheck-{task.key}"
            future = self._client.submit(score_task, task, self.ocr, self.profile, key=key, pure=False)
            pending[key] = task
            completed.add(future)

    def run(self, tasks: Iterable[ScoreTask]) -> Iterator[ResultRecord]:
        todo = iter(tasks)
        pending: dict[str, ScoreTask] = {}
        completed = _dask.as_completed()
        self._fill(todo, pending, completed)
        for future in completed:
            task = pending.pop(str(future.key))
            yield self._result(future, task)
            self._fill(todo, pending, completed)

    @staticmethod
    def _result(future: Any, task: ScoreTask) -> ResultRecord:
        try:
            record: ResultRecord = future.result()
        except Exception as exc:  # e.g. KilledWorker: the image crashed workers repeatedly
            message = f"cluster error: {type(exc).__name__}: {exc}"
            record = error_record(task.key, task.name, task.source, " ".join(message.split()))
        future.release()
        return record

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())
