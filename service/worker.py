"""What runs inside the analysis worker processes.

Each process builds its :class:`~detector.Analyzer` once (in :func:`init_worker`) and reuses it
for every screenshot. Functions here return plain picklable outcomes instead of raising library
exceptions, so nothing depends on an exception class surviving the trip between processes.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from service.errors import one_line
from service.jobs.store import Claim, JobOptions, JobStore

if TYPE_CHECKING:
    from detector import Analyzer, ImageLimits

log = logging.getLogger(__name__)

_analyzers: dict[tuple[str, str], Analyzer] = {}
_defaults: tuple[str, str] = ("ppocr", "cn-miit-2021")
_limits: ImageLimits | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """An analysis that did not produce a report: an HTTP status, a stable code and one line."""

    status: int
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Analysed:
    report: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Annotated:
    png: bytes
    verdict: str


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """How a job item ended: its verdict, or its error code; ``committed`` False for a stale claim."""

    committed: bool
    verdict: str | None = None
    error_code: str | None = None


_THREAD_ENV = ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_ocr_threads = 1


def init_worker(
    ocr: str, profile: str, max_bytes: int, max_pixels: int, ocr_threads: int, parent_pid: int
) -> None:
    """Process initializer: cap threads, load the default analyzer once, and die with the service.

    Each worker is one analysis at a time; the pool, not threads inside a worker, uses the cores.
    """
    global _defaults, _limits, _ocr_threads
    for name in _THREAD_ENV:  # read by libraries imported after this and by tesseract runs
        os.environ[name] = "1"
    import cv2  # may be imported already (by the re-imported main module): set it directly

    cv2.setNumThreads(1)
    from detector import ImageLimits

    _ocr_threads = ocr_threads
    _defaults = (ocr, profile)
    _limits = ImageLimits(max_bytes=max_bytes, max_pixels=max_pixels)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True, name="parent-watch").start()
    _analyzer(None, None)


def _exit_with_parent(parent_pid: int) -> None:
    """A worker whose service was killed (even by SIGKILL) exits instead of lingering."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            os._exit(0)


def _analyzer(ocr: str | None, profile: str | None) -> Analyzer:
    from detector import Analyzer

    key = (ocr or _defaults[0], profile or _defaults[1])
    if key not in _analyzers:
        analyzer = Analyzer(ocr=key[0], profile=key[1], limits=_limits,
                            ocr_options={"intra_op_threads": _ocr_threads})
        _analyzers[key] = analyzer
    return _analyzers[key]


def warm_up() -> int:
    """A no-op task used to start all worker processes at service start."""
    time.sleep(0.2)
    return os.getpid()


def _failure_from(exc: BaseException) -> Failure:
    from detector import ImageInputError

    if isinstance(exc, ImageInputError):
        return Failure(_status_for_image_error(exc.code), exc.code, one_line(str(exc)))
    return Failure(500, "analysis_failed", one_line(f"{type(exc).__name__}: {exc}"))


# ImageInputError.code → HTTP status: over a limit 413, not a supported image 415, else 400.
_IMAGE_ERROR_STATUS = {
    "too_large_bytes": 413,
    "too_many_pixels": 413,
    "out_of_memory": 413,
    "not_image": 415,
    "unsupported_format": 415,
}


def _status_for_image_error(code: str) -> int:
    return _IMAGE_ERROR_STATUS.get(code, 400)


def _analyse(data: bytes, name: str, options: JobOptions) -> tuple[Any, Any] | Failure:
    from detector import load_image

    try:
        loaded = load_image(data, name=name, limits=_limits) if _limits else load_image(data, name=name)
        report = _analyzer(options.ocr, options.profile).analyze(
            loaded, name=name, density=options.density, width_dp=options.width_dp
        )
    except Exception as exc:
        if not _is_input_error(exc):
            log.exception("analysis of %s failed", name)
        return _failure_from(exc)
    return loaded, report


def _is_input_error(exc: BaseException) -> bool:
    from detector import ImageInputError

    return isinstance(exc, ImageInputError)


def analyse_bytes(data: bytes, name: str, options: JobOptions) -> Analysed | Failure:
    """One screenshot to its report dict (``report_to_dict``'s output, unchanged)."""
    from detector import report_to_dict

    result = _analyse(data, name, options)
    if isinstance(result, Failure):
        return result
    return Analysed(report_to_dict(result[1]))


def annotate_bytes(data: bytes, name: str, options: JobOptions) -> Annotated | Failure:
    """One screenshot to a PNG with the evidence drawn over it."""
    from PIL import Image

    from detector import annotate

    result = _analyse(data, name, options)
    if isinstance(result, Failure):
        return result
    loaded, report = result
    out = io.BytesIO()
    Image.fromarray(annotate(loaded.rgb, report)).save(out, format="PNG", optimize=False)
    return Annotated(out.getvalue(), str(report.verdict))


def run_job_item(db_path: str, claim: Claim) -> ItemOutcome:
    """Analyse one claimed job item and commit its result or error (exactly once)."""
    store = JobStore(db_path)
    work = store.load_work(claim)
    if work is None:  # the job was deleted, or the claim went stale
        return ItemOutcome(committed=False)
    analysed = analyse_bytes(work.data, work.name, work.options)
    if isinstance(analysed, Failure):
        return ItemOutcome(store.fail(claim, analysed.code, analysed.message), error_code=analysed.code)
    verdict = str(analysed.report.get("verdict"))
    return ItemOutcome(store.complete(claim, analysed.report), verdict=verdict)
