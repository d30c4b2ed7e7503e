"""Screen understanding (detector/screen.py): the card a close button belongs to.

Pages are drawn here with Pillow: a dimmed page, a card on it, a close button beside the card.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageDraw

from detector import Analyzer
from detector.profile import get_profile
from detector.screen import (
    beside_window,
    classify_screen,
    cut_by_window,
    find_windows,
    floating_picture,
    surround_peak,
    trim_card,
    under_scrim,
    window_from_close,
)
from detector.types import Box, Element, ElementKind, ScreenType

PROFILE = get_profile()
W, H = 1080, 2340
DENSITY = W / 360


def _page(card: Box, *, card_fill: tuple[int, int, int], page: tuple[int, int, int]) -> Image.Image:
    """A dimmed page with list rows, and a rounded card on it."""
    img = Image.new("RGB", (W, H), page)
    draw = ImageDraw.Draw(img)
    for y in range(300, H - 200, 220):  # the page behind: rows with a divider
        draw.rectangle([48, y, W - 48, y + 150], fill=tuple(min(255, c + 12) for c in page))
    draw.rounded_rectangle(card.to_list(), radius=16 * DENSITY, fill=card_fill)
    return img


def _button(img: Image.Image, cx: float, cy: float, r: float, colour: tuple[int, int, int]) -> Box:
    draw = ImageDraw.Draw(img)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=colour, width=round(2 * DENSITY))
    d = r * 0.45
    draw.line([cx - d, cy - d, cx + d, cy + d], fill=colour, width=round(2 * DENSITY))
    draw.line([cx - d, cy + d, cx + d, cy - d], fill=colour, width=round(2 * DENSITY))
    return Box(cx - r, cy - r, cx + r, cy + r)


CARD = Box(120, 600, 960, 1560)


@pytest.mark.parametrize(
    ("card_fill", "page"),
    [((250, 250, 250), (60, 60, 60)), ((22, 29, 71), (9, 34, 5))],  # white on a scrim; navy on dim green (hue only)
    ids=["light-card", "dark-card-hue-edge"],
)
def test_card_above_a_centred_close_button(card_fill: tuple[int, int, int], page: tuple[int, int, int]) -> None:
    img = _page(CARD, card_fill=card_fill, page=page)
    button = _button(img, CARD.center[0], CARD.y2 + 60 * DENSITY / 2 + 16 * DENSITY, 16 * DENSITY, (230, 230, 230))
    found = window_from_close(np.asarray(img), button, density=DENSITY, profile=PROFILE)
    assert found is not None and found.iou(CARD) > 0.85


def test_card_above_a_centred_close_button_whose_bottom_edge_runs_on_into_the_page() -> None:
    """The dimmed page's divider meets the card's bottom edge on one side, so the edge through
    the button runs on past the card's corner: the card is still the one centred on its button."""
    img = _page(CARD, card_fill=(250, 250, 250), page=(60, 60, 60))
    ImageDraw.Draw(img).rectangle([10, CARD.y2 - 6, CARD.x1 + 20, CARD.y2 - 1], fill=(250, 250, 250))
    button = _button(img, CARD.center[0], CARD.y2 + 60 * DENSITY / 2 + 16 * DENSITY, 16 * DENSITY, (230, 230, 230))
    found = window_from_close(np.asarray(img), button, density=DENSITY, profile=PROFILE)
    assert found is not None and found.iou(CARD) > 0.85, found


def test_card_below_a_close_button_above_its_corner() -> None:
    img = _page(CARD, card_fill=(250, 250, 250), page=(60, 60, 60))
    button = _button(img, CARD.x2 - 16 * DENSITY, CARD.y1 - 32 * DENSITY, 14 * DENSITY, (230, 230, 230))
    found = window_from_close(np.asarray(img), button, density=DENSITY, profile=PROFILE)
    assert found is not None and found.iou(CARD) > 0.85


def _card_overlapping_a_panel(scrim: float) -> tuple[np.ndarray, Box]:
    """A light, text-dense page with a wide panel whose right part the card covers, so the card's
    top edge runs on to the left into the panel's edge and their contours close as one; with
    ``scrim`` > 0 everything but the card is dimmed by that much black. Returns the image and the
    × drawn inside the card's top-right corner."""
    img = Image.new("RGB", (W, H), (246, 246, 246))
    draw = ImageDraw.Draw(img)
    _text_lines(draw, range(200, 2200, 125), 60, 620, (40, 40, 40))
    draw.rectangle([40, CARD.y1 - 220, CARD.x2 - 300, CARD.y1], fill=(120, 150, 210))  # the panel
    rgb = np.ascontiguousarray((np.asarray(img).astype(np.float32) * (1.0 - scrim)).astype(np.uint8))
    card = Image.new("RGB", (round(CARD.width), round(CARD.height)), (250, 250, 250))
    ImageDraw.Draw(card).rectangle([0, 0, CARD.width, CARD.height // 2], fill=(214, 120, 150))  # its picture
    rgb[round(CARD.y1) : round(CARD.y2), round(CARD.x1) : round(CARD.x2)] = np.asarray(card)
    img = Image.fromarray(rgb)
    button = _button(img, CARD.x2 - 28 * DENSITY, CARD.y1 + 28 * DENSITY, 14 * DENSITY, (60, 60, 60))
    return np.asarray(img), button


def test_card_around_a_close_button_inside_its_top_right_corner() -> None:
    rgb, button = _card_overlapping_a_panel(0.45)
    assert window_from_close(rgb, button, density=DENSITY, profile=PROFILE) is None  # neither below nor above
    found = window_from_close(rgb, button, density=DENSITY, profile=PROFILE, inside_corner=True)
    assert found is not None and found.iou(CARD) > 0.85, found


@pytest.mark.parametrize(("scrim", "score", "expected"), [
    (0.45, 0.99, ScreenType.POPUP),
    (0.45, 0.7, ScreenType.POPUP),  # a likely × is enough where the page around is dimmed
    (0.0, 0.99, ScreenType.NONE),  # an in-page card's × on a live page
], ids=["sure-x-over-a-scrim", "likely-x-over-a-scrim", "sure-x-on-a-live-page"])
def test_a_x_inside_a_cards_corner_names_the_card_only_over_a_scrim(scrim: float, score: float,
                                                                    expected: ScreenType) -> None:
    rgb, button = _card_overlapping_a_panel(scrim)
    texts = [Element(id=f"t{i}", kind=ElementKind.TEXT, box=Box(60, y, 620, y + 48), score=0.95, source="ocr",
                     text="新品上架") for i, y in enumerate(range(200, 2200, 125))]
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=button, score=score, source="cv+model")
    decision = classify_screen(rgb, [*texts, icon], profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert decision.screen_type == expected, decision.reason
    if expected == ScreenType.POPUP:
        assert decision.window is not None and decision.window.iou(CARD) > 0.85, decision.window


@pytest.mark.parametrize(("scrim", "expected"), [(0.45, ScreenType.POPUP), (0.0, ScreenType.NONE)],
                         ids=["over-a-scrim", "on-a-live-page"])
def test_a_likely_x_centred_below_a_card_names_it_only_over_a_scrim(scrim: float, expected: ScreenType) -> None:
    """A × scored under corner_icon_min_score (a faint one over the page's own picture) is still the
    card's when the card's geometry and the scrim say so."""
    img = Image.new("RGB", (W, H), (246, 246, 246))
    draw = ImageDraw.Draw(img)
    texts = _text_lines(draw, range(200, 2200, 125), 60, 620, (40, 40, 40))
    rgb = np.ascontiguousarray((np.asarray(img).astype(np.float32) * (1.0 - scrim)).astype(np.uint8))
    rgb[round(CARD.y1) : round(CARD.y2), round(CARD.x1) : round(CARD.x2)] = (250, 250, 250)
    img = Image.fromarray(rgb)
    button = _button(img, CARD.center[0], CARD.y2 + 40 * DENSITY, 16 * DENSITY, (235, 235, 235))
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=button, score=0.7, source="cv+model")
    decision = classify_screen(np.asarray(img), [*texts, icon], profile=PROFILE, min_icon_score=0.5,
                               text_lines=len(texts))
    assert decision.screen_type == expected, decision.reason


@pytest.mark.parametrize("where", ["off-centre", "far-below", "full-width-band"])
def test_no_card_for_a_button_that_is_not_beside_one(where: str) -> None:
    card = Box(0, 600, W, 1560) if where == "full-width-band" else CARD
    img = _page(card, card_fill=(250, 250, 250), page=(60, 60, 60))
    cx = CARD.x1 + 40 * DENSITY if where == "off-centre" else card.center[0]
    cy = card.y2 + (400 if where == "far-below" else 30) * DENSITY
    if where == "off-centre":
        cy = card.y2 + 30 * DENSITY
    button = _button(img, cx, cy, 16 * DENSITY, (230, 230, 230))
    assert window_from_close(np.asarray(img), button, density=DENSITY, profile=PROFILE) is None


def test_card_fading_into_the_page_is_named_by_its_close_button(tmp_path: Path, analyzer: Analyzer) -> None:
    """`make run`'s sample 00006 (generator seed 7): a pop-up over a dark page whose picture fades
    into the page at the bottom; edges alone find only its upper part, the × centred below the
    card names the whole card, so the × is judged below the window, not outside it."""
    from datasets.synth import generate_set
    from detector import RuleId, Severity

    labels = generate_set(tmp_path, 8, 7)
    record = json.loads(labels.read_text(encoding="utf-8").splitlines()[6])
    report = analyzer.analyze(tmp_path / record["image"], name="00006")
    assert report.screen.window is not None
    assert report.screen.window.iou(Box.from_xyxy(record["window"])) > 0.8
    finding = next(f for f in report.findings if f.rule == RuleId.CLOSE_HARD_TO_FIND)
    assert finding.severity == Severity.PASS
    m = report.measurement(finding.evidence[0])
    assert m is not None and m.zone_window == "below-window-center"


def _dark_surround(scrim: float) -> tuple[np.ndarray, list[Element]]:
    """A bright video card on a black page whose list rows carry white titles; with ``scrim`` > 0
    everything but the card is dimmed by that much black, as a pop-up's scrim does."""
    img = Image.new("RGB", (W, H), (12, 12, 14))
    draw = ImageDraw.Draw(img)
    titles = []
    for y in range(1500, H - 200, 160):  # the list below the card: a white title per row
        box = Box(300, y, 800, y + 48)
        draw.rectangle(box.to_list(), fill=(245, 245, 245))  # stands for the title's bright ink
        titles.append(box)
    page = np.asarray(img).astype(np.float32) * (1.0 - scrim)
    rgb = page.astype(np.uint8)
    rgb[500:1200, 60:1020] = (110, 220, 110)  # the card (a bright video frame), 17 dp margins
    texts = [Element(id=f"t{i}", kind=ElementKind.TEXT, box=b, score=0.9, source="ocr", text="每日推荐")
             for i, b in enumerate(titles)]
    return np.ascontiguousarray(rgb), texts


@pytest.mark.parametrize(("scrim", "expected"), [(0.0, ScreenType.NONE), (0.6, ScreenType.POPUP)],
                         ids=["dark-theme-page", "card-over-a-scrim"])
def test_a_bright_card_on_a_dark_surround_is_a_pop_up_only_when_the_surround_is_dimmed(
        scrim: float, expected: ScreenType) -> None:
    """`make run`'s sample 00004 (seed 7): a dark-theme page with a bright video card is no pop-up
    (its white list titles are live page content); the same card over a 60 % scrim is one, with
    no close control (CLOSE_MISSING follows)."""
    rgb, texts = _dark_surround(scrim)
    decision = classify_screen(rgb, texts, profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert decision.screen_type == expected, decision.reason


def _text_lines(draw: ImageDraw.ImageDraw, rows: range, x1: int, x2: int,
                ink: tuple[int, int, int]) -> list[Element]:
    """List lines as OCR reads them: a 48-px band of the line's ink per row, and its element."""
    texts = []
    for i, y in enumerate(rows):
        box = Box(x1, y, x2, y + 48)
        draw.rectangle(box.to_list(), fill=ink)
        texts.append(Element(id=f"t{i}", kind=ElementKind.TEXT, box=box, score=0.95, source="ocr", text="新品上架"))
    return texts


def _dense_page_with_a_close(size_dp: float, score: float, on_button: bool,
                             top_y: float = 1800) -> tuple[np.ndarray, list[Element]]:
    """A text-dense page (17 lines, no scrim, no card edges) with one ×, low on its right where
    no card can be traced above it (as a pop-up whose picture fades into the page shows it), or
    in the top-left corner."""
    img = Image.new("RGB", (W, H), (246, 246, 246))
    draw = ImageDraw.Draw(img)
    texts = _text_lines(draw, range(200, 2100, 118), 60, 600, (60, 60, 60))
    side = size_dp * DENSITY
    cx = 850 if top_y > H / 2 else 110  # low on the right, or at a toolbar's left end
    box = Box(cx - side / 2, top_y, cx + side / 2, top_y + side)
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=box, score=score, source="cv+model",
                   button=box if on_button else None)
    return np.asarray(img), [*texts, icon]


@pytest.mark.parametrize(
    ("size_dp", "score", "on_button", "top_y", "overlay"),
    [
        (45, 0.999, True, 1800, True),  # a big disc × under a card: the overlay's close button
        (30, 0.95, True, 1800, True),
        (18, 0.999, True, 1800, False),  # a search box's clear disc
        (45, 0.8, True, 1800, False),  # not sure enough
        (36, 0.999, False, 1800, False),  # a plain glyph low on the page: a dating app's reject ×
        (36, 0.999, False, 60, True),  # a large plain × in the top-left corner
        (16, 0.999, False, 60, False),  # a toolbar's close glyph there
    ],
)
def test_a_sure_large_close_button_makes_a_dense_page_an_overlay(size_dp: float, score: float, on_button: bool,
                                                                  top_y: float, overlay: bool) -> None:
    rgb, elements = _dense_page_with_a_close(size_dp, score, on_button, top_y)
    decision = classify_screen(rgb, elements, profile=PROFILE, min_icon_score=0.5, text_lines=len(elements) - 1)
    assert (decision.screen_type != ScreenType.NONE) == overlay, decision.reason


@pytest.mark.parametrize(
    ("centre", "expected"),
    [
        ((960, 2150), ScreenType.SPLASH),  # bottom-right, above the logo strip
        ((120, 140), ScreenType.SPLASH),  # top-left
        ((540, 1200), ScreenType.INTERSTITIAL),  # mid-screen: not where a splash's skip sits
    ],
)
def test_a_counting_skip_in_any_screen_corner_makes_a_splash(centre: tuple[int, int], expected: ScreenType) -> None:
    rgb = np.asarray(Image.new("RGB", (W, H), (70, 90, 150)))  # a full-screen picture
    cx, cy = centre
    skip = Element(id="t0", kind=ElementKind.CLOSE_COUNTDOWN, box=Box(cx - 90, cy - 30, cx + 90, cy + 30), score=0.95,
                   source="ocr", text="跳过 3", countdown_s=3)
    decision = classify_screen(rgb, [skip], profile=PROFILE, min_icon_score=0.5, text_lines=1)
    assert decision.screen_type == expected, decision.reason


def _card_over_page(scrim: float, *, card_fill: tuple[int, int, int]) -> tuple[np.ndarray, list[Element]]:
    """A light, text-dense app page (16 list lines, as OCR reads them) with a card in the middle;
    with ``scrim`` > 0 everything but the card is dimmed by that much black."""
    img = Image.new("RGB", (W, H), (246, 246, 246))
    draw = ImageDraw.Draw(img)
    texts = _text_lines(draw, range(200, 2200, 125), 60, 620, (40, 40, 40))
    page = (np.asarray(img).astype(np.float32) * (1.0 - scrim)).astype(np.uint8)
    rgb = np.ascontiguousarray(page)
    rgb[CARD.y1 : CARD.y2, CARD.x1 : CARD.x2] = card_fill
    return rgb, texts


@pytest.mark.parametrize(("scrim", "expected"), [(0.0, ScreenType.NONE), (0.4, ScreenType.POPUP)],
                         ids=["card-on-a-live-page", "dark-card-over-a-light-scrim"])
def test_a_dark_card_over_a_scrim_is_a_pop_up(scrim: float, expected: ScreenType) -> None:
    """A dark card does not make the scrim around it darker than itself; the scrim shows as a
    page whose brightest pixels stay far below an undimmed page's white."""
    rgb, texts = _card_over_page(scrim, card_fill=(36, 36, 40))
    side = 20 * DENSITY
    corner = Box(CARD.x2 - 16 * DENSITY - side, CARD.y1 + 16 * DENSITY, CARD.x2 - 16 * DENSITY, CARD.y1 + 16 * DENSITY + side)
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=corner, score=0.99, source="cv+model")
    decision = classify_screen(rgb, [*texts, icon], profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert decision.screen_type == expected, decision.reason
    if expected == ScreenType.POPUP:
        assert decision.window is not None and decision.window.iou(CARD) > 0.85


@pytest.mark.parametrize(
    ("centre_y", "with_close", "popup"),
    [
        (0.45, True, True),  # a title-and-one-line promotion card in the middle, its × on it
        (0.45, False, False),  # the same shape with no close control: as often a page's panel
        (0.86, True, False),  # docked low: a page banner or a video ad's info bar, not a card
    ],
    ids=["middle-with-close", "middle-no-close", "docked-low"],
)
def test_a_short_card_is_a_pop_up_only_in_the_middle_with_its_close(centre_y: float, with_close: bool,
                                                                     popup: bool) -> None:
    """A card 0.13 of the screen high (under screen.window_min_height) over a dark scrim
    (synthetic seed 5353: a 0.128-high card lost with both its ×s)."""
    height = 0.13 * H
    card = Box(120, centre_y * H - height / 2, 960, centre_y * H + height / 2)
    img = _page(card, card_fill=(250, 250, 250), page=(40, 40, 40))
    side = 14 * DENSITY
    corner = Box(card.x2 - 12 * DENSITY - side, card.y1 + 12 * DENSITY, card.x2 - 12 * DENSITY, card.y1 + 12 * DENSITY + side)
    elements = [Element(id="i0", kind=ElementKind.CLOSE_ICON, box=corner, score=0.99, source="cv+model")] if with_close else []
    decision = classify_screen(np.asarray(img), elements, profile=PROFILE, min_icon_score=0.5, text_lines=0)
    assert (decision.screen_type == ScreenType.POPUP and decision.window is not None
            and decision.window.iou(card) > 0.85) == popup, decision


def test_a_card_whose_border_shows_only_in_hue_is_found_by_the_colour_pass() -> None:
    """A navy picture card on a dimmed green page differs from it in hue, not in grey (synthetic
    seeds 2468 and 3737: picture cards over dimmed pages, their deceptive ×s inside the picture,
    were taken for ordinary pages). The colour-edge pass finds it, after the grey one."""
    img = Image.new("RGB", (W, H), (9, 34, 5))
    ImageDraw.Draw(img).rounded_rectangle(CARD.to_list(), radius=16 * DENSITY, fill=(22, 29, 71))
    rgb = np.asarray(img)
    assert not any(win.box.iou(CARD) > 0.85 for win in find_windows(rgb, profile=PROFILE))
    assert any(win.box.iou(CARD) > 0.85 for win in find_windows(rgb, profile=PROFILE, colour=True))
    side = 14 * DENSITY  # a × in the picture's middle: no card edge runs through or beside it
    cx, cy = CARD.center
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=Box(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2),
                   score=0.99, source="cv+model")
    decision = classify_screen(rgb, [icon], profile=PROFILE, min_icon_score=0.5, text_lines=0)
    assert decision.screen_type == ScreenType.POPUP and decision.window is not None, decision
    assert decision.window.iou(CARD) > 0.85, decision.window


def test_a_sure_x_in_a_picture_headers_corner_makes_the_header_part_of_the_card() -> None:
    """A card whose picture header differs from the dimmed page in hue only: the grey edges close
    around the white body alone, and the 30-dp × in the header's top-right corner lies above
    that box, outside it. The card that × names (its top edge above the ×, its sides followed
    down) holds the body and is the window (synthetic seed 4545: a 41-dp × lost that way)."""
    img = _page(CARD, card_fill=(250, 250, 250), page=(60, 60, 60))
    header = Box(CARD.x1, CARD.y1, CARD.x2, CARD.y1 + 300)
    ImageDraw.Draw(img).rectangle(header.to_list(), fill=(92, 50, 58))  # grey ~63: the page's 60, in red
    rgb = np.asarray(img)
    assert not any(win.box.iou(CARD) > 0.85 for win in find_windows(rgb, profile=PROFILE))
    side = 30 * DENSITY
    corner = Box(CARD.x2 - 12 * DENSITY - side, CARD.y1 + 12 * DENSITY, CARD.x2 - 12 * DENSITY, CARD.y1 + 12 * DENSITY + side)
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=corner, score=0.99, source="cv+model")
    decision = classify_screen(rgb, [icon], profile=PROFILE, min_icon_score=0.5, text_lines=0)
    assert decision.screen_type == ScreenType.POPUP and decision.window is not None, decision
    assert decision.window.iou(CARD) > 0.85, decision.window


def test_an_ad_card_over_a_scrim_with_no_close_control_is_a_pop_up() -> None:
    """A card that carries an ad label and a bounded call to action, over a scrim, is a pop-up
    even when no close control is found on it (CLOSE_MISSING then judges it)."""
    rgb, texts = _card_over_page(0.25, card_fill=(250, 250, 250))  # a light scrim: not strong_dim_ratio dark
    cta_box = Box(300, 1350, 780, 1470)
    cta = Element(id="c0", kind=ElementKind.CALL_TO_ACTION, box=cta_box, score=0.95, source="ocr", text="立即下载",
                  button=cta_box)
    label = Element(id="a0", kind=ElementKind.AD_LABEL, box=Box(860, 1500, 940, 1540), score=0.95, source="ocr",
                    text="广告")
    decision = classify_screen(rgb, [*texts, cta, label], profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert decision.screen_type == ScreenType.POPUP, decision.reason
    bare = classify_screen(rgb, texts, profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert bare.screen_type == ScreenType.NONE, bare.reason  # a card over a light scrim, nothing to say it is an ad


@pytest.mark.parametrize(
    ("page_wording", "card_ad_label", "expected"),
    [
        (True, False, ScreenType.DIALOG),  # 以后再说 on a plain card: a dialog, whatever the page says
        (True, True, ScreenType.POPUP),  # 以后再说 on a card marked 广告: an ad pop-up
        (False, False, ScreenType.DIALOG),
    ],
)
def test_only_the_cards_own_text_makes_it_a_dialog(page_wording: bool, card_ad_label: bool,
                                                   expected: ScreenType) -> None:
    rgb, texts = _card_over_page(0.5, card_fill=(250, 250, 250))
    if page_wording:  # 评分 4.8 in a shop's line on the dimmed page
        texts[-1] = dataclasses.replace(texts[-1], text="评分 4.8", attrs=(("dialog_word", True),))
    close = Element(id="c0", kind=ElementKind.CLOSE_TEXT, box=Box(440, 1480, 640, 1530), score=0.95, source="ocr",
                    text="以后再说")
    extra = [Element(id="a0", kind=ElementKind.AD_LABEL, box=Box(860, 1500, 940, 1540), score=0.95, source="ocr",
                     text="广告")] if card_ad_label else []
    decision = classify_screen(rgb, [*texts, close, *extra], profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert decision.screen_type == expected, decision.reason
    # wording on the page alone does not make a card with a × a dialog
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=Box(870, 620, 930, 680), score=0.99, source="cv+model")
    with_x = classify_screen(rgb, [*texts, icon], profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert with_x.screen_type == ScreenType.POPUP, with_x.reason


def test_a_card_over_a_dimmed_page_owns_a_close_button_far_from_it() -> None:
    """A × in the screen's top-right corner, far from a dark card over a scrim: a pop-up whose
    close button sits away from its card, not a full-screen interstitial."""
    rgb, texts = _card_over_page(0.4, card_fill=(36, 36, 40))
    side = 20 * DENSITY
    far = Box(W - 12 * DENSITY - side, 40 * DENSITY, W - 12 * DENSITY, 40 * DENSITY + side)
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=far, score=0.99, source="cv+model")
    decision = classify_screen(rgb, [*texts, icon], profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert decision.screen_type == ScreenType.POPUP, decision.reason
    assert decision.window is not None and decision.window.iou(CARD) > 0.85


SCRIM_CARD = Box(150, 600, 930, 1700)


@pytest.mark.parametrize(("page", "control", "where", "expected"), [
    ((60, 60, 60), (48, 48, 48), (990, 760), True),  # a dark ring around the dimmed page's own grey
    ((60, 60, 60), (8, 8, 8), (990, 760), True),  # even a black ring: what shows inside it is the page
    ((60, 60, 60), (66, 66, 66), (990, 760), True),  # the dimmed page's white: under the scrim
    ((60, 60, 60), (60, 60, 60), (990, 760), True),  # as bright as the dimmed page's brightest: still the page's
    ((60, 60, 60), (178, 178, 178), (540, 1800), False),  # a grey close button below the card: above the scrim
    ((60, 60, 60), (48, 48, 48), (540, 1200), False),  # on the card: the card's own
    ((235, 235, 235), (200, 200, 200), (990, 760), False),  # an undimmed page has no scrim to be under
])
def test_a_control_beside_the_card_is_under_the_scrim_when_as_bright_as_the_dimmed_pages_whites(
        page: tuple[int, int, int], control: tuple[int, int, int], where: tuple[int, int], expected: bool) -> None:
    img = _page(SCRIM_CARD, card_fill=(250, 250, 250), page=page)
    box = _button(img, *where, 26 * DENSITY / 2, control)
    rgb = np.asarray(img)
    peak = surround_peak(rgb, SCRIM_CARD, PROFILE)
    assert under_scrim(rgb, box, SCRIM_CARD, peak, PROFILE) is expected


def _plain_x(img: Image.Image, cx: float, cy: float, r: float, colour: tuple[int, int, int]) -> Box:
    draw = ImageDraw.Draw(img)
    draw.line([cx - r, cy - r, cx + r, cy + r], fill=colour, width=round(2 * DENSITY))
    draw.line([cx - r, cy + r, cx + r, cy - r], fill=colour, width=round(2 * DENSITY))
    return Box(cx - r - DENSITY, cy - r - DENSITY, cx + r + DENSITY, cy + r + DENSITY)


def test_a_faint_filled_button_darker_than_the_dimmed_pages_whites_tells_nothing() -> None:
    """A deliberately faint close button (a dark disc, a dark grey ×) drawn above the scrim looks
    as it would under it: only a control showing the dimmed page's whites is the page's."""
    img = _page(SCRIM_CARD, card_fill=(250, 250, 250), page=(60, 60, 60))
    draw = ImageDraw.Draw(img)
    cx, cy, r = SCRIM_CARD.x2 - 10 * DENSITY, SCRIM_CARD.y1 - 30 * DENSITY, 13 * DENSITY
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(14, 14, 14))
    draw.line([cx - r / 2, cy - r / 2, cx + r / 2, cy + r / 2], fill=(34, 34, 34), width=round(2 * DENSITY))
    rgb = np.asarray(img)
    peak = surround_peak(rgb, SCRIM_CARD, PROFILE)
    assert not under_scrim(rgb, Box(cx - r, cy - r, cx + r, cy + r), SCRIM_CARD, peak, PROFILE)


@pytest.mark.parametrize(("page", "ink", "expected"), [
    ((60, 60, 60), (66, 66, 66), True),  # light ink no brighter than the dimmed page: drawn under the scrim
    ((60, 60, 60), (235, 235, 235), False),  # white ink: drawn above the scrim
    ((160, 160, 160), (30, 30, 30), False),  # dark ink on a lightly dimmed page: its box is the page, no evidence
])
def test_a_plain_glyph_is_under_the_scrim_only_by_its_light_ink(
        page: tuple[int, int, int], ink: tuple[int, int, int], expected: bool) -> None:
    img = _page(SCRIM_CARD, card_fill=(250, 250, 250), page=page)
    box = _plain_x(img, SCRIM_CARD.x2 - 10 * DENSITY, SCRIM_CARD.y1 - 30 * DENSITY, 8 * DENSITY, ink)
    rgb = np.asarray(img)
    peak = surround_peak(rgb, SCRIM_CARD, PROFILE)
    assert under_scrim(rgb, box, SCRIM_CARD, peak, PROFILE, plain=True) is expected


@pytest.mark.parametrize(("where", "expected"), [
    ((CARD.x2 + 14 * DENSITY, CARD.center[1]), True),  # off the right side, level with the body
    ((CARD.x1 - 14 * DENSITY, CARD.y1 + 80 * DENSITY), True),  # off the left side, level with the body
    ((CARD.x2, CARD.y1), False),  # on the top-right corner
    ((CARD.x2 - 10 * DENSITY, CARD.y1 - 30 * DENSITY), False),  # above the top-right corner
    ((CARD.x2 + 8 * DENSITY, CARD.y1 + 4 * DENSITY), False),  # just outside the corner, at the top edge
    ((CARD.center[0], CARD.y2 + 40 * DENSITY), False),  # centred below
    ((CARD.x2 - 30 * DENSITY, CARD.center[1]), False),  # on the card
])
def test_a_control_level_with_the_cards_body_off_its_side_is_beside_it(where: tuple[float, float],
                                                                      expected: bool) -> None:
    r = 12 * DENSITY
    assert beside_window(Box(where[0] - r, where[1] - r, where[0] + r, where[1] + r), CARD) is expected


PANEL = Box(60, 420, 1020, 1900)  # a panel of the dimmed page (a video card) that the card sits over


@pytest.mark.parametrize("header", [None, (240, 200, 60)], ids=["no-header", "picture-header"])
def test_a_box_of_dimmed_page_around_a_card_is_not_the_card(header: tuple[int, int, int] | None) -> None:
    """Under a scrim the page's own panels close a contour around the card; the card, not the
    panel, is the window, unless the part above the card's body is a picture header drawn above
    the scrim (brighter than the dimmed page beside the body): the window then reaches over it."""
    img = Image.new("RGB", (W, H), (40, 40, 40))
    draw = ImageDraw.Draw(img)
    draw.rectangle(PANEL.to_list(), fill=(58, 58, 58))
    draw.rounded_rectangle(CARD.to_list(), radius=16 * DENSITY, fill=(250, 250, 250))
    if header is not None:  # a picture between the panel's top and the card's body
        for k, y in enumerate(range(round(PANEL.y1) + 8, round(CARD.y1) - 4, 24)):
            draw.ellipse([CARD.x1 + 60 * (k % 8), y, CARD.x1 + 60 * (k % 8) + 120, y + 40], fill=header)
    windows = find_windows(np.asarray(img), profile=PROFILE)
    assert windows, "no window"
    first = windows[0].box
    if header is None:
        assert first.iou(CARD) > 0.9, [w.box for w in windows]
    else:
        assert first.intersection(CARD) > 0.95 * CARD.area and first.y1 < PANEL.y1 + 20, [w.box for w in windows]


def _dense_page() -> tuple[Image.Image, list[Element]]:
    """A light, text-dense app page with no overlay: 16 list lines, each with a thumbnail."""
    img = Image.new("RGB", (W, H), (246, 246, 246))
    draw = ImageDraw.Draw(img)
    rows = range(200, 2200, 125)
    for y in rows:
        draw.rounded_rectangle([48, y - 10, 168, y + 90], radius=12, fill=(120, 160, 200))
    return img, _text_lines(draw, rows, 200, 760, (40, 40, 40))


def _picture(img: Image.Image, box: Box, *, outline: bool = True, envelope: bool = True) -> None:
    """A floating ad picture: a rounded square, outlined, with a red envelope drawn in it."""
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle(box.to_list(), radius=10 * DENSITY, fill=(250, 210, 80),
                           outline=(200, 60, 40) if outline else None, width=round(DENSITY))
    if envelope:
        draw.rectangle([box.x1 + box.width * 0.25, box.y1 + box.height * 0.2, box.x2 - box.width * 0.25,
                        box.y2 - box.height * 0.2], fill=(220, 40, 40))


def _corner_x(img: Image.Image, box: Box, *, right: bool = True) -> Box:
    cx = box.x2 - 2 * DENSITY if right else box.x1 + 2 * DENSITY
    return _plain_x(img, cx, box.y1 + 2 * DENSITY, 6 * DENSITY, (90, 90, 90))


FLOAT = Box(W - 12 * DENSITY - 84 * DENSITY, 1300, W - 12 * DENSITY, 1300 + 84 * DENSITY)


@pytest.mark.parametrize(("right", "level_with_a_card"), [(True, False), (False, False), (True, True)],
                         ids=["right-side", "left-side", "top-edge-level-with-a-page-card"])
def test_a_floating_picture_at_the_side_with_a_x_on_its_corner_is_a_pop_up(right: bool,
                                                                           level_with_a_card: bool) -> None:
    img, texts = _dense_page()
    pic = FLOAT if right else Box(12 * DENSITY, FLOAT.y1, 12 * DENSITY + FLOAT.width, FLOAT.y2)
    if level_with_a_card:  # a page card it hides the corner of: the card's bottom edge runs on past the picture's left
        ImageDraw.Draw(img).rectangle([FLOAT.x1 - 50 * DENSITY, FLOAT.y1 - 100 * DENSITY, FLOAT.x2 - 4 * DENSITY, FLOAT.y1],
                                      fill=(150, 190, 120))
    _picture(img, pic, outline=not level_with_a_card)  # unoutlined: the card's edge and its top are one line
    x = _corner_x(img, pic, right=right)
    rgb = np.asarray(img)
    found = floating_picture(rgb, x, density=DENSITY, profile=PROFILE)
    assert found is not None and found.iou(pic) > 0.85, found
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=x, score=0.7, source="model+proposer")
    decision = classify_screen(rgb, [*texts, icon], profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert decision.screen_type == ScreenType.POPUP, decision.reason
    assert decision.window is not None and decision.window.iou(pic) > 0.85


@pytest.mark.parametrize("case", ["faded-top-left", "band-across-its-art", "over-a-page-picture"])
def test_a_floating_picture_is_found_whole(case: str) -> None:
    """A dark picture on a dark page whose top-left part fades into the page (its top edge shows
    only near the ×, its bottom edge whole), one whose art has a band right across it (an
    edge of its full width above its real bottom), and one floating over the page's own picture,
    whose sides and bottom edge run on under it (synthetic seed 5656: a 73-dp picture over a
    banner, found 1.9 times as tall as wide and so dropped with its ×)."""
    img = Image.new("RGB", (W, H), (18, 18, 18))
    draw = ImageDraw.Draw(img)
    if case == "over-a-page-picture":
        # a banner reaching out to the left and 46 dp below, a line of its art under the picture's left side
        draw.rectangle([FLOAT.x1 - 150 * DENSITY, FLOAT.y1 + 20 * DENSITY, FLOAT.x2 - DENSITY, FLOAT.y2 + 46 * DENSITY],
                       fill=(50, 60, 170))
        draw.rectangle([FLOAT.x1, FLOAT.y2, FLOAT.x1 + 2 * DENSITY, FLOAT.y2 + 40 * DENSITY], fill=(150, 170, 250))
    draw.rounded_rectangle(FLOAT.to_list(), radius=10 * DENSITY, fill=(40, 70, 45))
    if case == "faded-top-left":
        draw.rectangle([FLOAT.x1 + 10 * DENSITY, FLOAT.y1, FLOAT.x1 + 0.6 * FLOAT.width, FLOAT.y1 + 0.2 * FLOAT.height],
                       fill=(18, 18, 18))
    elif case == "band-across-its-art":
        draw.rectangle([FLOAT.x1, FLOAT.y1 + 0.6 * FLOAT.height, FLOAT.x2, FLOAT.y1 + 0.7 * FLOAT.height],
                       fill=(230, 200, 60))
    x = _corner_x(img, FLOAT)
    found = floating_picture(np.asarray(img), x, density=DENSITY, profile=PROFILE)
    assert found is not None and found.iou(FLOAT) > 0.85, found


@pytest.mark.parametrize("case", ["grid-of-thumbnails", "column-of-thumbnails", "picture-in-the-middle", "no-picture",
                                  "x-inside-the-picture", "x-down-the-pictures-side", "a-page-line-through-it"])
def test_no_floating_picture(case: str) -> None:
    """A photo grid's remove ×s, a picture away from the screen's sides, a × with nothing under
    it and a mark inside a picture are no floating ad."""
    img, texts = _dense_page()
    pic = FLOAT
    if case == "grid-of-thumbnails":
        for k in (1, 2):
            left = FLOAT.x1 - k * (FLOAT.width + 8 * DENSITY)
            _picture(img, Box(left, FLOAT.y1, left + FLOAT.width, FLOAT.y2))
    elif case == "column-of-thumbnails":
        for k in (-1, 1):
            top = FLOAT.y1 + k * (FLOAT.height + 12 * DENSITY)
            _picture(img, Box(FLOAT.x1, top, FLOAT.x2, top + FLOAT.height))
    elif case == "picture-in-the-middle":
        pic = Box(W / 2 - FLOAT.width / 2, FLOAT.y1, W / 2 + FLOAT.width / 2, FLOAT.y2)
    if case != "no-picture":
        _picture(img, pic, envelope=case != "x-down-the-pictures-side")
    if case == "a-page-line-through-it":  # drawn over it: the "picture" is the page's own boxes, not on top
        ImageDraw.Draw(img).line([0, pic.center[1], W, pic.center[1]], fill=(60, 60, 60), width=round(DENSITY))
    if case == "x-inside-the-picture":
        x = _plain_x(img, pic.center[0], pic.center[1], 6 * DENSITY, (90, 90, 90))
    elif case == "x-down-the-pictures-side":  # the picture's own mark, 20 dp below its corner
        x = _plain_x(img, pic.x2 - 10 * DENSITY, pic.y1 + 20 * DENSITY, 6 * DENSITY, (90, 90, 90))
    else:
        x = _corner_x(img, pic)
    assert floating_picture(np.asarray(img), x, density=DENSITY, profile=PROFILE) is None
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=x, score=0.7, source="model+proposer")
    decision = classify_screen(np.asarray(img), [*texts, icon], profile=PROFILE, min_icon_score=0.5,
                               text_lines=len(texts))
    assert decision.screen_type == ScreenType.NONE, decision.reason


def _card_over_a_search_field(own_close: bool) -> np.ndarray:
    """A pop-up card over a dimmed page whose search field it half hides: the field's clear disc
    shows beside the card, level with its body; with ``own_close`` a white × above the card's
    top-right corner, drawn over the scrim."""
    from datasets.render import get_font

    font = get_font("sans", False, 40)
    img = Image.new("RGB", (W, H), (250, 250, 250))
    draw = ImageDraw.Draw(img)
    for y in range(300, H - 200, 160):
        draw.text((60, y), "今天天气不错，适合出门走走", fill=(30, 30, 30), font=font)
    draw.rounded_rectangle([40, 1100, 1040, 1190], radius=45, fill=(235, 235, 235))
    draw.ellipse([960, 1120, 1010, 1170], fill=(150, 150, 150))
    draw.line([972, 1132, 998, 1158], fill=(255, 255, 255), width=5)
    draw.line([972, 1158, 998, 1132], fill=(255, 255, 255), width=5)
    img = Image.fromarray((np.asarray(img).astype(np.float32) * 0.45).astype(np.uint8))  # the scrim
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([150, 700, 930, 1500], radius=40, fill=(255, 255, 255))
    draw.text((300, 800), "领取你的专属福利", fill=(20, 20, 20), font=font)
    draw.rounded_rectangle([250, 1330, 830, 1440], radius=55, fill=(255, 80, 60))
    draw.text((440, 1360), "立即领取", fill=(255, 255, 255), font=font)
    if own_close:
        _button(img, 880, 600, 42, (255, 255, 255))
    return np.asarray(img)


@pytest.mark.parametrize("own_close", [True, False], ids=["card-with-its-x", "card-with-no-close"])
def test_the_dimmed_pages_clear_disc_beside_a_card_is_not_its_close_control(analyzer: Analyzer, own_close: bool) -> None:
    from detector.types import RuleId, Severity

    report = analyzer.analyze(_png(_card_over_a_search_field(own_close)))
    assert report.screen.screen_type == ScreenType.POPUP
    closes = [e.box for e in report.screen.elements if e.kind.is_close_control]
    if own_close:
        assert len(closes) == 1 and closes[0].iou(Box(838, 558, 922, 642)) > 0.7, closes
    else:
        assert closes == []
        missing = next(f for f in report.findings if f.rule == RuleId.CLOSE_MISSING)
        assert missing.severity == Severity.FAIL


def _png(rgb: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def _splash_ad(*, status_x: bool, skip: bool) -> bytes:
    """A full-screen ad: a picture, a bounded jump button and 广告, under a status bar (clock,
    battery); optionally a white × among the status-bar icons and a 跳过 3 pill below the bar."""
    from datasets.render import get_font

    img = Image.new("RGB", (W, H), (30, 60, 140))
    draw = ImageDraw.Draw(img)
    rng = np.random.default_rng(3)
    for _ in range(40):
        x, y, r = rng.integers(0, W), rng.integers(200, H - 400), rng.integers(30, 160)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(int(v) for v in rng.integers(60, 255, 3)))
    draw.text((42, 18), "9:41", fill=(255, 255, 255), font=get_font("sans", False, 36))
    draw.rectangle([W - 110, 28, W - 44, 56], outline=(255, 255, 255), width=3)
    draw.rounded_rectangle([240, 1900, 840, 2040], radius=70, fill=(255, 255, 255))
    draw.text((380, 1935), "点击跳转详情", fill=(30, 30, 30), font=get_font("sans", True, 56))
    draw.text((60, 2200), "广告", fill=(230, 230, 230), font=get_font("sans", False, 30))
    if status_x:  # 150 dp from the right, among the system icons, 10 dp
        cx, cy, r = W - 150 * DENSITY, 42, 14
        draw.line([cx - r, cy - r, cx + r, cy + r], fill=(255, 255, 255), width=4)
        draw.line([cx - r, cy + r, cx + r, cy - r], fill=(255, 255, 255), width=4)
    if skip:
        draw.rounded_rectangle([W - 230, 140, W - 40, 220], radius=40, fill=(0, 0, 0))
        draw.text((W - 195, 152), "跳过 3", fill=(255, 255, 255), font=get_font("sans", False, 44))
    return _png(np.asarray(img))


@pytest.mark.parametrize(("status_x", "skip", "expected"), [
    (True, False, "status-bar ×"),  # nothing else closes the ad: the × hidden among the system icons
    (True, True, "skip"),  # the ad's 跳过 closes it: the status bar's glyphs stay the system's
    (False, False, None),  # nothing at all: CLOSE_MISSING
], ids=["only-a-status-bar-x", "skip-and-a-status-bar-x", "no-close-control"])
def test_a_full_screen_ad_with_nothing_else_is_closed_by_a_x_in_the_status_bar(
        analyzer: Analyzer, status_x: bool, skip: bool, expected: str | None) -> None:
    report = analyzer.analyze(_splash_ad(status_x=status_x, skip=skip))
    closes = [e for e in report.screen.elements if e.kind.is_close_control]
    if expected is None:
        assert closes == []
    elif expected == "skip":
        assert [e.kind for e in closes] == [ElementKind.CLOSE_COUNTDOWN]
    else:
        assert len(closes) == 1 and closes[0].kind == ElementKind.CLOSE_ICON and closes[0].attr("in_status_bar")
        assert closes[0].box.iou(Box(W - 150 * DENSITY - 16, 26, W - 150 * DENSITY + 16, 58)) > 0.6


def _open_sheet(scrim: float, *, nav_bar: bool = False, dark: bool = False,
                square: bool = False) -> tuple[np.ndarray, list[Element], Box]:
    """A text-dense page dimmed by ``scrim``, under a white sheet from 45 % of the height to the
    screen's bottom and sides (gesture navigation: no bar closes its outline), with rounded top
    corners and a few lines and a button of its own; ``dark``, a dark theme's sheet with light
    lines and a picture across most of its width; ``square``, with square corners (a panel)."""
    img = Image.new("RGB", (W, H), (246, 246, 246))
    texts = _text_lines(ImageDraw.Draw(img), range(200, 2200, 125), 60, 620, (40, 40, 40))
    dimmed = Image.fromarray((np.asarray(img).astype(np.float32) * (1.0 - scrim)).astype(np.uint8))
    sheet = Box(0, round(0.45 * H), W, H)
    draw = ImageDraw.Draw(dimmed)
    draw.rounded_rectangle([0, sheet.y1, W - 1, H + 60], radius=1 if square else 16 * DENSITY,
                           fill=(34, 34, 38) if dark else (255, 255, 255))
    if dark:
        draw.rounded_rectangle([60, sheet.y1 + 150, W - 60, sheet.y1 + 500], radius=12 * DENSITY, fill=(150, 70, 160))
    _text_lines(draw, range(sheet.y1 + 200 + (400 if dark else 0), sheet.y1 + 600 + (400 if dark else 0), 120), 72, 700,
                (225, 225, 225) if dark else (30, 30, 30))
    draw.rounded_rectangle([72, H - 260, W - 72, H - 120], radius=70, fill=(230, 60, 90))
    if nav_bar:  # three-button navigation, a little taller than 48 dp: the lowest edge across the width
        draw.rectangle([0, H - 50 * DENSITY, W, H], fill=(0, 0, 0))
    return np.asarray(dimmed), texts, sheet


@pytest.mark.parametrize(("scrim", "nav_bar", "dark", "square", "found"), [
    (0.5, False, False, False, True), (0.5, True, False, False, True), (0.0, False, False, False, False),
    (0.5, False, True, False, True), (0.0, False, True, False, False), (0.5, False, True, True, False),
], ids=["over-a-scrim", "over-a-scrim-above-a-navigation-bar", "a-live-page-with-a-white-panel",
        "a-dark-sheet-over-a-scrim", "a-live-page-with-a-dark-panel", "a-square-dark-panel-under-a-dim-picture"])
def test_a_bottom_sheet_that_runs_into_the_screens_edges_is_a_window(scrim: float, nav_bar: bool, dark: bool,
                                                                     square: bool, found: bool) -> None:
    """A sheet's outline never closes where it meets the screen's sides (and its bottom, or the
    navigation bar's top); its top edge across the width, the dimmed page above and the sheet
    below, brighter than the page or (a dark theme's, screen._dark_sheet_top) darker than it at
    the screen's sides too, make it a window."""
    rgb, texts, sheet = _open_sheet(scrim, nav_bar=nav_bar, dark=dark, square=square)
    windows = find_windows(rgb, profile=PROFILE)
    assert any(w.box.iou(sheet) > 0.95 for w in windows) == found, windows
    if found:
        side = 20 * DENSITY
        corner = Box(W - 16 * DENSITY - side, sheet.y1 + 16 * DENSITY, W - 16 * DENSITY, sheet.y1 + 16 * DENSITY + side)
        icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=corner, score=0.99, source="cv+model")
        decision = classify_screen(rgb, [*texts, icon], profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
        assert decision.screen_type == ScreenType.POPUP, decision.reason
        assert decision.window is not None and decision.window.iou(sheet) > 0.95


@pytest.mark.parametrize("bar", ["divider", "coloured-app-bar"])
def test_an_app_bars_edge_over_a_dimmed_page_is_no_sheet(bar: str) -> None:
    """The app bar's lower edge runs across the width with the dimmed page above it, and a card
    floats below it: the page under the edge is dimmed too (as dim as above it, or lighter than a
    dark bar but no brighter than a scrim lets a page be), so no sheet starts there."""
    img = Image.new("RGB", (W, H), (246, 246, 246))
    draw = ImageDraw.Draw(img)
    if bar == "divider":
        draw.line([0, 80 * DENSITY, W, 80 * DENSITY], fill=(200, 200, 200), width=round(DENSITY))
    else:
        draw.rectangle([0, 0, W, 80 * DENSITY], fill=(150, 40, 120))
    texts = _text_lines(draw, range(400, 2200, 125), 60, 620, (40, 40, 40))
    rgb = np.ascontiguousarray((np.asarray(img).astype(np.float32) * 0.5).astype(np.uint8))
    rgb[600:1560, 270:810] = 255  # a card narrow enough that its top edge is no edge across the width
    assert texts
    assert not any(w.box.x1 == 0 and w.box.y2 == H for w in find_windows(rgb, profile=PROFILE))


def test_a_card_over_a_scrim_comes_before_a_floating_picture_under_it() -> None:
    """Under a scrim, a picture at the screen's side with a ×-like mark on its corner is the
    dimmed page's (a grid thumbnail's art): the card over the scrim is the window."""
    img, texts = _dense_page()
    pic = Box(FLOAT.x1, 1700, FLOAT.x2, 1700 + FLOAT.height)
    _picture(img, pic)
    mark = _corner_x(img, pic)
    assert floating_picture(np.asarray(img), mark, density=DENSITY, profile=PROFILE) is not None
    rgb = np.ascontiguousarray((np.asarray(img).astype(np.float32) * 0.5).astype(np.uint8))
    rgb[CARD.y1 : CARD.y2, CARD.x1 : CARD.x2] = 250
    side = 20 * DENSITY
    corner = Box(CARD.x2 - 16 * DENSITY - side, CARD.y1 + 16 * DENSITY, CARD.x2 - 16 * DENSITY, CARD.y1 + 16 * DENSITY + side)
    elements = [*texts, Element(id="i0", kind=ElementKind.CLOSE_ICON, box=corner, score=0.99, source="cv+model"),
                Element(id="i1", kind=ElementKind.CLOSE_ICON, box=mark, score=0.5, source="model+proposer")]
    decision = classify_screen(rgb, elements, profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert decision.screen_type == ScreenType.POPUP, decision.reason
    assert decision.window is not None and decision.window.iou(CARD) > 0.85, decision


@pytest.mark.parametrize(("asks", "expected"), [(True, ScreenType.INTERSTITIAL), (False, ScreenType.NONE)],
                         ids=["an-install-button", "nothing-asked"])
def test_a_sure_tiny_x_in_the_top_right_corner_closes_a_screen_that_asks_for_one_action(
        asks: bool, expected: ScreenType) -> None:
    """An app-install interstitial closed by an 8-dp × (小如蝼蚁): the × is under
    corner_icon_min_dp, but a sure × in the top-right corner of a screen that asks for one action
    is its close control, for CLOSE_TOO_SMALL to judge. Without the ask, a tiny × is in-page."""
    rgb = np.full((H, W, 3), (40, 80, 140), np.uint8)
    rgb[1900:2040, 120:960] = (250, 250, 250)
    texts = [Element(id="t0", kind=ElementKind.TEXT, box=Box(300, 900, 780, 980), score=0.99, source="ocr",
                     text="天天消消乐")]
    if asks:
        texts.append(Element(id="t1", kind=ElementKind.CALL_TO_ACTION, box=Box(440, 1940, 640, 2000), score=0.99,
                             source="ocr", text="立即安装", button=Box(120, 1900, 960, 2040)))
    tiny = Box(W - 20 * DENSITY, 30 * DENSITY, W - 12 * DENSITY, 38 * DENSITY)
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=tiny, score=0.94, source="model+proposer")
    decision = classify_screen(rgb, [*texts, icon], profile=PROFILE, min_icon_score=0.5, text_lines=len(texts))
    assert decision.screen_type == expected, decision.reason


def test_the_page_under_a_dark_app_bar_is_no_bottom_sheet() -> None:
    """A light page under a dark app bar makes one full-width box from the bar's lower edge to the
    screen's bottom, darker all round than inside: it reaches up into the top band, so it is the
    page, not a sheet over a scrim, and a × on it (a banner's) is the page's."""
    img = Image.new("RGB", (W, H), (250, 250, 250))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, W, 0.125 * H], fill=(30, 40, 200))  # status bar and app bar
    draw.rectangle([0, H - 48 * DENSITY, W, H], fill=(0, 0, 0))  # the navigation bar
    texts = _text_lines(draw, range(400, 2100, 125), 60, 620, (40, 40, 40))
    x = Box(W - 60 - 14 * DENSITY, 900, W - 60, 900 + 14 * DENSITY)
    _button(img, x.center[0], x.center[1], 7 * DENSITY, (90, 90, 90))
    icon = Element(id="i0", kind=ElementKind.CLOSE_ICON, box=x, score=0.7, source="cv+model")
    decision = classify_screen(np.asarray(img), [*texts, icon], profile=PROFILE, min_icon_score=0.5,
                               text_lines=len(texts))
    assert decision.screen_type == ScreenType.NONE, (decision.reason, decision.window)


def _card_over_stacked_panels(*, picture: bool = False) -> tuple[npt.NDArray[np.uint8], Box, Box]:
    """A dimmed page of stacked panels (search fields, banners) at its 16-dp content margins, and
    a card over them whose outline touches theirs: the contour around both is the box
    find_windows can return. With ``picture``, the card holds a picture whose own long edges run
    down it. Returns the image, the card and that box."""
    img = Image.new("RGB", (W, H), (40, 40, 40))
    draw = ImageDraw.Draw(img)
    margin = round(16 * DENSITY)
    tops = range(420, 1900, 180)
    for y in tops:  # 140-px panels, 40 px apart
        draw.rounded_rectangle([margin, y, W - margin, y + 140], radius=12 * DENSITY, fill=(62, 62, 62))
    card = Box(135, 640, 945, 1600)
    draw.rounded_rectangle(card.to_list(), radius=16 * DENSITY, fill=(250, 250, 250))
    if picture:
        draw.rectangle([card.x1 + 60, card.y1 + 60, card.x1 + 420, card.y2 - 200], fill=(70, 140, 210))
    return np.asarray(img), card, Box(margin, tops[1], W - margin, tops[-2] + 140)


@pytest.mark.parametrize(
    ("case", "window", "expected"),
    [
        # the box took in the panels the card overlaps: cut back to the card's own sides
        ("merged-with-the-page", "merged", "card"),
        # the card's own box stays
        ("the-card", "card", "card"),
        # so does a card's box with a picture whose long edges run inside it
        ("a-card-with-a-picture", "card", "card"),
        # a box whose sides are the screen's edges (a sheet) stays as it is
        ("a-sheet", Box(0, 1200, W, H), Box(0, 1200, W, H)),
    ],
)
def test_a_cards_box_is_cut_back_to_its_own_unbroken_sides(case: str, window: Box | str, expected: Box | str) -> None:
    """The page's panels stack with gaps, so their sides are broken edges; the card's side is one
    unbroken edge down its height (screen.trim_card)."""
    rgb, card, merged = _card_over_stacked_panels(picture=case == "a-card-with-a-picture")
    box = {"merged": merged, "card": card}.get(window, window) if isinstance(window, str) else window
    want = card if expected == "card" else expected
    assert isinstance(box, Box) and isinstance(want, Box)
    trimmed = trim_card(rgb, box, density=DENSITY, profile=PROFILE)
    assert trimmed.iou(want) > 0.97, (trimmed, want)


@pytest.mark.parametrize(
    ("button", "cut"),
    [
        (Box(CARD.x2 - 2, 700, CARD.x2 + 26, 735), True),  # a clear disc the card's right side cuts off
        (Box(CARD.x1 - 27, 900, CARD.x1 + 1, 935), True),  # the same at the left side
        (Box(500, CARD.y2 - 1, 545, CARD.y2 + 30), True),  # and at the bottom: shorter than wide
        (Box(CARD.x2 - 60, CARD.y1 - 70, CARD.x2 - 2, CARD.y1 - 2), False),  # a whole disc above the top-right corner
        (Box(CARD.x2 - 30, CARD.y1 - 30, CARD.x2 + 6, CARD.y1 + 6), False),  # a whole disc on the corner
        (Box(500, CARD.y2 + 60, 580, CARD.y2 + 140), False),  # a whole disc centred below
        (Box(CARD.x2 + 40, 700, CARD.x2 + 68, 735), False),  # a narrow box away from the card
    ],
)
def test_a_button_the_card_cuts_off_lies_under_it(button: Box, cut: bool) -> None:
    """A disc or rounded square is as wide as it is tall: one that ends at the card's edge and is
    narrower across it is partly hidden by the card, so it lies under it (screen.cut_by_window)."""
    assert cut_by_window(button, CARD, tolerance_px=3 * DENSITY, max_aspect=0.85) == cut
