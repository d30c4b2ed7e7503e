"""Turn OCR text and icon candidates into typed :class:`Element` s.

OCR decides the text kinds (close text, countdown, ad label, jump hint, shake, call to action);
the icon detector (classical CV, and the ONNX model when present) decides × glyphs. A text close
control is measured by its button shape when it has one, so this module also finds the bounded
button around a piece of text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from .lexicon import Lexicon, TextCues
from .profile import RuleProfile
from .types import Box, Element, ElementKind, TextSpan

_LONE_X = frozenset({"x", "×", "✕", "✖", "╳", "⨯", "ⓧ", "⊗"})


@dataclass(frozen=True, slots=True)
class ButtonSettings:
    ring_offset: float
    ring_offset_retries: tuple[float, ...]
    color_tolerance: float
    ring_max_std: float
    max_height: float
    min_margin: float
    ink_min_delta: float
    outline_min_cover: float
    edge_low: float
    edge_high: float
    edge_min_fill: float
    edge_max_offset: float

    @classmethod
    def from_profile(cls, profile: RuleProfile) -> ButtonSettings:
        s = profile.setting
        return cls(
            ring_offset=s("detection", "button_ring_offset"),
            ring_offset_retries=(s("detection", "button_ring_offset_near"), s("detection", "button_ring_offset_tight")),
            color_tolerance=s("detection", "button_color_tolerance"),
            ring_max_std=s("detection", "button_ring_max_std"),
            max_height=s("detection", "button_max_height"),
            min_margin=s("detection", "button_min_margin"),
            ink_min_delta=s("detection", "button_ink_min_delta"),
            outline_min_cover=s("detection", "button_outline_min_cover"),
            edge_low=s("detection", "button_edge_low"),
            edge_high=s("detection", "button_edge_high"),
            edge_min_fill=s("detection", "button_edge_min_fill"),
            edge_max_offset=s("detection", "button_edge_max_offset"),
        )


def find_button(rgb: npt.NDArray[np.uint8], text_box: Box, *, settings: ButtonSettings) -> Box | None:
    """The bounded button shape around ``text_box``, or ``None`` when the text floats.

    The fill colour is sampled on a ring just outside the glyphs; when the ring is uniform, a
    flood fill from it within a band of ``max_height`` text heights finds the button. A fill that
    leaks to the band's top or bottom is the page background, not a button. OCR boxes carry
    padding of their own, so when the ring at ``ring_offset`` lands outside a snug pill the ring
    is tried closer (``ring_offset_retries``). The ring's corners are left out of the sample and
    the fill starts from the middle of its sides: a pill's rounded ends cut its corners off. A
    fill from one side of the screen to the other is the page too (a gradient can stop it short
    of the band's top and bottom).
    """
    for offset in (settings.ring_offset, *settings.ring_offset_retries):
        box = _button_at(rgb, text_box, offset, settings)
        if box is not None:
            return box
    # An OCR box can take in a snug outlined pill's edge (its bottom line under the glyphs): every
    # ring then crosses the outline. The rings are tried once more around the glyphs themselves.
    glyphs = _glyph_box(rgb, text_box, settings)
    if glyphs is not None:
        for offset in settings.ring_offset_retries:
            box = _button_at(rgb, glyphs, offset, settings)
            if box is not None:
                return box
    return None


def find_outlined_button(rgb: npt.NDArray[np.uint8], text_box: Box, *, settings: ButtonSettings) -> Box | None:
    """The closed edge drawn around ``text_box`` when :func:`find_button` finds no flat fill: an
    outlined pill over a picture (its inside is the picture, no fill to flood) or a translucent
    plate whose inside shades a gradient. Edges (``edge_low``/``edge_high``, Canny) are traced in
    the same band of ``max_height`` text heights; the smallest closed shape (its area at least
    ``edge_min_fill`` of its bounding box: a pill or a rounded rectangle, not an open stroke) that
    stays inside the band, holds the OCR box from end to end and its glyphs from top to bottom
    (the box less ``min_margin`` text heights of padding above and below, which a snug pill's rim
    may cut into), is at least as tall as the OCR box and has the text at its centre (within
    ``edge_max_offset`` text heights: a picture's shape that a line of text runs across is off
    centre) is the button, out to the outer side of its rim."""
    h_img, w_img = rgb.shape[:2]
    th = max(text_box.height, 1.0)
    half = settings.max_height * th / 2.0
    cy = text_box.center[1]
    x1, y1, x2, y2 = Box(text_box.x1 - half, cy - half, text_box.x2 + half, cy + half).clip(w_img, h_img).to_int()
    if x2 - x1 < 3 or y2 - y1 < 3:
        return None
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[y1:y2, x1:x2, :3]), cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(grey, settings.edge_low, settings.edge_high)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))  # close one-pixel gaps in anti-aliased outlines
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    margin = settings.min_margin * th
    # the glyphs: the OCR box less its top and bottom padding, which a snug pill's rim may cut into
    glyphs = text_box.expand(0.0, -margin)
    off_centre = settings.edge_max_offset * th
    found: list[Box] = []
    for contour in contours:
        cx, cy_, cw, ch = cv2.boundingRect(contour)
        if cx == 0 or cy_ == 0 or cx + cw >= x2 - x1 or cy_ + ch >= y2 - y1:
            continue  # runs out of the band: the page's or a card's edge, not a button's
        box = Box(float(x1 + cx), float(y1 + cy_), float(x1 + cx + cw), float(y1 + cy_ + ch))
        if (box.x1 > text_box.x1 or box.x2 < text_box.x2 or box.y1 > glyphs.y1 or box.y2 < glyphs.y2
                or box.height < text_box.height
                or max(abs(box.center[0] - text_box.center[0]), abs(box.center[1] - text_box.center[1])) > off_centre):
            continue
        if cv2.contourArea(contour) < settings.edge_min_fill * cw * ch:
            continue
        found.append(box)
    if not found:
        return None
    best = min(found, key=lambda b: b.area)  # the rim's inner side, or the plate's edge

    # the same rim's outer side (an outline a few pixels thick) is the button's visible extent
    def reach(b: Box) -> tuple[float, ...]:  # how far b reaches past best on each side
        return (best.x1 - b.x1, best.y1 - b.y1, b.x2 - best.x2, b.y2 - best.y2)

    rim = [b for b in found if min(reach(b)) >= 0 and max(reach(b)) <= margin]
    return max(rim, key=lambda b: b.area, default=best).expand(-1.0)  # less the pixel the dilation added


def _glyph_box(rgb: npt.NDArray[np.uint8], text_box: Box, settings: ButtonSettings) -> Box | None:
    """The glyphs' own bounds inside ``text_box`` when the box took in an outline (edge rows or
    columns that one unbroken run of ink mostly covers, where glyphs' strokes break between
    characters): the pixels ``ink_min_delta`` off the box's median grey, less those lines.
    ``None`` when there is no such outline."""
    h_img, w_img = rgb.shape[:2]
    x1, y1, x2, y2 = text_box.clip(w_img, h_img).to_int()
    if x2 - x1 < 3 or y2 - y1 < 3:
        return None
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[y1:y2, x1:x2, :3]), cv2.COLOR_RGB2GRAY).astype(np.int16)
    ink = np.abs(grey - np.median(grey)) >= settings.ink_min_delta
    cover = settings.outline_min_cover
    top, bottom, left, right = 0, ink.shape[0], 0, ink.shape[1]
    while bottom - top > 2 and _longest_run(ink[top, left:right]) >= cover:
        top += 1
    while bottom - top > 2 and _longest_run(ink[bottom - 1, left:right]) >= cover:
        bottom -= 1
    while right - left > 2 and _longest_run(ink[top:bottom, left]) >= cover:
        left += 1
    while right - left > 2 and _longest_run(ink[top:bottom, right - 1]) >= cover:
        right -= 1
    if (top, bottom, left, right) == (0, ink.shape[0], 0, ink.shape[1]):
        return None  # no outline in the box: the rings around it were the right ones
    ys, xs = np.nonzero(ink[top:bottom, left:right])
    if len(ys) == 0:
        return None
    return Box(float(x1 + left + xs.min()), float(y1 + top + ys.min()),
               float(x1 + left + xs.max() + 1), float(y1 + top + ys.max() + 1))


def _longest_run(line: npt.NDArray[np.bool_]) -> float:
    """The longest unbroken run of ``True`` in ``line``, as a fraction of its length."""
    if line.size == 0 or not line.any():
        return 0.0
    padded = np.concatenate(([0], line.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return float((edges[1::2] - edges[::2]).max()) / line.size


def _button_at(rgb: npt.NDArray[np.uint8], text_box: Box, offset: float, settings: ButtonSettings) -> Box | None:
    h_img, w_img = rgb.shape[:2]
    th = max(text_box.height, 1.0)
    off = max(2.0, offset * th)
    band_half = settings.max_height * th / 2.0
    cy = text_box.center[1]
    y1 = int(max(0, cy - band_half))
    y2 = int(min(h_img, cy + band_half))
    if y2 - y1 < 3:
        return None
    crop = rgb[y1:y2].copy()  # floodFill writes to its image argument even in mask-only mode
    ring = text_box.expand(off).clip(w_img, h_img)
    rx1, ry1, rx2, ry2 = ring.to_int()
    if rx2 - rx1 < 3 or ry2 - ry1 < 3:
        return None
    cut_x, cut_y = (rx2 - rx1) // 5, (ry2 - ry1) // 5  # the middle 60 % of each side
    samples = np.concatenate(
        [
            rgb[ry1, rx1 + cut_x : rx2 - cut_x],
            rgb[min(ry2, h_img) - 1, rx1 + cut_x : rx2 - cut_x],
            rgb[ry1 + cut_y : ry2 - cut_y, rx1],
            rgb[ry1 + cut_y : ry2 - cut_y, min(rx2, w_img) - 1],
        ]
    ).astype(np.float64)
    if samples.size == 0 or float(samples.std(axis=0).max()) > settings.ring_max_std:
        return None
    mask = np.zeros((crop.shape[0] + 2, crop.shape[1] + 2), np.uint8)
    tol = (settings.color_tolerance,) * 3
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (255 << 8)
    mx, my = (rx1 + rx2) // 2, (ry1 + ry2) // 2
    seeds = [(mx, ry1), (mx, ry2 - 1), (rx1, my), (rx2 - 1, my)]
    for sx, sy in seeds:
        sx = int(min(max(sx, 0), w_img - 1))
        sy_local = int(min(max(sy - y1, 0), crop.shape[0] - 1))
        if mask[sy_local + 1, sx + 1]:
            continue
        cv2.floodFill(crop, mask, (sx, sy_local), (0, 0, 0), tol, tol, flags)
    filled = mask[1:-1, 1:-1] > 0
    ys, xs = np.nonzero(filled)
    if len(ys) == 0:
        return None
    if ys.min() == 0 or ys.max() == filled.shape[0] - 1:
        return None  # leaked out of the band: page background, not a button
    if xs.min() == 0 and xs.max() == filled.shape[1] - 1:
        return None  # from one side of the screen to the other: a band of the page, a button has ends
    box = Box(float(xs.min()), float(ys.min() + y1), float(xs.max() + 1), float(ys.max() + 1 + y1)).union(text_box)
    margin = min(settings.min_margin, offset) * th  # a closer ring: the fill is already known to reach it
    if (
        text_box.x1 - box.x1 < margin
        or box.x2 - text_box.x2 < margin
        or text_box.y1 - box.y1 < margin
        or box.y2 - text_box.y2 < margin
    ):
        return None
    return box


def _kind_for(cues: TextCues) -> ElementKind:
    if cues.countdown_close_s is not None:
        return ElementKind.CLOSE_COUNTDOWN
    if cues.close is not None:
        return ElementKind.CLOSE_TEXT
    if cues.blocks_close:  # "6秒后可领取奖励并关闭" is about closing, whatever else it promises
        return ElementKind.COUNTDOWN
    if cues.ad_label:
        return ElementKind.AD_LABEL
    if cues.shake:
        return ElementKind.SHAKE
    if cues.jump_hint:
        return ElementKind.JUMP_HINT
    if cues.call_to_action:
        return ElementKind.CALL_TO_ACTION
    if cues.blocks_close or cues.countdown is not None:
        return ElementKind.COUNTDOWN
    return ElementKind.TEXT


# A line in the status bar may overhang the strip's nominal height (the dp of a tall status bar,
# OCR boxes padded): up to a quarter more still counts as inside it.
_STRIP_OVERHANG = 1.25


def in_status_bar(box: Box, strip: Box | None) -> bool:
    """Inside the status bar the screenshot shows: system icons, not the app's controls."""
    return strip is not None and box.y2 <= strip.y2 * _STRIP_OVERHANG


def skip_seconds(seconds: int | None, profile: RuleProfile) -> int | None:
    """The countdown a skip control shows, or ``None`` beyond any splash countdown
    (``pill.number_max_s``): 跳过 59 is a real skip whose number is a misread "5s"."""
    return seconds if seconds is None or seconds <= profile.setting("pill", "number_max_s") else None


def status_bar_strip(spans: Sequence[TextSpan], *, lexicon: Lexicon, width: int, strip_px: float,
                     clock_side_fraction: float = 0.3, clock_center_fraction: float = 0.05) -> Box | None:
    """The status-bar strip, when the screenshot shows one: a clock read inside the top strip,
    where phones put it (either end of the strip, or its middle); a clock elsewhere up there is
    part of the picture (a phone drawn in an ad)."""
    for s in spans:
        if s.box.y2 <= strip_px * _STRIP_OVERHANG and lexicon.status_bar_clock.search(s.text.strip()):
            x = s.box.center[0] / max(1.0, float(width))
            if x <= clock_side_fraction or x >= 1 - clock_side_fraction or abs(x - 0.5) <= clock_center_fraction:
                return Box(0, 0, float(width), strip_px)
    return None


def _is_bare_number(text: str) -> bool:
    return text.strip().rstrip("sS秒").strip().isdigit()


def _own_part(button: Box, span: TextSpan, classified: Sequence[tuple[TextSpan, TextCues]], *,
              min_label_aspect: float) -> Box | None:
    """The part of ``button`` that is ``span``'s own. A button has one label; a fill that also
    holds another (a word of two or more letters that is neither the countdown nor the ad mark a
    skip pill carries beside its 跳过: 广告 | 跳过 5) is shared by two controls: an iOS dialog's
    暂不开启 | 去开启 bar, a VIP去广告 | 跳过7 pill. It is cut halfway between the labels, where
    its divider sits; ``None`` when another label overlaps this one's row and column both. A
    word read in a box narrower than ``min_label_aspect`` of its height is a sliver of text the
    card's edge clips, no label."""
    x1, y1, x2, y2 = button.x1, button.y1, button.x2, button.y2
    t = span.box
    for other, cues in classified:
        o = other.box
        if other is span or not button.contains_point(*o.center):
            continue
        if sum(ch.isalpha() for ch in other.text) < 2 or cues.countdown is not None or cues.ad_label:
            continue
        if o.width < min_label_aspect * o.height:
            continue
        if o.x2 <= t.x1:
            x1 = max(x1, (o.x2 + t.x1) / 2)
        elif o.x1 >= t.x2:
            x2 = min(x2, (t.x2 + o.x1) / 2)
        elif o.y2 <= t.y1:
            y1 = max(y1, (o.y2 + t.y1) / 2)
        elif o.y1 >= t.y2:
            y2 = min(y2, (t.y2 + o.y1) / 2)
        else:
            return None
    return Box(x1, y1, x2, y2)


def text_elements(
    rgb: npt.NDArray[np.uint8],
    spans: Sequence[TextSpan],
    *,
    lexicon: Lexicon,
    profile: RuleProfile,
    status_bar: Box | None = None,
    top_band_px: float | None = None,
    density: float | None = None,
) -> list[Element]:
    """One element per OCR span, typed by the lexicon; close controls get their button shape.

    Weak dismiss words (OK, 好的) count as close controls only when no strong one is on screen:
    beside 取消 / Cancel, OK means accept. Text inside the status bar (clock, battery) is system UI,
    unless it is a dismiss phrase.
    A bare number counts as a countdown only in the top band, where timers sit (elsewhere it is a
    price, a page number, a score); in the top band's right half, inside a pill, it is the
    tappable countdown ring of a splash screen.
    """
    top_band = top_band_px if top_band_px is not None else rgb.shape[0] * profile.setting("screen", "top_band_fraction")
    min_conf = profile.setting("detection", "ocr_min_confidence")
    max_chars = profile.setting("detection", "close_text_max_chars")
    buttons = ButtonSettings.from_profile(profile)
    max_countdown = profile.setting("pill", "number_max_s")
    classified: list[tuple[TextSpan, TextCues]] = [
        (s, lexicon.classify(s.text)) for s in spans if s.confidence >= min_conf and s.text.strip()
    ]
    has_strong = any(c.close == "strong" for _, c in classified)
    dens = density if density is not None else min(rgb.shape[:2]) / profile.setting("units", "baseline_width_dp")
    weak_max_px = profile.setting("detection", "weak_close_max_text_dp") * dens
    weak_tile_aspect = profile.setting("detection", "weak_close_min_button_aspect")
    min_label_aspect = profile.setting("detection", "label_min_aspect")
    out: list[Element] = []
    for i, (span, cues) in enumerate(classified):
        kind = _kind_for(cues)
        if kind == ElementKind.CLOSE_TEXT and (
            len(span.text) > max_chars or (cues.close == "weak" and (has_strong or span.box.height > weak_max_px))
        ):
            kind = ElementKind.TEXT  # a weak word drawn taller than a button label is a logo or letter icon
        if (in_status_bar(span.box, status_bar)
                and not (kind in (ElementKind.CLOSE_TEXT, ElementKind.CLOSE_COUNTDOWN) and cues.close == "strong")):
            # clock, battery, carrier: system UI. The system never writes 跳过 or 关闭 there: a
            # dismiss phrase in the strip is the app's control, hidden where no one looks for it.
            kind = ElementKind.TEXT
        score = float(span.confidence)
        if (kind == ElementKind.COUNTDOWN and not cues.blocks_close and cues.countdown is not None
                and cues.countdown > max_countdown):
            kind = ElementKind.TEXT  # 77 gems, 99+ messages: a count, not a countdown
        seconds = cues.countdown
        if kind == ElementKind.CLOSE_COUNTDOWN and not cues.blocks_close:
            seconds = skip_seconds(seconds, profile)
            kind = ElementKind.CLOSE_COUNTDOWN if seconds is not None else ElementKind.CLOSE_TEXT
        bare_number = kind == ElementKind.COUNTDOWN and _is_bare_number(span.text)
        if (kind == ElementKind.COUNTDOWN and not bare_number and not cues.blocks_close
                and not lexicon.contains_ad_label(span.text) and span.box.center[1] >= top_band):
            kind = ElementKind.TEXT  # a duration or a time of day, not a countdown
        attrs: list[tuple[str, object]] = [("text_box", span.box.to_list())]
        if cues.blocks_close:
            attrs.append(("blocks_close", True))
        if cues.countdown is not None:
            attrs.append(("countdown", cues.countdown))
        if cues.jump_hint:
            attrs.append(("jump_hint", True))
        if cues.tap_anywhere:
            attrs.append(("tap_anywhere", True))
        if cues.shake:
            attrs.append(("shake", True))
        if cues.close == "weak":
            attrs.append(("weak_close", True))
        if cues.dialog_word:
            attrs.append(("dialog_word", True))
        button = None
        if kind in (ElementKind.CLOSE_TEXT, ElementKind.CLOSE_COUNTDOWN, ElementKind.JUMP_HINT,
                    ElementKind.CALL_TO_ACTION, ElementKind.SHAKE) or bare_number or cues.blocks_close:
            button = find_button(rgb, span.box, settings=buttons)
            if button is None and kind.is_close_control:
                button = find_outlined_button(rgb, span.box, settings=buttons)
        if button is not None and kind.is_close_control:
            # a fill two controls share is cut between them
            button = _own_part(button, span, classified, min_label_aspect=min_label_aspect)
        if (kind == ElementKind.CLOSE_TEXT and cues.close == "weak" and len(span.text.strip()) == 1
                and button is not None and button.width < weak_tile_aspect * button.height):
            kind, button = ElementKind.TEXT, None  # 好 alone on a square tile: an app's letter icon, not a button
        if kind == ElementKind.COUNTDOWN and cues.blocks_close and (button is not None or span.box.center[1] < top_band):
            kind = ElementKind.CLOSE_COUNTDOWN  # "5秒后可关闭" on a pill or where skip sits: the close control, locked
        if bare_number:
            in_top = span.box.center[1] < top_band
            if in_top and button is not None and span.box.center[0] > rgb.shape[1] / 2:
                kind, score = ElementKind.CLOSE_COUNTDOWN, score * 0.7  # a countdown ring, less sure than 跳过
            elif not in_top:
                kind = ElementKind.TEXT  # a price, a score, a page number
        box = button if button is not None and kind.is_close_control else span.box
        out.append(
            Element(
                id=f"t{i}",
                kind=kind,
                box=box,
                score=round(score, 3),
                source="ocr",
                text=span.text,
                button=button,
                countdown_s=seconds if kind in (ElementKind.CLOSE_COUNTDOWN, ElementKind.COUNTDOWN) else None,
                attrs=tuple(attrs),
            )
        )
    return out


def lone_x_spans(spans: Iterable[TextSpan]) -> list[TextSpan]:
    """OCR spans that are nothing but a × glyph: icon evidence read by the text engine."""
    return [s for s in spans if s.text.strip().lower() in _LONE_X]
