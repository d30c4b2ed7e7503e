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
    """Cards: closed, nearly rectangular edge contours of card size.

    Ordered by preference: cards with a margin on both sides first (a pop-up floats; a full-width
    band is more often part of the page), then larger ones.
    """
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
    min_height = profile.setting("screen", "window_min_height") * sh
    lum = luminance_map(np.asarray(small, dtype=np.uint8))
    found: list[WindowCandidate] = []
    for c in contours:
        x, y, cw, ch = cv2.boundingRect(c)
        area = float(cw * ch)
        if not (min_area <= area <= max_area) or cw < 0.4 * sw or ch < min_height:
            continue
        if cv2.contourArea(cv2.convexHull(c)) < 0.85 * area:
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

    def preference(f: WindowCandidate) -> tuple[bool, float]:
        margin = 0.02 * w
        floats = f.box.x1 > margin and f.box.x2 < w - margin
        return (not floats, -f.box.area)

    found.sort(key=preference)
    return found


def _in_top_band(e: Element, height: int, fraction: float) -> bool:
    return e.box.center[1] < fraction * height


def _top_right(e: Element, width: int, height: int, fraction: float) -> bool:
    return e.box.center[1] < fraction * height and e.box.center[0] > 0.75 * width


def classify_screen(
    rgb: npt.NDArray[np.uint8],
    elements: Sequence[Element],
    *,
    profile: RuleProfile,
    min_icon_score: float,
    text_lines: int | None = None,
) -> ScreenDecision:
    """Name the screen type and its window from the elements found on it.

    In order: a skip control in the top band makes a splash; a card over a scrim holding a close
    control (or over a very dark scrim) makes a dialog (dialog wording, dismiss text, no ad cue)
    or a pop-up; a full-screen page with a close control and ad cues, dismiss text, or a × in the
    top-right corner makes an interstitial; a dense page with no ad cue is an ordinary screen.
    """
    h, w = rgb.shape[:2]
    full = Box(0, 0, w, h)
    top_band = profile.setting("screen", "top_band_fraction")
    dense_lines = profile.setting("screen", "dense_text_lines")
    dim_limit = profile.setting("screen", "dim_luminance_ratio")
    strong_dim = profile.setting("screen", "strong_dim_ratio")

    closes = [e for e in elements if e.kind.is_close_control and (e.source == "ocr" or e.score >= min_icon_score)]
    texts = [e for e in elements if e.source == "ocr"]
    kinds = {e.kind for e in elements}
    invites = bool(kinds & {ElementKind.JUMP_HINT, ElementKind.SHAKE})  # the screen asks to jump away
    strong_ad = invites or (ElementKind.AD_LABEL in kinds)
    dialog_words = sum(1 for e in texts if e.attr("dialog_word"))
    dense = (text_lines if text_lines is not None else len(texts)) >= dense_lines
    text_closes = [e for e in closes if e.kind != ElementKind.CLOSE_ICON]

    skip_top = [
        e for e in text_closes
        if _in_top_band(e, h, top_band) and not e.attr("weak_close") and e.box.center[0] > w / 2
    ]
    if skip_top and (not dense or invites or any(e.kind == ElementKind.CLOSE_COUNTDOWN for e in skip_top)):
        return ScreenDecision(ScreenType.SPLASH, full, 0.8, f"dismiss control {skip_top[0].text!r} in the top band")

    for win in find_windows(rgb, profile=profile):
        floats = win.box.x1 > 0.02 * w and win.box.x2 < 0.98 * w
        sheet = win.box.y2 > 0.97 * h  # a bottom sheet may span the width
        if win.dim_ratio > dim_limit or not (floats or sheet):
            continue
        near = win.box.expand(0.05 * w, 0.08 * h)
        inside = [e for e in closes if near.contains_point(*e.box.center)]
        if not inside and not (win.dim_ratio <= strong_dim and floats):
            continue
        if (dialog_words or any(near.contains_point(*e.box.center) for e in text_closes)) and not invites:
            return ScreenDecision(ScreenType.DIALOG, win.box, 0.7, "a card with dismiss text or dialog wording over a scrim")
        return ScreenDecision(ScreenType.POPUP, win.box, 0.7, "a card over a scrim")

    corner_score = profile.setting("screen", "corner_icon_min_score")
    corner_px = profile.setting("screen", "corner_icon_min_dp") * min(w, h) / profile.setting("units", "baseline_width_dp")
    top_right_icon = any(
        e.kind == ElementKind.CLOSE_ICON and _top_right(e, w, h, top_band) and e.score >= corner_score
        and min(e.box.width, e.box.height) >= corner_px
        for e in closes
    )
    # A × in the top-right corner is how a full-screen upsell or ad is closed, however much text it
    # carries; in-page ×s of ordinary screens sit in search boxes, chips and toolbars' left end.
    if closes and (text_closes or not dense or top_right_icon):
        if text_closes and dialog_words and not strong_ad:
            return ScreenDecision(ScreenType.DIALOG, full, 0.6, "dismiss text with dialog wording")
        if strong_ad or text_closes or top_right_icon:
            return ScreenDecision(ScreenType.INTERSTITIAL, full, 0.7, "a full-screen overlay with a close control")
        return ScreenDecision(ScreenType.NONE, None, 0.6, "only an in-page × and no ad cue")
    if strong_ad and not dense:
        return ScreenDecision(ScreenType.INTERSTITIAL, full, 0.6, "a full-screen ad with no close control")
    if closes or strong_ad:
        return ScreenDecision(ScreenType.NONE, None, 0.6, "an ordinary page: much text, only in-page controls or ads")
    return ScreenDecision(ScreenType.NONE, None, 0.8, "no close control and no ad cue")
