"""Every rule, as a table: values at, just under and just over each threshold, and the empty screen."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from detector.profile import get_profile
from detector.rules import judge, verdict_for
from detector.types import (
    Box,
    Element,
    ElementKind,
    Measurement,
    RuleId,
    Screen,
    ScreenType,
    Severity,
    Size,
    Verdict,
)

PROFILE = get_profile()
W, H, DENSITY = 1080, 1920, 3.0


def size(dp: float) -> Size:
    return Size(px=dp * DENSITY, dp=dp, mm=round(dp * 25.4 / 160, 2))


TOP_RIGHT = Box(960, 90, 1032, 162)


def control(kind: ElementKind = ElementKind.CLOSE_ICON, *, eid: str = "c", text: str | None = None,
            countdown: int | None = None, box: Box = TOP_RIGHT, score: float = 0.9) -> Element:
    return Element(id=eid, kind=kind, box=box, score=score, source="test", text=text, countdown_s=countdown)


def measured(eid: str = "c", *, dp: float = 30, contrast: float | None = 7.0, zone: str = "top-right",
             zone_window: str | None = None, edges: tuple[float, ...] = (300, 30, 16, 560),
             status: bool = False) -> Measurement:
    return Measurement(
        element_id=eid, width=size(dp), height=size(dp), short_side=size(dp), contrast_ratio=contrast,
        foreground_rgb=(255, 255, 255), background_rgb=(0, 0, 0), zone_screen=zone, zone_window=zone_window,
        edge_distance_dp=edges, overlaps_status_bar=status, overlaps_navigation_bar=False, cta_distance_dp=None,
    )


def screen(*elements: Element, kind: ScreenType = ScreenType.SPLASH, confidence: float = 0.9) -> Screen:
    return Screen(width=W, height=H, density=DENSITY, screen_type=kind, window=Box(0, 0, W, H),
                  elements=elements, type_confidence=confidence)


def severity_of(findings: list[Any], rule: RuleId) -> Severity | None:
    for f in findings:
        if f.rule == rule:
            return Severity(f.severity)
    return None


def run(scr: Screen, *ms: Measurement) -> list[Any]:
    return judge(scr, {m.element_id: m for m in ms}, PROFILE)


@pytest.mark.parametrize(
    ("kind", "elements", "expected"),
    [
        (ScreenType.SPLASH, (), Severity.FAIL),
        (ScreenType.INTERSTITIAL, (), Severity.FAIL),
        (ScreenType.POPUP, (), Severity.FAIL),
        (ScreenType.DIALOG, (), None),  # dialogs are not in the rule's scope
        (ScreenType.SPLASH, (control(),), Severity.PASS),
    ],
)
def test_close_missing(kind: ScreenType, elements: tuple[Element, ...], expected: Severity | None) -> None:
    ms = [measured(e.id) for e in elements]
    assert severity_of(run(screen(*elements, kind=kind), *ms), RuleId.CLOSE_MISSING) == expected


@pytest.mark.parametrize(
    ("dp", "expected"),
    [(8, Severity.FAIL), (11.99, Severity.FAIL), (12, Severity.WARN), (23.99, Severity.WARN), (24, Severity.PASS),
     (48, Severity.PASS)],
)
def test_close_too_small(dp: float, expected: Severity) -> None:
    findings = run(screen(control()), measured(dp=dp))
    assert severity_of(findings, RuleId.CLOSE_TOO_SMALL) == expected
    f = next(f for f in findings if f.rule == RuleId.CLOSE_TOO_SMALL)
    assert f.value == pytest.approx(dp, abs=0.01) and f.unit == "dp" and f.evidence == ("c",)
    assert "292号" in f.clause


@pytest.mark.parametrize(
    ("kind", "ratio", "expected"),
    [
        (ElementKind.CLOSE_ICON, 1.1, Severity.FAIL),
        (ElementKind.CLOSE_ICON, 2.99, Severity.FAIL),
        (ElementKind.CLOSE_ICON, 3.0, Severity.PASS),
        (ElementKind.CLOSE_ICON, 4.0, Severity.PASS),  # non-text: 3:1 is enough
        (ElementKind.CLOSE_TEXT, 4.0, Severity.WARN),  # text: warn under 4.5:1
        (ElementKind.CLOSE_TEXT, 4.5, Severity.PASS),
        (ElementKind.CLOSE_COUNTDOWN, 2.0, Severity.FAIL),
        (ElementKind.CLOSE_TEXT, None, Severity.WARN),  # unmeasurable
    ],
)
def test_close_low_contrast(kind: ElementKind, ratio: float | None, expected: Severity) -> None:
    findings = run(screen(control(kind, text=None if kind == ElementKind.CLOSE_ICON else "跳过")),
                   measured(contrast=ratio))
    assert severity_of(findings, RuleId.CLOSE_LOW_CONTRAST) == expected


@pytest.mark.parametrize(
    ("zone", "zone_window", "edges", "status", "expected"),
    [
        ("top-right", None, (300, 30, 16, 560), False, Severity.PASS),
        ("bottom-center", None, (100, 500, 100, 30), False, Severity.PASS),
        ("center", "inside-picture", (160, 300, 160, 300), False, Severity.FAIL),
        ("middle-right", "window-top-right", (300, 250, 40, 300), False, Severity.PASS),  # corner of a card
        ("center", "below-window-center", (160, 400, 160, 200), False, Severity.PASS),
        ("center", "window-center", (160, 300, 160, 300), False, Severity.FAIL),
        ("top-right", None, (300, 30, 3.9, 560), False, Severity.WARN),  # under 4 dp from the edge
        ("top-right", None, (300, 30, 4.0, 560), False, Severity.PASS),  # exactly 4 dp
        ("top-right", None, (300, 2, 16, 560), True, Severity.WARN),  # mostly inside the status bar
    ],
)
def test_close_hard_to_find(zone: str, zone_window: str | None, edges: tuple[float, ...], status: bool,
                            expected: Severity) -> None:
    findings = run(screen(control()), measured(zone=zone, zone_window=zone_window, edges=edges, status=status))
    assert severity_of(findings, RuleId.CLOSE_HARD_TO_FIND) == expected


@pytest.mark.parametrize(
    ("kind", "zone_window", "expected"),
    [
        (ElementKind.CLOSE_TEXT, "window-center", Severity.PASS),  # a dialog's 取消 under its call to action
        (ElementKind.CLOSE_TEXT, "window-middle-left", Severity.PASS),
        (ElementKind.CLOSE_ICON, "window-center", Severity.FAIL),  # a bare × there has to be found
        (ElementKind.CLOSE_TEXT, "inside-picture", Severity.FAIL),  # 跳过 in the middle of a splash picture
    ],
)
def test_a_labelled_dismiss_button_on_a_card_is_where_its_buttons_are(kind: ElementKind, zone_window: str,
                                                                      expected: Severity) -> None:
    text = None if kind == ElementKind.CLOSE_ICON else "取消"
    findings = run(screen(control(kind, text=text)),
                   measured(zone="center", zone_window=zone_window, edges=(160, 300, 160, 300)))
    assert severity_of(findings, RuleId.CLOSE_HARD_TO_FIND) == expected


def test_best_control_is_judged() -> None:
    tiny = control(eid="tiny", box=Box(10, 10, 20, 20))
    good = control(eid="good")
    findings = run(screen(tiny, good), measured("tiny", dp=5, contrast=1.2), measured("good", dp=30))
    assert severity_of(findings, RuleId.CLOSE_TOO_SMALL) == Severity.PASS
    assert next(f for f in findings if f.rule == RuleId.CLOSE_TOO_SMALL).evidence == ("good",)


def text_el(eid: str, kind: ElementKind, text: str, *, button: Box | None = None, countdown: int | None = None,
            attrs: tuple[tuple[str, Any], ...] = ()) -> Element:
    return Element(id=eid, kind=kind, box=Box(100, 1500, 980, 1600), score=0.95, source="ocr", text=text,
                   button=button, countdown_s=countdown, attrs=attrs)


@pytest.mark.parametrize(
    ("elements", "expected"),
    [
        ((text_el("b", ElementKind.COUNTDOWN, "5秒后可关闭", countdown=5, attrs=(("blocks_close", True),)),),
         Severity.FAIL),
        ((text_el("b", ElementKind.COUNTDOWN, "5", countdown=5),), Severity.PASS),
        ((), Severity.PASS),
    ],
)
def test_countdown_blocks_close(elements: tuple[Element, ...], expected: Severity) -> None:
    findings = run(screen(control(), *elements), measured())
    assert severity_of(findings, RuleId.COUNTDOWN_BLOCKS_CLOSE) == expected


@pytest.mark.parametrize(
    ("seconds", "kind", "expected"),
    [(5, ScreenType.SPLASH, Severity.PASS), (6, ScreenType.SPLASH, Severity.WARN),
     (30, ScreenType.INTERSTITIAL, None), (None, ScreenType.SPLASH, None)],
)
def test_countdown_too_long(seconds: int | None, kind: ScreenType, expected: Severity | None) -> None:
    c = control(ElementKind.CLOSE_COUNTDOWN if seconds is not None else ElementKind.CLOSE_TEXT,
                text=f"跳过 {seconds}" if seconds is not None else "跳过", countdown=seconds)
    findings = run(screen(c, kind=kind), measured())
    assert severity_of(findings, RuleId.COUNTDOWN_TOO_LONG) == expected


BUTTON_SMALL = Box(140, 1500, 940, 1640)  # 800 × 140 px: 5 % of the screen
BUTTON_HUGE = Box(0, 0, 1080, 1600)  # 83 % of the screen


@pytest.mark.parametrize(
    ("kind", "hint", "expected"),
    [
        (ScreenType.SPLASH, text_el("j", ElementKind.JUMP_HINT, "点击跳转详情页或第三方应用",
                                    attrs=(("tap_anywhere", True),)), Severity.FAIL),  # floats over the picture
        (ScreenType.SPLASH, text_el("j", ElementKind.JUMP_HINT, "Install Now?"), Severity.PASS),  # a title, not a link
        (ScreenType.SPLASH, text_el("j", ElementKind.JUMP_HINT, "了解更多", button=BUTTON_SMALL), Severity.PASS),
        (ScreenType.SPLASH, text_el("j", ElementKind.JUMP_HINT, "了解更多", button=BUTTON_HUGE), Severity.FAIL),
        (ScreenType.INTERSTITIAL, text_el("j", ElementKind.JUMP_HINT, "Install", button=BUTTON_SMALL), Severity.PASS),
        (ScreenType.POPUP, text_el("j", ElementKind.JUMP_HINT, "查看详情"), None),  # splash and interstitial only
        (ScreenType.SPLASH, None, Severity.PASS),
    ],
)
def test_fullscreen_jump(kind: ScreenType, hint: Element | None, expected: Severity | None) -> None:
    elements = (control(),) + ((hint,) if hint else ())
    assert severity_of(run(screen(*elements, kind=kind), measured()), RuleId.FULLSCREEN_JUMP) == expected


def test_fullscreen_jump_at_exactly_three_quarters_passes() -> None:
    three_quarters = Box(0, 0, 1080, 1440)  # 1440 / 1920 = 0.75 exactly
    hint = text_el("j", ElementKind.JUMP_HINT, "了解更多", button=three_quarters)
    assert severity_of(run(screen(control(), hint), measured()), RuleId.FULLSCREEN_JUMP) == Severity.PASS


@pytest.mark.parametrize(
    ("elements", "expected"),
    [((text_el("s", ElementKind.SHAKE, "摇一摇"),), Severity.WARN), ((), Severity.PASS)],
)
def test_shake(elements: tuple[Element, ...], expected: Severity) -> None:
    findings = run(screen(control(), *elements), measured())
    assert severity_of(findings, RuleId.SHAKE_TRIGGER) == expected
    if expected == Severity.WARN:
        assert "15 m/s²" in next(f for f in findings if f.rule == RuleId.SHAKE_TRIGGER).message


AD = text_el("a", ElementKind.AD_LABEL, "广告")
HINT = text_el("j", ElementKind.JUMP_HINT, "点击跳转", button=BUTTON_SMALL)


@pytest.mark.parametrize(
    ("elements", "ad_height_dp", "ad_contrast", "expected"),
    [
        ((HINT,), None, None, Severity.FAIL),  # an ad screen with no ad label
        ((HINT, AD), 7.99, 7.0, Severity.FAIL),  # too small
        ((HINT, AD), 8.0, 7.0, Severity.PASS),  # exactly the limit
        ((HINT, AD), 10, 2.99, Severity.FAIL),  # too faint
        ((HINT, AD), 10, 3.0, Severity.PASS),
        ((), None, None, None),  # no ad cue: not an ad screen, rule silent
    ],
)
def test_ad_label_hidden(elements: tuple[Element, ...], ad_height_dp: float | None, ad_contrast: float | None,
                         expected: Severity | None) -> None:
    ms = [measured()]
    if ad_height_dp is not None:
        ms.append(replace(measured("a", contrast=ad_contrast), height=size(ad_height_dp)))
    findings = run(screen(control(), *elements), *ms)
    assert severity_of(findings, RuleId.AD_LABEL_HIDDEN) == expected


BUY = text_el("b", ElementKind.CALL_TO_ACTION, "去购买", button=BUTTON_SMALL)


@pytest.mark.parametrize(
    ("elements", "ad_height_dp", "expected"),
    [
        ((BUY,), None, None),  # a pop-up's call to action alone: maybe the app's own promotion
        ((BUY, AD), 6.0, Severity.FAIL),  # beside an ad label: an ad's, and the label is too small
        ((BUY, AD), 10.0, Severity.PASS),
        ((AD,), 6.0, None),  # a label with nothing to tap: no ad cue
    ],
)
def test_a_pop_ups_call_to_action_beside_an_ad_label_is_an_ads(elements: tuple[Element, ...],
                                                              ad_height_dp: float | None,
                                                              expected: Severity | None) -> None:
    ms = [measured()]
    if ad_height_dp is not None:
        ms.append(replace(measured("a"), height=size(ad_height_dp)))
    findings = run(screen(control(), *elements, kind=ScreenType.POPUP), *ms)
    assert severity_of(findings, RuleId.AD_LABEL_HIDDEN) == expected


def test_none_screen_has_no_findings_and_is_not_applicable() -> None:
    scr = screen(kind=ScreenType.NONE)
    findings = run(scr)
    assert findings == []
    assert verdict_for(scr, findings, PROFILE)[0] == Verdict.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("dp", "confidence", "score", "expected"),
    [
        (30, 0.9, 0.9, Verdict.PASS),
        (8, 0.9, 0.9, Verdict.FAIL),
        (30, 0.3, 0.9, Verdict.REVIEW),  # screen type unclear
        (30, 0.9, 0.3, Verdict.REVIEW),  # close control found with low confidence
        (8, 0.3, 0.3, Verdict.FAIL),  # a failure is a failure even when unsure
    ],
)
def test_verdict(dp: float, confidence: float, score: float, expected: Verdict) -> None:
    scr = screen(control(score=score), confidence=confidence)
    findings = run(scr, measured(dp=dp))
    verdict, reason = verdict_for(scr, findings, PROFILE)
    assert verdict == expected
    assert reason


# --- how text becomes elements: a blocking countdown on a pill is the (locked) close control ------

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _pill_screen(text: str, pill: Box, *, fill: tuple[int, int, int] = (40, 40, 40)) -> tuple[Any, Box]:
    """A 1080×1920 picture-grey page with ``text`` in white on a rounded pill; returns the RGB
    array and the OCR-like box of the text (padded by a quarter of its height, as PP-OCR pads)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (W, H), (120, 150, 130))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle(pill.to_list(), radius=pill.height / 2, fill=fill)
    font = ImageFont.truetype(FONT, round(pill.height * 0.45))
    cx, cy = pill.center
    draw.text((cx, cy), text, fill=(255, 255, 255), font=font, anchor="mm")
    x1, y1, x2, y2 = draw.textbbox((cx, cy), text, font=font, anchor="mm")
    pad = 0.25 * (y2 - y1)
    return np.asarray(img), Box(x1 - 1.2 * pad, y1 - pad, x2 + 1.2 * pad, y2 + pad)


@pytest.mark.parametrize(
    ("text", "pill", "kind"),
    [
        ("5秒后可关闭", Box(700, 110, 1040, 200), ElementKind.CLOSE_COUNTDOWN),  # locked skip pill, top right
        ("6秒后可领取奖励并关闭", Box(40, 110, 560, 190), ElementKind.CLOSE_COUNTDOWN),  # not a call to action
        ("跳过 5", Box(800, 110, 1040, 200), ElementKind.CLOSE_COUNTDOWN),
    ],
)
def test_countdown_pills_are_close_controls_measured_by_their_pill(text: str, pill: Box, kind: ElementKind) -> None:
    from detector.elements import text_elements
    from detector.lexicon import load_lexicon
    from detector.types import TextSpan

    rgb, text_box = _pill_screen(text, pill)
    (e,) = text_elements(rgb, [TextSpan(text, text_box, 0.95)], lexicon=load_lexicon(), profile=PROFILE)
    assert e.kind == kind
    assert e.button is not None and e.button.iou(pill) > 0.85  # the pill, not the padded text box


def test_floating_blocking_text_mid_screen_is_a_countdown_cue() -> None:
    """Free text under the picture ("5秒后可关闭" with no pill, far below the top band) only tells."""
    import numpy as np

    from detector.elements import text_elements
    from detector.lexicon import load_lexicon
    from detector.types import TextSpan

    rgb = np.full((H, W, 3), 200, np.uint8)
    (e,) = text_elements(rgb, [TextSpan("5秒后可关闭", Box(400, 1000, 680, 1040), 0.95)], lexicon=load_lexicon(),
                         profile=PROFILE)
    assert e.kind == ElementKind.COUNTDOWN
    assert e.attr("blocks_close")
