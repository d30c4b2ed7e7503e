"""The unread skip pill: the shape in a full-screen ad's skip corner when its label is too small
or faint for any reading, and the app launch screen it makes a splash of."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from detector import Analyzer
from detector.annotate import control_caption
from detector.lexicon import load_lexicon
from detector.ocr import make_reader
from detector.pills import unread_skip_pill
from detector.profile import get_profile
from detector.report import summary_line
from detector.types import ElementKind, ScreenType

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
WIDTH = 400  # a downscaled collected screenshot: 1080x2340 drawn, shrunk to 400 px (density 1.11)


def launch_screen(label: str | None, *, ink: tuple[int, int, int] = (120, 110, 160),
                  pill_y: int = 150, ad_label: bool = False) -> np.ndarray:
    """An app's own launch screen (logo tile and name on a gradient) with a 22-dp disc in the
    top-right corner holding ``label`` (none drawn when ``label`` is None), JPEG-compressed.
    The disc's centre is ``pill_y`` px from the top of the 2340-px drawing; with ``ad_label`` a
    广告 tag in the bottom-left corner makes it a splash ad."""
    if not FONT.exists():
        pytest.skip("needs fonts-noto-cjk")
    big = Image.new("RGB", (1080, 2340))
    draw = ImageDraw.Draw(big)
    for y in range(2340):
        draw.line([(0, y), (1080, y)], fill=(120 - y // 40, 60 + y // 30, 200 - y // 25))
    draw.rounded_rectangle((420, 800, 660, 1040), radius=50, fill=(40, 170, 90))
    draw.text((540, 920), "W", font=ImageFont.truetype(str(FONT), 150), fill=(255, 255, 255), anchor="mm")
    draw.text((540, 1130), "Word Quest", font=ImageFont.truetype(str(FONT), 80), fill=(255, 255, 255), anchor="mm")
    if ad_label:
        draw.rounded_rectangle((40, 2140, 200, 2210), radius=12, fill=(0, 0, 0))
        draw.text((120, 2175), "广告", font=ImageFont.truetype(str(FONT), 48), fill=(255, 255, 255), anchor="mm")
    if label is not None:
        cx, r = 960, 33
        draw.ellipse((cx - r, pill_y - r, cx + r, pill_y + r), fill=(70, 60, 110))
        draw.text((cx, pill_y), label, font=ImageFont.truetype(str(FONT), 22), fill=ink, anchor="mm")
    small = big.resize((WIDTH, round(2340 * WIDTH / 1080)), Image.Resampling.BILINEAR)
    ok, jpeg = cv2.imencode(".jpg", np.asarray(small)[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return np.ascontiguousarray(cv2.imdecode(jpeg, cv2.IMREAD_COLOR)[:, :, ::-1])


FAINT = (105, 95, 145)  # 1.45:1 on the disc's fill: 5-px glyphs no reading recovers
LEGIBLE = (120, 110, 160)  # 1.8:1: its line reads on the label area alone


@pytest.mark.parametrize(
    ("label", "ink", "pill_y", "found"),
    [
        ("跳过", FAINT, 150, "unread"),  # a shape with a smudge inside
        ("Skip", FAINT, 150, "unread"),
        ("跳过", LEGIBLE, 150, "过"),  # read once more on the label area: the tail of 跳过
        ("Skip", LEGIBLE, 150, "skip"),
        ("AD", (250, 250, 250), 150, None),  # read surely: an ad label, not an unread skip
        ("跳过", FAINT, 40, None),  # inside the status bar: a system icon
        ("跳过", (72, 62, 112), 150, None),  # nothing visible inside: decoration
        (None, FAINT, 150, None),  # no pill at all
    ],
)
def test_unread_pill(label: str | None, ink: tuple[int, int, int], pill_y: int, found: str | None) -> None:
    rgb = launch_screen(label, ink=ink, pill_y=pill_y)
    out = unread_skip_pill(rgb, [], [], reader=make_reader("ppocr"), lexicon=load_lexicon(),
                           profile=get_profile("cn-miit-2021"), density=WIDTH / 360)
    assert (out[0].text or "unread" if out else None) == found, out
    if found:
        (pill,) = out
        assert pill.kind == ElementKind.CLOSE_TEXT and bool(pill.attr("unread")) == (found == "unread")
        assert pill.button == pill.box
        cx, cy = pill.box.center  # the disc drawn at (960, 150) of 1080x2340
        assert abs(cx - 960 * WIDTH / 1080) < 3 and abs(cy - 150 * WIDTH / 1080) < 3
        assert 18 <= pill.box.height / (WIDTH / 360) <= 26  # the 22-dp disc


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_an_ad_nothing_else_closes_takes_its_unread_pill(analyzer: Analyzer, tmp_path: Path) -> None:
    path = tmp_path / "ad.png"
    cv2.imwrite(str(path), launch_screen("跳过", ink=FAINT, ad_label=True)[:, :, ::-1])
    report = analyzer.analyze(path)
    assert report.screen.screen_type in (ScreenType.SPLASH, ScreenType.INTERSTITIAL)
    # the screen type's reason no longer says nothing closes it
    assert report.screen.type_reason == ("a full-screen ad with no close control at first look; "
                                         "one found where such an ad hides it")
    (pill,) = report.screen.close_controls
    assert pill.attr("unread") and pill.text is None and pill.box.x1 > WIDTH * 0.8
    severity = {f.rule.value: f.severity.value for f in report.findings}
    assert severity["CLOSE_MISSING"] == "pass" and severity["CLOSE_LOW_CONTRAST"] == "fail"
    # the CLI line and the annotation say what was found: a label no pass could read, not a ×
    assert "close: [unread] " in summary_line(report)
    assert control_caption(report, pill.id).startswith("[unread] ")
    contrast = next(f for f in report.findings if f.rule.value == "CLOSE_LOW_CONTRAST")
    assert contrast.message.startswith("the skip pill (its label unread) has contrast")


@pytest.mark.parametrize(
    ("label", "ink", "screen_type", "closes"),
    [
        ("跳过", LEGIBLE, ScreenType.SPLASH, 1),  # its pill reads as a skip control
        ("跳过", FAINT, ScreenType.NONE, 0),  # an unread shape on a page not known to be an ad: an app bar's icon as often
        ("AD", (250, 250, 250), ScreenType.NONE, 0),
        (None, FAINT, ScreenType.NONE, 0),
    ],
)
def test_a_launch_screen_with_a_skip_pill_is_a_splash(analyzer: Analyzer, tmp_path: Path, label: str | None,
                                                      ink: tuple[int, int, int], screen_type: ScreenType,
                                                      closes: int) -> None:
    """Little text, no ad cue: taken for an ordinary page unless its skip corner holds a pill
    that reads as a skip control."""
    path = tmp_path / "launch.png"
    cv2.imwrite(str(path), launch_screen(label, ink=ink)[:, :, ::-1])
    report = analyzer.analyze(path)
    assert report.screen.screen_type == screen_type, report.screen.type_reason
    assert len(report.screen.close_controls) == closes
    if closes:
        assert report.screen.close_controls[0].box.x1 > WIDTH * 0.8
        # judged for what it is, a 22-dp target, not CLOSE_MISSING
        severity = {f.rule.value: f.severity.value for f in report.findings}
        assert severity["CLOSE_MISSING"] == "pass" and severity["CLOSE_TOO_SMALL"] in ("warn", "fail")
