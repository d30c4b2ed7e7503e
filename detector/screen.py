"""Screen understanding: find the window (a card over dimmed content) and name the screen type.

The decision is a short, readable list of cues rather than a learned model: what dismisses the
screen (× or 跳过 and where), what it invites (jump hints, calls to action, shake, ad label),
whether a card sits over a scrim, and how much text the page carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from .measure import luminance_map
from .profile import RuleProfile
from .types import Box, Element, ElementKind, ScreenType

# Working width for card finding: a card is large, so 360 px wide is plenty and keeps it ~5 ms.
_WORK_WIDTH = 360


@dataclass(frozen=True, slots=True)
class WindowCandidate:
    box: Box
    dim_ratio: float  # mean luminance outside the card / inside; < 1 means the outside is darker


@dataclass(frozen=True, slots=True)
class ScreenDecision:
    screen_type: ScreenType
    window: Box | None
    confidence: float
    reason: str


def find_windows(rgb: npt.NDArray[np.uint8], *, profile: RuleProfile) -> list[WindowCandidate]:
    """Rectangular cards: closed, nearly rectangular edge contours of card size, largest first."""
    h, w = rgb.shape[:2]
    scale = _WORK_WIDTH / w if w > _WORK_WIDTH else 1.0
    small = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (3, 3), 0), 20, 60)
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    sh, sw = gray.shape
    screen_area = float(sh * sw)
    min_area = profile.setting("screen", "window_min_area") * screen_area
    max_area = profile.setting("screen", "window_max_area") * screen_area
    lum = luminance_map(small)
    found: list[WindowCandidate] = []
    for c in contours:
        x, y, cw, ch = cv2.boundingRect(c)
        area = float(cw * ch)
        if not (min_area <= area <= max_area) or cw < 0.4 * sw:
            continue
        hull_area = cv2.contourArea(cv2.convexHull(c))
        if hull_area < 0.85 * area:
            continue
        inside = lum[y : y + ch, x : x + cw]
        outside_mask = np.ones_like(lum, dtype=bool)
        outside_mask[y : y + ch, x : x + cw] = False
        outside = lum[outside_mask]
        if outside.size == 0 or inside.size == 0:
            continue
        dim = float((outside.mean() + 0.05) / (inside.mean() + 0.05))
        box = Box(x / scale, y / scale, (x + cw) / scale, (y + ch) / scale).clip(w, h)
        if any(box.iou(f.box) > 0.9 for f in found):
            continue
        found.append(WindowCandidate(box=box, dim_ratio=dim))
    found.sort(key=lambda f: f.box.area, reverse=True)
    return found


def _in_top_band(e: Element, height: int, fraction: float) -> bool:
    return e.box.center[1] < fraction * height


def classify_screen(
    rgb: npt.NDArray[np.uint8],
    elements: Sequence[Element],
    *,
    profile: RuleProfile,
    min_icon_score: float,
) -> ScreenDecision:
    """Name the screen type and its window from the elements found on it."""
    h, w = rgb.shape[:2]
    full = Box(0, 0, w, h)
    top_band = profile.setting("screen", "top_band_fraction")
    dense_lines = profile.setting("screen", "dense_text_lines")
    dim_limit = profile.setting("screen", "dim_luminance_ratio")

    closes = [e for e in elements if e.kind.is_close_control and (e.source == "ocr" or e.score >= min_icon_score)]
    texts = [e for e in elements if e.source == "ocr"]
    kinds = {e.kind for e in elements}
    strong_ad = kinds & {ElementKind.AD_LABEL, ElementKind.JUMP_HINT, ElementKind.SHAKE}
    dialog_words = sum(1 for e in texts if e.attr("dialog_word"))
    dense = len(texts) >= dense_lines

    skip_top = [
        e for e in closes
        if e.kind in (ElementKind.CLOSE_COUNTDOWN, ElementKind.CLOSE_TEXT)
        and _in_top_band(e, h, top_band)
        and not e.attr("weak_close")
        and e.box.center[0] > w / 2
    ]
    if skip_top and not dense:
        return ScreenDecision(ScreenType.SPLASH, full, 0.8, f"dismiss text {skip_top[0].text!r} in the top band")

    windows = find_windows(rgb, profile=profile)
    for win in windows:
        near = win.box.expand(0.05 * w, 0.08 * h)
        inside = [e for e in closes if near.contains_point(*e.box.center)]
        if not inside or win.dim_ratio > dim_limit:
            continue
        text_closes = [e for e in inside if e.kind != ElementKind.CLOSE_ICON]
        if (dialog_words or text_closes) and not strong_ad:
            return ScreenDecision(ScreenType.DIALOG, win.box, 0.7, "a card with dismiss text over a scrim")
        return ScreenDecision(ScreenType.POPUP, win.box, 0.7, "a card with a close control over a scrim")

    if closes:
        if dense and not strong_ad:
            return ScreenDecision(ScreenType.NONE, None, 0.6, "an ordinary page: much text, no ad cue")
        if any(e.kind != ElementKind.CLOSE_ICON for e in closes) and dialog_words and not strong_ad:
            return ScreenDecision(ScreenType.DIALOG, full, 0.6, "dismiss text with dialog wording")
        return ScreenDecision(ScreenType.INTERSTITIAL, full, 0.7, "a full-screen overlay with a close control")
    if strong_ad and not dense:
        return ScreenDecision(ScreenType.INTERSTITIAL, full, 0.6, "a full-screen ad with no close control")
    return ScreenDecision(ScreenType.NONE, None, 0.8, "no close control and no ad cue")
