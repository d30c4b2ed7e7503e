"""Find × close icons by classical computer vision.

How it works, and why
---------------------
1. **Bands.** The screenshot is resampled so that one dp is ``working_px_per_dp`` pixels
   (the fine band): detection then behaves the same on a 270 px and a 1440 px screenshot,
   and a 1080×1920 one costs a quarter of its pixels. Big, bold glyphs are looked for in a
   coarse band at a fraction of that resolution with a wider kernel.
2. **Candidates.** A morphological top-hat (light strokes) and black-hat (dark strokes) keep
   thin structures and drop flat areas, photos' large shapes and the plates of buttons, so a
   × shows up whatever its colour and whatever it sits on. Each map is binarised at a
   doubling ladder of contrast levels; connected components of plausible size, aspect, ink
   fill and symmetry become candidates (those centred in an excluded OCR text line are
   letters and are dropped first). Near misses are re-cut locally at levels between the
   ladder's steps.
3. **Shape.** A candidate's mask is resampled to a small square and compared (soft IoU) with
   rendered × templates of several stroke widths; the four arms must be present, the four
   wedges between them empty, and the bands beside the glyph free of other ink (letters of a
   word, the speaker of a mute icon), in the stroke map and, for plain glyphs, in the grey
   image, where only neighbours count: shapes on the glyph's own background that end about
   where the glyph does (a picture's edge running on past a bold × is not one). A plain
   glyph with a solid pictogram of its own size right beside it (the speaker of a mute icon,
   the ▷ of an ad's ▷× mark) is half of a compound mark, not a close icon. These combine
   into a score calibrated so that ≥ 0.5 means "probably a ×".
4. **Button.** A closed ring component centred on the glyph makes it an outlined button;
   otherwise a flood fill from the wedges between the arms finds the plate it sits on, and a
   bounded, compact plate makes it a filled circle or square. The icon's box is then the
   button.

Every number lives in ``detector/profiles/detection-icons.yaml`` (``IconSettings``); the
dataclass defaults mirror it and a test keeps the two equal.
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

__all__ = ["IconCandidate", "IconSettings", "drop_nested", "find_close_icons", "in_field"]

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
XYWH = tuple[int, int, int, int]

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
    fine_max_glyph_dp: float = 32.0
    coarse_factor: float = 0.5
    coarse_kernel_dp: float = 24.0
    coarse_min_glyph_dp: float = 24.0
    contrast_levels: tuple[float, ...] = (14, 28, 56, 112)
    min_glyph_dp: float = 5.0
    max_glyph_dp: float = 64.0
    min_glyph_px: float = 6.0
    max_aspect: float = 1.6
    min_fill: float = 0.08
    max_fill: float = 0.7
    centroid_tolerance: float = 0.12
    template_size: int = 24
    template_supersampling: int = 4
    ink_coverage: float = 0.5
    stroke_fractions: tuple[float, ...] = (0.06, 0.1, 0.15, 0.21, 0.28)
    arm_samples: tuple[float, ...] = (0.25, 0.4, 0.55, 0.7)
    arm_slack: int = 1
    gap_depth: tuple[float, ...] = (0.04, 0.1, 0.16)
    iou_mid: float = 0.52
    iou_scale: float = 0.06
    min_arm: tuple[float, float] = (0.5, 0.85)
    max_gap: tuple[float, float] = (0.1, 0.2)
    isolation_margin: float = 0.6
    max_clutter: tuple[float, float] = (0.07, 0.17)
    ink_tolerance: float = 0.3
    neighbour_reach: float = 1.0
    partner_gap: float = 1.0
    partner_height: tuple[float, float] = (0.7, 2.5)
    partner_width: tuple[float, float] = (0.5, 2.0)
    partner_centring: float = 0.25
    partner_ink: float = 0.5
    partner_min_solidity: float = 0.8
    partner_max_holes: float = 0.05
    ring_centre_tolerance: float = 0.15
    ring_min_radius: float = 0.6
    ring_min_share: float = 0.9
    ring_sectors: int = 16
    ring_min_coverage: float = 0.85
    button_search: float = 4.0
    button_tolerance: float = 14
    button_size: tuple[float, float] = (1.15, 3.5)
    button_min_fill: float = 0.68
    square_min_fill: float = 0.9
    outline_max_delta: float = 12
    outline_ring_dp: float = 2.0
    outline_sample_dp: float = 1.5
    nms_iou: float = 0.3
    max_candidates: int = 30
    nms_tie: float = 0.01
    refine_range: tuple[float, float] = (0.1, 0.5)
    refine_factors: tuple[float, ...] = (0.59, 0.71, 0.84, 1.19, 1.41, 1.68)
    max_refinements: int = 20
    min_output_score: float = 0.05
    field_max_button_dp: float = 24.0
    field_run: float = 2.5
    field_height: tuple[float, float] = (1.4, 4.6)
    field_max_height_dp: float = 56.0
    field_centring: float = 0.25
    field_edge_delta: float = 3.0
    field_step_dp: float = 1.5

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
        data: dict[str, Any] = yaml.safe_load(text) or {}
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

    ``box`` is the button (circle or square plate, or its ring) when the × sits on one, else
    the glyph; ``glyph`` is always tight around the × strokes. ``style`` is ``plain``,
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
class _Band:
    """One resolution the detector searches: its grey image and the glyph sizes it covers."""

    gray: U8
    scale: float  # band pixels per original pixel
    px_per_dp: float
    kernel_dp: float
    min_glyph_dp: float
    max_glyph_dp: float
    exclude: F64  # (N, 4) text-line boxes x1, y1, x2, y2 in band pixels


@dataclass(frozen=True)
class _Glyph:
    """A candidate glyph in its band's pixels, before its button is looked for."""

    band: _Band
    xywh: XYWH
    score: float
    polarity: str
    mask: U8  # the component's own pixels inside its bbox (0/1)
    ring: tuple[XYWH, float] | None  # an enclosing ring component and its fill, band px
    box: Box  # the glyph in original pixels
    shape: float = 0.0  # the score before other ink beside it is counted


def find_close_icons(
    rgb: npt.NDArray[np.uint8],
    *,
    density: float,
    settings: IconSettings = IconSettings(),
    exclude: Sequence[Box] = (),
    keep_nested: bool = False,
) -> list[IconCandidate]:
    """Find × close icons in an RGB screenshot; best first.

    ``rgb`` is the full H×W×3 uint8 screenshot, ``density`` its pixels per dp. ``exclude``
    holds boxes of OCR text lines with two or more characters: a × whose centre lies inside
    one is a letter of a word ("XBOX"), not an icon, and is dropped. A × centred in a search
    field or tag chip (:func:`in_field`) is an in-page control and is dropped too. Candidates
    nested in a better one are dropped (:func:`drop_nested`) unless ``keep_nested``, for a
    caller that rescores them and drops the nested ones itself.
    """
    if rgb.ndim != 3 or rgb.shape[2] < 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an H×W×3 uint8 image, got {rgb.dtype} {rgb.shape}")
    if not density > 0:
        raise ValueError(f"density must be > 0, got {density}")
    size = (rgb.shape[1], rgb.shape[0])
    glyphs = [g for band in _bands(rgb, density, settings, exclude) for g in _candidate_glyphs(band, size, settings)]
    kept = _nms(glyphs, settings.nms_iou, settings.max_candidates, settings.nms_tie)
    described = sorted((_describe(g, size, settings) for g in kept), key=lambda c: -c.score)
    gray = np.asarray(cv2.cvtColor(np.ascontiguousarray(rgb[:, :, :3]), cv2.COLOR_RGB2GRAY), np.float32)
    # an outlined button is drawn as a control of its own (the × of an ad's info row); a field's
    # clear button is a bare glyph or a filled disc in the field's colours
    out = [c for c in described
           if c.style.endswith("outline") or not in_field(gray, c.box, density=density, settings=settings)]
    return out if keep_nested else drop_nested(out)


def drop_nested(candidates: Sequence[IconCandidate]) -> list[IconCandidate]:
    """One control, one candidate: drop a candidate centred inside a better one's box (the ×
    glyph found again inside its own button, or a button's ring found as a second glyph).
    ``candidates`` best first; the order is kept."""
    kept: list[IconCandidate] = []
    for c in candidates:
        cx, cy = c.box.center
        if any(k.box.contains_point(cx, cy) or c.box.contains_point(*k.box.center) for k in kept):
            continue
        kept.append(c)
    return kept


def in_field(gray: F32, box: Box, *, density: float, settings: IconSettings = IconSettings()) -> bool:
    """Whether a × sits centred in a thin bar whose edges run off to its left: the clear button
    of a search or input field, the remove mark of a tag chip. Those are in-page controls; an
    overlay's close button sits on a card, a picture or the scrim instead.

    ``gray`` is the screenshot's full-resolution grey image (float), ``box`` the candidate (its
    button when it has one), ``density`` px per dp. Straight above and below the × (no text
    there) the column's row medians are walked outwards from the field's fill (the grey right
    around the ×) until they leave it by ``field_edge_delta``: the field's top and bottom
    edges, which must be steps (a photo drifts). A bar of field height, with the × centred in it
    and both edges continuing
    ``field_run`` box sides to the left, is a field.
    """
    side = max(box.width, box.height)
    if side <= 0 or side / density > settings.field_max_button_dp:
        return False
    h, w = gray.shape
    bx1, bx2 = max(0, int(box.x1)), min(w, int(math.ceil(box.x2)))
    lx1, lx2 = max(0, int(box.x1 - settings.field_run * side)), int(box.x1 - 0.3 * side)
    if bx2 <= bx1 or lx2 - lx1 < side:
        return False
    cy = (box.y1 + box.y2) / 2
    reach = settings.field_height[1] * side / 2 + 2
    y1, y2 = max(0, int(cy - reach)), min(h, int(math.ceil(cy + reach)))
    column = np.median(gray[y1:y2, bx1:bx2], axis=1)
    left = np.median(gray[y1:y2, lx1:lx2], axis=1)
    top_in, bottom_in = int(box.y1) - 1 - y1, int(math.ceil(box.y2)) - y1
    if not (0 <= top_in < bottom_in < len(column)):
        return False
    delta = settings.field_edge_delta
    if abs(float(column[top_in]) - float(column[bottom_in])) > delta:
        return False
    fill = (float(column[top_in]) + float(column[bottom_in])) / 2
    off = np.abs(column - fill) > delta
    above = np.flatnonzero(off[: top_in + 1][::-1])
    below = np.flatnonzero(off[bottom_in:])
    if above.size == 0 or below.size == 0:
        return False
    top_row, bottom_row = top_in - int(above[0]), bottom_in + int(below[0])
    # an edge is a step, not the slow drift of a photo: across ``field_step_dp`` it moves past delta
    step = max(2, round(settings.field_step_dp * density))
    last = len(column) - 1
    if (abs(float(column[max(0, top_row - step)]) - float(column[min(top_in, top_row + step)])) <= delta
            or abs(float(column[min(last, bottom_row + step)]) - float(column[max(bottom_in, bottom_row - step)])) <= delta):
        return False

    def runs_left(edge: int, inside: int) -> bool:
        """The edge continues to the left, and so does the fill just inside it (clear of the text)."""
        near = left[max(0, edge - 1) : edge + 2]
        return (bool(near.size) and float(np.max(np.abs(near - fill))) > delta
                and abs(float(left[inside]) - fill) <= delta)

    if not (runs_left(top_row, min(top_in, top_row + step)) and runs_left(bottom_row, max(bottom_in, bottom_row - step))):
        return False
    top, bottom = cy - (y1 + top_row), (y1 + bottom_row) - cy
    height = top + bottom
    lo, hi = settings.field_height
    if not (lo * side <= height <= hi * side) or height / density > settings.field_max_height_dp:
        return False
    return abs(top - bottom) <= settings.field_centring * height


# --- bands ----------------------------------------------------------------------------------


def _bands(rgb: npt.NDArray[np.uint8], density: float, settings: IconSettings, exclude: Sequence[Box]) -> list[_Band]:
    """The fine band (working resolution) and the coarse band (big, bold glyphs).

    Shrinking to the working resolution is unbounded; enlarging stops at ``max_upscale``
    because it adds pixels but no detail. Big bold × strokes are wider than the fine band's
    top-hat kernel, and a kernel wide enough for them would swallow the small circles that
    hold small glyphs; so big glyphs are looked for at a lower resolution with a kernel wider
    in dp, which costs a quarter of the pixels and keeps the kernel small in pixels.
    """
    scale = min(settings.working_px_per_dp / density, settings.max_upscale)
    gray = _resample(np.asarray(cv2.cvtColor(np.ascontiguousarray(rgb[:, :, :3]), cv2.COLOR_RGB2GRAY), np.uint8), scale)
    lines = np.array([b.xyxy for b in exclude], dtype=np.float64).reshape(-1, 4)
    fine = _Band(gray, scale, density * scale, settings.tophat_kernel_dp, settings.min_glyph_dp,
                 settings.fine_max_glyph_dp, lines * scale)
    f = settings.coarse_factor
    coarse = _Band(_resample(gray, f), scale * f, density * scale * f, settings.coarse_kernel_dp,
                   settings.coarse_min_glyph_dp, settings.max_glyph_dp, lines * scale * f)
    return [fine, coarse]


def _resample(gray: npt.NDArray[np.uint8], scale: float) -> U8:
    """Resize a grey image (area averaging when shrinking keeps the ink of thin strokes)."""
    if abs(scale - 1.0) < 1e-6:
        return np.asarray(gray, dtype=np.uint8)
    h, w = gray.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(gray, size, interpolation=interp), dtype=np.uint8)


def _stroke_maps(band: _Band) -> dict[str, U8]:
    """Top-hat (light strokes) and black-hat (dark strokes) of a band's grey image.

    Both keep structures narrower than the kernel and drop flat areas and large shapes, so
    the × strokes stand out by their contrast against what is right next to them.
    """
    k = max(3, round(band.kernel_dp * band.px_per_dp) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    return {
        POLARITY_LIGHT: np.asarray(cv2.morphologyEx(band.gray, cv2.MORPH_TOPHAT, kernel), dtype=np.uint8),
        POLARITY_DARK: np.asarray(cv2.morphologyEx(band.gray, cv2.MORPH_BLACKHAT, kernel), dtype=np.uint8),
    }


# --- candidates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Component:
    """A scored ×-like component of one binarisation, in band pixels."""

    xywh: XYWH
    polarity: str
    level: float
    mask: U8
    clutter: float
    ring: tuple[XYWH, float] | None
    score: float
    shape: float


def _candidate_glyphs(band: _Band, size: tuple[int, int], settings: IconSettings) -> list[_Glyph]:
    """Score every plausible component of every polarity and contrast level in a band.

    Near misses are then re-cut at levels between the ladder's steps, in a window around
    them only (see ``_refine``).
    """
    maps = _stroke_maps(band)
    comps = [
        c
        for polarity, response in maps.items()
        for level in settings.contrast_levels
        for c in _components(response, level, polarity, band, settings)
    ]
    lo, hi = settings.refine_range
    near = sorted(
        (c for c in comps if lo <= c.score < hi and c.clutter < settings.max_clutter[0]), key=lambda c: -c.score
    )[: settings.max_refinements]
    comps += [r for c in near for r in _refine(maps[c.polarity], c, band, settings)]
    return [
        _Glyph(band, c.xywh, c.score, c.polarity, c.mask, c.ring, _to_original(c.xywh, band.scale, size), c.shape)
        for c in comps
        if max(c.score, c.shape) >= settings.min_output_score  # a plate may forgive ink beside it (_describe)
    ]


def _components(
    response: U8, level: float, polarity: str, band: _Band, settings: IconSettings,
    window: tuple[int, int, int, int] | None = None, centre: tuple[float, float] | None = None,
) -> list[_Component]:
    """Scored components of the response map binarised at ``level``.

    Plausible components are shape-scored in one vectorised pass (a busy screenshot has
    hundreds); only those with a ×-like shape get the costlier look at their surroundings.
    With ``window`` (x1, y1, x2, y2) only that part is binarised, and only components whose
    box holds ``centre`` are kept; boxes come back in band pixels either way.
    """
    x0, y0 = (window[0], window[1]) if window else (0, 0)
    part = response[window[1] : window[3], window[0] : window[2]] if window else response
    _, binary = cv2.threshold(part, level - 1, 1, cv2.THRESH_BINARY)
    _, lab, st, cen = cv2.connectedComponentsWithStatsWithAlgorithm(binary, 8, cv2.CV_32S, cv2.CCL_BBDT)
    labels, stats = np.asarray(lab, dtype=np.int32), np.asarray(st, dtype=np.int32)
    ids: list[int] = []
    masks: list[U8] = []
    plausible = _plausible(labels, stats, np.asarray(cen, dtype=np.float64), band, settings)
    for i in _outside_text(plausible, stats, band.exclude, x0, y0):
        x, y, w, h = (int(v) for v in stats[i, :4])
        if centre is None or (x <= centre[0] - x0 < x + w and y <= centre[1] - y0 < y + h):
            ids.append(int(i))
            masks.append((labels[y : y + h, x : x + w] == i).astype(np.uint8))
    if not ids:
        return []
    n = settings.template_size
    resampled = np.stack(
        [np.asarray(cv2.resize(m.astype(np.float32), (n, n), interpolation=cv2.INTER_AREA)) for m in masks]
    ).astype(np.float32)
    out: list[_Component] = []
    for i, mask, shape in zip(ids, masks, _shape_scores(resampled, settings), strict=True):
        if shape < settings.min_output_score:
            continue
        x, y, w, h = (int(v) for v in stats[i, :4])
        clutter, ring = _surroundings(labels, stats, i, settings)
        if ring is not None:
            (rx, ry, rw, rh), fill = ring
            ring = ((rx + x0, ry + y0, rw, rh), fill)
        score = float(shape) * _ramp_down(clutter, settings.max_clutter)
        out.append(_Component((x + x0, y + y0, w, h), polarity, level, mask, clutter, ring, score, float(shape)))
    return out


def _refine(response: U8, c: _Component, band: _Band, settings: IconSettings) -> list[_Component]:
    """Re-cut a near miss at levels between the ladder's steps, in a window around it.

    One fixed ladder cannot suit every ×: on a photo one arm may fade below a level at which
    the others still merge with texture. Doing this only around near misses costs little.
    """
    x, y, w, h = c.xywh
    H, W = response.shape
    d = round(settings.button_search * max(w, h) / 2)
    cx, cy = x + w / 2, y + h / 2
    window = (max(0, round(cx) - d), max(0, round(cy) - d), min(W, round(cx) + d), min(H, round(cy) + d))
    return [
        r
        for f in settings.refine_factors
        for r in _components(response, c.level * f, c.polarity, band, settings, window, (cx, cy))
    ]


def _plausible(labels: I32, stats: I32, centroids: F64, band: _Band, settings: IconSettings) -> npt.NDArray[np.intp]:
    """Labels of components that could be a × (vectorised, so thousands cost nothing).

    Size in dp, aspect and ink fill must fit; the ink must balance around the box centre,
    the centre must be ink (where the strokes cross) and the four side midpoints must not
    be (a × leaves them empty; letters like H, Z, A, o and signs like + do not).
    """
    x, y = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    side = np.maximum(w, h).astype(np.float64)
    lo = max(band.min_glyph_dp * band.px_per_dp, settings.min_glyph_px)
    hi = band.max_glyph_dp * band.px_per_dp
    aspect = side / np.maximum(np.minimum(w, h), 1)
    fill = area / np.maximum(w * h, 1)
    ok = (side >= lo) & (side <= hi) & (aspect <= settings.max_aspect)
    ok &= (fill >= settings.min_fill) & (fill <= settings.max_fill)
    tol = settings.centroid_tolerance
    ok &= np.abs(centroids[1:, 0] - (x + (w - 1) / 2)) <= tol * w
    ok &= np.abs(centroids[1:, 1] - (y + (h - 1) / 2)) <= tol * h
    idx = np.flatnonzero(ok)
    lab = idx + 1
    x, y, w, h = x[idx], y[idx], w[idx], h[idx]
    xl, xr = x + (w - 1) // 2, x + w // 2  # the middle column(s)
    yt, yb = y + (h - 1) // 2, y + h // 2  # the middle row(s)

    def ink(rows: npt.NDArray[np.int32], cols: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
        hit: npt.NDArray[np.bool_] = labels[rows, cols] == lab
        return hit

    centre = ink(yt, xl) | ink(yt, xr) | ink(yb, xl) | ink(yb, xr)
    top, bottom, left, right = y, y + h - 1, x, x + w - 1
    edges = ink(top, xl) | ink(top, xr) | ink(bottom, xl) | ink(bottom, xr)
    edges |= ink(yt, left) | ink(yb, left) | ink(yt, right) | ink(yb, right)
    keep: npt.NDArray[np.intp] = lab[centre & ~edges]
    return keep


def _surroundings(labels: I32, stats: I32, i: int, settings: IconSettings) -> tuple[float, tuple[XYWH, float] | None]:
    """How cluttered the glyph's surroundings are, and the ring that encloses it, if any.

    Clutter is the ink of other components in the four bands beside the glyph, the fullest
    of them: letters of a word have neighbours left or right, the × of a mute icon has the
    speaker there; a close button keeps all four clear. Components that enclose the glyph do
    not count as clutter: a centred, button-sized one is the ring of an outlined button.
    """
    x, y, w, h = (int(v) for v in stats[i, :4])
    H, W = labels.shape
    d = max(1, round(settings.isolation_margin * max(w, h)))
    x1, y1, x2, y2 = max(0, x - d), max(0, y - d), min(W, x + w + d), min(H, y + h + d)
    window = labels[y1:y2, x1:x2]
    other = (window != 0) & (window != i)
    if not other.any():
        return 0.0, None
    ring: tuple[XYWH, float] | None = None
    for j in np.unique(window[other]):
        jx, jy, jw, jh = (int(v) for v in stats[j, :4])
        if jx <= x and jy <= y and jx + jw >= x + w and jy + jh >= y + h:
            other &= window != j
            if ring is None and _is_ring((jx, jy, jw, jh), (x, y, w, h), settings):
                ring_mask = (labels[jy : jy + jh, jx : jx + jw] == j).astype(np.uint8)
                fill = _outer_fill(ring_mask)
                if fill >= settings.button_min_fill and _ring_like(ring_mask, settings):
                    ring = ((jx, jy, jw, jh), fill)
    gx1, gy1, gx2, gy2 = x - x1, y - y1, x - x1 + w, y - y1 + h
    bands = (other[gy1:gy2, :gx1], other[gy1:gy2, gx2:], other[:gy1, gx1:gx2], other[gy2:, gx1:gx2])
    return max((float(b.mean()) for b in bands if b.size), default=0.0), ring


def _is_ring(outer: XYWH, glyph: XYWH, settings: IconSettings) -> bool:
    """Whether an enclosing component is centred on the glyph and of button size."""
    ox, oy, ow, oh = outer
    gx, gy, gw, gh = glyph
    side = max(gw, gh)
    lo, hi = settings.button_size
    tol = settings.ring_centre_tolerance * max(ow, oh)
    centred = abs((ox + ow / 2) - (gx + gw / 2)) <= tol and abs((oy + oh / 2) - (gy + gh / 2)) <= tol
    sized = lo * side <= min(ow, oh) and max(ow, oh) <= hi * side
    return centred and sized and max(ow, oh) / max(min(ow, oh), 1) <= settings.max_aspect


def _ring_like(mask: U8, settings: IconSettings) -> bool:
    """Whether a component is a closed ring: ink only near its box's edge, all the way round.

    Texture of a photo can enclose a glyph too, but it is neither thin nor closed.
    """
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    u = (xs + 0.5 - w / 2) / (w / 2)
    v = (ys + 0.5 - h / 2) / (h / 2)
    if float((np.hypot(u, v) >= settings.ring_min_radius).mean()) < settings.ring_min_share:
        return False
    sectors = settings.ring_sectors
    angle = ((np.arctan2(v, u) + np.pi) / (2 * np.pi) * sectors).astype(np.int64) % sectors
    return len(np.unique(angle)) >= settings.ring_min_coverage * sectors


def _outer_fill(mask: U8) -> float:
    """How much of its box a component's outer outline covers: 0.785 for a circle, ~1 for a square."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return _filled_area(mask, contours) / float(mask.size)


def _filled_area(mask: U8, contours: Sequence[Any]) -> float:
    """Pixels inside the largest outer contour (counting the contour itself)."""
    if not contours:
        return 0.0
    filled = np.zeros_like(mask)
    cv2.drawContours(filled, [max(contours, key=cv2.contourArea)], -1, 1, cv2.FILLED)
    return float(filled.sum())


# --- shape model ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _templates(size: int, fractions: tuple[float, ...], over: int) -> F32:
    """Soft × templates, shape (T, size, size): two diagonal strokes, one per stroke width.

    Drawn ``over`` times larger and area-averaged, like the anti-aliased glyphs they meet.
    Each stroke width comes with square ends (cut by the box, like font glyphs) and with
    round caps (like Material icons), so both endings match.
    """
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


def _shape_scores(m: F32, settings: IconSettings) -> F64:
    """How much each resampled mask (K, N, N) looks like a ×, 0..1.

    The best soft IoU against the templates goes through a logistic centred on ``iou_mid``;
    missing arms (check marks, V, Y) and filled wedges (plus signs, blobs, squares) fade it.
    """
    t = _templates(settings.template_size, settings.stroke_fractions, settings.template_supersampling)
    inter = np.minimum(m[:, None], t[None]).sum(axis=(2, 3))
    union = np.maximum(m[:, None], t[None]).sum(axis=(2, 3))
    iou = (inter / np.maximum(union, 1e-9)).max(axis=1).astype(np.float64)
    base = 1.0 / (1.0 + np.exp(-(iou - settings.iou_mid) / settings.iou_scale))
    arms = _arm_coverage(m, settings)
    gaps = _gap_fill((m >= settings.ink_coverage).astype(np.float32), settings.gap_depth)  # resampling blur is not ink
    lo, hi = settings.min_arm
    arm_factor = np.clip((arms - lo) / (hi - lo), 0.0, 1.0)
    lo, hi = settings.max_gap
    gap_factor = 1.0 - np.clip((gaps - lo) / (hi - lo), 0.0, 1.0)
    out: F64 = base * arm_factor * gap_factor
    return out


def _arm_coverage(m: F32, settings: IconSettings) -> F64:
    """The least-covered arm of each mask: fraction of its sample points (and the centre)
    that are ink. A point counts as ink when its neighbourhood (``arm_slack`` template pixels
    around it) holds ink, which forgives slightly bent or off-centre strokes."""
    k, n, _ = m.shape
    samples = settings.arm_samples
    r = settings.arm_slack
    padded = np.pad(m, ((0, 0), (r, r), (r, r)))
    shifts = [padded[:, dy : dy + n, dx : dx + n] for dy in range(2 * r + 1) for dx in range(2 * r + 1)]
    inked = np.max(shifts, axis=0) >= settings.ink_coverage
    c = (n - 1) / 2.0
    centre = inked[:, round(c), round(c)].astype(np.float64)
    worst = np.ones(k)
    for dx, dy in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
        rows = [round(c + dy * t * c) for t in samples]
        cols = [round(c + dx * t * c) for t in samples]
        hits = inked[:, rows, cols].sum(axis=1) + centre
        worst = np.minimum(worst, hits / (len(samples) + 1))
    return worst


def _gap_fill(m: F32, depths: Sequence[float]) -> F64:
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
    out: F64 = np.mean(vals, axis=0).astype(np.float64)
    return out


def _ramp_up(x: float, lo_hi: tuple[float, float]) -> float:
    """0 below lo, 1 above hi, linear between."""
    lo, hi = lo_hi
    return float(min(1.0, max(0.0, (x - lo) / max(hi - lo, 1e-9))))


def _ramp_down(x: float, lo_hi: tuple[float, float]) -> float:
    """1 below lo, 0 above hi, linear between."""
    return 1.0 - _ramp_up(x, lo_hi)


# --- buttons --------------------------------------------------------------------------------


def _find_button(g: _Glyph, settings: IconSettings) -> tuple[XYWH, str, float | None] | None:
    """The button around a glyph, as (x, y, w, h) in band pixels, its style, and the other ink
    on its plate (None for a ring found during candidate search).

    An enclosing ring component found during candidate search makes an outlined button.
    Otherwise the plate is flood-filled from the wedges between the arms; a plate that stays
    inside the search window, is compact and of button size is a filled button.
    """
    if g.ring is not None:
        xywh, fill = g.ring
        return xywh, "square-outline" if fill >= settings.square_min_fill else "circle-outline", None
    gray = g.band.gray
    gx, gy, gw, gh = g.xywh
    half = round(settings.button_search * max(gw, gh) / 2)
    cx, cy = gx + gw // 2, gy + gh // 2
    H, W = gray.shape
    x1, y1, x2, y2 = max(0, cx - half), max(0, cy - half), min(W, cx + half), min(H, cy + half)
    win = np.ascontiguousarray(gray[y1:y2, x1:x2])
    seeds = _plate_seeds(win, g, settings, x1, y1)
    if not seeds:
        return None
    mask = np.zeros((win.shape[0] + 2, win.shape[1] + 2), np.uint8)
    tol = (settings.button_tolerance,) * 3
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (1 << 8)
    for seed in seeds:  # the arms can cut the plate into four wedges: fill from each
        if not mask[seed[1] + 1, seed[0] + 1]:
            cv2.floodFill(win, mask, seed, 0, tol, tol, flags)
    plate = mask[1:-1, 1:-1]
    if plate[0, :].any() or plate[-1, :].any() or plate[:, 0].any() or plate[:, -1].any():
        return None  # the plate is the background: no button
    return _button_shape(win, plate, g, settings, x1, y1)


def _plate_seeds(win: U8, g: _Glyph, settings: IconSettings, x1: int, y1: int) -> list[tuple[int, int]]:
    """Points between the arms (the side midpoints of the glyph box, outside its strokes)
    whose grey is within the fill tolerance of their median: the plate's colour."""
    gx, gy, gw, gh = g.xywh
    points = [(gx + gw // 2, gy), (gx + gw // 2, gy + gh - 1), (gx, gy + gh // 2), (gx + gw - 1, gy + gh // 2)]
    free = [(px - x1, py - y1) for px, py in points if not g.mask[py - gy, px - gx]]
    if not free:
        return []
    values = [float(win[py, px]) for px, py in free]
    median = float(np.median(values))
    return [p for p, v in zip(free, values, strict=True) if abs(v - median) <= settings.button_tolerance]


def _button_shape(win: U8, plate: U8, g: _Glyph, settings: IconSettings, x1: int,
                  y1: int) -> tuple[XYWH, str, float | None] | None:
    """Check a bounded plate's size and compactness; name its style; measure the other ink on
    it (:func:`_plate_clutter`)."""
    gx, gy, gw, gh = g.xywh
    solid = plate.copy()
    solid[gy - y1 : gy - y1 + gh, gx - x1 : gx - x1 + gw] |= g.mask
    contours, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    bx, by, bw, bh = cv2.boundingRect(max(contours, key=cv2.contourArea))
    side = max(gw, gh)
    lo, hi = settings.button_size
    if not (lo * side <= min(bw, bh) and max(bw, bh) <= hi * side):
        return None
    if max(bw, bh) / max(min(bw, bh), 1) > settings.max_aspect:
        return None
    fill = _filled_area(solid, contours) / (bw * bh)
    if fill < settings.button_min_fill:
        return None
    box = (bx + x1, by + y1, bw, bh)
    square = fill >= settings.square_min_fill
    clutter = _plate_clutter(solid, plate, contours, g, x1, y1)
    if _matches_outside(win, plate, g.band.px_per_dp, settings):
        return box, "square-outline" if square else "circle-outline", clutter
    return box, "square" if square else "circle-filled", clutter


def _plate_clutter(solid: U8, plate: U8, contours: Sequence[Any], g: _Glyph, x1: int, y1: int) -> float:
    """The share of a button's plate, around its glyph, that is neither plate nor glyph: other
    ink on the button. The glyph's anti-aliased edge (one pixel round its mask) is not counted.

    A glyph on a button is judged by what shares the button with it: ink beyond the plate's
    edge (the picture the button floats on) is not beside it, though the stroke map's side
    bands, a fixed multiple of the glyph wide, can reach past a small plate and see it."""
    gx, gy, gw, gh = g.xywh
    filled = np.zeros_like(solid)
    cv2.drawContours(filled, [max(contours, key=cv2.contourArea)], -1, 1, cv2.FILLED)
    glyph = np.zeros_like(solid)
    glyph[gy - y1 : gy - y1 + gh, gx - x1 : gx - x1 + gw] = g.mask
    around = (filled > 0) & (cv2.dilate(glyph, np.ones((3, 3), np.uint8)) == 0)
    if not around.any():
        return 0.0
    return float((around & (plate == 0)).sum() / around.sum())


def _matches_outside(win: U8, plate: U8, px_per_dp: float, settings: IconSettings) -> bool:
    """Whether the plate has the colour of what lies outside its boundary: then a thin ring,
    not a change of colour, bounds it, and the button is an outlined one."""
    skip = max(1, round(settings.outline_ring_dp * px_per_dp))
    sample = max(1, round(settings.outline_sample_dp * px_per_dp))
    grown = cv2.dilate(plate, np.ones((2 * skip + 1, 2 * skip + 1), np.uint8))
    beyond = cv2.dilate(grown, np.ones((2 * sample + 1, 2 * sample + 1), np.uint8)) - grown
    if not beyond.any():
        return False
    delta = abs(float(np.median(win[plate > 0])) - float(np.median(win[beyond > 0])))
    return delta <= settings.outline_max_delta


# --- output ---------------------------------------------------------------------------------


def _nms(glyphs: list[_Glyph], iou: float, limit: int, tie: float) -> list[_Glyph]:
    """Keep the best of glyphs that overlap (one × found at several levels, polarities or
    bands); a glyph centred inside a kept one is the same × too. Scores within ``tie`` of each
    other are a tie, which the finer band wins: it sees the glyph and its button in more detail.
    At most ``limit`` are kept, which bounds the work on screens full of ×-like marks."""
    if not glyphs:
        return []
    order = sorted(glyphs, key=lambda g: (-math.floor(g.score / tie), -g.band.scale))
    boxes = np.array([g.box.xyxy for g in order], dtype=np.float64)
    x1, y1, x2, y2 = boxes.T
    area = (x2 - x1) * (y2 - y1)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    alive = np.ones(len(order), dtype=bool)
    kept: list[_Glyph] = []
    for i, g in enumerate(order):
        if not alive[i]:
            continue
        kept.append(g)
        if len(kept) >= limit:
            break
        inter = np.clip(np.minimum(x2, x2[i]) - np.maximum(x1, x1[i]), 0, None) * np.clip(
            np.minimum(y2, y2[i]) - np.maximum(y1, y1[i]), 0, None
        )
        overlap = inter / np.maximum(area + area[i] - inter, 1e-9) >= iou
        inside = (x1[i] <= cx) & (cx < x2[i]) & (y1[i] <= cy) & (cy < y2[i])
        alive &= ~(overlap | inside)
    return kept


def _to_original(xywh: XYWH, scale: float, size: tuple[int, int]) -> Box:
    """A band-pixel box in original-image pixels, clipped to the image."""
    x, y, w, h = xywh
    return Box(x / scale, y / scale, (x + w) / scale, (y + h) / scale).clip(*size)


def _outside_text(ids: npt.NDArray[np.intp], stats: I32, lines: F64, x0: int, y0: int) -> npt.NDArray[np.intp]:
    """The components whose box centre lies in none of the excluded text lines: a × inside a
    word ("XBOX") is a letter. Checked before the costlier scoring, as text is where ×-like
    letters crowd."""
    if ids.size == 0 or lines.size == 0:
        return ids
    cx = x0 + stats[ids, cv2.CC_STAT_LEFT] + stats[ids, cv2.CC_STAT_WIDTH] / 2
    cy = y0 + stats[ids, cv2.CC_STAT_TOP] + stats[ids, cv2.CC_STAT_HEIGHT] / 2
    inside = (
        (lines[None, :, 0] <= cx[:, None]) & (cx[:, None] < lines[None, :, 2])
        & (lines[None, :, 1] <= cy[:, None]) & (cy[:, None] < lines[None, :, 3])
    ).any(axis=1)
    kept: npt.NDArray[np.intp] = ids[~inside]
    return kept


def _describe(g: _Glyph, size: tuple[int, int], settings: IconSettings) -> IconCandidate:
    """Turn a kept glyph into an IconCandidate in original pixels, with its button if any.

    A plain glyph (no button) also has to stand alone in the grey image: the top-hat map
    that found it does not show solid shapes, like the speaker beside the × of a mute icon.
    A glyph on a flood-filled plate is judged by the other ink on that plate when that is
    kinder than the stroke map's side bands (see :func:`_plate_clutter`).
    """
    button = _find_button(g, settings)
    if button is None:
        score = g.score * _ramp_down(_grey_clutter(g, settings), settings.max_clutter)
        if score > 0 and _has_partner(g, settings):
            score = 0.0  # the × of a compound mark: a mute icon, an AdChoices-style ▷×
        return IconCandidate(g.box, g.box, round(score, 3), "plain", g.polarity)
    xywh, style, on_plate = button
    score = g.score
    if on_plate is not None:  # other ink beside the glyph counts only on its own plate
        score = max(score, g.shape * _ramp_down(on_plate, settings.max_clutter))
    return IconCandidate(_to_original(xywh, g.band.scale, size), g.box, round(score, 3), style, g.polarity)


def _grey_clutter(g: _Glyph, settings: IconSettings) -> float:
    """Ink of the glyph's own colour beside it in the grey image: the fullest side band.

    "Own colour" is within ``ink_tolerance`` of the glyph's contrast from the glyph's median
    grey: the speaker of a mute icon and the letters of a word are drawn in the glyph's
    colour, while the sky or leaves of a photo behind a × rarely match it.

    Only *neighbours* count: shapes of the glyph's own colour that end within
    ``neighbour_reach`` glyph sides beyond the band, along the glyph's side (letters are about
    as tall as the ×, a mute icon's speaker about twice as tall). A shape that runs on past that
    is the edge of a picture, a card or the screen the × sits beside, not a second glyph. A neighbour also sits on the glyph's own background
    (the grey right around it, within the same tolerance): a dark shape inside a picture below
    a bold black × on a white card is part of the picture. Ink inside an excluded text line
    does not count either: that line was read as a word the × is not part of (a dialog title
    ending just left of its ×).
    """
    gray = g.band.gray.astype(np.int16)
    x, y, w, h = g.xywh
    inside = gray[y : y + h, x : x + w]
    ink = g.mask.astype(bool)
    if ink.all():
        return 0.0
    colour, ground = float(np.median(inside[ink])), float(np.median(inside[~ink]))
    tolerance = settings.ink_tolerance * abs(colour - ground)
    d = max(1, round(settings.isolation_margin * max(w, h)))
    reach = max(1, round(settings.neighbour_reach * max(w, h)))
    # each side band (x1, y1, x2, y2), whether it runs vertically (left, right) or across (top,
    # bottom), and which way is outwards (away from the glyph)
    bands = (
        ((x - d, y, x, y + h), True, -1),
        ((x + w, y, x + w + d, y + h), True, 1),
        ((x, y - d, x + w, y), False, -1),
        ((x, y + h, x + w, y + h + d), False, 1),
    )
    return max((_neighbour_ink(gray, (colour, ground), tolerance, b, (vertical, out), reach, g.band.exclude)
                for b, vertical, out in bands), default=0.0)


def _neighbour_ink(gray: npt.NDArray[np.int16], colours: tuple[float, float], tolerance: float,
                   band: tuple[int, int, int, int], direction: tuple[bool, int], reach: int, exclude: F64) -> float:
    """The share of a side band covered by neighbours (see :func:`_grey_clutter`): shapes of the
    glyph's colour (``colours[0]``) that end within ``reach`` of the band's ends along its length
    and whose rim has the glyph's background grey (``colours[1]``); 0 for an empty band.

    ``direction`` is (the band runs vertically, +1 or -1 the way outwards from the glyph). The
    shapes are cut from the band grown by ``reach`` along its length and outwards, so that a
    neighbour is seen whole and a shape inside a picture shows the picture around it.
    """
    colour, ground = colours
    vertical, out = direction
    H, W = gray.shape
    bx1, by1, bx2, by2 = max(0, band[0]), max(0, band[1]), min(W, band[2]), min(H, band[3])
    if bx2 <= bx1 or by2 <= by1:
        return 0.0
    if vertical:
        ex1, ex2 = (max(0, bx1 - reach), bx2) if out < 0 else (bx1, min(W, bx2 + reach))
        ey1, ey2 = max(0, by1 - reach), min(H, by2 + reach)
    else:
        ey1, ey2 = (max(0, by1 - reach), by2) if out < 0 else (by1, min(H, by2 + reach))
        ex1, ex2 = max(0, bx1 - reach), min(W, bx2 + reach)
    own = (np.abs(gray[ey1:ey2, ex1:ex2] - colour) <= tolerance).astype(np.uint8)
    for lx1, ly1, lx2, ly2 in exclude:
        own[max(0, int(ly1) - ey1) : max(0, math.ceil(ly2) - ey1), max(0, int(lx1) - ex1) : max(0, math.ceil(lx2) - ex1)] = 0
    inside = (slice(by1 - ey1, by2 - ey1), slice(bx1 - ex1, bx2 - ex1))
    if not own[inside].any():
        return 0.0
    n, labels = cv2.connectedComponents(own, connectivity=8)
    ends = (labels[0, :], labels[-1, :]) if vertical else (labels[:, 0], labels[:, -1])
    through = np.zeros(n, dtype=bool)
    for end in ends:
        through[end] = True
    through[0] = True  # background
    region = gray[ey1:ey2, ex1:ex2]
    for i in np.unique(labels[inside]):
        if through[i]:
            continue
        shape = (labels == i).astype(np.uint8)
        # the rim two pixels out: the first ring is the shape's own anti-aliased edge
        rim = cv2.dilate(shape, np.ones((5, 5), np.uint8)) > cv2.dilate(shape, np.ones((3, 3), np.uint8))
        if rim.any() and abs(float(np.median(region[rim])) - ground) > tolerance:
            through[i] = True  # it lies on something else: a picture's content, not the glyph's neighbour
    kept = ~through[labels[inside]]
    return float(kept.mean())


def _has_partner(g: _Glyph, settings: IconSettings) -> bool:
    """Whether a plain glyph is one half of a compound mark: a solid pictogram right beside it.

    A mute icon draws its × next to a speaker, an in-page ad's AdChoices-style mark draws it
    next to a ▷; neither closes the screen. The partner is a shape that stands out from the
    glyph's background in the glyph's direction (darker for a dark ×) by ``partner_ink`` of the
    glyph's contrast, whatever its hue (the ▷ is cyan, the × grey), and that:

    - starts within ``partner_gap`` glyph sides of the glyph, to its left or right;
    - is about as tall as the glyph or taller (``partner_height``, glyph heights), about as wide
      (``partner_width``, glyph sides), and centred on the glyph's row (``partner_centring``);
    - is solid: its pixels are at least ``partner_min_solidity`` of its rasterised convex hull's
      and it encloses no holes (at most ``partner_max_holes`` of its area): a triangle or a
      speaker is, a letter, a digit, a ring or an arrow drawn in strokes is not;
    - ends inside the search window and sits on the glyph's background, so it is a mark of its
      own, not a picture's edge or its content; ink inside an excluded text line does not count.
    """
    gray = g.band.gray.astype(np.int16)
    x, y, w, h = g.xywh
    ink = g.mask.astype(bool)
    if ink.all():
        return False
    H, W = gray.shape
    colour = float(np.median(gray[y : y + h, x : x + w][ink]))
    # the background: a ring two to three pixels outside the box (inside it, a small glyph's
    # anti-aliased edge would pull the estimate towards the ink)
    outer = gray[max(0, y - 3) : min(H, y + h + 3), max(0, x - 3) : min(W, x + w + 3)]
    ring = np.ones(outer.shape, bool)
    ring[2:-2, 2:-2] = False
    ground = float(np.median(outer[ring]))
    contrast = colour - ground
    if abs(contrast) < 1:
        return False
    side = max(w, h)
    gap = max(1, round(settings.partner_gap * side))
    reach = gap + round(settings.partner_width[1] * side) + 2
    half = round(settings.partner_height[1] * h / 2 + settings.partner_centring * side) + 2  # the tallest partner, off-centre
    cy = y + h / 2
    y1, y2 = max(0, round(cy) - half), min(H, round(cy) + half)
    tolerance = settings.ink_tolerance * abs(contrast)
    for x1, x2 in ((max(0, x - reach), x), (x + w, min(W, x + w + reach))):
        if x2 - x1 < 2 or y2 <= y1:
            continue
        region = gray[y1:y2, x1:x2]
        strong = ((region - ground) * np.sign(contrast) >= settings.partner_ink * abs(contrast)).astype(np.uint8)
        for lx1, ly1, lx2, ly2 in g.band.exclude:
            strong[max(0, int(ly1) - y1) : max(0, math.ceil(ly2) - y1), max(0, int(lx1) - x1) : max(0, math.ceil(lx2) - x1)] = 0
        n, labels, stats, _ = cv2.connectedComponentsWithStats(strong, connectivity=8)
        for i in range(1, n):
            px, py, pw, ph, area = (int(v) for v in stats[i])
            left = x2 == x  # the window left of the glyph
            far_edge = px == 0 if left else px + pw == x2 - x1
            if far_edge or py == 0 or py + ph == y2 - y1:
                continue  # runs on past the window: an edge or a picture, not a mark
            near = (x1 + px + pw >= x - gap) if left else (x1 + px <= x + w + gap)
            lo_h, hi_h = settings.partner_height
            lo_w, hi_w = settings.partner_width
            if not (near and lo_h * h <= ph <= hi_h * h and lo_w * side <= pw <= hi_w * side):
                continue
            if abs(y1 + py + ph / 2 - cy) > settings.partner_centring * side:
                continue
            shape = (labels[py : py + ph, px : px + pw] == i).astype(np.uint8)
            contours, _ = cv2.findContours(shape, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
            hull = np.zeros_like(shape)  # the hull rasterised like the shape, so small shapes are not biased
            cv2.fillConvexPoly(hull, cv2.convexHull(np.concatenate(contours)), 1)
            filled = np.zeros_like(shape)
            cv2.drawContours(filled, contours, -1, 1, cv2.FILLED)
            if area < settings.partner_min_solidity * int(hull.sum()) or int(filled.sum()) - area > settings.partner_max_holes * area:
                continue
            # it sits on the glyph's background: the rim two pixels out has the ground's grey
            pad = np.pad(shape, 3)
            rim = cv2.dilate(pad, np.ones((5, 5), np.uint8)) > cv2.dilate(pad, np.ones((3, 3), np.uint8))
            ry, rx = np.nonzero(rim)
            ry, rx = ry - 3 + y1 + py, rx - 3 + x1 + px
            ok = (ry >= 0) & (ry < H) & (rx >= 0) & (rx < W)
            if ok.any() and abs(float(np.median(gray[ry[ok], rx[ok]])) - ground) <= tolerance:
                return True
    return False
