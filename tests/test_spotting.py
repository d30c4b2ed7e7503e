"""Keyword spotting (detector/ocr/_ctc.py) and the top-right corner stage that uses it (detector/pills.py).

The CTC numbers are small enough to check by hand; the rest runs the real PP-OCR recogniser on
rendered, shrunk and blurred text such as a 270-px screenshot carries, and on realdev.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from detector.lexicon import load_lexicon
from detector.ocr import make_reader
from detector.ocr._ctc import ctc_log_likelihood, greedy_decode, log_probs
from detector.pills import corner_skip_controls
from detector.profile import get_profile
from detector.types import Box, ElementKind

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
REALDEV = Path(__file__).resolve().parents[1].parent / "shared" / "realdev"

# Two frames over {blank, a, b}: frame 1 says a (0.6), frame 2 says blank (0.5).
PROBS = np.array([[0.3, 0.6, 0.1], [0.5, 0.2, 0.3]])


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([], 0.3 * 0.5),  # the all-blank path
        ([1], 0.6 * 0.5 + 0.3 * 0.2 + 0.6 * 0.2),  # "a-", "-a", "aa"
        ([2], 0.1 * 0.5 + 0.3 * 0.3 + 0.1 * 0.3),  # "b-", "-b", "bb"
        ([1, 2], 0.6 * 0.3),  # "ab" only
        ([1, 1], 0.0),  # "aa" needs a blank between: three frames at least
    ],
)
def test_ctc_likelihood_by_hand(labels: list[int], expected: float) -> None:
    got = ctc_log_likelihood(log_probs(PROBS), labels)
    assert (math.exp(got) if got > -1e9 else 0.0) == pytest.approx(expected, abs=1e-9)


def test_ctc_likelihoods_of_all_short_strings_sum_to_one() -> None:
    """Every alignment spells exactly one string, so the strings' probabilities sum to 1."""
    lp = log_probs(PROBS)
    strings = [[], [1], [2], [1, 2], [2, 1]]  # what two frames can spell ("aa" cannot)
    assert sum(math.exp(ctc_log_likelihood(lp, s)) for s in strings) == pytest.approx(1.0)


def test_greedy_decode_collapses_repeats_and_blanks() -> None:
    probs = np.array([[0.1, 0.9, 0.0], [0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.1, 0.7, 0.2], [0.2, 0.1, 0.7]])
    ids, score = greedy_decode(probs)
    assert ids == [1, 1, 2]  # a a (blank between) then b
    assert score == pytest.approx((0.9 + 0.7 + 0.7) / 3)


def blurred_line(text: str, px: int, shrink: float) -> tuple[np.ndarray, Box]:
    """``text`` drawn ``px`` tall in a grey pill, shrunk by ``shrink`` and JPEG-compressed, as a
    downscaled collected screenshot shows it; returns the picture and the text's box in it."""
    if not FONT.exists():
        pytest.skip("needs fonts-noto-cjk")
    font = ImageFont.truetype(str(FONT), px)
    img = Image.new("RGB", (px * 8, px * 3), (190, 205, 225))
    draw = ImageDraw.Draw(img)
    x1, y1, x2, y2 = draw.textbbox((px, px), text, font=font)
    draw.rounded_rectangle((x1 - px // 2, y1 - px // 2, x2 + px // 2, y2 + px // 2), radius=px, fill=(110, 115, 120))
    draw.text((px, px), text, font=font, fill=(245, 245, 245))
    small = img.resize((round(img.width * shrink), round(img.height * shrink)), Image.Resampling.BILINEAR)
    ok, jpeg = cv2.imencode(".jpg", np.asarray(small)[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 70])
    assert ok
    rgb = np.ascontiguousarray(cv2.imdecode(jpeg, cv2.IMREAD_COLOR)[:, :, ::-1])
    return rgb, Box(x1 * shrink, y1 * shrink, x2 * shrink, y2 * shrink)


def test_spotting_prefers_the_true_phrase_on_a_blurred_line() -> None:
    """跳过 3 at 7 px: whatever the free reading says, 跳过3 explains the pixels far better than
    the other corner labels, and within the corner stage's threshold."""
    rgb, box = blurred_line("跳过 3", 40, 0.18)
    reader = make_reader("ppocr")
    phrases = load_lexicon().corner_spot_candidates("3")
    hit = reader.spot(rgb, box, phrases)
    assert hit is not None
    assert hit.phrase.replace(" ", "") == "跳过3", hit
    assert hit.llr >= get_profile("cn-miit-2021").setting("pill", "spot_min_llr")
    other = reader.spot(rgb, box, ["关闭", "Close", "广告"])
    assert other is not None and other.llr < hit.llr - 10


def test_spotting_rejects_other_text() -> None:
    """A corner label that is not a dismiss control (互动广告) scores far below the threshold."""
    rgb, box = blurred_line("互动广告", 40, 0.18)
    hit = make_reader("ppocr").spot(rgb, box, load_lexicon().corner_spot_candidates(""))
    assert hit is not None
    assert hit.llr < get_profile("cn-miit-2021").setting("pill", "spot_min_llr")


def test_tesseract_cannot_spot() -> None:
    rgb, box = blurred_line("跳过 3", 40, 0.5)
    assert make_reader("tesseract").spot(rgb, box, ["跳过"]) is None


def small_splash(text: str, px: int = 34, *, shrink: bool = True) -> np.ndarray:
    """A 270x480 splash picture with ``text`` in a pill in the top-right corner, drawn at 1080 px
    and shrunk 4x (so its glyphs are ~7 px tall), JPEG-compressed; at 1080x1920 when not ``shrink``."""
    if not FONT.exists():
        pytest.skip("needs fonts-noto-cjk")
    big = Image.new("RGB", (1080, 1920))
    draw = ImageDraw.Draw(big)
    for y in range(1920):  # a photo-like vertical gradient
        draw.line([(0, y), (1080, y)], fill=(250 - y // 12, 200 - y // 20, 120 + y // 30))
    font = ImageFont.truetype(str(FONT), px)
    x1, y1, x2, y2 = draw.textbbox((900, 60), text, font=font)
    draw.rounded_rectangle((x1 - 22, y1 - 16, x2 + 22, y2 + 16), radius=40, fill=(95, 95, 95))
    draw.text((900, 60), text, font=font, fill=(240, 240, 240))
    small = big.resize((270, 480), Image.Resampling.BILINEAR) if shrink else big
    ok, jpeg = cv2.imencode(".jpg", np.asarray(small)[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 75])
    assert ok
    return np.ascontiguousarray(cv2.imdecode(jpeg, cv2.IMREAD_COLOR)[:, :, ::-1])


@pytest.mark.parametrize(
    ("text", "px", "seconds"),
    [("跳过 3", 34, 3), ("跳过", 34, None), ("5", 54, 5)],  # a lone countdown number is set larger (a ring)
)
def test_corner_stage_finds_the_skip_control_on_a_small_splash(text: str, px: int, seconds: int | None) -> None:
    rgb = small_splash(text, px)
    found = corner_skip_controls(rgb, [], reader=make_reader("ppocr"), lexicon=load_lexicon(),
                                 profile=get_profile("cn-miit-2021"), density=270 / 360)
    assert len(found) == 1, found
    control = found[0]
    assert control.kind == (ElementKind.CLOSE_COUNTDOWN if seconds is not None else ElementKind.CLOSE_TEXT)
    assert control.countdown_s == seconds
    assert control.box.x1 > 200 and control.box.y2 < 40  # where it was drawn: top-right


@pytest.mark.parametrize(("text", "px", "seconds"), [("跳过 3", 34, 3), ("5", 54, 5)])
def test_corner_stage_reads_the_pill_of_a_full_size_splash(text: str, px: int, seconds: int) -> None:
    """At 1080 px the corner is not read again (the whole-screen pass reads it); what that pass
    missed is read inside the drawn pill, with the same judgement as the corner's lines."""
    rgb = small_splash(text, px, shrink=False)
    found = corner_skip_controls(rgb, [], reader=make_reader("ppocr"), lexicon=load_lexicon(),
                                 profile=get_profile("cn-miit-2021"), density=1080 / 360)
    assert [(e.source, e.kind, e.countdown_s) for e in found] == [("ocr-pill", ElementKind.CLOSE_COUNTDOWN, seconds)]
    assert found[0].button is not None and found[0].box.x1 > 800 and found[0].box.y2 < 160


@pytest.mark.parametrize(("text", "px"), [("VIP会员", 34), ("5", 26)])  # not a dismiss label; a badge-sized digit
def test_corner_stage_ignores_other_corner_text(text: str, px: int) -> None:
    rgb = small_splash(text, px)
    found = corner_skip_controls(rgb, [], reader=make_reader("ppocr"), lexicon=load_lexicon(),
                                 profile=get_profile("cn-miit-2021"), density=270 / 360)
    assert found == []


def ringed_number_screen(number: str, left: bool) -> np.ndarray:
    """A 1080x1920 video-ad frame with ``number`` in a thin ring in a top corner."""
    if not FONT.exists():
        pytest.skip("needs fonts-noto-cjk")
    img = Image.new("RGB", (1080, 1920), (30, 30, 34))
    draw = ImageDraw.Draw(img)
    x = 60 if left else 1080 - 60 - 96
    draw.ellipse((x, 70, x + 96, 166), outline=(235, 235, 235), width=5)
    font = ImageFont.truetype(str(FONT), 54)
    draw.text((x + 48, 118), number, font=font, fill=(240, 240, 240), anchor="mm")
    return np.asarray(img)


@pytest.mark.parametrize("left", [True, False])
def test_countdown_ring_in_a_top_corner_is_a_countdown_cue(left: bool) -> None:
    from detector.pills import corner_countdowns

    rgb = ringed_number_screen("5", left)
    found = corner_countdowns(rgb, [], reader=make_reader("ppocr"), profile=get_profile("cn-miit-2021"), density=3.0)
    assert [(e.kind, e.countdown_s) for e in found] == [(ElementKind.COUNTDOWN, 5)]
    assert (found[0].box.x1 < 540) == left


def test_a_large_number_in_a_corner_is_not_a_countdown() -> None:
    from detector.pills import corner_countdowns

    rgb = ringed_number_screen("88", True)  # a level, a score: longer than any countdown
    assert corner_countdowns(rgb, [], reader=make_reader("ppocr"), profile=get_profile("cn-miit-2021"),
                             density=3.0) == []


@pytest.mark.parametrize(
    ("reading", "present", "absent"),
    [
        ("跳59", ["跳过5s", "跳过9", "跳过"], ["跳过59"]),  # a blurred "5s": 59 is no splash countdown
        ("12", ["跳过12", "跳过1", "跳过 2"], []),
        ("Skip", ["跳过", "Skip"], ["跳过5"]),  # no number read: the labels alone
    ],
)
def test_corner_spot_candidates_take_countdown_sized_numbers(reading: str, present: list[str],
                                                              absent: list[str]) -> None:
    max_s = int(get_profile("cn-miit-2021").setting("pill", "number_max_s"))
    phrases = load_lexicon().corner_spot_candidates(reading, max_s)
    assert all(p in phrases for p in present) and not any(p in phrases for p in absent)
