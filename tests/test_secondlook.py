"""The second look (detector/secondlook.py): faint and tiny dismiss labels found before a screen
is said to have no close control, measured on the original pixels, with the real PP-OCR.

The screens are drawn here: a splash picture (gradients and blobs) or an app-install card with
the dismiss label at a contrast of 1.2-1.4:1, or at 9 dp in a bottom corner of a 1080x2400
screenshot, which the whole-screen pass sees at 0.4x.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from detector import Analyzer
from detector.lexicon import load_lexicon
from detector.measure import contrast_ratio
from detector.profile import get_profile
from detector.secondlook import corner_regions, local_contrast, second_look
from detector.types import Box, ElementKind, Report, RuleId, Severity

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _font(px: int) -> ImageFont.FreeTypeFont:
    if not FONT.exists():
        pytest.skip("needs fonts-noto-cjk")
    return ImageFont.truetype(str(FONT), px)


def _picture(width: int, height: int, seed: int) -> Image.Image:
    """A photo-like full-screen picture: a vertical gradient with soft blobs and mild noise."""
    rng = np.random.default_rng(seed)
    top, bottom = rng.integers(20, 90, 3), rng.integers(20, 90, 3)
    t = np.linspace(0.0, 1.0, height)[:, None, None]
    img = (top * (1 - t) + bottom * t) * np.ones((1, width, 1))
    for _ in range(6):
        cx, cy, r = rng.integers(0, width), rng.integers(height // 5, height), rng.integers(width // 10, width // 3)
        yy, xx = np.ogrid[:height, :width]
        img += rng.integers(-25, 25, 3) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2.0 * r * r))[..., None]
    img += rng.normal(0, 1.5, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def _pill(img: Image.Image, text: str, px: int, anchor: tuple[int, int], fill: tuple[int, int, int],
          ink: tuple[int, int, int]) -> Box:
    """``text`` in a rounded pill whose top-left corner is ``anchor``; returns the pill's box."""
    draw = ImageDraw.Draw(img)
    font = _font(px)
    x1, y1, x2, y2 = draw.textbbox((0, 0), text, font=font)
    pad_x, pad_y = px * 0.7, px * 0.45
    box = Box(anchor[0], anchor[1], anchor[0] + (x2 - x1) + 2 * pad_x, anchor[1] + (y2 - y1) + 2 * pad_y)
    draw.rounded_rectangle(box.to_list(), radius=int(box.height / 2), fill=fill)
    draw.text((box.x1 + pad_x - x1, box.y1 + pad_y - y1), text, font=font, fill=ink)
    return box


def _faint_splash() -> tuple[np.ndarray, Box]:
    """720x1600 splash with 跳过广告 at ~1.4:1 in the top-left corner (the top-right one is the
    skip-pill stage's)."""
    img = _picture(720, 1600, seed=7)
    box = _pill(img, "跳过广告", 16, (24, 50), fill=(25, 32, 30), ink=(55, 55, 55))
    return np.asarray(img), box


def _faint_card() -> tuple[np.ndarray, Box]:
    """431x958 app-install interstitial: a picture above a grey card whose left button says
    以后再说 at ~1.2:1 and whose right one is a bright 去下载."""
    img = _picture(431, 958, seed=11)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 700, 431, 958), fill=(104, 100, 108))
    box = _pill(img, "以后再说", 16, (24, 810), fill=(116, 112, 118), ink=(130, 130, 130))
    _pill(img, "去下载", 16, (240, 810), fill=(255, 255, 255), ink=(30, 30, 30))
    return np.asarray(img), box


def _tiny_corner_pill() -> tuple[np.ndarray, Box]:
    """1080x2400 splash with a 9-dp 跳过(3) pill (13-px glyphs) in the bottom-right corner, crisp
    but small: the whole-screen pass sees it at 0.4x (5-px glyphs), the corner read at 0.67x."""
    img = _picture(1080, 2400, seed=3)
    box = _pill(img, "跳过(3)", 13, (950, 1850), fill=(211, 211, 211), ink=(9, 9, 9))
    return np.asarray(img), box


def _closes(report: Report) -> list:
    return [e for e in report.screen.elements if e.kind.is_close_control]


def _severity(report: Report, rule: RuleId) -> Severity | None:
    return next((f.severity for f in report.findings if f.rule == rule), None)


def test_local_contrast_lifts_a_faint_stroke_and_keeps_flat_noise_flat() -> None:
    rng = np.random.default_rng(0)
    grey = np.full((200, 200), 113.0) + rng.normal(0, 1.5, (200, 200))
    grey[98:102, 40:160] += 21  # a glyph stroke (4 px) at ~1.4:1: 134 on 113
    rgb = np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    out = local_contrast(rgb, window_px=31, noise_floor=4, gain=40)[..., 0].astype(float)
    stroke, fill = out[98:102, 60:140].mean(), out[20:60, 20:180]
    assert stroke - fill.mean() > 60  # was 21 levels apart
    assert fill.std() < 20 and abs(fill.mean() - 128) < 10  # noise is not turned into texture
    before = contrast_ratio((134, 134, 134), (113, 113, 113))
    after = contrast_ratio((stroke,) * 3, (fill.mean(),) * 3)
    assert before < 1.5 and after > 2.0


def test_corners_cover_the_skip_band_and_the_bottom_quarter() -> None:
    profile = get_profile("cn-miit-2021")
    tl, tr, bl, br = corner_regions(1080, 2400, profile)
    assert tr.x2 == 1080 and tr.y1 == 0 and tr.y2 == pytest.approx(2400 * profile.setting("pill", "band_fraction"))
    assert br.y2 == 2400 and br.y1 == pytest.approx(2400 * 0.75) and bl.x1 == 0 and tl.x1 == 0


@pytest.mark.parametrize(("width", "height", "corner_scale"), [(431, 958, 720 / 431), (1080, 2400, 1.0), (1440, 3200, 1.0)])
def test_corners_are_enlarged_to_720_px_but_never_shrunk(width: int, height: int, corner_scale: float) -> None:
    """A faint label's 1-2-level strokes do not survive shrinking: a 1080-px screenshot's corners
    are read at their own pixels (at 0.67x a 2:1 30-dp 跳过 5s was lost)."""
    scales: list[tuple[Box | None, float | None]] = []

    class Recording:
        name = "recording"

        def read(self, rgb, *, region=None, scale=None, min_score=None, skip=()):  # type: ignore[no-untyped-def]
            scales.append((region, scale))
            return []

    profile = get_profile("cn-miit-2021")
    second_look(np.full((height, width, 3), 90, np.uint8), [], reader=Recording(),  # type: ignore[arg-type]
                lexicon=load_lexicon(), profile=profile, density=width / 360, status_bar=None)
    corner = [s for region, s in scales if region is not None]
    assert len(corner) == 4 and all(s == pytest.approx(corner_scale) for s in corner)


@pytest.mark.parametrize(
    ("screen", "expected_text", "faint"),
    [
        (_faint_splash, "跳过", True),
        (_faint_card, "以后再说", True),
        (_tiny_corner_pill, "跳过", False),
    ],
)
def test_second_look_finds_the_dismiss_label_the_first_pass_missed(
    analyzer: Analyzer, screen, expected_text: str, faint: bool
) -> None:
    rgb, label = screen()
    first = analyzer.reader.read(rgb)
    assert not any(expected_text in s.text for s in first), "the whole-screen pass should miss it"
    report = analyzer.analyze(cv2.imencode(".png", rgb[:, :, ::-1])[1].tobytes(), name="drawn.png")
    found = [e for e in _closes(report) if e.source == "ocr-second"]
    assert found, [(e.kind, e.text) for e in report.screen.elements]
    control = found[0]
    assert expected_text in (control.text or "")
    assert label.expand(4).contains_point(*control.box.center)
    assert dict(control.attrs).get("second_look") is True
    assert _severity(report, RuleId.CLOSE_MISSING) in (None, Severity.PASS)
    measured = next(m for m in report.measurements if m.element_id == control.id)
    if faint and screen is _faint_card:
        # its button is as faint as its label; the outline is found on the stretched image
        # (the stretched outline has a halo of a few px: the box comes out up to ~1/3 taller)
        assert control.button is not None and control.box.contains_point(*label.center), (control.box, label)
        assert 0.8 * label.height <= control.box.height <= 1.5 * label.height, (control.box, label)
    if faint:
        # measured on the original pixels: as faint as drawn, so the contrast rule fails it
        assert measured.contrast_ratio is not None and measured.contrast_ratio < 1.6
        assert _severity(report, RuleId.CLOSE_LOW_CONTRAST) == Severity.FAIL
    else:
        assert measured.contrast_ratio is not None and measured.contrast_ratio > 7
    assert "second_look" in dict(report.timings_ms)


def test_no_second_look_when_the_first_pass_found_a_close_text(analyzer: Analyzer) -> None:
    img = _picture(720, 1600, seed=5)
    _pill(img, "跳过 5", 26, (560, 60), fill=(40, 40, 40), ink=(245, 245, 245))
    report = analyzer.analyze(cv2.imencode(".png", np.asarray(img)[:, :, ::-1])[1].tobytes(), name="clear.png")
    assert any(e.kind == ElementKind.CLOSE_COUNTDOWN for e in _closes(report))
    assert "second_look" not in dict(report.timings_ms)
    assert not any(e.source == "ocr-second" for e in report.screen.elements)


def test_second_look_invents_nothing_on_a_plain_picture(analyzer: Analyzer) -> None:
    """A picture with nothing to dismiss: the stretched noise and blobs must not read as 跳过."""
    img = _picture(1080, 2400, seed=9)
    ImageDraw.Draw(img).text((100, 1200), "夏日新品 限时特惠", font=_font(64), fill=(240, 240, 240))
    report = analyzer.analyze(cv2.imencode(".png", np.asarray(img)[:, :, ::-1])[1].tobytes(), name="plain.png")
    assert "second_look" in dict(report.timings_ms)
    assert not _closes(report)


def test_a_small_skip_pill_in_another_corner_is_read_by_its_shape(analyzer: Analyzer) -> None:
    """A 406x902 screenshot (a downscaled splash) with an outlined 跳过 6 pill in the top-left
    corner, its glyphs 9 px: no text detection pass finds the line, but the pill's outline is
    plain, and reading the pill whole with line recognition finds the skip control."""
    img = _picture(406, 902, seed=13)
    draw, font = ImageDraw.Draw(img), _font(9)
    x1, y1, x2, y2 = draw.textbbox((0, 0), "跳过 6", font=font)
    pill = Box(20, 36, 20 + (x2 - x1) + 9, 36 + (y2 - y1) + 9 * 0.7)
    draw.rounded_rectangle(pill.to_list(), radius=3, fill=(222, 206, 150), outline=(70, 70, 70), width=2)
    draw.text((pill.x1 + 4.5 - x1, pill.y1 + 9 * 0.35 - y1), "跳过 6", font=font, fill=(60, 60, 60))
    rgb = np.asarray(img)
    assert not any("跳过" in s.text for s in analyzer.reader.read(rgb)), "the whole-screen pass should misread it"
    report = analyzer.analyze(cv2.imencode(".png", rgb[:, :, ::-1])[1].tobytes(), name="small-pill.png")
    (control,) = _closes(report)
    assert control.kind == ElementKind.CLOSE_COUNTDOWN and control.countdown_s == 6
    assert control.attr("corner_pill") and control.attr("second_look") and control.box.iou(pill) > 0.7


def test_a_lone_number_in_a_corner_is_no_skip_control(analyzer: Analyzer) -> None:
    """A page's like count (点赞 128) in a bottom corner of a screen with nothing to close it: its
    digits' outline passes for a small pill and reads as 12, but the pill read takes skip phrases
    only, not lone numbers."""
    img = Image.new("RGB", (720, 1600), (244, 244, 246))
    draw = ImageDraw.Draw(img)
    for y, line in ((1380, "会员积分即将过期"), (1470, "点赞 128 · 评论 32"), (1540, "张三：晚上一起吃饭吗?")):
        draw.text((24, y), line, font=_font(26), fill=(30, 30, 30))
    report = analyzer.analyze(cv2.imencode(".png", np.asarray(img)[:, :, ::-1])[1].tobytes(), name="page.png")
    assert "second_look" in dict(report.timings_ms)
    assert not _closes(report), [(e.kind, e.text) for e in _closes(report)]


def _circled_x(img: Image.Image, center: tuple[int, int], radius: int) -> Box:
    """A white × on a dark translucent-looking disc, as ads draw their close button."""
    draw = ImageDraw.Draw(img)
    cx, cy = center
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=(60, 60, 60))
    d = radius * 0.45
    for a, b in (((cx - d, cy - d), (cx + d, cy + d)), ((cx - d, cy + d), (cx + d, cy - d))):
        draw.line([a, b], fill=(250, 250, 250), width=max(2, radius // 6))
    return Box(cx - radius, cy - radius, cx + radius, cy + radius)


def test_a_faint_dismiss_label_beside_a_x_is_found_too(analyzer: Analyzer) -> None:
    """The app-install interstitial with its faint 以后再说 (1.2:1) and a clear × in the top-right
    corner: the × closes it, and the faint label is the second way out, which the contrast rule
    has to judge, so the stretched read runs there too (for dismiss phrases only)."""
    rgb, label = _faint_card()
    img = Image.fromarray(rgb)
    x = _circled_x(img, (395, 60), 14)
    report = analyzer.analyze(cv2.imencode(".png", np.asarray(img)[:, :, ::-1])[1].tobytes(), name="both.png")
    closes = _closes(report)
    assert any(e.kind == ElementKind.CLOSE_ICON and e.box.iou(x) > 0.4 for e in closes), closes
    faint = [e for e in closes if e.source == "ocr-second"]
    assert faint and "以后再说" in (faint[0].text or "") and label.expand(4).contains_point(*faint[0].box.center)


@pytest.mark.parametrize("phrases_only", [False, True])
def test_with_a_x_found_a_lone_corner_number_is_no_countdown(analyzer: Analyzer, phrases_only: bool) -> None:
    """An 8 in the skip corner of a picture: where nothing closes the screen it is judged
    as a skip countdown; where a × already closes it (``phrases_only``), the stretched read takes
    dismiss phrases only (a dating app's reject × and a photo counter's 8 are not a splash)."""
    img = _picture(720, 1600, seed=17)
    ImageDraw.Draw(img).text((650, 66), "8", font=_font(40), fill=(200, 200, 200))
    rgb = np.asarray(img)
    profile = get_profile("cn-miit-2021")
    found = second_look(rgb, [], reader=analyzer.reader, lexicon=load_lexicon(), profile=profile, density=2.0,
                        status_bar=None, phrases_only=phrases_only)
    countdowns = [e for e in found if e.countdown_s == 8]
    assert len(countdowns) == (0 if phrases_only else 1), [(e.kind, e.text) for e in found]
