"""Tests of the classical × detector (detector/icons.py).

Positives and negatives are rendered here with Pillow (supersampled, so edges are
anti-aliased like real screenshots); the realdev test runs on ../shared/realdev when present.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from detector.icons import IconCandidate, IconSettings, find_close_icons
from detector.types import Box

REALDEV = Path(__file__).resolve().parents[1].parent / "shared" / "realdev"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SCREENS = {"1080": (1080, 1920), "270": (270, 480)}
BASELINE_WIDTH_DP = 360.0
SS = 4  # supersampling factor of the renders
DARK, LIGHT = (38, 38, 38), (250, 250, 250)


def density_of(screen: str) -> float:
    return min(SCREENS[screen]) / BASELINE_WIDTH_DP


@functools.lru_cache(maxsize=16)
def background(kind: str, screen: str, tone: str) -> np.ndarray:
    """A flat page or a photo-like one (blobs at several scales plus grain), light or dark."""
    w, h = SCREENS[screen]
    base = 236.0 if tone == "light" else 52.0
    if kind == "flat":
        img = np.full((h, w, 3), base, np.float64)
        return img.astype(np.uint8)
    rng = np.random.default_rng(7 if tone == "light" else 11)
    img = np.zeros((h, w, 3))
    for cells, amp in ((4, 28.0), (16, 16.0), (64, 8.0)):
        noise = rng.normal(0, 1, (cells * 2, cells, 3)).astype(np.float32)
        img += amp * np.asarray(Image.fromarray(noise[..., 0]).resize((w, h), Image.BICUBIC))[..., None]
        img += 0.5 * amp * np.asarray(Image.fromarray(noise[..., 1]).resize((w, h), Image.BICUBIC))[..., None] * [1, 0, -1]
    img += rng.normal(0, 3.0, (h, w, 3))
    return np.clip(img + base, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Icon:
    style: str  # plain | circle-filled | circle-outline | square
    polarity: str  # dark-on-light | light-on-dark
    glyph_dp: float
    stroke: float  # stroke width as a fraction of the glyph size


def draw_x(draw: ImageDraw.ImageDraw, cx: float, cy: float, g: float, t: float, fill: tuple[int, ...]) -> None:
    """A × with round caps whose ink spans exactly g×g around (cx, cy) (supersampled coords)."""
    r = t / 2
    a, b = cx - g / 2 + r, cx + g / 2 - r
    c, d = cy - g / 2 + r, cy + g / 2 - r
    for p, q in (((a, c), (b, d)), ((b, c), (a, d))):
        draw.line([p, q], fill=fill, width=max(1, round(t)))
        for x, y in (p, q):
            draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)


def render_icon(rgb: np.ndarray, icon: Icon, cx: int, cy: int, density: float) -> Box:
    """Composite an anti-aliased icon onto ``rgb`` (in place); return the box it should get."""
    g = icon.glyph_dp * density
    t = max(1.0, icon.stroke * g)
    g = max(g, 3 * t)
    plate = 2.0 * g if icon.style.startswith("circle") else 1.8 * g if icon.style == "square" else g
    half = plate / 2 + t + 2
    x0, y0 = round(cx - half), round(cy - half)
    n = round(2 * half)
    ink, paper = (DARK, LIGHT) if icon.polarity == "dark-on-light" else (LIGHT, DARK)
    layer = Image.new("RGBA", (n * SS, n * SS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    c = (cx - x0) * SS
    p = plate * SS / 2
    if icon.style == "circle-filled":
        draw.ellipse([c - p, c - p, c + p, c + p], fill=(*paper, 255))
    elif icon.style == "circle-outline":
        draw.ellipse([c - p, c - p, c + p, c + p], outline=(*ink, 255), width=max(1, round(t * SS)))
    elif icon.style == "square":
        draw.rounded_rectangle([c - p, c - p, c + p, c + p], radius=0.25 * p, fill=(*paper, 255))
    draw_x(draw, c, c, g * SS, t * SS, (*ink, 255))
    small = layer.resize((n, n), Image.BOX)
    base = Image.fromarray(rgb[y0 : y0 + n, x0 : x0 + n])
    base.paste(small, (0, 0), small)
    rgb[y0 : y0 + n, x0 : x0 + n] = np.asarray(base.convert("RGB"))
    return Box(cx - plate / 2, cy - plate / 2, cx + plate / 2, cy + plate / 2)


def page_tone(icon: Icon) -> str:
    """Plain glyphs need a page of the opposite tone; plates bring their own."""
    if icon.style in ("plain", "circle-outline"):
        return "light" if icon.polarity == "dark-on-light" else "dark"
    return "dark" if icon.polarity == "dark-on-light" else "light"


def best_match(cands: list[IconCandidate], box: Box) -> IconCandidate | None:
    hits = [c for c in cands if c.score >= 0.5 and c.box.iou(box) >= 0.5]
    return max(hits, key=lambda c: c.score, default=None)


STYLES = ("plain", "circle-filled", "circle-outline", "square")
POLARITIES = ("dark-on-light", "light-on-dark")
SIZES_DP = (8, 16, 28, 48)
STROKES = {"thin": 0.08, "regular": 0.13, "bold": 0.22}
POSITIVES = [
    pytest.param(screen, bg, Icon(style, pol, size, STROKES[weight]), id=f"{screen}-{bg}-{style}-{pol}-{size}dp-{weight}")
    for screen in SCREENS
    for bg in ("flat", "photo")
    for style in STYLES
    for pol in POLARITIES
    for size in SIZES_DP
    for weight in (("thin", "bold") if size in (8, 48) else ("regular",))
]


@pytest.mark.parametrize(("screen", "bg", "icon"), POSITIVES)
def test_finds_rendered_x(screen: str, bg: str, icon: Icon) -> None:
    rgb = background(bg, screen, page_tone(icon)).copy()
    w, h = SCREENS[screen]
    density = density_of(screen)
    cx, cy = round(w * 0.83), round(h * 0.12)
    expected = render_icon(rgb, icon, cx, cy, density)
    cands = find_close_icons(rgb, density=density)
    found = best_match(cands, expected)
    assert found is not None, f"expected {expected.to_list()}, got {[(c.box.to_list(), c.score) for c in cands[:5]]}"
    assert found.polarity == icon.polarity
    assert found.glyph.contains_point(cx, cy)
