"""Find × close icons by classical computer vision.

How it works, and why
---------------------
1. **Working resolution.** The screenshot is resampled so that one dp is
   ``working_px_per_dp`` pixels: detection then behaves the same on a 270 px and a 1440 px
   screenshot, and a 1080×1920 one costs a quarter of its pixels.
2. **Candidates.** A morphological top-hat (light strokes) and black-hat (dark strokes) with a
   square kernel ``tophat_kernel_dp`` wide keep thin structures and drop flat areas, photos'
   large shapes and the plates of buttons, so a × shows up whatever its colour and whatever it
   sits on. Each map is binarised at a doubling ladder of contrast levels; connected components
   of plausible size, aspect and ink fill become candidates.
3. **Shape.** A candidate's mask is resampled to a small square and compared (soft IoU) with
   rendered × templates of several stroke widths; the four arms must be present, the four
   wedges between them empty, and the margin around the glyph free of other ink (letters of a
   word, the speaker of a mute icon). These combine into a score calibrated so that ≥ 0.5 means
   "probably a ×".
4. **Button.** A flood fill from the wedges between the arms finds the plate the glyph sits
   on; a bounded, compact plate makes the icon a circle or square button (filled, or outlined
   when the plate matches the colour outside its ring), and the icon's box becomes the button.

Every number lives in ``detector/profiles/detection-icons.yaml`` (``IconSettings``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import yaml

from .types import Box

__all__ = ["IconCandidate", "IconSettings", "find_close_icons"]

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]

POLARITY_LIGHT = "light-on-dark"
POLARITY_DARK = "dark-on-light"
_SETTINGS_FILE = "detection-icons.yaml"
_SETTINGS_SECTION = "icons"


@dataclass(frozen=True)
class IconSettings:
    """Every number the icon detector uses; units and reasons are in detection-icons.yaml."""

    working_px_per_dp: float = 1.5
    max_upscale: float = 2.0
    tophat_kernel_dp: float = 10.0
    contrast_levels: tuple[float, ...] = (14, 28, 56, 112)
    min_glyph_dp: float = 5.0
    max_glyph_dp: float = 64.0
    min_glyph_px: float = 6.0
    max_aspect: float = 1.6
    min_fill: float = 0.08
    max_fill: float = 0.7
    centroid_tolerance: float = 0.12
    template_size: int = 24
    stroke_fractions: tuple[float, ...] = (0.06, 0.1, 0.15, 0.21, 0.28)
    arm_samples: tuple[float, ...] = (0.25, 0.4, 0.55, 0.7)
    gap_depth: tuple[float, ...] = (0.04, 0.12, 0.2)
    iou_mid: float = 0.52
    iou_scale: float = 0.06
    min_arm: tuple[float, float] = (0.5, 0.85)
    max_gap: tuple[float, float] = (0.15, 0.4)
    isolation_margin: float = 0.6
    max_clutter: tuple[float, float] = (0.04, 0.2)
    button_search: float = 3.2
    button_tolerance: float = 14
    button_size: tuple[float, float] = (1.15, 2.9)
    button_min_fill: float = 0.68
    square_min_fill: float = 0.9
    outline_max_delta: float = 12
    nms_iou: float = 0.3
    min_output_score: float = 0.05

    @classmethod
    def from_yaml(cls, path: str | Path | None = None) -> IconSettings:
        """Load the settings from YAML (``{name: {value, unit, why}}`` under ``icons:``).

        Defaults to the packaged ``detector/profiles/detection-icons.yaml``; names the file
        does not mention keep their dataclass defaults, unknown names are an error so a typo
        cannot silently fall back to a default.
        """
        if path is None:
            text = resources.files("detector").joinpath("profiles", _SETTINGS_FILE).read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        data = yaml.safe_load(text) or {}
        section: dict[str, Any] = data.get(_SETTINGS_SECTION, data)
        known = {f.name for f in fields(cls)}
        unknown = set(section) - known
        if unknown:
            raise ValueError(f"unknown icon settings: {sorted(unknown)}")
        values: dict[str, Any] = {}
        for name, entry in section.items():
            value = entry["value"] if isinstance(entry, dict) else entry
            values[name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)


@dataclass(frozen=True)
class IconCandidate:
    """One × found on the screenshot, in original-image pixels.

    ``box`` is the button (circle or square plate) when the × sits on one, else the glyph;
    ``glyph`` is always tight around the × strokes. ``style`` is ``plain``,
    ``circle-filled``, ``circle-outline``, ``square`` or ``square-outline``; ``polarity``
    says whether the strokes are darker (``dark-on-light``) or lighter (``light-on-dark``)
    than what is right around them.
    """

    box: Box
    glyph: Box
    score: float
    style: str
    polarity: str


@dataclass(frozen=True)
class _Glyph:
    """A candidate glyph at working resolution, before its button is looked for."""

    x: int
    y: int
    w: int
    h: int
    score: float
    polarity: str
    mask: U8  # the component's own pixels inside its bbox (0/1)


def find_close_icons(
    rgb: npt.NDArray[np.uint8],
    *,
    density: float,
    settings: IconSettings = IconSettings(),
    exclude: Sequence[Box] = (),
) -> list[IconCandidate]:
    """Find × close icons in an RGB screenshot; best first.

    ``rgb`` is the full H×W×3 uint8 screenshot, ``density`` its pixels per dp. ``exclude``
    holds boxes of OCR text lines with two or more characters: a × whose centre lies inside
    one is a letter of a word ("XBOX"), not an icon, and is dropped.
    """
    if rgb.ndim != 3 or rgb.shape[2] < 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an H×W×3 uint8 image, got {rgb.dtype} {rgb.shape}")
    if not density > 0:
        raise ValueError(f"density must be > 0, got {density}")
    scale = _working_scale(density, settings)
    gray = _working_gray(rgb, scale)
    px_per_dp = density * scale
    glyphs = [
        g
        for g in _candidate_glyphs(gray, px_per_dp, settings)
        if not _excluded(_to_original(g.x, g.y, g.w, g.h, scale, rgb.shape), exclude)
    ]
    kept = _nms(glyphs, settings.nms_iou)
    out = [_describe(gray, g, scale, rgb.shape, settings) for g in kept]
    return sorted(out, key=lambda c: -c.score)


# --- working image --------------------------------------------------------------------------


def _working_scale(density: float, settings: IconSettings) -> float:
    """Resampling factor that brings the screenshot to ``working_px_per_dp``.

    Shrinking is unbounded (a 1440 px screenshot goes to 540 px); enlarging stops at
    ``max_upscale`` because it adds pixels but no detail.
    """
    return min(settings.working_px_per_dp / density, settings.max_upscale)


def _working_gray(rgb: npt.NDArray[np.uint8], scale: float) -> U8:
    """Grey image at working resolution (area averaging when shrinking keeps thin strokes)."""
    gray = cv2.cvtColor(np.ascontiguousarray(rgb[:, :, :3]), cv2.COLOR_RGB2GRAY)
    if abs(scale - 1.0) < 1e-6:
        return np.asarray(gray, dtype=np.uint8)
    h, w = gray.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(gray, size, interpolation=interp), dtype=np.uint8)


def _stroke_maps(gray: U8, px_per_dp: float, settings: IconSettings) -> dict[str, U8]:
    """Top-hat (light strokes) and black-hat (dark strokes) of the working image.

    Both keep structures narrower than the kernel and drop flat areas and large shapes, so
    the × strokes stand out by their contrast against what is right next to them.
    """
    k = max(3, round(settings.tophat_kernel_dp * px_per_dp) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    return {
        POLARITY_LIGHT: np.asarray(cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, kernel), dtype=np.uint8),
        POLARITY_DARK: np.asarray(cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel), dtype=np.uint8),
    }


# --- candidates -----------------------------------------------------------------------------


def _candidate_glyphs(gray: U8, px_per_dp: float, settings: IconSettings) -> list[_Glyph]:
    """Score every plausible component of every polarity and contrast level.

    Components are gathered first and their shapes scored in one vectorised pass: a busy
    screenshot has hundreds of them.
    """
    n = settings.template_size
    boxes: list[tuple[int, int, int, int, str, float]] = []
    masks: list[U8] = []
    stacks: list[F32] = []
    for polarity, response in _stroke_maps(gray, px_per_dp, settings).items():
        for level in settings.contrast_levels:
            _, binary = cv2.threshold(response, level - 1, 1, cv2.THRESH_BINARY)
            _, labels, stats, centroids = cv2.connectedComponentsWithStatsWithAlgorithm(
                binary, 8, cv2.CV_32S, cv2.CCL_BBDT
            )
            labels, stats = np.asarray(labels), np.asarray(stats)
            for i in _plausible(labels, stats, np.asarray(centroids), px_per_dp, settings):
                x, y, w, h = (int(v) for v in stats[i, :4])
                mask = (labels[y : y + h, x : x + w] == i).astype(np.uint8)
                clutter = _clutter(labels, stats, int(i), settings.isolation_margin)
                boxes.append((x, y, w, h, polarity, clutter))
                masks.append(mask)
                stacks.append(np.asarray(cv2.resize(mask.astype(np.float32), (n, n), interpolation=cv2.INTER_AREA)))
    if not boxes:
        return []
    shape = _shape_scores(np.stack(stacks), settings)
    found: list[_Glyph] = []
    for (x, y, w, h, polarity, clutter), mask, s in zip(boxes, masks, shape, strict=True):
        score = float(s) * _ramp_down(clutter, settings.max_clutter)
        if score >= settings.min_output_score:
            found.append(_Glyph(x, y, w, h, score, polarity, mask))
    return found


def _plausible(
    labels: I32, stats: I32, centroids: npt.NDArray[np.float64], px_per_dp: float, settings: IconSettings
) -> npt.NDArray[np.intp]:
    """Labels of components that could be a × (vectorised, so thousands cost nothing).

    Size in dp, aspect and ink fill must fit; the ink must balance around the box centre,
    the centre must be ink (where the strokes cross) and the four side midpoints must not
    be (a × leaves them empty; letters like H, Z, A, o and signs like + do not).
    """
    x, y = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    side = np.maximum(w, h).astype(np.float64)
    lo = max(settings.min_glyph_dp * px_per_dp, settings.min_glyph_px)
    hi = settings.max_glyph_dp * px_per_dp
    aspect = side / np.maximum(np.minimum(w, h), 1)
    fill = area / np.maximum(w * h, 1)
    ok = (side >= lo) & (side <= hi) & (aspect <= settings.max_aspect)
    ok &= (fill >= settings.min_fill) & (fill <= settings.max_fill)
    tol = settings.centroid_tolerance
    ok &= np.abs(centroids[1:, 0] - (x + (w - 1) / 2)) <= tol * w
    ok &= np.abs(centroids[1:, 1] - (y + (h - 1) / 2)) <= tol * h
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return idx
    lab = idx + 1
    x, y, w, h = x[idx], y[idx], w[idx], h[idx]
    xl, xr = x + (w - 1) // 2, x + w // 2  # the middle column(s)
    yt, yb = y + (h - 1) // 2, y + h // 2  # the middle row(s)
    centre = (labels[yt, xl] == lab) | (labels[yt, xr] == lab) | (labels[yb, xl] == lab) | (labels[yb, xr] == lab)
    top, bottom = y, y + h - 1
    left, right = x, x + w - 1
    edges = (
        (labels[top, xl] == lab) | (labels[top, xr] == lab)
        | (labels[bottom, xl] == lab) | (labels[bottom, xr] == lab)
        | (labels[yt, left] == lab) | (labels[yb, left] == lab)
        | (labels[yt, right] == lab) | (labels[yb, right] == lab)
    )
    keep: npt.NDArray[np.intp] = lab[centre & ~edges]
    return keep


def _clutter(labels: I32, stats: I32, i: int, margin: float) -> float:
    """Ink of other components in the bands beside component ``i``: the fullest of the four.

    Letters of a word have neighbours in the left or right band, the × of a mute icon has
    the speaker there; a close button keeps all four clear. Components that enclose the
    candidate (the ring of an outlined button) do not count.
    """
    x, y, w, h = (int(v) for v in stats[i, :4])
    H, W = labels.shape
    d = max(1, round(margin * max(w, h)))
    x1, y1, x2, y2 = max(0, x - d), max(0, y - d), min(W, x + w + d), min(H, y + h + d)
    window = labels[y1:y2, x1:x2]
    other = (window != 0) & (window != i)
    if not other.any():
        return 0.0
    for j in np.unique(window[other]):
        jx, jy, jw, jh = (int(v) for v in stats[j, :4])
        if jx <= x and jy <= y and jx + jw >= x + w and jy + jh >= y + h:
            other &= window != j
    gx1, gy1, gx2, gy2 = x - x1, y - y1, x - x1 + w, y - y1 + h
    bands = (
        other[gy1:gy2, :gx1],
        other[gy1:gy2, gx2:],
        other[:gy1, gx1:gx2],
        other[gy2:, gx1:gx2],
    )
    return max((float(b.mean()) for b in bands if b.size), default=0.0)


# --- shape model ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _templates(size: int, fractions: tuple[float, ...]) -> F32:
    """Soft × templates, shape (T, size, size): two diagonal strokes, one per stroke width.

    Drawn 4× larger and area-averaged, like the anti-aliased glyph they are compared with.
    Each stroke width comes with square ends (cut by the box, like font glyphs) and with
    round caps (like Material icons), so both endings match.
    """
    over = 4
    big = size * over
    out: list[F32] = []
    for f in fractions:
        t = max(1, round(f * big))
        square = np.zeros((big, big), np.uint8)
        cv2.line(square, (-big, -big), (2 * big, 2 * big), 255, t)
        cv2.line(square, (2 * big, -big), (-big, 2 * big), 255, t)
        rounded = np.zeros((big, big), np.uint8)
        r = t // 2
        cv2.line(rounded, (r, r), (big - 1 - r, big - 1 - r), 255, t, cv2.LINE_AA)
        cv2.line(rounded, (big - 1 - r, r), (r, big - 1 - r), 255, t, cv2.LINE_AA)
        for img in (square, rounded):
            small = cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA)
            out.append(np.asarray(small, dtype=np.float32) / 255.0)
    return np.stack(out)


def _shape_scores(m: F32, settings: IconSettings) -> npt.NDArray[np.float64]:
    """How much each resampled mask (K, N, N) looks like a ×, 0..1.

    The best soft IoU against the templates goes through a logistic centred on ``iou_mid``;
    missing arms (check marks, V, Y) and filled wedges (plus signs, blobs, squares) fade it.
    """
    t = _templates(settings.template_size, settings.stroke_fractions)
    inter = np.minimum(m[:, None], t[None]).sum(axis=(2, 3))
    union = np.maximum(m[:, None], t[None]).sum(axis=(2, 3))
    iou = (inter / np.maximum(union, 1e-9)).max(axis=1).astype(np.float64)
    base = 1.0 / (1.0 + np.exp(-(iou - settings.iou_mid) / settings.iou_scale))
    arms = _arm_coverage(m, settings.arm_samples)
    gaps = _gap_fill(m, settings.gap_depth)
    lo, hi = settings.min_arm
    arm_factor = np.clip((arms - lo) / (hi - lo), 0.0, 1.0)
    lo, hi = settings.max_gap
    gap_factor = 1.0 - np.clip((gaps - lo) / (hi - lo), 0.0, 1.0)
    out: npt.NDArray[np.float64] = base * arm_factor * gap_factor
    return out


def _arm_coverage(m: F32, samples: Sequence[float]) -> npt.NDArray[np.float64]:
    """The least-covered arm of each mask: fraction of its sample points (and the centre)
    that are ink. A point counts as ink when its 3×3 neighbourhood holds ink, which forgives
    slightly bent or off-centre strokes."""
    k, n, _ = m.shape
    padded = np.pad(m, ((0, 0), (1, 1), (1, 1)))
    inked = np.max([padded[:, dy : dy + n, dx : dx + n] for dy in range(3) for dx in range(3)], axis=0) >= 0.5
    c = (n - 1) / 2.0
    centre = inked[:, round(c), round(c)].astype(np.float64)
    worst = np.ones(k)
    for dx, dy in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
        rows = [round(c + dy * t * c) for t in samples]
        cols = [round(c + dx * t * c) for t in samples]
        hits = inked[:, rows, cols].sum(axis=1) + centre
        worst = np.minimum(worst, hits / (len(samples) + 1))
    return worst


def _gap_fill(m: F32, depths: Sequence[float]) -> npt.NDArray[np.float64]:
    """Mean ink at points inward from the four side midpoints, where a × has none."""
    n = m.shape[1]
    lo, hi = n // 2 - 1, n // 2 + 1  # the two middle columns/rows
    vals = []
    for d in depths:
        k = min(n - 1, round(d * n))
        vals += [
            m[:, k, lo:hi].mean(axis=1),
            m[:, n - 1 - k, lo:hi].mean(axis=1),
            m[:, lo:hi, k].mean(axis=1),
            m[:, lo:hi, n - 1 - k].mean(axis=1),
        ]
    out: npt.NDArray[np.float64] = np.mean(vals, axis=0).astype(np.float64)
    return out


def _ramp_up(x: float, lo_hi: tuple[float, float]) -> float:
    """0 below lo, 1 above hi, linear between."""
    lo, hi = lo_hi
    return float(min(1.0, max(0.0, (x - lo) / max(hi - lo, 1e-9))))


def _ramp_down(x: float, lo_hi: tuple[float, float]) -> float:
    """1 below lo, 0 above hi, linear between."""
    return 1.0 - _ramp_up(x, lo_hi)


# --- buttons --------------------------------------------------------------------------------


def _find_button(gray: U8, g: _Glyph, settings: IconSettings) -> tuple[tuple[int, int, int, int], str] | None:
    """The circle or square plate around a glyph, as (x, y, w, h) at working resolution.

    Flood-fills the plate from the wedges between the arms; a plate that stays inside the
    search window, is compact and of button size is a button. It is "outline" when its colour
    matches the colour just outside it (the ring is what bounds it).
    """
    side = max(g.w, g.h)
    half = round(settings.button_search * side / 2)
    cx, cy = g.x + g.w // 2, g.y + g.h // 2
    H, W = gray.shape
    x1, y1, x2, y2 = max(0, cx - half), max(0, cy - half), min(W, cx + half), min(H, cy + half)
    if x2 - x1 < 3 or y2 - y1 < 3:
        return None
    win = np.ascontiguousarray(gray[y1:y2, x1:x2])
    seed = _plate_seed(win, g, x1, y1)
    if seed is None:
        return None
    mask = np.zeros((win.shape[0] + 2, win.shape[1] + 2), np.uint8)
    tol = (settings.button_tolerance,) * 3
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (1 << 8)
    cv2.floodFill(win, mask, seed, 0, tol, tol, flags)
    plate = mask[1:-1, 1:-1]
    if plate[0, :].any() or plate[-1, :].any() or plate[:, 0].any() or plate[:, -1].any():
        return None  # the plate is the background: no button
    return _button_shape(win, plate, g, x1, y1, settings)


def _plate_seed(win: U8, g: _Glyph, x1: int, y1: int) -> tuple[int, int] | None:
    """A point between two arms of the glyph (outside its strokes) to start the fill from."""
    points = [
        (g.x + g.w // 2, g.y),
        (g.x + g.w // 2, g.y + g.h - 1),
        (g.x, g.y + g.h // 2),
        (g.x + g.w - 1, g.y + g.h // 2),
    ]
    free = [(px, py) for px, py in points if not g.mask[py - g.y, px - g.x]]
    if not free:
        return None
    values = [int(win[py - y1, px - x1]) for px, py in free]
    median = float(np.median(values))
    px, py = free[int(np.argmin([abs(v - median) for v in values]))]
    return (px - x1, py - y1)


def _button_shape(
    win: U8, plate: U8, g: _Glyph, x1: int, y1: int, settings: IconSettings
) -> tuple[tuple[int, int, int, int], str] | None:
    """Check a bounded plate's size and compactness; name its style."""
    solid = plate.copy()
    solid[g.y - y1 : g.y - y1 + g.h, g.x - x1 : g.x - x1 + g.w] |= g.mask
    contours, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    bx, by, bw, bh = cv2.boundingRect(contour)
    side = max(g.w, g.h)
    lo, hi = settings.button_size
    if not (lo * side <= min(bw, bh) and max(bw, bh) <= hi * side):
        return None
    if max(bw, bh) / max(min(bw, bh), 1) > settings.max_aspect:
        return None
    filled = np.zeros_like(solid)
    cv2.drawContours(filled, [contour], -1, 1, cv2.FILLED)
    fill = float(filled.sum()) / (bw * bh)
    if fill < settings.button_min_fill:
        return None
    shape = "square" if fill >= settings.square_min_fill else "circle"
    ring = _ring_width(g)
    outside = cv2.dilate(filled, np.ones((2 * ring + 3, 2 * ring + 3), np.uint8)) - cv2.dilate(
        filled, np.ones((2 * ring + 1, 2 * ring + 1), np.uint8)
    )
    plate_value = float(np.median(win[plate > 0]))
    if not outside.any():
        return (bx + x1, by + y1, bw, bh), f"{shape}-filled" if shape == "circle" else shape
    outside_value = float(np.median(win[outside > 0]))
    if abs(plate_value - outside_value) <= settings.outline_max_delta:
        box = (bx + x1 - ring, by + y1 - ring, bw + 2 * ring, bh + 2 * ring)
        return box, f"{shape}-outline"
    return (bx + x1, by + y1, bw, bh), "circle-filled" if shape == "circle" else shape


def _ring_width(g: _Glyph) -> int:
    """Stroke width of the glyph (ink area over the length of two diagonals): outlined
    buttons draw their ring about as wide as the × strokes."""
    length = 2.0 * math.hypot(g.w, g.h)
    return max(1, round(float(g.mask.sum()) / length))


# --- output ---------------------------------------------------------------------------------


def _nms(glyphs: list[_Glyph], iou: float) -> list[_Glyph]:
    """Keep the best of glyphs that overlap (same × at several levels or polarities)."""
    kept: list[_Glyph] = []
    for g in sorted(glyphs, key=lambda g: -g.score):
        box = Box.from_xywh(g.x, g.y, g.w, g.h)
        if all(
            box.iou(b) < iou and not b.contains_point(*box.center)
            for b in (Box.from_xywh(k.x, k.y, k.w, k.h) for k in kept)
        ):
            kept.append(g)
    return kept


def _to_original(x: float, y: float, w: float, h: float, scale: float, shape: tuple[int, ...]) -> Box:
    """A working-resolution box in original-image pixels, clipped to the image."""
    return Box(x / scale, y / scale, (x + w) / scale, (y + h) / scale).clip(shape[1], shape[0])


def _excluded(box: Box, exclude: Sequence[Box]) -> bool:
    """Whether the box's centre lies inside one of the excluded text lines."""
    cx, cy = box.center
    return any(e.contains_point(cx, cy) for e in exclude)


def _describe(gray: U8, g: _Glyph, scale: float, shape: tuple[int, ...], settings: IconSettings) -> IconCandidate:
    """Turn a kept glyph into an IconCandidate in original pixels, with its button if any."""
    glyph = _to_original(g.x, g.y, g.w, g.h, scale, shape)
    button = _find_button(gray, g, settings)
    if button is None:
        return IconCandidate(glyph, glyph, round(g.score, 3), "plain", g.polarity)
    (bx, by, bw, bh), style = button
    return IconCandidate(_to_original(bx, by, bw, bh, scale, shape), glyph, round(g.score, 3), style, g.polarity)
