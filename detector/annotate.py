"""Draw a report's evidence on its screenshot: ``annotate(rgb, report) -> rgb``.

Each close control is boxed and labelled with its numbers ("× 14 dp · 2.1:1 · top-right"),
red when a rule fails on it, amber on a warning, green otherwise; cues and the ad label are
marked; a legend and the verdict sit in a band under the picture.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from .report import control_label
from .types import Box, ElementKind, Report, Severity

_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)

RED = (230, 40, 40)
AMBER = (245, 160, 0)
GREEN = (30, 170, 70)
BLUE = (40, 110, 240)
PURPLE = (160, 60, 200)
GREY = (120, 120, 120)

_CUE_COLOURS = {
    ElementKind.AD_LABEL: PURPLE,
    ElementKind.JUMP_HINT: BLUE,
    ElementKind.SHAKE: BLUE,
    ElementKind.COUNTDOWN: GREY,
    ElementKind.CALL_TO_ACTION: GREY,
}
_VERDICT_COLOURS = {"fail": RED, "pass": GREEN, "review": AMBER, "not_applicable": GREY}


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_CANDIDATES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def _severity_by_element(report: Report) -> dict[str, Severity]:
    worst: dict[str, Severity] = {}
    rank = {Severity.PASS: 0, Severity.WARN: 1, Severity.FAIL: 2}
    for f in report.findings:
        for eid in f.evidence:
            if rank[f.severity] > rank[worst.get(eid, Severity.PASS)]:
                worst[eid] = f.severity
            worst.setdefault(eid, f.severity)
    return worst


def _scaled_report(report: Report, k: float) -> Report:
    """The report with its element and window boxes in a picture enlarged ``k`` times
    (captions keep the original numbers: they come from the measurements)."""
    if k == 1.0:
        return report

    def sc(box: Box) -> Box:
        return Box(box.x1 * k, box.y1 * k, box.x2 * k, box.y2 * k)

    screen = report.screen
    elements = tuple(replace(e, box=sc(e.box), button=sc(e.button) if e.button is not None else None)
                     for e in screen.elements)
    window = sc(screen.window) if screen.window is not None else None
    return replace(report, screen=replace(screen, elements=elements, window=window))


def control_caption(report: Report, element_id: str) -> str:
    e = report.screen.element(element_id)
    m = report.measurement(element_id)
    label = control_label(e)
    if m is None:
        return label
    contrast = f"{m.contrast_ratio:g}:1" if m.contrast_ratio is not None else "?:1"
    return f"{label} {m.short_side.dp:g} dp · {contrast} · {m.zone_window or m.zone_screen}"


# Screenshots narrower than this are enlarged before drawing: on a 270-px collected splash a
# legible caption would cover the controls it describes.
MIN_DRAW_WIDTH = 720


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
          width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to ``width`` px, at most ``max_lines`` lines (the last one cut with …)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        trial = f"{current} {word}".strip()
        if current and draw.textlength(trial, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(",") + " …"
    return lines


def annotate(rgb: npt.NDArray[np.uint8], report: Report) -> npt.NDArray[np.uint8]:
    """A new RGB picture: the screenshot with its evidence drawn and a legend band below.

    Screenshots narrower than :data:`MIN_DRAW_WIDTH` are enlarged first; boxes follow.
    """
    src_h, src_w = rgb.shape[:2]
    k = max(1.0, MIN_DRAW_WIDTH / float(src_w)) if src_w else 1.0
    picture = Image.fromarray(np.ascontiguousarray(rgb))
    if k > 1.0:
        picture = picture.resize((round(src_w * k), round(src_h * k)), Image.Resampling.LANCZOS)
    report = _scaled_report(report, k)
    w, h = picture.size
    unit = max(1.0, min(w, h) / 360.0)  # one dp-ish unit so lines and text scale with the screenshot
    font = _font(max(10, round(11 * unit)))
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    verdict_lines = _wrap(probe, f"{report.verdict.value.upper()} · {report.screen.screen_type.value} · "
                          f"{report.verdict_reason}", font, w - 12 * unit, max_lines=2)
    extra = 18 * unit * (len(verdict_lines) - 1)
    band_h = round(58 * unit + extra)
    canvas = Image.new("RGB", (w, h + band_h), (255, 255, 255))
    canvas.paste(picture, (0, 0))
    draw = ImageDraw.Draw(canvas)
    line = max(2, round(1.5 * unit))
    screen = report.screen
    if screen.window is not None and screen.window.area < 0.95 * w * h:
        draw.rectangle(screen.window.to_int(), outline=BLUE, width=max(1, line // 2))
    severities = _severity_by_element(report)

    for e in screen.elements:
        if e.kind in _CUE_COLOURS:
            x1, y1, x2, y2 = e.box.to_int()
            draw.rectangle((x1, y1, x2, y2), outline=_CUE_COLOURS[e.kind], width=max(1, line // 2))
            label_x = min(x1, max(0, round(w - draw.textlength(e.kind.value, font=font) - 2)))  # keep it on the picture
            draw.text((label_x, max(0, y1 - round(14 * unit))), e.kind.value, fill=_CUE_COLOURS[e.kind], font=font)

    for e in screen.close_controls:
        sev = severities.get(e.id, Severity.PASS)
        colour = RED if sev == Severity.FAIL else AMBER if sev == Severity.WARN else GREEN
        x1, y1, x2, y2 = e.box.to_int()
        draw.rectangle((x1, y1, x2, y2), outline=colour, width=line)
        caption = control_caption(report, e.id)
        tw = draw.textlength(caption, font=font)
        tx = min(max(0, x1), max(0, w - tw - 4))
        ty = y2 + 2 if y2 + 2 + 16 * unit < h else max(0, y1 - 16 * unit)
        draw.rectangle((tx - 2, ty - 1, tx + tw + 2, ty + 15 * unit), fill=(255, 255, 255))
        draw.text((tx, ty), caption, fill=colour, font=font)

    verdict = report.verdict.value
    draw.rectangle((0, h, w, h + band_h), fill=(248, 248, 248))
    for n, text in enumerate(verdict_lines):
        draw.text((6 * unit, h + 4 * unit + 18 * unit * n), text, fill=_VERDICT_COLOURS.get(verdict, GREY), font=font)
    legend = [("close: fail", RED), ("warn", AMBER), ("pass", GREEN), ("ad label", PURPLE), ("jump/shake", BLUE)]
    x = 6 * unit
    top = h + extra
    for text, colour in legend:
        draw.rectangle((x, top + 24 * unit, x + 9 * unit, top + 33 * unit), fill=colour)
        draw.text((x + 12 * unit, top + 22 * unit), text, fill=(40, 40, 40), font=font)
        x += 12 * unit + draw.textlength(text, font=font) + 10 * unit
    return np.asarray(canvas, dtype=np.uint8)
