"""The rule findings a synthetic screen must produce, from what the generator knows for sure.

The thresholds below are the defaults of the cn-miit-2021 rule profile as the issue states them.
The lead's rule profile is the source of truth: when it changes, change :data:`DEFAULT_THRESHOLDS`
(or pass another :class:`Thresholds` to :func:`expected_findings`) and regenerate the set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- default thresholds (one place; swap for the lead's profile) --------------------------------
CLOSE_SIZE_FAIL_DP = 12.0  # CLOSE_TOO_SMALL fail: best control's shorter side < 12 dp
CLOSE_SIZE_WARN_DP = 24.0  # CLOSE_TOO_SMALL warn: < 24 dp
CONTRAST_FAIL = 3.0  # CLOSE_LOW_CONTRAST fail: best control's WCAG ratio < 3:1
CONTRAST_TEXT_WARN = 4.5  # CLOSE_LOW_CONTRAST warn: a text/countdown control < 4.5:1
SPLASH_COUNTDOWN_MAX_S = 5  # COUNTDOWN_TOO_LONG warn: splash countdown > 5 s
CTA_MAX_SCREEN_FRACTION = 0.75  # FULLSCREEN_JUMP fail: a bounded jump/CTA button > 75 % of the screen
AD_LABEL_MIN_TEXT_DP = 8.0  # AD_LABEL_HIDDEN fail: ad-label text height < 8 dp
AD_LABEL_MIN_CONTRAST = 3.0  # AD_LABEL_HIDDEN fail: ad-label contrast < 3:1

RULE_IDS = (
    "CLOSE_MISSING",
    "CLOSE_TOO_SMALL",
    "CLOSE_LOW_CONTRAST",
    "COUNTDOWN_BLOCKS_CLOSE",
    "COUNTDOWN_TOO_LONG",
    "FULLSCREEN_JUMP",
    "SHAKE_TRIGGER",
    "AD_LABEL_HIDDEN",
)
OVERLAY_SCREENS = ("splash", "interstitial", "popup", "dialog")
MUST_CLOSE_SCREENS = ("splash", "interstitial", "popup")  # CLOSE_MISSING applies to these
FULLSCREEN_SCREENS = ("splash", "interstitial")  # FULLSCREEN_JUMP applies to these


@dataclass(frozen=True, slots=True)
class Thresholds:
    close_size_fail_dp: float = CLOSE_SIZE_FAIL_DP
    close_size_warn_dp: float = CLOSE_SIZE_WARN_DP
    contrast_fail: float = CONTRAST_FAIL
    contrast_text_warn: float = CONTRAST_TEXT_WARN
    splash_countdown_max_s: int = SPLASH_COUNTDOWN_MAX_S
    cta_max_screen_fraction: float = CTA_MAX_SCREEN_FRACTION
    ad_label_min_text_dp: float = AD_LABEL_MIN_TEXT_DP
    ad_label_min_contrast: float = AD_LABEL_MIN_CONTRAST


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class ControlFact:
    kind: str  # icon | text | countdown
    size_dp: float  # shorter side of the button shape if visible, else of the glyph/text ink
    contrast: float  # WCAG ratio of the glyph/text against what is right behind it


@dataclass(slots=True)
class ScreenFacts:
    """What the generator drew that the rules look at."""

    screen: str
    controls: list[ControlFact] = field(default_factory=list)
    countdown_blocks: bool = False  # a control says it can only be used after a countdown
    countdown_s: int | None = None  # the countdown shown (seconds), if any
    floating_jump: bool = False  # a jump hint drawn over the picture with no button shape
    max_jump_button_fraction: float = 0.0  # the largest bounded jump/CTA button / screen area
    jump_hint: bool = False
    cta: bool = False
    shake: bool = False
    ad_label_height_dp: float | None = None  # None: no ad label drawn
    ad_label_contrast: float | None = None

    @property
    def is_ad(self) -> bool:
        """An ad screen for AD_LABEL_HIDDEN, as the rule decides it: a jump hint or a shake
        trigger anywhere; a call to action on a full screen (splash, interstitial). A pop-up's
        "去购买" alone is the app's own promotion, unless an ad label was drawn on it (then it is
        an ad, and a label too small or faint to find is the finding)."""
        cta_ad = self.cta and (self.screen in FULLSCREEN_SCREENS or self.ad_label_height_dp is not None)
        return self.jump_hint or self.shake or cta_ad


def control_size_severity(c: ControlFact, th: Thresholds = DEFAULT_THRESHOLDS) -> str:
    if c.size_dp < th.close_size_fail_dp:
        return "fail"
    if c.size_dp < th.close_size_warn_dp:
        return "warn"
    return "pass"


def control_contrast_severity(c: ControlFact, th: Thresholds = DEFAULT_THRESHOLDS) -> str:
    if c.contrast < th.contrast_fail:
        return "fail"
    if c.kind in ("text", "countdown") and c.contrast < th.contrast_text_warn:
        return "warn"
    return "pass"


def expected_findings(f: ScreenFacts, th: Thresholds = DEFAULT_THRESHOLDS) -> dict[str, str]:
    """rule id -> "fail" | "warn" | "pass"; empty for a screen with no overlay (not applicable).

    Size and contrast judge one and the same *best* control (a person needs one usable way
    out, both big enough and visible enough), chosen as the rules choose it
    (``detector.rules.best_control``): fewest fails over size and contrast, then fewest warnings,
    then the largest. A big × at 1.6:1 beside a small legible 暂不 is not a way out that passes both.
    """
    if f.screen not in OVERLAY_SCREENS:
        return {}
    out = dict.fromkeys(RULE_IDS, "pass")
    if not f.controls and f.screen in MUST_CLOSE_SCREENS:
        out["CLOSE_MISSING"] = "fail"
    if f.controls:

        def badness(c: ControlFact) -> tuple[int, int, float]:
            sev = (control_size_severity(c, th), control_contrast_severity(c, th))
            return (sev.count("fail"), sev.count("warn"), -c.size_dp)

        best = min(f.controls, key=badness)
        out["CLOSE_TOO_SMALL"] = control_size_severity(best, th)
        out["CLOSE_LOW_CONTRAST"] = control_contrast_severity(best, th)
    if f.countdown_blocks:
        out["COUNTDOWN_BLOCKS_CLOSE"] = "fail"
    if f.screen == "splash" and f.countdown_s is not None and f.countdown_s > th.splash_countdown_max_s:
        out["COUNTDOWN_TOO_LONG"] = "warn"
    if f.screen in FULLSCREEN_SCREENS and (
        f.floating_jump or f.max_jump_button_fraction > th.cta_max_screen_fraction
    ):
        out["FULLSCREEN_JUMP"] = "fail"
    if f.shake:
        out["SHAKE_TRIGGER"] = "warn"
    if f.is_ad:
        hidden = (
            f.ad_label_height_dp is None
            or f.ad_label_height_dp < th.ad_label_min_text_dp
            or (f.ad_label_contrast is not None and f.ad_label_contrast < th.ad_label_min_contrast)
        )
        if hidden:
            out["AD_LABEL_HIDDEN"] = "fail"
    return out


__all__ = [
    "AD_LABEL_MIN_CONTRAST",
    "AD_LABEL_MIN_TEXT_DP",
    "CLOSE_SIZE_FAIL_DP",
    "CLOSE_SIZE_WARN_DP",
    "CONTRAST_FAIL",
    "CONTRAST_TEXT_WARN",
    "CTA_MAX_SCREEN_FRACTION",
    "DEFAULT_THRESHOLDS",
    "RULE_IDS",
    "SPLASH_COUNTDOWN_MAX_S",
    "ControlFact",
    "ScreenFacts",
    "Thresholds",
    "control_contrast_severity",
    "expected_findings",
]
