"""A second look for a dismiss control before the screen is said to have none.

The whole-screen OCR pass misses two kinds of dismiss text that a person can still find:

- **faint labels**: 跳过 or 以后再说 set at 1.2-1.4:1 against their button, which the text
  detector's probability map never lifts above its threshold (the label is still there, and a
  missing close control is a worse finding than a faint one: the contrast rule judges it);
- **small labels on big screenshots**: the detector sees a 1080x2400 screenshot at 0.4x, where
  a 12-dp 跳过(3) pill in a bottom corner is 7 px tall.

So when the first pass found no close control at all, the screen is read again with its local
contrast stretched (each pixel's difference from its neighbourhood mean, in units of the
neighbourhood's own spread): once whole, shrunk to a 640-px long side (faint controls are
full-size buttons), and once per screen corner, as if the screenshot were 720 px wide (small
pills) but never shrunk (a faint label's strokes do not survive shrinking). Only lines the first pass did not read are recognised, and only dismiss controls are
kept: everything else on the screen was read already. A corner line read unsurely is read again
from the original pixels, since stretching blurs small crisp text. Measurements are still taken
on the original pixels, so a faint label is measured as faint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from .elements import ButtonSettings, find_button, in_status_bar, text_elements
from .lexicon import Lexicon
from .ocr import TextReader
from .pills import corner_band, corner_control, find_corner_pills, pill_control, skip_kind
from .profile import RuleProfile
from .types import Box, Element, TextSpan


def local_contrast(rgb: npt.NDArray[np.uint8], *, window_px: int, noise_floor: float,
                   gain: float) -> npt.NDArray[np.uint8]:
    """Grey image (as RGB) of each pixel's difference from its neighbourhood mean (a box of
    ``window_px``), divided by the neighbourhood's standard deviation plus ``noise_floor`` (grey
    levels), times ``gain``, around mid-grey. A 1.2:1 label on a flat button comes out as crisp
    as a 4:1 one; flat regions stay flat grey because of the floor. Box filters, not Gaussians:
    the same readings here at a quarter of the time (~20 ms on a 1080x2400 screenshot)."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    size = (window_px, window_px)
    diff = grey - cv2.blur(grey, size)
    spread = np.sqrt(np.maximum(cv2.blur(diff * diff, size), 0.0)) + noise_floor
    out = np.clip(128.0 + gain * diff / spread, 0, 255).astype(np.uint8)
    return np.asarray(cv2.cvtColor(out, cv2.COLOR_GRAY2RGB), dtype=np.uint8)


def corner_regions(width: int, height: int, profile: RuleProfile) -> list[Box]:
    """The four screen corners where a skip or close control sits: the top ones as deep as the
    skip-pill band, the bottom ones as deep as a skip button moved above the navigation bar."""
    s = profile.setting
    cw = width * s("second_look", "corner_width_fraction")
    top = height * s("pill", "band_fraction")
    bottom = height * (1 - s("second_look", "bottom_corner_fraction"))
    return [Box(0.0, 0.0, cw, top), Box(width - cw, 0.0, float(width), top),
            Box(0.0, bottom, cw, float(height)), Box(width - cw, bottom, float(width), float(height))]


def _known(box: Box, seen: Sequence[Box]) -> bool:
    return any(box.iou(b) > 0.3 or b.contains_point(*box.center) or box.contains_point(*b.center) for b in seen)


def second_look(
    rgb: npt.NDArray[np.uint8],
    spans: Sequence[TextSpan],
    *,
    reader: TextReader,
    lexicon: Lexicon,
    profile: RuleProfile,
    density: float,
    status_bar: Box | None,
    phrases_only: bool = False,
    whole_long_side: float | None = None,
) -> list[Element]:
    """Dismiss controls found by reading ``rgb`` again with its local contrast stretched.

    ``spans`` are the lines the first pass read (or located): they are not read again. With
    ``phrases_only`` (a × already closes the screen) only the whole screen is read and only
    dismiss phrases are taken: the skip corner's lone numbers and spotted phrases, and the
    corner pills, are evidence only where nothing else closes the screen (a dating app's reject
    × and a photo counter's 8 are not a splash).
    """
    s = profile.setting
    h, w = rgb.shape[:2]
    window = 2 * round(s("second_look", "window_dp") * density / 2) + 1
    enhanced = local_contrast(rgb, window_px=max(3, window), noise_floor=s("second_look", "noise_floor"),
                              gain=s("second_look", "gain"))
    seen = [sp.box for sp in spans]
    corner_scale = min(s("pill", "read_max_upscale"), max(s("second_look", "corner_min_scale"),
                                                         s("second_look", "corner_short_side") / float(min(w, h))))
    long_side = whole_long_side if whole_long_side is not None else s("second_look", "whole_long_side")
    whole_scale = min(s("pill", "read_max_upscale"), long_side / float(max(w, h)))
    found: list[TextSpan] = []
    in_corner: list[TextSpan] = []  # read on a corner's enlargement: where small crisp pills are
    # the corners are read enlarged for small skip pills, on screens nothing closes; a faint
    # dismiss button beside a × is body-sized, and the whole screen's read finds it
    corners = [] if phrases_only else corner_regions(w, h, profile)
    for region, scale in [(None, whole_scale), *((c, corner_scale) for c in corners)]:
        for line in reader.read(enhanced, region=region, scale=scale, min_score=0.0, skip=seen):
            if not line.text:
                continue
            if region is not None and not (region.x1 + 1 < line.box.x1 and line.box.x2 < region.x2 - 1
                                           and region.y1 + 1 < line.box.y1 and line.box.y2 < region.y2 - 1):
                continue  # cut by the region's edge: part of something wider, read whole or not at all
            if _known(line.box, [f.box for f in found]):
                continue
            found.append(line)
            seen.append(line.box)
            if region is not None:
                in_corner.append(line)

    # Stretching helps faint text and hurts small crisp text (a 12-dp 跳过(8) pill's glyphs lose
    # their strokes to the neighbourhood mean): a corner line read unsurely is read again from
    # the original pixels. Only corner lines: elsewhere on a text-dense page every stretched
    # line reads unsurely, and reading each again cost up to 200 ms.
    unsure = s("pill", "spot_max_read_confidence")
    for i, line in enumerate(found):
        if line.confidence < unsure and line in in_corner:
            # the stretched image's box can stop short of a faint first glyph: read a little wider
            pad = line.box.height * s("second_look", "reread_pad")
            again = reader.read_line(rgb, Box(line.box.x1 - pad, line.box.y1, line.box.x2 + pad, line.box.y2))
            if again is None:
                continue
            # Only a reading that names a dismiss phrase the stretched one missed replaces it: what
            # else the original pixels say was read by the first pass already (an icon as "1").
            if (lexicon.classify(again.text).close == "strong"
                    and lexicon.classify(line.text).close != "strong"):
                found[i] = replace(line, text=again.text, confidence=again.confidence)

    out = _dismiss_controls(rgb, enhanced, found, lexicon=lexicon, profile=profile, density=density,
                            status_bar=status_bar)
    if phrases_only:
        return [_second(e, n) for n, e in enumerate(out)]
    skip_corner = corner_band(w, h, profile)
    for n, line in enumerate(found):
        if _known(line.box, [e.box for e in out]) or not skip_corner.contains_point(*line.box.center):
            continue
        if in_status_bar(line.box, status_bar):
            continue  # the battery's 27 is not a countdown (dismiss phrases there were kept above)
        # In the top-right corner a half-legible line is judged as the skip-pill stage judges one
        # (a lone countdown, or keyword spotting against the corner phrases).
        judged = corner_control(line, enhanced, reader=reader, lexicon=lexicon, profile=profile, density=density)
        if judged is not None:
            text, seconds, score, evidence = judged
            out.append(Element(id=f"l{n}", kind=skip_kind(seconds), box=line.box, score=score, source="ocr",
                               text=text, countdown_s=seconds, attrs=(("text_box", line.box.to_list()), *evidence)))
    if not out:
        out = _corner_pills(rgb, reader=reader, lexicon=lexicon, profile=profile, density=density,
                            status_bar=status_bar)
    return [_second(e, n) for n, e in enumerate(out)]


def card_look(
    rgb: npt.NDArray[np.uint8],
    card: Box,
    spans: Sequence[TextSpan],
    *,
    reader: TextReader,
    lexicon: Lexicon,
    profile: RuleProfile,
    density: float,
    status_bar: Box | None,
) -> list[Element]:
    """Dismiss controls on a pop-up's or dialog's ``card`` that nothing closes yet, read again
    from its local contrast at the corners' scale (never shrunk): a dialog's Not now greyed to
    1.2:1 beside its bright Turn on is too faint for the first pass and too small for the
    whole-screen second look, which shrinks a 1080-px screenshot to 0.27x. The card is read with
    a margin (``second_look.card_margin_dp``) for a label set across its edge. Only lines the
    passes before did not read are recognised, and only strong dismiss phrases are kept."""
    s = profile.setting
    h, w = rgb.shape[:2]
    margin = s("second_look", "card_margin_dp") * density
    region = card.expand(margin, margin).clip(w, h)
    if region.width < 2 or region.height < 2:
        return []
    window = 2 * round(s("second_look", "window_dp") * density / 2) + 1
    x1, y1, x2, y2 = region.to_int()
    enhanced = rgb.copy()
    enhanced[y1:y2, x1:x2] = local_contrast(rgb[y1:y2, x1:x2], window_px=max(3, window),
                                            noise_floor=s("second_look", "noise_floor"), gain=s("second_look", "gain"))
    scale = min(s("pill", "read_max_upscale"), max(s("second_look", "corner_min_scale"),
                                                  s("second_look", "corner_short_side") / float(min(w, h))),
                s("second_look", "card_max_long_side") / max(region.width, region.height))
    lines = [line for line in reader.read(enhanced, region=region, scale=scale, min_score=0.0,
                                          skip=[sp.box for sp in spans])
             if line.text and lexicon.classify(line.text).close == "strong"]
    out = _dismiss_controls(rgb, enhanced, lines, lexicon=lexicon, profile=profile, density=density,
                            status_bar=status_bar)
    return [replace(_second(e, n), id=f"c{n}") for n, e in enumerate(out)]


def _dismiss_controls(rgb: npt.NDArray[np.uint8], enhanced: npt.NDArray[np.uint8], lines: Sequence[TextSpan], *,
                      lexicon: Lexicon, profile: RuleProfile, density: float, status_bar: Box | None) -> list[Element]:
    """The close controls among ``lines`` read surely enough, measured on the original pixels.
    A faint label's button is as faint as the label: its fill is a few levels off the card's, and
    the flood fill leaks; on the stretched image its outline is a line the fill stops at."""
    min_read = profile.setting("detection", "ocr_min_confidence")
    out = [e for e in text_elements(rgb, [line for line in lines if line.confidence >= min_read], lexicon=lexicon,
                                    profile=profile, status_bar=status_bar, density=density)
           if e.kind.is_close_control]
    buttons = ButtonSettings.from_profile(profile)
    for i, e in enumerate(out):
        if e.button is None:
            button = find_button(enhanced, Box(*e.attr("text_box")), settings=buttons)
            if button is not None:
                out[i] = replace(e, box=button, button=button)
    return out


def _corner_pills(rgb: npt.NDArray[np.uint8], *, reader: TextReader, lexicon: Lexicon,
                  profile: RuleProfile, density: float, status_bar: Box | None) -> list[Element]:
    """The skip control of a pill shape in any screen corner, read with line recognition only:
    a 12-dp 跳过 6 pill on a downscaled screenshot, or one moved to a bottom corner, that no text
    detection pass found, though its shape is plain to see. Up to ``second_look.max_pill_reads``
    pills (nearest their corner first), judged as the top-right skip-pill stage judges a line."""
    h, w = rgb.shape[:2]
    pills: list[tuple[float, Box]] = []
    for corner in corner_regions(w, h, profile):
        for pill in find_corner_pills(rgb, density=density, profile=profile, region=corner,
                                      min_height_dp=profile.setting("second_look", "pill_min_height_dp")):
            # a pill the passes read already is read again: whole, with its shape known, a corner
            # label reads as the skip-pill stage reads it (the tail of 跳过 N), not as page text;
            # the status bar's clock digits are no countdown
            if in_status_bar(pill, status_bar):
                continue
            cx, cy = pill.center
            pills.append((min(cx, w - cx) + min(cy, h - cy), pill))
    for n, (_, pill) in enumerate(sorted(pills, key=lambda p: p[0])[: int(profile.setting("second_look", "max_pill_reads"))]):
        span = reader.read_line(rgb, pill)
        judged = None if span is None else corner_control(span, rgb, reader=reader, lexicon=lexicon,
                                                          profile=profile, density=density)
        # away from the skip band a pill is a badge, a price tag or a word as often as a skip
        # control: only a whole dismiss phrase, or the tail of one with its countdown (过6 of
        # 跳过 6), counts; a lone number or a lone 过 does not
        if judged is not None and (lexicon.classify(judged[0]).close == "strong"
                                   or (judged[1] is not None and not dict(judged[3]).get("bare_number"))):
            return [pill_control(pill, judged, element_id=f"p{n}")]
    return []


def _second(e: Element, n: int) -> Element:
    return replace(e, id=f"s{n}", source="ocr-second", attrs=(*e.attrs, ("second_look", True)))
