"""The analyzer: one screenshot in, one :class:`Report` out.

Stages (each a plain function or a callable built once):
load → density → OCR → text elements → × icons → screen type and window → measurements → rules →
verdict. The :class:`Analyzer` holds what is expensive to build (OCR models, the icon model) and
is reused for every screenshot.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from .admarks import after_a_glyph, beside_ad_choices, find_ad_marks, find_info_marks
from .elements import in_status_bar, lone_x_spans, status_bar_strip, text_elements
from .icons import IconCandidate, IconSettings, find_close_icons
from .imageio import ImageLimits, LoadedImage, load_image
from .lexicon import Lexicon, load_lexicon
from .measure import density_for, measure_element, window_zone
from .model import ModelIcons, model_available
from .ocr import OcrSettings, TextReader, make_reader
from .pills import corner_countdowns, corner_skip_controls, unread_skip_pill
from .profile import DEFAULT_PROFILE, RuleProfile, get_profile
from .proposer import ProposedIcons, proposer_available
from .rules import judge, verdict_for
from .screen import (
    ScreenDecision,
    beside_window,
    classify_screen,
    cut_by_window,
    find_windows,
    floating_picture,
    near_window,
    surround_peak,
    trim_card,
    under_scrim,
)
from .secondlook import card_look, second_look
from .types import Box, Element, ElementKind, Measurement, Report, RuleId, Screen, ScreenType, TextSpan

__version__ = "0.1.0"


class IconDetector(Protocol):
    """Anything that finds × icons: the classical detector, the ONNX model, or both fused."""

    name: str

    def __call__(self, rgb: npt.NDArray[np.uint8], *, density: float, exclude: Sequence[Box]) -> list[IconCandidate]: ...


class ClassicalIcons:
    """The classical computer-vision × detector (detector/icons.py)."""

    name = "cv"

    def __init__(self, settings: IconSettings | None = None) -> None:
        self.settings = settings or IconSettings()

    def __call__(self, rgb: npt.NDArray[np.uint8], *, density: float, exclude: Sequence[Box]) -> list[IconCandidate]:
        return find_close_icons(rgb, density=density, settings=self.settings, exclude=exclude)


def default_icon_detectors() -> list[IconDetector]:
    """The ONNX classifier (it rescores the classical candidates) joined by the ONNX proposer (it
    finds ×s anywhere on the screen) when their files are present and match their manifests; the
    classifier alone without the proposer; the classical detector alone without either, so a
    checkout without the models still works."""
    if not model_available():
        return [ClassicalIcons()]
    if not proposer_available():
        return [ModelIcons()]
    return [ProposedIcons(ModelIcons())]


ICON_DETECTOR_CHOICES = ("default", "classifier", "classical")


def icon_detectors_named(name: str) -> list[IconDetector]:
    """The icon stage by name, for comparisons in one run: ``default`` (what
    :func:`default_icon_detectors` picks), ``classifier`` (the × classifier over classical
    candidates, no proposer) or ``classical`` (no model at all)."""
    if name == "default":
        return default_icon_detectors()
    if name == "classifier":
        return [ModelIcons()]
    if name == "classical":
        return [ClassicalIcons()]
    raise ValueError(f"unknown icon detector {name!r} (one of {', '.join(ICON_DETECTOR_CHOICES)})")


def _versions(ocr: str, profile: str, icon_sources: Sequence[str]) -> tuple[tuple[str, str], ...]:
    def v(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "absent"

    return (
        ("closecheck", __version__),
        ("profile", profile),
        ("ocr", ocr),
        ("icons", "+".join(icon_sources)),
        ("opencv", v("opencv-python-headless")),
        ("onnxruntime", v("onnxruntime")),
        ("rapidocr_onnxruntime", v("rapidocr-onnxruntime")),
    )


def _icon_elements(candidates: Sequence[IconCandidate], texts: Sequence[Element], *, min_overlap: float,
                   source: str) -> list[Element]:
    """× candidates that are not part of a dismiss text already found (Skip Ad ▶|)."""
    closes = [t for t in texts if t.kind.is_close_control]
    out: list[Element] = []
    for i, c in enumerate(sorted(candidates, key=lambda c: -c.score)):
        if any(c.box.iou(t.box) >= min_overlap or t.box.contains_point(*c.box.center) for t in closes):
            continue
        if any(c.box.iou(o.box) >= min_overlap or o.box.contains_point(*c.box.center)
               or c.box.contains_point(*o.box.center) for o in out):
            continue  # the same control found again (OCR's lone × inside an icon's button)
        out.append(
            Element(
                id=f"i{i}",
                kind=ElementKind.CLOSE_ICON,
                box=c.box,
                score=round(float(c.score), 3),
                source=source,
                button=c.box if c.style.startswith(("circle", "square")) else None,
                attrs=(("style", c.style), ("polarity", c.polarity), ("glyph", c.glyph.to_list())),
            )
        )
    return out


def trails_a_word(box: Box, lines: Sequence[TextSpan], lexicon: Lexicon, *, max_gap: float,
                  height_range: tuple[float, float], row_offset: float) -> bool:
    """Whether a × sits right after a word OCR read on its row: a chip's or a tag's × (推荐 ×,
    Nearby ×) that removes the word, not a close button of an overlay, which stands alone. The
    gap is at most ``max_gap`` line heights, the × between ``height_range`` line heights tall,
    its centre within ``row_offset`` line heights of the line's. An ad label's × (广告 ×) closes
    the ad and stays."""
    cy = box.center[1]
    for line in lines:
        lh = line.box.height
        if (lh > 0 and 0 <= box.x1 - line.box.x2 <= max_gap * lh
                and height_range[0] * lh <= box.height <= height_range[1] * lh
                and abs(cy - line.box.center[1]) <= row_offset * lh
                and not lexicon.contains_ad_label(line.text)):
            return True
    return False


def ad_corner_icon(half_believed: Sequence[Element], elements: Sequence[Element], *, width: int,
                   min_score: float, icon_min_score: float, text_lines: Sequence[Box] = (),
                   mark: str = "ad_corner") -> list[Element]:
    """The × a full-screen ad with no close control is closed by: the best of the top band's
    ×s scored from ``min_score`` up to the icon threshold that sits in one of the screen's outer
    quarters and not on a countdown ring (its digit) or centred in a line OCR read
    (``text_lines``: the strokes of an "ad" label or a "5s" countdown), taken at
    ``icon_min_score`` and marked ``mark``; none when there is no such ×."""
    rings = [e.box for e in elements if e.kind == ElementKind.COUNTDOWN]
    corner = [e for e in sorted(half_believed, key=lambda e: -e.score)
              if min_score <= e.score < icon_min_score and not width / 4 <= e.box.center[0] <= 3 * width / 4
              and not any(r.contains_point(*e.box.center) for r in [*rings, *text_lines])]
    return [dataclasses.replace(e, score=icon_min_score, attrs=(*e.attrs, (mark, True))) for e in corner[:1]]


_CARD_CLOSE_ZONES = ("below-window-center", "above-window-right")


def on_card_icons(half_believed: Sequence[Element], elements: Sequence[Element], window: Box, *,
                  icon_min_score: float, min_side_px: float, zone: Callable[[Box], str | None],
                  text_lines: Sequence[Box]) -> list[Element]:
    """The half-believed ×s (scored from ``screen.card_icon_min_score`` up to the icon threshold)
    at least ``min_side_px`` on their shorter side that sit on a pop-up's card, centred below it
    or above its top-right corner (``zone``: :func:`detector.measure.window_zone`), and overlap no
    close control found already, taken at ``icon_min_score`` and marked ``on_card``. One centred
    in a line of text (``text_lines``) is a stroke of a character (这, 开), not a button."""
    found = [e.box for e in elements if e.kind.is_close_control]
    out = []
    for e in half_believed:
        where = zone(e.box) or ""
        if (e.score < icon_min_score and min(e.box.width, e.box.height) >= min_side_px
                and (where.startswith("window-") or where in _CARD_CLOSE_ZONES)
                and not any(b.intersection(e.box) > 0 for b in found)
                and not any(line.contains_point(*e.box.center) for line in text_lines)):
            out.append(dataclasses.replace(e, score=icon_min_score, attrs=(*e.attrs, ("on_card", True))))
    return out


def below_card_icon(weak: Sequence[Element], elements: Sequence[Element], window: Box, *, icon_min_score: float,
                    min_score: float, line_min_score: float, min_side_px: float, centre_px: float, below_px: float,
                    text_lines: Sequence[Box]) -> list[Element]:
    """For a card that nothing closes yet: the × the detectors believe at least ``min_score``
    centred below it (its centre within ``centre_px`` of the card's centre line, its top within
    ``below_px`` under the card's bottom edge), at least ``min_side_px`` on its shorter side,
    taken at ``icon_min_score`` and marked ``below_card``. The circled × centred under a card is
    a pop-up's usual close button, and that position is the second piece of evidence for a faint
    or large one the detectors score low. One centred in a line of the page's text (a stroke of
    a character) needs ``line_min_score``."""
    if any(e.kind.is_close_control for e in elements):
        return []
    centre_x = window.center[0]
    picks = [e for e in sorted(weak, key=lambda e: -e.score)
             if min_score <= e.score < icon_min_score and min(e.box.width, e.box.height) >= min_side_px
             and abs(e.box.center[0] - centre_x) <= centre_px and 0 <= e.box.y1 - window.y2 <= below_px
             and (e.score >= line_min_score or not any(line.contains_point(*e.box.center) for line in text_lines))]
    return [dataclasses.replace(e, score=icon_min_score, attrs=(*e.attrs, ("below_card", True))) for e in picks[:1]]


class Analyzer:
    """Build once; call :meth:`analyze` for each screenshot.

    ``ocr`` names the OCR engine (``ppocr`` or ``tesseract``); ``profile`` a rule profile name or
    YAML path; ``icon_detectors`` defaults to :func:`default_icon_detectors` (the ONNX model over
    the classical candidates, or the classical detector when the model is absent).
    """

    def __init__(
        self,
        ocr: str = "ppocr",
        profile: str = DEFAULT_PROFILE,
        *,
        icon_detectors: Sequence[IconDetector] | None = None,
        limits: ImageLimits | None = None,
        ocr_options: dict[str, object] | None = None,
    ) -> None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self.profile: RuleProfile = get_profile(profile)
        self.ocr_name = ocr
        settings = dataclasses.replace(
            OcrSettings(), rec_max_aspect=self.profile.setting("detection", "ocr_rec_max_aspect")
        )
        self.reader: TextReader = make_reader(ocr, settings=settings, **(ocr_options or {}))
        self.lexicon: Lexicon = load_lexicon()
        self.limits = limits or ImageLimits()
        self.icon_detectors: list[IconDetector] = (
            list(icon_detectors) if icon_detectors is not None else default_icon_detectors()
        )

    def analyze(
        self,
        source: bytes | str | Path | LoadedImage,
        *,
        name: str | None = None,
        density: float | None = None,
        width_dp: float | None = None,
    ) -> Report:
        timings: list[tuple[str, float]] = []
        t_start = time.perf_counter()

        def lap(stage: str, t0: float) -> float:
            now = time.perf_counter()
            timings.append((stage, round((now - t0) * 1000, 1)))
            return now

        image = load_image(source, name=name, limits=self.limits)
        t = lap("load", t_start)
        rgb = image.rgb
        h, w = rgb.shape[:2]
        dens = density_for(w, h, baseline_width_dp=self.profile.setting("units", "baseline_width_dp"),
                           density=density, width_dp=width_dp)

        located = self.reader.read(rgb)
        spans = [s for s in located if s.text]  # long body-text lines are located, not read
        t = lap("ocr", t)
        status_bar = status_bar_strip(spans, lexicon=self.lexicon, width=w,
                                      strip_px=self.profile.setting("units", "status_bar_dp") * dens,
                                      clock_side_fraction=self.profile.setting("units", "status_clock_side_fraction"),
                                      clock_center_fraction=self.profile.setting("units", "status_clock_center_fraction"))
        texts = text_elements(rgb, spans, lexicon=self.lexicon, profile=self.profile, status_bar=status_bar,
                              density=dens)
        texts = corner_skip_controls(rgb, texts, reader=self.reader, lexicon=self.lexicon, profile=self.profile,
                                     density=dens)
        t = lap("text", t)

        # lines read as words (two characters or more): a × centred in one is a stroke of its text
        read_lines = [s.box for s in located if s.text and len(s.text.strip()) >= 2]
        # and, for the icon detectors and a card's half-believed ×s, lines located but not read
        exclude = read_lines + [s.box for s in located if not s.text]
        candidates: list[tuple[str, IconCandidate]] = []
        for detector in self.icon_detectors:
            candidates += [(detector.name, c) for c in detector(rgb, density=dens, exclude=exclude)]
        candidates += [
            (
                "ocr-glyph",
                IconCandidate(box=s.box, glyph=s.box, score=float(s.confidence) * 0.9, style="plain",
                              polarity="unknown"),
            )
            for s in lone_x_spans(spans)
        ]
        icons = _icon_elements(
            [c for _, c in candidates], texts,
            min_overlap=self.profile.setting("detection", "icon_text_overlap"),
            source="+".join(sorted({src for src, _ in candidates})) or "cv",
        )
        # a chip's or tag's × after its word removes the word, a mute mark's after its speaker
        # silences a video: neither is an overlay's close
        polarity = {"light-on-dark": True, "dark-on-light": False}
        icons = [e for e in icons if not after_a_glyph(rgb, Box.from_xyxy(e.attr("glyph")),
                                                       light=polarity.get(e.attr("polarity")), profile=self.profile)]
        icons = [e for e in icons if not trails_a_word(
            e.box, spans, self.lexicon, max_gap=self.profile.setting("detection", "tag_x_max_gap"),
            height_range=(self.profile.setting("detection", "tag_x_min_height"),
                          self.profile.setting("detection", "tag_x_max_height")),
            row_offset=self.profile.setting("detection", "tag_x_row_offset"))]
        min_icon = self.profile.setting("detection", "icon_min_score")
        # × glyphs among the status-bar icons are the system's, unless a full-screen ad has
        # nothing else to close it (below): then one is its close control, hidden there.
        status_icons = sorted((e for e in icons if e.score >= min_icon and in_status_bar(e.box, status_bar)),
                              key=lambda e: -e.score)
        icons = [e for e in icons if not in_status_bar(e.box, status_bar)]
        # A × the detectors only half believe is taken when it sits on the corner of a floating ad
        # picture at the screen's side (the picture's geometry is the second piece of evidence), or
        # in a top corner of a full-screen ad that nothing else closes (below).
        floating_min = self.profile.setting("screen", "floating_icon_min_score")
        top_band = self.profile.setting("screen", "top_band_fraction") * h
        card_min = self.profile.setting("screen", "card_icon_min_score")
        kept: list[Element] = []
        half_believed: list[Element] = []  # the top band's: for a full-screen ad nothing else closes
        # for a pop-up's card; not in the navigation bar, whose ◁ ○ □ are the system's (a sheet's
        # box runs down over it)
        nav_top = h - self.profile.setting("units", "navigation_bar_dp") * dens
        on_card_candidates = [e for e in icons if card_min <= e.score < min_icon and e.box.center[1] < nav_top]
        below_min = self.profile.setting("screen", "below_card_icon_min_score")
        below_candidates = [e for e in icons if below_min <= e.score < min_icon]  # for a card nothing closes
        for e in icons:
            if e.score >= min_icon:
                kept.append(e)
            elif e.box.center[1] <= top_band:
                half_believed.append(e)
            elif e.score >= floating_min:
                pic = floating_picture(rgb, e.box, density=dens, profile=self.profile)
                if pic is not None:  # the picture found is kept with it, for the screen stage
                    kept.append(dataclasses.replace(e, score=min_icon,
                                                    attrs=(*e.attrs, ("floating_picture", pic.to_list()))))
        icons = kept
        t = lap("icons", t)

        closing_texts = [e for e in texts if e.kind.is_close_control]
        if all(e.attr("weak_close") for e in closing_texts):
            # Before the screen is said to have no close control, it is read again with its local
            # contrast stretched: a faint or tiny dismiss label is a finding, not an absence. So is
            # it when only ×s close it: a 以后再说 at 1.3:1 under an app-install ad's × is the
            # second way out that CLOSE_LOW_CONTRAST has to judge. And when only a weak word (确定,
            # OK) would close it: a dialog's 取消 greyed to 1.3:1 beside a bright 确定 is the way
            # out, and beside it the 确定 means accept.
            found = second_look(rgb, located, reader=self.reader, lexicon=self.lexicon, profile=self.profile,
                                density=dens, status_bar=status_bar,
                                phrases_only=bool(closing_texts) or any(e.kind.is_close_control for e in icons))
            if closing_texts:
                found = [e for e in found if not e.attr("weak_close")]
                if found:
                    texts = [dataclasses.replace(e, kind=ElementKind.TEXT) if e.attr("weak_close") else e
                             for e in texts]
            dense = len(located) >= self.profile.setting("screen", "dense_text_lines")
            if not found and not dense and not any(e.kind.is_close_control for e in [*closing_texts, *icons]):
                # A sparse screen (a splash, an interstitial) that nothing closes yet is read once
                # more, larger but never enlarged: shrunk to 640 px a 12-dp Skip on a 540-px
                # screenshot is 5 px tall. Ordinary pages are dense and skip this.
                found = second_look(rgb, located, reader=self.reader, lexicon=self.lexicon, profile=self.profile,
                                    density=dens, status_bar=status_bar, phrases_only=True,
                                    whole_long_side=min(float(max(w, h)),
                                                        self.profile.setting("second_look", "sparse_long_side")))
            texts += found
            t = lap("second_look", t)

        found_marks = [(b, "cv-admark", "AdChoices") for b in find_ad_marks(rgb, density=dens, profile=self.profile)]
        found_marks += [(b, "cv-infomark", "ⓘ") for b in find_info_marks(rgb, density=dens, profile=self.profile)]
        marks = [
            Element(id=f"m{i}", kind=ElementKind.AD_LABEL, box=b, score=0.8, source=source, text=text)
            for i, (b, source, text) in enumerate(found_marks)
            if not in_status_bar(b, status_bar)  # status-bar icons are the system's
        ]
        t = lap("ad_marks", t)

        elements = texts + icons + marks
        windows = None
        if not any(e.kind.is_close_control for e in elements):
            # Nothing closes the screen: a card floating over a scrim (its surround with nothing
            # as bright as an undimmed page) is read again for a faint dismiss label, which names
            # it a dialog or a pop-up (a dialog's Not now greyed to 1.2:1 beside its Turn on).
            windows = find_windows(rgb, profile=self.profile)  # the screen stage's too
            card = next((c.box for c in windows if c.box.x1 > 0 and c.box.x2 < w
                         and c.surround_peak < self.profile.setting("screen", "scrim_peak_luminance")), None)
            if card is not None:
                elements += card_look(rgb, card, located, reader=self.reader, lexicon=self.lexicon,
                                      profile=self.profile, density=dens, status_bar=status_bar)
            t = lap("card_look", t)
        decision = classify_screen(rgb, elements, profile=self.profile, min_icon_score=min_icon,
                                   text_lines=len(located), windows=windows)
        if decision.window is not None and decision.screen_type in (ScreenType.POPUP, ScreenType.DIALOG):
            # a card's outline can close one contour with the dimmed page's panels it overlaps;
            # what lies on the card, beside it and below it is judged against the card's own sides
            decision = dataclasses.replace(decision, window=trim_card(rgb, decision.window, density=dens,
                                                                      profile=self.profile))
        if decision.window is not None and decision.screen_type in (ScreenType.POPUP, ScreenType.DIALOG):
            window = decision.window
            # the dimmed page's brightest, read once for the card's under-scrim tests below
            page_peak_of = functools.cache(lambda: surround_peak(rgb, window, self.profile))
            # A × the detectors half believe is taken on a pop-up's card when it is drawn to be
            # tapped (screen.corner_icon_min_dp): the card over its scrim is the second piece of
            # evidence, and a × there (one that blends into the card's picture, 欺骗性的关闭) can
            # only be the overlay's. A dialog's card carries wording and buttons, no picture to
            # hide a × in, and its ×-like marks are its own (a field's clear button).
            if decision.screen_type == ScreenType.POPUP:
                elements += on_card_icons(
                    on_card_candidates, elements, window, icon_min_score=min_icon,
                    min_side_px=self.profile.setting("screen", "corner_icon_min_dp") * dens,
                    zone=lambda b: window_zone(
                        b, window, Box(0, 0, w, h), density=dens,
                        corner_fraction=self.profile.value(RuleId.CLOSE_HARD_TO_FIND, "corner_fraction"),
                        below_dp=self.profile.value(RuleId.CLOSE_HARD_TO_FIND, "below_window_dp")),
                    text_lines=exclude)
                # A card that nothing closes yet may be closed from a top corner of the screen,
                # where a pop-up's close button also sits (the 524 action's "position" clause
                # lets it be anywhere it can be found): a half-believed × there, drawn above the
                # scrim (not as dim as the page under it), is taken as the full-screen ad's is.
                if not any(e.kind.is_close_control for e in elements):
                    corner_px = self.profile.setting("screen", "corner_icon_min_dp") * dens
                    in_corner = [e for e in on_card_candidates
                                 if e.box.center[1] <= top_band and not window.contains_point(*e.box.center)
                                 and min(e.box.width, e.box.height) >= corner_px
                                 and not under_scrim(rgb, e.button or e.box, window, page_peak_of(), self.profile,
                                                     plain=e.button is None)]
                    elements += ad_corner_icon(in_corner, elements, width=w, icon_min_score=min_icon,
                                               min_score=card_min, text_lines=exclude, mark="screen_corner")
            # where a pop-up's close sits centred below its card: for below_card_icon, and the
            # dimmed-page test below
            centre_px = self.profile.setting("screen", "below_card_centre_dp") * dens
            below_px = self.profile.value(RuleId.CLOSE_HARD_TO_FIND, "below_window_dp") * dens
            elements += below_card_icon(
                below_candidates, elements, window, icon_min_score=min_icon, min_score=below_min,
                line_min_score=card_min,
                min_side_px=self.profile.setting("screen", "corner_icon_min_dp") * dens,
                centre_px=centre_px, below_px=below_px,
                text_lines=exclude)
            # Numbers on the dimmed page under a card (a badge, a calendar date) are the page's,
            # not a countdown of the overlay; close controls may sit outside the card and stay.
            elements = [dataclasses.replace(e, kind=ElementKind.TEXT, countdown_s=None)
                        if e.kind == ElementKind.COUNTDOWN and not decision.window.contains_point(*e.box.center) else e
                        for e in elements]
            # Once the card has a close control of its own, ×s far from it (a search box's clear
            # button, a chip's ×) are the dimmed page's. A × that stays as dark as the scrim was
            # drawn under it, and one level with the card's body off its side is where the page's
            # controls show past the card (a search field's clear disc whose field the card hides,
            # a banner's ▷× mark): neither is the card's. A card without a close control of its
            # own keeps the rest, since its close button may sit anywhere (a screen corner), and
            # the card found may be only part of the real one, but not a dimmed × beside it.
            near = near_window(decision.window, w, h, self.profile)
            # A × right of an AdChoices ▷ off the card is the dimmed page's banner's (its ▷× tag).
            banner = {e.id for e in elements if e.kind == ElementKind.CLOSE_ICON
                      and not decision.window.contains_point(*e.box.center)
                      and beside_ad_choices(rgb, e.box, density=dens, profile=self.profile)}
            elements = [e for e in elements if e.id not in banner]
            outside = [e for e in elements
                       if e.kind == ElementKind.CLOSE_ICON and not decision.window.contains_point(*e.box.center)]
            # A × centred below the card sits where a pop-up's close button does: there, as dim as
            # the page's whites is a deliberately faint close, not the page's (the position is
            # the evidence, as for below_card_icon)
            centred_below = {e.id for e in outside if abs(e.box.center[0] - decision.window.center[0]) <= centre_px
                             and 0 <= e.box.y1 - decision.window.y2 <= below_px}
            dimmed = {e.id for e in outside if e.id not in centred_below and under_scrim(
                rgb, e.button or e.box, decision.window, page_peak_of(), self.profile, plain=e.button is None)}
            beside = {e.id for e in outside if beside_window(e.box, decision.window)}
            # so is a × as dim as the page lower than the card's top edge and not below the card's
            # middle third: a card's own close sits above its corner or centred below it (the
            # middle third, not the centre: the card found may be cut short or a little wide)
            middle = self.profile.setting("screen", "below_card_middle") * decision.window.width
            under_middle = {e.id for e in outside if e.box.center[1] > decision.window.y2
                            and abs(e.box.center[0] - decision.window.center[0]) <= middle}
            beside |= {e.id for e in outside if e.id in dimmed and e.id not in under_middle
                       and e.box.center[1] > decision.window.y1}
            # and a button the card cuts off lies under it, with the page
            beside |= {e.id for e in outside if e.button is not None and cut_by_window(
                e.button, decision.window, tolerance_px=self.profile.setting("screen", "cut_button_edge_dp") * dens,
                max_aspect=self.profile.setting("screen", "cut_button_max_aspect"))}
            if any(e.kind.is_close_control and e.id not in dimmed | beside and near.contains_point(*e.box.center)
                   for e in elements):
                # with the card's own close found, a × under the card and off its middle (a chip's
                # × below its corner) is the page's too: a card's close below it is centred on it
                off_below = {e.id for e in outside if e.box.center[1] > decision.window.y2
                             and e.id not in under_middle}
                elements = [e for e in elements if e.kind != ElementKind.CLOSE_ICON
                            or (near.contains_point(*e.box.center) and e.id not in dimmed | beside | off_below)]
            elif any(e.kind.is_close_control and e.id not in beside and near.contains_point(*e.box.center)
                     for e in elements):
                # The card's own close reads as dim as the page's whites (a deliberately faint
                # one looks so): a × far from it in the page's body is still the page's (a chip's,
                # a list row's), and so is one beside the card's body. One in the top band stays:
                # a pop-up's close may be put in the screen's corner, away from its card.
                elements = [e for e in elements if e.id not in beside and (
                    e.kind != ElementKind.CLOSE_ICON or near.contains_point(*e.box.center) or e.box.center[1] <= top_band)]
            else:
                elements = [e for e in elements if e.id not in dimmed & beside]
            if not any(e.kind.is_close_control and near.contains_point(*e.box.center) for e in elements):
                # nothing closes the card yet: it is read again, at full size and with its local
                # contrast stretched, for a faint dismiss label beside its bright action
                elements += card_look(rgb, window, located, reader=self.reader, lexicon=self.lexicon,
                                      profile=self.profile, density=dens, status_bar=status_bar)
                t = lap("card_look", t)
        if decision.window is not None and decision.screen_type == ScreenType.DIALOG:
            # A dialog's × is in its title row and inset by its padding; one lower on the card and
            # flush with its side is the page's, taken in with the card where their edges merged
            # (a banner's ▷× beside the dialog's body).
            card = decision.window
            title_bottom = card.y1 + self.profile.setting("screen", "dialog_icon_band") * card.height
            edge_px = self.profile.setting("screen", "dialog_icon_edge_dp") * dens
            elements = [e for e in elements if e.kind != ElementKind.CLOSE_ICON or not card.contains_point(*e.box.center)
                        or e.box.center[1] <= title_bottom or min(e.box.x1 - card.x1, card.x2 - e.box.x2) > edge_px]

        def unclosed_ad() -> bool:
            return decision.screen_type in (ScreenType.SPLASH, ScreenType.INTERSTITIAL) and not any(
                e.kind.is_close_control for e in elements)

        def hidden_status_icon() -> list[Element]:
            # a × among the status-bar icons (away from the screen's edges, clear of the clock and
            # battery read there) is a full-screen ad's close control, put where no one looks for
            # it (CLOSE_HARD_TO_FIND judges it)
            margin = self.profile.setting("units", "status_icon_edge_dp") * dens
            hidden = [e for e in status_icons if margin <= e.box.center[0] <= w - margin
                      and not any(s.box.intersection(e.box) > 0 for s in spans)]
            return [dataclasses.replace(e, attrs=(*e.attrs, ("in_status_bar", True))) for e in hidden[:1]]

        def skip_corner_pill(*, unread: bool) -> list[Element]:
            # a pill drawn in a full-screen ad's skip corner, read or (``unread``) not
            return unread_skip_pill(rgb, elements, located, reader=self.reader, lexicon=self.lexicon,
                                    profile=self.profile, density=dens, unread=unread)

        # A full-screen ad with no close control found is looked at again, each step only while
        # nothing closes it yet: the status bar's icons; countdown rings in its top corners (a
        # cue: nothing can be tapped yet); a × the detectors half believe in a top corner of the
        # screen, where such an ad's close button sits (a small faint one is what CLOSE_TOO_SMALL
        # and CLOSE_LOW_CONTRAST then judge); and last, an unread pill in the skip corner.
        looked_again = unclosed_ad()
        if unclosed_ad():
            elements += hidden_status_icon()
        if unclosed_ad():
            elements += corner_countdowns(rgb, elements, reader=self.reader, profile=self.profile, density=dens)
        if unclosed_ad():
            elements += ad_corner_icon(half_believed, elements, width=w, icon_min_score=min_icon,
                                       min_score=self.profile.setting("screen", "ad_corner_icon_min_score"),
                                       text_lines=read_lines)
        if unclosed_ad():
            elements += skip_corner_pill(unread=True)
        if looked_again and not unclosed_ad():  # the type's reason said nothing closes it
            decision = dataclasses.replace(decision, reason=f"{decision.reason} at first look; one found where such an ad hides it")
        # An app's own launch screen (its logo, name and slogan) shows no ad cue and, when its
        # close control is hidden or unreadable, nothing that closes it: it was taken for an
        # ordinary page. Where it carries almost no text, the two places a splash hides its close
        # control are looked at (a × among the status-bar icons, a skip pill that reads as one);
        # one found there makes it the splash screen it is.
        status_px = self.profile.setting("units", "status_bar_dp") * dens
        if (decision.screen_type == ScreenType.NONE
                and not any(e.kind.is_close_control and e.score >= min_icon for e in elements)
                and sum(1 for s in located if s.box.center[1] > status_px)
                <= self.profile.setting("screen", "launch_max_text_lines")):
            # a skip pill read only in part (过 of 跳过, under the verdict's score) counts too; an
            # unread one does not: on a page with little text (a sign-up form) the corner's shape
            # is as often its app bar's icon
            found = [e for e in elements if e.kind.is_close_control and e.attr("corner_pill")]
            if not found:
                found = hidden_status_icon() or skip_corner_pill(unread=False)
                elements += found
            if found:
                decision = ScreenDecision(ScreenType.SPLASH, Box(0, 0, w, h), 0.5,
                                          "little text and no ad cue, a close control where a splash hides it")
        if decision.screen_type == ScreenType.NONE:
            # Rules do not apply, and × glyphs on an ordinary page are in-page controls, not close controls.
            elements = [e for e in elements if not e.kind.is_close_control]
        screen = Screen(
            width=w, height=h, density=round(dens, 4), screen_type=decision.screen_type, window=decision.window,
            elements=tuple(elements), type_confidence=decision.confidence, type_reason=decision.reason,
        )
        t = lap("screen", t)

        measurements = self._measure(rgb, screen)
        t = lap("measure", t)
        findings = judge(screen, {m.element_id: m for m in measurements}, self.profile)
        verdict, reason = verdict_for(screen, findings, self.profile)
        lap("rules", t)
        timings.append(("total", round((time.perf_counter() - t_start) * 1000, 1)))
        return Report(
            image_name=image.name,
            image_sha256=image.sha256,
            screen=screen,
            measurements=tuple(measurements),
            findings=tuple(findings),
            verdict=verdict,
            verdict_reason=reason,
            texts=tuple(spans),
            profile=self.profile.name,
            timings_ms=tuple(timings),
            versions=_versions(self.ocr_name, self.profile.name, [d.name for d in self.icon_detectors]),
            notes=image.notes + ((f"{len(located) - len(spans)} long text line(s) located but not read",)
                                 if len(located) > len(spans) else ()),
        )

    def _measure(self, rgb: npt.NDArray[np.uint8], screen: Screen) -> list[Measurement]:
        ctas = [e.button or e.box for e in screen.elements
                if e.kind in (ElementKind.CALL_TO_ACTION, ElementKind.JUMP_HINT)]
        measured_kinds = {ElementKind.CLOSE_ICON, ElementKind.CLOSE_TEXT, ElementKind.CLOSE_COUNTDOWN,
                          ElementKind.AD_LABEL}
        return [
            measure_element(rgb, e, density=screen.density, window=screen.window, ctas=ctas, profile=self.profile)
            for e in screen.elements
            if e.kind in measured_kinds
        ]


