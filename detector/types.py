"""The frozen data types that flow through closecheck.

An image goes in; OCR produces :class:`TextSpan`; detection stages produce
:class:`Element`; measurement produces :class:`Measurement`; rules produce
:class:`Finding`; everything ends in one :class:`Report`.

Boxes are ``xyxy`` in original-image pixels, ``x2``/``y2`` one past the last pixel
(the convention of ../shared/LABELS.md).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned box ``(x1, y1, x2, y2)`` in original-image pixels; x2/y2 exclusive."""

    x1: float
    y1: float
    x2: float
    y2: float

    def __post_init__(self) -> None:
        if not (self.x2 >= self.x1 and self.y2 >= self.y1):
            raise ValueError(f"Box needs x2 >= x1 and y2 >= y1, got {self.xyxy}")

    @classmethod
    def from_xyxy(cls, xyxy: tuple[float, float, float, float] | list[float]) -> Box:
        x1, y1, x2, y2 = (float(v) for v in xyxy)
        return cls(x1, y1, x2, y2)

    @classmethod
    def from_xywh(cls, x: float, y: float, w: float, h: float) -> Box:
        return cls(float(x), float(y), float(x + w), float(y + h))

    @property
    def xyxy(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def center(self) -> tuple[float, float]:
        return ((self.x1 + self.x2) / 2.0, (self.y1 + self.y2) / 2.0)

    def contains_point(self, x: float, y: float) -> bool:
        return self.x1 <= x < self.x2 and self.y1 <= y < self.y2

    def intersection(self, other: Box) -> float:
        w = min(self.x2, other.x2) - max(self.x1, other.x1)
        h = min(self.y2, other.y2) - max(self.y1, other.y1)
        return max(0.0, w) * max(0.0, h)

    def iou(self, other: Box) -> float:
        inter = self.intersection(other)
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def union(self, other: Box) -> Box:
        return Box(
            min(self.x1, other.x1),
            min(self.y1, other.y1),
            max(self.x2, other.x2),
            max(self.y2, other.y2),
        )

    def expand(self, dx: float, dy: float | None = None) -> Box:
        dy = dx if dy is None else dy
        return Box(self.x1 - dx, self.y1 - dy, self.x2 + dx, self.y2 + dy)

    def clip(self, width: int, height: int) -> Box:
        x1 = min(max(self.x1, 0.0), float(width))
        y1 = min(max(self.y1, 0.0), float(height))
        return Box(x1, y1, min(max(self.x2, x1), float(width)), min(max(self.y2, y1), float(height)))

    def scale(self, factor: float) -> Box:
        return Box(self.x1 * factor, self.y1 * factor, self.x2 * factor, self.y2 * factor)

    def to_int(self) -> tuple[int, int, int, int]:
        """Integer pixel bounds suitable for array slicing (floor start, ceil end)."""
        import math

        return (math.floor(self.x1), math.floor(self.y1), math.ceil(self.x2), math.ceil(self.y2))

    def to_list(self) -> list[float]:
        return [round(v, 1) for v in self.xyxy]


class ScreenType(enum.StrEnum):
    SPLASH = "splash"
    INTERSTITIAL = "interstitial"
    POPUP = "popup"
    DIALOG = "dialog"
    NONE = "none"


class ElementKind(enum.StrEnum):
    """What a detected thing on the screen is."""

    CLOSE_ICON = "close_icon"  # a × glyph, plain or in a circle
    CLOSE_TEXT = "close_text"  # 跳过 / 关闭 / Skip / No thanks ...
    CLOSE_COUNTDOWN = "close_countdown"  # 跳过 5 / Skip in 5 / 5s
    AD_LABEL = "ad_label"  # 广告 / AD / Sponsored
    JUMP_HINT = "jump_hint"  # 点击跳转... / Install / Learn more
    SHAKE = "shake"  # 摇一摇 / 扭动手机 / Shake
    COUNTDOWN = "countdown"  # a countdown number or timer that is not itself a close control
    CALL_TO_ACTION = "call_to_action"  # 下载 / Install / 立即领取 buttons (never close controls)
    TEXT = "text"  # any other OCR text

    @property
    def is_close_control(self) -> bool:
        return self in CLOSE_KINDS

    @property
    def label_kind(self) -> str:
        """The close-control kind name used by ../shared/LABELS.md (icon | text | countdown)."""
        return {
            ElementKind.CLOSE_ICON: "icon",
            ElementKind.CLOSE_TEXT: "text",
            ElementKind.CLOSE_COUNTDOWN: "countdown",
        }.get(self, self.value)


CLOSE_KINDS = frozenset({ElementKind.CLOSE_ICON, ElementKind.CLOSE_TEXT, ElementKind.CLOSE_COUNTDOWN})


@dataclass(frozen=True, slots=True)
class TextSpan:
    """One line or word of text read by an OCR engine, in original-image pixels."""

    text: str
    box: Box
    confidence: float


@dataclass(frozen=True, slots=True)
class Element:
    """Something found on the screen: a close control, a cue, or plain text.

    ``source`` names the stage that produced it (``ocr``, ``cv-x``, ``model``, ...).
    ``button`` is the bounded button shape around a text or glyph, when one was found.
    ``countdown_s`` is the parsed countdown number for countdown kinds.
    """

    id: str
    kind: ElementKind
    box: Box
    score: float
    source: str
    text: str | None = None
    button: Box | None = None
    countdown_s: int | None = None
    attrs: tuple[tuple[str, Any], ...] = ()

    def attr(self, name: str, default: Any = None) -> Any:
        for key, value in self.attrs:
            if key == name:
                return value
        return default


@dataclass(frozen=True, slots=True)
class Size:
    """A length in the three units closecheck reports."""

    px: float
    dp: float
    mm: float


@dataclass(frozen=True, slots=True)
class Measurement:
    """What closecheck measured on one element (usually a close control)."""

    element_id: str
    width: Size
    height: Size
    short_side: Size  # the visible shorter side: button shape if any, else the glyph/text box
    contrast_ratio: float | None  # WCAG 2.x ratio between foreground and background
    foreground_rgb: tuple[int, int, int] | None
    background_rgb: tuple[int, int, int] | None
    zone_screen: str  # e.g. "top-right", "bottom-center"
    zone_window: str | None  # e.g. "window-top-right", "below-window-center", "inside-picture"
    edge_distance_dp: tuple[float, float, float, float]  # left, top, right, bottom
    overlaps_status_bar: bool
    overlaps_navigation_bar: bool
    cta_distance_dp: float | None  # to the nearest call to action, None when there is none


@dataclass(frozen=True, slots=True)
class Screen:
    """The screenshot as closecheck understood it."""

    width: int
    height: int
    density: float  # px per dp
    screen_type: ScreenType
    window: Box | None
    elements: tuple[Element, ...] = ()
    type_confidence: float = 1.0
    type_reason: str = ""

    @property
    def close_controls(self) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if e.kind.is_close_control)

    def by_kind(self, kind: ElementKind) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if e.kind == kind)

    def element(self, element_id: str) -> Element:
        for e in self.elements:
            if e.id == element_id:
                return e
        raise KeyError(element_id)


class RuleId(enum.StrEnum):
    CLOSE_MISSING = "CLOSE_MISSING"
    CLOSE_TOO_SMALL = "CLOSE_TOO_SMALL"
    CLOSE_LOW_CONTRAST = "CLOSE_LOW_CONTRAST"
    CLOSE_HARD_TO_FIND = "CLOSE_HARD_TO_FIND"
    COUNTDOWN_BLOCKS_CLOSE = "COUNTDOWN_BLOCKS_CLOSE"
    COUNTDOWN_TOO_LONG = "COUNTDOWN_TOO_LONG"
    FULLSCREEN_JUMP = "FULLSCREEN_JUMP"
    SHAKE_TRIGGER = "SHAKE_TRIGGER"
    AD_LABEL_HIDDEN = "AD_LABEL_HIDDEN"


class Severity(enum.StrEnum):
    FAIL = "fail"
    WARN = "warn"
    PASS = "pass"


class Verdict(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    REVIEW = "review"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's judgement, with its evidence."""

    rule: RuleId
    severity: Severity
    message: str
    evidence: tuple[str, ...]  # element ids
    value: float | None  # the measured value the threshold was compared with
    threshold: float | None
    unit: str | None
    clause: str


@dataclass(frozen=True, slots=True)
class Report:
    """Everything closecheck says about one screenshot."""

    image_name: str
    image_sha256: str
    screen: Screen
    measurements: tuple[Measurement, ...]
    findings: tuple[Finding, ...]
    verdict: Verdict
    verdict_reason: str
    texts: tuple[TextSpan, ...]
    profile: str
    timings_ms: tuple[tuple[str, float], ...]
    versions: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def elements(self) -> tuple[Element, ...]:
        return self.screen.elements

    def measurement(self, element_id: str) -> Measurement | None:
        for m in self.measurements:
            if m.element_id == element_id:
                return m
        return None
