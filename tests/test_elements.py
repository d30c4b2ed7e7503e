"""Text elements (detector/elements.py): what each OCR line is, by the lexicon and where it sits."""

from __future__ import annotations

import numpy as np
import pytest

from detector.elements import status_bar_strip, text_elements
from detector.lexicon import load_lexicon
from detector.profile import get_profile
from detector.types import Box, ElementKind, TextSpan

W, H = 1080, 1920  # a phone screenshot; the top band is the profile's top_band_fraction of H


@pytest.mark.parametrize(
    ("text", "box", "kind", "seconds"),
    [
        ("跳过 3", Box(900, 80, 1040, 130), ElementKind.CLOSE_COUNTDOWN, 3),
        ("5秒后可关闭", Box(700, 80, 1040, 130), ElementKind.CLOSE_COUNTDOWN, 5),  # the locked close control
        ("5秒后可关闭", Box(300, 1000, 640, 1050), ElementKind.COUNTDOWN, 5),  # a notice mid-screen
        ("5", Box(960, 80, 990, 130), ElementKind.COUNTDOWN, 5),  # a timer in the top band
        ("5", Box(500, 900, 530, 950), ElementKind.TEXT, None),  # mid-screen: a score, a page number
        ("30", Box(960, 80, 1010, 130), ElementKind.COUNTDOWN, 30),  # the longest countdown the profile allows
        ("77", Box(360, 120, 440, 160), ElementKind.TEXT, None),  # 77 gems: a count
        ("99+", Box(60, 20, 130, 60), ElementKind.TEXT, None),  # a message badge
        ("广告", Box(40, 1800, 120, 1840), ElementKind.AD_LABEL, None),
        ("视频广告", Box(40, 1800, 160, 1840), ElementKind.AD_LABEL, None),  # a kind of ad
        ("互广告", Box(40, 1800, 160, 1840), ElementKind.AD_LABEL, None),  # 互动广告 with a character lost
        ("VIP去广告", Box(600, 1800, 800, 1840), ElementKind.TEXT, None),  # a remove-ads link
        ("跳过 59", Box(900, 80, 1040, 130), ElementKind.CLOSE_TEXT, None),  # no splash counts 59 s: a misread 5s
        ("好", Box(500, 1500, 548, 1548), ElementKind.CLOSE_TEXT, None),  # a dialog's only answer (16 dp)
        ("好", Box(40, 1500, 121, 1581), ElementKind.TEXT, None),  # 27 dp tall: an app's letter icon
        ("跳过", Box(40, 1500, 190, 1650), ElementKind.CLOSE_TEXT, None),  # a strong word is one at any size
    ],
)
def test_what_a_line_is(text: str, box: Box, kind: ElementKind, seconds: int | None) -> None:
    rgb = np.full((H, W, 3), 200, np.uint8)
    (element,) = text_elements(rgb, [TextSpan(text, box, 0.98)], lexicon=load_lexicon(),
                               profile=get_profile("cn-miit-2021"))
    assert element.kind == kind
    assert element.countdown_s == seconds


def test_nothing_read_nothing_out() -> None:
    rgb = np.full((H, W, 3), 200, np.uint8)
    assert text_elements(rgb, [], lexicon=load_lexicon(), profile=get_profile("cn-miit-2021")) == []


@pytest.mark.parametrize(
    ("clock_x", "is_status_bar"),
    [
        (40, True),  # Android and notched iPhones: the left end
        (960, True),  # some skins: the right end
        (520, True),  # iPhones before the notch: centred
        (380, False),  # a clock on a phone drawn inside the ad picture
    ],
)
def test_status_bar_is_where_phones_put_the_clock(clock_x: int, is_status_bar: bool) -> None:
    spans = [TextSpan("12:30", Box(clock_x, 20, clock_x + 80, 56), 0.97)]
    strip = status_bar_strip(spans, lexicon=load_lexicon(), width=W, strip_px=72)
    assert (strip is not None) == is_status_bar


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("85%", ElementKind.TEXT),  # battery: system UI
        ("4G", ElementKind.TEXT),
        ("跳过", ElementKind.CLOSE_TEXT),  # the app's skip control hidden in the strip
        ("关闭 3", ElementKind.CLOSE_COUNTDOWN),
    ],
)
def test_status_bar_text_is_system_ui_unless_it_is_a_dismiss_phrase(text: str, kind: ElementKind) -> None:
    rgb = np.full((H, W, 3), 200, np.uint8)
    spans = [TextSpan("12:30", Box(40, 20, 120, 56), 0.97), TextSpan(text, Box(600, 20, 680, 56), 0.97)]
    strip = status_bar_strip(spans, lexicon=load_lexicon(), width=W, strip_px=72)
    assert strip is not None
    elements = text_elements(rgb, spans, lexicon=load_lexicon(), profile=get_profile("cn-miit-2021"),
                             status_bar=strip)
    assert [e.kind for e in elements] == [ElementKind.TEXT, kind]


@pytest.mark.parametrize(
    ("other", "other_box", "own"),
    [
        # an iOS dialog's bottom bar: 暂不开启 | 去开启 on one fill, cut halfway between the labels
        ("去开启", Box(700, 1040, 830, 1080), Box(40, 1000, 515, 1120)),
        # a skip pill that also carries its ad mark (广告 | 跳过): the whole pill is the control's
        ("广告", Box(700, 1040, 780, 1080), Box(40, 1000, 1040, 1120)),
        # a sliver of the dimmed page's line read at the card's edge (3 px by 40): no second label
        ("今天", Box(40, 1040, 43, 1080), Box(40, 1000, 1040, 1120)),
    ],
)
def test_a_fill_two_controls_share_is_cut_between_them(other: str, other_box: Box, own: Box) -> None:
    rgb = np.full((H, W, 3), 120, np.uint8)
    rgb[1000:1120, 40:1040] = 245  # one fill under both labels
    spans = [TextSpan("暂不开启", Box(150, 1040, 330, 1080), 0.98), TextSpan(other, other_box, 0.98)]
    close, _ = text_elements(rgb, spans, lexicon=load_lexicon(), profile=get_profile("cn-miit-2021"))
    assert close.kind == ElementKind.CLOSE_TEXT
    assert close.button is not None and close.button.to_list() == own.to_list()


@pytest.mark.parametrize(
    ("text", "tile", "kind"),
    [
        ("好", (330, 1470, 750, 1590), ElementKind.CLOSE_TEXT),  # a 140x40-dp pill: a dialog's button
        ("好", (482, 1478, 598, 1594), ElementKind.TEXT),  # alone on a 39-dp square tile: an app's letter icon
        ("OK", (482, 1478, 598, 1594), ElementKind.CLOSE_TEXT),  # a game dialog's round OK button
    ],
)
def test_a_weak_word_alone_on_a_square_tile_is_a_letter_icon(text: str, tile: tuple[int, int, int, int],
                                                             kind: ElementKind) -> None:
    rgb = np.full((H, W, 3), 245, np.uint8)
    x1, y1, x2, y2 = tile
    rgb[y1:y2, x1:x2] = (226, 40, 130)
    (element,) = text_elements(rgb, [TextSpan(text, Box(510, 1506, 570, 1566), 0.98)], lexicon=load_lexicon(),
                               profile=get_profile("cn-miit-2021"))
    assert element.kind == kind


def test_a_fill_across_the_whole_screen_is_no_button() -> None:
    """An outlined Skip pill on a picture that fades from top to bottom: a ring sampled just
    outside the outline floods the picture's band from one side of the screen to the other,
    stopped above and below by the fade; that band is no button, the outlined pill is."""
    from PIL import Image, ImageDraw

    from detector.elements import ButtonSettings, find_button

    red = np.clip(158 + 0.115 * (np.arange(H) - 1356), 0, 255)  # the picture's fade, ~3 levels in 30 rows
    column = np.stack([red, np.full(H, 130.0), 110 - 0.05 * (np.arange(H) - 1356)], axis=1).clip(0, 255)
    img = Image.fromarray(np.repeat(column.astype(np.uint8)[:, None, :], W, axis=1))
    ImageDraw.Draw(img).rounded_rectangle([680, 1300, 889, 1413], radius=56, outline=(0, 0, 0), width=4)
    rgb = np.asarray(img)
    settings = ButtonSettings.from_profile(get_profile("cn-miit-2021"))
    found = find_button(rgb, Box(704, 1302, 866, 1401), settings=settings)  # the OCR box, as wide as the pill's inside
    assert found is None or found.width < 0.5 * W
    inside = find_button(rgb, Box(730, 1330, 840, 1385), settings=settings)
    assert inside is not None and inside.iou(Box(680, 1300, 889, 1413)) > 0.7


@pytest.mark.parametrize("swallowed", ["bottom", "top", "none"])
def test_an_outlined_pill_is_found_when_the_ocr_box_took_in_its_edge(swallowed: str) -> None:
    """8s后可跳过 in a snug outlined pill on a light page: PP-OCR's box reaches down onto the
    pill's bottom outline (or up onto its top one), so every ring around that box crosses the
    outline; the rings are tried again around the glyphs, and the pill is found."""
    from pathlib import Path

    from PIL import Image, ImageDraw, ImageFont

    from detector.elements import ButtonSettings, find_button

    font_path = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not font_path.exists():
        pytest.skip("needs fonts-noto-cjk")
    img = Image.new("RGB", (750, 1334), (214, 218, 224))
    draw = ImageDraw.Draw(img)
    pill = Box(631, 1069, 718, 1095)
    draw.rounded_rectangle(pill.to_list(), radius=5, outline=(10, 10, 10), width=2, fill=(214, 218, 224))
    font = ImageFont.truetype(str(font_path), 14)
    draw.text((640, 1070), "8s后可跳过", font=font, fill=(40, 40, 40))  # glyphs 1075-1089
    ocr_box = {"bottom": Box(639, 1073, 712, 1095), "top": Box(639, 1069, 712, 1091),
               "none": Box(639, 1073, 712, 1091)}[swallowed]
    found = find_button(np.asarray(img), ocr_box, settings=ButtonSettings.from_profile(get_profile("cn-miit-2021")))
    assert found is not None and found.iou(pill) > 0.75, found


@pytest.mark.parametrize(
    ("shape", "ocr_box", "expected"),
    [
        # an outlined pill over a picture: the picture (stripes) crosses its inside, no flat fill
        ("outline", Box(430, 812, 650, 868), Box(400, 800, 680, 880)),
        # the OCR box cut into by the pill's rim (PP-OCR pads boxes unevenly)
        ("outline", Box(420, 806, 660, 878), Box(400, 800, 680, 880)),
        # a translucent plate over the picture: only its rim is a clean edge
        ("plate", Box(430, 812, 650, 868), Box(400, 800, 680, 880)),
        # no shape: the text floats on the picture
        ("none", Box(430, 812, 650, 868), None),
        # a shape in the picture that the line of text runs across, off its centre
        ("card", Box(430, 812, 650, 868), None),
    ],
)
def test_a_pill_with_no_flat_fill_is_found_by_its_edge(shape: str, ocr_box: Box, expected: Box | None) -> None:
    """find_outlined_button: the closed edge around a skip pill drawn over a picture, out to the
    outer side of its rim; nothing where the text has no shape around it."""
    from PIL import Image, ImageDraw

    from detector.elements import ButtonSettings, find_outlined_button

    y, x = np.mgrid[0:H, 0:W]
    stripes = (120 + 60 * np.sin(x / 40.0 + y / 90.0)).astype(np.uint8)  # a picture's soft shading, no edges
    img = Image.fromarray(np.stack([stripes, stripes // 2 + 40, 255 - stripes], axis=2))
    draw = ImageDraw.Draw(img, "RGBA")
    if shape == "outline":
        draw.rounded_rectangle([400, 800, 679, 879], radius=40, outline=(250, 250, 250, 255), width=3)
    elif shape == "plate":
        draw.rounded_rectangle([400, 800, 679, 879], radius=16, fill=(0, 0, 0, 150))
    elif shape == "card":
        draw.rectangle([330, 795, 655, 950], fill=(220, 210, 240, 255))
    draw.rectangle([450, 825, 630, 855], fill=(255, 255, 255, 255))  # the glyphs' ink
    rgb = np.asarray(img.convert("RGB"))
    settings = ButtonSettings.from_profile(get_profile("cn-miit-2021"))
    found = find_outlined_button(rgb, ocr_box, settings=settings)
    if expected is None:
        assert found is None
    else:
        assert found is not None and max(abs(a - b) for a, b in zip(found.to_list(), expected.to_list(), strict=True)) <= 2, found
