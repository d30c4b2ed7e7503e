"""Pipeline glue (detector/pipeline.py): merging what the stages found into one element each."""

from __future__ import annotations

import pytest

from detector.icons import IconCandidate
from detector.pipeline import _icon_elements
from detector.types import Box, Element, ElementKind


def cand(box: Box, score: float, style: str = "plain") -> IconCandidate:
    return IconCandidate(box=box, glyph=box, score=score, style=style, polarity="light-on-dark")


BUTTON = Box(980, 60, 1060, 140)  # a × on a disc


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        # the disc found by the model and OCR's lone × inside it: one control
        ([cand(BUTTON, 0.98, "circle-filled"), cand(Box(1005, 85, 1035, 115), 0.9)], 1),
        # two × in different corners: two controls
        ([cand(BUTTON, 0.98, "circle-filled"), cand(Box(20, 60, 80, 120), 0.9)], 2),
        # the glyph first (higher score) and its disc second: still one
        ([cand(Box(1005, 85, 1035, 115), 0.99), cand(BUTTON, 0.6, "circle-filled")], 1),
    ],
)
def test_one_element_per_control(candidates: list[IconCandidate], expected: int) -> None:
    assert len(_icon_elements(candidates, [], min_overlap=0.3, source="model")) == expected


def test_icon_inside_a_dismiss_text_is_not_another_control() -> None:
    skip = Element(id="t0", kind=ElementKind.CLOSE_TEXT, box=Box(800, 60, 1060, 140), score=0.99, source="ocr",
                   text="Skip Ad ▶|")
    assert _icon_elements([cand(Box(1000, 80, 1040, 120), 0.9)], [skip], min_overlap=0.3, source="model") == []
