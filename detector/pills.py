"""Skip pills: the rounded button in the top-right corner of a splash screen.

Downscaled screenshots shrink "跳过 5" to a blur that full-screen OCR misses. What a person sees
is the shape: a pill or ring in the corner, with a short glyph run inside. This stage finds such
shapes and reads each one with line recognition only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from .lexicon import Lexicon
from .ocr import TextReader
from .profile import RuleProfile
from .types import Box, Element, ElementKind


def find_corner_pills(rgb: npt.NDArray[np.uint8], *, density: float, profile: RuleProfile) -> list[Box]:
    """Pill- or ring-shaped buttons with something drawn inside, in the top-right corner."""
    s = profile.setting
    h, w = rgb.shape[:2]
    x0 = int(w * (1 - s("pill", "right_fraction")))
    y1 = int(h * s("pill", "band_fraction"))
    band = rgb[:y1, x0:]
    if band.size == 0:
        return []
    scale = max(1.0, s("pill", "work_short_side") / float(min(w, h)))
    work = cv2.resize(band, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale > 1 else band
    gray = cv2.cvtColor(work, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (3, 3), 0), 15, 45)
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    px_per_dp = density * scale
    found: list[Box] = []
    for c in contours:
        x, y, bw, bh = cv2.boundingRect(c)
        if not s("pill", "min_height_dp") * px_per_dp <= bh <= s("pill", "max_height_dp") * px_per_dp:
            continue
        if not s("pill", "min_aspect") <= bw / float(bh) <= s("pill", "max_aspect"):
            continue
        if cv2.contourArea(cv2.convexHull(c)) < s("pill", "min_solidity") * bw * bh * (np.pi / 4 if bw < 1.3 * bh else 0.9):
            continue
        inner = edges[y + bh // 5 : y + bh - bh // 5, x + bw // 6 : x + bw - bw // 6]
        if inner.size == 0 or float((inner > 0).mean()) < s("pill", "min_ink"):
            continue
        box = Box(x0 + x / scale, y / scale, x0 + (x + bw) / scale, (y + bh) / scale)
        if not any(box.iou(f) > 0.3 for f in found):
            found.append(box)
    return found


def _in_corner(box: Box, width: int, height: int, profile: RuleProfile) -> bool:
    cx, cy = box.center
    return cx > width * (1 - profile.setting("pill", "right_fraction")) and cy < height * profile.setting(
        "pill", "band_fraction"
    )


def corner_skip_controls(
    rgb: npt.NDArray[np.uint8],
    elements: Sequence[Element],
    *,
    reader: TextReader,
    lexicon: Lexicon,
    profile: RuleProfile,
    density: float,
    max_reads: int = 2,
) -> list[Element]:
    """``elements`` with the top-right skip pill recognised when plain OCR could not name it.

    Text already read in the corner that looks like the tail of 跳过 N becomes the skip control;
    otherwise up to ``max_reads`` pill shapes there are read with line recognition.
    """
    h, w = rgb.shape[:2]
    out = list(elements)
    if any(e.kind.is_close_control and _in_corner(e.box, w, h, profile) for e in out):
        return out
    for i, e in enumerate(out):
        if e.kind == ElementKind.TEXT and e.text and _in_corner(e.box, w, h, profile):
            ok, seconds = lexicon.corner_pill(e.text)
            if ok:
                out[i] = replace(e, kind=ElementKind.CLOSE_COUNTDOWN if seconds is not None else ElementKind.CLOSE_TEXT,
                                 countdown_s=seconds, score=round(e.score * 0.8, 3),
                                 attrs=(*e.attrs, ("corner_pill", True)))
                return out
    pills = sorted(find_corner_pills(rgb, density=density, profile=profile), key=lambda b: (b.y1, -b.x2))
    taken = [e.box for e in out if e.source == "ocr" and e.kind != ElementKind.TEXT]
    for n, pill in enumerate([p for p in pills if not any(p.iou(t) > 0.3 for t in taken)][:max_reads]):
        span = reader.read_line(rgb, pill)
        if span is None:
            continue
        cues = lexicon.classify(span.text)
        ok, seconds = lexicon.corner_pill(span.text)
        if cues.close == "strong" or ok:
            seconds = cues.countdown_close_s if cues.countdown_close_s is not None else seconds
            out.append(
                Element(id=f"p{n}", kind=ElementKind.CLOSE_COUNTDOWN if seconds is not None else ElementKind.CLOSE_TEXT,
                        box=pill, score=round(span.confidence * 0.8, 3), source="ocr-pill", text=span.text,
                        button=pill, countdown_s=seconds, attrs=(("corner_pill", True), ("text_box", pill.to_list())))
            )
            break
    return out
