"""The evidence picture (detector/annotate.py): boxes where the controls are, at a legible size."""

from __future__ import annotations

import numpy as np

from detector import Analyzer
from detector.annotate import AMBER, GREEN, MIN_DRAW_WIDTH, RED, annotate
from tests.test_spotting import small_splash


def test_small_screenshot_is_enlarged_and_its_control_boxed_in_place(analyzer: Analyzer) -> None:
    """A 270-px splash is drawn 720 px wide; the skip pill's box lands where the pill is, scaled."""
    rgb = small_splash("跳过 3")
    report = analyzer.analyze(_png(rgb), name="small.png")
    control = report.screen.close_controls[0]
    picture = annotate(rgb, report)
    k = MIN_DRAW_WIDTH / rgb.shape[1]
    assert picture.shape[1] == MIN_DRAW_WIDTH
    assert picture.shape[0] > round(rgb.shape[0] * k)  # the legend band below
    x1, y1, _, y2 = (round(v * k) for v in control.box.to_list())
    edge = picture[y1:y2 + 1, max(0, x1 - 1):x1 + 3].reshape(-1, 3)  # the box's left side
    drawn = {tuple(int(c) for c in px) for px in edge}
    assert drawn & {RED, AMBER, GREEN}, "the control's box is drawn at its scaled place"


def test_large_screenshot_keeps_its_size(analyzer: Analyzer) -> None:
    rgb = np.full((1920, 1080, 3), 240, np.uint8)
    report = analyzer.analyze(_png(rgb), name="blank.png")
    picture = annotate(rgb, report)
    assert picture.shape[1] == 1080 and picture.shape[0] > 1920


def _png(rgb: np.ndarray) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()
