"""Text-less ad labels (detector/admarks.py): the AdChoices ▷ and the ⓘ, drawn and on realdev."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from detector.admarks import after_a_glyph, beside_ad_choices, find_ad_marks, find_info_marks
from detector.profile import get_profile
from detector.types import Box

PROFILE = get_profile("cn-miit-2021")
W, H, DENSITY = 1080, 1920, 3.0
REALDEV = Path(__file__).resolve().parents[1].parent / "shared" / "realdev"


def screen_with(mark: str, corner: str, *, dp: float = 14, light_on_dark: bool = True) -> Image.Image:
    """A photo-ish full-screen ad with ``mark`` (info, bang, ring, adchoices) ``dp`` wide in ``corner``."""
    img = Image.new("RGB", (W, H))
    draw = ImageDraw.Draw(img)
    for y in range(0, H, 4):
        draw.rectangle((0, y, W, y + 4), fill=(40 + y // 30, 60, 90 + y // 40))
    side = dp * DENSITY
    x = 12 if corner.endswith("left") else W - 12 - side
    y = 12 if corner.startswith("top") else H - 12 - side
    fg, bg = ((245, 245, 245), (20, 20, 20)) if light_on_dark else ((60, 60, 60), (225, 225, 225))
    draw.rectangle((x - 4, y - 4, x + side + 4, y + side + 4), fill=bg)
    if mark == "adchoices":
        draw.polygon([(x, y), (x + side, y + side / 2), (x, y + side)], fill=(0, 174, 239))
        return img
    stroke = max(2, round(side / 12))
    draw.ellipse((x, y, x + side, y + side), outline=fg, width=stroke)
    cx, w = x + side / 2, max(1.5, side / 16)
    if mark == "info":
        draw.ellipse((cx - w, y + side * 0.22, cx + w, y + side * 0.22 + 2 * w), fill=fg)
        draw.rectangle((cx - w * 0.8, y + side * 0.42, cx + w * 0.8, y + side * 0.78), fill=fg)
    elif mark == "bang":  # ! : the bar above the dot
        draw.rectangle((cx - w * 0.8, y + side * 0.2, cx + w * 0.8, y + side * 0.58), fill=fg)
        draw.ellipse((cx - w, y + side * 0.66, cx + w, y + side * 0.66 + 2 * w), fill=fg)
    return img


@pytest.mark.parametrize("corner", ["top-left", "top-right", "bottom-left", "bottom-right"])
@pytest.mark.parametrize(("dp", "light_on_dark"), [(12, True), (16, False), (22, True)])
def test_info_mark_is_found_in_each_corner(corner: str, dp: float, light_on_dark: bool) -> None:
    rgb = np.asarray(screen_with("info", corner, dp=dp, light_on_dark=light_on_dark))
    (box,) = find_info_marks(rgb, density=DENSITY, profile=PROFILE)
    assert abs(box.width - dp * DENSITY) <= 4
    assert (box.x1 < W / 2) == corner.endswith("left") and (box.y1 < H / 2) == corner.startswith("top")


@pytest.mark.parametrize("mark", ["bang", "ring"])
def test_other_ringed_glyphs_are_not_info_marks(mark: str) -> None:
    rgb = np.asarray(screen_with(mark, "bottom-left"))
    assert find_info_marks(rgb, density=DENSITY, profile=PROFILE) == []


def test_adchoices_triangle_is_found() -> None:
    rgb = np.asarray(screen_with("adchoices", "top-right"))
    (box,) = find_ad_marks(rgb, density=DENSITY, profile=PROFILE)
    assert box.x1 > W / 2 and box.y1 < 100


@pytest.mark.skipif(not (REALDEV / "images").is_dir(), reason="../shared/realdev not present")
@pytest.mark.parametrize(
    ("name", "where"),
    [
        # letgo install interstitial: a white ⓘ on the black bottom-left corner
        ("aidui_contextdp__images__other_popups__12978.jpg", (9, 1742, 57, 1790)),
        # a game's video interstitial: a white ⓘ on a grey rounded square, bottom-left
        ("aidui_contextdp__images__nagging__entertainment_14--Daily-Pixel---Color-By-Number-7-49_5329.jpg",
         (0, 1883, 42, 1920)),
    ],
)
def test_realdev_info_marks(name: str, where: tuple[int, int, int, int]) -> None:
    rgb = np.asarray(Image.open(REALDEV / "images" / name).convert("RGB"))
    marks = find_info_marks(rgb, density=min(rgb.shape[:2]) / 360, profile=PROFILE)
    assert any(m.center[0] >= where[0] and m.center[0] <= where[2] and where[1] <= m.center[1] <= where[3]
               for m in marks)


@pytest.mark.parametrize(("left", "scrim", "expected"), [
    ("adchoices", 0.0, True),
    ("adchoices", 0.6, True),  # a banner on the page under a pop-up's scrim keeps its cyan's hue
    ("none", 0.0, False),
    ("blue-square", 0.0, False),  # a saturated blue button beside a ×, filled: artwork, not a ▷
    ("pale-sky", 0.0, False),  # a photo's pale blue: not saturated
], ids=["tag", "tag-under-a-scrim", "x-alone", "blue-square", "pale-sky"])
def test_a_x_right_of_an_ad_choices_triangle_is_a_banners_tag(left: str, scrim: float, expected: bool) -> None:
    img = Image.new("RGB", (W, H), (240, 240, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle((60, 600, W - 60, 900), fill=(200, 120, 80))  # the banner's picture
    side = 14 * DENSITY
    x, y = W - 60 - 2 * side, 600
    draw.rectangle((x, y, W - 60, y + side), fill=(255, 255, 255))  # the tag
    if left == "adchoices":
        draw.polygon([(x + 0.2 * side, y + 0.15 * side), (x + 0.75 * side, y + side / 2), (x + 0.2 * side, y + 0.8 * side)],
                     fill=(0, 160, 220))
    elif left == "blue-square":
        draw.rectangle((x + 2, y + 2, x + side - 2, y + side - 2), fill=(0, 160, 220))
    elif left == "pale-sky":
        draw.rectangle((x + 2, y + 2, x + side - 2, y + side - 2), fill=(170, 200, 225))
    cross = Box(x + side, y, x + 2 * side, y + side)
    m = side * 0.25
    for a, b in (((cross.x1 + m, cross.y1 + m), (cross.x2 - m, cross.y2 - m)),
                 ((cross.x1 + m, cross.y2 - m), (cross.x2 - m, cross.y1 + m))):
        draw.line([a, b], fill=(90, 90, 90), width=3)
    rgb = (np.asarray(img).astype(np.float32) * (1.0 - scrim)).astype(np.uint8)
    assert beside_ad_choices(rgb, cross, density=DENSITY, profile=PROFILE) == expected


@pytest.mark.parametrize(("left", "light", "expected"), [
    ("speaker", True, True),  # a video's mute mark: a white speaker and its ×
    ("speaker", False, True),  # drawn dark on a light video frame
    ("speaker", None, True),  # the ×'s ink told from its ground
    ("none", True, False),  # a × alone on its ground: an overlay's close
    ("far-speaker", True, False),  # a shape of the ×'s ink a × width away is the ground's content
    ("outline", True, False),  # an outlined box beside the ×: not solid, not a speaker
    ("tall-bar", True, False),  # a bar four times the ×'s height: the picture's, not half of a glyph
    ("button-outline", None, False),  # the × inside an outlined square button: its side runs round it
], ids=["mute-light", "mute-dark", "mute-either", "x-alone", "far-shape", "outline", "tall-bar", "x-button"])
def test_a_x_after_a_speaker_is_a_mute_mark(left: str, light: bool | None, expected: bool) -> None:
    """admarks.after_a_glyph: a × with a solid shape of its own ink just before it on its row is
    the second half of a compound mark (🔇), at the profile's compound_mark settings."""
    ink, ground = ((250, 250, 250), (60, 70, 90)) if light in (True, None) else ((30, 30, 30), (225, 215, 200))
    img = Image.new("RGB", (W, H), ground)
    draw = ImageDraw.Draw(img)
    side = 10 * DENSITY
    cross = Box(500, 800, 500 + side, 800 + side)
    cy = cross.center[1]
    gap = 0.2 * side if left != "far-speaker" else 1.0 * side
    right = cross.x1 - gap
    if left in ("speaker", "far-speaker"):  # body and flaring cone, 2.2 × the ×'s height
        draw.rectangle((right - 1.2 * side, cy - 0.4 * side, right - 0.8 * side, cy + 0.4 * side), fill=ink)
        draw.polygon([(right - 0.8 * side, cy - 0.4 * side), (right, cy - 1.1 * side), (right, cy + 1.1 * side),
                      (right - 0.8 * side, cy + 0.4 * side)], fill=ink)
    elif left == "outline":
        draw.rectangle((right - side, cy - 0.5 * side, right, cy + 0.5 * side), outline=ink, width=2)
    elif left == "tall-bar":
        draw.rectangle((right - 0.6 * side, cy - 2.0 * side, right, cy + 2.0 * side), fill=ink)
    elif left == "button-outline":
        draw.rounded_rectangle((cross.x1 - 0.5 * side, cross.y1 - 0.5 * side, cross.x2 + 0.5 * side,
                                cross.y2 + 0.5 * side), radius=0.2 * side, outline=ink, width=3)
    m = side * 0.15
    for a, b in (((cross.x1 + m, cross.y1 + m), (cross.x2 - m, cross.y2 - m)),
                 ((cross.x1 + m, cross.y2 - m), (cross.x2 - m, cross.y1 + m))):
        draw.line([a, b], fill=ink, width=4)
    assert after_a_glyph(np.asarray(img), cross, light=light, profile=PROFILE) == expected
