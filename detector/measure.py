"""Measurements: pure functions on numbers and arrays, with answers you can check by hand.

References
----------
- Android density-independent pixels: 1 dp = 1/160 inch.
- WCAG 2.2, "relative luminance" and "contrast ratio" definitions
  (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .profile import RuleProfile
from .types import Box, Element, ElementKind, Measurement, RuleId, Size

MM_PER_INCH = 25.4
DP_PER_INCH = 160.0


def density_for(width_px: int, height_px: int, *, baseline_width_dp: float,
                density: float | None = None, width_dp: float | None = None) -> float:
    """Pixels per dp for a screenshot.

    An explicit ``density`` wins; else ``width_dp`` (the logical width of the device or mockup);
    else the shorter side divided by ``baseline_width_dp`` (360 dp in the default profile).
    """
    if density is not None:
        if not density > 0:
            raise ValueError(f"density must be > 0, got {density}")
        return float(density)
    short_side = min(width_px, height_px)
    if width_dp is not None:
        if not width_dp > 0:
            raise ValueError(f"width_dp must be > 0, got {width_dp}")
        return short_side / float(width_dp)
    return short_side / float(baseline_width_dp)


def px_to_dp(px: float, density: float) -> float:
    return px / density


def dp_to_mm(dp: float) -> float:
    """1 dp = 1/160 inch, so mm = dp × 25.4 / 160."""
    return dp * MM_PER_INCH / DP_PER_INCH


def size_of(px: float, density: float) -> Size:
    dp = px_to_dp(px, density)
    return Size(px=round(px, 1), dp=round(dp, 2), mm=round(dp_to_mm(dp), 2))


def _channel_to_linear(c: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    c = c / 255.0
    out: npt.NDArray[np.float64] = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return out


def relative_luminance(rgb: Sequence[float] | npt.NDArray[np.floating]) -> float:
    """WCAG relative luminance of an sRGB colour with 0–255 channels (0 black … 1 white).

    Uses the sRGB threshold 0.04045 (the WCAG text's 0.03928 differs only below 1/255).
    """
    r, g, b = _channel_to_linear(np.asarray(rgb, dtype=np.float64)[:3])
    return float(0.2126 * r + 0.7152 * g + 0.0722 * b)


def contrast_ratio(rgb_a: Sequence[float] | npt.NDArray[np.floating],
                   rgb_b: Sequence[float] | npt.NDArray[np.floating]) -> float:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05), L1 the lighter; 1.0 … 21.0."""
    la, lb = relative_luminance(rgb_a), relative_luminance(rgb_b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


# Each channel's weighted linear value for the 256 levels: a per-pixel lookup instead of a power
# per pixel (the same numbers; a full-screen map cost ~6 ms of pow).
_LUMINANCE_LUT = _channel_to_linear(np.arange(256, dtype=np.float64))[:, None] * np.array([0.2126, 0.7152, 0.0722])


def luminance_map(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """Per-pixel relative luminance of an RGB uint8 image."""
    px = np.asarray(rgb, dtype=np.uint8)
    out: npt.NDArray[np.float64] = (
        _LUMINANCE_LUT[px[..., 0], 0] + _LUMINANCE_LUT[px[..., 1], 1] + _LUMINANCE_LUT[px[..., 2], 2]
    )
    return out


def foreground_background(
    rgb: npt.NDArray[np.uint8], box: Box, *, ring_px: int, ink_fraction: float
) -> tuple[tuple[int, int, int], tuple[int, int, int]] | None:
    """The foreground and background colours of a control.

    How they are chosen: the background is the median colour of a ring ``ring_px`` wide just
    outside ``box`` (what the eye compares the control against). The foreground is the median
    colour of the pixels inside ``box`` whose luminance differs most from the background's —
    the ``ink_fraction`` most distant ones — which picks the core of the glyph's strokes, not
    their anti-aliased edges (or, for a filled button whose glyph is tiny, the button fill).
    Returns ``None`` for an empty box.
    """
    h, w = rgb.shape[:2]
    x1, y1, x2, y2 = box.clip(w, h).to_int()
    if x2 - x1 < 1 or y2 - y1 < 1:
        return None
    inner = rgb[y1:y2, x1:x2].reshape(-1, 3)
    ox1, oy1 = max(0, x1 - ring_px), max(0, y1 - ring_px)
    ox2, oy2 = min(w, x2 + ring_px), min(h, y2 + ring_px)
    outer = rgb[oy1:oy2, ox1:ox2]
    mask = np.ones(outer.shape[:2], dtype=bool)
    mask[y1 - oy1 : y2 - oy1, x1 - ox1 : x2 - ox1] = False
    ring = outer[mask]
    if ring.size == 0:  # box covers the whole image: compare against the box's own border
        ring = np.concatenate([rgb[y1, x1:x2], rgb[y2 - 1, x1:x2], rgb[y1:y2, x1], rgb[y1:y2, x2 - 1]])
    bg = np.median(ring.reshape(-1, 3), axis=0)
    lum_in = luminance_map(inner.reshape(-1, 1, 3)).ravel()
    lum_bg = relative_luminance(bg)
    distance = np.abs(lum_in - lum_bg)
    k = max(1, int(len(distance) * ink_fraction))
    idx = np.argpartition(distance, -k)[-k:]
    fg = np.median(inner[idx], axis=0)
    return (
        (int(round(fg[0])), int(round(fg[1])), int(round(fg[2]))),
        (int(round(bg[0])), int(round(bg[1])), int(round(bg[2]))),
    )


def zone_of(box: Box, frame: Box, *, corner_fraction: float) -> str:
    """Name the part of ``frame`` where ``box``'s centre lies.

    Columns and rows split at ``corner_fraction`` of the frame's side from each edge:
    ``top-left``, ``top-center``, ``top-right``, ``middle-left``, ``center``, …, ``bottom-right``;
    ``outside`` when the centre is not inside the frame.
    """
    cx, cy = box.center
    if not frame.contains_point(cx, cy):
        return "outside"
    fx = (cx - frame.x1) / max(frame.width, 1e-9)
    fy = (cy - frame.y1) / max(frame.height, 1e-9)
    col = "left" if fx < corner_fraction else "right" if fx >= 1 - corner_fraction else "center"
    row = "top" if fy < corner_fraction else "bottom" if fy >= 1 - corner_fraction else "middle"
    if row == "middle":
        return "center" if col == "center" else f"middle-{col}"
    return f"{row}-{col}"


def edge_distances_dp(box: Box, width: int, height: int, density: float) -> tuple[float, float, float, float]:
    """Distances from the box to the left, top, right and bottom screen edges, in dp."""
    return (
        round(box.x1 / density, 1),
        round(box.y1 / density, 1),
        round((width - box.x2) / density, 1),
        round((height - box.y2) / density, 1),
    )


def vertical_overlap_fraction(box: Box, y1: float, y2: float) -> float:
    """Fraction of the box's height that lies inside the horizontal strip [y1, y2)."""
    if box.height <= 0:
        return 0.0
    overlap = max(0.0, min(box.y2, y2) - max(box.y1, y1))
    return overlap / box.height


def box_distance(a: Box, b: Box) -> float:
    """Shortest distance between two boxes in pixels (0 when they touch or overlap)."""
    dx = max(0.0, max(a.x1, b.x1) - min(a.x2, b.x2))
    dy = max(0.0, max(a.y1, b.y1) - min(a.y2, b.y2))
    return math.hypot(dx, dy)


def measure_element(
    rgb: npt.NDArray[np.uint8],
    element: Element,
    *,
    density: float,
    window: Box | None,
    ctas: Sequence[Box],
    profile: RuleProfile,
) -> Measurement:
    """Size, contrast and position of one element, in the units the rules need.

    Contrast compares the glyph or text with the background right around it (inside the button
    when the control has one, since that is what a person reads), see :func:`foreground_background`;
    for a × on a disc or square, the disc against the page counts too, whichever stands out more.
    """
    h, w = rgb.shape[:2]
    full = Box(0, 0, w, h)
    corner = profile.value(RuleId.CLOSE_HARD_TO_FIND, "corner_fraction")
    below_dp = profile.value(RuleId.CLOSE_HARD_TO_FIND, "below_window_dp")
    ring_px = max(1, round(profile.setting("detection", "contrast_ring_px_dp") * density))
    ink = profile.setting("detection", "contrast_ink_fraction")
    status_px = profile.setting("units", "status_bar_dp") * density
    nav_px = profile.setting("units", "navigation_bar_dp") * density

    box = element.box
    inner = element.attr("text_box") or element.attr("glyph")
    glyph = Box.from_xyxy(inner) if inner and element.button is not None else box
    colours = foreground_background(rgb, glyph, ring_px=ring_px, ink_fraction=ink)
    ratio = round(contrast_ratio(*colours), 2) if colours else None
    if element.kind == ElementKind.CLOSE_ICON and element.button is not None:
        # A × on a disc is found by the disc as much as by its strokes: the better of the two counts.
        shape = foreground_background(rgb, element.button, ring_px=ring_px, ink_fraction=ink)
        shape_ratio = round(contrast_ratio(*shape), 2) if shape else None
        if shape_ratio is not None and (ratio is None or shape_ratio > ratio):
            colours, ratio = shape, shape_ratio
    return Measurement(
        element_id=element.id,
        width=size_of(box.width, density),
        height=size_of(box.height, density),
        short_side=size_of(min(box.width, box.height), density),
        contrast_ratio=ratio,
        foreground_rgb=colours[0] if colours else None,
        background_rgb=colours[1] if colours else None,
        zone_screen=zone_of(box, full, corner_fraction=corner),
        zone_window=window_zone(box, window, full, density=density, corner_fraction=corner, below_dp=below_dp),
        edge_distance_dp=edge_distances_dp(box, w, h, density),
        overlaps_status_bar=vertical_overlap_fraction(box, 0, status_px) > 0,
        overlaps_navigation_bar=vertical_overlap_fraction(box, h - nav_px, h) > 0,
        cta_distance_dp=round(min(box_distance(box, c) for c in ctas) / density, 1) if ctas else None,
    )


def window_zone(box: Box, window: Box | None, full: Box, *, density: float,
                corner_fraction: float, below_dp: float) -> str | None:
    """Where ``box`` sits relative to the window.

    ``window-top-right`` … for a card; ``below-window-center`` for a control centred under it;
    ``outside-window``; for a full-screen window, ``inside-picture`` when the control sits in the
    middle of the screen rather than in a corner or a band, else ``None``.
    """
    if window is None:
        return None
    cx, cy = box.center
    if window.iou(full) > 0.9:
        zone = zone_of(box, full, corner_fraction=corner_fraction)
        return "inside-picture" if zone in {"center", "middle-left", "middle-right"} else None
    if window.contains_point(cx, cy):
        return "window-" + zone_of(box, window, corner_fraction=corner_fraction)
    wcx = window.center[0]
    if window.y2 <= cy <= window.y2 + below_dp * density and abs(cx - wcx) <= corner_fraction * window.width:
        return "below-window-center"
    if window.y1 - below_dp * density <= cy < window.y1 and cx >= window.x2 - corner_fraction * window.width:
        return "above-window-right"
    return "outside-window"
