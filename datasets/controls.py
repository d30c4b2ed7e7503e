"""Sprites for close controls, ad labels, jump hints and calls to action, and how to place them.

A :class:`Sprite` is a small set of coverage masks in one frame: the glyph or text (drawn in the
foreground colour), an optional outline (foreground colour too), an optional button shape with
its fill, and an optional accent (a countdown ring). :func:`place` blends it onto a canvas,
choosing the foreground colour for a target contrast against what ends up right behind the
glyph, and returns what was really drawn: the visible box, the colours and the measured WCAG
contrast. Those measured values are the labels' truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from datasets.render import (
    RGB,
    Canvas,
    arc_mask,
    bbox_of,
    circle_mask,
    color_for_contrast,
    contrast_ratio,
    cross_mask,
    has_cjk,
    lightness,
    polygon_mask,
    ring_mask,
    round_rect_mask,
    round_rect_outline,
    text_mask,
    text_width,
)

BOX_THRESHOLD = 0.3  # a pixel is "visible ink" when the shape covers at least this much of it
# A button fill reads as a button when its lightness differs from its surroundings by this many
# CIE L* units (2-3 just-noticeable differences; a WCAG ratio of 1.12 at mid grey). Lightness, not
# the WCAG ratio: a dark pill on a dark picture differs by 5 L* at a ratio of only 1.11 and is
# plainly visible (and the detector finds it).
BUTTON_VISIBLE_LIGHTNESS = 3.0


@dataclass
class Sprite:
    w: int
    h: int
    glyph: np.ndarray  # the × / text ink
    shape: np.ndarray | None = None  # the button's area
    fill: RGB | None = None
    fill_opacity: float = 1.0
    outline: np.ndarray | None = None  # a button drawn as an outline, in the foreground colour
    accent: np.ndarray | None = None  # e.g. a countdown progress ring
    accent_color: RGB | None = None


@dataclass(frozen=True)
class Placed:
    box: tuple[int, int, int, int]  # visible box in canvas pixels (button if visible, else ink)
    ink_box: tuple[int, int, int, int]  # the glyph/text ink alone
    button_visible: bool
    fg: RGB
    bg: tuple[float, float, float]
    contrast: float

    @property
    def short_side(self) -> int:
        return min(self.box[2] - self.box[0], self.box[3] - self.box[1])

    @property
    def ink_height(self) -> int:
        return self.ink_box[3] - self.ink_box[1]


def _frame(w: int, h: int) -> np.ndarray:
    return np.zeros((h, w), np.float32)


def _put(dst: np.ndarray, src: np.ndarray, x: int, y: int) -> None:
    h, w = src.shape
    y0, x0 = max(y, 0), max(x, 0)
    y1, x1 = min(y + h, dst.shape[0]), min(x + w, dst.shape[1])
    if y1 > y0 and x1 > x0:
        np.maximum(dst[y0:y1, x0:x1], src[y0 - y : y1 - y, x0 - x : x1 - x], out=dst[y0:y1, x0:x1])


# ---------------------------------------------------------------------------------------------
# builders


def icon_sprite(size: int, style: str, *, stroke: float, glyph_frac: float = 0.45,
                fill: RGB | None = None, fill_opacity: float = 1.0) -> Sprite:
    """A × close icon: ``plain``, ``filled_circle``, ``outlined_circle``, ``filled_square``,
    ``outlined_square`` (a rounded square drawn as a thin outline, as many Chinese apps' pop-ups
    draw it).

    ``size`` is the button's diameter (or the glyph's span for ``plain``); ``stroke`` is the
    glyph's line width in pixels.
    """
    size = max(size, 4)
    w = h = size + 2
    c = w / 2
    if style == "plain":
        return Sprite(w, h, cross_mask(w, h, c, c, size, stroke))
    g = max(size * glyph_frac, 3.0)
    glyph = cross_mask(w, h, c, c, g, stroke)
    if style == "filled_circle":
        return Sprite(w, h, glyph, shape=circle_mask(w, h, c, c, size / 2), fill=fill, fill_opacity=fill_opacity)
    if style == "outlined_circle":
        ring_t = max(stroke * 0.8, 1.0)
        return Sprite(w, h, glyph, shape=circle_mask(w, h, c, c, size / 2),
                      outline=ring_mask(w, h, c, c, size / 2, ring_t))
    shape = _frame(w, h)
    _put(shape, round_rect_mask(size, size, size * 0.22), 1, 1)
    if style == "outlined_square":
        outline = _frame(w, h)
        _put(outline, round_rect_outline(size, size, size * 0.22, max(stroke * 0.8, 1.0)), 1, 1)
        return Sprite(w, h, glyph, shape=shape, outline=outline)
    # filled_square
    return Sprite(w, h, glyph, shape=shape, fill=fill, fill_opacity=fill_opacity)


def text_sprite(text: str, px: float, *, bold: bool = False, family: str = "sans") -> Sprite:
    """Bare text, no button."""
    m = text_mask(text, px, bold=bold, family=family)
    h, w = m.shape
    glyph = _frame(w + 2, h + 2)
    _put(glyph, m, 1, 1)
    return Sprite(w + 2, h + 2, glyph)


def button_sprite(text: str, height: int, *, px: float, radius: float, pad_x: float,
                  fill: RGB | None, fill_opacity: float = 1.0, outline_t: float = 0.0,
                  bold: bool = False, family: str = "sans", min_width: int = 0,
                  trailing_icon: str | None = None) -> Sprite:
    """Text in a rounded rectangle (a pill when ``radius >= height/2``).

    ``fill`` None with ``outline_t > 0`` draws an outlined button; ``trailing_icon`` adds
    ``"skip"`` (▶|) or ``"chevron"`` (›) after the text, in the text colour.
    """
    m = text_mask(text, px, bold=bold, family=family)
    th, tw = m.shape
    icon_w = 0
    icon: np.ndarray | None = None
    if trailing_icon:
        ih = max(int(round(px * 0.7)), 4)
        if trailing_icon == "skip":
            iw = int(ih * 1.15)
            tri = polygon_mask(iw, ih, [(0, 0), (ih * 0.85, ih / 2), (0, ih)])
            bar = _frame(iw, ih)
            bar[:, int(ih * 0.9) :] = 1.0
            icon = np.maximum(tri, bar)
        else:
            iw = max(int(ih * 0.55), 3)
            t = max(ih * 0.14, 1.2)
            from datasets.render import polyline_mask

            icon = polyline_mask(iw, ih, [(t, t), (iw - t, ih / 2), (t, ih - t)], t)
        icon_w = iw + int(px * 0.35)
    content_w = tw + icon_w
    w = max(int(content_w + 2 * pad_x), min_width, height)
    h = height
    glyph = _frame(w, h)
    x0 = (w - content_w) // 2
    _put(glyph, m, x0, (h - th) // 2)
    if icon is not None:
        _put(glyph, icon, x0 + tw + int(px * 0.35), (h - icon.shape[0]) // 2)
    shape = round_rect_mask(w, h, radius)
    outline = round_rect_outline(w, h, radius, outline_t) if outline_t > 0 else None
    return Sprite(w, h, glyph, shape=shape, fill=fill, fill_opacity=fill_opacity, outline=outline)


def round_skip_sprite(text: str, diameter: int, *, px: float, fill: RGB, fill_opacity: float,
                      ring: bool, ring_frac: float, ring_color: RGB, bold: bool = False) -> Sprite:
    """A round skip button (跳过 in a disc), optionally with a countdown progress ring."""
    w = h = diameter + 2
    c = w / 2
    m = text_mask(text, px, bold=bold)
    glyph = _frame(w, h)
    _put(glyph, m, int(round(c - m.shape[1] / 2)), int(round(c - m.shape[0] / 2)))
    shape = circle_mask(w, h, c, c, diameter / 2)
    accent = arc_mask(w, h, c, c, diameter / 2, max(diameter * 0.07, 1.5), ring_frac) if ring else None
    return Sprite(w, h, glyph, shape=shape, fill=fill, fill_opacity=fill_opacity, accent=accent,
                  accent_color=ring_color)


# ---------------------------------------------------------------------------------------------
# placement


def _around_mean(canvas: Canvas, x0: int, y0: int, x1: int, y1: int, pad: int) -> tuple[float, float, float]:
    """Mean colour of a frame ``pad`` pixels wide just outside the box."""
    parts = []
    for bx0, by0, bx1, by1 in ((x0 - pad, y0 - pad, x1 + pad, y0), (x0 - pad, y1, x1 + pad, y1 + pad),
                               (x0 - pad, y0, x0, y1), (x1, y0, x1 + pad, y1)):
        bx0, by0 = max(bx0, 0), max(by0, 0)
        bx1, by1 = min(bx1, canvas.w), min(by1, canvas.h)
        if bx1 > bx0 and by1 > by0:
            parts.append(canvas.rgb[by0:by1, bx0:bx1].reshape(-1, 3))
    if not parts:
        return canvas.mean_box(x0, y0, x1, y1)
    m = np.concatenate(parts).mean(axis=0)
    return float(m[0]), float(m[1]), float(m[2])


def place(canvas: Canvas, s: Sprite, x: int, y: int, *, contrast: float | None = None,
          fg: RGB | None = None, hue: RGB = (128, 128, 128), prefer_light: bool | None = None) -> Placed:
    """Draw sprite ``s`` with its frame's top-left at (x, y) and return what became visible.

    Give either ``fg`` (a fixed foreground colour) or ``contrast`` (a target WCAG ratio against
    what is right behind the glyph; the colour is then chosen along ``hue``). "Right behind" is
    the median colour of the pixels inside the button when a button is visible, else of the
    pixels around the glyph's strokes within its box plus a small margin.
    """
    x = int(min(max(x, 0), canvas.w - s.w))
    y = int(min(max(y, 0), canvas.h - s.h))
    before = _around_mean(canvas, x, y, x + s.w, y + s.h, max(2, s.h // 4))
    button_visible = False
    if s.shape is not None and s.fill is not None and s.fill_opacity > 0:
        canvas.blend(x, y, s.shape, s.fill, s.fill_opacity)
        inner = canvas.mean_color(x, y, (s.shape >= 0.99).astype(np.float32))
        button_visible = inner is not None and abs(lightness(inner) - lightness(before)) >= BUTTON_VISIBLE_LIGHTNESS
    if s.outline is not None:
        button_visible = True
    ink = s.glyph if s.accent is None else np.maximum(s.glyph, s.accent)
    if s.outline is not None:
        ink = np.maximum(ink, s.outline)
    # background right behind the glyph: inside the button, or the glyph's own box (with a margin)
    free = (ink < 0.02).astype(np.float32)
    if button_visible and s.shape is not None:
        weights = free * (s.shape >= 0.99)
    else:
        gb = bbox_of(s.glyph, 0.02) or (0, 0, s.w, s.h)
        m = max(2, int(0.15 * max(gb[2] - gb[0], gb[3] - gb[1])))
        region = np.zeros_like(free)
        region[max(gb[1] - m, 0) : gb[3] + m, max(gb[0] - m, 0) : gb[2] + m] = 1.0
        weights = free * region
    bg = canvas.median_color(x, y, weights) or before
    if fg is None:
        fg = color_for_contrast(bg, contrast if contrast is not None else 7.0, hue=hue, prefer_light=prefer_light)
    if s.outline is not None:
        canvas.blend(x, y, s.outline, fg)
    if s.accent is not None:
        canvas.blend(x, y, s.accent, s.accent_color or fg)
    canvas.blend(x, y, s.glyph, fg)
    ink_bb = bbox_of(s.glyph, BOX_THRESHOLD) or (0, 0, s.w, s.h)
    if button_visible and s.shape is not None:
        vis = s.shape if s.outline is None else np.maximum(s.shape, s.outline)
        bb = bbox_of(vis, BOX_THRESHOLD) or ink_bb
    else:
        vis = s.glyph if s.accent is None else np.maximum(s.glyph, s.accent)
        bb = bbox_of(vis, BOX_THRESHOLD) or ink_bb
    return Placed(
        box=(x + bb[0], y + bb[1], x + bb[2], y + bb[3]),
        ink_box=(x + ink_bb[0], y + ink_bb[1], x + ink_bb[2], y + ink_bb[3]),
        button_visible=button_visible,
        fg=fg,
        bg=bg,
        contrast=round(contrast_ratio(fg, bg), 3),
    )


# ---------------------------------------------------------------------------------------------
# sampling helpers


def sample_contrast(rng: np.random.Generator) -> float:
    """A target contrast ratio from 1.1 to 21, mostly legible, often borderline, sometimes faint."""
    u = rng.random()
    if u < 0.55:
        return float(np.exp(rng.uniform(np.log(4.5), np.log(21.0))))
    if u < 0.75:
        return float(rng.uniform(3.0, 4.5))
    if u < 0.93:
        return float(rng.uniform(1.5, 3.0))
    return float(rng.uniform(1.1, 1.5))


def sample_size_dp(rng: np.random.Generator) -> float:
    """A target control size from 8 to 48 dp."""
    u = rng.random()
    if u < 0.12:
        return float(rng.uniform(8, 12))
    if u < 0.4:
        return float(rng.uniform(12, 24))
    return float(rng.uniform(24, 48))


def sample_pill_dp(rng: np.random.Generator) -> float:
    """A target height for a text pill (跳过 / Skip ...), 10 to 40 dp, usually 24 to 34."""
    u = rng.random()
    if u < 0.1:
        return float(rng.uniform(10, 14))
    if u < 0.35:
        return float(rng.uniform(14, 24))
    if u < 0.9:
        return float(rng.uniform(24, 34))
    return float(rng.uniform(34, 40))


_COUNTDOWN_RE = re.compile(r"\d")


def control_kind(text: str | None) -> str:
    if text is None:
        return "icon"
    return "countdown" if _COUNTDOWN_RE.search(text) else "text"


def family_for(text: str, rng: np.random.Generator) -> str:
    if has_cjk(text):
        return "sans" if rng.random() < 0.9 else "serif"
    return str(rng.choice(["sans", "latin", "latin"]))


__all__ = [
    "BOX_THRESHOLD",
    "Placed",
    "Sprite",
    "button_sprite",
    "control_kind",
    "family_for",
    "icon_sprite",
    "place",
    "round_skip_sprite",
    "sample_contrast",
    "sample_pill_dp",
    "sample_size_dp",
    "text_sprite",
    "text_width",
]
