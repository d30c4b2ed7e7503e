"""The rules: each one a small function from a measured screen to one :class:`Finding`.

Thresholds come from the :class:`~detector.profile.RuleProfile` and nowhere else; each finding
carries its evidence (element ids), the measured value, the threshold and the clause.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .profile import RuleProfile
from .types import (
    CLOSE_KINDS,
    Element,
    ElementKind,
    Finding,
    Measurement,
    RuleId,
    Screen,
    ScreenType,
    Severity,
    Verdict,
)

OVERLAY_TYPES = frozenset({ScreenType.SPLASH, ScreenType.INTERSTITIAL, ScreenType.POPUP, ScreenType.DIALOG})
GOOD_SCREEN_ZONES = frozenset({"top-left", "top-center", "top-right", "bottom-left", "bottom-center", "bottom-right"})
GOOD_WINDOW_ZONES = frozenset(
    {
        "window-top-left", "window-top-center", "window-top-right",
        "window-bottom-left", "window-bottom-center", "window-bottom-right",
        "below-window-center", "above-window-right",
    }
)


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule reads: the screen, its measurements and the profile."""

    screen: Screen
    measurements: Mapping[str, Measurement]
    profile: RuleProfile

    @property
    def controls(self) -> tuple[Element, ...]:
        return self.screen.close_controls

    def m(self, element: Element) -> Measurement:
        return self.measurements[element.id]


def _finding(ctx: Context, rule: RuleId, severity: Severity, message: str, *,
             evidence: Sequence[str] = (), value: float | None = None,
             threshold: float | None = None, unit: str | None = None) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        evidence=tuple(evidence),
        value=None if value is None else round(float(value), 2),
        threshold=threshold,
        unit=unit,
        clause=ctx.profile.rule(rule).clause,
    )


def size_severity(short_side_dp: float, profile: RuleProfile) -> Severity:
    if short_side_dp < profile.value(RuleId.CLOSE_TOO_SMALL, "fail_below"):
        return Severity.FAIL
    if short_side_dp < profile.value(RuleId.CLOSE_TOO_SMALL, "warn_below"):
        return Severity.WARN
    return Severity.PASS


def contrast_severity(ratio: float | None, kind: ElementKind, profile: RuleProfile) -> Severity:
    if ratio is None:
        return Severity.WARN
    if ratio < profile.value(RuleId.CLOSE_LOW_CONTRAST, "fail_below"):
        return Severity.FAIL
    if kind != ElementKind.CLOSE_ICON and ratio < profile.value(RuleId.CLOSE_LOW_CONTRAST, "text_warn_below"):
        return Severity.WARN
    return Severity.PASS


def position_severity(m: Measurement, profile: RuleProfile, kind: ElementKind) -> tuple[Severity, str]:
    # A labelled dismiss button on a card (取消, No thanks, 以后再说) says what it does wherever the
    # card's buttons are laid out, often mid-card under its call to action; only a bare mark (×)
    # has to be where people look for one.
    labelled_on_card = kind != ElementKind.CLOSE_ICON and (m.zone_window or "").startswith("window-")
    good = m.zone_screen in GOOD_SCREEN_ZONES or (m.zone_window in GOOD_WINDOW_ZONES) or labelled_on_card
    if m.zone_window == "inside-picture" or not good:
        where = m.zone_window if m.zone_window == "inside-picture" else m.zone_screen
        return Severity.FAIL, f"sits {where}, away from the corners, bands and window edges where people look"
    edge = profile.value(RuleId.CLOSE_HARD_TO_FIND, "edge_warn_dp")
    if min(m.edge_distance_dp) < edge:
        return Severity.WARN, f"lies {min(m.edge_distance_dp):g} dp from the screen edge (< {edge:g} dp)"
    if m.overlaps_status_bar and m.edge_distance_dp[1] < profile.setting("units", "status_bar_dp") * (
        1 - profile.value(RuleId.CLOSE_HARD_TO_FIND, "status_bar_overlap_warn")
    ):
        return Severity.WARN, "overlaps the status-bar strip"
    return Severity.PASS, f"sits {m.zone_window or m.zone_screen}"


_RANK = {Severity.PASS: 0, Severity.WARN: 1, Severity.FAIL: 2}


def best_control(ctx: Context) -> Element | None:
    """The close control that fares best: fewest fails, then fewest warnings, then the largest."""
    if not ctx.controls:
        return None

    def badness(e: Element) -> tuple[int, int, float]:
        m = ctx.m(e)
        sev = [
            size_severity(m.short_side.dp, ctx.profile),
            contrast_severity(m.contrast_ratio, e.kind, ctx.profile),
            position_severity(m, ctx.profile, e.kind)[0],
        ]
        return (sum(s == Severity.FAIL for s in sev), sum(s == Severity.WARN for s in sev), -m.short_side.dp)

    return min(ctx.controls, key=badness)


def _label(e: Element) -> str:
    if e.kind == ElementKind.CLOSE_ICON:
        return "×"
    # a skip pill found by its shape, its label unread (detector.pills.unread_skip_pill)
    return repr(e.text) if e.text is not None else "the skip pill (its label unread)"


def check_close_missing(ctx: Context) -> Finding:
    rule = RuleId.CLOSE_MISSING
    if ctx.controls:
        return _finding(ctx, rule, Severity.PASS, f"{len(ctx.controls)} close control(s) found",
                        evidence=[e.id for e in ctx.controls], value=len(ctx.controls))
    return _finding(ctx, rule, Severity.FAIL, f"no close control on this {ctx.screen.screen_type.value}", value=0)


def check_too_small(ctx: Context) -> Finding | None:
    best = best_control(ctx)
    if best is None:
        return None
    m = ctx.m(best)
    sev = size_severity(m.short_side.dp, ctx.profile)
    spec = ctx.profile.rule(RuleId.CLOSE_TOO_SMALL)
    limit = spec.threshold("fail_below" if sev == Severity.FAIL else "warn_below").value
    msg = (
        f"{_label(best)} is {m.short_side.dp:g} dp ({m.short_side.mm:g} mm, {m.short_side.px:g} px) "
        f"on its shorter side; {'below' if sev != Severity.PASS else 'at least'} {limit:g} dp"
    )
    return _finding(ctx, RuleId.CLOSE_TOO_SMALL, sev, msg, evidence=[best.id], value=m.short_side.dp,
                    threshold=limit, unit="dp")


def check_low_contrast(ctx: Context) -> Finding | None:
    best = best_control(ctx)
    if best is None:
        return None
    m = ctx.m(best)
    sev = contrast_severity(m.contrast_ratio, best.kind, ctx.profile)
    name = "fail_below" if sev == Severity.FAIL or best.kind == ElementKind.CLOSE_ICON else "text_warn_below"
    limit = ctx.profile.value(RuleId.CLOSE_LOW_CONTRAST, name)
    if m.contrast_ratio is None:
        return _finding(ctx, RuleId.CLOSE_LOW_CONTRAST, Severity.WARN, "contrast could not be measured",
                        evidence=[best.id], threshold=limit, unit="ratio")
    msg = (
        f"{_label(best)} has contrast {m.contrast_ratio:g}:1 against its surroundings "
        f"(foreground {m.foreground_rgb}, background {m.background_rgb}); limit {limit:g}:1"
    )
    return _finding(ctx, RuleId.CLOSE_LOW_CONTRAST, sev, msg, evidence=[best.id], value=m.contrast_ratio,
                    threshold=limit, unit="ratio")


def check_hard_to_find(ctx: Context) -> Finding | None:
    best = best_control(ctx)
    if best is None:
        return None
    sev, why = position_severity(ctx.m(best), ctx.profile, best.kind)
    return _finding(ctx, RuleId.CLOSE_HARD_TO_FIND, sev, f"{_label(best)} {why}", evidence=[best.id])


def check_countdown_blocks(ctx: Context) -> Finding:
    blocking = [e for e in ctx.screen.elements if e.attr("blocks_close")]
    if blocking:
        return _finding(ctx, RuleId.COUNTDOWN_BLOCKS_CLOSE, Severity.FAIL,
                        f"the text {blocking[0].text!r} says closing waits for a countdown",
                        evidence=[e.id for e in blocking], value=blocking[0].countdown_s, unit="s")
    return _finding(ctx, RuleId.COUNTDOWN_BLOCKS_CLOSE, Severity.PASS, "no text makes closing wait for a countdown")


def check_countdown_too_long(ctx: Context) -> Finding | None:
    if ctx.screen.screen_type != ScreenType.SPLASH:
        return None
    limit = ctx.profile.value(RuleId.COUNTDOWN_TOO_LONG, "warn_above")
    timed = [e for e in ctx.screen.elements if e.countdown_s is not None and e.kind in
             (ElementKind.CLOSE_COUNTDOWN, ElementKind.COUNTDOWN)]
    if not timed:
        return None
    longest = max(timed, key=lambda e: e.countdown_s or 0)
    seconds = float(longest.countdown_s or 0)
    sev = Severity.WARN if seconds > limit else Severity.PASS
    return _finding(ctx, RuleId.COUNTDOWN_TOO_LONG, sev,
                    f"splash countdown shows {seconds:g} s ({'over' if sev == Severity.WARN else 'within'} {limit:g} s)",
                    evidence=[longest.id], value=seconds, threshold=limit, unit="s")


def check_fullscreen_jump(ctx: Context) -> Finding | None:
    if ctx.screen.screen_type not in (ScreenType.SPLASH, ScreenType.INTERSTITIAL):
        return None
    hints = tuple(e for e in ctx.screen.elements if e.kind == ElementKind.JUMP_HINT or e.attr("jump_hint"))
    if not hints:
        return _finding(ctx, RuleId.FULLSCREEN_JUMP, Severity.PASS, "no jump hint on the screen")
    floating = [e for e in hints if e.button is None and e.attr("tap_anywhere")]
    if floating:
        return _finding(ctx, RuleId.FULLSCREEN_JUMP, Severity.FAIL,
                        f"the jump hint {floating[0].text!r} floats over the picture with no bounded button: "
                        "the whole screen acts as the link", evidence=[e.id for e in floating])
    limit = ctx.profile.value(RuleId.FULLSCREEN_JUMP, "max_cta_area")
    screen_area = float(ctx.screen.width * ctx.screen.height)
    biggest = max(hints, key=lambda e: e.button.area if e.button else 0.0)
    fraction = (biggest.button.area if biggest.button else 0.0) / screen_area
    sev = Severity.FAIL if fraction > limit else Severity.PASS
    return _finding(ctx, RuleId.FULLSCREEN_JUMP, sev,
                    f"the jump button {biggest.text!r} covers {fraction:.0%} of the screen (limit {limit:.0%})",
                    evidence=[biggest.id], value=fraction, threshold=limit, unit="fraction of screen")


def check_shake(ctx: Context) -> Finding:
    shakes = ctx.screen.by_kind(ElementKind.SHAKE)
    if not shakes:
        return _finding(ctx, RuleId.SHAKE_TRIGGER, Severity.PASS, "no shake or twist trigger shown")
    return _finding(ctx, RuleId.SHAKE_TRIGGER, Severity.WARN,
                    f"a shake/twist trigger is shown ({shakes[0].text!r}); its sensitivity cannot be read from a "
                    "picture: T/TAF 078.7—2022 asks for ≥ 15 m/s², ≥ 35° rotation and ≥ 3 s",
                    evidence=[e.id for e in shakes])


def _is_ad_screen(screen: Screen) -> bool:
    """A jump hint or a shake trigger makes an ad; so does a call to action on a full screen.
    On a pop-up or a dialog a call to action alone (去购买) may be the app's own promotion, but
    one beside an ad label is an ad's, and that label then has to be legible."""
    kinds = {e.kind for e in screen.elements}
    if kinds & {ElementKind.JUMP_HINT, ElementKind.SHAKE}:
        return True
    return ElementKind.CALL_TO_ACTION in kinds and (
        screen.screen_type in (ScreenType.SPLASH, ScreenType.INTERSTITIAL) or ElementKind.AD_LABEL in kinds)


def check_ad_label(ctx: Context) -> Finding | None:
    if not _is_ad_screen(ctx.screen):
        return None
    labels = ctx.screen.by_kind(ElementKind.AD_LABEL)
    rule = RuleId.AD_LABEL_HIDDEN
    if not labels:
        return _finding(ctx, rule, Severity.FAIL, "an ad screen (jump hint, call to action or shake) shows no ad label")
    min_h = ctx.profile.value(rule, "min_text_height")
    min_c = ctx.profile.value(rule, "min_contrast")

    def quality(e: Element) -> tuple[float, float]:
        m = ctx.m(e)
        return (m.height.dp, m.contrast_ratio or 0.0)

    best = max(labels, key=quality)
    m = ctx.m(best)
    if m.height.dp < min_h:
        return _finding(ctx, rule, Severity.FAIL, f"the ad label {best.text!r} is {m.height.dp:g} dp tall (< {min_h:g} dp)",
                        evidence=[best.id], value=m.height.dp, threshold=min_h, unit="dp")
    # The AdChoices mark is a standard symbol recognised by its shape and colour, not read as
    # text: its size counts, its (by design light) contrast does not.
    if m.contrast_ratio is not None and m.contrast_ratio < min_c and best.source != "cv-admark":
        return _finding(ctx, rule, Severity.FAIL,
                        f"the ad label {best.text!r} has contrast {m.contrast_ratio:g}:1 (< {min_c:g}:1)",
                        evidence=[best.id], value=m.contrast_ratio, threshold=min_c, unit="ratio")
    return _finding(ctx, rule, Severity.PASS,
                    f"ad label {best.text!r}: {m.height.dp:g} dp tall, contrast {m.contrast_ratio}:1",
                    evidence=[best.id], value=m.height.dp, threshold=min_h, unit="dp")


RULES: Mapping[RuleId, Callable[[Context], Finding | None]] = {
    RuleId.CLOSE_MISSING: check_close_missing,
    RuleId.CLOSE_TOO_SMALL: check_too_small,
    RuleId.CLOSE_LOW_CONTRAST: check_low_contrast,
    RuleId.CLOSE_HARD_TO_FIND: check_hard_to_find,
    RuleId.COUNTDOWN_BLOCKS_CLOSE: check_countdown_blocks,
    RuleId.COUNTDOWN_TOO_LONG: check_countdown_too_long,
    RuleId.FULLSCREEN_JUMP: check_fullscreen_jump,
    RuleId.SHAKE_TRIGGER: check_shake,
    RuleId.AD_LABEL_HIDDEN: check_ad_label,
}


def judge(screen: Screen, measurements: Mapping[str, Measurement], profile: RuleProfile) -> list[Finding]:
    """Every rule that applies to this screen, in the profile's order. ``none`` screens get none."""
    if screen.screen_type not in OVERLAY_TYPES:
        return []
    ctx = Context(screen, measurements, profile)
    findings: list[Finding] = []
    for spec in profile.rules:
        if spec.applies_to is not None and screen.screen_type not in spec.applies_to:
            continue
        finding = RULES[spec.id](ctx)
        if finding is not None:
            findings.append(finding)
    return findings


def verdict_for(screen: Screen, findings: Sequence[Finding], profile: RuleProfile) -> tuple[Verdict, str]:
    """fail if any rule fails; review when the analyzer is unsure; pass otherwise."""
    if screen.screen_type == ScreenType.NONE:
        return Verdict.NOT_APPLICABLE, "no splash screen or pop-up: the rules do not apply"
    failed = [f for f in findings if f.severity == Severity.FAIL]
    min_screen = profile.setting("verdict", "min_screen_confidence")
    min_close = profile.setting("verdict", "min_close_score")
    unsure = [e for e in screen.elements if e.kind in CLOSE_KINDS and e.score < min_close]
    if failed:
        return Verdict.FAIL, "fails " + ", ".join(sorted({f.rule.value for f in failed}))
    if screen.type_confidence < min_screen:
        return Verdict.REVIEW, f"screen type unclear ({screen.type_reason})"
    if unsure:
        return Verdict.REVIEW, f"a close control was found with low confidence ({unsure[0].score:.2f})"
    warned = sorted({f.rule.value for f in findings if f.severity == Severity.WARN})
    return Verdict.PASS, "passes" + (f" with warnings: {', '.join(warned)}" if warned else "")
