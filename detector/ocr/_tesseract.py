"""Tesseract 5 (chi_sim+eng) through pytesseract: the second opinion, with no Python model deps.

Why keep it next to PP-OCR: it is a separate system package, so it still works where the ONNX
wheel cannot be installed, and its errors are different from PP-OCR's (useful for comparison).
It is slower on full screens and weaker on stylised ad text, so it is not the default.

Tesseract returns words; we group them into lines by its (block, paragraph, line) numbers and
join Chinese without spaces (its chi_sim model splits Han text into one "word" per character).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from detector.ocr._base import (
    OcrSettings,
    RGBImage,
    Spotting,
    join_words,
    line_crop,
    region_view,
    resize,
    short_side_scale,
    to_original,
)
from detector.types import Box, TextSpan

# PSM 7: "treat the image as a single text line" - exactly what read_line is given.
_PSM_SINGLE_LINE = 7


class TesseractReader:
    """:class:`~detector.ocr.TextReader` backed by the ``tesseract`` binary."""

    name = "tesseract"

    def __init__(self, settings: OcrSettings) -> None:
        try:
            import pytesseract
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError("OCR engine 'tesseract' needs pytesseract: pip install pytesseract") from exc
        try:
            langs = set(pytesseract.get_languages(config=""))
        except (pytesseract.TesseractNotFoundError, OSError) as exc:
            raise RuntimeError(
                "OCR engine 'tesseract' needs the tesseract binary: "
                "apt-get install tesseract-ocr tesseract-ocr-chi-sim"
            ) from exc
        missing = [lang for lang in settings.tesseract_lang.split("+") if lang not in langs]
        if missing:
            raise RuntimeError(
                f"tesseract has no language data for {missing}; installed: {sorted(langs)} "
                "(apt-get install tesseract-ocr-chi-sim)"
            )
        if settings.tesseract_omp_threads is not None:
            # pytesseract runs tesseract with os.environ; a caller's own setting wins.
            os.environ.setdefault("OMP_THREAD_LIMIT", str(settings.tesseract_omp_threads))
        self.settings = settings
        self._tess: Any = pytesseract

    def read(
        self, rgb: RGBImage, *, region: Box | None = None, scale: float | None = None, min_score: float | None = None,
        skip: Sequence[Box] = (),
    ) -> list[TextSpan]:
        """Read every line (PSM ``tesseract_psm``) in the image or region, upscaled if tiny."""
        view, dx, dy = region_view(rgb, region)
        if view.shape[0] < 2 or view.shape[1] < 2:
            return []
        if scale is None:
            scale = short_side_scale(rgb.shape, self.settings.tesseract_min_short_side, self.settings.max_upscale)
        data = self._data(resize(view, scale), self.settings.tesseract_psm)
        h, w = rgb.shape[:2]
        spans: list[TextSpan] = []
        for text, local, conf in _lines(data):
            box = to_original(local, scale, dx, dy, w, h)
            if any(b.contains_point(*box.center) for b in skip):
                continue  # Tesseract reads as it locates: skipped lines cost the same, they are only dropped
            if conf >= (self.settings.tesseract_min_conf if min_score is None else min_score):
                spans.append(TextSpan(text, box, conf))
        return spans

    def read_line(self, rgb: RGBImage, box: Box) -> TextSpan | None:
        """Read one located line with PSM 7, scaled so the line is ``tesseract_line_height`` tall.

        Not a fast path with this engine: every call starts a tesseract process that loads the
        chi_sim+eng models, ~0.4 s of CPU even for one word (measured).
        """
        crop, clipped = line_crop(rgb, box, self.settings.line_pad)
        if crop.shape[0] < 2 or crop.shape[1] < 2:
            return None
        scale = max(1.0, self.settings.tesseract_line_height / crop.shape[0])
        lines = _lines(self._data(resize(crop, scale), _PSM_SINGLE_LINE))
        if not lines:
            return None
        text = join_words([t for t, _, _ in lines])
        conf = sum(c for _, _, c in lines) / len(lines)
        if not text or conf < self.settings.tesseract_min_conf:
            return None
        return TextSpan(text, clipped, conf)

    def spot(self, rgb: RGBImage, box: Box, phrases: Sequence[str]) -> Spotting | None:
        """Tesseract reports word confidences, not per-frame character probabilities: no spotting."""
        return None

    def _data(self, rgb: RGBImage, psm: int) -> Mapping[str, Sequence[Any]]:
        result: Mapping[str, Sequence[Any]] = self._tess.image_to_data(
            rgb,
            lang=self.settings.tesseract_lang,
            config=f"--psm {psm}",
            output_type=self._tess.Output.DICT,
            timeout=self.settings.tesseract_timeout_s,
        )
        return result


def _lines(data: Mapping[str, Sequence[Any]]) -> list[tuple[str, Box, float]]:
    """Group Tesseract's words into lines: (text, box in the OCR'd image's pixels, mean conf 0..1)."""
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not str(word).strip():
            continue  # conf -1 marks page/block/line rows, not words
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        groups.setdefault(key, []).append(i)
    lines: list[tuple[str, Box, float]] = []
    for idx in groups.values():
        idx.sort(key=lambda i: int(data["left"][i]))
        text = join_words([str(data["text"][i]).strip() for i in idx])
        box = Box.from_xywh(
            int(data["left"][idx[0]]),
            int(data["top"][idx[0]]),
            int(data["width"][idx[0]]),
            int(data["height"][idx[0]]),
        )
        for i in idx[1:]:
            box = box.union(
                Box.from_xywh(
                    int(data["left"][i]), int(data["top"][i]), int(data["width"][i]), int(data["height"][i])
                )
            )
        conf = sum(float(data["conf"][i]) for i in idx) / (100.0 * len(idx))
        lines.append((text, box, min(1.0, max(0.0, conf))))
    lines.sort(key=lambda line: (line[1].y1, line[1].x1))
    return lines
