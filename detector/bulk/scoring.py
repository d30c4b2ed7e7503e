"""Scoring one image inside a worker process: the part the process pool and Dask share.

A worker builds one :class:`detector.Analyzer` (models load once) and keeps it in a
process-wide cache, :func:`get_analyzer`. :func:`score` turns a :class:`ScoreTask` into a
:class:`~detector.bulk.store.ResultRecord`; it never raises: a bad image becomes an error
record carrying the library's one-line message.
"""

from __future__ import annotations

import io
import logging
import os
import resource
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detector.bulk.inputs import read_source
from detector.bulk.store import ResultRecord, error_record
from detector.types import CLOSE_KINDS

if TYPE_CHECKING:
    from detector.pipeline import Analyzer

log = logging.getLogger("closecheck.bulk")

THUMB_STATUSES = frozenset({"fail", "review"})  # results that keep an annotated thumbnail
THUMB_MAX_SIDE_PX = 480
THUMB_JPEG_QUALITY = 75
CLOSE_KIND_NAMES = frozenset(kind.value for kind in CLOSE_KINDS)
# One thread per worker process: parallelism comes from processes, and a second thread per
# process only fights its neighbours for the same cores.
_THREAD_ENV = ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_PARENT_POLL_S = 1.0
BATCH_OCR_THREADS = 1  # onnxruntime intra-op threads per worker process

_analyzers: dict[tuple[str | None, str | None], Analyzer] = {}
_analyzer_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class ScoreTask:
    """One image to score. ``data`` holds its bytes; when None the worker reads ``path``
    (and ``member`` inside that zip) itself, which needs storage shared with the client."""

    key: str
    name: str
    source: str
    data: bytes | None = None
    path: str | None = None
    member: str | None = None


def single_thread_environ() -> None:
    """Ask native libraries of processes started from now on for one thread (unless already set)."""
    for name in _THREAD_ENV:
        os.environ.setdefault(name, "1")


def limit_threads() -> None:
    """One thread for this process's OpenCV, and for its children (e.g. tesseract)."""
    single_thread_environ()
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:  # pragma: no cover - opencv is a core dependency
        pass


def get_analyzer(ocr: str | None, profile: str | None) -> Analyzer:
    """This process's Analyzer for ``(ocr, profile)``, built on first use."""
    key = (ocr, profile)
    with _analyzer_lock:
        analyzer = _analyzers.get(key)
        if analyzer is None:
            from detector import Analyzer

            kwargs: dict[str, Any] = {}
            if ocr is not None:
                kwargs["ocr"] = ocr
            if profile is not None:
                kwargs["profile"] = profile
            # One onnxruntime thread per worker: a batch runs one worker per core, where a second
            # spinning thread per process only slows its neighbours (measured: 2 workers x 2
            # threads are slower than 2 x 1 on 2 cores).
            analyzer = Analyzer(**kwargs, ocr_options={"intra_op_threads": BATCH_OCR_THREADS})
            _analyzers[key] = analyzer
        return analyzer


def init_pool_worker(ocr: str | None, profile: str | None, parent_pid: int) -> None:
    """Process-pool initializer: one thread, one Analyzer, and exit when the parent dies."""
    limit_threads()
    get_analyzer(ocr, profile)
    watcher = threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True)
    watcher.start()


def _exit_with_parent(parent_pid: int) -> None:
    # A batch killed with -9 leaves its pool workers behind; they stop here within a second.
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_POLL_S)
    os._exit(0)


def score_task(task: ScoreTask, ocr: str | None, profile: str | None) -> ResultRecord:
    return score(get_analyzer(ocr, profile), task)


def score(analyzer: Analyzer, task: ScoreTask) -> ResultRecord:
    """Score one task; any failure becomes an error record (the batch goes on)."""
    from detector import ImageInputError, load_image

    start = (time.perf_counter(), time.process_time())
    try:
        data = task.data if task.data is not None else read_source(task.path or "", task.member)
        loaded = load_image(data, name=task.name, limits=analyzer.limits)
        report = analyzer.analyze(loaded)
        record = _record_from_report(task, report, loaded.rgb)
    except (ImageInputError, OSError) as exc:
        record = error_record(task.key, task.name, task.source, _one_line(exc), sha256=_sha_of(task))
    except Exception as exc:  # a library bug on one image must not stop a batch of thousands
        log.exception("unexpected error scoring %s", task.source)
        message = f"internal error: {type(exc).__name__}: {_one_line(exc)}"
        record = error_record(task.key, task.name, task.source, message, sha256=_sha_of(task))
    return _with_worker_stats(record, start)


def _sha_of(task: ScoreTask) -> str | None:
    return None if task.key.startswith("input:") else task.key


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _record_from_report(task: ScoreTask, report: Any, rgb: Any) -> ResultRecord:
    from detector import report_to_dict

    data: dict[str, Any] = report_to_dict(report)
    status = str(data.get("verdict", "error"))
    findings = data.get("findings") or []
    return ResultRecord(
        key=task.key,
        sha256=str(data.get("image", {}).get("sha256") or task.key),
        name=task.name,
        source=task.source,
        status=status,
        verdict_reason=data.get("verdict_reason"),
        rules_failed=_rules_with(findings, "fail"),
        rules_warned=_rules_with(findings, "warn"),
        close_size_dp=judged_value(data, "CLOSE_TOO_SMALL", _short_side_dp),
        close_contrast=judged_value(data, "CLOSE_LOW_CONTRAST", _contrast),
        report=data,
        thumb=_thumbnail(rgb, report) if status in THUMB_STATUSES else None,
    )


def _rules_with(findings: list[dict[str, Any]], severity: str) -> tuple[str, ...]:
    return tuple(sorted({str(f["rule"]) for f in findings if f.get("severity") == severity}))


def close_measurements(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The measurements of a report dict that belong to close controls."""
    close_ids = {e.get("id") for e in data.get("elements") or [] if e.get("kind") in CLOSE_KIND_NAMES}
    return [m for m in data.get("measurements") or [] if m.get("element", m.get("element_id")) in close_ids]


def _short_side_dp(measurement: dict[str, Any]) -> float | None:
    side = measurement.get("short_side")
    if isinstance(side, dict):
        side = side.get("dp")
    return float(side) if isinstance(side, int | float) else None


def _contrast(measurement: dict[str, Any]) -> float | None:
    value = measurement.get("contrast_ratio")
    return float(value) if isinstance(value, int | float) else None


def judged_value(
    data: dict[str, Any], rule: str, getter: Callable[[dict[str, Any]], float | None]
) -> float | None:
    """The value ``rule`` judged (its finding's value), else the best close control's measurement.

    The rules judge the best close control, so with no finding the largest value stands in.
    """
    for finding in data.get("findings") or []:
        if finding.get("rule") == rule and isinstance(finding.get("value"), int | float):
            return float(finding["value"])
    values = [v for v in (getter(m) for m in close_measurements(data)) if v is not None]
    return max(values) if values else None


def _thumbnail(rgb: Any, report: Any) -> bytes | None:
    """A small annotated JPEG of the evidence, kept for the HTML report's worst offenders."""
    from PIL import Image

    from detector import annotate

    try:
        picture = Image.fromarray(annotate(rgb, report))
    except Exception:  # the thumbnail is a nicety; the verdict is already in hand
        log.exception("annotating %s failed", report.image_name)
        return None
    picture.thumbnail((THUMB_MAX_SIDE_PX, THUMB_MAX_SIDE_PX))
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="JPEG", quality=THUMB_JPEG_QUALITY)
    return buffer.getvalue()


def _with_worker_stats(record: ResultRecord, start: tuple[float, float]) -> ResultRecord:
    from dataclasses import replace

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak_kb / (1024.0 * 1024.0) if sys.platform == "darwin" else peak_kb / 1024.0
    return replace(
        record,
        elapsed_ms=(time.perf_counter() - start[0]) * 1000.0,
        cpu_ms=(time.process_time() - start[1]) * 1000.0,  # all threads of this process
        worker=f"{socket.gethostname()}:{os.getpid()}",
        peak_rss_mb=round(peak_mb, 1),
    )
