"""Drawing primitives for the synthetic screenshot generator.

Everything here is a pure function of its arguments (and a ``numpy.random.Generator`` where
randomness is wanted), so a seed reproduces a picture byte for byte. Shapes are drawn as
anti-aliased coverage masks from signed distances, text as masks from the Noto CJK fonts, and a
:class:`Canvas` blends colours through those masks. Knowing each mask exactly is what lets the
generator label the visible box, the size and the contrast of what it drew.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

RGB = tuple[int, int, int]

_NOTO = Path("/usr/share/fonts/opentype/noto")
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# (family, bold) -> (font file, face index in the collection). Index 2 is the Simplified Chinese face.
_FONT_FILES: dict[tuple[str, bool], tuple[Path, int]] = {
    ("sans", False): (_NOTO / "NotoSansCJK-Regular.ttc", 2),
    ("sans", True): (_NOTO / "NotoSansCJK-Bold.ttc", 2),
    ("serif", False): (_NOTO / "NotoSerifCJK-Regular.ttc", 2),
    ("serif", True): (_NOTO / "NotoSerifCJK-Bold.ttc", 2),
    ("latin", False): (_DEJAVU / "DejaVuSans.ttf", 0),
    ("latin", True): (_DEJAVU / "DejaVuSans-Bold.ttf", 0),
}
FAMILIES = ("sans", "serif", "latin")


@functools.lru_cache(maxsize=512)
def get_font(family: str, bold: bool, px: int) -> ImageFont.FreeTypeFont:
    """A cached font of ``px`` pixels; ``latin`` falls back to the CJK sans for CJK text callers."""
    path, index = _FONT_FILES[(family, bold)]
    if not path.exists():
        fallback, index = _FONT_FILES[("sans", bold)]
        if not fallback.exists():
            raise FileNotFoundError(f"font {path} not found; install fonts-noto-cjk")
        path = fallback
    return ImageFont.truetype(str(path), max(int(px), 4), index=index, layout_engine=ImageFont.Layout.BASIC)


def has_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


@functools.lru_cache(maxsize=4096)
def _text_mask_cached(text: str, px: int, bold: bool, family: str) -> np.ndarray:
    if family == "latin" and has_cjk(text):
        family = "sans"
    font = get_font(family, bold, px)
    left, top, right, bottom = font.getbbox(text)
    w, h = max(right - left + 4, 1), max(bottom - top + 4, 1)
    im = Image.new("L", (w, h), 0)
    ImageDraw.Draw(im).text((2 - left, 2 - top), text, font=font, fill=255)
    mask = np.asarray(im, dtype=np.float32) / 255.0
    ys, xs = np.nonzero(mask > 0.02)
    if len(xs) == 0:
        out = np.zeros((1, 1), np.float32)
    else:
        out = np.ascontiguousarray(mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])
    out.setflags(write=False)
    return out


def text_mask(text: str, px: float, *, bold: bool = False, family: str = "sans") -> np.ndarray:
    """Coverage mask (float32, 0..1) of ``text`` at ``px`` pixels, cropped tight to the ink."""
    return _text_mask_cached(text, max(int(round(px)), 4), bold, family)


def text_width(text: str, px: float, *, bold: bool = False, family: str = "sans") -> int:
    fam = "sans" if family == "latin" and has_cjk(text) else family
    font = get_font(fam, bold, max(int(round(px)), 4))
    return int(font.getlength(text))


_NO_LINE_START = frozenset("，。！？、；：）」』”’,.!?;:)")


def wrap_text(text: str, px: float, max_w: float, *, bold: bool = False, family: str = "sans") -> list[str]:
    """Greedy line wrapping: by word for Latin text, by character for CJK text."""
    units = list(text) if has_cjk(text) else text.split(" ")
    joiner = "" if has_cjk(text) else " "
    lines: list[str] = []
    cur = ""
    for unit in units:
        trial = unit if not cur else cur + joiner + unit
        if cur and unit not in _NO_LINE_START and text_width(trial, px, bold=bold, family=family) > max_w:
            lines.append(cur)
            cur = unit
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines


# ---------------------------------------------------------------------------------------------
# colour


def _lin(c: np.ndarray | float) -> np.ndarray:
    c = np.asarray(c, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(rgb: tuple[float, float, float] | np.ndarray) -> float:
    """WCAG 2.x relative luminance of an sRGB colour given as 0..255 values."""
    r, g, b = _lin(np.asarray(rgb, dtype=np.float64)[:3])
    return float(0.2126 * r + 0.7152 * g + 0.0722 * b)


def contrast_ratio(a: tuple[float, float, float] | np.ndarray, b: tuple[float, float, float] | np.ndarray) -> float:
    """WCAG 2.x contrast ratio between two sRGB colours, 1..21."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def lightness(rgb: tuple[float, float, float] | np.ndarray) -> float:
    """CIE L* (0..100) of an sRGB colour given as 0..255 values: equal steps look equally different,
    in the dark as in the light (the WCAG ratio's flare term hides differences between dark colours)."""
    y = luminance(rgb)
    return float(116.0 * y ** (1.0 / 3.0) - 16.0) if y > 216 / 24389 else float(y * 24389 / 27)


def mix(a: RGB | tuple[float, ...], b: RGB | tuple[float, ...], t: float) -> RGB:
    return (
        int(round(a[0] + (b[0] - a[0]) * t)),
        int(round(a[1] + (b[1] - a[1]) * t)),
        int(round(a[2] + (b[2] - a[2]) * t)),
    )


def color_with_luminance(hue: RGB, target: float) -> RGB:
    """The colour on the line black–``hue``–white whose luminance is closest to ``target``."""
    target = min(max(target, 0.0), 1.0)
    end: RGB = (255, 255, 255) if target > luminance(hue) else (0, 0, 0)
    lo, hi = 0.0, 1.0
    for _ in range(18):
        mid = (lo + hi) / 2
        lum = luminance(mix(hue, end, mid))
        if (lum < target) == (end == (255, 255, 255)):
            lo = mid
        else:
            hi = mid
    best = mix(hue, end, (lo + hi) / 2)
    return best


def color_for_contrast(bg: tuple[float, float, float], ratio: float, *, hue: RGB = (128, 128, 128),
                       prefer_light: bool | None = None) -> RGB:
    """A colour of roughly ``hue`` whose WCAG contrast against ``bg`` is as close to ``ratio`` as can be.

    ``prefer_light`` picks the lighter solution when both a lighter and a darker one exist.
    """
    lb = luminance(bg)
    light = ratio * (lb + 0.05) - 0.05
    dark = (lb + 0.05) / ratio - 0.05
    can_light, can_dark = light <= 1.0, dark >= 0.0
    if can_light and can_dark:
        use_light = prefer_light if prefer_light is not None else lb < 0.18
    elif can_light or can_dark:
        use_light = can_light
    else:  # unreachable ratio: the extreme that gets closest
        use_light = (1.05 / (lb + 0.05)) > ((lb + 0.05) / 0.05)
    return color_with_luminance(hue, light if use_light else dark)


def random_hue(rng: np.random.Generator, sat: float = 0.7, val: float = 0.9) -> RGB:
    h = float(rng.uniform(0, 180))
    hsv = np.array([[[h, sat * 255, val * 255]]], dtype=np.uint8)
    r, g, b = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0]
    return (int(r), int(g), int(b))


# ---------------------------------------------------------------------------------------------
# masks from signed distances (anti-aliased, exact)


def _grid(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    ys = (np.arange(h, dtype=np.float32) + 0.5)[:, None]
    xs = (np.arange(w, dtype=np.float32) + 0.5)[None, :]
    return xs, ys


def cover(d: np.ndarray) -> np.ndarray:
    """Coverage of a pixel from the signed distance of its centre to a shape's edge."""
    return np.clip(0.5 - d, 0.0, 1.0).astype(np.float32)


def sd_round_rect(w: int, h: int, x0: float, y0: float, x1: float, y1: float, r: float) -> np.ndarray:
    """Signed distance (pixels) to the rounded rectangle [x0,x1]×[y0,y1] of corner radius r."""
    xs, ys = _grid(w, h)
    r = max(0.0, min(r, (x1 - x0) / 2, (y1 - y0) / 2))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = (x1 - x0) / 2 - r, (y1 - y0) / 2 - r
    qx = np.abs(xs - cx) - hx
    qy = np.abs(ys - cy) - hy
    outside = np.sqrt(np.maximum(qx, 0) ** 2 + np.maximum(qy, 0) ** 2)
    inside = np.minimum(np.maximum(qx, qy), 0)
    return (outside + inside - r).astype(np.float32)


def round_rect_mask(w: int, h: int, r: float, *, inset: float = 0.0) -> np.ndarray:
    """Coverage of a rounded rectangle filling a w×h frame (less ``inset`` on every side)."""
    r = max(0.0, min(r, (w - 2 * inset) / 2, (h - 2 * inset) / 2))
    k = int(math.ceil(r + inset)) + 1
    if inset or 2 * k >= min(w, h) or w * h < 4096:
        return cover(sd_round_rect(w, h, inset, inset, w - inset, h - inset, r))
    # straight edges on pixel boundaries are fully covered: only the corners need distances
    out = np.ones((h, w), np.float32)
    corner = cover(sd_round_rect(2 * k, 2 * k, 0, 0, 4 * k, 4 * k, r))[:k, :k]
    out[:k, :k] = corner
    out[:k, w - k :] = corner[:, ::-1]
    out[h - k :, :k] = corner[::-1, :]
    out[h - k :, w - k :] = corner[::-1, ::-1]
    return out


def round_rect_outline(w: int, h: int, r: float, t: float) -> np.ndarray:
    d = sd_round_rect(w, h, t / 2, t / 2, w - t / 2, h - t / 2, max(r - t / 2, 0))
    return cover(np.abs(d) - t / 2)


def circle_mask(w: int, h: int, cx: float, cy: float, r: float) -> np.ndarray:
    xs, ys = _grid(w, h)
    return cover(np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) - r)


def ring_mask(w: int, h: int, cx: float, cy: float, r: float, t: float) -> np.ndarray:
    """A circle outline of thickness ``t`` whose outer radius is ``r``."""
    xs, ys = _grid(w, h)
    d = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) - (r - t / 2)
    return cover(np.abs(d) - t / 2)


def arc_mask(w: int, h: int, cx: float, cy: float, r: float, t: float, frac: float, start: float = -90) -> np.ndarray:
    """Part of a ring: ``frac`` of a full turn, clockwise from ``start`` degrees."""
    ring = ring_mask(w, h, cx, cy, r, t)
    xs, ys = _grid(w, h)
    ang = (np.degrees(np.arctan2(ys - cy, xs - cx)) - start) % 360
    return ring * (ang <= frac * 360).astype(np.float32)


def segment_sd(w: int, h: int, ax: float, ay: float, bx: float, by: float) -> np.ndarray:
    xs, ys = _grid(w, h)
    vx, vy = bx - ax, by - ay
    ll = vx * vx + vy * vy or 1e-6
    t = np.clip(((xs - ax) * vx + (ys - ay) * vy) / ll, 0, 1)
    return np.sqrt((xs - ax - t * vx) ** 2 + (ys - ay - t * vy) ** 2).astype(np.float32)


def cross_mask(w: int, h: int, cx: float, cy: float, size: float, t: float) -> np.ndarray:
    """A × of stroke ``t`` whose ink spans ``size`` pixels square, centred on (cx, cy)."""
    half = max(size / 2 - t / 2, 0.5)
    d1 = segment_sd(w, h, cx - half, cy - half, cx + half, cy + half)
    d2 = segment_sd(w, h, cx - half, cy + half, cx + half, cy - half)
    return cover(np.minimum(d1, d2) - t / 2)


def polyline_mask(w: int, h: int, pts: list[tuple[float, float]], t: float, closed: bool = False) -> np.ndarray:
    d = np.full((h, w), 1e6, np.float32)
    seq = [*pts, pts[0]] if closed else pts
    for (ax, ay), (bx, by) in itertools.pairwise(seq):
        d = np.minimum(d, segment_sd(w, h, ax, ay, bx, by))
    return cover(d - t / 2)


def polygon_mask(w: int, h: int, pts: list[tuple[float, float]], ss: int = 4) -> np.ndarray:
    """A filled polygon, anti-aliased by supersampling."""
    im = np.zeros((h * ss, w * ss), np.uint8)
    arr = np.array([[(x * ss, y * ss) for x, y in pts]], dtype=np.int32)
    cv2.fillPoly(im, arr, 255)
    return cv2.resize(im, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def bbox_of(mask: np.ndarray, thr: float = 0.3) -> tuple[int, int, int, int] | None:
    """(x1, y1, x2, y2) of the pixels with coverage ≥ ``thr``; x2/y2 exclusive."""
    rows = np.nonzero((mask >= thr).any(axis=1))[0]
    cols = np.nonzero((mask >= thr).any(axis=0))[0]
    if len(rows) == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def paste_mask(dst: np.ndarray, src: np.ndarray, x: int, y: int) -> None:
    """``dst = max(dst, src)`` over the part of ``src`` placed at (x, y) that falls inside ``dst``."""
    h, w = src.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, dst.shape[1]), min(y + h, dst.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    np.maximum(dst[y0:y1, x0:x1], src[y0 - y : y1 - y, x0 - x : x1 - x], out=dst[y0:y1, x0:x1])


# ---------------------------------------------------------------------------------------------
# canvas


def _solid(w: int, h: int, color: RGB | tuple[float, ...] | np.ndarray) -> np.ndarray:
    arr = np.empty((h, w, 3), np.uint8)
    for i in range(3):
        arr[:, :, i] = int(round(float(color[i])))
    return arr


@dataclass
class Canvas:
    """An RGB uint8 picture that shapes and text are blended onto through coverage masks."""

    rgb: np.ndarray

    @classmethod
    def solid(cls, w: int, h: int, color: RGB) -> Canvas:
        return cls(_solid(w, h, color))

    @property
    def w(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def h(self) -> int:
        return int(self.rgb.shape[0])

    def _clip(self, x: int, y: int, w: int, h: int) -> tuple[int, int, int, int, int, int] | None:
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + w, self.w), min(y + h, self.h)
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, y0, x1, y1, x0 - x, y0 - y

    def blend(self, x: int, y: int, mask: np.ndarray, color: RGB | np.ndarray, opacity: float = 1.0) -> None:
        """Paint ``color`` (a colour or an RGB array the mask's size) through ``mask`` at (x, y)."""
        h, w = mask.shape
        c = self._clip(x, y, w, h)
        if c is None:
            return
        x0, y0, x1, y1, ox, oy = c
        a = np.ascontiguousarray(mask[oy : oy + (y1 - y0), ox : ox + (x1 - x0)], dtype=np.float32)
        if opacity != 1.0:
            a = a * np.float32(opacity)
        region = self.rgb[y0:y1, x0:x1]
        if isinstance(color, np.ndarray) and color.ndim == 3:
            src = np.ascontiguousarray(color[oy : oy + (y1 - y0), ox : ox + (x1 - x0)], dtype=np.uint8)
        else:
            src = _solid(x1 - x0, y1 - y0, color)
        self.rgb[y0:y1, x0:x1] = cv2.blendLinear(np.ascontiguousarray(region), src, 1.0 - a, a)

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: RGB, opacity: float = 1.0) -> None:
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, self.w), min(y1, self.h)
        if x1 <= x0 or y1 <= y0:
            return
        if opacity >= 1.0:
            self.rgb[y0:y1, x0:x1] = color
            return
        region = np.ascontiguousarray(self.rgb[y0:y1, x0:x1])
        src = _solid(x1 - x0, y1 - y0, color)
        self.rgb[y0:y1, x0:x1] = cv2.addWeighted(region, 1.0 - opacity, src, opacity, 0.0)

    def round_rect(self, x0: int, y0: int, x1: int, y1: int, r: float, color: RGB, opacity: float = 1.0) -> None:
        w, h = x1 - x0, y1 - y0
        if w <= 0 or h <= 0:
            return
        if r <= 0.5:
            self.rect(x0, y0, x1, y1, color, opacity)
            return
        self.blend(x0, y0, round_rect_mask(w, h, r), color, opacity)

    def text(self, x: int, y: int, text: str, px: float, color: RGB, *, bold: bool = False,
             family: str = "sans", opacity: float = 1.0) -> tuple[int, int, int, int]:
        """Draw text with its ink's top-left at (x, y); returns the ink box."""
        m = text_mask(text, px, bold=bold, family=family)
        self.blend(x, y, m, color, opacity)
        return x, y, x + m.shape[1], y + m.shape[0]

    def mean_color(self, x: int, y: int, weights: np.ndarray) -> tuple[float, float, float] | None:
        """Mean colour of the pixels under ``weights`` placed at (x, y), weighted; None if empty."""
        h, w = weights.shape
        c = self._clip(x, y, w, h)
        if c is None:
            return None
        x0, y0, x1, y1, ox, oy = c
        wt = weights[oy : oy + (y1 - y0), ox : ox + (x1 - x0)].astype(np.float64)
        total = wt.sum()
        if total <= 1e-6:
            return None
        region = self.rgb[y0:y1, x0:x1].astype(np.float64)
        m = (region * wt[..., None]).sum(axis=(0, 1)) / total
        return float(m[0]), float(m[1]), float(m[2])

    def median_color(self, x: int, y: int, weights: np.ndarray) -> tuple[float, float, float] | None:
        """Per-channel median colour of the pixels where ``weights`` (placed at x, y) is over 0.5."""
        h, w = weights.shape
        c = self._clip(x, y, w, h)
        if c is None:
            return None
        x0, y0, x1, y1, ox, oy = c
        sel = weights[oy : oy + (y1 - y0), ox : ox + (x1 - x0)] > 0.5
        if not sel.any():
            return None
        m = np.median(self.rgb[y0:y1, x0:x1][sel].astype(np.float64), axis=0)
        return float(m[0]), float(m[1]), float(m[2])

    def mean_box(self, x0: int, y0: int, x1: int, y1: int) -> tuple[float, float, float]:
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = max(min(x1, self.w), x0 + 1), max(min(y1, self.h), y0 + 1)
        m = self.rgb[y0:y1, x0:x1].reshape(-1, 3).mean(axis=0)
        return float(m[0]), float(m[1]), float(m[2])


# ---------------------------------------------------------------------------------------------
# photo-like imagery


def _gaussian_blobs(rng: np.random.Generator, w: int, h: int, base: np.ndarray, n: int,
                    palette: list[RGB]) -> np.ndarray:
    xs, ys = _grid(w, h)
    img = base
    for _ in range(n):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        sx, sy = rng.uniform(0.08, 0.45) * w, rng.uniform(0.05, 0.35) * h
        a = float(rng.uniform(0.35, 0.95))
        col = np.asarray(palette[int(rng.integers(len(palette)))], np.float32)
        g = np.exp(-(((xs - cx) / sx) ** 2 + ((ys - cy) / sy) ** 2)).astype(np.float32)[..., None] * a
        img = img * (1 - g) + col * g
    return img


def palette(rng: np.random.Generator, n: int = 4, *, dark: bool = False) -> list[RGB]:
    """``n`` colours that go together: analogous, complementary or random hues."""
    mode = int(rng.integers(3))
    base_h = float(rng.uniform(0, 180))
    out: list[RGB] = []
    for i in range(n):
        if mode == 0:  # analogous
            h = (base_h + rng.uniform(-20, 20)) % 180
        elif mode == 1:  # complementary
            h = (base_h + (90 if i % 2 else 0) + rng.uniform(-8, 8)) % 180
        else:
            h = float(rng.uniform(0, 180))
        s = rng.uniform(0.25, 1.0) * 255 if rng.random() < 0.85 else rng.uniform(0.0, 0.2) * 255
        v = rng.uniform(0.55, 1.0) * 255 if not dark else rng.uniform(0.06, 0.4) * 255
        hsv = np.array([[[h, s, v]]], dtype=np.uint8)
        r, g, b = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0]
        out.append((int(r), int(g), int(b)))
    return out


def _noise_field(rng: np.random.Generator, w: int, h: int, octaves: int = 3) -> np.ndarray:
    """Smooth value noise in 0..1 (a few octaves of upscaled random grids)."""
    acc = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        gw, gh = 3 * 2**o + 1, max(int((3 * 2**o + 1) * h / max(w, 1)), 2)
        grid = rng.random((gh, gw)).astype(np.float32)
        acc += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        total += amp
        amp *= 0.5
    acc /= total
    lo, hi = float(acc.min()), float(acc.max())
    return (acc - lo) / max(hi - lo, 1e-6)


def _shade_circle(img: np.ndarray, cx: int, cy: int, r: int, col: RGB, light: float) -> None:
    """A sphere-ish disc: the colour lit from the top left."""
    x0, y0, x1, y1 = max(cx - r, 0), max(cy - r, 0), min(cx + r + 1, img.shape[1]), min(cy + r + 1, img.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    ys = np.arange(y0, y1, dtype=np.float32)[:, None] - cy
    xs = np.arange(x0, x1, dtype=np.float32)[None, :] - cx
    d = np.sqrt(xs**2 + ys**2)
    a = np.clip(r - d + 0.5, 0, 1)[..., None]
    hl = np.clip(1 - np.sqrt((xs + r * 0.35) ** 2 + (ys + r * 0.35) ** 2) / (1.3 * r), 0, 1)[..., None]
    base = np.asarray(col, np.float32)
    shaded = base * (0.65 + 0.35 * hl) + (255 - base) * hl**3 * light
    region = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = np.clip(region * (1 - a) + shaded * a, 0, 255).astype(np.uint8)


PHOTO_MAX_RENDER_W = 560  # photos are drawn at most this wide, then scaled up (their detail is soft)


def photo(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A photo-like RGB picture: a lit backdrop, shapes with shading, texture, blur and grain."""
    if w > PHOTO_MAX_RENDER_W:
        f = PHOTO_MAX_RENDER_W / w
        small = _photo(rng, PHOTO_MAX_RENDER_W, max(int(round(h * f)), 8))
        img = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    else:
        img = _photo(rng, w, h)
    if rng.random() < 0.6:
        tile = np.clip(rng.normal(128, rng.uniform(2, 8), (128, 128, 3)), 0, 255).astype(np.uint8)
        grain = cv2.repeat(tile, h // 128 + 1, w // 128 + 1)[:h, :w]
        img = cv2.addWeighted(img, 1.0, np.ascontiguousarray(grain), 1.0, -128.0)
    return np.ascontiguousarray(img)


def _photo(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    style = int(rng.integers(5))
    dark = style == 3 or rng.random() < 0.1
    pal = palette(rng, int(rng.integers(3, 7)), dark=dark)
    bright = palette(rng, 3)
    sw, sh = max(w // 12, 8), max(h // 12, 8)
    t = np.linspace(0, 1, sh, dtype=np.float32)[:, None, None]
    base = np.broadcast_to(np.asarray(pal[0], np.float32) * (1 - t) + np.asarray(pal[1], np.float32) * t,
                           (sh, sw, 3)).copy()
    small = _gaussian_blobs(rng, sw, sh, base, int(rng.integers(2, 7)), pal)
    mw, mh = max(w // 4, 8), max(h // 4, 8)  # backdrop and texture are smooth: build them at 1/4 size
    img = cv2.resize(np.clip(small, 0, 255).astype(np.uint8), (mw, mh), interpolation=cv2.INTER_CUBIC)
    if style == 4 or rng.random() < 0.25:  # texture: colourised noise (foliage, fabric, rock)
        nf = _noise_field(rng, mw, mh, int(rng.integers(3, 6)))[..., None]
        c1, c2 = np.asarray(pal[-1], np.float32), np.asarray(pal[-2], np.float32)
        tex = c1 * (1 - nf) + c2 * nf
        a = float(rng.uniform(0.3, 0.9))
        img = np.clip(img.astype(np.float32) * (1 - a) + tex * a, 0, 255).astype(np.uint8)
    img = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
    overlay = img.copy()
    if style == 1:  # landscape: layers of hills under a sky, maybe a sun
        if rng.random() < 0.6:
            _shade_circle(overlay, int(rng.uniform(0.1, 0.9) * w), int(rng.uniform(0.05, 0.3) * h),
                          int(rng.uniform(0.05, 0.15) * w), bright[0], 0.6)
        for layer in range(int(rng.integers(2, 5))):
            cy = h * (0.35 + 0.15 * layer + rng.uniform(-0.05, 0.05))
            amp = rng.uniform(0.03, 0.12) * h
            xs = np.linspace(0, w, 32)
            ys = cy + amp * np.sin(xs / w * rng.uniform(2, 9) + rng.uniform(0, 6))
            pts = np.array([[int(x), int(y)] for x, y in zip(xs, ys, strict=True)] + [[w, h], [0, h]], np.int32)
            col = mix(pal[(layer + 2) % len(pal)], (0, 0, 0), 0.12 * layer)
            cv2.fillPoly(overlay, [pts], col, cv2.LINE_AA)
    n_shapes = int(rng.integers(3, 12))
    for _ in range(n_shapes):
        col = (bright + pal)[int(rng.integers(len(bright) + len(pal)))]
        kind = int(rng.integers(6))
        cx, cy = int(rng.uniform(0, w)), int(rng.uniform(0.05 * h, 0.95 * h))
        size = int(rng.uniform(0.04, 0.3) * w) + 2
        if kind == 0:
            _shade_circle(overlay, cx, cy, size, col, float(rng.uniform(0, 0.8)))
        elif kind == 1:  # a rotated card, sometimes a white "product" box with a shadow
            ang = float(rng.uniform(-30, 30))
            bw, bh = size * 1.6, size * float(rng.uniform(0.6, 1.6))
            box = cv2.boxPoints(((cx, cy), (bw, bh), ang)).astype(np.int32)
            if rng.random() < 0.4:
                cv2.fillPoly(overlay, [box + np.int32(size * 0.06)], mix(col, (0, 0, 0), 0.6), cv2.LINE_AA)
                col = mix(col, (255, 255, 255), 0.8)
            cv2.fillPoly(overlay, [box], col, cv2.LINE_AA)
        elif kind == 2:
            pts = np.array([[cx + int(rng.uniform(-1, 1) * size), cy + int(rng.uniform(-1, 1) * size)]
                            for _ in range(int(rng.integers(3, 7)))], np.int32)
            cv2.fillPoly(overlay, [cv2.convexHull(pts)], col, cv2.LINE_AA)
        elif kind == 3:  # bokeh / confetti
            for _ in range(int(rng.integers(6, 30))):
                bx, by = int(rng.uniform(0, w)), int(rng.uniform(0, h))
                br = int(rng.uniform(0.005, 0.03) * w) + 1
                cc = (bright + pal)[int(rng.integers(len(bright) + len(pal)))]
                if rng.random() < 0.5:
                    cv2.circle(overlay, (bx, by), br, cc, -1, cv2.LINE_AA)
                else:
                    rb = cv2.boxPoints(((bx, by), (br * 2.5, br), float(rng.uniform(0, 180)))).astype(np.int32)
                    cv2.fillPoly(overlay, [rb], cc, cv2.LINE_AA)
        elif kind == 4:  # a diagonal band
            ang = rng.uniform(-0.6, 0.6)
            th = int(rng.uniform(0.03, 0.15) * h)
            p0 = (0, int(cy - w * ang / 2))
            p1 = (w, int(cy + w * ang / 2))
            cv2.line(overlay, p0, p1, col, th, cv2.LINE_AA)
        else:  # a ring
            cv2.circle(overlay, (cx, cy), size, col, max(int(size * rng.uniform(0.08, 0.3)), 1), cv2.LINE_AA)
    alpha = float(rng.uniform(0.55, 1.0))
    img = cv2.addWeighted(overlay, alpha, img, 1 - alpha, 0)
    if rng.random() < 0.4:
        k = int(rng.uniform(0.002, 0.01) * w) * 2 + 1
        img = cv2.GaussianBlur(img, (k, k), 0)
    return img


def vignette_gradient(w: int, h: int, top: RGB, bottom: RGB) -> np.ndarray:
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    col = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return np.ascontiguousarray(np.broadcast_to(col, (h, w, 3)).astype(np.uint8))


def rotate_mask(mask: np.ndarray, angle: float) -> np.ndarray:
    """Rotate a mask about its centre, growing the canvas so nothing is cut off."""
    h, w = mask.shape
    rad = math.radians(angle)
    nw = int(abs(w * math.cos(rad)) + abs(h * math.sin(rad))) + 2
    nh = int(abs(w * math.sin(rad)) + abs(h * math.cos(rad))) + 2
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[0, 2] += (nw - w) / 2
    m[1, 2] += (nh - h) / 2
    return cv2.warpAffine(mask, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=0.0)
