"""Pipeline glue (detector/pipeline.py): merging what the stages found into one element each."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from detector import Analyzer
from detector.icons import IconCandidate
from detector.lexicon import load_lexicon
from detector.measure import window_zone
from detector.pipeline import _icon_elements, ad_corner_icon, below_card_icon, on_card_icons, trails_a_word
from detector.types import Box, Element, ElementKind, ScreenType, TextSpan


def cand(box: Box, score: float, style: str = "plain") -> IconCandidate:
    return IconCandidate(box=box, glyph=box, score=score, style=style, polarity="light-on-dark")


BUTTON = Box(980, 60, 1060, 140)  # a × on a disc


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        # the disc found by the model and OCR's lone × inside it: one control
        ([cand(BUTTON, 0.98, "circle-filled"), cand(Box(1005, 85, 1035, 115), 0.9)], 1),
        # two × in different corners: two controls
        ([cand(BUTTON, 0.98, "circle-filled"), cand(Box(20, 60, 80, 120), 0.9)], 2),
        # the glyph first (higher score) and its disc second: still one
        ([cand(Box(1005, 85, 1035, 115), 0.99), cand(BUTTON, 0.6, "circle-filled")], 1),
    ],
)
def test_one_element_per_control(candidates: list[IconCandidate], expected: int) -> None:
    assert len(_icon_elements(candidates, [], min_overlap=0.3, source="model")) == expected


def test_icon_inside_a_dismiss_text_is_not_another_control() -> None:
    skip = Element(id="t0", kind=ElementKind.CLOSE_TEXT, box=Box(800, 60, 1060, 140), score=0.99, source="ocr",
                   text="Skip Ad ▶|")
    assert _icon_elements([cand(Box(1000, 80, 1040, 120), 0.9)], [skip], min_overlap=0.3, source="model") == []


def _x(box: Box, score: float) -> Element:
    return Element(id=f"i{box.x1:.0f}", kind=ElementKind.CLOSE_ICON, box=box, score=score, source="model+proposer")


@pytest.mark.parametrize(
    ("half_believed", "taken"),
    [
        ([_x(Box(1010, 75, 1045, 105), 0.45)], Box(1010, 75, 1045, 105)),  # top-right corner
        ([_x(Box(30, 75, 60, 105), 0.31)], Box(30, 75, 60, 105)),  # top-left corner
        ([_x(Box(520, 75, 560, 105), 0.45)], None),  # the top band's middle: a title's glyph, not a close button
        ([_x(Box(1010, 75, 1045, 105), 0.2)], None),  # under ad_corner_icon_min_score
        ([_x(Box(30, 75, 60, 105), 0.32), _x(Box(1010, 75, 1045, 105), 0.4)], Box(1010, 75, 1045, 105)),  # the best
        ([_x(Box(960, 60, 1000, 100), 0.45)], None),  # the digit of the countdown ring found there
        ([_x(Box(40, 130, 75, 165), 0.45)], None),  # a stroke of the "ad" label read there
    ],
)
def test_a_full_screen_ad_with_no_close_takes_a_half_believed_corner_x(half_believed: list[Element],
                                                                        taken: Box | None) -> None:
    ring = Element(id="r0", kind=ElementKind.COUNTDOWN, box=Box(940, 40, 1020, 120), score=0.9, source="ocr-corner",
                   text="5", countdown_s=5)
    ad_label = Box(20, 120, 130, 180)  # a line OCR read: 'ad'
    out = ad_corner_icon(half_believed, [ring], width=1080, min_score=0.3, icon_min_score=0.5, text_lines=[ad_label])
    assert [e.box for e in out] == ([taken] if taken else [])
    assert all(e.score == 0.5 and e.attr("ad_corner") for e in out)


CARD = Box(120, 600, 960, 1560)


@pytest.mark.parametrize(
    ("half_believed", "taken"),
    [
        ([_x(Box(300, 800, 350, 850), 0.4)], [Box(300, 800, 350, 850)]),  # on the card's picture
        ([_x(Box(900, 500, 960, 560), 0.4)], [Box(900, 500, 960, 560)]),  # above its top-right corner
        ([_x(Box(500, 1620, 580, 1700), 0.45)], [Box(500, 1620, 580, 1700)]),  # centred below it
        ([_x(Box(150, 500, 210, 560), 0.4)], []),  # above its top-left corner: no close button's place
        ([_x(Box(980, 1000, 1040, 1060), 0.4)], []),  # off its side, on the dimmed page
        ([_x(Box(890, 620, 940, 670), 0.4)], []),  # where the card's own × was found already
        ([_x(Box(300, 800, 320, 820), 0.45)], []),  # under 10 dp: a mark of the picture, not a button
        ([_x(Box(600, 1400, 650, 1450), 0.4)], []),  # a stroke of 这 in the card's title line
    ],
    ids=["on-the-picture", "above-the-corner", "below-the-card", "above-the-left-corner", "off-the-side",
         "on-a-found-x", "too-small", "in-a-text-line"],
)
def test_a_half_believed_x_is_taken_only_where_a_pop_up_cards_close_button_sits(
        half_believed: list[Element], taken: list[Box]) -> None:
    own = _x(Box(880, 610, 950, 680), 0.97)

    def zone(b: Box) -> str | None:
        return window_zone(b, CARD, Box(0, 0, 1080, 2340), density=3.0, corner_fraction=0.25, below_dp=96)

    title = Box(230, 1380, 850, 1465)  # a line the OCR read (品质生活从这里开始)
    out = on_card_icons(half_believed, [own], CARD, icon_min_score=0.5, min_side_px=30, zone=zone,
                        text_lines=[title])
    assert [e.box for e in out] == taken
    assert all(e.score == 0.5 and e.attr("on_card") for e in out)


@pytest.mark.parametrize(
    ("weak", "found", "taken"),
    [
        ([_x(Box(500, 1600, 580, 1680), 0.28)], [], Box(500, 1600, 580, 1680)),  # a large faint circled × under it
        ([_x(Box(505, 1600, 585, 1680), 0.2)], [], Box(505, 1600, 585, 1680)),  # its box a little off the centre line
        ([_x(Box(560, 1600, 640, 1680), 0.28)], [], None),  # 20 px (7 dp) off: not centred
        ([_x(Box(500, 1900, 580, 1980), 0.28)], [], None),  # over 96 dp under the card: the page's
        ([_x(Box(500, 1600, 580, 1680), 0.1)], [], None),  # under below_card_icon_min_score
        ([_x(Box(520, 1600, 545, 1625), 0.28)], [], None),  # under 10 dp: a mark, not a button
        ([_x(Box(500, 1600, 580, 1680), 0.28)], [_x(Box(880, 610, 950, 680), 0.97)], None),  # the card has a close
        ([_x(Box(515, 1690, 565, 1740), 0.28)], [], None),  # in a line of the page's text: a stroke
        ([_x(Box(515, 1690, 565, 1740), 0.4)], [], Box(515, 1690, 565, 1740)),  # believed as a card's ×
    ],
    ids=["centred-below", "a-little-off", "off-centre", "too-far", "too-faint", "too-small", "card-closed",
         "in-a-text-line", "in-a-text-line-believed"],
)
def test_a_card_nothing_closes_takes_a_faint_x_centred_below_it(weak: list[Element], found: list[Element],
                                                                 taken: Box | None) -> None:
    """below_card_icon: density 3, so 4 dp is 12 px and 96 dp 288 px (the profile's defaults)."""
    page_line = Box(200, 1700, 900, 1730)  # a line of the dimmed page OCR read under the card
    out = below_card_icon(weak, found, CARD, icon_min_score=0.5, min_score=0.15, line_min_score=0.35,
                          min_side_px=30, centre_px=12, below_px=288, text_lines=[page_line])
    assert [e.box for e in out] == ([taken] if taken else [])
    assert all(e.score == 0.5 and e.attr("below_card") for e in out)


@pytest.mark.parametrize(("word", "cross", "trails"), [
    ("推荐", Box(306, 1010, 330, 1034), True),  # a chip's × just after its word, on its row
    ("Nearby", Box(340, 1006, 376, 1042), True),  # a gap of about one line height
    ("推荐", Box(350, 1010, 374, 1034), False),  # two line heights off: a × of its own
    ("推荐", Box(306, 940, 330, 964), False),  # above the word's row: a card's corner ×
    ("推荐", Box(306, 990, 370, 1054), False),  # taller than the word: a button of its own
    ("广告", Box(306, 1010, 330, 1034), False),  # an ad label's × closes the ad
], ids=["chip", "chip-gap", "far", "off-row", "tall", "ad-label"])
def test_a_x_after_a_word_is_its_chips(word: str, cross: Box, trails: bool) -> None:
    """pipeline.trails_a_word at the profile's tag_x settings (gap ≤ 1 line height, 0.3-1.2 line
    heights tall, centred within 0.35 line heights of the word's row); the word's line is 40 px."""
    line = TextSpan(text=word, box=Box(200, 1002, 300, 1042), confidence=0.99)
    assert trails_a_word(cross, [line], load_lexicon(), max_gap=1.0, height_range=(0.3, 1.2),
                         row_offset=0.35) == trails


@pytest.mark.parametrize(
    ("seed", "index", "screen"),
    [
        # a dark dialog whose card merged with the page's banner: the banner's ▷× at its side
        (8888, 74, ScreenType.DIALOG),
        # a rating dialog over chips and a search field: a page × flush with the card's right side
        (5656, 127, ScreenType.DIALOG),
        # an iOS dialog with its own × in the top-right corner, and 稍后再说
        (4848, 59, ScreenType.DIALOG),
        # a pop-up card whose only close is a 15-dp × in the screen's top-right corner, above the
        # scrim, that the detectors half believe (0.46): the card and the corner are the evidence
        (7070, 67, ScreenType.POPUP),
        # a floating ad picture over a list whose 12-dp × the detectors half believe (0.41), its box
        # a little off the ×: the picture's top edge is found a few rows low, and its real one,
        # just above, is that edge, not a neighbour's (screen._has_sibling)
        (5656, 102, ScreenType.POPUP),
        # a pop-up whose only close is a circled × centred under its card, over a line of the
        # dimmed page's text, that the detectors half believe (0.50, but centred in a read line):
        # centred below a card nothing else closes, it is the card's (pipeline.below_card_icon)
        (9191, 95, ScreenType.POPUP),
        # a picture card whose outline closed one contour with the dimmed page's search fields and
        # banners it overlaps: cut back to its own sides (screen.trim_card), the clear disc the
        # card half hides is beside it, the page's
        (7272, 39, ScreenType.POPUP),
        # a search field's clear disc that the card's side cuts off, as dim as the card's own
        # faint × below it: a button the card cuts off lies under it (screen.cut_by_window)
        (7272, 63, ScreenType.POPUP),
        # a sheet whose box runs down over the navigation bar: its ○ is the system's, not a
        # half-believed × on the card
        (8383, 133, ScreenType.POPUP),
        # a dark dialog whose 取消 is greyed to 1.4:1 beside a bright 确定: a weak word alone sends
        # the screen to the second look, whose 取消 makes the 确定 an accept; a video panel of the
        # dimmed page, a larger box than the dark card, has no close control by it
        (7474, 56, ScreenType.DIALOG),
        # a dialog whose Not now is dark blue on dark grey beside a bright Turn on, that no pass
        # reads and nothing else closes: the card over its scrim is read again (secondlook.card_look)
        (8585, 135, ScreenType.DIALOG),
        # a dialog whose box runs down over a row of chips: a chip's × below its corner is the
        # page's once the card has its own Cancel (screen.below_card_middle)
        (8585, 137, ScreenType.DIALOG),
        # a pop-up with no close of its own: the dimmed search field's clear disc below its corner
        # is as dim as the page, so it is the page's
        (8585, 21, ScreenType.POPUP),
        # a picture card that merged with the page's product tiles below: the sure × centred under
        # it names the card by the sides that centre on it (screen._centred_sides), and the dimmed
        # search field's clear disc above its corner is then far from it
        (8383, 146, ScreenType.POPUP),
        # a pop-up whose picture header closed a contour of its own above the card's body: the two
        # stacked side to side are the card (screen.header_side_dp), and the search field's clear
        # disc level with the picture is beside it, the page's
        (7474, 22, ScreenType.POPUP),
        # a pop-up whose card merged with the dimmed page into a box as wide as the screen, closed
        # by an 8-dp × inside its top-right corner and a × in its picture: the small corner ×
        # names the card over its scrim (screen.corner_card_icon_min_dp)
        (9494, 129, ScreenType.POPUP),
    ],
)
def test_an_overlay_is_closed_by_its_own_controls_only(analyzer: Analyzer, seed: int, index: int,
                                                       screen: ScreenType) -> None:
    """Generated overlays (datasets.synth, rendered as `closecheck synth --seed SEED` writes screen
    INDEX, before any JPEG step). A dialog's found card can take in the dimmed page's cards beside
    it, and with them a mark flush with the card's side below its title row
    (screen.dialog_icon_band, screen.dialog_icon_edge_dp); a pop-up's close may sit in a screen
    corner, or on the corner of a floating picture. What is found is the overlay's own controls,
    and nothing else."""
    from datasets.evaluate import match_boxes
    from datasets.synth import render_screen

    rgb, record = render_screen(np.random.default_rng([seed, index]), index)
    ok, png = cv2.imencode(".png", np.ascontiguousarray(rgb[:, :, ::-1]))
    assert ok
    report = analyzer.analyze(png.tobytes(), name=f"{seed}-{index}.png")
    assert report.screen.screen_type == screen
    labelled = [Box.from_xyxy(c["box"]) for c in record["close_controls"]]
    found = [e.box for e in report.screen.close_controls]
    assert len(match_boxes(labelled, found)) == len(labelled) == len(found), (labelled, found)


@pytest.mark.parametrize(
    ("seed", "index"),
    [
        # an outlined "3 | Skip" pill over a splash picture that runs through its outline: its
        # inside is the picture, so no flat fill is there to flood
        (3737, 140),
        # a translucent dark plate behind "跳过 5s" over a gradient: its inside shades the gradient
        (4848, 49),
    ],
)
def test_a_skip_pill_without_a_flat_fill_is_measured_by_its_edge(analyzer: Analyzer, seed: int, index: int) -> None:
    """A skip pill is as big as its visible shape, not its text: one drawn as an outline or a
    translucent plate is found by its closed edge (elements.find_outlined_button), and its
    shorter side is the generator's within a tenth."""
    from datasets.synth import render_screen

    rgb, record = render_screen(np.random.default_rng([seed, index]), index)
    ok, png = cv2.imencode(".png", np.ascontiguousarray(rgb[:, :, ::-1]))
    assert ok
    report = analyzer.analyze(png.tobytes(), name=f"{seed}-{index}.png")
    (truth,) = record["truth"]["close_controls"]
    (control,) = report.screen.close_controls
    assert control.button is not None
    measured = report.measurement(control.id)
    assert measured is not None
    assert measured.short_side.dp == pytest.approx(truth["size_dp"], rel=0.1)
    small = [f for f in report.findings if f.rule.value == "CLOSE_TOO_SMALL"]
    assert [f.severity.value for f in small] == ["pass"]


def test_a_faint_x_centred_below_the_card_is_its_close_not_the_dimmed_pages(analyzer: Analyzer) -> None:
    """Generated pop-up (seed 8585, screen 13): its only close is a faint circled × centred below
    the card, as dim as the very dark scrim's page. Once the card is found to its own sides
    (screen.trim_card), the × lies outside it; its position, not its brightness, says it is the
    card's, so it stays even when a mark on the card reads as a close control too."""
    from datasets.evaluate import match_boxes
    from datasets.synth import render_screen

    rgb, record = render_screen(np.random.default_rng([8585, 13]), 13)
    ok, png = cv2.imencode(".png", np.ascontiguousarray(rgb[:, :, ::-1]))
    assert ok
    report = analyzer.analyze(png.tobytes(), name="8585-13.png")
    assert report.screen.screen_type == ScreenType.POPUP
    (labelled,) = [Box.from_xyxy(c["box"]) for c in record["close_controls"]]
    assert match_boxes([labelled], [e.box for e in report.screen.close_controls]), report.screen.close_controls


def test_a_clear_disc_above_a_row_of_tiles_on_a_bright_page_names_no_card(analyzer: Analyzer) -> None:
    """Generated screen 146 of seed 7272, byte for byte as `closecheck synth` writes it (a JPEG at
    quality 68): an ordinary page, no overlay. A search field's sure clear disc sits just above the
    top-right corner of a row of product tiles, where a pop-up's close sits above its card; on an
    undimmed page it names no card (screen.classify_screen), so the screen has no close control."""
    from datasets.synth import DEFAULT_DOWNSCALE_FRACTION, DEFAULT_JPEG_FRACTION, DEFAULT_NEGATIVES, _make_one

    name, data, record = _make_one((7272, 146, None, DEFAULT_JPEG_FRACTION, DEFAULT_NEGATIVES, DEFAULT_DOWNSCALE_FRACTION))
    assert name.endswith(".jpg") and record["screen"] == "none"
    report = analyzer.analyze(data, name="7272-146.jpg")
    assert report.screen.screen_type == ScreenType.NONE
    assert report.screen.close_controls == ()


@pytest.mark.parametrize(("seed", "index"), [
    (8383, 110),  # a faint 11-dp Skip low on a 750-px splash, outside the skip corners
    (8585, 26),  # a 10-dp Not now on a 537-px interstitial, read "Mottw" at its own pixels
])
def test_a_small_dismiss_label_on_a_sparse_screen_is_read_larger(analyzer: Analyzer, seed: int, index: int) -> None:
    """Generated screens, byte for byte as `closecheck synth` writes them (JPEGs): a sparse screen
    that nothing closes after the second look is read whole once more at
    second_look.sparse_long_side, where its small dismiss label keeps legible glyphs."""
    from datasets.evaluate import match_boxes
    from datasets.synth import DEFAULT_DOWNSCALE_FRACTION, DEFAULT_JPEG_FRACTION, DEFAULT_NEGATIVES, _make_one

    name, data, record = _make_one((seed, index, None, DEFAULT_JPEG_FRACTION, DEFAULT_NEGATIVES,
                                    DEFAULT_DOWNSCALE_FRACTION))
    report = analyzer.analyze(data, name=f"{seed}-{name.rsplit('/', 1)[-1]}")
    (labelled,) = [Box.from_xyxy(c["box"]) for c in record["close_controls"]]
    found = [e for e in report.screen.close_controls if e.kind == ElementKind.CLOSE_TEXT]
    assert len(match_boxes([labelled], [e.box for e in found])) == 1, (labelled, found)
