"""End to end on real screenshots (../shared/realdev): what a person sees in them.

Each case names the image and what it shows. The images belong to third parties and stay in
../shared; these tests skip when it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from detector import Analyzer, Report, RuleId, ScreenType, Severity, Verdict
from detector.types import Box, ElementKind

REALDEV = Path(__file__).resolve().parents[1].parent / "shared" / "realdev"
pytestmark = pytest.mark.skipif(not (REALDEV / "labels.jsonl").is_file(), reason="../shared/realdev not present")


@pytest.fixture(scope="module")
def labels() -> dict[str, dict[str, Any]]:
    out = {}
    for line in (REALDEV / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        out[Path(rec["image"]).name] = rec
    return out


def analyze(analyzer: Analyzer, name: str) -> Report:
    return analyzer.analyze(REALDEV / "images" / name, name=name)


def severity(report: Report, rule: RuleId) -> Severity | None:
    return next((f.severity for f in report.findings if f.rule == rule), None)


def test_install_interstitial_with_top_right_x(analyzer: Analyzer, labels: dict[str, dict[str, Any]]) -> None:
    """12782: a dating-app install ad, a big black × in the top-right corner, an AdChoices mark."""
    name = "aidui_contextdp__images__nagging__12782_BrQOkOg.jpg"
    report = analyze(analyzer, name)
    assert report.screen.screen_type == ScreenType.INTERSTITIAL
    label = Box.from_xyxy(labels[name]["close_controls"][0]["box"])
    icons = [e for e in report.screen.close_controls if e.kind == ElementKind.CLOSE_ICON]
    assert any(e.box.iou(label) >= 0.3 for e in icons)
    assert severity(report, RuleId.CLOSE_TOO_SMALL) == Severity.PASS  # ~33 dp
    assert severity(report, RuleId.CLOSE_HARD_TO_FIND) == Severity.PASS  # top-right corner
    assert severity(report, RuleId.CLOSE_MISSING) == Severity.PASS
    assert report.screen.by_kind(ElementKind.AD_LABEL), "the AdChoices mark is the ad label"


def test_ad_without_any_close_control_fails(analyzer: Analyzer) -> None:
    """Drum-Pad-0: a full-screen video ad with AdChoices and nothing to close it; a countdown ring
    "1" top-right where the × will appear (the text detector takes the ring and digit as one line)."""
    report = analyze(analyzer, "aidui_contextdp__images__nagging__music_3--Drum-Pad-0-33_8b90.jpg")
    assert report.screen.screen_type == ScreenType.INTERSTITIAL
    assert severity(report, RuleId.CLOSE_MISSING) == Severity.FAIL
    assert report.verdict == Verdict.FAIL
    assert [e.countdown_s for e in report.screen.by_kind(ElementKind.COUNTDOWN)] == [1]


def test_chinese_splash_with_shake_and_floating_jump_hint(analyzer: Analyzer) -> None:
    """lt0167: a 270-px-wide splash ad, 跳过 4 pill top-right, 摇动或点击了解更多 over the picture."""
    report = analyze(analyzer, "litiaotiao__full__lt0167_com.comic.cartoon36.jpg")
    assert report.screen.screen_type == ScreenType.SPLASH
    assert severity(report, RuleId.SHAKE_TRIGGER) == Severity.WARN
    assert severity(report, RuleId.FULLSCREEN_JUMP) == Severity.FAIL
    countdown = next(f for f in report.findings if f.rule == RuleId.COUNTDOWN_TOO_LONG)
    assert countdown.value == 4 and countdown.severity == Severity.PASS
    assert report.verdict == Verdict.FAIL


def test_ordinary_screen_is_not_applicable(analyzer: Analyzer) -> None:
    """10002: an ordinary app screen, no overlay."""
    report = analyze(analyzer, "aidui_contextdp__nodp__10002.jpg")
    assert report.screen.screen_type == ScreenType.NONE
    assert report.verdict == Verdict.NOT_APPLICABLE
    assert report.screen.close_controls == () and report.findings == ()


def test_update_dialog_with_x_below_the_card(analyzer: Analyzer) -> None:
    """lt0406: NetEase Music's update dialog over a scrim, a circled × centred below the card."""
    report = analyze(analyzer, "litiaotiao__full__lt0406_com.netease.cloudmusic.jpg")
    assert report.screen.screen_type == ScreenType.DIALOG
    best = next(f for f in report.findings if f.rule == RuleId.CLOSE_HARD_TO_FIND)
    assert best.severity == Severity.PASS
    m = report.measurement(best.evidence[0])
    assert m is not None and m.zone_window == "below-window-center"
    # The 99+ badge and the calendar's 27 on the dimmed page under the card are not countdowns.
    assert not report.screen.by_kind(ElementKind.COUNTDOWN)


def test_no_thanks_button_is_the_close_control(analyzer: Analyzer, labels: dict[str, dict[str, Any]]) -> None:
    """10277: an install interstitial whose only way out is NO THANKS at the bottom."""
    name = "aidui_contextdp__images__nagging__10277_92JZ8UO.jpg"
    report = analyze(analyzer, name)
    label = Box.from_xyxy(labels[name]["close_controls"][0]["box"])
    texts = [e for e in report.screen.close_controls if e.kind == ElementKind.CLOSE_TEXT]
    assert any(e.box.iou(label) >= 0.3 or label.contains_point(*e.box.center) for e in texts)
    assert next(e for e in texts if e.text and "THANKS" in e.text.upper())
    m = report.measurement(texts[0].id)
    assert m is not None and m.zone_screen.startswith("bottom")


@pytest.mark.parametrize(
    ("name", "what", "seconds"),
    [
        # 270 px wide: a grey 跳过 2 pill right of a 互动广告 pill; the free reading is "注2".
        ("litiaotiao__full__lt0607_com.tencent.qqpimsecure.jpg", "跳过 2 beside 互动广告", 2),
        # 270 px wide: 跳过 in a white circle with a yellow rim, on a pale picture.
        ("litiaotiao__full__lt0767_sshky.wjglq.rena.jpg", "跳过 in a white circle", None),
        # 360 px wide: only the number 2 in a faint grey ring, the countdown that skips when tapped.
        ("litiaotiao__full__lt0650_com.xiaohu.olevodmobile.jpg", "a lone 2 in a ring", 2),
    ],
)
def test_small_chinese_splash_skip_control_in_the_corner(
    analyzer: Analyzer, labels: dict[str, dict[str, Any]], name: str, what: str, seconds: int | None
) -> None:
    """Downscaled splash screens whose top-right skip control the whole-screen OCR pass cannot read."""
    report = analyze(analyzer, name)
    assert report.screen.screen_type == ScreenType.SPLASH, what
    label = Box.from_xyxy(labels[name]["close_controls"][0]["box"])
    hits = [e for e in report.screen.close_controls if e.box.iou(label) >= 0.3 or label.contains_point(*e.box.center)]
    assert hits, (what, report.screen.close_controls)
    assert hits[0].countdown_s == seconds, what
    assert severity(report, RuleId.CLOSE_MISSING) == Severity.PASS


def test_video_ad_with_only_a_countdown_ring(analyzer: Analyzer) -> None:
    """music_8: a Wish video interstitial; only a countdown 3 in a faint circle top-left, the close
    control not shown yet: no close control, and the countdown is read."""
    report = analyze(analyzer, "aidui_contextdp__images__nagging__music_8--Free-Music-Unlimited-Offline-4-17_3cb5.jpg")
    assert report.screen.screen_type == ScreenType.INTERSTITIAL
    assert severity(report, RuleId.CLOSE_MISSING) == Severity.FAIL
    assert [e.countdown_s for e in report.screen.by_kind(ElementKind.COUNTDOWN)] == [3]


@pytest.mark.parametrize(
    "name",
    [
        # a 5-star rating dialog over a music search list: the × clears the dimmed search bar
        "aidui_contextdp__images__nagging__music_13--Free-Music-Download-1-28_bf77.jpg",
        # a "Low Funds" dialog over a dimmed dialer, whose own × deletes a digit
        "aidui_contextdp__images__other_popups__communication_27--boss-revolution-3-43_dda6.jpg",
    ],
)
def test_page_x_under_a_dialog_is_not_its_close_control(analyzer: Analyzer, labels: dict[str, dict[str, Any]],
                                                         name: str) -> None:
    report = analyze(analyzer, name)
    assert report.screen.screen_type in (ScreenType.DIALOG, ScreenType.POPUP)
    window = report.screen.window
    assert window is not None
    labelled = [Box.from_xyxy(c["box"]) for c in labels[name]["close_controls"]]
    controls = report.screen.close_controls
    assert any(e.box.contains_point(*b.center) for e in controls for b in labelled), "the dialog's own dismiss text"
    assert not [e for e in controls if e.kind == ElementKind.CLOSE_ICON], "no × of the page under it"


def test_text_dense_upsell_closed_by_a_corner_x(analyzer: Analyzer, labels: dict[str, dict[str, Any]]) -> None:
    """TuneIn: a full-screen "Start Your Free Trial" upsell over a photo, much text, one bounded
    call to action (START LISTENING FREE) and a light × in the top-right corner that the model is
    not sure of (~0.77): the corner × and the single action make it an overlay, not a page."""
    name = "aidui_contextdp__images__other_popups__music_21--TuneIn-Radio-0-16_e31e.jpg"
    report = analyze(analyzer, name)
    assert report.screen.screen_type == ScreenType.INTERSTITIAL
    label = Box.from_xyxy(labels[name]["close_controls"][0]["box"])
    assert any(e.kind == ElementKind.CLOSE_ICON and e.box.iou(label) >= 0.3 for e in report.screen.close_controls)
    assert report.screen.by_kind(ElementKind.CALL_TO_ACTION)
