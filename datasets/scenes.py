"""Screen composers: splash, interstitial, pop-up, dialog and plain app screens.

Each composer draws onto a :class:`SceneState` and records, as it draws, every labelled thing:
close controls (with their measured size, contrast and zone), the ad label, the cues, the texts
and the facts the rules look at. Coordinates here are the rendered (full-size) pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from datasets import vocab
from datasets.controls import (
    Placed,
    Sprite,
    button_sprite,
    control_kind,
    family_for,
    icon_sprite,
    place,
    round_skip_sprite,
    sample_contrast,
    sample_pill_dp,
    sample_size_dp,
    text_sprite,
)
from datasets.render import (
    RGB,
    Canvas,
    circle_mask,
    has_cjk,
    luminance,
    mix,
    palette,
    photo,
    random_hue,
    ring_mask,
    rotate_mask,
    round_rect_mask,
    round_rect_outline,
    text_mask,
    vignette_gradient,
    wrap_text,
)
from datasets.truth import ControlFact, ScreenFacts
from datasets.ui import app_page, draw_nav_bar, draw_status_bar, floating_widgets

Box = tuple[int, int, int, int]


@dataclass
class SceneState:
    rng: np.random.Generator
    canvas: Canvas
    d: float  # px per dp at render size
    screen: str
    zh: bool
    window: Box | None = None
    controls: list[dict[str, Any]] = field(default_factory=list)
    control_truth: list[dict[str, Any]] = field(default_factory=list)
    ad_label: Box | None = None
    ad_truth: dict[str, Any] | None = None
    cues: dict[str, bool] = field(default_factory=lambda: {"jump_hint": False, "shake": False, "countdown": False})
    texts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    traps: list[str] = field(default_factory=list)
    occupied: list[Box] = field(default_factory=list)
    facts: ScreenFacts = field(default_factory=lambda: ScreenFacts("none"))
    status_h: int = 0
    nav_h: int = 0

    @property
    def w(self) -> int:
        return self.canvas.w

    @property
    def h(self) -> int:
        return self.canvas.h

    def dp(self, v: float) -> int:
        return int(round(v * self.d))

    def pick(self, zh: tuple[Any, ...], en: tuple[Any, ...]) -> Any:
        seq = zh if self.zh else en
        return seq[int(self.rng.integers(len(seq)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def text(self, s: str) -> None:
        if s not in self.texts:
            self.texts.append(s)

    def free(self, box: Box, margin: int = 0) -> bool:
        x0, y0, x1, y1 = box
        for ox0, oy0, ox1, oy1 in self.occupied:
            if x0 < ox1 + margin and ox0 < x1 + margin and y0 < oy1 + margin and oy0 < y1 + margin:
                return False
        return True

    def add_control(self, p: Placed, text: str | None, zone: str, note: str | None = None) -> None:
        kind = control_kind(text)
        label: dict[str, Any] = {"box": list(p.box), "kind": kind, "text": text}
        if note:
            label["note"] = note
        self.controls.append(label)
        size_dp = p.short_side / self.d
        self.control_truth.append({
            "size_dp": round(size_dp, 2),
            "contrast": round(p.contrast, 2),
            "zone": zone,
            "zone_screen": screen_zone(p.box, self.w, self.h),
            "button": p.button_visible,
            "fg": list(p.fg),
            "bg": [int(round(v)) for v in p.bg],
        })
        self.facts.controls.append(ControlFact(kind, size_dp, p.contrast))
        self.occupied.append(p.box)
        if text:
            self.text(text)
        if kind == "countdown":
            self.cues["countdown"] = True

    def set_ad_label(self, p: Placed, text: str) -> None:
        self.ad_label = p.box
        hdp = p.ink_height / self.d
        self.ad_truth = {"text": text, "text_height_dp": round(hdp, 2), "contrast": round(p.contrast, 2)}
        self.facts.ad_label_height_dp = hdp
        self.facts.ad_label_contrast = p.contrast
        self.occupied.append(p.box)
        self.text(text)


def screen_zone(box: Box | list[int], w: int, h: int) -> str:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    row = "top" if cy < h / 3 else ("bottom" if cy >= 2 * h / 3 else "middle")
    col = "left" if cx < w / 3 else ("right" if cx >= 2 * w / 3 else "center")
    return "center" if (row, col) == ("middle", "center") else f"{row}-{col}"


# ---------------------------------------------------------------------------------------------
# shared drawing


def shadow_text(c: Canvas, x: int, y: int, text: str, px: float, color: RGB, *, bold: bool = False,
                shadow: float = 0.5, family: str = "sans") -> Box:
    m = text_mask(text, px, bold=bold, family=family)
    if shadow > 0:
        k = max(int(px * 0.12) * 2 + 1, 3)
        pad = k
        sm = np.zeros((m.shape[0] + 2 * pad, m.shape[1] + 2 * pad), np.float32)
        sm[pad : pad + m.shape[0], pad : pad + m.shape[1]] = m
        sm = cv2.GaussianBlur(sm, (k, k), 0)
        dark = (0, 0, 0) if luminance(color) > 0.3 else (255, 255, 255)
        c.blend(x - pad + max(1, int(px * 0.04)), y - pad + max(1, int(px * 0.05)), sm, dark, shadow)
    c.blend(x, y, m, color)
    return x, y, x + m.shape[1], y + m.shape[0]


def app_icon(c: Canvas, rng: np.random.Generator, x: int, y: int, s: int, name: str) -> None:
    col = random_hue(rng, sat=float(rng.uniform(0.5, 0.9)), val=float(rng.uniform(0.6, 0.95)))
    c.blend(x, y, round_rect_mask(s, s, s * 0.22), col)
    m = text_mask(name[0], s * 0.55, bold=True)
    c.blend(x + (s - m.shape[1]) // 2, y + (s - m.shape[0]) // 2, m, (255, 255, 255))


def ad_picture(st: SceneState, x: int, y: int, w: int, h: int, *, headline: bool = True) -> None:
    """A photo-like ad picture with an optional big headline baked in."""
    st.canvas.rgb[y : y + h, x : x + w] = photo(st.rng, w, h)
    if headline and st.chance(0.75):
        slogan = str(st.pick(vocab.SLOGANS_ZH, vocab.SLOGANS_EN))
        px = min(float(st.rng.uniform(26, 40)) * st.d, 0.85 * w / max(len(slogan) if has_cjk(slogan) else len(slogan) * 0.55, 1))
        m = text_mask(slogan, px, bold=True)
        hy = y + int(h * float(st.rng.uniform(0.12, 0.3)))
        hx = x + (w - m.shape[1]) // 2 if st.chance(0.7) else x + st.dp(24)
        under = st.canvas.mean_box(hx, hy, hx + m.shape[1], hy + m.shape[0])
        col = (255, 255, 255) if luminance(under) < 0.45 else (30, 30, 30)
        if st.chance(0.3):
            col = mix(random_hue(st.rng), col, 0.3)
        shadow_text(st.canvas, hx, hy, slogan, px, col, bold=True, shadow=float(st.rng.uniform(0, 0.6)))
        st.occupied.append((hx, hy, hx + m.shape[1], hy + m.shape[0]))


def scrim(st: SceneState, opacity: float) -> None:
    st.canvas.rect(0, 0, st.w, st.h, (0, 0, 0), opacity)


# ---------------------------------------------------------------------------------------------
# close-control factories


def x_icon_sprite(st: SceneState, size_dp: float, style: str | None = None) -> tuple[Sprite, str, bool | None]:
    """A × sprite of about ``size_dp`` (button diameter, or glyph span when plain)."""
    rng = st.rng
    style = style or str(rng.choice(["plain", "plain", "filled_circle", "filled_circle", "outlined_circle",
                                      "filled_square", "outlined_square"]))
    size = max(st.dp(size_dp), 5)
    bold = st.chance(0.4)
    if style == "plain":
        stroke = max(size * float(rng.uniform(0.14, 0.2) if bold else rng.uniform(0.07, 0.11)), 1.0)
        return icon_sprite(size, "plain", stroke=stroke), "plain", None
    stroke = max(size * float(rng.uniform(0.08, 0.11) if bold else rng.uniform(0.045, 0.07)), 1.0)
    gf = float(rng.uniform(0.36, 0.55))
    gf = max(gf, min(0.8, 8.0 * st.d / size))  # the × itself stays at least ~8 dp where it can
    if style in ("outlined_circle", "outlined_square"):
        return icon_sprite(size, style, stroke=stroke, glyph_frac=gf), style, None
    dark = st.chance(0.6)
    fill: RGB = (0, 0, 0) if dark else ((255, 255, 255) if st.chance(0.7) else (210, 210, 210))
    op = float(rng.uniform(0.25, 0.65)) if dark else float(rng.uniform(0.55, 1.0))
    return icon_sprite(size, style, stroke=stroke, glyph_frac=gf, fill=fill, fill_opacity=op), style, dark


def pill_sprite(st: SceneState, text: str, height_dp: float, look: str | None = None,
                trailing: str | None = None) -> tuple[Sprite, bool | None]:
    """Text in a pill or rounded rectangle; returns the sprite and whether light text suits it."""
    rng = st.rng
    look = look or str(rng.choice(["dark", "dark", "dark", "light", "outline", "gray"]))
    h = max(st.dp(height_dp), 8)
    px = h * float(rng.uniform(0.4, 0.58))
    radius = h / 2 if st.chance(0.7) else h * float(rng.uniform(0.1, 0.25))
    pad = h * float(rng.uniform(0.3, 0.6))
    fam = family_for(text, rng)
    bold = st.chance(0.3)
    if look == "dark":
        return button_sprite(text, h, px=px, radius=radius, pad_x=pad, fill=(0, 0, 0),
                             fill_opacity=float(rng.uniform(0.25, 0.65)), bold=bold, family=fam,
                             trailing_icon=trailing), True
    if look == "light":
        return button_sprite(text, h, px=px, radius=radius, pad_x=pad, fill=(255, 255, 255),
                             fill_opacity=float(rng.uniform(0.55, 0.95)), bold=bold, family=fam,
                             trailing_icon=trailing), False
    if look == "gray":
        g = int(rng.integers(200, 245))
        return button_sprite(text, h, px=px, radius=radius, pad_x=pad, fill=(g, g, g), bold=bold, family=fam,
                             trailing_icon=trailing), False
    return button_sprite(text, h, px=px, radius=radius, pad_x=pad, fill=None,
                         outline_t=max(st.d * float(rng.uniform(0.8, 1.5)), 1.0), bold=bold, family=fam,
                         trailing_icon=trailing), None


def put_control(st: SceneState, sprite: Sprite, x: int, y: int, text: str | None, zone: str, *,
                prefer_light: bool | None = None, contrast: float | None = None, note: str | None = None,
                hue: RGB = (128, 128, 128), cell: Box | None = None) -> Placed:
    """Draw a close control and label it. ``cell`` is a tap target already drawn around the
    sprite by divider lines and the card's edges (an iOS alert's button row): that cell is the
    visible button, so its box and size are the cell's, not the text ink's."""
    p = place(st.canvas, sprite, x, y, contrast=contrast if contrast is not None else sample_contrast(st.rng),
              prefer_light=prefer_light, hue=hue)
    if cell is not None:
        p = replace(p, box=cell, button_visible=True)
    st.add_control(p, text, zone, note)
    return p


def countdown_text(st: SceneState, n: int, blocking: bool, *, reward: bool = True) -> str:
    """A countdown control's text; ``blocking`` ones say closing must wait. Only an ad pays a
    reward for waiting: an app's own launch screen gets no "Reward in 5s" (``reward=False``)."""
    if blocking:
        zh: tuple[str, ...] = vocab.BLOCKING_ZH
        en: tuple[str, ...] = vocab.BLOCKING_EN
        if not reward:
            zh = tuple(t for t in zh if "奖励" not in t)
            en = tuple(t for t in en if "Reward" not in t)
        return str(st.pick(zh, en)).format(n=n)
    return str(st.pick(vocab.COUNTDOWN_ZH, vocab.COUNTDOWN_EN)).format(n=n)


def sample_countdown(st: SceneState) -> int:
    return int(st.rng.choice([3, 3, 4, 5, 5, 5, 6, 8, 10, 15]))


def ad_label_sprite(st: SceneState, text: str) -> tuple[Sprite, bool | None]:
    ink_dp = float(st.rng.uniform(5.0, 14.0))
    ratio = 0.86 if has_cjk(text) else 0.72
    px = ink_dp * st.d / ratio
    fam = family_for(text, st.rng)
    if st.chance(0.6):
        h = int(px * float(st.rng.uniform(1.3, 1.7)))
        dark = st.chance(0.6)
        return button_sprite(text, h, px=px, radius=h * float(st.rng.uniform(0.15, 0.5)), pad_x=px * 0.35,
                             fill=(0, 0, 0) if dark else (255, 255, 255),
                             fill_opacity=float(st.rng.uniform(0.2, 0.6)), family=fam), dark
    return text_sprite(text, px, family=fam), None


def put_ad_label(st: SceneState, candidates: list[tuple[int, int, str]], text: str | None = None) -> Placed | None:
    """Draw an ad label at the first free candidate anchor (x, y, align) where align is l or r."""
    text = text or str(st.pick(vocab.AD_LABELS_ZH, vocab.AD_LABELS_EN))
    sprite, light = ad_label_sprite(st, text)
    for x, y, align in candidates:
        xx = x - sprite.w if align == "r" else x
        box = (xx, y, xx + sprite.w, y + sprite.h)
        if st.free(box, st.dp(4)) and xx >= 0 and xx + sprite.w <= st.w and y >= 0 and y + sprite.h <= st.h:
            p = place(st.canvas, sprite, xx, y, contrast=sample_contrast(st.rng), prefer_light=light)
            st.set_ad_label(p, text)
            return p
    return None


def jump_pill(st: SceneState, cx: int, cy: int, *, width_frac: float, text: str | None = None,
              cta: bool = False) -> Box:
    """A bounded jump hint / call-to-action button centred at (cx, cy); records the cue."""
    rng = st.rng
    text = text or str(st.pick(vocab.JUMP_BOUNDED_ZH, vocab.JUMP_BOUNDED_EN))
    h = st.dp(float(rng.uniform(40, 56)))
    w = int(st.w * width_frac)
    px = h * float(rng.uniform(0.32, 0.42))
    look = int(rng.integers(3))
    if look == 0:
        s = button_sprite(text, h, px=px, radius=h / 2, pad_x=h * 0.5, fill=(0, 0, 0),
                          fill_opacity=float(rng.uniform(0.35, 0.6)), min_width=w,
                          trailing_icon="chevron" if st.chance(0.6) else None,
                          outline_t=st.d * 1.2 if st.chance(0.4) else 0.0)
        p = place(st.canvas, s, cx - s.w // 2, cy - s.h // 2, fg=(255, 255, 255))
    elif look == 1:
        col = random_hue(rng, sat=float(rng.uniform(0.6, 0.95)), val=float(rng.uniform(0.75, 1.0)))
        s = button_sprite(text, h, px=px, radius=h / 2 if st.chance(0.6) else st.dp(8), pad_x=h * 0.5, fill=col,
                          min_width=w, bold=True)
        p = place(st.canvas, s, cx - s.w // 2, cy - s.h // 2, fg=(255, 255, 255) if luminance(col) < 0.5 else (20, 20, 20))
    else:
        s = button_sprite(text, h, px=px, radius=h / 2, pad_x=h * 0.5, fill=(255, 255, 255),
                          fill_opacity=float(rng.uniform(0.75, 1.0)), min_width=w,
                          trailing_icon="chevron" if st.chance(0.5) else None)
        p = place(st.canvas, s, cx - s.w // 2, cy - s.h // 2, fg=(30, 30, 30))
    st.cues["jump_hint"] = True
    if cta:
        st.facts.cta = True
    st.facts.jump_hint = True
    frac = (p.box[2] - p.box[0]) * (p.box[3] - p.box[1]) / (st.w * st.h)
    st.facts.max_jump_button_fraction = max(st.facts.max_jump_button_fraction, frac)
    st.occupied.append(p.box)
    st.text(text)
    return p.box


def floating_jump(st: SceneState, cx: int, y: int, text: str | None = None) -> Box:
    """A jump hint written straight over the picture, with no button shape."""
    text = text or str(st.pick(vocab.JUMP_FLOATING_ZH, vocab.JUMP_FLOATING_EN))
    px = float(st.rng.uniform(13, 18)) * st.d
    m = text_mask(text, px, bold=st.chance(0.5))
    x = cx - m.shape[1] // 2
    box = shadow_text(st.canvas, x, y, text, px, (255, 255, 255), bold=False, shadow=float(st.rng.uniform(0.3, 0.7)))
    st.cues["jump_hint"] = True
    st.facts.jump_hint = True
    st.facts.floating_jump = True
    st.occupied.append(box)
    st.text(text)
    return box


def phone_icon(s: int, angle: float, t: float) -> np.ndarray:
    w, h = int(s * 0.55), s
    body = round_rect_outline(w, h, w * 0.18, t)
    body[int(h * 0.82) : int(h * 0.82) + max(int(t), 1), int(w * 0.35) : int(w * 0.65)] = 1.0
    return rotate_mask(body, angle)


def shake_widget(st: SceneState, cx: int, cy: int) -> Box:
    """摇一摇 / 扭动手机 / Shake: a phone icon with arcs and two lines of text."""
    title, sub = st.pick(vocab.SHAKE_ZH, vocab.SHAKE_EN)
    s = st.dp(float(st.rng.uniform(40, 60)))
    icon = phone_icon(s, float(st.rng.uniform(-25, 25)), max(st.d * 2.2, 1.5))
    tp, sp = float(st.rng.uniform(17, 22)) * st.d, float(st.rng.uniform(12, 14)) * st.d
    tm, sm = text_mask(title, tp, bold=True), text_mask(sub, sp)
    total_h = icon.shape[0] + st.dp(10) + tm.shape[0] + st.dp(6) + sm.shape[0]
    bounded = st.chance(0.65)
    if bounded:
        r = int(max(total_h, sm.shape[1]) * 0.62) + st.dp(12)
        st.canvas.blend(cx - r, cy - r, circle_mask(2 * r, 2 * r, r, r, r), (0, 0, 0), float(st.rng.uniform(0.3, 0.55)))
        box = (cx - r, cy - r, cx + r, cy + r)
    y = cy - total_h // 2
    st.canvas.blend(cx - icon.shape[1] // 2, y, icon, (255, 255, 255))
    arc = ring_mask(icon.shape[0] * 2, icon.shape[0] * 2, icon.shape[0], icon.shape[0], icon.shape[0] * 0.75,
                    max(st.d * 2, 1.5))
    arc[:, int(arc.shape[1] * 0.22) : int(arc.shape[1] * 0.78)] = 0
    arc[int(arc.shape[0] * 0.6) :, :] = 0
    st.canvas.blend(cx - arc.shape[1] // 2, y - icon.shape[0] // 4, arc, (255, 255, 255), 0.9)
    y += icon.shape[0] + st.dp(10)
    shadow_text(st.canvas, cx - tm.shape[1] // 2, y, title, tp, (255, 255, 255), bold=True, shadow=0.0 if bounded else 0.5)
    y += tm.shape[0] + st.dp(6)
    shadow_text(st.canvas, cx - sm.shape[1] // 2, y, sub, sp, (235, 235, 235), shadow=0.0 if bounded else 0.5)
    if not bounded:
        half = max(sm.shape[1], tm.shape[1], icon.shape[1]) // 2
        box = (cx - half, cy - total_h // 2, cx + half, cy + total_h // 2)
    st.cues["shake"] = True
    st.facts.shake = True
    if any(k in sub for k in ("跳转", "查看", "了解", "learn", "open", "see")):
        st.cues["jump_hint"] = True
        st.facts.jump_hint = True
        if not bounded and st.screen in ("splash", "interstitial"):
            st.facts.floating_jump = True
    st.occupied.append(box)
    st.text(title)
    st.text(sub)
    return box


# ---------------------------------------------------------------------------------------------
# splash


def _skip_sprite(st: SceneState, *, is_ad: bool) -> tuple[Sprite, str | None, bool | None, str]:
    """The close control of a splash screen: (sprite, text, prefer_light, description)."""
    u = st.rng.random()
    size = sample_size_dp(st.rng)
    if u < 0.55:
        n = sample_countdown(st)
        blocking = st.chance(0.2)
        text = countdown_text(st, n, blocking, reward=is_ad)
        st.facts.countdown_s = n
        st.facts.countdown_blocks = blocking
        st.cues["countdown"] = True
        s, light = pill_sprite(st, text, sample_pill_dp(st.rng))
        return s, text, light, "countdown pill"
    if u < 0.8:
        text = str(st.pick(vocab.SKIP_TEXT_ZH, vocab.SKIP_TEXT_EN))
        s, light = pill_sprite(st, text, sample_pill_dp(st.rng))
        return s, text, light, "skip pill"
    if u < 0.9:
        text = "跳过" if st.zh else "Skip"
        ring = st.chance(0.6)
        diam = st.dp(max(size, 22))
        s = round_skip_sprite(text, diam, px=diam * (0.3 if has_cjk(text) else 0.26), fill=(0, 0, 0),
                              fill_opacity=float(st.rng.uniform(0.25, 0.6)), ring=ring,
                              ring_frac=float(st.rng.uniform(0.2, 0.9)), ring_color=random_hue(st.rng))
        return s, text, True, "round skip button" + (" with countdown ring" if ring else "")
    if u < 0.96:
        s, style, dark = x_icon_sprite(st, size)
        return s, None, dark, f"× {style}"
    n = sample_countdown(st)
    st.facts.countdown_s = n
    st.cues["countdown"] = True
    diam = st.dp(max(size, 18))
    s = round_skip_sprite(str(n), diam, px=diam * 0.5, fill=(230, 230, 230), fill_opacity=float(st.rng.uniform(0.3, 0.9)),
                          ring=False, ring_frac=0.0, ring_color=(0, 0, 0))
    return s, str(n), False, "bare countdown number in a circle"


def _splash_zone(st: SceneState, s: Sprite, pic_bottom: int) -> tuple[int, int, str]:
    top = st.status_h + st.dp(float(st.rng.uniform(8, 20))) if st.status_h else st.dp(float(st.rng.uniform(12, 44)))
    m = st.dp(float(st.rng.uniform(10, 20)))
    u = st.rng.random()
    if u < 0.1:
        return st.w - m - s.w, pic_bottom - s.h - st.dp(float(st.rng.uniform(16, 40))), "bottom-right"
    if u < 0.15:
        return m, top, "top-left"
    if u < 0.2:
        return int(st.rng.uniform(0.1, 0.8) * st.w), int(st.rng.uniform(0.35, 0.55) * st.h), "inside-picture"
    if u < 0.24:
        return m, pic_bottom - s.h - st.dp(float(st.rng.uniform(12, 30))), "bottom-left"
    if u < 0.28:
        return (st.w - s.w) // 2, pic_bottom - s.h - st.dp(float(st.rng.uniform(12, 24))), "bottom-center"
    return st.w - m - s.w, top, "top-right"


def compose_splash(st: SceneState) -> None:
    rng, c = st.rng, st.canvas
    is_ad = st.chance(0.82)
    band_h = int(st.h * float(rng.uniform(0.11, 0.19))) if st.chance(0.55) else 0
    nav_style = str(rng.choice(["none", "none", "none", "gesture", "buttons"]))
    nav_h_guess = {"none": 0, "gesture": st.dp(20), "buttons": st.dp(48)}[nav_style]
    pic_bottom = st.h - band_h - nav_h_guess
    name = str(st.pick(vocab.APP_NAMES_ZH, vocab.APP_NAMES_EN))
    if is_ad:
        ad_picture(st, 0, 0, st.w, pic_bottom)
        st.notes.append("splash ad picture")
    else:
        pal = palette(rng, 2)
        c.rgb[:pic_bottom] = vignette_gradient(st.w, pic_bottom, pal[0], pal[1])
        s = st.dp(float(rng.uniform(64, 96)))
        app_icon(c, rng, (st.w - s) // 2, int(pic_bottom * 0.38), s, name)
        ink = (255, 255, 255) if luminance(pal[0]) < 0.4 else (30, 30, 30)
        tm = text_mask(name, 24 * st.d, bold=True)
        name_y = int(pic_bottom * 0.38) + s + st.dp(16)
        c.blend((st.w - tm.shape[1]) // 2, name_y, tm, ink)
        # the logo and the name are the screen's content: no control is drawn over them
        st.occupied.append((min((st.w - s) // 2, (st.w - tm.shape[1]) // 2), int(pic_bottom * 0.38),
                            max((st.w + s) // 2, (st.w + tm.shape[1]) // 2), name_y + tm.shape[0]))
        st.notes.append("app's own launch screen (not an ad)")
        st.text(name)
    if band_h:
        band_bg = (255, 255, 255) if st.chance(0.75) else random_hue(rng, sat=0.2, val=0.98)
        c.rect(0, pic_bottom, st.w, pic_bottom + band_h, band_bg)
        s = st.dp(float(rng.uniform(36, 52)))
        tm = text_mask(name, 20 * st.d, bold=True)
        total = s + st.dp(10) + tm.shape[1]
        x0 = (st.w - total) // 2
        yc = pic_bottom + band_h // 2
        app_icon(c, rng, x0, yc - s // 2, s, name)
        c.blend(x0 + s + st.dp(10), yc - tm.shape[0] // 2, tm, (30, 30, 30))
        st.text(name)
    st.nav_h = draw_nav_bar(c, rng, st.d, nav_style, (0, 0, 0))
    if st.chance(0.5):
        st.status_h = draw_status_bar(c, rng, st.d, bg=None, height_dp=float(rng.choice([24, 28])))
    st.window = (0, 0, st.w, st.h - st.nav_h)
    floating_widgets(c, rng, st.d, st.traps)

    if is_ad:
        u = rng.random()
        if u < 0.5:
            jump_pill(st, st.w // 2, pic_bottom - st.dp(float(rng.uniform(60, 110))),
                      width_frac=float(rng.uniform(0.55, 0.85)))
            st.notes.append("bounded jump button")
        elif u < 0.7:
            floating_jump(st, st.w // 2, pic_bottom - st.dp(float(rng.uniform(50, 90))))
            st.notes.append("jump hint floating over the picture")
        elif u < 0.75:
            _huge_jump(st, pic_bottom)
        if st.chance(0.35):
            shake_widget(st, st.w // 2, int(pic_bottom * float(rng.uniform(0.55, 0.68))))
            st.notes.append("shake trigger")
        if band_h and st.chance(0.25):
            t = str(st.pick(vocab.CTA_JUMP_ZH, vocab.CTA_JUMP_EN))
            s, _ = pill_sprite(st, t, 30, look="gray")
            p = place(c, s, st.w - st.dp(16) - s.w, pic_bottom + (band_h - s.h) // 2, fg=(40, 40, 40))
            st.occupied.append(p.box)
            st.facts.cta = True
            st.cues["jump_hint"] = True
            st.facts.jump_hint = True
            st.text(t)
    if is_ad and st.chance(0.3):
        _app_info_footer(st, pic_bottom)
    if is_ad and st.chance(0.12):
        _remove_ads_trap(st)
    if is_ad and st.chance(0.85):
        m = st.dp(float(rng.uniform(8, 16)))
        yb = pic_bottom - st.dp(float(rng.uniform(6, 20)))
        top = (st.status_h or st.dp(12)) + st.dp(float(rng.uniform(8, 16)))
        cands = [(m, yb - st.dp(20), "l"), (st.w - m, yb - st.dp(20), "r"), (m, top, "l"),
                 (st.w - st.dp(float(rng.uniform(80, 100))), top + st.dp(4), "r")]
        rng.shuffle(cands)  # type: ignore[arg-type]
        put_ad_label(st, cands)

    if st.status_h and st.chance(0.08):  # deceptive: a tiny control hidden among the status-bar icons
        if st.chance(0.5):
            s, _style, _dark = x_icon_sprite(st, float(rng.uniform(8, st.status_h / st.d - 8)), style="plain")
            text = None
        else:
            text = "跳过" if st.zh else "Skip"
            s = text_sprite(text, float(rng.uniform(9, 12)) * st.d)
        x, y = st.w - st.dp(float(rng.uniform(130, 170))) - s.w, (st.status_h - s.h) // 2
        p = put_control(st, s, x, y, text, "status-bar", prefer_light=True, note="inside the status bar")
        st.notes.append(f"tiny '{text or '×'}' inside the status bar")
    elif not is_ad or st.chance(0.92):  # an app's own launch screen always offers a skip
        s, text, light, desc = _skip_sprite(st, is_ad=is_ad)
        for _ in range(6):
            x, y, zone = _splash_zone(st, s, pic_bottom)
            if st.free((x, y, x + s.w, y + s.h), st.dp(4)):
                break
        else:
            x, y, zone = st.w - st.dp(16) - s.w, (st.status_h or st.dp(20)) + st.dp(12), "top-right"
        p = put_control(st, s, x, y, text, zone, prefer_light=light)
        st.notes.append(f"{desc} '{text or '×'}' at {zone} ({p.short_side / st.d:.0f} dp, {p.contrast:.1f}:1)")
        if text and st.facts.countdown_s is None and st.chance(0.15):
            n = sample_countdown(st)
            st.facts.countdown_s = n
            st.cues["countdown"] = True
            tm = text_mask(f"{n}s", 13 * st.d)
            bx = p.box[0] - tm.shape[1] - st.dp(8)
            shadow_text(c, bx, p.box[1] + (p.box[3] - p.box[1] - tm.shape[0]) // 2, f"{n}s", 13 * st.d, (255, 255, 255))
            st.text(f"{n}s")
    else:
        st.notes.append("no close control")


def _app_info_footer(st: SceneState, pic_bottom: int) -> None:
    """The small print of a download ad: app name, version, developer, permissions, privacy."""
    name = str(st.pick(vocab.APP_NAMES_ZH, vocab.APP_NAMES_EN))
    dev = str(st.rng.choice(vocab.DEVELOPERS))
    v = f"{st.rng.integers(1, 13)}.{st.rng.integers(0, 40)}.{st.rng.integers(0, 60)}"
    lines = [str(t).format(name=name, dev=dev, v=v) for t in (vocab.APP_INFO_ZH if st.zh else vocab.APP_INFO_EN)[:2]]
    px = float(st.rng.uniform(8.5, 10.5)) * st.d
    y = pic_bottom - st.dp(6)
    col = (235, 235, 235) if st.chance(0.6) else (200, 200, 200)
    for line in reversed(lines):
        while len(line) > 4 and text_mask(line, px).shape[1] > st.w - st.dp(24):
            line = line[: int(len(line) * 0.9)]
        m = text_mask(line, px)
        y -= m.shape[0] + st.dp(4)
        x = st.dp(12)
        box = (x, y, x + m.shape[1], y + m.shape[0])
        if not st.free(box, st.dp(2)):
            break
        shadow_text(st.canvas, x, y, line, px, col, shadow=0.35)
        st.occupied.append(box)
    st.notes.append("app-info small print")


def _remove_ads_trap(st: SceneState) -> None:
    """A 'remove ads / VIP' pill near the skip control: an upsell, not a dismiss."""
    text = str(st.pick(vocab.REMOVE_ADS_ZH, vocab.REMOVE_ADS_EN))
    h = st.dp(float(st.rng.uniform(22, 30)))
    s = button_sprite(text, h, px=h * 0.45, radius=h / 2, pad_x=h * 0.4,
                      fill=(255, 90, 120) if st.chance(0.5) else (0, 0, 0), fill_opacity=float(st.rng.uniform(0.5, 0.9)))
    top = (st.status_h or st.dp(12)) + st.dp(float(st.rng.uniform(52, 64)))
    x = st.w - st.dp(14) - s.w
    p = place(st.canvas, s, x, top, fg=(255, 255, 255))
    st.occupied.append(p.box)
    st.text(text)
    st.traps.append(f"'{text}' upsell pill under the skip control")


def _huge_jump(st: SceneState, pic_bottom: int) -> None:
    """A bounded 'tap here' area covering most of the screen (FULLSCREEN_JUMP by area)."""
    m = st.dp(float(st.rng.uniform(4, 10)))
    y0 = (st.status_h or 0) + st.dp(48)
    y1 = pic_bottom - st.dp(8)
    w, h = st.w - 2 * m, y1 - y0
    st.canvas.blend(m, y0, round_rect_outline(w, h, st.dp(16), max(st.d * 2, 1.5)), (255, 255, 255), 0.8)
    st.canvas.blend(m, y0, round_rect_mask(w, h, st.dp(16)), (0, 0, 0), 0.12)
    text = str(st.pick(("点击任意位置 查看详情", "点击跳转详情页或第三方应用"), ("Tap anywhere to learn more", "Tap to install")))
    tm = text_mask(text, 16 * st.d, bold=True)
    ty = y1 - st.dp(40) - tm.shape[0]
    st.canvas.blend((st.w - tm.shape[1]) // 2, ty, tm, (255, 255, 255))
    st.cues["jump_hint"] = True
    st.facts.jump_hint = True
    st.facts.max_jump_button_fraction = max(st.facts.max_jump_button_fraction, w * h / (st.w * st.h))
    st.occupied.append(((st.w - tm.shape[1]) // 2, ty, (st.w + tm.shape[1]) // 2, ty + tm.shape[0]))
    st.text(text)
    st.notes.append("bounded tap area covering most of the screen")


# ---------------------------------------------------------------------------------------------
# interstitial


def compose_interstitial(st: SceneState) -> None:
    rng, c = st.rng, st.canvas
    nav_style = str(rng.choice(["buttons", "buttons", "gesture", "none"]))
    st.nav_h = draw_nav_bar(c, rng, st.d, nav_style, (0, 0, 0))
    bottom = st.h - st.nav_h
    variant = str(rng.choice(["install", "install", "video", "video", "image"]))
    name = str(st.pick(vocab.APP_NAMES_ZH, vocab.APP_NAMES_EN))
    if variant == "install":
        bg = random_hue(rng, sat=float(rng.uniform(0.1, 0.8)), val=float(rng.uniform(0.3, 1.0)))
        c.rect(0, 0, st.w, bottom, bg)
        ph = int(bottom * float(rng.uniform(0.25, 0.42)))
        c.rgb[:ph] = photo(rng, st.w, ph)
        ink = (255, 255, 255) if luminance(bg) < 0.35 else (25, 25, 25)
        s = st.dp(float(rng.uniform(72, 110)))
        y = ph + st.dp(float(rng.uniform(20, 50)))
        app_icon(c, rng, (st.w - s) // 2, y, s, name)
        y += s + st.dp(24)
        tm = text_mask(name, float(rng.uniform(24, 32)) * st.d, family=family_for(name, rng))
        c.blend((st.w - tm.shape[1]) // 2, y, tm, ink)
        y += tm.shape[0] + st.dp(24)
        sub = str(st.pick(vocab.APP_SUBTITLES_ZH, vocab.APP_SUBTITLES_EN))
        rating = f"{rng.uniform(3.8, 4.9):.1f} ★"
        for txt, xf in ((rating, 0.3), ("80 million" if not st.zh else "8000万次下载", 0.7)):
            m = text_mask(txt, 16 * st.d)
            c.blend(int(st.w * xf) - m.shape[1] // 2, y, m, ink)
        y += st.dp(48)
        sm = text_mask(sub, 15 * st.d)
        c.blend((st.w - sm.shape[1]) // 2, y, sm, mix(ink, bg, 0.25))
        st.texts.extend([name])
        by = bottom - st.dp(float(rng.uniform(40, 80)))
        cta = str(st.pick(vocab.CTA_JUMP_ZH, vocab.CTA_JUMP_EN))
        bh = st.dp(float(rng.uniform(36, 48)))
        two = st.chance(0.65)
        half = (st.w - st.dp(56)) // 2
        cta_s = button_sprite(cta, bh, px=bh * 0.36, radius=st.dp(float(rng.choice([2, 4, 24]))), pad_x=bh * 0.5,
                              fill=(255, 255, 255) if luminance(bg) < 0.5 else random_hue(rng), bold=True,
                              min_width=half if two else int(st.w * 0.8))
        cx = st.w - st.dp(20) - cta_s.w if two else (st.w - cta_s.w) // 2
        pc = place(c, cta_s, cx, by - bh, contrast=float(rng.uniform(4.5, 12)))
        _record_cta(st, pc, cta, jump=True)
        if two:
            neg = str(st.pick(("不用了", "以后再说", "关闭"), ("NO THANKS", "No", "Not now", "No thanks")))
            if st.chance(0.6):
                ns = button_sprite(neg, bh, px=bh * 0.36, radius=cta_s.h * 0.1, pad_x=bh * 0.5,
                                   fill=mix(bg, (128, 128, 128), 0.4), min_width=half)
            else:
                ns = text_sprite(neg, bh * 0.36)
            put_control(st, ns, st.dp(20) + (half - ns.w) // 2 if ns.shape is None else st.dp(20),
                        by - bh + (bh - ns.h) // 2, neg, "bottom-left")
        if not two or st.chance(0.35):
            s, _style, dark = x_icon_sprite(st, sample_size_dp(rng))
            left = st.chance(0.3)
            x = st.dp(12) if left else st.w - st.dp(12) - s.w
            put_control(st, s, x, st.dp(float(rng.uniform(10, 30))), None, "top-left" if left else "top-right",
                        prefer_light=dark)
        st.notes.append("app-install interstitial")
        ad_cands = [(st.w - st.dp(4), st.dp(2), "r"), (st.dp(4), bottom - st.dp(24), "l"), (st.dp(4), st.dp(4), "l")]
    else:
        ad_picture(st, 0, 0, st.w, bottom, headline=variant == "image")
        if st.chance(0.4):
            st.status_h = draw_status_bar(c, rng, st.d, bg=None)
        top = max(st.status_h, st.dp(8)) + st.dp(float(rng.uniform(8, 20)))
        if variant == "video":
            ms = st.dp(24)
            from datasets.ui import ui_icon

            c.blend(st.dp(16), top, ui_icon("mute" if st.chance(0.5) else "volume", ms), (255, 255, 255), 0.9)
            st.occupied.append((st.dp(16), top, st.dp(16) + ms, top + ms))
            st.traps.append("mute icon top-left")
            ph = st.dp(float(rng.uniform(64, 84)))
            py = bottom - ph - st.dp(float(rng.uniform(12, 40)))
            panel_bg = (255, 255, 255) if st.chance(0.6) else (30, 30, 30)
            c.round_rect(st.dp(12), py, st.w - st.dp(12), py + ph, st.dp(10), panel_bg, float(rng.uniform(0.85, 1.0)))
            s = ph - st.dp(20)
            app_icon(c, rng, st.dp(22), py + st.dp(10), s, name)
            ink = (25, 25, 25) if panel_bg[0] > 128 else (240, 240, 240)
            tm = text_mask(name, 16 * st.d, bold=True)
            c.blend(st.dp(32) + s, py + ph // 2 - tm.shape[0] - st.dp(2), tm, ink)
            sm = text_mask(str(st.pick(vocab.APP_SUBTITLES_ZH, vocab.APP_SUBTITLES_EN)), 12 * st.d)
            c.blend(st.dp(32) + s, py + ph // 2 + st.dp(4), sm, mix(ink, panel_bg, 0.35))
            cta = str(st.pick(vocab.CTA_JUMP_ZH, vocab.CTA_JUMP_EN))
            bh = st.dp(36)
            cs = button_sprite(cta, bh, px=bh * 0.4, radius=bh / 2, pad_x=bh * 0.5, fill=random_hue(rng), bold=True)
            pc = place(c, cs, st.w - st.dp(22) - cs.w, py + (ph - bh) // 2, contrast=float(rng.uniform(3.5, 10)))
            _record_cta(st, pc, cta, jump=True)
            st.occupied.append((st.dp(12), py, st.w - st.dp(12), py + ph))
            ad_cands = [(st.dp(16), py - st.dp(24), "l"), (st.w - st.dp(16), py - st.dp(24), "r")]
            _video_close(st, top, py)
            st.notes.append("video interstitial with app bar")
        else:
            if st.chance(0.6):
                floating_jump(st, st.w // 2, int(bottom * float(rng.uniform(0.75, 0.88))))
                st.notes.append("floating tap-anywhere jump hint")
            else:
                jump_pill(st, st.w // 2, int(bottom * float(rng.uniform(0.8, 0.9))),
                          width_frac=float(rng.uniform(0.5, 0.8)), cta=True)
            if st.chance(0.2):
                shake_widget(st, st.w // 2, int(bottom * float(rng.uniform(0.5, 0.62))))
            if st.chance(0.9):
                s, _style, dark = x_icon_sprite(st, sample_size_dp(rng))
                u = rng.random()
                if u < 0.75:
                    x, zone = st.w - st.dp(14) - s.w, "top-right"
                elif u < 0.9:
                    x, zone = st.dp(14), "top-left"
                else:
                    x, zone = int(rng.uniform(0.2, 0.7) * st.w), "inside-picture"
                y = top if zone != "inside-picture" else int(rng.uniform(0.3, 0.6) * bottom)
                put_control(st, s, x, y, None, zone, prefer_light=dark)
            st.notes.append("full-screen image interstitial")
            ad_cands = [(st.dp(12), bottom - st.dp(28), "l"), (st.w - st.dp(12), bottom - st.dp(28), "r")]
    st.window = (0, 0, st.w, bottom)
    if st.chance(0.8):
        rng.shuffle(ad_cands)  # type: ignore[arg-type]
        put_ad_label(st, ad_cands)
    if not st.controls:
        st.notes.append("no close control")


def _record_cta(st: SceneState, p: Placed, text: str, *, jump: bool) -> None:
    st.facts.cta = True
    if jump:
        st.cues["jump_hint"] = True
        st.facts.jump_hint = True
    frac = (p.box[2] - p.box[0]) * (p.box[3] - p.box[1]) / (st.w * st.h)
    st.facts.max_jump_button_fraction = max(st.facts.max_jump_button_fraction, frac)
    st.occupied.append(p.box)
    st.text(text)


def _video_close(st: SceneState, top: int, panel_y: int) -> None:
    rng = st.rng
    u = rng.random()
    if u < 0.35:
        s, _style, dark = x_icon_sprite(st, sample_size_dp(rng), style="filled_circle" if st.chance(0.6) else None)
        put_control(st, s, st.w - st.dp(16) - s.w, top, None, "top-right", prefer_light=dark)
    elif u < 0.55:
        n = sample_countdown(st)
        blocking = st.chance(0.4)
        text = countdown_text(st, n, blocking)
        st.facts.countdown_blocks = blocking
        st.cues["countdown"] = True
        s, light = pill_sprite(st, text, sample_pill_dp(rng), look="dark")
        put_control(st, s, st.w - st.dp(16) - s.w, top, text, "top-right", prefer_light=light)
    elif u < 0.8:
        text = "Skip Ad" if not st.zh else "跳过广告"
        h = st.dp(float(rng.uniform(28, 44)))
        s = button_sprite(text, h, px=h * 0.4, radius=st.dp(2), pad_x=h * 0.4, fill=(0, 0, 0),
                          fill_opacity=float(rng.uniform(0.4, 0.7)), trailing_icon="skip",
                          outline_t=st.d if st.chance(0.3) else 0.0)
        label = text + " ▶|"
        put_control(st, s, st.w - s.w, panel_y - s.h - st.dp(16), label, "bottom-right", prefer_light=True)
    elif u < 0.93:
        n = sample_countdown(st)
        st.cues["countdown"] = True
        tm = text_mask(f"{n}s" if not st.zh else f"{n}秒", 14 * st.d)
        shadow_text(st.canvas, st.w - st.dp(16) - tm.shape[1], top, f"{n}s" if not st.zh else f"{n}秒", 14 * st.d,
                    (255, 255, 255))
        st.text(f"{n}s" if not st.zh else f"{n}秒")
        st.notes.append("countdown with no close control yet")


# ---------------------------------------------------------------------------------------------
# pop-up and dialog


def _under_page(st: SceneState) -> None:
    nav = str(st.rng.choice(["buttons", "gesture", "none"]))
    page, chrome, _ = app_page(st.rng, st.w, st.h, st.d, zh=st.zh, nav_style=nav)
    st.canvas.rgb[:] = page.rgb
    st.status_h, st.nav_h = chrome.status_h, chrome.nav_h
    st.traps.extend(chrome.traps)
    floating_widgets(st.canvas, st.rng, st.d, st.traps)


POPUP_CLOSE_MODES = (  # (mode, weight)
    ("none", 0.06),
    ("below", 0.34),
    ("corner", 0.23),
    ("above", 0.15),
    ("text", 0.12),
    ("far", 0.05),
    ("picture", 0.05),
)


def compose_popup(st: SceneState) -> None:
    u = st.rng.random()
    if u < 0.15:
        _compose_sheet(st)
    elif u < 0.21:
        _compose_floating_icon(st)
    else:
        _compose_card(st)


def _compose_sheet(st: SceneState) -> None:
    """A membership / offer sheet rising from the bottom, with rounded top corners."""
    rng, c = st.rng, st.canvas
    _under_page(st)
    scrim(st, float(rng.uniform(0.35, 0.7)))
    bottom = st.h - st.nav_h
    sh = int(st.h * float(rng.uniform(0.5, 0.82)))
    y0 = bottom - sh
    r = st.dp(float(rng.uniform(10, 20)))
    surface: RGB = (255, 255, 255) if st.chance(0.8) else (36, 36, 40)
    ink: RGB = (25, 25, 25) if surface[0] > 128 else (240, 240, 240)
    c.blend(0, y0, round_rect_mask(st.w, sh, r) * _top_only(st.w, sh, r), surface)
    if st.chance(0.5):  # drag handle
        hw = st.dp(36)
        c.round_rect((st.w - hw) // 2, y0 + st.dp(8), (st.w + hw) // 2, y0 + st.dp(12), st.dp(2), mix(surface, ink, 0.25))
    y = y0 + st.dp(28)
    title = str(st.pick(("开通会员 限时特惠", "新人专享礼包", "限时5折特惠", "领取你的专属福利"),
                        ("Go Premium", "Limited-time offer", "Your welcome gift")))
    tm = text_mask(title, 20 * st.d, bold=True)
    title_y = y  # drawn once the close button's corner is known: a top-left × comes first on its row
    st.text(title)
    y += tm.shape[0] + st.dp(16)
    bh_pic = int((bottom - y) * 0.35)
    if bh_pic > st.dp(60):
        pw = st.w - st.dp(40)
        c.blend(st.dp(20), y, round_rect_mask(pw, bh_pic, st.dp(10)), photo(rng, pw, bh_pic))
        y += bh_pic + st.dp(16)
    for item in rng.permutation(np.array(vocab.SHEET_ITEMS_ZH if st.zh else vocab.SHEET_ITEMS_EN))[:3]:
        m = text_mask(str(item), 15 * st.d)
        if y + m.shape[0] > bottom - st.dp(90):
            break
        c.blend(st.dp(24), y, m, mix(ink, surface, 0.2))
        y += int(15 * st.d * 1.9)
    bh = st.dp(float(rng.uniform(44, 52)))
    cta = str(st.pick(vocab.CTA_INAPP_ZH, vocab.CTA_INAPP_EN))
    col = random_hue(rng, sat=float(rng.uniform(0.6, 0.95)), val=float(rng.uniform(0.8, 1.0)))
    cs = button_sprite(cta, bh, px=bh * 0.38, radius=bh / 2, pad_x=bh, fill=col, bold=True, min_width=st.w - st.dp(48))
    pc = place(c, cs, st.dp(24), bottom - bh - st.dp(24), fg=(255, 255, 255) if luminance(col) < 0.45 else (30, 30, 30))
    _record_cta(st, pc, cta, jump=False)
    st.window = (0, y0, st.w, bottom)
    if st.chance(0.92):
        s, _style, dark = x_icon_sprite(st, sample_size_dp(rng), style="plain" if st.chance(0.7) else None)
        m = st.dp(float(rng.uniform(12, 20)))
        zone = "window-top-right" if st.chance(0.8) else "window-top-left"
        x = st.w - m - s.w if zone == "window-top-right" else m
        put_control(st, s, x, y0 + m, None, zone, prefer_light=dark)
        st.notes.append(f"bottom sheet, close at {zone}")
        title_x = st.dp(20) if zone == "window-top-right" else m + s.w + st.dp(8)
    else:
        st.notes.append("bottom sheet, no close control")
        title_x = st.dp(20)
    c.blend(title_x, title_y, tm, ink)
    st.occupied.append((title_x, title_y, title_x + tm.shape[1], title_y + tm.shape[0]))


def _compose_floating_icon(st: SceneState) -> None:
    """A small floating ad picture at the screen edge with a faint × on its corner (no scrim)."""
    rng, c = st.rng, st.canvas
    _under_page(st)
    s = st.dp(float(rng.uniform(64, 100)))
    x0 = st.w - s - st.dp(float(rng.uniform(4, 16)))
    y0 = int(st.h * float(rng.uniform(0.4, 0.7)))
    c.blend(x0, y0, round_rect_mask(s, s, st.dp(10)), photo(rng, s, s))
    word = str(st.pick(("领红包", "抽大奖", "免费领"), ("Gift", "Win", "Free")))
    m = text_mask(word, s * 0.22, bold=True)
    shadow_text(c, x0 + (s - m.shape[1]) // 2, y0 + s - m.shape[0] - st.dp(8), word, s * 0.22, (255, 230, 90), bold=True)
    st.text(word)
    st.window = (x0, y0, x0 + s, y0 + s)
    st.occupied.append(st.window)
    sp, _style, dark = x_icon_sprite(st, float(rng.uniform(9, 18)),
                                     style="filled_circle" if st.chance(0.6) else "plain")
    put_control(st, sp, x0 + s - sp.w + st.dp(4), y0 - st.dp(4), None, "window-top-right",
                prefer_light=dark, contrast=float(rng.uniform(1.2, 4.0)) if st.chance(0.7) else None,
                note="small × on a floating ad picture")
    st.cues["jump_hint"] = True
    st.facts.jump_hint = True
    if st.chance(0.4):
        put_ad_label(st, [(x0 + s, y0 + s + st.dp(2), "r")])
    st.notes.append("floating ad picture over the page")


def _compose_card(st: SceneState) -> None:
    rng, c = st.rng, st.canvas
    _under_page(st)
    scrim(st, float(rng.uniform(0.35, 0.8)))
    modes, weights = zip(*POPUP_CLOSE_MODES, strict=True)
    wv = np.array(weights)
    close_mode = str(modes[int(rng.choice(len(modes), p=wv / wv.sum()))])
    cw = int(st.w * float(rng.uniform(0.7, 0.88)))
    picture_card = st.chance(0.45)
    radius = st.dp(float(rng.uniform(6, 20)))
    x0 = (st.w - cw) // 2
    surface: RGB = (255, 255, 255) if st.chance(0.8) else (40, 40, 44)
    ink = (25, 25, 25) if surface[0] > 128 else (240, 240, 240)
    has_cta = st.chance(0.85)
    bh = st.dp(float(rng.uniform(40, 50)))
    text_close = close_mode == "text"
    if picture_card:
        ch = int(cw * float(rng.uniform(1.0, 1.45)))
        title = str(st.pick(vocab.SLOGANS_ZH, vocab.SLOGANS_EN))
        lines: list[str] = []
        ph = ch
    else:
        ph = int(cw * float(rng.uniform(0.4, 0.65))) if st.chance(0.75) else 0
        title = str(st.pick(vocab.SLOGANS_ZH, vocab.SLOGANS_EN))
        lines = wrap_text(str(st.pick(vocab.LINES_ZH, vocab.LINES_EN)), 14 * st.d, cw - st.dp(48))[:2]
        ch = (ph + st.dp(20) + st.dp(30) + len(lines) * int(14 * st.d * 1.6) + st.dp(20)
              + (bh + st.dp(24) if has_cta else 0) + (st.dp(36) if text_close else 0) + st.dp(8))
    y0 = int((st.h - ch) * float(rng.uniform(0.38, 0.5)))
    card = (x0, y0, x0 + cw, y0 + ch)
    mask = round_rect_mask(cw, ch, radius)
    if picture_card:
        c.blend(x0, y0, mask, photo(rng, cw, ch))
        pic_box = card
        px = min(float(rng.uniform(22, 30)) * st.d, 0.8 * cw / max(len(title) if has_cjk(title) else len(title) * 0.55, 1))
        m = text_mask(title, px, bold=True)
        ty = y0 + int(ch * 0.12)
        shadow_text(c, x0 + (cw - m.shape[1]) // 2, ty, title, px, (255, 255, 255), bold=True, shadow=0.5)
        st.occupied.append((x0 + (cw - m.shape[1]) // 2, ty, x0 + (cw + m.shape[1]) // 2, ty + m.shape[0]))
        cta_y = y0 + ch - st.dp(float(rng.uniform(36, 60))) - (st.dp(30) if text_close else 0)
    else:
        c.blend(x0, y0, mask, surface)
        if ph:
            c.blend(x0, y0, round_rect_mask(cw, ph, radius) * _top_only(cw, ph, radius), photo(rng, cw, ph))
        pic_box = (x0, y0, x0 + cw, y0 + max(ph, 1))
        y = y0 + ph + st.dp(20)
        tm = text_mask(title, 19 * st.d, bold=True)
        c.blend(x0 + max((cw - tm.shape[1]) // 2, st.dp(12)), y, tm[:, : cw - st.dp(24)], ink)
        st.occupied.append((x0, y, x0 + cw, y + tm.shape[0]))
        y += st.dp(30)
        for line in lines:
            lm = text_mask(line, 14 * st.d)
            c.blend(x0 + (cw - lm.shape[1]) // 2, y, lm, mix(ink, surface, 0.4))
            y += int(14 * st.d * 1.6)
        cta_y = y + st.dp(20) + bh // 2
    st.text(title)
    jump = st.chance(0.45)
    cta = str(st.pick(vocab.CTA_JUMP_ZH, vocab.CTA_JUMP_EN) if jump else st.pick(vocab.CTA_INAPP_ZH, vocab.CTA_INAPP_EN))
    bottom = cta_y
    if has_cta:
        col = random_hue(rng, sat=float(rng.uniform(0.6, 0.95)), val=float(rng.uniform(0.8, 1.0)))
        cs = button_sprite(cta, bh, px=bh * 0.38, radius=bh / 2 if st.chance(0.6) else st.dp(6), pad_x=bh,
                           fill=col, bold=True, min_width=int(cw * float(rng.uniform(0.5, 0.85))))
        pc = place(c, cs, x0 + (cw - cs.w) // 2, cta_y - bh // 2, fg=(255, 255, 255) if luminance(col) < 0.45 else (30, 30, 30))
        _record_cta(st, pc, cta, jump=jump)
        bottom = pc.box[3]
    if st.chance(0.4):
        put_ad_label(st, [(x0 + cw - st.dp(8), y0 + ch - st.dp(22), "r"), (x0 + st.dp(8), y0 + st.dp(8), "l"),
                          (x0 + cw - st.dp(8), y0 + st.dp(8), "r"), (x0 + st.dp(8), y0 + ch - st.dp(22), "l")])
    st.window = card
    _popup_close(st, close_mode, card, pic_box, bottom, picture_card)


def _top_only(w: int, h: int, r: float) -> np.ndarray:
    """Square off the bottom corners of a rounded mask (an image at the top of a card)."""
    m = np.ones((h, w), np.float32)
    full = round_rect_mask(w, h, r)
    m[: h // 2] = full[: h // 2]
    return m


def _popup_close(st: SceneState, mode: str, card: Box, pic: Box, content_bottom: int, on_picture: bool) -> None:
    rng = st.rng
    x0, y0, x1, y1 = card
    if mode == "corner":  # × inside the card's top-right corner; falls back below when it would cover text
        s, _style, dark = x_icon_sprite(st, sample_size_dp(rng))
        m = st.dp(float(rng.uniform(6, 14)))
        if st.free((x1 - m - s.w, y0 + m, x1 - m, y0 + m + s.h), st.dp(2)):
            put_control(st, s, x1 - m - s.w, y0 + m, None, "window-top-right", prefer_light=dark)
        else:
            mode = "below"
    if mode == "none":
        st.notes.append("no close control")
        return
    if mode == "below":  # × in a circle centred below the card
        s, _style, dark = x_icon_sprite(st, float(rng.uniform(24, 44)) if st.chance(0.8) else sample_size_dp(rng),
                                        style="outlined_circle" if st.chance(0.7) else "filled_circle")
        y = y1 + st.dp(float(rng.uniform(14, 36)))
        put_control(st, s, (x0 + x1 - s.w) // 2, y, None, "below-window-center",
                    prefer_light=True if dark is None else dark)
    elif mode == "above":
        s, _style, dark = x_icon_sprite(st, sample_size_dp(rng))
        put_control(st, s, x1 - s.w, y0 - s.h - st.dp(float(rng.uniform(8, 20))), None, "above-window-right",
                    prefer_light=True if dark is None else dark)
    elif mode == "text":
        text = str(st.pick(vocab.POPUP_TEXT_CLOSE_ZH, vocab.POPUP_TEXT_CLOSE_EN))
        s = text_sprite(text, float(rng.uniform(12, 16)) * st.d, family=family_for(text, rng))
        put_control(st, s, (x0 + x1 - s.w) // 2, content_bottom + st.dp(12), text, "window-bottom",
                    prefer_light=True if on_picture else None)
    elif mode == "far":
        s, _style, _dark = x_icon_sprite(st, float(rng.uniform(8, 20)), style="plain")
        put_control(st, s, st.w - st.dp(12) - s.w, st.status_h + st.dp(4), None, "top-right",
                    prefer_light=True, note="far from the card")
    else:
        s, _style, dark = x_icon_sprite(st, float(rng.uniform(10, 24)))
        px0, py0, px1, py1 = pic
        for _ in range(8):
            x = int(rng.uniform(px0 + 0.1 * (px1 - px0), px1 - 0.2 * (px1 - px0)))
            y = int(rng.uniform(py0 + 0.1 * (py1 - py0), max(py1 - 0.2 * (py1 - py0), py0 + 0.1 * (py1 - py0) + 1)))
            if st.free((x, y, x + s.w, y + s.h), st.dp(2)):
                break
        put_control(st, s, x, y, None, "inside-picture", prefer_light=dark, note="blends into the picture")
    st.notes.append(f"close at {st.control_truth[-1]['zone']}")


def compose_dialog(st: SceneState) -> None:
    rng, c = st.rng, st.canvas
    _under_page(st)
    scrim(st, float(rng.uniform(0.3, 0.65)))
    title, msg, pos, negs = st.pick(vocab.DIALOGS_ZH, vocab.DIALOGS_EN)
    title = title.format(v=f"{rng.integers(2, 9)}.{rng.integers(0, 9)}.{rng.integers(0, 9)}")
    neg = str(negs[int(rng.integers(len(negs)))])
    cw = int(st.w * float(rng.uniform(0.74, 0.86)))
    x0 = (st.w - cw) // 2
    dark = st.chance(0.2)
    surface: RGB = (45, 45, 48) if dark else (255, 255, 255)
    ink: RGB = (240, 240, 240) if dark else (25, 25, 25)
    pad = st.dp(24)
    lines = wrap_text(msg, 15 * st.d, cw - 2 * pad)
    tm = text_mask(title, 19 * st.d, bold=True)
    bh = st.dp(float(rng.uniform(40, 48)))
    layout = str(rng.choice(["two_filled", "ios", "material", "stacked"]))
    body_h = pad + tm.shape[0] + st.dp(16) + len(lines) * int(15 * st.d * 1.6) + st.dp(20)
    btn_h = {"two_filled": bh + st.dp(20), "ios": st.dp(50), "material": st.dp(52), "stacked": 2 * bh + st.dp(20)}[layout]
    ch = body_h + btn_h
    y0 = (st.h - ch) // 2 + int(rng.integers(-st.dp(40), st.dp(40) + 1))
    radius = st.dp(float(rng.choice([4, 8, 12, 16])))
    c.round_rect(x0, y0, x0 + cw, y0 + ch, radius, surface)
    centered = layout in ("ios", "stacked") or st.chance(0.4)
    tx = x0 + (cw - tm.shape[1]) // 2 if centered else x0 + pad
    c.blend(tx, y0 + pad, tm, ink)
    st.text(title)
    y = y0 + pad + tm.shape[0] + st.dp(16)
    for line in lines:
        lm = text_mask(line, 15 * st.d)
        c.blend(x0 + (cw - lm.shape[1]) // 2 if centered else x0 + pad, y, lm, mix(ink, surface, 0.3))
        y += int(15 * st.d * 1.6)
    by = y0 + body_h
    accent = random_hue(rng, sat=float(rng.uniform(0.6, 0.9)), val=float(rng.uniform(0.75, 0.95)))
    no_neg = st.chance(0.04)
    neg_px = float(rng.uniform(14, 17)) * st.d
    if layout == "two_filled":
        gap = st.dp(12)
        bw = (cw - 2 * pad - gap) // 2
        pos_s = button_sprite(pos, bh, px=bh * 0.38, radius=bh / 2 if st.chance(0.5) else st.dp(6), pad_x=8,
                              fill=accent, min_width=bw if not no_neg else cw - 2 * pad)
        place(c, pos_s, x0 + cw - pad - pos_s.w, by, fg=(255, 255, 255))
        if not no_neg:
            look = str(rng.choice(["gray", "outline"]))
            fill = mix(surface, (128, 128, 128), float(rng.uniform(0.1, 0.3))) if look == "gray" else None
            ns = button_sprite(neg, bh, px=bh * 0.38, radius=bh / 2 if st.chance(0.5) else st.dp(6), pad_x=8,
                               fill=fill, outline_t=0.0 if fill else max(st.d, 1.0), min_width=bw)
            put_control(st, ns, x0 + pad, by, neg, "window-bottom-left", prefer_light=dark)
    elif layout == "ios":
        c.rect(x0, by, x0 + cw, by + max(1, st.dp(0.6)), mix(surface, ink, 0.15))
        half = cw // 2 if not no_neg else cw
        pm = text_mask(pos, neg_px, bold=True)
        c.blend(x0 + cw - half + (half - pm.shape[1]) // 2, by + (st.dp(50) - pm.shape[0]) // 2, pm, accent)
        if not no_neg:
            line = max(1, st.dp(0.6))
            c.rect(x0 + half, by, x0 + half + line, y0 + ch, mix(surface, ink, 0.15))
            ns = text_sprite(neg, neg_px)
            put_control(st, ns, x0 + (half - ns.w) // 2, by + (st.dp(50) - ns.h) // 2, neg, "window-bottom-left",
                        prefer_light=dark, hue=accent if st.chance(0.5) else (128, 128, 128),
                        cell=(x0, by + line, x0 + half, y0 + ch))
    elif layout == "material":
        pos_u, neg_u = (pos.upper(), neg.upper()) if not st.zh and st.chance(0.6) else (pos, neg)
        pm = text_mask(pos_u, neg_px * 0.95, bold=True)
        px_ = x0 + cw - pad - pm.shape[1]
        c.blend(px_, by + (st.dp(52) - pm.shape[0]) // 2, pm, accent)
        if not no_neg:
            ns = text_sprite(neg_u, neg_px * 0.95, bold=True)
            put_control(st, ns, px_ - st.dp(28) - ns.w, by + (st.dp(52) - ns.h) // 2, neg_u, "window-bottom",
                        prefer_light=dark, hue=accent)
            neg = neg_u
        pos = pos_u
    else:
        pos_s = button_sprite(pos, bh, px=bh * 0.38, radius=bh / 2, pad_x=8, fill=accent, min_width=cw - 2 * pad)
        place(c, pos_s, x0 + pad, by, fg=(255, 255, 255))
        if not no_neg:
            ns = text_sprite(neg, neg_px * 0.95)
            put_control(st, ns, x0 + (cw - ns.w) // 2, by + bh + st.dp(12), neg, "window-bottom",
                        prefer_light=dark)
    st.text(pos)
    if st.chance(0.2):
        s, _style, _dk = x_icon_sprite(st, float(rng.uniform(12, 28)), style="plain")
        put_control(st, s, x0 + cw - st.dp(12) - s.w, y0 + st.dp(12), None, "window-top-right", prefer_light=dark)
    st.window = (x0, y0, x0 + cw, y0 + ch)
    st.notes.append(f"{layout} dialog" + (" with no dismiss button" if not st.controls else ""))


# ---------------------------------------------------------------------------------------------
# plain app screen (negative)


def compose_none(st: SceneState) -> None:
    _under_page(st)
    st.window = None
    st.notes.append("ordinary app screen, no overlay")


COMPOSERS = {
    "splash": compose_splash,
    "interstitial": compose_interstitial,
    "popup": compose_popup,
    "dialog": compose_dialog,
    "none": compose_none,
}

__all__ = ["COMPOSERS", "SceneState", "screen_zone"]
