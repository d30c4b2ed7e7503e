"""PP-OCRv4 (detector + recogniser) through onnxruntime, via ``rapidocr_onnxruntime``.

Why this engine is the default: its ONNX models ship inside the wheel (nothing is downloaded,
ever: its source has no network code, and tests/test_ocr.py runs it with sockets refused), it
reads Chinese and English with one model, and at 960 px it reads a screenshot in a few hundred
ms on 2 cores.

Why we drive the stages ourselves instead of one ``RapidOCR()(image)`` call:

* detection runs on a resized image (fast, and small screenshots get enlarged) while recognition
  reads its crops from the original pixels: crops cut from an enlarged image read *worse*
  (measured on realdev), crops cut from a shrunk one lose small text such as 广告;
* RapidOCR keeps per-call keyword options (``box_thresh``, ``text_score`` ...) as instance state
  once given, and falls back to that state when a later call gives none, so one caller's
  options leak into the next. Every call here passes all of them explicitly.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.ocr._base import (
    OcrSettings,
    RGBImage,
    Spotting,
    detector_scale,
    ink_box,
    line_crop,
    region_view,
    resize,
    swap_rb,
    to_original,
)
from detector.ocr._ctc import ctc_log_likelihood, greedy_decode, log_probs
from detector.ocr._fold import fold_graph
from detector.types import Box, TextSpan

# RapidOCR resizes images whose long side exceeds its ``max_side_len`` (2000) before detecting;
# we size the detector input ourselves, so its limit is set out of the way.
_NO_ENGINE_RESIZE = 100_000

# The PP-OCRv4 recogniser's fixed input height.
_REC_HEIGHT = 48

# Score given to lines located but deliberately not recognised (OcrSettings.rec_max_aspect).
_NOT_READ = -1.0

Quad = npt.NDArray[np.float32]


class PpOcrReader:
    """:class:`~detector.ocr.TextReader` backed by PP-OCRv4 ONNX models (built once, reused)."""

    name = "ppocr"

    def __init__(self, settings: OcrSettings) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError(
                "OCR engine 'ppocr' needs rapidocr-onnxruntime: "
                "pip install --no-deps rapidocr-onnxruntime==1.4.4 (--no-deps keeps "
                "opencv-python-headless; its real needs are pyclipper shapely pyyaml six tqdm)"
            ) from exc
        self.settings = settings
        self._engine: Any = RapidOCR(
            intra_op_num_threads=settings.intra_op_threads,
            inter_op_num_threads=settings.inter_op_threads,
            max_side_len=_NO_ENGINE_RESIZE,
            # "max" keeps the detector from resizing again (its "min" default blows every image
            # up to a 736 px short side); detector_scale already chose the size.
            det_limit_type="max",
            det_limit_side_len=settings.max_side,
            det_thresh=settings.det_thresh,
            det_box_thresh=settings.det_box_thresh,
            det_unclip_ratio=settings.det_unclip_ratio,
            text_score=settings.min_score,
            use_cls=settings.use_angle_cls,
            rec_img_shape=[3, _REC_HEIGHT, settings.rec_min_width],
            rec_batch_num=settings.rec_batch_num,
        )
        _float32_det_input(self._engine)
        #: How many of the three onnxruntime sessions run with our session options (see _tune).
        self.tuned_sessions = sum(
            _tune(wrapper, settings)
            for wrapper in (
                getattr(getattr(self._engine, "text_det", None), "infer", None),
                getattr(getattr(self._engine, "text_cls", None), "infer", None),
                getattr(getattr(self._engine, "text_rec", None), "session", None),
            )
        )
        # RapidOCR mutates its stages per call (thresholds, the detector's resize op), so
        # concurrent calls on one engine could see each other's state.
        self._lock = threading.Lock()

    def read(
        self, rgb: RGBImage, *, region: Box | None = None, scale: float | None = None, min_score: float | None = None,
        skip: Sequence[Box] = (),
    ) -> list[TextSpan]:
        """Detect text lines on a resized copy, recognise them from original-pixel crops."""
        view, dx, dy = region_view(rgb, region)
        if view.shape[0] < 2 or view.shape[1] < 2:
            return []
        s = self.settings
        det_scale = scale if scale is not None else detector_scale(rgb.shape, view.shape, s.max_side, s.max_upscale)
        with self._lock:
            # Channels are swapped after resizing and per crop: copying a whole 1080x2400
            # screenshot into BGR order cost more than the few crops recognised from it.
            quads = [q / det_scale for q in self._detect(swap_rb(resize(view, det_scale)))]
            if skip:
                quads = [q for q in quads
                         if not any(b.contains_point(float(q[:, 0].mean()) + dx, float(q[:, 1].mean()) + dy)
                                    for b in skip)]
            wanted = [s.rec_max_aspect <= 0 or _aspect(q) <= s.rec_max_aspect for q in quads]
            chosen = [q for q, want in zip(quads, wanted, strict=True) if want]
            crops = [swap_rb(c) for c in self._engine.get_crop_img_list(view, chosen)] if chosen else []
            read = iter(self._recognise(crops))
            results = [next(read) if want else ("", _NOT_READ) for want in wanted]
        h, w = rgb.shape[:2]
        spans: list[TextSpan] = []
        for quad, (text, score) in zip(quads, results, strict=True):
            xs, ys = quad[:, 0], quad[:, 1]
            box = to_original(
                Box(float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())), 1.0, dx, dy, w, h
            )
            if score == _NOT_READ:
                # Located, deliberately not read: text "" and confidence 0 let callers count
                # body text (page density) without paying for its recognition.
                spans.append(TextSpan("", box, 0.0))
            elif text and score >= (s.min_score if min_score is None else min_score):
                spans.append(
                    TextSpan(text, ink_box(rgb, box, s.ink_min_contrast) if s.tighten_boxes else box, score)
                )
        return spans

    def read_line(self, rgb: RGBImage, box: Box) -> TextSpan | None:
        """Recognise one located line (no detection: ~10-20 ms instead of a full-screen pass)."""
        crop, clipped = line_crop(rgb, box, self.settings.line_pad)
        if crop.shape[0] < 2 or crop.shape[1] < 2:
            return None
        with self._lock:
            ((text, score),) = self._recognise([swap_rb(crop)])
        if not text or score < self.settings.min_score:
            return None
        return TextSpan(text, clipped, score)

    def spot(self, rgb: RGBImage, box: Box, phrases: Sequence[str]) -> Spotting | None:
        """Score ``phrases`` against the line in ``box`` by CTC likelihood (detector.ocr._ctc)."""
        crop, _ = line_crop(rgb, box, self.settings.line_pad)
        if crop.shape[0] < 2 or crop.shape[1] < 2:
            return None
        rec = self._engine.text_rec
        bgr = swap_rb(crop)
        ratio = max(self.settings.rec_min_width / _REC_HEIGHT, crop.shape[1] / crop.shape[0])
        batch = rec.resize_norm_img(bgr, ratio)[np.newaxis].astype(np.float32)
        with self._lock:
            probs = np.asarray(rec.session(batch)[0][0], dtype=np.float64)
        ids, confidence = greedy_decode(probs)
        logp = log_probs(probs)
        reading_ll = ctc_log_likelihood(logp, ids)
        best: tuple[float, str] | None = None
        for phrase in phrases:
            labels = [self._char_ids.get(ch) for ch in phrase]
            if not phrase or any(i is None for i in labels):
                continue  # a character the recogniser cannot write
            ll = ctc_log_likelihood(logp, [i for i in labels if i is not None]) - reading_ll
            if best is None or ll > best[0]:
                best = (ll, phrase)
        if best is None:
            return None
        reading = "".join(self._chars[i] for i in ids).strip()
        return Spotting(reading=reading, confidence=confidence, phrase=best[1], llr=round(best[0], 3))

    @functools.cached_property
    def _chars(self) -> list[str]:
        return list(self._engine.text_rec.postprocess_op.character)

    @functools.cached_property
    def _char_ids(self) -> dict[str, int]:
        return {ch: i for i, ch in enumerate(self._chars) if i > 0}  # 0 is CTC's blank

    def _detect(self, det_img: npt.NDArray[np.uint8]) -> list[Quad]:
        """Text-line quadrilaterals (4x2, det-image pixels), top-to-bottom, left-to-right."""
        s = self.settings
        boxes, _ = self._engine(
            det_img,
            use_det=True,
            use_cls=False,
            use_rec=False,
            box_thresh=s.det_box_thresh,
            unclip_ratio=s.det_unclip_ratio,
            text_score=s.min_score,
            return_word_box=False,
        )
        if not boxes:
            return []
        return [np.asarray(b, dtype=np.float32).reshape(4, 2) for b in boxes]

    def _recognise(self, crops: list[npt.NDArray[np.uint8]]) -> list[tuple[str, float]]:
        """(text, score in 0..1) per BGR line crop, batched through the recogniser.

        Lines go in width order, as RapidOCR sends them, but a batch is closed once its lines,
        each padded to the batch's widest, would exceed ``rec_batch_columns``: a long line is then
        read on its own instead of widening five short ones to its width.
        """
        s = self.settings
        if s.use_angle_cls:
            crops, _, _ = self._engine.text_cls(crops)
        rec = self._engine.text_rec
        ratios = [c.shape[1] / max(1, c.shape[0]) for c in crops]
        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for batch in _batches(ratios, s.rec_min_width / _REC_HEIGHT, s.rec_batch_num, s.rec_batch_columns / _REC_HEIGHT):
            widest = max(s.rec_min_width / _REC_HEIGHT, max(ratios[i] for i in batch))
            pixels = np.stack([rec.resize_norm_img(crops[i], widest) for i in batch]).astype(np.float32)
            decoded = rec.postprocess_op(rec.session(pixels)[0], False)
            for i, (text, score, *_) in zip(batch, decoded, strict=True):
                out[i] = (str(text).strip(), float(score))
        return out


def _batches(ratios: Sequence[float], min_ratio: float, max_lines: int, max_ratio_sum: float) -> list[list[int]]:
    """Indices of lines (width/height ``ratios``) grouped into recogniser batches, narrowest first.

    Every line of a batch is padded to the batch's widest (at least ``min_ratio``); a batch holds
    at most ``max_lines`` lines and, unless it is a single line, at most ``max_ratio_sum`` of
    padded width (0: no such limit).
    """
    batches: list[list[int]] = []
    for i in sorted(range(len(ratios)), key=lambda k: ratios[k]):
        padded = max(min_ratio, ratios[i])  # the widest so far: lines come in width order
        last = batches[-1] if batches else None
        if last is not None and len(last) < max_lines and (
            max_ratio_sum <= 0 or (len(last) + 1) * padded <= max_ratio_sum
        ):
            last.append(i)
        else:
            batches.append([i])
    return batches


def _aspect(quad: Quad) -> float:
    """Width over height of a text-line quadrilateral."""
    xs, ys = quad[:, 0], quad[:, 1]
    return float((xs.max() - xs.min()) / max(1.0, float(ys.max() - ys.min())))


def _float32_det_input(engine: Any) -> None:
    """Make RapidOCR normalise the detector's input in float32.

    Its mean and std are float64 arrays, so every pixel of the detector input went through
    float64 arithmetic before being cast to the float32 the model takes: ~4% of a whole read's
    time (cProfile on realdev). The values differ by at most one float32 rounding step.
    Left alone when the engine does not look as expected (a rapidocr upgrade).
    """
    det = getattr(engine, "text_det", None)
    original = getattr(det, "get_preprocess", None)
    if det is None or original is None:
        return

    def get_preprocess(max_wh: int) -> Any:
        op = original(max_wh)
        for name in ("mean", "std"):
            value = getattr(op, name, None)
            if isinstance(value, np.ndarray):
                setattr(op, name, value.astype(np.float32))
        return op

    det.get_preprocess = get_preprocess


def _tune(wrapper: Any, settings: OcrSettings) -> bool:
    """Reopen one of RapidOCR's onnxruntime sessions with our session options.

    RapidOCR hard-codes two options that cost us on a 2-core machine: the CPU memory arena off
    and thread spinning on (see :class:`OcrSettings` ``ort_mem_arena`` / ``ort_spinning`` for
    the measurements). The model is loaded a second time, once per process. Returns False, and
    keeps RapidOCR's session, when the wrapper does not look as expected (a rapidocr upgrade).
    """
    import onnxruntime as ort

    session = getattr(wrapper, "session", None)
    model_path = getattr(session, "_model_path", None)
    if session is None or not model_path:
        return False
    opts = ort.SessionOptions()
    opts.log_severity_level = 4  # silence; errors still raise
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.enable_cpu_mem_arena = settings.ort_mem_arena
    opts.intra_op_num_threads = settings.intra_op_threads
    opts.inter_op_num_threads = settings.inter_op_threads
    opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if settings.ort_spinning else "0")
    model = _folded(model_path) if settings.fold_graph else None
    wrapper.session = ort.InferenceSession(model if model is not None else model_path, sess_options=opts,
                                           providers=["CPUExecutionProvider"])
    return True


def _folded(model_path: str) -> bytes | None:
    """The model with its affines and hard-swish folded (detector.ocr._fold), serialised; ``None``
    (use the file as it is) when the onnx package is missing or the graph offers nothing to fold."""
    try:
        import onnx
    except ImportError:  # pragma: no cover - onnx is a dependency; a trimmed install still reads
        return None
    model = onnx.load(model_path)
    if not sum(fold_graph(model).values()):
        return None
    return bytes(model.SerializeToString())
