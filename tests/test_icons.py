"""Tests of the classical × detector (detector/icons.py).

Positives and negatives are rendered here with Pillow (supersampled, so edges are
anti-aliased like real screenshots); the realdev test runs on ../shared/realdev when present.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from detector.icons import IconCandidate, IconSettings, drop_nested, find_close_icons
from detector.types import Box

REALDEV = Path(__file__).resolve().parents[1].parent / "shared" / "realdev"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SCREENS = {"1080": (1080, 1920), "270": (270, 480), "720": (720, 1280), "1440": (1440, 2560)}
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
        img += amp * np.asarray(Image.fromarray(noise[..., 0]).resize((w, h), Image.Resampling.BICUBIC))[..., None]
        img += 0.5 * amp * np.asarray(Image.fromarray(noise[..., 1]).resize((w, h), Image.Resampling.BICUBIC))[..., None] * [1, 0, -1]
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
    # plate sizes follow common icon sets: Material's filled "cancel" draws the × at about half
    # the disc, its outlined "highlight_off" at about 0.4 of the ring
    plate = {"circle-filled": 2.0, "circle-outline": 2.4, "square": 1.8}.get(icon.style, 1.0) * g
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
    small = layer.resize((n, n), Image.Resampling.BOX)
    base = Image.fromarray(rgb[y0 : y0 + n, x0 : x0 + n])
    base.paste(small, (0, 0), small)
    rgb[y0 : y0 + n, x0 : x0 + n] = np.asarray(base.convert("RGB"))
    return Box(cx - plate / 2, cy - plate / 2, cx + plate / 2, cy + plate / 2)


def page_tone(icon: Icon) -> str:
    """Plain glyphs need a page of the opposite tone; plates bring their own."""
    if icon.style in ("plain", "circle-outline"):
        return "light" if icon.polarity == "dark-on-light" else "dark"
    return "dark" if icon.polarity == "dark-on-light" else "light"


def icon_centre(screen: str, icon: Icon) -> tuple[int, int]:
    """Top-right, where close buttons usually sit, with the whole button on screen."""
    w, h = SCREENS[screen]
    d = density_of(screen)
    half_button = 1.3 * icon.glyph_dp * d  # the widest plate is 2.4 glyphs
    return round(w - half_button - 8 * d), round(max(0.12 * h, half_button + 24 * d))


def best_match(cands: list[IconCandidate], box: Box) -> IconCandidate | None:
    hits = [c for c in cands if c.score >= 0.5 and c.box.iou(box) >= 0.5]
    return max(hits, key=lambda c: c.score, default=None)


STYLES = ("plain", "circle-filled", "circle-outline", "square")
POLARITIES = ("dark-on-light", "light-on-dark")
SIZES_DP = (8, 16, 28, 48)
STROKES = {"thin": 0.08, "regular": 0.13, "bold": 0.22}
POSITIVES = [
    pytest.param(screen, bg, Icon(style, pol, size, STROKES[weight]), id=f"{screen}-{bg}-{style}-{pol}-{size}dp-{weight}")
    for screen in ("1080", "270")
    for bg in ("flat", "photo")
    for style in STYLES
    for pol in POLARITIES
    for size in SIZES_DP
    for weight in (("thin", "bold") if size in (8, 48) else ("regular",))
] + [  # the ends of the required range (6-60 dp) on the other common widths
    pytest.param(screen, bg, Icon(style, pol, size, STROKES["regular"]), id=f"{screen}-{bg}-{style}-{pol}-{size}dp")
    for screen in ("720", "1440")
    for bg in ("flat", "photo")
    for style in STYLES
    for pol in POLARITIES
    for size in (6, 60)
]


@pytest.mark.parametrize(("screen", "bg", "icon"), POSITIVES)
def test_finds_rendered_x(screen: str, bg: str, icon: Icon) -> None:
    rgb = background(bg, screen, page_tone(icon)).copy()
    density = density_of(screen)
    cx, cy = icon_centre(screen, icon)
    expected = render_icon(rgb, icon, cx, cy, density)
    cands = find_close_icons(rgb, density=density)
    found = best_match(cands, expected)
    assert found is not None, f"expected {expected.to_list()}, got {[(c.box.to_list(), c.score) for c in cands[:5]]}"
    assert found.polarity == icon.polarity
    assert found.glyph.contains_point(cx, cy)
    assert found.style == icon.style


# --- negatives ------------------------------------------------------------------------------


def canvas(screen: str, tone: str = "light", kind: str = "flat") -> tuple[np.ndarray, float]:
    return background(kind, screen, tone).copy(), density_of(screen)


def supersampled(rgb: np.ndarray, box: tuple[int, int, int, int], paint: Callable[[ImageDraw.ImageDraw], None]) -> None:
    """Run ``paint`` on a 4× RGBA layer over ``box`` (its own coordinates ×SS), composite in place."""
    x0, y0, x1, y1 = box
    layer = Image.new("RGBA", ((x1 - x0) * SS, (y1 - y0) * SS), (0, 0, 0, 0))
    paint(ImageDraw.Draw(layer))
    small = layer.resize((x1 - x0, y1 - y0), Image.Resampling.BOX)
    base = Image.fromarray(rgb[y0:y1, x0:x1])
    base.paste(small, (0, 0), small)
    rgb[y0:y1, x0:x1] = np.asarray(base.convert("RGB"))


def plus_sign(screen: str, size_dp: float, weight: float) -> tuple[np.ndarray, float, list[Box]]:
    rgb, d = canvas(screen)
    g = size_dp * d
    box = (100, 200, 100 + round(g) + 4, 200 + round(g) + 4)
    t = max(1.0, weight * g) * SS

    def paint(draw: ImageDraw.ImageDraw) -> None:
        c, r = (2 + g / 2) * SS, g / 2 * SS
        draw.rectangle([c - r, c - t / 2, c + r, c + t / 2], fill=(*DARK, 255))
        draw.rectangle([c - t / 2, c - r, c + t / 2, c + r], fill=(*DARK, 255))

    supersampled(rgb, box, paint)
    return rgb, d, []


def check_mark(screen: str, size_dp: float, weight: float) -> tuple[np.ndarray, float, list[Box]]:
    rgb, d = canvas(screen, "dark")
    g = size_dp * d
    t = max(1.0, weight * g)

    def paint(draw: ImageDraw.ImageDraw) -> None:
        pts = [(0.1 * g, 0.55 * g), (0.4 * g, 0.85 * g), (0.95 * g, 0.15 * g)]
        draw.line([((x + 2) * SS, (y + 2) * SS) for x, y in pts], fill=(*LIGHT, 255), width=round(t * SS), joint="curve")

    supersampled(rgb, (40, 120, 40 + round(g) + 4, 120 + round(g) + 4), paint)
    return rgb, d, []


def text_line(screen: str, text: str, size_dp: float, with_exclude: bool) -> tuple[np.ndarray, float, list[Box]]:
    """A line of text; the exclude box is what OCR would return for it."""
    rgb, d = canvas(screen)
    img = Image.fromarray(rgb)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, max(6, round(size_dp * d)))
    draw.text((20, 300), text, fill=DARK, font=font)
    bbox = draw.textbbox((20, 300), text, font=font)
    return np.asarray(img).copy(), d, [Box.from_xyxy(bbox)] if with_exclude else []


def nav_bar(screen: str) -> tuple[np.ndarray, float, list[Box]]:
    """Android's three-button bar: back triangle, home circle, recents square, on black."""
    rgb, d = canvas(screen)
    w, h = SCREENS[screen]
    bar = round(48 * d)
    rgb[h - bar :] = 0
    s = 9 * d  # half size of the glyphs (18 dp icons)

    def paint(draw: ImageDraw.ImageDraw) -> None:
        cy = bar / 2 * SS
        width = max(1, round(1.8 * d * SS))
        for k, kind in enumerate(("back", "home", "recents")):
            cx = w * (k + 1) / 4 * SS
            r = s * SS
            if kind == "back":
                draw.polygon([(cx + r * 0.8, cy - r), (cx + r * 0.8, cy + r), (cx - r, cy)], outline=(*LIGHT, 255), width=width)
            elif kind == "home":
                draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(*LIGHT, 255), width=width)
            else:
                draw.rectangle([cx - r * 0.85, cy - r * 0.85, cx + r * 0.85, cy + r * 0.85], outline=(*LIGHT, 255), width=width)

    supersampled(rgb, (0, h - bar, w, h), paint)
    return rgb, d, []


def mute_icon(screen: str, size_dp: float) -> tuple[np.ndarray, float, list[Box]]:
    """A speaker with a small × right beside it (a 'muted' volume icon), light on a video."""
    rgb, d = canvas(screen, "dark", "photo")
    g = size_dp * d

    def paint(draw: ImageDraw.ImageDraw) -> None:
        u = g * SS
        o = 2 * SS
        draw.polygon([(o, o + 0.35 * u), (o + 0.25 * u, o + 0.35 * u), (o + 0.55 * u, o + 0.1 * u),
                      (o + 0.55 * u, o + 0.9 * u), (o + 0.25 * u, o + 0.65 * u), (o, o + 0.65 * u)], fill=(*LIGHT, 255))
        draw_x(draw, o + 0.82 * u, o + 0.5 * u, 0.36 * u, 0.07 * u, (*LIGHT, 255))

    supersampled(rgb, (30, 100, 30 + round(g) + 4, 100 + round(g) + 4), paint)
    return rgb, d, []


def search_field(screen: str, tone: str) -> tuple[np.ndarray, float, list[Box]]:
    """A 38 dp search field, 7 % darker than the page, with typed text and its clear button
    (a disc in the field's subtext grey with a × cut out) 12 dp from the right end."""
    rgb, d = canvas(screen, tone)
    w = SCREENS[screen][0]
    page = tuple(int(v) for v in rgb[0, 0])
    ink = DARK if tone == "light" else LIGHT
    fill = tuple(round(p + 0.07 * (i - p)) for p, i in zip(page, ink, strict=True))
    grey = tuple(round(p + 0.5 * (i - p)) for p, i in zip(page, ink, strict=True))
    top, h, cs = round(200 * d), 38 * d, 18 * d
    x0, x1 = round(16 * d), w - round(16 * d)
    font = ImageFont.truetype(FONT, max(6, round(14 * d * SS)))

    def paint(draw: ImageDraw.ImageDraw) -> None:
        draw.rounded_rectangle([0, 0, (x1 - x0) * SS - 1, h * SS - 1], radius=h * SS / 2, fill=(*fill, 255))
        draw.text((38 * d * SS, h * SS / 2), "宠物", fill=(*ink, 255), font=font, anchor="lm")
        cx, cy = (x1 - x0 - 12 * d - cs / 2) * SS, h * SS / 2
        r = cs * SS / 2
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(*grey, 255))
        draw_x(draw, cx, cy, 0.45 * cs * SS, 0.1 * cs * SS, (*fill, 255))

    supersampled(rgb, (x0, top, x1, top + round(h)), paint)
    return rgb, d, []


def tag_chips(screen: str, tone: str) -> tuple[np.ndarray, float, list[Box]]:
    """A row of 30 dp tag chips, each a word and an 8 dp × 10 dp from its right end."""
    rgb, d = canvas(screen, tone)
    page = tuple(int(v) for v in rgb[0, 0])
    ink = DARK if tone == "light" else LIGHT
    fill = tuple(round(p + 0.12 * (i - p)) for p, i in zip(page, ink, strict=True))
    h = 30 * d
    font = ImageFont.truetype(FONT, max(6, round(13 * d * SS)))
    x, top = round(16 * d), round(300 * d)
    for word in ("旅行", "数码", "健身"):
        cw = round((26 + 36) * d)

        def paint(draw: ImageDraw.ImageDraw, word: str = word, cw: int = cw) -> None:
            draw.rounded_rectangle([0, 0, cw * SS - 1, h * SS - 1], radius=h * SS / 2, fill=(*fill, 255))
            draw.text((12 * d * SS, h * SS / 2), word, fill=(*ink, 255), font=font, anchor="lm")
            draw_x(draw, (cw - 14 * d) * SS, h * SS / 2, 8 * d * SS, max(1.2 * d, 1.0) * SS, (*ink, 255))

        supersampled(rgb, (x, top, x + cw, top + round(h)), paint)
        x += cw + round(8 * d)
    return rgb, d, []


def blank(screen: str, tone: str) -> tuple[np.ndarray, float, list[Box]]:
    rgb, d = canvas(screen, tone)
    return rgb, d, []


def photo(screen: str, tone: str) -> tuple[np.ndarray, float, list[Box]]:
    rgb, d = canvas(screen, tone, "photo")
    return rgb, d, []


NEGATIVES = [
    *(pytest.param(functools.partial(plus_sign, s, size, wt), id=f"plus-{s}-{size}dp-{wt}")
      for s in ("1080", "270") for size in (12, 24, 40) for wt in (0.1, 0.2)),
    *(pytest.param(functools.partial(check_mark, s, size, wt), id=f"check-{s}-{size}dp-{wt}")
      for s in ("1080", "270") for size in (12, 24, 40) for wt in (0.1, 0.2)),
    *(pytest.param(functools.partial(text_line, s, text, size, True), id=f"text-{s}-{text}-{size}dp")
      for s in ("1080", "270") for text in ("XBOX", "Fix text", "max 10 x 20") for size in (14, 24)),
    *(pytest.param(functools.partial(nav_bar, s), id=f"navbar-{s}") for s in SCREENS),
    *(pytest.param(functools.partial(mute_icon, s, size), id=f"mute-{s}-{size}dp") for s in ("1080", "270") for size in (24, 40)),
    *(pytest.param(functools.partial(search_field, s, t), id=f"search-clear-{s}-{t}") for s in SCREENS for t in ("light", "dark")),
    *(pytest.param(functools.partial(tag_chips, s, t), id=f"chips-{s}-{t}") for s in SCREENS for t in ("light", "dark")),
    *(pytest.param(functools.partial(blank, s, t), id=f"blank-{s}-{t}") for s in SCREENS for t in ("light", "dark")),
    *(pytest.param(functools.partial(photo, s, t), id=f"photo-{s}-{t}") for s in SCREENS for t in ("light", "dark")),
]


@pytest.mark.parametrize("make", NEGATIVES)
def test_no_x_on_non_close_shapes(make: Callable[[], tuple[np.ndarray, float, list[Box]]]) -> None:
    rgb, density, exclude = make()
    strong = [c for c in find_close_icons(rgb, density=density, exclude=exclude) if c.score >= 0.5]
    assert strong == []


def test_exclude_drops_letters_of_words() -> None:
    """The × itself is found; an OCR line box over it (a word like "XBOX") removes it."""
    screen = "1080"
    icon = Icon("plain", "dark-on-light", 16, STROKES["regular"])
    rgb = background("flat", screen, "light").copy()
    cx, cy = icon_centre(screen, icon)
    box = render_icon(rgb, icon, cx, cy, density_of(screen))
    assert best_match(find_close_icons(rgb, density=density_of(screen)), box) is not None
    line = Box(box.x1 - 100, box.y1 - 4, box.x2 + 50, box.y2 + 4)
    assert find_close_icons(rgb, density=density_of(screen), exclude=[line]) == []


@pytest.mark.parametrize("screen", ["1080", "270"])
def test_close_button_at_a_card_corner_is_not_a_field(screen: str) -> None:
    """A card's top-right × keeps a margin to the card's top and has the card's body below:
    the field check (search clear buttons, chip marks) must not take it."""
    d = density_of(screen)
    w = SCREENS[screen][0]
    rgb = (background("flat", screen, "dark").astype(np.float64) * 0.5).astype(np.uint8)  # a scrim
    x0, y0, x1, y1 = round(32 * d), round(200 * d), w - round(32 * d), round(520 * d)
    rgb[y0:y1, x0:x1] = LIGHT
    img = Image.fromarray(rgb)
    ImageDraw.Draw(img).text((x0 + 20 * d, y0 + 16 * d), "开启自动续费", fill=DARK,
                             font=ImageFont.truetype(FONT, round(18 * d)))
    rgb = np.asarray(img).copy()
    icon = Icon("plain", "dark-on-light", 14, STROKES["regular"])
    box = render_icon(rgb, icon, x1 - round(24 * d), y0 + round(24 * d), d)
    assert best_match(find_close_icons(rgb, density=d), box) is not None


# --- what lies beside a plain × -------------------------------------------------------------


def card_with_x_above_picture(screen: str, blob: bool) -> tuple[np.ndarray, float, Box]:
    """A white card on a scrim whose bold black × sits just above the card's picture: the
    picture's top edge (dark, running on past the ×) and, with ``blob``, a black disc inside the
    picture right below the ×, both within the ×'s isolation margin."""
    d = density_of(screen)
    w = SCREENS[screen][0]
    rgb = (background("flat", screen, "dark").astype(np.float64) * 0.5).astype(np.uint8)
    x0, y0, x1, y1 = round(24 * d), round(200 * d), w - round(24 * d), round(600 * d)
    rgb[y0:y1, x0:x1] = 255
    icon = Icon("plain", "dark-on-light", 30, STROKES["bold"])
    cx, cy = x1 - round(36 * d), y0 + round(36 * d)
    box = render_icon(rgb, icon, cx, cy, d)
    top = round(box.y2 + 8 * d)  # the picture starts 8 dp below the glyph (the margin is 18 dp)
    rgb[top:y1 - round(16 * d), x0 + round(16 * d):round(cx + 4 * d)] = (40, 70, 50)
    if blob:
        r = round(7 * d)
        yy, xx = np.mgrid[0 : 2 * r, 0 : 2 * r]
        disc = (yy - r + 0.5) ** 2 + (xx - r + 0.5) ** 2 <= r * r
        patch = rgb[top + round(2 * d) : top + round(2 * d) + 2 * r, cx - 2 * r : cx]
        patch[disc[: patch.shape[0], : patch.shape[1]]] = (8, 8, 8)
    return rgb, d, box


@pytest.mark.parametrize("blob", [False, True], ids=["edge", "edge-and-dark-shape"])
@pytest.mark.parametrize("screen", ["1080", "270"])
def test_bold_x_above_a_picture_is_found(screen: str, blob: bool) -> None:
    """A picture's edge that runs on past the ×, and dark shapes inside the picture, are not
    neighbours of the × (they do not sit on its background): the × keeps its score."""
    rgb, d, box = card_with_x_above_picture(screen, blob)
    found = best_match(find_close_icons(rgb, density=d), box)
    assert found is not None and found.score >= 0.9, [(c.box.to_list(), c.score) for c in find_close_icons(rgb, density=d)[:3]]


def x_with_text_before(screen: str, text: str, *, size_dp: float, gap: float) -> tuple[np.ndarray, float, Box, Box]:
    """A dark 16-dp plain × on a light page with ``text`` (``size_dp`` tall) ending ``gap`` × the
    glyph's width left of it; returns the picture, its density, the ×'s box and the text's box."""
    d = density_of(screen)
    rgb, _ = canvas(screen, "light")
    icon = Icon("plain", "dark-on-light", 16, STROKES["regular"])
    cy = round(200 * d)
    box = render_icon(rgb, icon, round(300 * d), cy, d)
    img = Image.fromarray(rgb)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, max(6, round(size_dp * d)))
    right = box.x1 - gap * box.width
    draw.text((right, cy), text, fill=DARK, font=font, anchor="rm")
    text_box = Box.from_xyxy(draw.textbbox((right, cy), text, font=font, anchor="rm"))
    return np.asarray(img).copy(), d, box, text_box


@pytest.mark.parametrize("screen", ["1080", "270"])
def test_x_right_after_a_title_read_by_ocr(screen: str) -> None:
    """A dialog title that ends just left of its × was read by OCR as a line the × is not part
    of: its letters are not the ×'s neighbours. A word that holds the × stays excluded."""
    # the title ends closer to the × than its isolation margin
    rgb, d, box, title = x_with_text_before(screen, "Enjoying it so far?", size_dp=18, gap=0.3)
    assert best_match(find_close_icons(rgb, density=d, exclude=[title]), box) is not None


@pytest.mark.parametrize("screen", ["1080", "270"])
def test_x_on_a_disc_near_other_shapes(screen: str) -> None:
    """A grey × on a light disc over a pink picture, with a light bar of the picture just above
    the disc: the bar lies off the button, so it is not ink beside the glyph (the stroke map's
    side bands reach past a small plate and saw it)."""
    d = density_of(screen)
    w, h = SCREENS[screen]
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[:] = (205, 140, 125)
    cx, cy, r = w - round(40 * d), round(120 * d), 15 * d
    top = round(cy - r - 4 * d)  # 4 dp above the disc
    rgb[top - round(20 * d) : top, round(cx - 9 * d) : round(cx + 9 * d)] = (250, 250, 250)

    def paint(draw: ImageDraw.ImageDraw) -> None:
        c, rr = (r + 2) * SS, r * SS
        draw.ellipse([c - rr, c - rr, c + rr, c + rr], fill=(238, 214, 209, 255))
        draw_x(draw, c, c, 16 * d * SS, max(1.0, 1.6 * d) * SS, (170, 170, 170, 255))

    x0, y0 = round(cx - r - 2), round(cy - r - 2)
    supersampled(rgb, (x0, y0, x0 + round(2 * r + 4), y0 + round(2 * r + 4)), paint)
    box = Box(cx - r, cy - r, cx + r, cy + r)
    found = best_match(find_close_icons(rgb, density=d), box)
    assert found is not None and found.style == "circle-filled", find_close_icons(rgb, density=d)[:3]


# --- compound marks: a × that is one half of a pictogram ----------------------------------


def compound_mark(screen: str, partner: str, tone: str) -> tuple[np.ndarray, float, Box]:
    """A plain × drawn as half of a compound mark on a photo: ``adchoices`` is an in-page ad's
    ▷× (a cyan triangle and a grey ×, 14 dp each, on a white plate at the picture's corner),
    ``speaker`` a mute icon (a speaker and a small × a third of a glyph apart, 22 dp, light on a
    video). Returns the screenshot, its density and the ×'s glyph box."""
    rgb, d = canvas(screen, tone, "photo")
    w = SCREENS[screen][0]
    s = (14 if partner == "adchoices" else 22) * d
    x0, y0 = round(w - 40 * d - 2 * s), round(180 * d)
    if partner == "adchoices":
        rgb[y0 : y0 + round(s), x0 : x0 + round(2 * s)] = (0.15 * rgb[y0 : y0 + round(s), x0 : x0 + round(2 * s)] + 0.85 * 255).astype(np.uint8)
        g, cx, cy = 0.55 * s, x0 + 1.5 * s, y0 + s / 2

        def paint(draw: ImageDraw.ImageDraw) -> None:
            draw.polygon([(0.2 * s * SS, 0.15 * s * SS), (0.75 * s * SS, 0.5 * s * SS), (0.2 * s * SS, 0.85 * s * SS)],
                         fill=(0, 160, 220, 255))
            draw_x(draw, 1.5 * s * SS, 0.5 * s * SS, g * SS, max(d, 1.0) * SS, (90, 90, 90, 255))
    else:
        g, cx, cy = 0.3 * s, x0 + 0.75 * s, y0 + s / 2

        def paint(draw: ImageDraw.ImageDraw) -> None:
            u = s * SS
            draw.polygon([(0.1 * u, 0.38 * u), (0.28 * u, 0.38 * u), (0.5 * u, 0.18 * u), (0.5 * u, 0.82 * u),
                          (0.28 * u, 0.62 * u), (0.1 * u, 0.62 * u)], fill=(*LIGHT, 255))
            draw_x(draw, 0.75 * u, 0.5 * u, g * SS, max(0.09 * s, 1.2) * SS, (*LIGHT, 255))

    supersampled(rgb, (x0, y0, x0 + round(2 * s), y0 + round(s)), paint)
    return rgb, d, Box(cx - g / 2, cy - g / 2, cx + g / 2, cy + g / 2)


def strongest_at(rgb: np.ndarray, d: float, box: Box, settings: IconSettings | None = None) -> float:
    """The best score of a candidate whose glyph holds the box's centre (0 when there is none)."""
    return max((c.score for c in find_close_icons(rgb, density=d, settings=settings or IconSettings())
                if c.glyph.contains_point(*box.center)), default=0.0)


@pytest.mark.parametrize("tone", ["light", "dark"])
@pytest.mark.parametrize("partner", ["adchoices", "speaker"])
@pytest.mark.parametrize("screen", ["1080", "720", "270"])
def test_x_of_a_compound_mark_is_not_a_close_icon(screen: str, partner: str, tone: str) -> None:
    """The × of an AdChoices-style ▷× or of a mute icon is a clean × on its own, but the solid
    pictogram right beside it makes it half of a mark: it must not score as a close icon."""
    rgb, d, box = compound_mark(screen, partner, tone)
    assert strongest_at(rgb, d, box) < 0.5


@pytest.mark.parametrize("screen", ["1080", "720"])
def test_adchoices_x_is_dropped_by_its_partner(screen: str) -> None:
    """Without the partner check (no partner can fit) the ▷×'s × passes as a close icon: the ▷
    is what tells them apart, not the shape of the ×, and it lies too far from the × for the
    isolation margin. (On a 270 px screenshot its 8 dp × is too small to be found at all.)"""
    rgb, d, box = compound_mark(screen, "adchoices", "light")
    assert strongest_at(rgb, d, box, replace(IconSettings(), partner_gap=0.0, partner_height=(9.0, 9.0))) >= 0.5
    assert strongest_at(rgb, d, box) < 0.5


@pytest.mark.parametrize("text", ["5", "8", "3s", "ⓘ"])
@pytest.mark.parametrize("screen", ["1080", "270"])
def test_x_after_a_digit_or_stroked_icon_is_kept(screen: str, text: str) -> None:
    """A countdown digit or an info ring just left of a close × (closer than the partner gap,
    farther than the isolation margin) is drawn in strokes: the × stays a close icon."""
    rgb, d, box, _ = x_with_text_before(screen, text, size_dp=20, gap=0.8)
    assert best_match(find_close_icons(rgb, density=d), box) is not None


def test_drop_nested_keeps_one_per_control() -> None:
    button = IconCandidate(Box(100, 100, 160, 160), Box(115, 115, 145, 145), 0.9, "circle-filled", "light-on-dark")
    glyph = IconCandidate(Box(118, 118, 142, 142), Box(118, 118, 142, 142), 0.7, "plain", "light-on-dark")
    other = IconCandidate(Box(300, 100, 330, 130), Box(300, 100, 330, 130), 0.6, "plain", "dark-on-light")
    assert drop_nested([button, glyph, other]) == [button, other]
    assert drop_nested([glyph, button]) == [glyph]
    assert drop_nested([]) == []


@pytest.mark.parametrize(
    ("rgb", "density"),
    [
        (np.zeros((10, 10), np.uint8), 1.0),
        (np.zeros((10, 10, 3), np.float32), 1.0),
        (np.zeros((10, 10, 3), np.uint8), 0.0),
        (np.zeros((10, 10, 3), np.uint8), -2.0),
    ],
    ids=["grey", "float", "zero-density", "negative-density"],
)
def test_rejects_bad_input(rgb: np.ndarray, density: float) -> None:
    with pytest.raises(ValueError):
        find_close_icons(rgb, density=density)


@pytest.mark.parametrize("shape", [(1, 1, 3), (5, 400, 3), (300, 2, 3)], ids=["1px", "strip", "column"])
def test_tiny_images_give_nothing(shape: tuple[int, int, int]) -> None:
    assert find_close_icons(np.full(shape, 200, np.uint8), density=1.0) == []


def test_yaml_matches_defaults() -> None:
    """The packaged YAML is the source of truth; the dataclass defaults must not drift."""
    assert IconSettings.from_yaml() == IconSettings()


def test_yaml_documents_every_number() -> None:
    import yaml

    text = (Path(__file__).resolve().parents[1] / "detector" / "profiles" / "detection-icons.yaml").read_text("utf-8")
    entries = yaml.safe_load(text)["icons"]
    assert set(entries) == set(IconSettings.__dataclass_fields__)
    for name, entry in entries.items():
        assert set(entry) == {"value", "unit", "why"}, name
        assert entry["unit"] and len(entry["why"]) > 20, name


def test_unknown_setting_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("icons:\n  nms_iuo: {value: 0.3, unit: IoU, why: typo}\n", "utf-8")
    with pytest.raises(ValueError, match="nms_iuo"):
        IconSettings.from_yaml(path)


# --- real screenshots -----------------------------------------------------------------------


def realdev_rows() -> list[dict[str, Any]]:
    path = REALDEV / "labels.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


@pytest.mark.skipif(not (REALDEV / "labels.jsonl").exists(), reason="../shared/realdev is not present")
def test_realdev_icon_recall() -> None:
    """Labelled × icons on real screenshots are found (LABELS.md matching: IoU ≥ 0.3 or the
    detection's centre inside the label)."""
    found = total = 0
    for row in realdev_rows():
        icons = [Box.from_xyxy(c["box"]) for c in row["close_controls"] if c["kind"] == "icon"]
        if not icons:
            continue
        rgb = np.asarray(Image.open(REALDEV / str(row["image"])).convert("RGB"))
        dets = [d for d in find_close_icons(rgb, density=min(rgb.shape[:2]) / BASELINE_WIDTH_DP) if d.score >= 0.5]
        for label in icons:
            total += 1
            found += any(d.box.iou(label) >= 0.3 or label.contains_point(*d.box.center) for d in dets)
    assert total > 0
    assert found / total >= 0.85, f"recall {found}/{total}"
