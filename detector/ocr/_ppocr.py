"""PP-OCRv4 (detector + recogniser) through onnxruntime, via ``rapidocr_onnxruntime``.

Why this engine is the default: its ONNX models ship inside the wheel (nothing is downloaded,
ever: its source has no network code, and tests/test_ocr.py runs it with sockets disabled), it
reads Chinese and English in one model, and at 960 px it reads a screenshot in a few hundred ms on
2 cores.

Why we drive the stages ourselves instead of one ``RapidOCR()(image)`` call:

* detection runs on a downscaled image (fast) while recognition reads its crops from the
  full-resolution image (small text such as 广告 keeps its pixels);
* RapidOCR keeps per-call keyword options (``box_thresh``, ``text_score`` ...) as instance state
  once given, and falls back to that state when a later call gives none, so one caller's
  options leak into the next. Every call here passes all of them explicitly.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.ocr._base import (
    OcrSettings,
    RGBImage,
    ink_box,
    line_crop,
    region_view,
    resize,
    swap_rb,
    text_scale,
    to_original,
)
from detector.types import Box, TextSpan

# RapidOCR resizes images whose long side exceeds its ``max_side_len`` (2000) *before* our own
# scaling is undone; we size the detector input ourselves, so its limit is set out of the way.
_NO_ENGINE_RESIZE = 100_000

# The PP-OCRv4 recogniser's fixed input height.
_REC_HEIGHT = 48

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
                "pip install --no-deps rapidocr-onnxruntime==1.4.4 (see README: --no-deps keeps "
                "opencv-python-headless)"
            ) from exc
        self.settings = settings
        self._engine: Any = RapidOCR(
            intra_op_num_threads=settings.intra_op_threads,
            inter_op_num_threads=settings.inter_op_threads,
            max_side_len=_NO_ENGINE_RESIZE,
            # "max" keeps the detector from *upscaling* (its "min" default blows every image
            # up to a 736 px short side); our own scaling already chose the size.
            det_limit_type="max",
            det_limit_side_len=settings.max_side,
            det_thresh=settings.det_thresh,
            det_box_thresh=settings.det_box_thresh,
            det_unclip_ratio=settings.det_unclip_ratio,
            text_score=settings.min_score,
            use_cls=settings.use_angle_cls,
            rec_img_shape=[3, _REC_HEIGHT, settings.rec_min_width],
        )
        # RapidOCR mutates its stages per call (thresholds, the detector's resize op), so
        # concurrent calls on one engine could see each other's state.
        self._lock = threading.Lock()

    def read(self, rgb: RGBImage, *, region: Box | None = None) -> list[TextSpan]:
        """Detect text lines on a resized copy, recognise them from full-resolution crops."""
        view, dx, dy = region_view(rgb, region)
        vh, vw = view.shape[:2]
        if vh < 2 or vw < 2:
            return []
        s = self.settings
        up = text_scale(rgb.shape, s)
        # Small screenshots are upscaled to a readable text size; large ones are capped at
        # max_side for the detector only.
        det_scale = up if up > 1.0 else min(1.0, s.max_side / max(vh, vw))
        bgr = swap_rb(view)
        det_img = resize(bgr, det_scale)
        with self._lock:
            quads = self._detect(det_img)
            if not quads:
                return []
            # Read crops from whichever image has more pixels: the upscaled one for tiny
            # screenshots, the original for downscaled ones.
            src, src_scale = (det_img, det_scale) if det_scale > 1.0 else (bgr, 1.0)
            src_quads = [np.ascontiguousarray(q * (src_scale / det_scale), dtype=np.float32) for q in quads]
            read = [s.rec_max_aspect <= 0 or _aspect(q) <= s.rec_max_aspect for q in src_quads]
            crops = self._engine.get_crop_img_list(src, [q for q, r in zip(src_quads, read, strict=True) if r])
            recognised = iter(self._recognise(crops) if crops else [])
            results = [next(recognised) if r else ("", -1.0) for r in read]
        h, w = rgb.shape[:2]
        spans: list[TextSpan] = []
        for quad, (text, score) in zip(src_quads, results, strict=True):
            if score < 0:  # located, deliberately not read (see OcrSettings.rec_max_aspect)
                xs, ys = quad[:, 0], quad[:, 1]
                local = Box(float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
                spans.append(TextSpan("", to_original(local, src_scale, dx, dy, w, h), 0.0))
                continue
            if not text or score < s.min_score:
                continue
            xs, ys = quad[:, 0], quad[:, 1]
            local = Box(float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
            box = to_original(local, src_scale, dx, dy, w, h)
            if s.tighten_boxes:
                box = ink_box(rgb, box, s.ink_min_contrast)
            spans.append(TextSpan(text, box, score))
        return spans

    def read_line(self, rgb: RGBImage, box: Box) -> TextSpan | None:
        """Recognise one located line (no detection: ~10 ms instead of a full-screen pass)."""
        crop, clipped = line_crop(rgb, box, self.settings.line_pad)
        if crop.shape[0] < 2 or crop.shape[1] < 2:
            return None
        bgr = swap_rb(crop)
        with self._lock:
            ((text, score),) = self._recognise([bgr])
        if not text or score < self.settings.min_score:
            return None
        return TextSpan(text, clipped, score)

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
        """(text, score in 0..1) per BGR line crop, batched through the recogniser."""
        if self.settings.use_angle_cls:
            crops, _, _ = self._engine.text_cls(crops)
        results, _ = self._engine.text_rec(crops, False)
        return [(str(text).strip(), float(score)) for text, score, *_ in results]


def _aspect(quad: Quad) -> float:
    """Width over height of a text-line quadrilateral."""
    xs, ys = quad[:, 0], quad[:, 1]
    return float((xs.max() - xs.min()) / max(1.0, float(ys.max() - ys.min())))
