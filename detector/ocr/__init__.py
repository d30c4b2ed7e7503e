"""OCR behind one interface: pick an engine by name, get :class:`TextSpan` lines in original pixels.

>>> reader = make_reader("ppocr")            # built once per process and settings, then cached
>>> spans = reader.read(rgb)                  # whole screenshot
>>> spans = reader.read(rgb, region=box)      # only inside ``box``; spans still in full-image pixels
>>> span = reader.read_line(rgb, box)         # one located line, recognition only (fast path)
>>> hit = reader.spot(rgb, box, ["跳过", "跳过5"])  # is that line one of these phrases? (PP-OCR only)

Engines: ``"ppocr"`` (PP-OCRv4 ONNX via rapidocr_onnxruntime, the default) and ``"tesseract"``
(Tesseract 5, chi_sim+eng). Both run offline. Tuning numbers live in :class:`OcrSettings`.
"""

from __future__ import annotations

import dataclasses
import functools

from detector.ocr._base import OcrSettings, RGBImage, Spotting, TextReader, join_words

__all__ = ["ENGINES", "OcrSettings", "RGBImage", "Spotting", "TextReader", "join_words", "make_reader"]

ENGINES: tuple[str, ...] = ("ppocr", "tesseract")


def make_reader(name: str = "ppocr", *, settings: OcrSettings | None = None, **options: object) -> TextReader:
    """The reader for engine ``name``, built once per process for each distinct settings.

    ``options`` override fields of ``settings`` (default :class:`OcrSettings`), e.g.
    ``make_reader("ppocr", max_side=1280)``. Models load in the constructor (about a second), so
    callers should keep the reader; repeated calls with equal arguments return the same object.

    Raises ValueError for an unknown engine name or option.
    """
    key = name.strip().lower()
    if key not in ENGINES:
        raise ValueError(f"unknown OCR engine {name!r}; choose one of: {', '.join(ENGINES)}")
    base = settings if settings is not None else OcrSettings()
    valid = {f.name for f in dataclasses.fields(OcrSettings)}
    unknown = sorted(set(options) - valid)
    if unknown:
        raise ValueError(f"unknown OCR option(s) {unknown}; valid options: {', '.join(sorted(valid))}")
    return _build(key, dataclasses.replace(base, **options))  # type: ignore[arg-type]


@functools.lru_cache(maxsize=8)
def _build(name: str, settings: OcrSettings) -> TextReader:
    if name == "ppocr":
        from detector.ocr._ppocr import PpOcrReader

        return PpOcrReader(settings)
    from detector.ocr._tesseract import TesseractReader

    return TesseractReader(settings)
