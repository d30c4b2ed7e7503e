"""The AdChoices mark: an ad label with no text, found by its standard colour and place.

Most Western in-app ads carry the Digital Advertising Alliance's AdChoices mark (a cyan ▷ with
an "i") in a corner instead of the word "Ad"; OCR cannot read it, so it is found here.
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
