"""Running a batch: plan what is left to score, score it on an engine, commit each result.

The engine is a local process pool (:class:`PoolEngine`, one Analyzer per process built by
its initializer) or a Dask cluster (:mod:`detector.bulk.dask_runner`). Both take
:class:`~detector.bulk.scoring.ScoreTask` and give back records in completion order; this
module commits each record the moment it arrives, so killing the batch loses only the
images in flight, and the next run scores exactly those.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from detector.bulk.inputs import InputItem, InputUsageError, iter_inputs, read_item, sha256_hex
from detector.bulk.progress import LOG_EVERY_S, Progress, make_progress
from detector.bulk.scoring import ScoreTask, init_pool_worker, score_task, single_thread_environ
from detector.bulk.store import ResultRecord, Store, error_record

log = logging.getLogger("closecheck.bulk")

IN_FLIGHT_PER_WORKER = 2  # tasks queued per worker: enough to keep it busy, few lost on a kill
MAX_CRASH_STRIKES = 2  # an image in flight when a worker process died this often is an error
_SOURCE_FLUSH = 500  # source-cache rows written per transaction while planning


class BatchUsageError(Exception):
    """Bad usage of ``closecheck batch`` (exit code 2); the message is one line."""


class Engine(Protocol):
    def run(self, tasks: Iterable[ScoreTask]) -> Iterator[ResultRecord]: ...

    def close(self) -> None: ...


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class BatchOptions:
    inputs: tuple[str, ...]
    out: Path
    workers: int = field(default_factory=default_workers)
    ocr: str | None = None
    profile: str | None = None
    dask: str | None = None  # "local", a scheduler address, or None for the process pool
    shared_storage: bool = False
    retry_errors: bool = False
    log_every_s: float = LOG_EVERY_S


@dataclass(slots=True)
class Plan:
    """What one run has to do. ``keys`` holds the key of every input (duplicates included)."""

    keys: list[str] = field(default_factory=list)
    pending: list[tuple[str, InputItem]] = field(default_factory=list)
    n_items: int = 0
    n_already: int = 0
    n_duplicates: int = 0
    n_input_errors: int = 0


@dataclass(frozen=True, slots=True)
class BatchSummary:
    plan: Plan
    scored: int
    counts: dict[str, int]


# -- planning ---------------------------------------------------------------------------------
def plan_batch(store: Store, items: Iterable[InputItem]) -> Plan:
    """Resolve each item's key (cached, or by hashing its bytes) and keep the unscored ones."""
    plan = Plan()
    seen: set[str] = set()
    sources: list[tuple[str, str, str]] = []
    for item in items:
        plan.n_items += 1
        key = _item_key(store, item, sources)
        plan.keys.append(key)
        if len(sources) >= _SOURCE_FLUSH:
            store.remember_sources(sources)
            sources.clear()
        if key in seen:
            plan.n_duplicates += 1
            continue
        seen.add(key)
        if store.has(key):
            plan.n_already += 1
        else:
            plan.pending.append((key, item))
    store.remember_sources(sources)
    plan.n_input_errors = sum(1 for key, _ in plan.pending if key.startswith("input:"))
    return plan


def _item_key(store: Store, item: InputItem, sources: list[tuple[str, str, str]]) -> str:
    if item.error is not None:
        return item.error_key
    key = store.cached_key(item.source, item.stamp)
    if key is None:
        try:
            key = sha256_hex(read_item(item))
        except OSError:
            return item.error_key  # read again (and recorded as an error) when its turn comes
        sources.append((item.source, key, item.stamp))
    return key


def iter_tasks(plan: Plan, *, shared_storage: bool) -> Iterator[ScoreTask | ResultRecord]:
    """The pending work: tasks to score, or error records for inputs that cannot be read."""
    for key, item in plan.pending:
        if item.error is not None:
            yield error_record(key, item.name, item.source, item.error)
        elif shared_storage:
            path = str(item.path.resolve())
            yield ScoreTask(key=key, name=item.name, source=item.source, path=path, member=item.member)
        else:
            try:
                data = read_item(item)
            except OSError as exc:
                yield error_record(key, item.name, item.source, f"cannot read input: {exc}")
                continue
            yield ScoreTask(key=key, name=item.name, source=item.source, data=data)


# -- the local process pool -------------------------------------------------------------------
class PoolEngine:
    """A pool of ``workers`` spawned processes, each with one Analyzer built by the initializer.

    When a worker process dies (a native crash on some image), the pool is rebuilt and the
    tasks that were in flight are retried; one in flight during :data:`MAX_CRASH_STRIKES`
    crashes is recorded as an error.
    """

    def __init__(self, workers: int, *, ocr: str | None, profile: str | None) -> None:
        self.workers = max(1, workers)
        self.ocr = ocr
        self.profile = profile
        single_thread_environ()  # read by the native libraries of the workers spawned below
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_pool_worker,
            initargs=(self.ocr, self.profile, os.getpid()),
        )

    def run(self, tasks: Iterable[ScoreTask]) -> Iterator[ResultRecord]:
        todo = iter(tasks)
        retry: deque[ScoreTask] = deque()
        strikes: Counter[str] = Counter()
        in_flight: dict[Future[ResultRecord], ScoreTask] = {}
        window = self.workers * IN_FLIGHT_PER_WORKER
        while True:
            while len(in_flight) < window and (task := retry.popleft() if retry else next(todo, None)):
                in_flight[self._pool.submit(score_task, task, self.ocr, self.profile)] = task
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task = in_flight.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken = True
                    in_flight[future] = task
                except Exception as exc:  # e.g. a task that cannot be pickled
                    yield error_record(task.key, task.name, task.source, f"internal error: {exc}")
            if broken:
                yield from self._recover(in_flight, retry, strikes)

    def _recover(
        self, in_flight: dict[Future[ResultRecord], ScoreTask], retry: deque[ScoreTask], strikes: Counter[str]
    ) -> Iterator[ResultRecord]:
        log.warning("a worker process died; restarting the pool and retrying %d images", len(in_flight))
        self._pool.shutdown(wait=False, cancel_futures=True)
        for task in in_flight.values():
            strikes[task.key] += 1
            if strikes[task.key] >= MAX_CRASH_STRIKES:
                yield error_record(
                    task.key, task.name, task.source, "worker process crashed scoring this image"
                )
            else:
                retry.append(task)
        in_flight.clear()
        self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def make_engine(options: BatchOptions) -> Engine:
    if options.dask is None:
        return PoolEngine(options.workers, ocr=options.ocr, profile=options.profile)
    from detector.bulk.dask_runner import DaskEngine

    return DaskEngine(options.dask, workers=options.workers, ocr=options.ocr, profile=options.profile)


def require_dask() -> None:
    """Raise BatchUsageError with the install hint when the ``cluster`` extra is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise BatchUsageError(
            "--dask needs Dask, which is not installed: pip install 'closecheck[cluster]'"
        ) from exc


# -- the batch --------------------------------------------------------------------------------
def check_meta(store: Store, options: BatchOptions) -> None:
    """Refuse to mix results of different profiles or OCR engines in one results file."""
    for name, value in (("profile", options.profile), ("ocr", options.ocr)):
        wanted = value or "default"
        stored = store.get_meta(name)
        if stored is None:
            store.set_meta(name, wanted)
        elif stored != wanted:
            raise BatchUsageError(
                f"{store.path} holds results scored with --{name} {stored}; use another --out for {wanted}"
            )


def check_engine_options(options: BatchOptions) -> None:
    """Refuse an unknown --profile or --ocr here, before workers fail on it one by one."""
    from detector import ProfileError, get_profile
    from detector.ocr import ENGINES

    if options.profile is not None:
        try:
            get_profile(options.profile)
        except ProfileError as exc:
            raise BatchUsageError(str(exc).splitlines()[0]) from exc
    if options.ocr is not None and options.ocr.strip().lower() not in ENGINES:
        raise BatchUsageError(f"unknown OCR engine {options.ocr!r}; choose one of: {', '.join(ENGINES)}")


def run_batch(options: BatchOptions, *, stream: IO[str] | None = None) -> BatchSummary:
    """Score every input not yet in ``options.out``; raises BatchUsageError or StoreError."""
    check_engine_options(options)
    if options.dask is not None:
        require_dask()
    try:
        items = list(iter_inputs(options.inputs))
    except InputUsageError as exc:
        raise BatchUsageError(str(exc)) from exc
    with Store.open(options.out) as store:
        check_meta(store, options)
        if options.retry_errors:
            store.delete(store.error_keys())
        plan = plan_batch(store, items)
        log.info(
            "%d inputs: %d to score, %d already scored, %d duplicate copies",
            plan.n_items, len(plan.pending), plan.n_already, plan.n_duplicates,
        )  # fmt: skip
        scored = _score_pending(store, plan, options, stream) if plan.pending else 0
        counts = store.status_counts(plan.keys)
    return BatchSummary(plan=plan, scored=scored, counts=counts)


class _Recorder:
    """Commits each record as it arrives and moves the progress on."""

    def __init__(self, store: Store, progress: Progress) -> None:
        self.store = store
        self.progress = progress
        self.saved = 0

    def save(self, record: ResultRecord) -> None:
        self.store.save(record)
        self.saved += 1
        self.progress.update()

    def tasks(self, work: Iterable[ScoreTask | ResultRecord]) -> Iterator[ScoreTask]:
        """Pass tasks on; commit the error records of unreadable inputs on the way."""
        for item in work:
            if isinstance(item, ResultRecord):
                self.save(item)
            else:
                yield item


def _score_pending(store: Store, plan: Plan, options: BatchOptions, stream: IO[str] | None) -> int:
    progress = make_progress(len(plan.pending), "scoring", stream=stream, every_s=options.log_every_s)
    recorder = _Recorder(store, progress)
    engine: Engine | None = None
    try:
        tasks = recorder.tasks(iter_tasks(plan, shared_storage=options.shared_storage))
        engine = make_engine(options)
        for record in engine.run(tasks):
            recorder.save(record)
    finally:
        progress.close()
        if engine is not None:
            engine.close()
    return recorder.saved


def exit_code(counts: dict[str, int], *, strict: bool = False) -> int:
    """1 when any image fails (with ``strict``, also when any needs review or errored), else 0."""
    if counts.get("fail", 0):
        return 1
    if strict and (counts.get("review", 0) or counts.get("error", 0)):
        return 1
    return 0
