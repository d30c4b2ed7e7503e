"""Skip pills: the rounded button in the top-right corner of a splash screen.

Downscaled screenshots shrink "跳过 5" to a blur that full-screen OCR misses. What a person sees
is the shape: a pill or ring in the corner, with a short glyph run inside. This stage finds such
shapes and reads each one with line recognition only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from .elements import skip_seconds
from .lexicon import Lexicon
from .ocr import TextReader
from .profile import RuleProfile
from .types import Box, Element, ElementKind, TextSpan


def find_corner_pills(rgb: npt.NDArray[np.uint8], *, density: float, profile: RuleProfile,
                      region: Box | None = None, min_height_dp: float | None = None) -> list[Box]:
    """Pill- or ring-shaped buttons with something drawn inside, in the top-right corner (or in
    ``region``), from ``pill.min_height_dp`` tall (or ``min_height_dp``)."""
    s = profile.setting
    h, w = rgb.shape[:2]
    region = region or corner_band(w, h, profile)
    x0, y0 = int(region.x1), int(region.y1)
    band = rgb[y0 : int(region.y2), x0 : int(region.x2)]
    if band.size == 0:
        return []
    scale = max(1.0, s("pill", "work_short_side") / float(min(w, h)))
    work = cv2.resize(band, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale > 1 else band
    gray = cv2.cvtColor(work, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (3, 3), 0), 15, 45)
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    px_per_dp = density * scale
    found: list[Box] = []
    for c in contours:
        x, y, bw, bh = cv2.boundingRect(c)
        min_height = s("pill", "min_height_dp") if min_height_dp is None else min_height_dp
        if not min_height * px_per_dp <= bh <= s("pill", "max_height_dp") * px_per_dp:
            continue
        if not s("pill", "min_aspect") <= bw / float(bh) <= s("pill", "max_aspect"):
            continue
        if cv2.contourArea(cv2.convexHull(c)) < s("pill", "min_solidity") * bw * bh * (np.pi / 4 if bw < 1.3 * bh else 0.9):
            continue
        inner = edges[y + bh // 5 : y + bh - bh // 5, x + bw // 6 : x + bw - bw // 6]
        if inner.size == 0 or float((inner > 0).mean()) < s("pill", "min_ink"):
            continue
        box = Box(x0 + x / scale, y0 + y / scale, x0 + (x + bw) / scale, y0 + (y + bh) / scale)
        if not any(box.iou(f) > 0.3 for f in found):
            found.append(box)
    return found


def _in_corner(box: Box, width: int, height: int, profile: RuleProfile) -> bool:
    cx, cy = box.center
    return cx > width * (1 - profile.setting("pill", "right_fraction")) and cy < height * profile.setting(
        "pill", "band_fraction"
    )


def corner_band(width: int, height: int, profile: RuleProfile) -> Box:
    """The top-right region where a splash screen's skip control sits."""
    return Box(width * (1 - profile.setting("pill", "right_fraction")), 0.0, float(width),
               height * profile.setting("pill", "band_fraction"))


def _reads_as_skip(lexicon: Lexicon, text: str) -> tuple[bool, int | None]:
    """Whether text read in the top-right corner is its skip control (a dismiss phrase, or the
    tail of 跳过 N), and the countdown it carries."""
    cues = lexicon.classify(text)
    ok, seconds = lexicon.corner_pill(text)
    if cues.close != "strong" and not ok:
        return False, None
    return True, cues.countdown_close_s if cues.countdown_close_s is not None else seconds


def _lone_number(text: str, profile: RuleProfile) -> int | None:
    """The seconds of a line that is nothing but a countdown-sized number (1 .. pill.number_max_s)."""
    number = text.strip()
    if number.isdigit() and len(number) <= 2 and 1 <= int(number) <= profile.setting("pill", "number_max_s"):
        return int(number)
    return None


def _squarish(box: Box) -> bool:
    """As wide as tall (a ring, or a line found as one), within a quarter."""
    return 0.75 <= box.width / max(1.0, box.height) <= 1.33


def _ring_inner(box: Box, profile: RuleProfile) -> Box:
    """The inside of a ring drawn in ``box``: what its number is written in."""
    inset = profile.setting("pill", "ring_inset")
    dx, dy = box.width * inset, box.height * inset
    return Box(box.x1 + dx, box.y1 + dy, box.x2 - dx, box.y2 - dy)


def _label_area(pill: Box, profile: RuleProfile) -> Box:
    """Where a pill's label is written: a round pill's inside (:func:`_ring_inner`), a wide one's
    middle between its rounded ends (each half the pill's height wide)."""
    if _squarish(pill):
        return _ring_inner(pill, profile)
    dy = pill.height * profile.setting("pill", "ring_inset")
    return Box(pill.x1 + pill.height / 2, pill.y1 + dy, pill.x2 - pill.height / 2, pill.y2 - dy)


def skip_kind(seconds: int | None) -> ElementKind:
    return ElementKind.CLOSE_COUNTDOWN if seconds is not None else ElementKind.CLOSE_TEXT


# What :func:`corner_control` makes of a line: its text, countdown seconds, score and evidence.
Judged = tuple[str, int | None, float, tuple[tuple[str, object], ...]]


def pill_control(pill: Box, judged: Judged, *, element_id: str, text_box: Box | None = None) -> Element:
    """The skip control a drawn pill is, once a reading of it (of ``text_box``, the whole pill
    by default) was judged one."""
    text, seconds, score, evidence = judged
    return Element(id=element_id, kind=skip_kind(seconds), box=pill, score=score, source="ocr-pill", text=text,
                   button=pill, countdown_s=seconds,
                   attrs=(("corner_pill", True), ("text_box", (text_box or pill).to_list()), *evidence))


def corner_control(span: TextSpan, rgb: npt.NDArray[np.uint8], *, reader: TextReader, lexicon: Lexicon,
                    profile: RuleProfile, density: float) -> Judged | None:
    """(text, countdown seconds, score, evidence) when a corner line is a skip control."""
    s = profile.setting
    min_read = profile.setting("detection", "ocr_min_confidence")
    if span.text and span.confidence >= min_read:
        ok, seconds = _reads_as_skip(lexicon, span.text)
        if ok:
            return span.text, skip_seconds(seconds, profile), round(span.confidence * 0.8, 3), (("read_as", span.text),)
    number = _lone_number(span.text, profile)
    if (number is not None and span.confidence >= s("pill", "number_min_confidence")
            and span.box.height >= s("pill", "number_min_height_dp") * density):
        # A lone countdown number in the corner (the ring design): it is the skip control.
        text = span.text.strip()
        return text, number, round(span.confidence * 0.7, 3), (("read_as", text), ("bare_number", True))
    if span.confidence >= s("pill", "spot_max_read_confidence"):
        return None  # read legibly as something else: it is that, not a blurred skip label
    hit = reader.spot(rgb, span.box, lexicon.corner_spot_candidates(span.text, int(s("pill", "number_max_s"))))
    if hit is None or hit.llr < s("pill", "spot_min_llr"):
        return None
    cues = lexicon.classify(hit.phrase)
    seconds = cues.countdown_close_s
    return hit.phrase, seconds, s("pill", "spotted_score"), (
        ("read_as", hit.reading), ("spotted", hit.phrase), ("spot_llr", hit.llr))


def corner_skip_controls(
    rgb: npt.NDArray[np.uint8],
    elements: Sequence[Element],
    *,
    reader: TextReader,
    lexicon: Lexicon,
    profile: RuleProfile,
    density: float,
    max_reads: int = 2,
) -> list[Element]:
    """``elements`` with the top-right skip control found when the whole-screen pass missed it.

    1. Text already read in the corner that looks like the tail of 跳过 N becomes the skip control.
    2. Otherwise, on a screenshot smaller than ``pill.read_short_side``, the corner is read again,
       enlarged to that size: each line there, nearest the corner first, is a skip control when it
       reads as one, when it is a lone countdown number, or when keyword spotting says it is one
       of the lexicon's corner phrases (``corner_spot``); the pill around it, if any, is its
       button. Only when none is found is the corner read at the second enlargement
       (``pill.read_second_scale``), and its new lines tried the same way.
    3. Otherwise up to ``max_reads`` pill shapes are read with line recognition, each judged the
       same way.
    """
    h, w = rgb.shape[:2]
    out = list(elements)
    if any(e.kind.is_close_control and _in_corner(e.box, w, h, profile) for e in out):
        return out
    for i, e in enumerate(out):
        if e.kind == ElementKind.TEXT and e.text and _in_corner(e.box, w, h, profile):
            ok, seconds = lexicon.corner_pill(e.text)
            if ok:
                out[i] = replace(e, kind=skip_kind(seconds),
                                 countdown_s=seconds, score=round(e.score * 0.8, 3),
                                 attrs=(*e.attrs, ("corner_pill", True)))
                return out
    pills = sorted(find_corner_pills(rgb, density=density, profile=profile), key=lambda b: (b.y1, -b.x2))
    taken = [e.box for e in out if e.source == "ocr" and e.kind != ElementKind.TEXT]

    scale = min(profile.setting("pill", "read_max_upscale"),
                max(1.0, profile.setting("pill", "read_short_side") / float(min(w, h))))
    band = corner_band(w, h, profile)
    second = scale * profile.setting("pill", "read_second_scale")
    scales = (scale, second) if second >= 1.0 and abs(second - scale) > 1e-6 else (scale,)
    # A screenshot at least read_short_side wide is not read again: the whole-screen pass reads its
    # corner labels legibly, and what it can miss (a lone countdown digit, a pill label set in a
    # thin font) sits inside a drawn pill, which step 3 reads for ~10 ms. Re-reading the band cost
    # 64-365 ms on each of the 19 realdev screenshots of that size with a pill drawn and found
    # nothing there; on the synthetic set it found one label (Skip in 3) that step 3 finds too.
    seen: list[TextSpan] = []
    for read_scale in scales if scale > 1.0 else ():  # the second enlargement only when the first found none
        lines = [ln for ln in reader.read(rgb, region=band, scale=read_scale, min_score=0.0)
                 if not any(ln.box.iou(o.box) > 0.5 for o in seen)]
        seen += lines
        # A line cut by the band's left or bottom edge is the end of something wider (a balance
        # "3805" read as "05"), never a control of its own.
        lines = [ln for ln in lines if ln.box.x1 > band.x1 + 1 and ln.box.y2 < band.y2 - 1
                 and not any(ln.box.iou(t) > 0.3 for t in taken)]
        for line in sorted(lines, key=lambda ln: (w - ln.box.x2) + ln.box.y1):
            found = corner_control(line, rgb, reader=reader, lexicon=lexicon, profile=profile, density=density)
            if found is None:
                continue
            text, seconds, score, evidence = found
            button = next((p for p in pills if p.contains_point(*line.box.center)), None)
            out.append(
                Element(id=f"c{seen.index(line)}",
                        kind=skip_kind(seconds),
                        box=button or line.box, score=score, source="ocr-corner", text=text, button=button,
                        countdown_s=seconds,
                        attrs=(("corner_pill", True), ("text_box", line.box.to_list()), *evidence))
            )
            return out

    for n, pill in enumerate([p for p in pills if not any(p.iou(t) > 0.3 for t in taken)][:max_reads]):
        found = None
        # A round pill is a ring: its outline reads as glyphs, so the number is read inside it too.
        for box in (pill, _ring_inner(pill, profile)) if _squarish(pill) else (pill,):
            span = reader.read_line(rgb, box)
            found = None if span is None else corner_control(
                span, rgb, reader=reader, lexicon=lexicon, profile=profile, density=density)
            if found is not None:
                break
        if found is not None:
            out.append(pill_control(pill, found, element_id=f"p{n}"))
            break
    return out


def corner_countdowns(
    rgb: npt.NDArray[np.uint8],
    elements: Sequence[Element],
    *,
    reader: TextReader,
    profile: RuleProfile,
    density: float,
) -> list[Element]:
    """Countdown numbers in the top corners of a full-screen ad that shows no close control.

    Video interstitials draw a ring with the seconds left where the close control will appear
    (top-left or top-right); the whole-screen pass misses the lone digit. Each is a countdown
    cue, not a close control: nothing can be tapped yet.
    """
    s = profile.setting
    h, w = rgb.shape[:2]
    scale = min(s("pill", "read_max_upscale"), max(1.0, s("pill", "read_short_side") / float(min(w, h))))
    right = corner_band(w, h, profile)
    left = Box(0.0, 0.0, w - right.x1, right.y2)
    out: list[Element] = []
    for band in (left, right):
        for line in reader.read(rgb, region=band, scale=scale, min_score=0.0):
            if any(line.box.iou(e.box) > 0.3 for e in elements):
                continue
            readings = [line]
            if _squarish(line.box) and line.confidence < s("pill", "spot_max_read_confidence"):
                # A square line read unsurely is the ring itself, found whole: read the number inside it.
                inner = reader.read_line(rgb, _ring_inner(line.box, profile))
                readings += [inner] if inner is not None else []
            for reading in readings:
                number = _lone_number(reading.text, profile)
                if number is not None and reading.confidence >= s("pill", "ring_number_min_confidence"):
                    out.append(Element(id=f"r{len(out)}", kind=ElementKind.COUNTDOWN, box=line.box,
                                       score=round(reading.confidence, 3), source="ocr-corner", text=str(number),
                                       countdown_s=number, attrs=(("countdown_ring", True),)))
                    break
    return out


def unread_skip_pill(
    rgb: npt.NDArray[np.uint8],
    elements: Sequence[Element],
    spans: Sequence[TextSpan],
    *,
    reader: TextReader,
    lexicon: Lexicon,
    profile: RuleProfile,
    density: float,
    unread: bool = True,
) -> list[Element]:
    """The pill in a full-screen ad's skip corner that no pass could read, as its close control.

    Called only when nothing else closes a splash or interstitial. A 22-dp 跳过 disc on a 400-px
    screenshot has 5-px glyphs that neither OCR nor spotting recovers, yet the shape a person
    sees is the one every splash ad puts there: a pill or ring below the status bar with a short
    glyph run inside. Judging the screen CLOSE_MISSING would accuse it of what it does not do;
    taking the pill lets CLOSE_TOO_SMALL and CLOSE_LOW_CONTRAST judge what it does. Each pill,
    nearest the corner first, is read once more and judged as the corner's lines are
    (:func:`corner_control`); one whose line is read surely (``pill.spot_max_read_confidence``),
    by the whole-screen pass or here, as something else is what it says (an AD or 个性化广告
    label, a logo), not an unread skip label. With ``unread`` False only a pill that reads as a skip
    control is taken: where the screen is not known to be an ad, an unread shape in its corner
    is as often an app bar's icon.
    """
    s = profile.setting
    w = rgb.shape[1]
    below_status = s("units", "status_bar_dp") * density
    surely = s("pill", "spot_max_read_confidence")
    read = [sp.box for sp in spans if sp.text and sp.confidence >= surely]
    taken = [e.button or e.box for e in elements if e.kind != ElementKind.TEXT]
    pills = [p for p in find_corner_pills(rgb, density=density, profile=profile,
                                          min_height_dp=s("pill", "unread_min_height_dp"))
             if p.y1 >= below_status
             and not any(p.contains_point(*b.center) or b.iou(p) > 0.3 for b in read + taken)]
    for pill in sorted(pills, key=lambda p: (w - p.x2) + p.y1)[: int(s("second_look", "max_pill_reads"))]:
        inner = _label_area(pill, profile)
        # the edge test that found the pill also passes a blurred dot (its soft rim reaches
        # inward); a label's strokes spread the levels inside it, a plain fill only by its noise
        crop = rgb[int(inner.y1) : int(np.ceil(inner.y2)), int(inner.x1) : int(np.ceil(inner.x2))]
        if crop.size == 0:
            continue
        label = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2GRAY)
        if np.percentile(label, 90) - np.percentile(label, 10) < s("pill", "unread_min_ink_spread"):
            continue
        # Read once more, the label area alone first: without the pill's outline in the crop a
        # label can read outright (5 | Skip at 0.92 where the whole pill read nothing).
        other = False
        for box in dict.fromkeys((inner, pill)):
            span = reader.read_line(rgb, box)
            if span is None or not span.text.strip():
                continue
            judged = corner_control(span, rgb, reader=reader, lexicon=lexicon, profile=profile, density=density)
            if judged is not None:
                return [pill_control(pill, judged, element_id="u0", text_box=inner)]
            other = other or span.confidence >= surely
        if other or not unread:
            continue
        return [Element(id="u0", kind=ElementKind.CLOSE_TEXT, box=pill, score=s("pill", "unread_score"),
                        source="cv-pill", text=None, button=pill,
                        attrs=(("corner_pill", True), ("unread", True), ("text_box", inner.to_list())))]
    return []
