"""Ad labels with no text, found by their standard look and place: the AdChoices ▷ and the ⓘ.

Most Western in-app ads carry the Digital Advertising Alliance's AdChoices mark (a cyan ▷ with
an "i") or an ad-information ⓘ in a corner instead of the word "Ad"; OCR cannot read either, so
they are found here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import cv2
import numpy as np
import numpy.typing as npt

from .profile import RuleProfile
from .types import Box

LocalBox = tuple[int, int, int, int]  # x, y, width, height inside a corner patch


def _nearest_per_corner(rgb: npt.NDArray[np.uint8], *, density: float, profile: RuleProfile, max_side_dp: float,
                        find: Callable[[npt.NDArray[np.uint8]], Iterable[LocalBox]]) -> list[Box]:
    """Run ``find`` on each screen corner's patch and keep, per corner, the mark nearest it.

    A corner is ``ad_mark.corner_fraction`` of the shorter side; the bottom corners are also
    taken above the navigation bar, which is system UI drawn over the ad.
    """
    h, w = rgb.shape[:2]
    corner = profile.setting("ad_mark", "corner_fraction") * min(w, h)
    nav = profile.setting("units", "navigation_bar_dp") * density
    reach = corner + max_side_dp * density
    found: list[Box] = []
    for right in (False, True):
        for bottom in (False, True):
            x0 = int(max(0.0, w - reach)) if right else 0
            y0 = int(max(0.0, h - nav - reach)) if bottom else 0
            patch = rgb[y0 : h if bottom else int(min(h, reach)), x0 : w if right else int(min(w, reach))]
            if patch.size == 0:
                continue
            best: tuple[float, Box] | None = None
            for bx, by, bw, bh in find(patch):
                box = Box(float(x0 + bx), float(y0 + by), float(x0 + bx + bw), float(y0 + by + bh))
                cx, cy = box.center
                dx = (w - cx) if right else cx
                dy = min(h - cy, abs(h - nav - cy)) if bottom else cy
                if dx <= corner and dy <= corner and (best is None or dx + dy < best[0]):
                    best = (dx + dy, box)
            if best is not None:
                found.append(best[1])
    return found


def find_ad_marks(rgb: npt.NDArray[np.uint8], *, density: float, profile: RuleProfile) -> list[Box]:
    """Boxes of AdChoices-style marks (the cyan ▷), at most one per screen corner."""
    s = profile.setting
    min_side, max_side = s("ad_mark", "min_side_dp") * density, s("ad_mark", "max_side_dp") * density
    lo = np.array([s("ad_mark", "hue_min"), s("ad_mark", "min_saturation"), s("ad_mark", "min_value")], np.uint8)
    hi = np.array([s("ad_mark", "hue_max"), 255, 255], np.uint8)

    def cyan_marks(patch: npt.NDArray[np.uint8]) -> Iterable[LocalBox]:
        mask = cv2.inRange(cv2.cvtColor(patch, cv2.COLOR_RGB2HSV), lo, hi)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, n):
            bx, by, bw, bh, area = (int(v) for v in stats[i])
            if not (min_side <= max(bw, bh) <= max_side and min(bw, bh) >= 0.5 * max(bw, bh)):
                continue
            if s("ad_mark", "min_fill") <= area / float(bw * bh) <= s("ad_mark", "max_fill"):
                yield bx, by, bw, bh

    return _nearest_per_corner(rgb, density=density, profile=profile, max_side_dp=s("ad_mark", "max_side_dp"),
                               find=cyan_marks)


def _is_info_glyph(inner: npt.NDArray[np.uint8]) -> bool:
    """``inner`` (a binary crop of a ring's inside, glyph pixels set) holds an "i": a dot above a
    vertical bar, both centred, and nothing else of size."""
    n, _, stats, centroids = cv2.connectedComponentsWithStats(inner, connectivity=8)
    side = float(max(inner.shape))
    parts = [(stats[i], centroids[i]) for i in range(1, n) if stats[i][4] >= max(2.0, 0.004 * side * side)]
    if len(parts) != 2:
        return False
    (dot, dot_c), (bar, bar_c) = sorted(parts, key=lambda p: p[1][1])
    mid = inner.shape[1] / 2.0
    centred = abs(dot_c[0] - mid) <= 0.18 * inner.shape[1] and abs(bar_c[0] - mid) <= 0.18 * inner.shape[1]
    bar_upright = bar[3] >= 1.8 * bar[2] and bar[3] >= 0.3 * inner.shape[0]
    dot_small = dot[3] <= 0.6 * bar[3] and dot[1] + dot[3] <= bar[1] + 1
    return bool(centred and bar_upright and dot_small)


def find_info_marks(rgb: npt.NDArray[np.uint8], *, density: float, profile: RuleProfile) -> list[Box]:
    """Boxes of ⓘ ad-information marks (an "i" in a ring), at most one per screen corner.

    Ad networks that do not use the AdChoices ▷ put a small ⓘ in a corner of a full-screen ad
    (it opens "why this ad"); like the ▷ it is an ad label OCR cannot read.
    """
    s = profile.setting
    min_side, max_side = s("ad_mark", "info_min_side_dp") * density, s("ad_mark", "max_side_dp") * density

    def info_marks(patch: npt.NDArray[np.uint8]) -> Iterable[LocalBox]:
        gray = cv2.cvtColor(np.ascontiguousarray(patch[:, :, :3]), cv2.COLOR_RGB2GRAY)
        thresh, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        for binary in ((gray > thresh).astype(np.uint8) * 255, (gray <= thresh).astype(np.uint8) * 255):
            contours, hierarchy = cv2.findContours(binary, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
            if hierarchy is None:
                continue
            for i, c in enumerate(contours):
                if hierarchy[0][i][3] != -1 or hierarchy[0][i][2] == -1:
                    continue  # not an outer boundary, or one without a hole: not a ring
                bx, by, bw, bh = cv2.boundingRect(c)
                if not (min_side <= max(bw, bh) <= max_side and 0.8 <= bw / float(bh) <= 1.25):
                    continue
                perimeter = cv2.arcLength(c, True)
                if perimeter <= 0 or 4 * np.pi * cv2.contourArea(c) / perimeter**2 < s("ad_mark", "info_min_circularity"):
                    continue
                m = max(1, round(0.2 * bw))
                inner = binary[by + m : by + bh - m, bx + m : bx + bw - m]
                if inner.size and _is_info_glyph(inner):
                    yield bx, by, bw, bh

    return _nearest_per_corner(rgb, density=density, profile=profile, max_side_dp=s("ad_mark", "max_side_dp"),
                               find=info_marks)


def beside_ad_choices(rgb: npt.NDArray[np.uint8], close: Box, *, density: float, profile: RuleProfile) -> bool:
    """Whether the × in ``close`` sits right of an AdChoices ▷ on the same tag (an in-page ad
    banner's ▷× corner tag, as ad networks draw it): that × closes the banner, not the screen's
    overlay. The ▷ is looked for in a patch as tall as the × and twice as wide, just left of it,
    by its hue and saturation only: under a pop-up's scrim the banner's cyan keeps both and loses
    brightness (``ad_mark.dimmed_min_value``)."""
    s = profile.setting
    h = rgb.shape[0]
    side = max(close.width, close.height)
    x1, x2 = int(max(0.0, close.x1 - 2 * side)), int(max(0.0, close.x1 + 0.1 * side))
    y1, y2 = int(max(0.0, close.y1 - 0.2 * side)), int(min(float(h), close.y2 + 0.2 * side))
    patch = np.ascontiguousarray(rgb[y1:y2, x1:x2, :3])
    if patch.size == 0 or side > s("ad_mark", "max_side_dp") * density:
        return False
    lo = np.array([s("ad_mark", "hue_min"), s("ad_mark", "min_saturation"), s("ad_mark", "dimmed_min_value")], np.uint8)
    hi = np.array([s("ad_mark", "hue_max"), 255, 255], np.uint8)
    mask = cv2.inRange(cv2.cvtColor(patch, cv2.COLOR_RGB2HSV), lo, hi)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    for i in range(1, n):
        _, _, bw, bh, area = (int(v) for v in stats[i])
        # a ▷ about the ×'s own size (half of it at least), filling part of its box
        if max(bw, bh) >= 0.5 * side and min(bw, bh) >= 0.5 * max(bw, bh) \
                and s("ad_mark", "min_fill") <= area / float(bw * bh) <= s("ad_mark", "max_fill"):
            return True
    return False


def after_a_glyph(rgb: npt.NDArray[np.uint8], glyph: Box, *, light: bool | None, profile: RuleProfile) -> bool:
    """Whether the × drawn in ``glyph`` (light ink on dark with ``light``) is the second half of a
    compound mark: a solid shape in the ×'s own ink right before it on its row, as tall as the ×
    or taller, as a video's mute mark draws its speaker (🔇). Such a × belongs to its mark and
    closes nothing; an overlay's close button stands alone on its ground. The shape is sought in
    a patch ``compound_mark.reach`` × sides to the left, split from the ground halfway between
    the ×'s ink and the ground's median grey."""
    s = profile.setting
    side = max(glyph.width, glyph.height)
    h, w = rgb.shape[:2]
    reach = s("compound_mark", "reach") * side
    x1, x2 = int(max(0.0, glyph.x1 - reach)), int(max(0.0, glyph.x1))
    cy = glyph.center[1]
    y1, y2 = int(max(0.0, cy - 2 * side)), int(min(float(h), cy + 2 * side))
    gx1, gy1, gx2, gy2 = glyph.clip(w, h).to_int()
    if x2 - x1 < 3 or y2 - y1 < 3 or gx2 - gx1 < 2 or gy2 - gy1 < 2:
        return False
    # only the ×'s row is converted to grey: this runs for every × candidate
    rx1, rx2, ry1, ry2 = min(x1, gx1), max(x2, gx2), min(y1, gy1), max(y2, gy2)
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[ry1:ry2, rx1:rx2, :3]), cv2.COLOR_RGB2GRAY).astype(np.float32)
    ink_box = grey[gy1 - ry1 : gy2 - ry1, gx1 - rx1 : gx2 - rx1]
    patch = grey[y1 - ry1 : y2 - ry1, x1 - rx1 : x2 - rx1]
    ground = float(np.median(patch))
    if light is None:
        light = float(np.percentile(ink_box, 90)) - ground > ground - float(np.percentile(ink_box, 10))
    ink = float(np.percentile(ink_box, 90 if light else 10))
    if abs(ink - ground) < s("compound_mark", "min_ink_contrast"):
        return False
    mask = ((patch > (ink + ground) / 2) if light else (patch < (ink + ground) / 2)).astype(np.uint8)
    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    for i in range(1, n):
        bx, by, bw, bh, area = (int(v) for v in stats[i])
        near = x1 + bx + bw >= glyph.x1 - s("compound_mark", "max_gap") * side
        level = abs(y1 + float(centroids[i][1]) - cy) <= s("compound_mark", "row_offset") * side
        sized = s("compound_mark", "min_height") * glyph.height <= bh <= s("compound_mark", "max_height") * glyph.height
        solid = (bw >= s("compound_mark", "min_width") * max(side, bh)
                 and area >= s("compound_mark", "min_fill") * bw * bh)
        # whole inside the patch: not the ground's edge, nor a picture's shape running off it,
        # nor a button's outline running on round the × (it reaches the ×'s side)
        whole = by > 0 and by + bh < y2 - y1 and bx > 0 and bx + bw < x2 - x1
        if near and level and sized and solid and whole:
            return True
    return False
