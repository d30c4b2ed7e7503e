"""Measurements: tiny inputs with answers you can check by hand."""

from __future__ import annotations

import numpy as np
import pytest

from detector.measure import (
    box_distance,
    contrast_ratio,
    density_for,
    dp_to_mm,
    edge_distances_dp,
    foreground_background,
    luminance_map,
    px_to_dp,
    relative_luminance,
    size_of,
    vertical_overlap_fraction,
    window_zone,
    zone_of,
)
from detector.types import Box


@pytest.mark.parametrize(
    ("w", "h", "kwargs", "expected"),
    [
        (1080, 1920, {}, 3.0),  # 1080 / 360
        (1920, 1080, {}, 3.0),  # landscape: the shorter side still
        (270, 564, {}, 0.75),
        (1440, 3200, {}, 4.0),
        (1080, 1920, {"density": 2.625}, 2.625),  # explicit density wins
        (1080, 1920, {"width_dp": 411}, 1080 / 411),
        (750, 1334, {"width_dp": 375}, 2.0),  # an @2x iPhone mockup
    ],
)
def test_density(w: int, h: int, kwargs: dict[str, float], expected: float) -> None:
    assert density_for(w, h, baseline_width_dp=360, **kwargs) == pytest.approx(expected)


@pytest.mark.parametrize("kwargs", [{"density": 0}, {"density": -1}, {"width_dp": 0}])
def test_density_rejects_non_positive(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="> 0"):
        density_for(1080, 1920, baseline_width_dp=360, **kwargs)


@pytest.mark.parametrize(
    ("px", "density", "dp", "mm"),
    [
        (36, 3.0, 12.0, 1.905),  # 12 dp = 12 × 25.4 / 160 mm
        (72, 3.0, 24.0, 3.81),
        (160, 1.0, 160.0, 25.4),  # one inch
        (0, 3.0, 0.0, 0.0),
    ],
)
def test_units(px: float, density: float, dp: float, mm: float) -> None:
    assert px_to_dp(px, density) == pytest.approx(dp)
    assert dp_to_mm(dp) == pytest.approx(mm)
    s = size_of(px, density)
    assert (s.px, s.dp) == (pytest.approx(px), pytest.approx(dp, abs=0.01))
    assert s.mm == pytest.approx(mm, abs=0.01)


@pytest.mark.parametrize(
    ("rgb", "luminance"),
    [((0, 0, 0), 0.0), ((255, 255, 255), 1.0), ((255, 0, 0), 0.2126), ((0, 255, 0), 0.7152), ((0, 0, 255), 0.0722)],
)
def test_relative_luminance(rgb: tuple[int, int, int], luminance: float) -> None:
    assert relative_luminance(rgb) == pytest.approx(luminance, abs=1e-4)
    # the per-pixel map (a lookup table) says the same for every pixel of that colour
    assert luminance_map(np.full((2, 3, 3), rgb, np.uint8)) == pytest.approx(np.full((2, 3), luminance), abs=1e-4)


def test_luminance_map_matches_the_formula_on_every_level() -> None:
    levels = np.arange(256, dtype=np.uint8)
    rgb = np.stack([levels, levels[::-1], np.roll(levels, 85)], axis=-1).reshape(16, 16, 3)
    expected = [[relative_luminance(px) for px in row] for row in rgb]
    assert luminance_map(rgb) == pytest.approx(np.array(expected), abs=1e-12)


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        ((0, 0, 0), (255, 255, 255), 21.0),
        ((255, 255, 255), (0, 0, 0), 21.0),  # order does not matter
        ((128, 128, 128), (128, 128, 128), 1.0),
        ((118, 118, 118), (255, 255, 255), 4.54),  # WebAIM's classic grey at the 4.5:1 line
        ((149, 149, 149), (255, 255, 255), 3.0),  # about the 3:1 line
    ],
)
def test_contrast_ratio(a: tuple[int, ...], b: tuple[int, ...], ratio: float) -> None:
    assert contrast_ratio(a, b) == pytest.approx(ratio, abs=0.02)


def test_foreground_background_picks_glyph_and_surroundings() -> None:
    img = np.full((60, 60, 3), 255, np.uint8)  # white page
    img[20:40, 20:40] = (0, 0, 0)  # black glyph block
    fg, bg = foreground_background(img, Box(20, 20, 40, 40), ring_px=6, ink_fraction=0.05) or ((), ())
    assert fg == (0, 0, 0)
    assert bg == (255, 255, 255)


@pytest.mark.parametrize(
    ("fg", "bg", "stroke_px"),
    [
        ((150, 150, 150), (60, 60, 60), 1),  # a hairline grey × on a dark picture
        ((255, 255, 255), (120, 40, 40), 1),  # white on red
        ((40, 40, 40), (230, 230, 230), 1),  # dark on light
        ((150, 150, 150), (60, 60, 60), 2),  # a thin one
    ],
)
def test_a_thin_glyphs_contrast_is_read_from_its_strokes_core(fg: tuple[int, int, int], bg: tuple[int, int, int],
                                                              stroke_px: int) -> None:
    """A small × drawn anti-aliased is mostly edge pixels between its colour and the page's, and
    its glyph box is mostly page: the profile's ink fraction (detection.contrast_ink_fraction)
    reads the strokes' core, within a tenth of the true ratio (the most unlike fifth of the box
    read the hairlines at 1.5-2.1:1)."""
    import cv2

    from detector.profile import get_profile

    img = np.full((64, 64, 3), bg, np.uint8)
    cv2.line(img, (22, 22), (41, 41), fg, stroke_px, cv2.LINE_AA)
    cv2.line(img, (41, 22), (22, 41), fg, stroke_px, cv2.LINE_AA)
    fraction = get_profile("cn-miit-2021").setting("detection", "contrast_ink_fraction")
    colours = foreground_background(img, Box(18, 18, 46, 46), ring_px=6, ink_fraction=fraction)
    assert colours is not None
    assert contrast_ratio(*colours) == pytest.approx(contrast_ratio(fg, bg), rel=0.1)


def test_foreground_background_empty_box() -> None:
    assert foreground_background(np.zeros((10, 10, 3), np.uint8), Box(5, 5, 5, 5), ring_px=2, ink_fraction=0.05) is None


FULL = Box(0, 0, 1000, 2000)


@pytest.mark.parametrize(
    ("box", "zone"),
    [
        (Box(900, 10, 990, 100), "top-right"),
        (Box(10, 10, 100, 100), "top-left"),
        (Box(450, 10, 550, 100), "top-center"),
        (Box(450, 950, 550, 1050), "center"),
        (Box(10, 950, 100, 1050), "middle-left"),
        (Box(900, 1900, 990, 1990), "bottom-right"),
        (Box(450, 1900, 550, 1990), "bottom-center"),
        (Box(1100, 10, 1200, 100), "outside"),
        (Box(200, 400, 300, 600), "center"),  # centre (250, 500) lies exactly on both 25 % lines
        (Box(199, 399, 299, 599), "top-left"),  # one pixel up and left of them
    ],
)
def test_zone_of(box: Box, zone: str) -> None:
    assert zone_of(box, FULL, corner_fraction=0.25) == zone


@pytest.mark.parametrize(
    ("box", "window", "zone"),
    [
        (Box(780, 610, 820, 650), Box(100, 600, 900, 1400), "window-top-right"),
        (Box(480, 1450, 520, 1490), Box(100, 600, 900, 1400), "below-window-center"),
        (Box(480, 1700, 520, 1740), Box(100, 600, 900, 1400), "outside-window"),  # too far below (> 96 dp at density 1)
        (Box(480, 980, 520, 1020), FULL, "inside-picture"),
        (Box(900, 10, 990, 100), FULL, None),
        (Box(900, 10, 990, 100), None, None),
    ],
)
def test_window_zone(box: Box, window: Box | None, zone: str | None) -> None:
    assert window_zone(box, window, FULL, density=1.0, corner_fraction=0.25, below_dp=96) == zone


def test_edges_and_overlaps() -> None:
    box = Box(30, 6, 90, 66)
    assert edge_distances_dp(box, 1080, 1920, 3.0) == (10.0, 2.0, 330.0, 618.0)
    assert vertical_overlap_fraction(box, 0, 72) == pytest.approx(1.0)
    assert vertical_overlap_fraction(box, 0, 36) == pytest.approx(0.5)
    assert vertical_overlap_fraction(Box(0, 100, 10, 100), 0, 36) == 0.0  # empty box
    assert box_distance(Box(0, 0, 10, 10), Box(13, 14, 20, 20)) == pytest.approx(5.0)
    assert box_distance(Box(0, 0, 10, 10), Box(5, 5, 20, 20)) == 0.0
