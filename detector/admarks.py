"""Ad labels with no text, found by their standard look and place: the AdChoices ▷ and the ⓘ.

Most Western in-app ads carry the Digital Advertising Alliance's AdChoices mark (a cyan ▷ with
an "i") or an ad-information ⓘ in a corner instead of the word "Ad"; OCR cannot read either, so
they are found here.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from .profile import RuleProfile
from .types import Box


def find_ad_marks(rgb: npt.NDArray[np.uint8], *, density: float, profile: RuleProfile) -> list[Box]:
    """Boxes of AdChoices-style marks, at most one per screen corner (the one nearest the corner).

    The bottom corners are taken above the navigation bar, which is system UI drawn over the ad.
    """
    s = profile.setting
    h, w = rgb.shape[:2]
    corner = s("ad_mark", "corner_fraction") * min(w, h)
    nav = s("units", "navigation_bar_dp") * density
    min_side, max_side = s("ad_mark", "min_side_dp") * density, s("ad_mark", "max_side_dp") * density
    lo = np.array([s("ad_mark", "hue_min"), s("ad_mark", "min_saturation"), s("ad_mark", "min_value")], np.uint8)
    hi = np.array([s("ad_mark", "hue_max"), 255, 255], np.uint8)
    reach = corner + max_side
    found: list[Box] = []
    for right in (False, True):
        for bottom in (False, True):
            x0 = int(max(0.0, w - reach)) if right else 0
            y0 = int(max(0.0, h - nav - reach)) if bottom else 0
            x1 = w if right else int(min(w, reach))
            y1 = h if bottom else int(min(h, reach))
            patch = rgb[y0:y1, x0:x1]
            if patch.size == 0:
                continue
            mask = cv2.inRange(cv2.cvtColor(patch, cv2.COLOR_RGB2HSV), lo, hi)
            mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
            n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
            best: tuple[float, Box] | None = None
            for i in range(1, n):
                bx, by, bw, bh, area = (int(v) for v in stats[i])
                if not (min_side <= max(bw, bh) <= max_side and min(bw, bh) >= 0.5 * max(bw, bh)):
                    continue
                if not s("ad_mark", "min_fill") <= area / float(bw * bh) <= s("ad_mark", "max_fill"):
                    continue
                box = Box(float(x0 + bx), float(y0 + by), float(x0 + bx + bw), float(y0 + by + bh))
                cx, cy = box.center
                dx = (w - cx) if right else cx
                dy = min(h - cy, abs(h - nav - cy)) if bottom else cy
                if dx <= corner and dy <= corner and (best is None or dx + dy < best[0]):
                    best = (dx + dy, box)
            if best is not None:
                found.append(best[1])
    return found


def _corner_patches(w: int, h: int, reach: float, nav: float) -> list[tuple[bool, bool, int, int, int, int]]:
    out = []
    for right in (False, True):
        for bottom in (False, True):
            x0 = int(max(0.0, w - reach)) if right else 0
            y0 = int(max(0.0, h - nav - reach)) if bottom else 0
            x1 = w if right else int(min(w, reach))
            y1 = h if bottom else int(min(h, reach))
            out.append((right, bottom, x0, y0, x1, y1))
    return out


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
    h, w = rgb.shape[:2]
    corner = s("ad_mark", "corner_fraction") * min(w, h)
    nav = s("units", "navigation_bar_dp") * density
    min_side, max_side = s("ad_mark", "info_min_side_dp") * density, s("ad_mark", "max_side_dp") * density
    gray_all = cv2.cvtColor(np.ascontiguousarray(rgb[:, :, :3]), cv2.COLOR_RGB2GRAY)
    found: list[Box] = []
    for right, bottom, x0, y0, x1, y1 in _corner_patches(w, h, corner + max_side, nav):
        gray = gray_all[y0:y1, x0:x1]
        if gray.size == 0:
            continue
        thresh, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        best: tuple[float, Box] | None = None
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
                if inner.size == 0 or not _is_info_glyph(inner):
                    continue
                box = Box(float(x0 + bx), float(y0 + by), float(x0 + bx + bw), float(y0 + by + bh))
                cx, cy = box.center
                dx = (w - cx) if right else cx
                dy = min(h - cy, abs(h - nav - cy)) if bottom else cy
                if dx <= corner and dy <= corner and (best is None or dx + dy < best[0]):
                    best = (dx + dy, box)
        if best is not None:
            found.append(best[1])
    return found
