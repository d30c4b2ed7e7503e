"""What every OCR engine shares: the reader protocol, the tuning numbers, and pixel geometry.

Engines differ in how they find and read text, but they must agree on one thing: every
:class:`~detector.types.TextSpan` they return is in *original-image* pixels, whatever resizing
or cropping happened on the way. The helpers here do that bookkeeping once.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import cv2
import numpy as np
import numpy.typing as npt

from detector.types import Box, TextSpan

RGBImage = npt.NDArray[np.uint8]


@runtime_checkable
class TextReader(Protocol):
    """An OCR engine behind one interface: an RGB image (or a region of it) in, text spans out.

    Spans always come back in the pixel space of the image passed in, with ``confidence`` in
    0..1, so the detection stages never need to know which engine ran or how it resized.
    """

    name: str

    def read(
        self, rgb: RGBImage, *, region: Box | None = None, scale: float | None = None, min_score: float | None = None,
        skip: Sequence[Box] = (),
    ) -> list[TextSpan]:
        """Find and read all text lines in ``rgb`` (or only inside ``region``).

        ``scale`` overrides how much the engine enlarges or shrinks the pixels before it
        locates text (its own choice otherwise): a caller that reads one small corner can
        afford to look at it larger than a whole-screen pass does. ``min_score`` overrides the
        engine's noise floor (0 keeps every located line with whatever it read, for
        :meth:`spot`). Lines whose centre lies in one of ``skip`` (original pixels) were read
        before: they are not returned, and an engine that can locate without reading does not
        pay for their recognition.
        """
        ...

    def read_line(self, rgb: RGBImage, box: Box) -> TextSpan | None:
        """Read one already-located text line in ``box`` (no detection); ``None`` if nothing legible."""
        ...

    def spot(self, rgb: RGBImage, box: Box, phrases: Sequence[str]) -> Spotting | None:
        """How well each of ``phrases`` explains the line in ``box``, against the engine's own
        reading of it. ``None`` when the engine cannot say (Tesseract gives no per-frame
        character probabilities) or the box is empty."""
        ...


@dataclass(frozen=True, slots=True)
class Spotting:
    """The answer to "is this line one of these phrases?" (see :mod:`detector.ocr._ctc`).

    ``llr`` is ``log P(phrase) - log P(reading)`` (natural log): 0 means the phrase explains the
    pixels as well as the recogniser's own best guess, -10 means e^10 times less well (it can
    exceed 0: the greedy reading is the likeliest path, not always the likeliest string).
    """

    reading: str  # the recogniser's free (greedy) reading of the line
    confidence: float  # its score, 0..1
    phrase: str  # the best of the phrases asked about
    llr: float


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """Every number the OCR layer uses, with the reason it has that value.

    Frozen and hashable, so readers can be cached per process by their settings. Numbers marked
    *measured* come from ``benchmarks/ocr.py`` on ../shared/realdev on a 2-core machine.
    """

    # --- image scale ---
    # Long side (px) of the image the PP-OCR *detector* sees; recognition always reads crops
    # of the original pixels. Big screenshots shrink to it: 1280 found no more of realdev's
    # labelled strings and cost ~20% more time, 736 lost "Ad"/"AdChoices" (measured). Small ones
    # (270-540 px wide, 跳过 ~7 px tall) grow to it: on those 20 screenshots 47 of 59 strings
    # vs 46 unscaled; growing to a 720 px short side found 48 but doubles detection pixels.
    max_side: int = 960
    # Never upscale more than this: beyond ~3x interpolation invents no detail, only cost.
    max_upscale: float = 3.0

    # --- PP-OCR (rapidocr_onnxruntime) ---
    # onnxruntime threads per session. The deployment target has 2 cores; more threads than cores
    # only adds contention, and -1 (all cores) oversubscribes when the service runs 2 workers.
    intra_op_threads: int = 2
    # The PP-OCR graphs are sequential; parallel branches (inter-op) gain nothing.
    inter_op_threads: int = 1
    # onnxruntime's CPU memory arena, which RapidOCR turns off: with it on, calls reuse their
    # buffers; the detector model ran ~25% faster and a whole read ~8% (measured).
    ort_mem_arena: bool = True
    # Let idle onnxruntime threads busy-wait for work. Off: on a busy 2-core machine spinning
    # threads take the CPU that the other worker or pipeline stage needs; a 2-thread recogniser
    # batch ran 2x slower with spinning on, a whole read ~8% slower (measured under load).
    ort_spinning: bool = False
    # Rewrite the PP-OCR graphs before loading them: per-layer affines folded into the
    # convolutions, hard-swish as one fusable activation (detector.ocr._fold). Same outputs to
    # float rounding; onnxruntime CPU time per recogniser batch (6 lines, 48x320) 176 -> 141 ms
    # and per detector pass (960x544) 156 -> 122 ms (measured, interleaved).
    fold_graph: bool = True
    # DB detector pixel threshold and box score threshold: PP-OCR's published defaults.
    det_thresh: float = 0.3
    det_box_thresh: float = 0.5
    # How far DB polygons are grown back out to cover the whole glyphs (PP-OCR default 1.6).
    det_unclip_ratio: float = 1.6
    # The 0/180 degree angle classifier: screenshots are upright, so it costs time and
    # only risks flipping short lines like "跳过".
    use_angle_cls: bool = False
    # Narrowest input (px, at the model's 48 px height) the recogniser pads every line to:
    # PaddleOCR's 320. Narrower padding is ~15% faster but misread short Chinese controls
    # ("跳过4" lost on realdev at 160 px; measured), and those are what we read for.
    rec_min_width: int = 320
    # Lines recognised per onnxruntime call (RapidOCR's default, 6). A batch pads its lines to the
    # widest one (lines are sorted by width first). Measured on realdev, interleaved per image on
    # an idle machine: whole-analysis wall p50/p95 477/956 ms with 3, 462/943 with 6, 588/1056
    # with 12, and 496/1223 with 1: one line per call spends ~10% less CPU at the median but two
    # intra-op threads cannot share a single short line, so text-dense pages take longer.
    rec_batch_num: int = 6
    # ... and at most this many padded columns (px at the 48-px height) per batch, so a long line
    # is not read with five short ones padded to its width: 6 lines of 640 px took 247 ms where
    # 6 lines of 320 took 85 (onnxruntime, 2 threads). 0 lifts the limit (RapidOCR's batching).
    rec_batch_columns: int = 1280
    # Lines longer than this (width / height) are located but not recognised: they are body
    # text, and recognition costs ~40 ms of CPU per line. Cues and dismiss controls are short
    # (a button label or a one-line hint). They come back as spans with text "" and confidence 0,
    # so callers can still count them. 0 recognises every line.
    rec_max_aspect: float = 0.0
    # Shrink PP-OCR line boxes to the ink inside them. The DB detector grows its boxes by
    # ``det_unclip_ratio`` (about 40% of the text height on every side), but sizes are measured
    # from these boxes and labels hug what is visible; word boxes from Tesseract are already tight.
    tighten_boxes: bool = True
    # Least grey-level gap between text and background for the ink to be trusted (out of 255);
    # below it (text on a busy photo) the detector's box is kept.
    ink_min_contrast: int = 40
    # Recognition score below which a line is dropped as noise (RapidOCR's own default).
    min_score: float = 0.5
    # Padding (fraction of line height) added around a ``read_line`` box: recognisers need a
    # little background margin around glyphs, and located boxes are often tight.
    line_pad: float = 0.15

    # --- Tesseract ---
    tesseract_lang: str = "chi_sim+eng"
    # Page segmentation mode: 3 (automatic layout) found more of realdev's labelled strings than
    # 11 (sparse text: 67 vs 64 of 143) and ran ~10% faster (measured). Neither finds an isolated
    # two-character Chinese word such as 广告; read_line (PSM 7) does.
    tesseract_psm: int = 3
    # Tesseract's OpenMP threading costs more than it gains on screenshots: with one thread a
    # read took 2.3x less wall time and 2.4x less CPU (measured on realdev, 2 cores). Applied
    # through OMP_THREAD_LIMIT, and only when the caller has not set it.
    tesseract_omp_threads: int | None = 1
    # Lines whose mean word confidence is below this (0..1) are dropped as noise (fragments read
    # from pictures and icons); 0.0 and 0.2 found no more labelled strings on realdev (measured).
    tesseract_min_conf: float = 0.4
    # Tesseract reads best when capitals are ~20-30 px tall; ``read_line`` scales crops so the
    # line is at least this tall.
    tesseract_line_height: int = 48
    # Small screenshots are enlarged so their short side reaches this before Tesseract reads
    # them (it wants capitals >= ~20 px; phone text reaches that at ~1080 px wide). 720 ran a
    # little faster but found one string fewer on realdev (66 vs 67 of 143; measured).
    tesseract_min_short_side: int = 1080
    # Seconds before a tesseract subprocess is abandoned (a corrupt image can hang it).
    tesseract_timeout_s: float = 20.0

    def __post_init__(self) -> None:
        if self.max_side < 32:
            raise ValueError(f"max_side must be >= 32 px, got {self.max_side}")
        if self.max_upscale < 1.0:
            raise ValueError(f"max_upscale must be >= 1, got {self.max_upscale}")
        if self.rec_batch_num < 1:
            raise ValueError(f"rec_batch_num must be >= 1, got {self.rec_batch_num}")
        if self.rec_batch_columns < 0:
            raise ValueError(f"rec_batch_columns must be >= 0, got {self.rec_batch_columns}")
        for name in ("det_thresh", "det_box_thresh", "min_score", "tesseract_min_conf"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {value}")


def detector_scale(full: tuple[int, ...], view: tuple[int, ...], max_side: int, max_upscale: float) -> float:
    """Scale for the text detector's input, from the whole screenshot's and the view's sizes.

    A screenshot smaller than ``max_side`` is enlarged towards it (at most ``max_upscale``), and
    so is any region of it: text size follows the screenshot's pixel density, not the size of
    the crop a caller asked for. Otherwise the view (whole image or region) only shrinks, and
    only as far as needed to fit ``max_side``.
    """
    long_full = max(full[0], full[1])
    if 0 < long_full < max_side:
        return min(max_upscale, max_side / long_full)
    long_view = max(view[0], view[1])
    return min(1.0, max_side / long_view) if long_view > 0 else 1.0


def short_side_scale(full: tuple[int, ...], min_short_side: int, max_upscale: float) -> float:
    """Enlargement (>= 1, <= ``max_upscale``) that brings the screenshot's short side to
    ``min_short_side``; decided on the whole screenshot for the same reason as above."""
    short = min(full[0], full[1])
    if short <= 0 or short >= min_short_side:
        return 1.0
    return min(max_upscale, min_short_side / short)


def region_view(rgb: RGBImage, region: Box | None) -> tuple[RGBImage, int, int]:
    """The pixels of ``region`` (clipped to the image) and its integer top-left offset."""
    _check_image(rgb)
    if region is None:
        return rgb, 0, 0
    h, w = rgb.shape[:2]
    x1, y1, x2, y2 = region.clip(w, h).to_int()
    return rgb[y1:y2, x1:x2], x1, y1


def line_crop(rgb: RGBImage, box: Box, pad: float) -> tuple[RGBImage, Box]:
    """Crop ``box`` grown by ``pad`` x its height on every side; also return the clipped box."""
    _check_image(rgb)
    h, w = rgb.shape[:2]
    clipped = box.clip(w, h)
    margin = pad * clipped.height
    x1, y1, x2, y2 = clipped.expand(margin).clip(w, h).to_int()
    return rgb[y1:y2, x1:x2], clipped


def resize(rgb: RGBImage, scale: float) -> RGBImage:
    """Resize by ``scale``: area averaging when shrinking (no aliasing), cubic when growing."""
    if abs(scale - 1.0) < 1e-6:
        return rgb
    h, w = rgb.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
    return np.asarray(cv2.resize(rgb, size, interpolation=interp), dtype=np.uint8)


def to_original(box: Box, scale: float, dx: float, dy: float, width: int, height: int) -> Box:
    """Map a box from a scaled crop back to original-image pixels, clipped to the image."""
    inv = 1.0 / scale
    return Box(box.x1 * inv + dx, box.y1 * inv + dy, box.x2 * inv + dx, box.y2 * inv + dy).clip(width, height)


def ink_box(rgb: RGBImage, box: Box, min_contrast: float) -> Box:
    """The bounds of the text ink inside ``box`` (original pixels); ``box`` itself when unsure.

    Otsu splits the crop's grey levels into two classes; the class that holds most of the crop's
    outer ring is background, the other is ink. Falls back to ``box`` when the two classes are
    too close in grey level, or when nothing or everything looks like ink.
    """
    h, w = rgb.shape[:2]
    x1, y1, x2, y2 = box.clip(w, h).to_int()
    if x2 - x1 < 4 or y2 - y1 < 4:
        return box
    gray = cv2.cvtColor(np.ascontiguousarray(rgb[y1:y2, x1:x2]), cv2.COLOR_RGB2GRAY)
    thresh, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = gray > thresh
    if not bright.any() or bright.all():
        return box
    if float(gray[bright].mean()) - float(gray[~bright].mean()) < min_contrast:
        return box
    ring = np.concatenate([bright[0], bright[-1], bright[:, 0], bright[:, -1]])
    ink = ~bright if ring.mean() > 0.5 else bright
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size == 0 or ink.all():
        return box
    return Box(float(x1 + cols[0]), float(y1 + rows[0]), float(x1 + cols[-1] + 1), float(y1 + rows[-1] + 1))


def swap_rb(image: RGBImage) -> RGBImage:
    """RGB to BGR (or back): the PP-OCR models were trained on OpenCV's BGR order."""
    return np.ascontiguousarray(image[:, :, ::-1])


def is_cjk(ch: str) -> bool:
    """True for Han ideographs, kana, hangul and full-width forms: scripts written without spaces."""
    if not ch:
        return False
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "FULLWIDTH", "IDEOGRAPHIC"))


def join_words(words: list[str]) -> str:
    """Join OCR words into a line: a space between Latin words, none next to CJK characters."""
    out = ""
    for word in words:
        if not word:
            continue
        if out and not (is_cjk(out[-1]) or is_cjk(word[0])):
            out += " "
        out += word
    return out


def _check_image(rgb: RGBImage) -> None:
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an RGB image (H, W, 3) of uint8, got {rgb.shape} {rgb.dtype}")
