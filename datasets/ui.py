"""Ordinary app chrome and pages: status bar, navigation bar, lists, cards, and in-page traps.

The traps are things a close-control detector must *not* report on a screen with no overlay:
a search box's clear ×, tag chips with ×, a video's mute icon, an in-page banner's ▷× mark,
navigation icons, an auto-clicker's floating circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from datasets import vocab
from datasets.render import (
    RGB,
    Canvas,
    circle_mask,
    cross_mask,
    luminance,
    mix,
    photo,
    polygon_mask,
    polyline_mask,
    random_hue,
    ring_mask,
    round_rect_mask,
    round_rect_outline,
    text_mask,
    text_width,
)


@dataclass
class Theme:
    bg: RGB
    surface: RGB
    text: RGB
    subtext: RGB
    accent: RGB
    divider: RGB
    dark: bool


def make_theme(rng: np.random.Generator) -> Theme:
    accent = random_hue(rng, sat=float(rng.uniform(0.5, 0.9)), val=float(rng.uniform(0.6, 0.95)))
    if rng.random() < 0.25:
        return Theme((18, 18, 18), (34, 34, 36), (236, 236, 236), (150, 150, 150), accent, (52, 52, 52), True)
    bg = (255, 255, 255) if rng.random() < 0.6 else (245, 245, 247)
    return Theme(bg, (255, 255, 255), (25, 25, 25), (140, 140, 140), accent, (228, 228, 228), False)


@dataclass
class Chrome:
    status_h: int = 0
    nav_h: int = 0
    traps: list[str] = field(default_factory=list)


def _ink(bg: RGB | tuple[float, float, float]) -> RGB:
    return (255, 255, 255) if luminance(bg) < 0.4 else (20, 20, 20)


def ui_icon(name: str, s: int) -> np.ndarray:
    """A simple line icon mask of ``s`` × ``s`` pixels."""
    s = max(s, 6)
    t = max(s * 0.09, 1.2)
    c = s / 2
    if name == "back":
        return polyline_mask(s, s, [(s * 0.62, s * 0.2), (s * 0.3, c), (s * 0.62, s * 0.8)], t)
    if name == "search":
        return np.maximum(ring_mask(s, s, s * 0.42, s * 0.42, s * 0.3, t),
                          polyline_mask(s, s, [(s * 0.64, s * 0.64), (s * 0.88, s * 0.88)], t * 1.2))
    if name == "menu":
        return polyline_mask(s, s, [(s * 0.15, s * 0.3), (s * 0.85, s * 0.3)], t) + polyline_mask(
            s, s, [(s * 0.15, c), (s * 0.85, c)], t) + polyline_mask(s, s, [(s * 0.15, s * 0.7), (s * 0.85, s * 0.7)], t)
    if name == "more":
        return np.clip(sum((circle_mask(s, s, c, s * f, t * 0.9) for f in (0.25, 0.5, 0.75)), np.zeros((s, s), np.float32)), 0, 1)
    if name == "home":
        return polyline_mask(s, s, [(s * 0.15, s * 0.5), (c, s * 0.15), (s * 0.85, s * 0.5), (s * 0.78, s * 0.5),
                                    (s * 0.78, s * 0.85), (s * 0.22, s * 0.85), (s * 0.22, s * 0.5)], t, closed=True)
    if name == "person":
        return np.maximum(ring_mask(s, s, c, s * 0.33, s * 0.18, t),
                          polyline_mask(s, s, [(s * 0.15, s * 0.88), (s * 0.3, s * 0.62), (s * 0.7, s * 0.62),
                                               (s * 0.85, s * 0.88)], t))
    if name == "bell":
        return np.maximum(polyline_mask(s, s, [(s * 0.2, s * 0.72), (s * 0.28, s * 0.35), (c, s * 0.18),
                                               (s * 0.72, s * 0.35), (s * 0.8, s * 0.72)], t, closed=True),
                          circle_mask(s, s, c, s * 0.84, t))
    if name == "heart":
        return polyline_mask(s, s, [(c, s * 0.85), (s * 0.12, s * 0.42), (s * 0.28, s * 0.2), (c, s * 0.35),
                                    (s * 0.72, s * 0.2), (s * 0.88, s * 0.42)], t, closed=True)
    if name == "chat":
        m = np.zeros((s, s), np.float32)
        y0, y1, x0, x1 = int(s * 0.18), int(s * 0.72), int(s * 0.12), int(s * 0.88)
        m[y0:y1, x0:x1] = round_rect_outline(x1 - x0, y1 - y0, s * 0.12, t)
        return m
    if name == "play":
        return polygon_mask(s, s, [(s * 0.3, s * 0.2), (s * 0.82, c), (s * 0.3, s * 0.8)])
    if name == "mute":  # speaker with a small × : a trap
        sp = polygon_mask(s, s, [(s * 0.1, s * 0.38), (s * 0.28, s * 0.38), (s * 0.5, s * 0.18), (s * 0.5, s * 0.82),
                                 (s * 0.28, s * 0.62), (s * 0.1, s * 0.62)])
        return np.maximum(sp, cross_mask(s, s, s * 0.75, c, s * 0.3, t))
    if name == "volume":
        sp = polygon_mask(s, s, [(s * 0.1, s * 0.38), (s * 0.28, s * 0.38), (s * 0.5, s * 0.18), (s * 0.5, s * 0.82),
                                 (s * 0.28, s * 0.62), (s * 0.1, s * 0.62)])
        return np.maximum(sp, ring_mask(s, s, s * 0.5, c, s * 0.3, t) * (np.arange(s)[None, :] > s * 0.62))
    if name == "gear":
        return np.maximum(ring_mask(s, s, c, c, s * 0.36, t * 1.6), circle_mask(s, s, c, c, s * 0.1))
    return ring_mask(s, s, c, c, s * 0.4, t)


def draw_status_bar(canvas: Canvas, rng: np.random.Generator, d: float, *, bg: RGB | None,
                    height_dp: float = 24.0) -> int:
    """Time, signal, wifi and battery; ``bg`` None draws over what is there (transparent bar)."""
    h = int(round(height_dp * d))
    if bg is not None:
        canvas.rect(0, 0, canvas.w, h, bg)
    under = canvas.mean_box(0, 0, canvas.w, h)
    ink = _ink(under)
    px = 12.5 * d
    times = ("10:32", "9:41", "14:07", "21:15", "08:00", "5:51")
    tm = text_mask(str(rng.choice(times)), px, bold=rng.random() < 0.5)
    canvas.blend(int(14 * d), (h - tm.shape[0]) // 2, tm, ink)
    x = canvas.w - int(14 * d)
    # battery
    bw, bh = int(22 * d), int(11 * d)
    x -= bw
    by = (h - bh) // 2
    canvas.blend(x, by, round_rect_outline(bw, bh, 2.5 * d, max(1.0, 1.1 * d)), ink)
    level = float(rng.uniform(0.2, 1.0))
    canvas.rect(x + int(2.2 * d), by + int(2.2 * d), x + int(2.2 * d + (bw - 4.4 * d) * level), by + bh - int(2.2 * d), ink)
    if rng.random() < 0.4:
        pm = text_mask(f"{int(level * 100)}%", px * 0.85)
        x -= pm.shape[1] + int(4 * d)
        canvas.blend(x, (h - pm.shape[0]) // 2, pm, ink)
    # wifi (a wedge) and signal bars
    s = int(14 * d)
    x -= s + int(6 * d)
    canvas.blend(x, (h - s) // 2, polygon_mask(s, s, [(0, s * 0.35), (s / 2, s), (s, s * 0.35), (s / 2, 0)]), ink)
    x -= s + int(6 * d)
    for i in range(4):
        bh2 = int(s * (0.35 + 0.2 * i))
        canvas.rect(x + int(i * s / 4), (h + s) // 2 - bh2, x + int(i * s / 4 + s / 6), (h + s) // 2, ink,
                    1.0 if i < 3 else 0.45)
    if rng.random() < 0.4:  # a notification icon or two on the left
        nx = int(14 * d) + tm.shape[1] + int(8 * d)
        for _ in range(int(rng.integers(1, 3))):
            canvas.blend(nx, (h - s) // 2, ui_icon(str(rng.choice(["chat", "bell", "play"])), s), ink)
            nx += s + int(5 * d)
    return h


def draw_nav_bar(canvas: Canvas, rng: np.random.Generator, d: float, style: str, page_bg: RGB) -> int:
    """System navigation: ``buttons`` (◁ ○ □), ``gesture`` (a handle) or ``none``."""
    if style == "none":
        return 0
    if style == "gesture":
        h = int(20 * d)
        bar = page_bg if rng.random() < 0.6 else (0, 0, 0)
        canvas.rect(0, canvas.h - h, canvas.w, canvas.h, bar)
        hw, hh = int(108 * d), max(int(4 * d), 2)
        canvas.round_rect(canvas.w // 2 - hw // 2, canvas.h - int(9 * d), canvas.w // 2 + hw // 2,
                          canvas.h - int(9 * d) + hh, hh / 2, _ink(bar))
        return h
    h = int(48 * d)
    bar = (0, 0, 0) if rng.random() < 0.7 else page_bg
    canvas.rect(0, canvas.h - h, canvas.w, canvas.h, bar)
    ink = mix(_ink(bar), bar, 0.1)
    s = int(18 * d)
    t = max(1.3 * d, 1.0)
    cy = canvas.h - h // 2 - s // 2
    shapes = [
        polyline_mask(s, s, [(s * 0.8, s * 0.1), (s * 0.15, s / 2), (s * 0.8, s * 0.9)], t, closed=True),
        ring_mask(s, s, s / 2, s / 2, s * 0.45, t),
        round_rect_outline(int(s * 0.9), int(s * 0.9), s * 0.08, t),
    ]
    for i, m in enumerate(shapes):
        cx = int(canvas.w * (0.22 + 0.28 * i))
        canvas.blend(cx - m.shape[1] // 2, cy + (s - m.shape[0]) // 2, m, ink)
    return h


def _thumb(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    return photo(rng, max(w, 8), max(h, 8))


class PageBuilder:
    """Fills a canvas top to bottom with app content blocks."""

    def __init__(self, canvas: Canvas, rng: np.random.Generator, d: float, theme: Theme, zh: bool) -> None:
        self.c, self.rng, self.d, self.t, self.zh = canvas, rng, d, theme, zh
        self.traps: list[str] = []
        self.m = int(16 * d)

    def dp(self, v: float) -> int:
        return int(round(v * self.d))

    def pick(self, zh: tuple[str, ...], en: tuple[str, ...]) -> str:
        return str(self.rng.choice(zh if self.zh else en))

    def app_bar(self, y: int) -> int:
        h = self.dp(56)
        colored = self.rng.random() < 0.35
        bg = self.t.accent if colored else self.t.surface
        self.c.rect(0, y, self.c.w, y + h, bg)
        ink = _ink(bg)
        s = self.dp(24)
        x = self.m
        if self.rng.random() < 0.7:
            self.c.blend(x, y + (h - s) // 2, ui_icon(str(self.rng.choice(["back", "menu"])), s), ink)
            x += s + self.dp(20)
        title = self.pick(vocab.PAGE_TITLES_ZH, vocab.PAGE_TITLES_EN)
        tm = text_mask(title, 19 * self.d, bold=self.rng.random() < 0.6)
        tx = x if self.rng.random() < 0.6 else (self.c.w - tm.shape[1]) // 2
        self.c.blend(tx, y + (h - tm.shape[0]) // 2, tm, ink)
        rx = self.c.w - self.m - s
        for _ in range(int(self.rng.integers(0, 3))):
            self.c.blend(rx, y + (h - s) // 2, ui_icon(str(self.rng.choice(["search", "more", "bell", "gear"])), s), ink)
            rx -= s + self.dp(18)
        if not colored:
            self.c.rect(0, y + h - max(1, self.dp(0.7)), self.c.w, y + h, self.t.divider)
        return y + h

    def search_box(self, y: int) -> int:
        h = self.dp(38)
        y += self.dp(8)
        box_bg = mix(self.t.bg, self.t.text, 0.07)
        self.c.round_rect(self.m, y, self.c.w - self.m, y + h, h / 2 if self.rng.random() < 0.6 else self.dp(8), box_bg)
        s = self.dp(18)
        self.c.blend(self.m + self.dp(12), y + (h - s) // 2, ui_icon("search", s), self.t.subtext)
        typed = self.rng.random() < 0.5
        txt = self.pick(vocab.TAGS_ZH, vocab.TAGS_EN) if typed else self.pick(vocab.SEARCH_ZH, vocab.SEARCH_EN)
        tm = text_mask(txt, 14 * self.d)
        self.c.blend(self.m + self.dp(38), y + (h - tm.shape[0]) // 2, tm, self.t.text if typed else self.t.subtext)
        if typed:  # the clear button: a trap
            cs = self.dp(float(self.rng.uniform(14, 20)))
            cx = self.c.w - self.m - self.dp(12) - cs
            self.c.blend(cx, y + (h - cs) // 2, circle_mask(cs, cs, cs / 2, cs / 2, cs / 2), self.t.subtext)
            self.c.blend(cx, y + (h - cs) // 2, cross_mask(cs, cs, cs / 2, cs / 2, cs * 0.45, max(cs * 0.1, 1.2)), box_bg)
            self.traps.append("search-box clear ×")
        return y + h + self.dp(8)

    def chips(self, y: int) -> int:
        h = self.dp(30)
        y += self.dp(6)
        x = self.m
        with_x = self.rng.random() < 0.6
        for _ in range(int(self.rng.integers(3, 7))):
            txt = self.pick(vocab.TAGS_ZH, vocab.TAGS_EN)
            tm = text_mask(txt, 13 * self.d)
            xs = self.dp(12) if with_x else 0
            w = tm.shape[1] + self.dp(24) + xs
            if x + w > self.c.w - self.m:
                break
            filled = self.rng.random() < 0.6
            if filled:
                self.c.round_rect(x, y, x + w, y + h, h / 2, mix(self.t.bg, self.t.accent, 0.15))
            else:
                self.c.blend(x, y, round_rect_outline(w, h, h / 2, max(self.d, 1.0)), self.t.divider)
            self.c.blend(x + self.dp(12), y + (h - tm.shape[0]) // 2, tm, self.t.text)
            if with_x:
                s = self.dp(8)
                self.c.blend(x + w - self.dp(10) - s, y + (h - s) // 2,
                             cross_mask(s + 2, s + 2, s / 2 + 1, s / 2 + 1, s, max(self.d * 1.2, 1.0)), self.t.subtext)
            x += w + self.dp(8)
        if with_x:
            self.traps.append("tag chips with ×")
        return y + h + self.dp(8)

    def list_rows(self, y: int, limit: int) -> int:
        rh = self.dp(float(self.rng.choice([56, 64, 72, 88])))
        avatar = self.rng.random() < 0.7
        for _ in range(int(self.rng.integers(2, 7))):
            if y + rh > limit:
                break
            x = self.m
            if avatar:
                a = rh - self.dp(20)
                th = _thumb(self.rng, a, a)
                mask = circle_mask(a, a, a / 2, a / 2, a / 2) if self.rng.random() < 0.6 else round_rect_mask(a, a, self.dp(6))
                self.c.blend(x, y + self.dp(10), mask, th)
                x += a + self.dp(12)
            t1 = text_mask(self.pick(vocab.LINES_ZH, vocab.LINES_EN), 16 * self.d)
            t2 = text_mask(self.pick(vocab.LINES_ZH, vocab.LINES_EN), 13 * self.d)
            self.c.blend(x, y + rh // 2 - t1.shape[0] - self.dp(3), t1[:, : max(self.c.w - x - self.m, 1)], self.t.text)
            self.c.blend(x, y + rh // 2 + self.dp(5), t2[:, : max(self.c.w - x - self.m - self.dp(30), 1)], self.t.subtext)
            if self.rng.random() < 0.5:
                s = self.dp(16)
                self.c.blend(self.c.w - self.m - s, y + (rh - s) // 2,
                             polyline_mask(s, s, [(s * 0.35, s * 0.2), (s * 0.7, s / 2), (s * 0.35, s * 0.8)],
                                           max(self.d * 1.5, 1.0)), self.t.subtext)
            self.c.rect(x, y + rh - max(1, self.dp(0.6)), self.c.w, y + rh, self.t.divider)
            y += rh
        return y

    def card_grid(self, y: int, limit: int) -> int:
        gap = self.dp(8)
        cw = (self.c.w - 2 * self.m - gap) // 2
        ch = int(cw * float(self.rng.uniform(1.2, 1.5)))
        for row in range(2):
            yy = y + row * (ch + gap)
            if yy + ch > limit:
                return yy
            for col in range(2):
                x = self.m + col * (cw + gap)
                self.c.round_rect(x, yy, x + cw, yy + ch, self.dp(8), self.t.surface)
                ih = int(cw * 0.85)
                self.c.blend(x, yy, round_rect_mask(cw, ih, self.dp(8)), _thumb(self.rng, cw, ih))
                t1 = text_mask(self.pick(vocab.LINES_ZH, vocab.LINES_EN), 13 * self.d)
                self.c.blend(x + self.dp(8), yy + ih + self.dp(8), t1[:, : cw - self.dp(16)], self.t.text)
                t2 = text_mask(str(self.rng.choice(vocab.PRICES)), 15 * self.d, bold=True)
                self.c.blend(x + self.dp(8), yy + ch - t2.shape[0] - self.dp(10), t2, (230, 60, 40))
        return y + 2 * (ch + gap)

    def video_card(self, y: int, limit: int) -> int:
        w = self.c.w - 2 * self.m
        h = int(w * 9 / 16)
        if y + h + self.dp(16) > limit:
            return y
        y += self.dp(8)
        self.c.blend(self.m, y, round_rect_mask(w, h, self.dp(8)), _thumb(self.rng, w, h))
        s = self.dp(48)
        self.c.blend(self.m + (w - s) // 2, y + (h - s) // 2, circle_mask(s, s, s / 2, s / 2, s / 2), (0, 0, 0), 0.45)
        self.c.blend(self.m + (w - s) // 2, y + (h - s) // 2, ui_icon("play", s), (255, 255, 255))
        ms = self.dp(22)
        name = "mute" if self.rng.random() < 0.6 else "volume"
        corner = self.rng.random() < 0.5
        mx = self.m + w - ms - self.dp(10) if corner else self.m + self.dp(10)
        self.c.blend(mx, y + self.dp(10), ui_icon(name, ms), (255, 255, 255))
        self.traps.append(f"{name} icon on a video")
        tm = text_mask(f"0{int(self.rng.integers(0, 9))}:{int(self.rng.integers(10, 59))}", 12 * self.d)
        self.c.blend(self.m + w - tm.shape[1] - self.dp(10), y + h - tm.shape[0] - self.dp(10), tm, (255, 255, 255))
        return y + h + self.dp(12)

    def inline_banner(self, y: int, limit: int) -> int:
        w = self.c.w - 2 * self.m
        h = int(w * float(self.rng.uniform(0.18, 0.3)))
        if y + h + self.dp(16) > limit:
            return y
        y += self.dp(8)
        self.c.blend(self.m, y, round_rect_mask(w, h, self.dp(4)), _thumb(self.rng, w, h))
        tm = text_mask(self.pick(vocab.SLOGANS_ZH, vocab.SLOGANS_EN), 16 * self.d, bold=True)
        self.c.blend(self.m + self.dp(12), y + (h - tm.shape[0]) // 2, tm[:, : w - self.dp(40)], (255, 255, 255))
        s = self.dp(14)
        bx = self.m + w - 2 * s
        self.c.rect(bx, y, self.m + w, y + s, (255, 255, 255), 0.85)
        self.c.blend(bx + 1, y + 1, polygon_mask(s - 2, s - 2, [(s * 0.2, s * 0.15), (s * 0.75, s / 2 - 1), (s * 0.2, s * 0.8)]),
                     (0, 160, 220))
        self.c.blend(bx + s, y, cross_mask(s, s, s / 2, s / 2, s * 0.55, max(self.d, 1.0)), (90, 90, 90))
        self.traps.append("in-page banner ▷× mark")
        return y + h + self.dp(12)

    def paragraph(self, y: int, limit: int) -> int:
        y += self.dp(8)
        px = 15 * self.d
        for _ in range(int(self.rng.integers(2, 6))):
            tm = text_mask(self.pick(vocab.LINES_ZH, vocab.LINES_EN), px)
            if y + tm.shape[0] > limit:
                break
            self.c.blend(self.m, y, tm[:, : self.c.w - 2 * self.m], self.t.text)
            y += int(px * 1.7)
        return y

    def section(self, y: int) -> int:
        y += self.dp(14)
        tm = text_mask(self.pick(vocab.PAGE_TITLES_ZH, vocab.PAGE_TITLES_EN), 17 * self.d, bold=True)
        self.c.blend(self.m, y, tm, self.t.text)
        return y + tm.shape[0] + self.dp(10)

    def tab_bar(self) -> int:
        h = self.dp(56)
        y = self.c.h - h
        self.c.rect(0, y, self.c.w, self.c.h, self.t.surface)
        self.c.rect(0, y, self.c.w, y + max(1, self.dp(0.7)), self.t.divider)
        n = int(self.rng.integers(3, 6))
        icons = ["home", "search", "chat", "person", "heart", "bell"]
        labels = vocab.TABS_ZH if self.zh else vocab.TABS_EN
        active = int(self.rng.integers(n))
        s = self.dp(24)
        for i in range(n):
            cx = int(self.c.w * (i + 0.5) / n)
            col = self.t.accent if i == active else self.t.subtext
            self.c.blend(cx - s // 2, y + self.dp(7), ui_icon(icons[i % len(icons)], s), col)
            tm = text_mask(labels[i % len(labels)], 11 * self.d)
            self.c.blend(cx - tm.shape[1] // 2, y + self.dp(36), tm, col)
        return y


def app_page(rng: np.random.Generator, w: int, h: int, d: float, *, zh: bool,
             nav_style: str) -> tuple[Canvas, Chrome, Theme]:
    """A plausible app screen with status bar, app bar, content, tab bar and system navigation."""
    theme = make_theme(rng)
    canvas = Canvas.solid(w, h, theme.bg)
    chrome = Chrome()
    status_bg = theme.bg if rng.random() < 0.6 else theme.accent
    chrome.status_h = draw_status_bar(canvas, rng, d, bg=status_bg, height_dp=float(rng.choice([24, 24, 28, 32])))
    chrome.nav_h = draw_nav_bar(canvas, rng, d, nav_style, theme.bg)
    page = PageBuilder(canvas, rng, d, theme, zh)
    y = page.app_bar(chrome.status_h)
    bottom = h - chrome.nav_h
    tab_h = 0
    if rng.random() < 0.7:
        sub = Canvas(canvas.rgb[: h - chrome.nav_h])
        tab_page = PageBuilder(sub, rng, d, theme, zh)
        tab_h = sub.h - tab_page.tab_bar()
    limit = bottom - tab_h
    blocks = ["search", "chips", "rows", "grid", "video", "banner", "paragraph", "section"]
    guard = 0
    while y < limit - page.dp(40) and guard < 12:
        guard += 1
        b = str(rng.choice(blocks))
        if b == "search":
            y = page.search_box(y) if y + page.dp(54) < limit else limit
        elif b == "chips":
            y = page.chips(y) if y + page.dp(44) < limit else limit
        elif b == "rows":
            y = page.list_rows(y, limit)
        elif b == "grid":
            y = page.card_grid(y, limit)
        elif b == "video":
            y = page.video_card(y, limit)
        elif b == "banner":
            y = page.inline_banner(y, limit)
        elif b == "paragraph":
            y = page.paragraph(y, limit)
        else:
            y = page.section(y) if y + page.dp(40) < limit else limit
    chrome.traps = page.traps
    return canvas, chrome, theme


def floating_widgets(canvas: Canvas, rng: np.random.Generator, d: float, traps: list[str]) -> None:
    """Things over every app that are not part of it: an auto-clicker circle, a recorder's timer."""
    if rng.random() < 0.12:
        s = int(44 * d)
        y = int(rng.uniform(0.3, 0.8) * canvas.h)
        canvas.blend(-s // 3, y, circle_mask(s, s, s / 2, s / 2, s / 2), (60, 200, 90), 0.75)
        traps.append("auto-clicker floating circle at the left edge")
    if rng.random() < 0.06:
        tm = text_mask(f"0{int(rng.integers(0, 9))}:{int(rng.integers(10, 59))}", 12 * d)
        bw, bh = tm.shape[1] + int(16 * d), int(26 * d)
        x, y = canvas.w - bw, int(rng.uniform(0.3, 0.6) * canvas.h)
        canvas.round_rect(x, y, x + bw + bh, y + bh, bh / 2, (200, 40, 40), 0.9)
        canvas.blend(x + int(8 * d), y + (bh - tm.shape[0]) // 2, tm, (255, 255, 255))
        traps.append("screen-recorder timer bubble")


__all__ = ["Chrome", "PageBuilder", "Theme", "app_page", "draw_nav_bar", "draw_status_bar", "floating_widgets",
           "make_theme", "text_width", "ui_icon"]
